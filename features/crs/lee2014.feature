@crs
Feature: Lee 2014 grading of cytokine release syndrome
  Read beside Lee DW et al., Blood 2014;124:188-195 (Table 1, revised CRS grading; Table 2,
  high-dose vasopressors, and its erratum Blood 2015;126:1048) and shared/domain/crs.md section 2.
  Grade = the highest tier reached (no fever is required for grades 2-4):
    1: fever (a grade-1 symptom; T >= 38.0 C, a [U] convention: Lee gives no number)
    2: O2 requirement FiO2 < 40 %, hypotension responsive to fluids or a low dose of one
       vasopressor, grade 2 organ toxicity
    3: FiO2 >= 40 %, high-dose or multiple vasopressors, grade 3 organ toxicity, grade 4 transaminitis
    4: ventilator support (CPAP/BiPAP included by default, [U]), grade 4 organ toxicity (not transaminitis)
  High-dose vasopressors (Table 2, every value a [U] parameter), sustained >= 3 h up to the evaluation:
  norepinephrine >= 20 ug/min, dopamine >= 10 ug/kg/min, phenylephrine >= 200 ug/min, epinephrine
  >= 10 ug/min alone; on vasopressin, vasopressin + NE-equivalent >= 10 ug/min; a combination without
  vasopressin, NE-equivalent >= 20 ug/min; NE-equivalent = NE + dopamine (ug/kg/min) / 2 + epinephrine
  + phenylephrine / 10. A rate in the other unit is converted with the body weight nearest in time.
  Unless a step gives a time, data are charted at 06:00 on day +3 and the patient is evaluated at
  08:00; "vasopressors running since 02:00" have run 6 h at the evaluation.

  # ---------------------------------------------------------------- grade 1 and the fever tier

  Scenario: Grade 1 - fever with no oxygen requirement, hypotension or organ toxicity
    Given a CAR-T patient on day +3
    And a temperature of 38.6 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is room air
    When the patient is evaluated
    Then the Lee 2014 CRS grade is 1
    And the Lee 2014 fever tier is 1
    And the Lee 2014 oxygen tier is 0
    And the Lee 2014 hypotension tier is 0
    And the Lee 2014 organ toxicity tier is 0
    And the Lee 2014 transaminitis tier is 0
    And the Lee 2014 result rests on rule "crs.lee2014.fever.present"
    And the Lee 2014 result rests on rule "crs.lee2014.organ.unrecorded"
    And the Lee 2014 result rests on rule "crs.lee2014.transaminitis.unrecorded"
    And the Lee 2014 assessment states the assumption "An organ-toxicity or transaminitis grade not charted"
    And the Lee 2014 assessment reports nothing missing

  Scenario Outline: Fever threshold (convention 38.0 C, inclusive) - <temperature> <unit>
    Given a CAR-T patient on day +3
    And a temperature of <temperature> <unit>
    And a systolic blood pressure of 118 mmHg
    When the patient is evaluated
    Then the Lee 2014 fever tier is <fever>
    And the Lee 2014 CRS grade is <fever>

    Examples:
      | temperature | unit   | fever |
      | 38.0        | Cel    | 1     |
      | 37.99       | Cel    | 0     |
      | 37.9        | Cel    | 0     |
      | 39.5        | Cel    | 1     |
      | 100.4       | [degF] | 1     |
      | 100.3       | [degF] | 0     |

  Scenario: No fever, no oxygen, no hypotension - grade 0
    Given a CAR-T patient on day +3
    And a temperature of 37.2 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is room air
    When the patient is evaluated
    Then the Lee 2014 CRS grade is 0
    And the Lee 2014 result rests on rule "crs.lee2014.fever.absent"

  Scenario Outline: No fever is required for grades 2-4 - <finding> without fever is grade <grade>
    # Lee 2014 lists fever among the grade-1 symptoms only; grades 2-4 are defined by the
    # intervention required and organ toxicity (unlike ASTCT-F7).
    Given a CAR-T patient on day +3
    And a temperature of 37.2 Cel
    And a systolic blood pressure of <sbp> mmHg
    And vasopressors running since 02:00: <vasopressors>
    And the oxygen support is <support>
    When the patient is evaluated
    Then the Lee 2014 fever tier is 0
    And the Lee 2014 CRS grade is <grade>

    Examples:
      | finding                 | sbp | vasopressors            | support              | grade |
      | hypotension             | 84  | none                    | room air             | 2     |
      | a low-dose vasopressor  | 84  | norepinephrine 5 ug/min | room air             | 2     |
      | a high-dose vasopressor | 84  | norepinephrine 25 ug/min| room air             | 3     |
      | ventilator support      | 118 | none                    | cpap                 | 4     |

  Scenario: No fever, FiO2 45 % on a facemask is grade 3
    Given a CAR-T patient on day +3
    And a temperature of 37.0 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is facemask
    And an FiO2 of 45 %
    When the patient is evaluated
    Then the Lee 2014 CRS grade is 3
    And the Lee 2014 result rests on rule "crs.lee2014.oxygen.fio2_gte40"

  # ---------------------------------------------------------------- O2 requirement (FiO2)

  Scenario Outline: O2 requirement - <support> at FiO2 <fio2> % is tier <tier>
    Given a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is <support>
    And an FiO2 of <fio2> %
    When the patient is evaluated
    Then the Lee 2014 oxygen tier is <tier>
    And the Lee 2014 CRS grade is <grade>
    And the Lee 2014 result rests on rule "<rule>"
    And the Lee 2014 explanation reads the FiO2 as <fio2>

    Examples: Grade 2 - FiO2 below 40 %
      | support                             | fio2 | tier | grade | rule                           |
      | nasal cannula at 2 L/min            | 28   | 2    | 2     | crs.lee2014.oxygen.fio2_lt40   |
      | blow-by                             | 30   | 2    | 2     | crs.lee2014.oxygen.fio2_lt40   |
      | high-flow nasal cannula at 40 L/min | 35   | 2    | 2     | crs.lee2014.oxygen.fio2_lt40   |
      | venturi mask                        | 39   | 2    | 2     | crs.lee2014.oxygen.fio2_lt40   |
      | venturi mask                        | 39.9 | 2    | 2     | crs.lee2014.oxygen.fio2_lt40   |

    Examples: Grade 3 - FiO2 40 % or more (exactly 40 % is grade 3; "<40%" in a grade-3 reproduction is a typo)
      | support                             | fio2 | tier | grade | rule                           |
      | venturi mask                        | 40   | 3    | 3     | crs.lee2014.oxygen.fio2_gte40  |
      | high-flow nasal cannula at 50 L/min | 40   | 3    | 3     | crs.lee2014.oxygen.fio2_gte40  |
      | venturi mask                        | 40.1 | 3    | 3     | crs.lee2014.oxygen.fio2_gte40  |
      | non-rebreather mask at 15 L/min     | 60   | 3    | 3     | crs.lee2014.oxygen.fio2_gte40  |
      | facemask                            | 100  | 3    | 3     | crs.lee2014.oxygen.fio2_gte40  |

  Scenario Outline: An FiO2 charted with no oxygen device - <fio2> % is tier <tier>
    Given a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 118 mmHg
    And an FiO2 of <fio2> %
    When the patient is evaluated
    Then the Lee 2014 oxygen tier is <tier>
    And the Lee 2014 result rests on rule "<rule>"

    Examples:
      | fio2 | tier | rule                                  |
      | 21   | 0    | crs.lee2014.oxygen.room_air           |
      | 22   | 2    | crs.lee2014.oxygen.fio2_lt40_no_device |
      | 39   | 2    | crs.lee2014.oxygen.fio2_lt40_no_device |
      | 40   | 3    | crs.lee2014.oxygen.fio2_gte40         |

  Scenario: No oxygen record at all is room air, and the assessment says so
    Given a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 118 mmHg
    And no oxygen support is recorded
    When the patient is evaluated
    Then the Lee 2014 oxygen tier is 0
    And the Lee 2014 CRS grade is 1
    And the Lee 2014 assessment states the assumption "assumed room_air"

  Scenario Outline: Oxygen without a recorded FiO2 - <support> leaves the O2 tier between 2 and 3
    # Lee 2014 defines no flow -> FiO2 conversion (lee2014.flow_to_fio2 = none, [U]).
    Given a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is <support>
    When the patient is evaluated
    Then the Lee 2014 oxygen tier is indeterminate between 2 and 3
    And the Lee 2014 CRS grade is indeterminate between 2 and 3
    And the Lee 2014 assessment reports the FiO2 as missing

    Examples:
      | support                                  |
      | nasal cannula at 2 L/min                 |
      | nasal cannula at 6 L/min                 |
      | high-flow nasal cannula at 40 L/min      |
      | nasal cannula with no flow recorded      |
      | blow-by                                  |
      | facemask                                 |

  Scenario: An FiO2 charted before the current device belongs to the earlier device and is not used
    Given a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is venturi mask at 02:00
    And an FiO2 of 28 % at 02:00
    And the oxygen support is non-rebreather mask at 15 L/min
    When the patient is evaluated
    Then the Lee 2014 oxygen tier is indeterminate between 2 and 3
    And the Lee 2014 assessment reports the FiO2 as missing

  Scenario Outline: A site's nasal-cannula flow cut-off for FiO2 40 % - <support> is tier <tier>
    Given the site parameter lee2014.flow_to_fio2 is site_threshold
    And the site parameter lee2014.cannula_flow_fio2_40_gte_l_min is 5
    And a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is <support>
    When the patient is evaluated
    Then the Lee 2014 oxygen tier is <tier>
    And the Lee 2014 CRS grade is <tier>

    Examples:
      | support                  | tier |
      | nasal cannula at 4 L/min | 2    |
      | nasal cannula at 4.9 L/min | 2  |
      | nasal cannula at 5 L/min | 3    |

  # ---------------------------------------------------------------- ventilator support

  Scenario Outline: Ventilator support is grade 4 - <support>
    # lee2014.cpap_bipap_is_ventilator_support = true (default, [U]): any positive pressure.
    Given a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is <support>
    And an FiO2 of 30 %
    When the patient is evaluated
    Then the Lee 2014 oxygen tier is 4
    And the Lee 2014 CRS grade is 4
    And the Lee 2014 result rests on rule "crs.lee2014.oxygen.ventilator"

    Examples:
      | support                  |
      | cpap                     |
      | bipap                    |
      | mechanical ventilator    |
      | endotracheal tube        |
      | non-invasive ventilation |

  Scenario Outline: When CPAP/BiPAP is not ventilator support (site setting) - <support>, <documented>
    Given the site parameter lee2014.cpap_bipap_is_ventilator_support is false
    And a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is <support>
    And an FiO2 of <fio2> %
    And the ventilation is documented as <documented>
    When the patient is evaluated
    Then the Lee 2014 oxygen tier is <tier>
    And the Lee 2014 result rests on rule "<rule>"

    Examples:
      | support               | fio2 | documented    | tier | rule                                    |
      | cpap                  | 35   | non-invasive  | 2    | crs.lee2014.oxygen.fio2_lt40_niv        |
      | bipap                 | 45   | non-invasive  | 3    | crs.lee2014.oxygen.fio2_gte40_niv       |
      | mechanical ventilator | 35   | invasive      | 4    | crs.lee2014.oxygen.ventilator_invasive  |

  Scenario: When CPAP/BiPAP is not ventilator support, undocumented positive pressure is indeterminate
    Given the site parameter lee2014.cpap_bipap_is_ventilator_support is false
    And a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is cpap
    And an FiO2 of 35 %
    When the patient is evaluated
    Then the Lee 2014 oxygen tier is indeterminate between 2 and 4
    And the Lee 2014 CRS grade is indeterminate between 2 and 4
    And the Lee 2014 assessment reports the ventilation mode as missing

  # ---------------------------------------------------------------- hypotension and vasopressors

  Scenario Outline: Hypotension - <vasopressors> at SBP <sbp> mmHg is tier <tier>
    Given a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of <sbp> mmHg
    And vasopressors running since 02:00: <vasopressors>
    And the oxygen support is room air
    When the patient is evaluated
    Then the Lee 2014 hypotension tier is <tier>
    And the Lee 2014 CRS grade is <grade>
    And the Lee 2014 result rests on rule "<rule>"

    Examples: No hypotension; hypotension responsive to fluids (adult SBP < 90 mmHg)
      | sbp | vasopressors | tier | grade | rule                          |
      | 118 | none         | 0    | 1     | crs.lee2014.hypotension.none   |
      | 90  | none         | 0    | 1     | crs.lee2014.hypotension.none   |
      | 89  | none         | 2    | 2     | crs.lee2014.hypotension.fluids |
      | 72  | none         | 2    | 2     | crs.lee2014.hypotension.fluids |

    Examples: Monotherapy thresholds - just below is a low dose of one vasopressor, at the threshold high-dose
      | sbp | vasopressors               | tier | grade | rule                             |
      | 85  | norepinephrine 5 ug/min    | 2    | 2     | crs.lee2014.hypotension.low_dose  |
      | 85  | norepinephrine 19.9 ug/min | 2    | 2     | crs.lee2014.hypotension.low_dose  |
      | 85  | norepinephrine 20 ug/min   | 3    | 3     | crs.lee2014.hypotension.high_dose |
      | 85  | epinephrine 9.9 ug/min     | 2    | 2     | crs.lee2014.hypotension.low_dose  |
      | 85  | epinephrine 10 ug/min      | 3    | 3     | crs.lee2014.hypotension.high_dose |
      | 85  | phenylephrine 199 ug/min   | 2    | 2     | crs.lee2014.hypotension.low_dose  |
      | 85  | phenylephrine 200 ug/min   | 3    | 3     | crs.lee2014.hypotension.high_dose |
      | 85  | dopamine 9.9 ug/kg/min     | 2    | 2     | crs.lee2014.hypotension.low_dose  |
      | 85  | dopamine 10 ug/kg/min      | 3    | 3     | crs.lee2014.hypotension.high_dose |
      | 120 | norepinephrine 20 ug/min   | 3    | 3     | crs.lee2014.hypotension.high_dose |

    Examples: Vasopressin - vasopressin + NE-equivalent >= 10 ug/min is high-dose; vasopressin does not make "multiple"
      | sbp | vasopressors                                 | tier | grade | rule                             |
      | 85  | vasopressin                                  | 2    | 2     | crs.lee2014.hypotension.low_dose  |
      | 85  | norepinephrine 9.9 ug/min and vasopressin    | 2    | 2     | crs.lee2014.hypotension.low_dose  |
      | 85  | norepinephrine 10 ug/min and vasopressin     | 3    | 3     | crs.lee2014.hypotension.high_dose |
      | 85  | epinephrine 9.9 ug/min and vasopressin       | 2    | 2     | crs.lee2014.hypotension.low_dose  |
      | 85  | epinephrine 10 ug/min and vasopressin        | 3    | 3     | crs.lee2014.hypotension.high_dose |
      | 85  | phenylephrine 99 ug/min and vasopressin      | 2    | 2     | crs.lee2014.hypotension.low_dose  |
      | 85  | phenylephrine 100 ug/min and vasopressin     | 3    | 3     | crs.lee2014.hypotension.high_dose |
      | 85  | dopamine 19.8 ug/kg/min and vasopressin      | 2    | 2     | crs.lee2014.hypotension.low_dose  |
      | 85  | dopamine 20 ug/kg/min and vasopressin        | 3    | 3     | crs.lee2014.hypotension.high_dose |

    Examples: Multiple vasopressors (vasopressin not counted) - grade 3 whatever the dose
      | sbp | vasopressors                                                | tier | grade | rule                             |
      | 85  | norepinephrine 5 ug/min and phenylephrine 50 ug/min         | 3    | 3     | crs.lee2014.hypotension.multiple  |
      | 85  | norepinephrine and epinephrine                              | 3    | 3     | crs.lee2014.hypotension.multiple  |
      | 85  | epinephrine 4 ug/min, norepinephrine 6 ug/min and vasopressin | 3  | 3     | crs.lee2014.hypotension.high_dose |

  Scenario Outline: Weight-based rates are converted with the body weight (70 kg) - <vasopressors>
    Given a CAR-T patient on day +3
    And a body weight of 70 kg on day +1
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 85 mmHg
    And vasopressors running since 02:00: <vasopressors>
    When the patient is evaluated
    Then the Lee 2014 hypotension tier is <tier>
    And the Lee 2014 explanation says "<reads>" about the vasopressor dose

    Examples:
      | vasopressors                  | tier | reads                                                     |
      | norepinephrine 0.28 ug/kg/min | 2    | norepinephrine 0.28 ug/kg/min x 70 kg = 19.6 ug/min < 20  |
      | norepinephrine 0.29 ug/kg/min | 3    | norepinephrine 0.29 ug/kg/min x 70 kg = 20.3 ug/min >= 20 |
      | epinephrine 0.14 ug/kg/min    | 2    | epinephrine 0.14 ug/kg/min x 70 kg = 9.8 ug/min < 10      |
      | epinephrine 0.15 ug/kg/min    | 3    | epinephrine 0.15 ug/kg/min x 70 kg = 10.5 ug/min >= 10    |
      | phenylephrine 2.85 ug/kg/min  | 2    | = 199.5 ug/min < 200                                      |
      | phenylephrine 2.86 ug/kg/min  | 3    | = 200.2 ug/min >= 200                                     |
      | dopamine 693 ug/min           | 2    | dopamine 693 ug/min / 70 kg = 9.9 ug/kg/min < 10          |
      | dopamine 700 ug/min           | 3    | dopamine 700 ug/min / 70 kg = 10 ug/kg/min >= 10          |

  Scenario Outline: The body weight nearest in time to the infusion is used - <case>
    # Norepinephrine 0.3 ug/kg/min from 02:00: 60 kg -> 18 ug/min (low dose), 80 kg -> 24 ug/min (high-dose).
    Given a CAR-T patient on day +3
    And a body weight of <first> kg on day +0 at 06:00
    And a body weight of <second> kg at 01:00
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 85 mmHg
    And vasopressors running since 02:00: norepinephrine 0.3 ug/kg/min
    When the patient is evaluated
    Then the Lee 2014 hypotension tier is <tier>
    And the Lee 2014 explanation says "x <used> kg" about the vasopressor dose

    Examples:
      | case                                     | first | second | used | tier |
      | 60 kg at 01:00, 80 kg three days earlier | 80    | 60     | 60   | 2    |
      | 80 kg at 01:00, 60 kg three days earlier | 60    | 80     | 80   | 3    |

  Scenario Outline: High-dose must be sustained for 3 hours up to the evaluation - started <start>
    Given a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 85 mmHg
    And vasopressors running since <start>: norepinephrine 25 ug/min
    When the patient is evaluated
    Then the Lee 2014 hypotension tier is <tier>
    And the Lee 2014 CRS grade is <tier>

    Examples:
      | start           | tier |
      | day +2 at 20:00 | 3    |
      | 05:00           | 3    |
      | 05:06           | 2    |
      | 07:00           | 2    |

  Scenario: 2.9 hours of high dose is not high-dose, and the explanation says since when
    Given a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 85 mmHg
    And vasopressors running since 05:06: norepinephrine 25 ug/min
    When the patient is evaluated
    Then the Lee 2014 result rests on rule "crs.lee2014.hypotension.low_dose"
    And the Lee 2014 explanation says "high-dose only since 2026-03-13 05:06: 2.9 h" about the vasopressor dose

  Scenario Outline: A rate change mid-way - <first_rate> ug/min from 02:00 to 06:00, then <second_rate> ug/min
    Given a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 85 mmHg
    And a norepinephrine infusion at <first_rate> ug/min from 02:00 to 06:00
    And a norepinephrine infusion at <second_rate> ug/min running since 06:00
    When the patient is evaluated
    Then the Lee 2014 hypotension tier is <tier>
    And the Lee 2014 explanation says "<says>" about the vasopressor dose

    Examples:
      | first_rate | second_rate | tier | says                                       |
      | 25         | 30          | 3    | high-dose for 3 h                          |
      | 25         | 15          | 2    | not high-dose now                          |
      | 15         | 25          | 2    | high-dose only since 2026-03-13 06:00: 2 h |
      | 19         | 20          | 2    | high-dose only since 2026-03-13 06:00: 2 h |

  Scenario Outline: A stopped infusion counts for 60 minutes after its recorded end - stopped at <end>
    Given a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 85 mmHg
    And a norepinephrine infusion at 25 ug/min from 02:00 to <end>
    When the patient is evaluated
    Then the Lee 2014 hypotension tier is <tier>
    And the Lee 2014 result rests on rule "<rule>"

    Examples:
      | end   | tier | rule                              |
      | 07:30 | 3    | crs.lee2014.hypotension.high_dose |
      | 06:30 | 2    | crs.lee2014.hypotension.fluids    |

  Scenario Outline: When multiple vasopressors count only if high-dose (site setting) - <vasopressors>
    # lee2014.multiple_vasopressors_any_dose = false: Table 2's combination row decides
    # (NE-equivalent >= 20 ug/min); NE-equivalent = NE + dopamine (ug/kg/min)/2 + epinephrine + phenylephrine/10.
    Given the site parameter lee2014.multiple_vasopressors_any_dose is false
    And a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 85 mmHg
    And vasopressors running since 02:00: <vasopressors>
    When the patient is evaluated
    Then the Lee 2014 hypotension tier is <tier>
    And the Lee 2014 result rests on rule "<rule>"

    Examples:
      | vasopressors                                          | tier | rule                                        |
      | norepinephrine 5 ug/min and phenylephrine 50 ug/min   | 2    | crs.lee2014.hypotension.low_dose_combination |
      | norepinephrine 14.9 ug/min and epinephrine 5 ug/min   | 2    | crs.lee2014.hypotension.low_dose_combination |
      | norepinephrine 15 ug/min and epinephrine 5 ug/min     | 3    | crs.lee2014.hypotension.high_dose           |
      | norepinephrine 10 ug/min and phenylephrine 99 ug/min  | 2    | crs.lee2014.hypotension.low_dose_combination |
      | norepinephrine 10 ug/min and phenylephrine 100 ug/min | 3    | crs.lee2014.hypotension.high_dose           |
      | norepinephrine 10 ug/min and dopamine 19.8 ug/kg/min  | 2    | crs.lee2014.hypotension.low_dose_combination |
      | norepinephrine 10 ug/min and dopamine 20 ug/kg/min    | 3    | crs.lee2014.hypotension.high_dose           |
      | norepinephrine 15 ug/min                              | 2    | crs.lee2014.hypotension.low_dose_combination |

  Scenario Outline: When vasopressin counts toward "multiple" (site setting) - <vasopressors>
    Given the site parameter lee2014.vasopressin_counts_toward_multiple is true
    And a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 85 mmHg
    And vasopressors running since 02:00: <vasopressors>
    When the patient is evaluated
    Then the Lee 2014 hypotension tier is <tier>
    And the Lee 2014 result rests on rule "<rule>"

    Examples:
      | vasopressors                            | tier | rule                                                  |
      | norepinephrine 5 ug/min and vasopressin | 3    | crs.lee2014.hypotension.multiple_with_vasopressin      |
      | vasopressin                             | 2    | crs.lee2014.hypotension.low_dose_vasopressin_counted   |
      | norepinephrine 5 ug/min                 | 2    | crs.lee2014.hypotension.low_dose_vasopressin_counted   |

  Scenario Outline: The dopamine unit of the NE-equivalent (site setting <unit>)
    # Norepinephrine 10 ug/min + dopamine 5 ug/kg/min (350 ug/min at 70 kg) with multiple counted only if high-dose:
    # ug/kg/min (default): 10 + 5/2 = 12.5 < 20; ug/min (crs.md's literal "all ug/min"): 10 + 350/2 = 185 >= 20.
    Given the site parameter lee2014.multiple_vasopressors_any_dose is false
    And the site parameter lee2014.ne_eq.dopamine_unit is "<unit>"
    And a CAR-T patient on day +3
    And a body weight of 70 kg on day +2
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 85 mmHg
    And vasopressors running since 02:00: norepinephrine 10 ug/min and dopamine 5 ug/kg/min
    When the patient is evaluated
    Then the Lee 2014 hypotension tier is <tier>

    Examples:
      | unit      | tier |
      | ug/kg/min | 2    |
      | ug/min    | 3    |

  # ---------------------------------------------------------------- organ toxicity

  Scenario Outline: Organ toxicity of CTCAE grade <organ> (transaminitis excluded) is tier <tier>
    Given a CAR-T patient on day +3
    And a temperature of 38.3 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is room air
    And a CRS organ toxicity of CTCAE grade <organ>
    When the patient is evaluated
    Then the Lee 2014 organ toxicity tier is <tier>
    And the Lee 2014 CRS grade is <grade>
    And the Lee 2014 result rests on rule "<rule>"

    Examples:
      | organ | tier | grade | rule                          |
      | 0     | 0    | 1     | crs.lee2014.organ.below_grade2 |
      | 1     | 0    | 1     | crs.lee2014.organ.below_grade2 |
      | 2     | 2    | 2     | crs.lee2014.organ.grade2       |
      | 3     | 3    | 3     | crs.lee2014.organ.grade3       |
      | 4     | 4    | 4     | crs.lee2014.organ.grade4       |

  Scenario Outline: Transaminitis of CTCAE grade <grade_t> is tier <tier> - grade 4 transaminitis is grade 3, not 4
    Given a CAR-T patient on day +3
    And a temperature of 38.3 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is room air
    And a transaminitis of CTCAE grade <grade_t>
    When the patient is evaluated
    Then the Lee 2014 transaminitis tier is <tier>
    And the Lee 2014 CRS grade is <grade>
    And the Lee 2014 result rests on rule "<rule>"

    Examples:
      | grade_t | tier | grade | rule                                  |
      | 1       | 0    | 1     | crs.lee2014.transaminitis.below_grade2 |
      | 2       | 2    | 2     | crs.lee2014.transaminitis.grade2       |
      | 3       | 3    | 3     | crs.lee2014.transaminitis.grade3       |
      | 4       | 3    | 3     | crs.lee2014.transaminitis.grade4       |

  Scenario: An organ-toxicity grade older than 24 hours no longer counts
    Given a CAR-T patient on day +3
    And a temperature of 38.3 Cel
    And a systolic blood pressure of 118 mmHg
    And a CRS organ toxicity of CTCAE grade 3 on day +2 at 07:00
    When the patient is evaluated
    Then the Lee 2014 organ toxicity tier is 0
    And the Lee 2014 result rests on rule "crs.lee2014.organ.unrecorded"

  Scenario: The grade is the highest tier - FiO2 35 %, high-dose norepinephrine and grade 2 organ toxicity
    Given a CAR-T patient on day +3
    And a temperature of 39.0 Cel
    And a systolic blood pressure of 82 mmHg
    And vasopressors running since 02:00: norepinephrine 25 ug/min
    And the oxygen support is nasal cannula at 4 L/min
    And an FiO2 of 35 %
    And a CRS organ toxicity of CTCAE grade 2
    When the patient is evaluated
    Then the Lee 2014 oxygen tier is 2
    And the Lee 2014 hypotension tier is 3
    And the Lee 2014 organ toxicity tier is 2
    And the Lee 2014 CRS grade is 3

  # ---------------------------------------------------------------- missing data

  Scenario: A vasopressor rate not charted - low dose or high-dose, the dose is reported missing
    Given a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 85 mmHg
    And vasopressors running since 02:00: norepinephrine
    When the patient is evaluated
    Then the Lee 2014 hypotension tier is indeterminate between 2 and 3
    And the Lee 2014 CRS grade is indeterminate between 2 and 3
    And the Lee 2014 assessment reports the vasopressor dose as missing
    And the Lee 2014 explanation says "norepinephrine rate not recorded" about the vasopressor dose

  Scenario: An unknown earlier rate does not matter when the current dose is low
    Given a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 85 mmHg
    And a MedicationAdministration of norepinephrine running from 02:00 to 05:30
    And a norepinephrine infusion at 5 ug/min running since 05:30
    When the patient is evaluated
    Then the Lee 2014 hypotension tier is 2
    And the Lee 2014 assessment reports nothing missing

  Scenario: Two vasopressors without rates are grade 3 - multiple vasopressors need no dose
    Given a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 85 mmHg
    And vasopressors running since 02:00: norepinephrine and phenylephrine
    When the patient is evaluated
    Then the Lee 2014 CRS grade is 3
    And the Lee 2014 result rests on rule "crs.lee2014.hypotension.multiple"

  Scenario: A weight-based conversion with no body weight - unknown, and the explanation says why
    Given a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 85 mmHg
    And vasopressors running since 02:00: dopamine 600 ug/min
    When the patient is evaluated
    Then the Lee 2014 hypotension tier is indeterminate between 2 and 3
    And the Lee 2014 assessment reports the vasopressor dose as missing
    And the Lee 2014 explanation says "needs a body weight" about the vasopressor dose

  Scenario: A body weight charted after the evaluation time is not used
    Given a CAR-T patient on day +3
    And a body weight of 70 kg at 09:00
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 85 mmHg
    And vasopressors running since 02:00: norepinephrine 0.3 ug/kg/min
    When the patient is evaluated
    Then the Lee 2014 hypotension tier is indeterminate between 2 and 3
    And the Lee 2014 assessment reports the vasopressor dose as missing

  Scenario: No temperature and nothing else - grade 0 or 1, body temperature missing
    Given a CAR-T patient on day +3
    And no temperature is recorded
    And a systolic blood pressure of 120 mmHg
    And the oxygen support is room air
    When the patient is evaluated
    Then the Lee 2014 CRS grade is indeterminate between 0 and 1
    And the Lee 2014 assessment reports the body temperature as missing

  Scenario: No temperature does not matter when another criterion already gives grade 3
    Given a CAR-T patient on day +3
    And no temperature is recorded
    And a systolic blood pressure of 120 mmHg
    And the oxygen support is facemask
    And an FiO2 of 50 %
    When the patient is evaluated
    Then the Lee 2014 CRS grade is 3
    And the Lee 2014 assessment reports nothing missing

  Scenario: No blood pressure and no vasopressor - the hypotension tier is unknown
    Given a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And the oxygen support is room air
    When the patient is evaluated
    Then the Lee 2014 hypotension tier is indeterminate between 0 and 2
    And the Lee 2014 CRS grade is indeterminate between 1 and 2
    And the Lee 2014 assessment reports the blood pressure as missing

  Scenario: When unrecorded organ toxicity is not assumed absent (site setting), it is reported missing
    Given the site parameter lee2014.organ_toxicity_unrecorded_is_none is false
    And a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is room air
    When the patient is evaluated
    Then the Lee 2014 organ toxicity tier is indeterminate between 0 and 4
    And the Lee 2014 CRS grade is indeterminate between 1 and 4
    And the Lee 2014 assessment reports the organ toxicity grade as missing
    And the Lee 2014 assessment reports the transaminitis grade as missing

  Scenario: An oxygen device that is not mapped leaves the oxygen tier open
    Given a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 115 mmHg
    And the oxygen support is face tent
    When the patient is evaluated
    Then the Lee 2014 oxygen tier is indeterminate between 0 and 4
    And the Lee 2014 assessment reports the FiO2 as missing
