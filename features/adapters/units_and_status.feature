@adapters
Feature: FHIR adapters - units, statuses and absent values
  The adapters read FHIR R4 Observations into facts in each concept's canonical unit
  (platelets 10*9/L, fibrinogen g/L, D-dimer/FDP mg/L, temperature Cel). A unit that cannot be
  converted, a status that never counts, a dataAbsentReason or a D-dimer of unknown type never
  becomes a number: the value is not used, the input is missing, and a warning names the resource.
  Data are charted at 06:00 and evaluated at 08:00 on the same day.

  # ---------------------------------------------------------------- unit variants

  Scenario Outline: Platelet count in <unit>
    Given a CAR-T patient on day +7
    And a platelet count of <value> <unit>
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then the ISTH explanation reads the platelet count as <canonical> 10*9/L
    And the ISTH platelet points are <points>
    And no warning names the platelet count resource

    Examples:
      | value  | unit    | canonical | points |
      | 150    | 10*9/L  | 150       | 0      |
      | 99     | 10*3/uL | 99        | 1      |
      | 100    | 10*3/uL | 100       | 0      |
      | 45000  | /uL     | 45        | 2      |
      | 100000 | /uL     | 100       | 0      |
      | 99000  | /uL     | 99        | 1      |
      | 9.9    | 10*4/uL | 99        | 1      |

  Scenario Outline: Fibrinogen in <unit>
    Given a CAR-T patient on day +7
    And a fibrinogen level of <value> <unit>
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then the ISTH explanation reads the fibrinogen level as <canonical> g/L
    And the ISTH fibrinogen points are <points>

    Examples:
      | value | unit  | canonical | points |
      | 1.0   | g/L   | 1.0       | 0      |
      | 100   | mg/dL | 1.0       | 0      |
      | 99    | mg/dL | 0.99      | 1      |
      | 250   | mg/dL | 2.5       | 0      |

  Scenario Outline: D-dimer in <unit> with ULN <uln> <uln_unit> - units cancel in the multiple of ULN
    Given a CAR-T patient on day +7
    And an FEU D-dimer of <value> <unit> with an upper reference limit of <uln> <uln_unit>
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then the ISTH explanation reads the FEU D-dimer as <canonical> mg/L
    And the ISTH fibrin marker points are <points>
    And no warning names the FEU D-dimer resource

    Examples:
      | value | unit       | uln  | uln_unit   | canonical | points |
      | 2000  | ng/mL      | 500  | ng/mL      | 2.0       | 2      |
      | 2050  | ng/mL      | 500  | ng/mL      | 2.05      | 3      |
      | 990   | ng/mL      | 500  | ng/mL      | 0.99      | 0      |
      | 1000  | ng/mL      | 0.5  | mg/L       | 1.0       | 2      |
      | 2.05  | ug/mL      | 0.5  | ug/mL      | 2.05      | 3      |
      | 2.0   | mg/L{FEU}  | 0.5  | mg/L{FEU}  | 2.0       | 2      |
      | 4000  | ng/mL{FEU} | 500  | ng/mL{FEU} | 4.0       | 3      |

  Scenario Outline: Temperature in <unit> - <value> <unit> is <celsius> Cel
    Given a CAR-T patient on day +3
    And a temperature of <value> <unit>
    And a systolic blood pressure of 120 mmHg
    When the patient is evaluated
    Then the CRS explanation reads the temperature as <celsius> Cel
    And the fever tier is <fever>
    And the ASTCT CRS grade is <fever>

    Examples:
      | value | unit   | celsius | fever |
      | 38.0  | Cel    | 38.0    | 1     |
      | 100.4 | [degF] | 38.0    | 1     |
      | 100.2 | [degF] | 37.89   | 0     |
      | 101.3 | [degF] | 38.5    | 1     |

  Scenario Outline: O2 flow on a nasal cannula in <unit> - <value> <unit> is <canonical> L/min
    Given a CAR-T patient on day +3
    And a temperature of 38.4 Cel
    And a systolic blood pressure of 115 mmHg
    And the oxygen support is nasal cannula with no flow recorded
    And an O2 flow of <value> <unit>
    When the patient is evaluated
    Then the CRS explanation reads the O2 flow as <canonical> L/min
    And the hypoxia tier is <tier>

    Examples:
      | value | unit   | canonical | tier |
      | 6     | L/min  | 6         | 2    |
      | 6000  | mL/min | 6         | 2    |
      | 6500  | mL/min | 6.5       | 3    |
      | 0.1   | L/s    | 6         | 2    |

  # ---------------------------------------------------------------- units that cannot be used

  Scenario Outline: A platelet count in an unusable unit (<unit>) is not used and is named in a warning
    Given a CAR-T patient on day +7
    And a platelet count of 150 <unit>
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then a "unit" warning names the platelet count resource
    And the ISTH platelet points are unknown between 0 and 2
    And the ISTH assessment reports the platelet count as missing

    Examples:
      | unit      |
      | bananas/L |
      | g/L       |
      | mmol/L    |

  Scenario: A fibrinogen in an unknown unit is not used
    Given a CAR-T patient on day +7
    And a fibrinogen level of 2.0 bananas/L
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then a "unit" warning names the fibrinogen level resource
    And the ISTH fibrinogen points are unknown between 0 and 1
    And the ISTH assessment reports the fibrinogen level as missing

  Scenario: A temperature in an unknown unit is not used
    Given a CAR-T patient on day +3
    And a temperature of 38.5 degrees
    And a systolic blood pressure of 120 mmHg
    When the patient is evaluated
    Then a "unit" warning names the temperature resource
    And the ASTCT CRS grade is indeterminate between 0 and 1
    And the CRS assessment reports the body temperature as missing

  # ---------------------------------------------------------------- D-dimer type

  Scenario: A D-dimer of unknown type (LOINC 30240-6) is rejected, never guessed
    Given a CAR-T patient on day +7
    And an untyped D-dimer of 3.0 mg/L with an upper reference limit of 0.5 mg/L
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then a "rejected" warning names the untyped D-dimer resource
    And the ISTH fibrin marker points are unknown between 0 and 3
    And the ISTH assessment reports the fibrin-related marker as missing

  Scenario: With an untyped D-dimer rejected, an FDP still scores the fibrin marker
    Given a CAR-T patient on day +7
    And an untyped D-dimer of 3.0 mg/L with an upper reference limit of 0.5 mg/L
    And an FDP of 30 mg/L with an upper reference limit of 5 mg/L
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then a "rejected" warning names the untyped D-dimer resource
    And the ISTH fibrin marker points are 3
    And the ISTH explanation cites the FDP resource

  Scenario Outline: A D-dimer unit annotation that contradicts the code is rejected - <lab> in <unit>
    Given a CAR-T patient on day +7
    And <lab> of 2.0 <unit> with an upper reference limit of 0.5 mg/L
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then a "ddimer-type" warning names the <resource> resource
    And the ISTH fibrin marker points are unknown between 0 and 3

    Examples:
      | lab            | resource    | unit       |
      | an FEU D-dimer | FEU D-dimer | mg/L{DDU}  |
      | a DDU D-dimer  | DDU D-dimer | mg/L{FEU}  |

  # ---------------------------------------------------------------- statuses

  Scenario Outline: A platelet count with status <status> never counts
    Given a CAR-T patient on day +7
    And a platelet count of 150 10*9/L at 04:00
    And a platelet count of 20 10*9/L with status <status> at 06:00
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then a "status" warning names the platelet count resource
    And the ISTH platelet points are 0
    And the ISTH explanation reads the platelet count as 150 10*9/L

    Examples:
      | status           |
      | entered-in-error |
      | cancelled        |

  Scenario Outline: A platelet count with status <status> counts
    Given a CAR-T patient on day +7
    And a platelet count of 150 10*9/L at 04:00
    And a platelet count of 20 10*9/L with status <status> at 06:00
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then no warning names the platelet count resource
    And the ISTH platelet points are 2

    Examples:
      | status    |
      | final     |
      | amended   |
      | corrected |

  Scenario: An entered-in-error platelet count alone leaves the platelets missing
    Given a CAR-T patient on day +7
    And a platelet count of 20 10*9/L with status entered-in-error
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then a "status" warning names the platelet count resource
    And the ISTH platelet points are unknown between 0 and 2
    And the ISTH assessment reports the platelet count as missing

  Scenario: An entered-in-error fever does not count
    Given a CAR-T patient on day +3
    And a temperature of 39.5 Cel with status entered-in-error at 05:00
    And a temperature of 37.0 Cel at 06:00
    And a systolic blood pressure of 85 mmHg
    When the patient is evaluated
    Then a "status" warning names the temperature resource
    And the fever tier is 0
    And the ASTCT CRS grade is 0

  Scenario: A cancelled temperature leaves the temperature missing
    Given a CAR-T patient on day +3
    And a temperature of 39.5 Cel with status cancelled
    And a norepinephrine infusion running
    When the patient is evaluated
    Then a "status" warning names the temperature resource
    And the ASTCT CRS grade is indeterminate between 0 and 3

  Scenario Outline: A vasopressor administration with status <status> is not counted
    Given a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 110 mmHg
    And a norepinephrine infusion from 02:00 to 12:00 recorded with status <status>
    When the patient is evaluated
    Then a "status" warning names the norepinephrine infusion resource
    And the hypotension tier is 0
    And the ASTCT CRS grade is 1

    Examples:
      | status           |
      | entered-in-error |
      | not-done         |

  Scenario Outline: A vasopressor administration with status <status> is counted
    Given a CAR-T patient on day +3
    And a temperature of 38.5 Cel
    And a systolic blood pressure of 110 mmHg
    And a norepinephrine infusion from 02:00 to 12:00 recorded with status <status>
    When the patient is evaluated
    Then no warning names the norepinephrine infusion resource
    And the hypotension tier is 3
    And the ASTCT CRS grade is 3

    Examples:
      | status    |
      | completed |
      | stopped   |

  # ---------------------------------------------------------------- dataAbsentReason

  Scenario: Fibrinogen with a dataAbsentReason is missing, never zero
    Given a CAR-T patient on day +7
    And a platelet count of 80 10*9/L
    And an FEU D-dimer of 1.5 mg/L with an upper reference limit of 0.5 mg/L
    And a prothrombin time of 16.0 s with an upper reference limit of 13.0 s
    And a fibrinogen level result with data absent reason "not-performed"
    When the patient is evaluated
    Then an "absent" warning names the fibrinogen level resource
    And the ISTH fibrinogen points are unknown between 0 and 1
    And the ISTH score is unknown between 4 and 5
    And the ISTH interpretation is undecided
    And the ISTH assessment reports the fibrinogen level as missing

  Scenario: A platelet count with a dataAbsentReason is missing, never zero
    Given a CAR-T patient on day +7
    And a platelet count result with data absent reason "error"
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then an "absent" warning names the platelet count resource
    And the ISTH platelet points are unknown between 0 and 2
    And the ISTH assessment reports the platelet count as missing

  Scenario: A temperature with a dataAbsentReason is missing
    Given a CAR-T patient on day +3
    And a temperature result with data absent reason "asked-declined"
    And a systolic blood pressure of 84 mmHg
    When the patient is evaluated
    Then an "absent" warning names the temperature resource
    And the ASTCT CRS grade is indeterminate between 0 and 2
    And the CRS assessment reports the body temperature as missing
