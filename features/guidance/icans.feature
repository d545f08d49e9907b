@guidance @icans
Feature: Escalation guidance for ICANS, with and without concurrent CRS
  Read beside the ASCO 2021 guideline (Santomasso BD et al., J Clin Oncol 2021;39:3978), ICANS
  table and ICU triggers, as encoded in rules/guidance/icans.yaml (shared/domain/management.md
  sections 3-4). "Concurrent CRS" is an ASTCT CRS grade >= 1 at the same time (cartguard's
  documented convention). Tocilizumab is never recommended for isolated ICANS. Data are charted
  at 06:00 and evaluated at 08:00.

  Background:
    Given a CAR-T patient on day +5
    And a body weight of 70 kg

  # ------------------------------------------------------------- isolated ICANS (no CRS)

  Scenario: Isolated ICANS grade 1 - hydration and aspiration precautions, no tocilizumab
    Given an ICE score of 8
    And the patient is alert
    And a temperature of 37.0 Cel
    And a systolic blood pressure of 120 mmHg
    When the patient is evaluated
    Then the ICANS grade is 1
    And the ASTCT CRS grade is 0
    And the "ICANS grade 1 without CRS" recommendation is definite
    And the "ICANS monitoring" recommendation is definite
    And the "consider seizure prophylaxis" recommendation is definite
    And the "no tocilizumab for isolated ICANS" recommendation is definite
    And the "ICANS grade 1 with CRS: tocilizumab" recommendation is not made
    And the "tocilizumab 8 mg/kg (label)" recommendation is not made
    And the "neuroimaging and EEG" recommendation is not made

  Scenario: Isolated ICANS grade 2 - dexamethasone for high-risk products, imaging and EEG, no ICU
    Given an ICE score of 5
    And the patient is alert
    And a temperature of 37.0 Cel
    And a systolic blood pressure of 120 mmHg
    When the patient is evaluated
    Then the ICANS grade is 2
    And the "ICANS grade 2 without CRS: dexamethasone" recommendation is definite
    And the "neuroimaging and EEG" recommendation is definite
    And the "no tocilizumab for isolated ICANS" recommendation is definite
    And the "ICANS grade 2 with CRS: tocilizumab" recommendation is not made
    And the "tocilizumab 8 mg/kg (guideline)" recommendation is not made
    And the "consider ICU for ICANS with CRS" recommendation is not made
    And the "ICU admission for ICANS" recommendation is not made

  Scenario: Isolated ICANS grade 3 - ICU, steroids, lumbar puncture
    Given an ICE score of 2
    And the patient is alert
    And a temperature of 37.0 Cel
    And a systolic blood pressure of 120 mmHg
    When the patient is evaluated
    Then the ICANS grade is 3
    And the "ICU admission for ICANS" recommendation is definite
    And the "ICANS grade 3 without CRS: steroids" recommendation is definite
    And the "lumbar puncture and repeat imaging" recommendation is definite
    And the "no tocilizumab for isolated ICANS" recommendation is definite
    And the "ICANS grade 3 with CRS: tocilizumab" recommendation is not made

  Scenario: ICANS grade 4 (unarousable) - ICU and the grade 4 escalation
    Given the patient is unarousable
    And a temperature of 37.0 Cel
    And a systolic blood pressure of 120 mmHg
    When the patient is evaluated
    Then the ICANS grade is 4
    And the "ICU admission for ICANS" recommendation is definite
    And the "ICANS grade 4" recommendation is definite
    And the "ICANS grade 3 without CRS: steroids" recommendation is not made

  # ------------------------------------------------------------- ICANS with concurrent CRS

  Scenario: ICANS grade 1 with CRS grade 1 - tocilizumab as for CRS, then steroids
    Given an ICE score of 8
    And the patient is alert
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 120 mmHg
    When the patient is evaluated
    Then the ICANS grade is 1
    And the ASTCT CRS grade is 1
    And the "ICANS grade 1 with CRS: tocilizumab" recommendation is definite
    And the "ICANS grade 1 without CRS" recommendation is not made
    And the "no tocilizumab for isolated ICANS" recommendation is not made

  Scenario: ICANS grade 2 with CRS grade 2 - tocilizumab and consider ICU
    Given an ICE score of 5
    And the patient is alert
    And a temperature of 39.0 Cel
    And a systolic blood pressure of 85 mmHg
    When the patient is evaluated
    Then the ICANS grade is 2
    And the ASTCT CRS grade is 2
    And the "ICANS grade 2 with CRS: tocilizumab" recommendation is definite
    And the "consider ICU for ICANS with CRS" recommendation is definite
    And the "tocilizumab 8 mg/kg (label)" recommendation is definite
    And the "ICANS grade 2 without CRS: dexamethasone" recommendation is not made
    And the "ICU admission for ICANS" recommendation is not made

  Scenario: ICANS grade 2 with CRS grade 1 - no ICU trigger (CRS below grade 2)
    Given an ICE score of 5
    And the patient is alert
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 120 mmHg
    When the patient is evaluated
    Then the ASTCT CRS grade is 1
    And the "ICANS grade 2 with CRS: tocilizumab" recommendation is definite
    And the "consider ICU for ICANS with CRS" recommendation is not made

  Scenario: ICANS grade 3 with CRS grade 3 - ICU once, tocilizumab
    Given an ICE score of 1
    And the patient is alert
    And a temperature of 39.0 Cel
    And a norepinephrine infusion running
    When the patient is evaluated
    Then the ICANS grade is 3
    And the ASTCT CRS grade is 3
    And the "ICU admission for ICANS" recommendation is definite
    And the "ICU admission" recommendation is definite
    And the "ICANS grade 3 with CRS: tocilizumab" recommendation is definite
    And the "consider ICU for ICANS with CRS" recommendation is not made

  # ------------------------------------------------------------- no or uncertain ICANS

  Scenario: ICE 10 and alert - no ICANS guidance
    Given an ICE score of 10
    And the patient is alert
    And a temperature of 39.0 Cel
    And a systolic blood pressure of 120 mmHg
    When the patient is evaluated
    Then the ICANS grade is 0
    And the "ICANS monitoring" recommendation is not made
    And the "no tocilizumab for isolated ICANS" recommendation is not made

  Scenario: ICE 5 but no temperature recorded - with-CRS and without-CRS steps are both only possible
    Given an ICE score of 5
    And the patient is alert
    And a systolic blood pressure of 120 mmHg
    And no temperature is recorded
    When the patient is evaluated
    Then the ICANS grade is 2
    And the ASTCT CRS grade is indeterminate between 0 and 1
    And the "ICANS grade 2 with CRS: tocilizumab" recommendation is possible
    And the "ICANS grade 2 without CRS: dexamethasone" recommendation is possible
    And the "no tocilizumab for isolated ICANS" recommendation is possible
    And the "neuroimaging and EEG" recommendation is definite
