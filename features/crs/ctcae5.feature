@crs
Feature: CTCAE v5.0 grading of cytokine release syndrome
  Read beside NCI CTCAE v5.0 (2017), term "Cytokine release syndrome" (MedDRA 10052015), and
  shared/domain/crs.md section 3. Grade = the highest tier reached (no fever is required for 2-4):
    1: fever (T >= 38.0 C, the CTCAE "Fever" grade-1 bound, [U])
    2: hypotension responding to fluids (SBP below the threshold, no pressor); hypoxia responding to < 40 % O2
    3: hypotension managed with one pressor; hypoxia requiring >= 40 % O2
    4: life-threatening consequences; urgent intervention indicated - a clinician's statement only
  More than one pressor is grade >= 3; grade 4 needs the clinician's statement, so with more than one
  pressor (vasopressin included by default, [U]) or positive-pressure ventilation ([U]) and no
  statement either way the grade is indeterminate between 3 (or the hypoxia tier) and 4. With fewer
  pressors and no statement the CRS is assumed not life-threatening, and the result says so.
  The statement is a Condition cgclin|crs-life-threatening: active = stated, refuted = stated not.
  Unless a step gives a time, data are charted at 06:00 on day +3 and the patient is evaluated at 08:00.

  # ---------------------------------------------------------------- the table, row by row

  Scenario: Grade 1 - fever with or without constitutional symptoms
    Given a CAR-T patient on day +3
    And a temperature of 38.6 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is room air
    When the patient is evaluated
    Then the CTCAE CRS grade is 1
    And the CTCAE fever tier is 1
    And the CTCAE hypotension tier is 0
    And the CTCAE hypoxia tier is 0
    And the CTCAE life-threatening tier is 0
    And the CTCAE result rests on rule "crs.ctcae5.fever.present"
    And the CTCAE result rests on rule "crs.ctcae5.life_threatening.assumed_absent"
    And the CTCAE assessment states the assumption "assumed absent"
    And the CTCAE assessment reports nothing missing

  Scenario Outline: Fever threshold - <temperature> <unit> is fever tier <fever>
    Given a CAR-T patient on day +3
    And a temperature of <temperature> <unit>
    And a systolic blood pressure of 118 mmHg
    When the patient is evaluated
    Then the CTCAE fever tier is <fever>
    And the CTCAE CRS grade is <fever>

    Examples:
      | temperature | unit   | fever |
      | 38.0        | Cel    | 1     |
      | 37.99       | Cel    | 0     |
      | 39.5        | Cel    | 1     |
      | 100.4       | [degF] | 1     |
      | 100.3       | [degF] | 0     |

  Scenario Outline: Hypotension - <vasopressors> at SBP <sbp> mmHg is tier <tier>
    Given a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of <sbp> mmHg
    And vasopressors running: <vasopressors>
    And the oxygen support is room air
    When the patient is evaluated
    Then the CTCAE hypotension tier is <tier>
    And the CTCAE CRS grade is <grade>
    And the CTCAE result rests on rule "<rule>"

    Examples: No hypotension; grade 2 - hypotension responding to fluids (adult SBP < 90 mmHg, no pressor)
      | sbp | vasopressors | tier | grade | rule                          |
      | 118 | none         | 0    | 1     | crs.ctcae5.hypotension.none   |
      | 90  | none         | 0    | 1     | crs.ctcae5.hypotension.none   |
      | 89  | none         | 2    | 2     | crs.ctcae5.hypotension.fluids |
      | 70  | none         | 2    | 2     | crs.ctcae5.hypotension.fluids |

    Examples: Grade 3 - hypotension managed with one pressor (any agent, any dose; vasopressin is a pressor)
      | sbp | vasopressors   | tier | grade | rule                               |
      | 85  | norepinephrine | 3    | 3     | crs.ctcae5.hypotension.one_pressor |
      | 85  | epinephrine    | 3    | 3     | crs.ctcae5.hypotension.one_pressor |
      | 85  | phenylephrine  | 3    | 3     | crs.ctcae5.hypotension.one_pressor |
      | 85  | dopamine       | 3    | 3     | crs.ctcae5.hypotension.one_pressor |
      | 85  | vasopressin    | 3    | 3     | crs.ctcae5.hypotension.one_pressor |
      | 120 | norepinephrine | 3    | 3     | crs.ctcae5.hypotension.one_pressor |

  Scenario: One pressor and no clinician statement - grade 3, assumed not life-threatening, and said so
    Given a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 85 mmHg
    And vasopressors running: norepinephrine
    When the patient is evaluated
    Then the CTCAE CRS grade is 3
    And the CTCAE life-threatening tier is 0
    And the CTCAE result rests on rule "crs.ctcae5.life_threatening.assumed_absent"
    And the CTCAE assessment states the assumption "no clinician statement that the CRS is life-threatening recorded: assumed absent"
    And the CTCAE assessment reports nothing missing

  Scenario Outline: Hypoxia - <support> at FiO2 <fio2> % is tier <tier>
    Given a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is <support>
    And an FiO2 of <fio2> %
    When the patient is evaluated
    Then the CTCAE hypoxia tier is <tier>
    And the CTCAE CRS grade is <tier>
    And the CTCAE result rests on rule "<rule>"

    Examples: Grade 2 - hypoxia responding to < 40 % O2
      | support                             | fio2 | tier | rule                          |
      | nasal cannula at 2 L/min            | 28   | 2    | crs.ctcae5.hypoxia.fio2_lt40  |
      | high-flow nasal cannula at 40 L/min | 35   | 2    | crs.ctcae5.hypoxia.fio2_lt40  |
      | venturi mask                        | 39   | 2    | crs.ctcae5.hypoxia.fio2_lt40  |
      | venturi mask                        | 39.9 | 2    | crs.ctcae5.hypoxia.fio2_lt40  |

    Examples: Grade 3 - hypoxia requiring >= 40 % O2 (exactly 40 % is grade 3)
      | support                             | fio2 | tier | rule                          |
      | venturi mask                        | 40   | 3    | crs.ctcae5.hypoxia.fio2_gte40 |
      | high-flow nasal cannula at 50 L/min | 40   | 3    | crs.ctcae5.hypoxia.fio2_gte40 |
      | non-rebreather mask at 15 L/min     | 60   | 3    | crs.ctcae5.hypoxia.fio2_gte40 |

  Scenario Outline: An FiO2 charted with no oxygen device - <fio2> % is tier <tier>
    Given a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 118 mmHg
    And an FiO2 of <fio2> %
    When the patient is evaluated
    Then the CTCAE hypoxia tier is <tier>
    And the CTCAE result rests on rule "<rule>"

    Examples:
      | fio2 | tier | rule                                   |
      | 21   | 0    | crs.ctcae5.hypoxia.room_air            |
      | 30   | 2    | crs.ctcae5.hypoxia.fio2_lt40_no_device |
      | 45   | 3    | crs.ctcae5.hypoxia.fio2_gte40          |

  Scenario Outline: No fever is required - <finding> without fever is grade <grade>
    Given a CAR-T patient on day +3
    And a temperature of 37.1 Cel
    And a systolic blood pressure of <sbp> mmHg
    And vasopressors running: <vasopressors>
    And the oxygen support is <support>
    And an FiO2 of <fio2> %
    When the patient is evaluated
    Then the CTCAE fever tier is 0
    And the CTCAE CRS grade is <grade>

    Examples:
      | finding                 | sbp | vasopressors   | support                  | fio2 | grade |
      | hypotension             | 84  | none           | room air                 | 21   | 2     |
      | one pressor             | 84  | norepinephrine | room air                 | 21   | 3     |
      | hypoxia on < 40 % O2    | 118 | none           | nasal cannula at 3 L/min | 32   | 2     |
      | hypoxia on >= 40 % O2   | 118 | none           | venturi mask             | 50   | 3     |

  # ------------------------------------------ grade 4: the clinician's statement, more than one pressor

  Scenario Outline: More than one pressor - <vasopressors>, <statement>
    Given a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 80 mmHg
    And vasopressors running: <vasopressors>
    And <statement>
    When the patient is evaluated
    Then the CTCAE hypotension tier is 3
    And the CTCAE CRS grade is <grade>
    And the CTCAE result rests on rule "<rule>"

    Examples:
      | vasopressors                                  | statement                                                                          | grade | rule                                       |
      | norepinephrine and phenylephrine              | the clinician states that the CRS is life-threatening with urgent intervention indicated | 4     | crs.ctcae5.life_threatening.stated         |
      | norepinephrine and phenylephrine              | the clinician states that the CRS is not life-threatening                           | 3     | crs.ctcae5.life_threatening.stated_absent  |
      | norepinephrine, epinephrine and vasopressin   | the clinician states that the CRS is life-threatening with urgent intervention indicated | 4     | crs.ctcae5.life_threatening.stated         |
      | norepinephrine and vasopressin                | the clinician states that the CRS is not life-threatening                           | 3     | crs.ctcae5.life_threatening.stated_absent  |

  Scenario Outline: More than one pressor and no statement either way - grade 3 or 4, the statement reported missing - <vasopressors>
    Given a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 80 mmHg
    And vasopressors running: <vasopressors>
    When the patient is evaluated
    Then the CTCAE hypotension tier is 3
    And the CTCAE life-threatening tier is indeterminate between 0 and 4
    And the CTCAE CRS grade is indeterminate between 3 and 4
    And the CTCAE assessment reports the clinician's statement as missing

    Examples:
      | vasopressors                                |
      | norepinephrine and phenylephrine            |
      | epinephrine and dopamine                    |
      | norepinephrine, phenylephrine and vasopressin |
      | norepinephrine and vasopressin              |

  Scenario: When vasopressin does not count toward "more than one" (site setting), norepinephrine + vasopressin is grade 3
    Given the site parameter ctcae5.vasopressin_counts_toward_multiple is false
    And a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 80 mmHg
    And vasopressors running: norepinephrine and vasopressin
    When the patient is evaluated
    Then the CTCAE CRS grade is 3
    And the CTCAE result rests on rule "crs.ctcae5.life_threatening.assumed_absent_vasopressin_not_counted"
    And the CTCAE assessment states the assumption "assumed absent"

  Scenario: When vasopressin does not count toward "more than one", two other pressors still need the statement
    Given the site parameter ctcae5.vasopressin_counts_toward_multiple is false
    And a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 80 mmHg
    And vasopressors running: norepinephrine, phenylephrine and vasopressin
    When the patient is evaluated
    Then the CTCAE CRS grade is indeterminate between 3 and 4
    And the CTCAE assessment reports the clinician's statement as missing

  Scenario Outline: One pressor or none - <vasopressors>, with the clinician's grade-4 statement, is grade 4
    Given a CAR-T patient on day +3
    And a temperature of <temperature> Cel
    And a systolic blood pressure of 80 mmHg
    And vasopressors running: <vasopressors>
    And the clinician states that the CRS is life-threatening with urgent intervention indicated
    When the patient is evaluated
    Then the CTCAE life-threatening tier is 4
    And the CTCAE CRS grade is 4
    And the CTCAE result rests on rule "crs.ctcae5.life_threatening.stated"

    Examples:
      | vasopressors   | temperature |
      | norepinephrine | 38.5        |
      | none           | 38.5        |
      | none           | 37.0        |

  Scenario: A statement made after the evaluation time is not used
    Given a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 80 mmHg
    And vasopressors running: norepinephrine
    And the clinician states that the CRS is life-threatening with urgent intervention indicated at 09:00
    When the patient is evaluated
    Then the CTCAE CRS grade is 3

  Scenario Outline: Positive-pressure ventilation - <support> at FiO2 35 %, <statement>
    # ctcae5.ventilation_may_be_life_threatening = true (default, [U]): ventilation is an urgent
    # intervention, so without a statement grade 4 stays possible.
    Given a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is <support>
    And an FiO2 of 35 %
    And <statement>
    When the patient is evaluated
    Then the CTCAE hypoxia tier is 2
    And the CTCAE CRS grade is <grade>

    Examples:
      | support               | statement                                                                          | grade |
      | cpap                  | the clinician states that the CRS is not life-threatening                           | 2     |
      | mechanical ventilator | the clinician states that the CRS is life-threatening with urgent intervention indicated | 4     |

  Scenario Outline: Positive-pressure ventilation with no statement - indeterminate, the statement reported missing - <support>
    Given a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is <support>
    And an FiO2 of 35 %
    When the patient is evaluated
    Then the CTCAE hypoxia tier is 2
    And the CTCAE CRS grade is indeterminate between 2 and 4
    And the CTCAE assessment reports the clinician's statement as missing

    Examples:
      | support                  |
      | cpap                     |
      | bipap                    |
      | endotracheal tube        |
      | non-invasive ventilation |

  Scenario: When ventilation is graded by its FiO2 only (site setting), CPAP at FiO2 45 % is grade 3
    Given the site parameter ctcae5.ventilation_may_be_life_threatening is false
    And a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is cpap
    And an FiO2 of 45 %
    When the patient is evaluated
    Then the CTCAE CRS grade is 3
    And the CTCAE result rests on rule "crs.ctcae5.life_threatening.assumed_absent_ventilation_not_counted"

  # ---------------------------------------------------------------- missing data

  Scenario: No temperature and nothing else - grade 0 or 1, body temperature missing
    Given a CAR-T patient on day +3
    And no temperature is recorded
    And a systolic blood pressure of 120 mmHg
    And the oxygen support is room air
    When the patient is evaluated
    Then the CTCAE CRS grade is indeterminate between 0 and 1
    And the CTCAE assessment reports the body temperature as missing

  Scenario Outline: Oxygen without a recorded FiO2 - <support> is grade 2 or 3, FiO2 missing
    Given a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is <support>
    When the patient is evaluated
    Then the CTCAE hypoxia tier is indeterminate between 2 and 3
    And the CTCAE CRS grade is indeterminate between 2 and 3
    And the CTCAE assessment reports the FiO2 as missing

    Examples:
      | support                             |
      | nasal cannula at 2 L/min            |
      | high-flow nasal cannula at 40 L/min |
      | facemask                            |

  Scenario: No blood pressure and no pressor - the hypotension tier is unknown
    Given a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And the oxygen support is room air
    When the patient is evaluated
    Then the CTCAE hypotension tier is indeterminate between 0 and 2
    And the CTCAE CRS grade is indeterminate between 1 and 2
    And the CTCAE assessment reports the blood pressure as missing

  Scenario: An unmapped oxygen device leaves hypoxia and the statement open
    Given a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 115 mmHg
    And the oxygen support is face tent
    When the patient is evaluated
    Then the CTCAE CRS grade is indeterminate between 1 and 4
    And the CTCAE assessment reports the oxygen delivery as missing
