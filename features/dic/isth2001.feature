@dic
Feature: ISTH overt DIC score
  Read beside Taylor FB Jr et al., Thromb Haemost 2001;86:1327-1330 and shared/domain/dic.md
  section 1. Boundaries follow the MDCalc convention (platelets >=100 / >=50 and <100 / <50;
  PT prolongation <3 / >=3 and <6 / >=6 s above the laboratory's ULN; fibrinogen >=1.0 / <1.0 g/L).
  Fibrin-related marker: D-dimer (else FDP) as a multiple of its own assay's ULN, <2x -> 0,
  2x to 4x inclusive -> 2, >4x -> 3. Total >=5 is compatible with overt DIC.
  Labs are drawn at 06:00 on day +7 and the patient is evaluated at 08:00 (labs look back 36 h).
  "The other ISTH laboratory results are normal" adds a 0-point result for each item not given.

  # ---------------------------------------------------------------- each row, each boundary

  Scenario Outline: Platelet count <platelets> x10^9/L scores <points>
    Given a CAR-T patient on day +7
    And a platelet count of <platelets> 10*9/L
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then the ISTH platelet points are <points>
    And the ISTH overt DIC score is <points>
    And the ISTH interpretation is not overt DIC
    And the ISTH explanation cites the platelet count resource

    Examples:
      | platelets | points |
      | 250       | 0      |
      | 100       | 0      |
      | 99.9      | 1      |
      | 99        | 1      |
      | 50        | 1      |
      | 49.9      | 2      |
      | 49        | 2      |
      | 5         | 2      |

  Scenario Outline: FEU D-dimer <ddimer> mg/L with ULN 0.5 mg/L (<multiple> x ULN) scores <points>
    Given a CAR-T patient on day +7
    And an FEU D-dimer of <ddimer> mg/L with an upper reference limit of 0.5 mg/L
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then the ISTH fibrin marker points are <points>
    And the ISTH overt DIC score is <points>
    And the ISTH explanation cites the FEU D-dimer resource

    Examples:
      | ddimer | multiple | points |
      | 0.3    | 0.6      | 0      |
      | 0.5    | 1        | 0      |
      | 0.99   | 1.98     | 0      |
      | 1.0    | 2        | 2      |
      | 1.5    | 3        | 2      |
      | 2.0    | 4        | 2      |
      | 2.05   | 4.1      | 3      |
      | 5.0    | 10       | 3      |

  Scenario Outline: DDU D-dimer <ddimer> mg/L with ULN 0.25 mg/L (<multiple> x ULN) scores <points>
    Given a CAR-T patient on day +7
    And a DDU D-dimer of <ddimer> mg/L with an upper reference limit of 0.25 mg/L
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then the ISTH fibrin marker points are <points>

    Examples:
      | ddimer | multiple | points |
      | 0.49   | 1.96     | 0      |
      | 0.5    | 2        | 2      |
      | 1.0    | 4        | 2      |
      | 1.01   | 4.04     | 3      |

  Scenario Outline: FDP scores the fibrin marker when no D-dimer is available - <fdp> mg/L, ULN 5 mg/L
    Given a CAR-T patient on day +7
    And an FDP of <fdp> mg/L with an upper reference limit of 5 mg/L
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then the ISTH fibrin marker points are <points>
    And the ISTH explanation cites the FDP resource

    Examples:
      | fdp | points |
      | 4   | 0      |
      | 10  | 2      |
      | 20  | 2      |
      | 30  | 3      |

  Scenario: D-dimer takes priority over FDP
    Given a CAR-T patient on day +7
    And an FEU D-dimer of 0.4 mg/L with an upper reference limit of 0.5 mg/L
    And an FDP of 30 mg/L with an upper reference limit of 5 mg/L
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then the ISTH fibrin marker points are 0
    And the ISTH explanation cites the FEU D-dimer resource

  Scenario Outline: PT <pt> s with ULN <uln> s (<prolongation> s above ULN) scores <points>
    Given a CAR-T patient on day +7
    And a prothrombin time of <pt> s with an upper reference limit of <uln> s
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then the ISTH PT points are <points>
    And the ISTH overt DIC score is <points>
    And the ISTH explanation cites the prothrombin time resource

    Examples:
      | pt   | uln  | prolongation | points |
      | 12.0 | 13.0 | -1           | 0      |
      | 15.9 | 13.0 | +2.9         | 0      |
      | 16.0 | 13.0 | +3           | 1      |
      | 18.9 | 13.0 | +5.9         | 1      |
      | 19.0 | 13.0 | +6           | 2      |
      | 25.0 | 13.0 | +12          | 2      |
      | 14.0 | 11.0 | +3           | 1      |
      | 16.9 | 11.0 | +5.9         | 1      |
      | 17.0 | 11.0 | +6           | 2      |
      | 16.0 | 14.5 | +1.5         | 0      |

  Scenario Outline: Fibrinogen <fibrinogen> g/L scores <points>
    Given a CAR-T patient on day +7
    And a fibrinogen level of <fibrinogen> g/L
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then the ISTH fibrinogen points are <points>
    And the ISTH overt DIC score is <points>

    Examples:
      | fibrinogen | points |
      | 3.0        | 0      |
      | 1.0        | 0      |
      | 0.99       | 1      |
      | 0.5        | 1      |

  # ---------------------------------------------------------------- totals and interpretation

  Scenario Outline: Total <score> is <interpretation>
    Given a CAR-T patient on day +7
    And a platelet count of <platelets> 10*9/L
    And an FEU D-dimer of <ddimer> mg/L with an upper reference limit of 0.5 mg/L
    And a prothrombin time of <pt> s with an upper reference limit of 13.0 s
    And a fibrinogen level of <fibrinogen> g/L
    When the patient is evaluated
    Then the ISTH platelet points are <p>
    And the ISTH fibrin marker points are <d>
    And the ISTH PT points are <t>
    And the ISTH fibrinogen points are <f>
    And the ISTH overt DIC score is <score>
    And the ISTH interpretation is <interpretation>
    And the ISTH assessment reports nothing missing

    Examples:
      | platelets | ddimer | pt   | fibrinogen | p | d | t | f | score | interpretation |
      | 250       | 0.4    | 12.0 | 3.0        | 0 | 0 | 0 | 0 | 0     | not overt DIC  |
      | 100       | 2.05   | 15.9 | 1.0        | 0 | 3 | 0 | 0 | 3     | not overt DIC  |
      | 80        | 1.5    | 16.0 | 2.0        | 1 | 2 | 1 | 0 | 4     | not overt DIC  |
      | 40        | 2.5    | 13.5 | 3.0        | 2 | 3 | 0 | 0 | 5     | overt DIC      |
      | 45        | 1.0    | 16.0 | 2.0        | 2 | 2 | 1 | 0 | 5     | overt DIC      |
      | 99        | 2.0    | 18.9 | 0.99       | 1 | 2 | 1 | 1 | 5     | overt DIC      |
      | 80        | 1.5    | 19.0 | 0.8        | 1 | 2 | 2 | 1 | 6     | overt DIC      |
      | 20        | 5.0    | 20.0 | 0.8        | 2 | 3 | 2 | 1 | 8     | overt DIC      |

  # ---------------------------------------------------------------- missing data: bounded scoring

  Scenario Outline: No fibrinogen - the score is a range; <case>
    Given a CAR-T patient on day +7
    And a platelet count of <platelets> 10*9/L
    And an FEU D-dimer of <ddimer> mg/L with an upper reference limit of 0.5 mg/L
    And a prothrombin time of <pt> s with an upper reference limit of 13.0 s
    When the patient is evaluated
    Then the ISTH fibrinogen points are unknown between 0 and 1
    And the ISTH score is unknown between <lo> and <hi>
    And the ISTH interpretation is <interpretation>
    And the ISTH assessment reports the fibrinogen level as missing

    Examples:
      | case                                   | platelets | ddimer | pt   | lo | hi | interpretation |
      | overt whatever the fibrinogen          | 40        | 2.5    | 13.5 | 5  | 6  | overt DIC      |
      | not overt whatever the fibrinogen      | 250       | 0.4    | 12.0 | 0  | 1  | not overt DIC  |
      | the fibrinogen would decide            | 80        | 1.5    | 16.0 | 4  | 5  | undecided      |

  Scenario Outline: PT without a reference range cannot be scored - <case>
    Given a CAR-T patient on day +7
    And a platelet count of <platelets> 10*9/L
    And an FEU D-dimer of <ddimer> mg/L with an upper reference limit of 0.5 mg/L
    And a prothrombin time of 20.0 s
    And a fibrinogen level of 3.0 g/L
    When the patient is evaluated
    Then the ISTH PT points are unknown between 0 and 2
    And the ISTH score is unknown between <lo> and <hi>
    And the ISTH interpretation is <interpretation>
    And the ISTH assessment reports the PT prolongation as missing

    Examples:
      | case                     | platelets | ddimer | lo | hi | interpretation |
      | overt whatever the PT    | 40        | 2.5    | 5  | 7  | overt DIC      |
      | the PT would decide      | 80        | 1.5    | 3  | 5  | undecided      |

  Scenario: INR alone does not give a PT prolongation in seconds
    Given a CAR-T patient on day +7
    And a platelet count of 80 10*9/L
    And an FEU D-dimer of 1.5 mg/L with an upper reference limit of 0.5 mg/L
    And an INR of 2.5 {INR}
    And a fibrinogen level of 3.0 g/L
    When the patient is evaluated
    Then the ISTH PT points are unknown between 0 and 2
    And the ISTH score is unknown between 3 and 5
    And the ISTH interpretation is undecided
    And the ISTH assessment reports the PT prolongation as missing

  Scenario: D-dimer without a reference range cannot be expressed as a multiple of ULN
    Given a CAR-T patient on day +7
    And a platelet count of 80 10*9/L
    And an FEU D-dimer of 3.0 mg/L
    And a prothrombin time of 16.0 s with an upper reference limit of 13.0 s
    And a fibrinogen level of 3.0 g/L
    When the patient is evaluated
    Then the ISTH fibrin marker points are unknown between 0 and 3
    And the ISTH score is unknown between 2 and 5
    And the ISTH interpretation is undecided
    And the ISTH assessment reports the fibrin-related marker as missing

  Scenario: Labs older than 36 hours are not used
    Given a CAR-T patient on day +7
    And a platelet count of 20 10*9/L on day +5 at 19:00
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then the ISTH platelet points are unknown between 0 and 2
    And the ISTH score is unknown between 0 and 2
    And the ISTH interpretation is not overt DIC
    And the ISTH assessment reports the platelet count as missing

  Scenario: No coagulation results at all
    Given a CAR-T patient on day +7
    When the patient is evaluated
    Then the ISTH score is unknown between 0 and 8
    And the ISTH interpretation is undecided
    And the ISTH assessment reports the platelet count as missing
    And the ISTH assessment reports the fibrin-related marker as missing
    And the ISTH assessment reports the PT prolongation as missing
    And the ISTH assessment reports the fibrinogen level as missing

  # ---------------------------------------------------------------- precondition

  Scenario: A recorded disorder associated with DIC satisfies the precondition without a CAR-T record
    Given a patient with no recorded CAR-T infusion on study day +7
    And a diagnosis of acute lymphoblastic leukaemia
    And a platelet count of 40 10*9/L
    And an FEU D-dimer of 2.5 mg/L with an upper reference limit of 0.5 mg/L
    And a prothrombin time of 13.5 s with an upper reference limit of 13.0 s
    And a fibrinogen level of 3.0 g/L
    When the patient is evaluated
    Then the ISTH overt DIC score is 5
    And the ISTH interpretation is overt DIC
    And the ISTH result rests on rule "dic.isth2001.underlying.condition"

  Scenario: Within a CAR-T episode the precondition is met by the infusion
    Given a CAR-T patient on day +7
    And a platelet count of 40 10*9/L
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then the ISTH overt DIC score is 2
    And the ISTH result rests on rule "dic.isth2001.underlying.cart_episode"

  Scenario: Before the infusion and without a disorder associated with DIC the score does not apply
    Given a CAR-T patient on day -2
    And a platelet count of 40 10*9/L
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then the ISTH score does not apply
    And the ISTH result rests on rule "dic.isth2001.underlying.none"

  Scenario: Before the infusion a recorded lymphoma satisfies the precondition
    Given a CAR-T patient on day -2
    And a diagnosis of diffuse large B-cell lymphoma
    And a platelet count of 40 10*9/L
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then the ISTH overt DIC score is 2
    And the ISTH result rests on rule "dic.isth2001.underlying.condition"

  # ---------------------------------------------------------------- a site's marker profile

  Scenario Outline: A site on the fdp_10_25 profile scores absolute FDP <fdp> mg/L as <points>
    Given a CAR-T patient on day +7
    And the site parameter isth_overt.fibrin_marker_profile is fdp_10_25
    And an FDP of <fdp> mg/L
    And the other ISTH laboratory results are normal
    When the patient is evaluated
    Then the ISTH fibrin marker points are <points>
    And the ISTH result rests on rule "<rule>"

    Examples:
      | fdp  | points | rule                       |
      | 9.9  | 0      | dic.isth2001.marker.fdp.0  |
      | 10   | 2      | dic.isth2001.marker.fdp.2  |
      | 25   | 2      | dic.isth2001.marker.fdp.2  |
      | 25.1 | 3      | dic.isth2001.marker.fdp.3  |
