@guidance
Feature: Escalation guidance for CRS and coagulopathy after CAR-T
  Read beside the ASCO 2021 guideline (Santomasso BD et al., J Clin Oncol 2021;39:3978), the
  tocilizumab (ACTEMRA/KYMRIAH) US labels and BCSH 2009 / ISTH 2013, as encoded in
  rules/guidance/core.yaml. Tocilizumab (label): 8 mg/kg for >= 30 kg, 12 mg/kg under 30 kg, at
  most 800 mg per infusion, up to 4 doses in total at least 8 h apart; the guideline rule set
  adds at most 3 doses in 24 h. Data are charted at 06:00 and evaluated at 08:00.

  # ---------------------------------------------------------------- by CRS grade

  Scenario: Grade 3 CRS - ICU admission and dexamethasone are definite
    Given a CAR-T patient on day +3
    And a body weight of 70 kg
    And a temperature of 39.0 Cel
    And a systolic blood pressure of 82 mmHg
    And a norepinephrine infusion running
    When the patient is evaluated
    Then the ASTCT CRS grade is 3
    And the "ICU admission" recommendation is definite
    And the "dexamethasone" recommendation is definite
    And the "telemetry and pulse oximetry" recommendation is definite
    And the "tocilizumab 8 mg/kg (label)" recommendation is definite
    And the "high-dose methylprednisolone" recommendation is not made
    And the "grade 2 supportive care" recommendation is not made

  Scenario: Grade 4 CRS - ICU admission and methylprednisolone, not the grade 3 dexamethasone
    Given a CAR-T patient on day +3
    And a body weight of 70 kg
    And a temperature of 39.0 Cel
    And vasopressors running: norepinephrine and epinephrine
    When the patient is evaluated
    Then the ASTCT CRS grade is 4
    And the "ICU admission" recommendation is definite
    And the "high-dose methylprednisolone" recommendation is definite
    And the "dexamethasone" recommendation is not made

  Scenario: Grade 2 CRS - tocilizumab, no ICU, no steroid step
    Given a CAR-T patient on day +3
    And a body weight of 70 kg
    And a temperature of 39.0 Cel
    And a systolic blood pressure of 85 mmHg
    When the patient is evaluated
    Then the ASTCT CRS grade is 2
    And the "grade 2 supportive care" recommendation is definite
    And the "tocilizumab 8 mg/kg (label)" recommendation is definite
    And the "tocilizumab 8 mg/kg (guideline)" recommendation is definite
    And the "ICU admission" recommendation is not made
    And the "dexamethasone" recommendation is not made

  Scenario: Grade 1 CRS - supportive care, no tocilizumab
    Given a CAR-T patient on day +3
    And a body weight of 70 kg
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 120 mmHg
    When the patient is evaluated
    Then the ASTCT CRS grade is 1
    And the "grade 1 supportive care" recommendation is definite
    And the "CRS work-up" recommendation is definite
    And the "tocilizumab 8 mg/kg (label)" recommendation is not made
    And the "tocilizumab 8 mg/kg (guideline)" recommendation is not made
    And the "ICU admission" recommendation is not made

  Scenario: Indeterminate grade - ICU admission is only possible
    Given a CAR-T patient on day +3
    And no temperature is recorded
    And a norepinephrine infusion running
    When the patient is evaluated
    Then the ASTCT CRS grade is indeterminate between 0 and 3
    And the "ICU admission" recommendation is possible

  Scenario: A running inotrope is flagged for review and does not count as a vasopressor
    Given a CAR-T patient on day +3
    And a temperature of 38.8 Cel
    And a systolic blood pressure of 86 mmHg
    And a dobutamine infusion running
    When the patient is evaluated
    Then the hypotension tier is 2
    And the ASTCT CRS grade is 2
    And the "inotrope review" recommendation is definite

  # ---------------------------------------------------------------- tocilizumab dose

  Scenario Outline: Tocilizumab dose for <weight> kg, aged <age> years, is <mg> mg
    Given a CAR-T patient aged <age> years on day +3
    And a body weight of <weight> kg
    And a temperature of 39.0 Cel
    And a systolic blood pressure of 70 mmHg
    When the patient is evaluated
    Then the ASTCT CRS grade is 2
    And the "<rule>" recommendation is definite
    And the "<rule>" dose is <mg> mg
    And the "<other>" recommendation is not made

    Examples: 8 mg/kg from 30 kg (label)
      | age | weight | rule                        | mg  | other                        |
      | 46  | 70     | tocilizumab 8 mg/kg (label) | 560 | tocilizumab 12 mg/kg (label) |
      | 12  | 30     | tocilizumab 8 mg/kg (label) | 240 | tocilizumab 12 mg/kg (label) |
      | 46  | 100    | tocilizumab 8 mg/kg (label) | 800 | tocilizumab 12 mg/kg (label) |

    Examples: 12 mg/kg under 30 kg (label)
      | age | weight | rule                         | mg    | other                       |
      | 9   | 25     | tocilizumab 12 mg/kg (label) | 300   | tocilizumab 8 mg/kg (label) |
      | 9   | 29.5   | tocilizumab 12 mg/kg (label) | 354   | tocilizumab 8 mg/kg (label) |
      | 4   | 16     | tocilizumab 12 mg/kg (label) | 192   | tocilizumab 8 mg/kg (label) |

  Scenario: The guideline dose is also 8 mg/kg (70 kg -> 560 mg)
    Given a CAR-T patient on day +3
    And a body weight of 70 kg
    And a temperature of 39.0 Cel
    And a systolic blood pressure of 85 mmHg
    When the patient is evaluated
    Then the "tocilizumab 8 mg/kg (guideline)" recommendation is definite
    And the "tocilizumab 8 mg/kg (guideline)" dose is 560 mg
    And the "tocilizumab 8 mg/kg (label)" dose is 560 mg

  Scenario: 120 kg - the dose is capped at 800 mg per infusion
    Given a CAR-T patient on day +3
    And a body weight of 120 kg
    And a temperature of 39.0 Cel
    And a systolic blood pressure of 85 mmHg
    When the patient is evaluated
    Then the "tocilizumab 8 mg/kg (label)" recommendation is definite
    And the "tocilizumab 8 mg/kg (label)" dose is capped at 800 mg
    And the "tocilizumab 8 mg/kg (guideline)" dose is capped at 800 mg

  Scenario: Without a body weight the dose cannot be computed
    Given a CAR-T patient on day +3
    And a temperature of 39.0 Cel
    And a systolic blood pressure of 85 mmHg
    When the patient is evaluated
    Then the "tocilizumab 8 mg/kg (guideline)" recommendation is definite
    And the "tocilizumab 8 mg/kg (guideline)" dose needs a body weight
    And the "tocilizumab 8 mg/kg (label)" recommendation is possible
    And the "tocilizumab 12 mg/kg (label)" recommendation is possible

  # ---------------------------------------------------------------- tocilizumab limits

  Scenario: After 3 doses a 4th dose is still recommended
    Given a CAR-T patient on day +4
    And a body weight of 70 kg
    And a temperature of 39.0 Cel
    And a systolic blood pressure of 85 mmHg
    And a dose of tocilizumab on day +2 at 08:00
    And a dose of tocilizumab on day +2 at 16:00
    And a dose of tocilizumab on day +3 at 00:00
    When the patient is evaluated
    Then the "tocilizumab 8 mg/kg (label)" recommendation is definite
    And the "tocilizumab 8 mg/kg (label)" dose is 560 mg
    And the "tocilizumab 4-dose limit (label)" recommendation is not made

  Scenario: After 4 doses the label and guideline limits are reached - no 5th dose
    Given a CAR-T patient on day +4
    And a body weight of 70 kg
    And a temperature of 39.0 Cel
    And a systolic blood pressure of 85 mmHg
    And a dose of tocilizumab on day +2 at 08:00
    And a dose of tocilizumab on day +2 at 16:00
    And a dose of tocilizumab on day +3 at 00:00
    And a dose of tocilizumab on day +3 at 08:00
    When the patient is evaluated
    Then the ASTCT CRS grade is 2
    And the "tocilizumab 4-dose limit (label)" recommendation is definite
    And the "tocilizumab 4-dose limit (guideline)" recommendation is definite
    And the "tocilizumab 8 mg/kg (label)" recommendation is not made
    And the "tocilizumab 8 mg/kg (guideline)" recommendation is not made

  Scenario: Three doses within 24 h reach the guideline limit but not the label's
    Given a CAR-T patient on day +3
    And a body weight of 70 kg
    And a temperature of 39.0 Cel
    And a systolic blood pressure of 85 mmHg
    And a dose of tocilizumab on day +2 at 10:30
    And a dose of tocilizumab on day +2 at 18:30
    And a dose of tocilizumab on day +3 at 02:00
    When the patient is evaluated at 10:00
    Then the "tocilizumab 3-doses-in-24-h limit (guideline)" recommendation is definite
    And the "tocilizumab 8 mg/kg (guideline)" recommendation is not made
    And the "tocilizumab 8 mg/kg (label)" recommendation is definite

  Scenario: Less than 8 h after the last dose no further dose is recommended yet
    Given a CAR-T patient on day +3
    And a body weight of 70 kg
    And a temperature of 39.0 Cel
    And a systolic blood pressure of 85 mmHg
    And a dose of tocilizumab at 04:00
    When the patient is evaluated
    Then the "tocilizumab too soon (label)" recommendation is definite
    And the "tocilizumab 8 mg/kg (label)" recommendation is not made
    And the "tocilizumab 8 mg/kg (guideline)" recommendation is not made

  # ---------------------------------------------------------------- monitoring and DIC

  Scenario Outline: Coagulation panel due when CRS >= 2 and the last panel is older than 24 h - <case>
    Given a CAR-T patient on day +3
    And a temperature of 39.0 Cel
    And a systolic blood pressure of <sbp> mmHg
    And a prothrombin time of 12.5 s with an upper reference limit of 13.5 s <panel>
    When the patient is evaluated
    Then the ASTCT CRS grade is <grade>
    And the "coagulation panel due" recommendation is <due>

    Examples:
      | case                       | sbp | panel              | grade | due      |
      | grade 2, panel 25 h old    | 85  | on day +2 at 07:00 | 2     | definite |
      | grade 2, panel 24 h old    | 85  | on day +2 at 08:00 | 2     | not made |
      | grade 2, panel 12 h old    | 85  | on day +2 at 20:00 | 2     | not made |
      | grade 1, panel 30 h old    | 120 | on day +2 at 02:00 | 1     | not made |

  Scenario: Coagulation panel due when CRS >= 2 and no panel was ever taken
    Given a CAR-T patient on day +3
    And a temperature of 39.0 Cel
    And a norepinephrine infusion running
    When the patient is evaluated
    Then the ASTCT CRS grade is 3
    And the "coagulation panel due" recommendation is definite

  Scenario: Overt DIC - treat the underlying cause
    Given a CAR-T patient on day +7
    And a platelet count of 40 10*9/L
    And an FEU D-dimer of 2.5 mg/L with an upper reference limit of 0.5 mg/L
    And a prothrombin time of 13.5 s with an upper reference limit of 13.0 s
    And a fibrinogen level of 3.0 g/L
    When the patient is evaluated
    Then the ISTH overt DIC score is 5
    And the "treat the cause of overt DIC" recommendation is definite

  Scenario: Not overt DIC - no DIC treatment recommendation
    Given a CAR-T patient on day +7
    And a platelet count of 80 10*9/L
    And an FEU D-dimer of 1.5 mg/L with an upper reference limit of 0.5 mg/L
    And a prothrombin time of 16.0 s with an upper reference limit of 13.0 s
    And a fibrinogen level of 2.0 g/L
    When the patient is evaluated
    Then the ISTH overt DIC score is 4
    And the "treat the cause of overt DIC" recommendation is not made

  # ---------------------------------------------------------------- coagulopathy and DIC
  # BCSH 2009 (Levi et al.) and ISTH 2013 (Wada et al.): transfuse for bleeding, not for
  # numbers; heparin only where thrombosis predominates. Bleeding and thrombosis come from
  # Conditions; with none recorded they are unknown, so the advice is conditional ("possible").

  Scenario: Overt DIC without a recorded bleed - replacement advice is only conditional
    Given a CAR-T patient on day +7
    And a platelet count of 30 10*9/L
    And an FEU D-dimer of 6.5 mg/L with an upper reference limit of 0.5 mg/L
    And a prothrombin time of 18.5 s with an upper reference limit of 13.5 s
    And a fibrinogen level of 0.8 g/L
    When the patient is evaluated
    Then the ISTH overt DIC score is 7
    And the "no routine antifibrinolytics" recommendation is definite
    And the "platelets for bleeding" recommendation is possible
    And the "fibrinogen replacement for bleeding" recommendation is possible
    And the "FFP for bleeding" recommendation is possible
    And the "VTE prophylaxis in non-bleeding DIC" recommendation is possible
    And the "heparin where thrombosis predominates" recommendation is possible

  Scenario: Overt DIC with a recorded bleed - platelets, FFP and fibrinogen are indicated
    Given a CAR-T patient on day +7
    And a diagnosis of gastrointestinal haemorrhage
    And a platelet count of 30 10*9/L
    And an FEU D-dimer of 6.5 mg/L with an upper reference limit of 0.5 mg/L
    And a prothrombin time of 18.5 s with an upper reference limit of 13.5 s
    And a fibrinogen level of 0.8 g/L
    When the patient is evaluated
    Then the "platelets for bleeding" recommendation is definite
    And the "fibrinogen replacement for bleeding" recommendation is definite
    And the "FFP for bleeding" recommendation is definite
    And the "VTE prophylaxis in non-bleeding DIC" recommendation is not made

  Scenario: Bleeding with platelets at 50 - no platelet transfusion (threshold is < 50)
    Given a CAR-T patient on day +7
    And a diagnosis of gastrointestinal haemorrhage
    And a platelet count of 50 10*9/L
    When the patient is evaluated
    Then the "platelets for bleeding" recommendation is not made

  Scenario: Overt DIC with a pulmonary embolism - heparin where thrombosis predominates
    Given a CAR-T patient on day +7
    And a diagnosis of pulmonary embolism
    And a platelet count of 30 10*9/L
    And an FEU D-dimer of 6.5 mg/L with an upper reference limit of 0.5 mg/L
    And a prothrombin time of 18.5 s with an upper reference limit of 13.5 s
    And a fibrinogen level of 0.8 g/L
    When the patient is evaluated
    Then the "heparin where thrombosis predominates" recommendation is definite

  Scenario: A thrombosis without overt DIC is not DIC management
    Given a CAR-T patient on day +7
    And a diagnosis of pulmonary embolism
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then the "heparin where thrombosis predominates" recommendation is not made
