Feature: Example University Hospital site pack (fictional)
  The site's own acceptance tests, written with cartguard's step library only. Run them with
  `cartguard packs test site.example` against the installed stack (cartguard + this pack).
  Local codes: http://lab.example-university-hospital.org/codes PLT-A (platelets) and DDIM-F
  (D-dimer FEU, assay ULN 0.55 mg/L, sent without a reference range).

  Scenario: The local platelet code is scored like LOINC 777-3
    Given a CAR-T patient on day +6
    And an Observation http://lab.example-university-hospital.org/codes|PLT-A of 42 10*9/L on day +6
    When the patient is evaluated
    Then the assessment dic.isth2001 component platelets is 2
    And no warning names the Observation

  Scenario Outline: The local D-dimer is scored against the declared assay ULN (0.55 mg/L)
    Given a CAR-T patient on day +6
    And an Observation http://lab.example-university-hospital.org/codes|DDIM-F of <value> mg/L on day +6
    When the patient is evaluated
    Then the assessment dic.isth2001 component fibrin_marker is <points>

    Examples:
      | value | points |
      | 1.0   | 0      |
      | 1.1   | 2      |
      | 2.2   | 2      |
      | 2.3   | 3      |

  Scenario: Overt DIC during CRS grade 3 pages the coagulation team
    Given a CAR-T patient on day +6
    And an Observation 8310-5 of 39.0 Cel on day +6
    And a MedicationAdministration of norepinephrine running on day +6
    And an Observation http://lab.example-university-hospital.org/codes|PLT-A of 30 10*9/L on day +6
    And an Observation http://lab.example-university-hospital.org/codes|DDIM-F of 3.0 mg/L on day +6
    And an Observation 5902-2 of 17.0 s with an upper reference limit of 13.5 s on day +6
    And an Observation 3255-7 of 2.0 g/L on day +6
    When the patient is evaluated
    Then the assessment crs.astct2019 is 3
    And the assessment dic.isth2001 is 6
    And the recommendation site.example.page_coagulation_team is definite

  Scenario: Overt DIC without CRS grade 2 does not page
    Given a CAR-T patient on day +6
    And an Observation 8310-5 of 37.0 Cel on day +6
    And an Observation http://lab.example-university-hospital.org/codes|PLT-A of 30 10*9/L on day +6
    And an Observation http://lab.example-university-hospital.org/codes|DDIM-F of 3.0 mg/L on day +6
    And an Observation 5902-2 of 17.0 s with an upper reference limit of 13.5 s on day +6
    And an Observation 3255-7 of 2.0 g/L on day +6
    When the patient is evaluated
    Then the assessment dic.isth2001 is 6
    And the recommendation site.example.page_coagulation_team is not made

  Scenario: The coagulation panel is due after 12 h while CRS is grade 2 or more (SOP HAEM-CART-07)
    Given a CAR-T patient on day +6
    And an Observation 8310-5 of 39.0 Cel on day +6
    And a MedicationAdministration of norepinephrine running on day +6
    And an Observation 3255-7 of 2.0 g/L on day +5 at 18:00
    When the patient is evaluated
    Then the assessment crs.astct2019 is 3
    And the recommendation guidance.monitor.coag_panel_due is definite
