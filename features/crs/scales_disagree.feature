@crs
Feature: One patient, two CRS scales - where ASTCT 2019 and Lee 2014 disagree
  Each scale is graded from the raw data and carries its own scale id; a grade of one scale is never
  converted into another's (domain README rule 5). These patients are graded differently by
  crs.astct2019 and crs.lee2014, and each explanation names the rule and the input that decide:
  ASTCT grades oxygen by the device and flow and vasopressors by their number, and requires fever;
  Lee 2014 grades oxygen by FiO2 and vasopressors by dose, requires no fever and counts organ toxicity.
  Data are charted at 06:00 on day +3 and the patient is evaluated at 08:00.

  Scenario: High-flow nasal cannula at FiO2 35 % - ASTCT 3 by the flow, Lee 2014 2 by the FiO2
    Given a CAR-T patient on day +3
    And a temperature of 38.8 Cel
    And a systolic blood pressure of 112 mmHg
    And the oxygen support is high-flow nasal cannula at 40 L/min
    And an FiO2 of 35 %
    When the patient is evaluated
    Then the ASTCT CRS grade is 3
    And the hypoxia tier is 3
    And the CRS result rests on rule "crs.astct2019.hypoxia.high_flow"
    And the assessment crs.astct2019 reads the O2 flow as 40
    And the Lee 2014 CRS grade is 2
    And the Lee 2014 oxygen tier is 2
    And the Lee 2014 result rests on rule "crs.lee2014.oxygen.fio2_lt40"
    And the Lee 2014 explanation reads the FiO2 as 35

  Scenario: Oxygen without fever - ASTCT 0 (fever required, ASTCT-F7), Lee 2014 3 (FiO2 50 %)
    Given a CAR-T patient on day +3
    And a temperature of 37.3 Cel
    And a systolic blood pressure of 115 mmHg
    And the oxygen support is facemask
    And an FiO2 of 50 %
    When the patient is evaluated
    Then the ASTCT CRS grade is 0
    And the hypoxia tier is 3
    And the fever tier is 0
    And the CRS result rests on rule "crs.astct2019.fever.absent"
    And the Lee 2014 CRS grade is 3
    And the Lee 2014 fever tier is 0
    And the Lee 2014 result rests on rule "crs.lee2014.oxygen.fio2_gte40"

  Scenario: Venturi mask at FiO2 28 % - ASTCT 3 by the device, Lee 2014 2 by the FiO2
    Given a CAR-T patient on day +3
    And a temperature of 38.2 Cel
    And a systolic blood pressure of 115 mmHg
    And the oxygen support is venturi mask
    And an FiO2 of 28 %
    When the patient is evaluated
    Then the ASTCT CRS grade is 3
    And the CRS result rests on rule "crs.astct2019.hypoxia.mask"
    And the Lee 2014 CRS grade is 2
    And the Lee 2014 result rests on rule "crs.lee2014.oxygen.fio2_lt40"

  Scenario: One low-dose vasopressor - ASTCT 3 (any vasopressor), Lee 2014 2 (not high-dose)
    Given a CAR-T patient on day +3
    And a temperature of 39.1 Cel
    And a systolic blood pressure of 84 mmHg
    And vasopressors running since 02:00: norepinephrine 5 ug/min
    When the patient is evaluated
    Then the ASTCT CRS grade is 3
    And the hypotension tier is 3
    And the CRS result rests on rule "crs.astct2019.hypotension.one_vasopressor"
    And the Lee 2014 CRS grade is 2
    And the Lee 2014 hypotension tier is 2
    And the Lee 2014 result rests on rule "crs.lee2014.hypotension.low_dose"
    And the Lee 2014 explanation says "norepinephrine 5 ug/min < 20 ug/min" about the vasopressor dose

  Scenario: High-dose norepinephrine for only 2 hours - ASTCT 3, Lee 2014 2 (not yet sustained 3 h)
    Given a CAR-T patient on day +3
    And a temperature of 39.1 Cel
    And a systolic blood pressure of 80 mmHg
    And vasopressors running since 06:00: norepinephrine 30 ug/min
    When the patient is evaluated
    Then the ASTCT CRS grade is 3
    And the Lee 2014 CRS grade is 2
    And the Lee 2014 explanation says "high-dose only since 2026-03-13 06:00: 2 h" about the vasopressor dose

  Scenario: Two low-dose vasopressors - ASTCT 4 (multiple), Lee 2014 3 (multiple is grade 3)
    Given a CAR-T patient on day +3
    And a temperature of 38.9 Cel
    And a systolic blood pressure of 80 mmHg
    And vasopressors running since 02:00: norepinephrine 5 ug/min and phenylephrine 40 ug/min
    When the patient is evaluated
    Then the ASTCT CRS grade is 4
    And the CRS result rests on rule "crs.astct2019.hypotension.multiple_vasopressors"
    And the Lee 2014 CRS grade is 3
    And the Lee 2014 result rests on rule "crs.lee2014.hypotension.multiple"

  Scenario: Grade 3 organ toxicity with fever only - ASTCT 1 (organ toxicity does not change it, ASTCT-F6), Lee 2014 3
    Given a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is room air
    And a CRS organ toxicity of CTCAE grade 3
    When the patient is evaluated
    Then the ASTCT CRS grade is 1
    And the CRS result rests on rule "crs.astct2019.fever.present"
    And the Lee 2014 CRS grade is 3
    And the Lee 2014 organ toxicity tier is 3
    And the Lee 2014 result rests on rule "crs.lee2014.organ.grade3"

  Scenario: Low-flow cannula without an FiO2 - ASTCT decides (2), Lee 2014 cannot (2 or 3, FiO2 missing)
    Given a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is nasal cannula at 3 L/min
    When the patient is evaluated
    Then the ASTCT CRS grade is 2
    And the CRS result rests on rule "crs.astct2019.hypoxia.low_flow"
    And the Lee 2014 CRS grade is indeterminate between 2 and 3
    And the Lee 2014 assessment reports the FiO2 as missing

  Scenario: Where they agree - CPAP is grade 4 on both (Lee 2014: CPAP/BiPAP counted as ventilator support by default)
    Given a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 118 mmHg
    And the oxygen support is cpap
    When the patient is evaluated
    Then the ASTCT CRS grade is 4
    And the CRS result rests on rule "crs.astct2019.hypoxia.positive_pressure"
    And the Lee 2014 CRS grade is 4
    And the assessment crs.lee2014 rests on rule "crs.lee2014.oxygen.ventilator"
    And the assessment crs.astct2019 rests on rule "crs.astct2019.hypoxia.positive_pressure"
