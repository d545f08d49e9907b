@dic
Feature: Chinese DIC Scoring System (CDSS 2017), both arms
  Read beside the Chinese expert consensus on DIC (Chin J Hematol 2017;38:361-363, PMC7354191) and
  shared/domain/dic.md section 7.
  Both arms: underlying disease 2; shock or microcirculatory failure 1; embolism, ischaemic necrosis
  or organ failure 1; platelet fall >= 50 % within 24 h 1; D-dimer < 5 mg/L 0, >= 5 and < 9 -> 2,
  >= 9 -> 3; PT prolonged >= 3 s OR APTT prolonged >= 10 s -> 1, PT prolonged >= 6 s -> 2 (seconds
  above the laboratory's ULN); fibrinogen < 1.0 g/L 1.
  Non-haematological arm: bleeding 1; platelets >= 100 -> 0, >= 80 and < 100 -> 1, < 80 -> 2; DIC if >= 7.
  Haematological-malignancy arm: bleeding not scored; platelets < 50 -> 1; DIC if >= 6.
  The haematological arm applies within a CAR-T episode (day 0 onwards) or with a haematological
  malignancy recorded; otherwise the non-haematological arm.
  The D-dimer type the cut-offs refer to is a required site setting (cdss.ddimer_type); these
  scenarios use FEU unless they say otherwise. Labs at 06:00, evaluation at 08:00.
  "The other CDSS items are normal" adds, where not given, platelets 250 x10^9/L today and the day
  before, a D-dimer of 0.3 mg/L (of the site's type), PT 12 s (ULN 13), APTT 30 s (ULN 35),
  fibrinogen 3.0 g/L, and documents that there is no bleeding, shock or organ failure.

  Background:
    Given the site parameter cdss.ddimer_type is "FEU"

  # ---------------------------------------------------------------- haematological-malignancy arm

  Scenario Outline: Haematological arm - platelets <platelets> x10^9/L (unchanged) score <points>
    Given a CAR-T patient on day +7
    And a platelet count of <platelets> 10*9/L on day +6
    And a platelet count of <platelets> 10*9/L
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS assessment uses the haematological-malignancy arm
    And the CDSS platelet points are <points>
    And the CDSS platelet fall points are 0
    And the CDSS score is <score>
    And the CDSS interpretation is not DIC in the haematological-malignancy arm
    And the CDSS assessment reports nothing missing

    Examples:
      | platelets | points | score |
      | 250       | 0      | 2     |
      | 80        | 0      | 2     |
      | 50        | 0      | 2     |
      | 49.9      | 1      | 3     |
      | 10        | 1      | 3     |

  Scenario Outline: Haematological arm - platelets <before> then <platelets> (fall <fall>): two separate items, <count> + <fall_points>
    Given a CAR-T patient on day +7
    And a platelet count of <before> 10*9/L on day +6
    And a platelet count of <platelets> 10*9/L
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS platelet points are <count>
    And the CDSS platelet fall points are <fall_points>
    And the CDSS score is <score>

    Examples:
      | before | platelets | fall   | count | fall_points | score |
      | 100    | 50.1      | 49.9 % | 0     | 0           | 2     |
      | 100    | 50        | 50 %   | 0     | 1           | 3     |
      | 200    | 60        | 70 %   | 0     | 1           | 3     |
      | 100    | 49.9      | 50.1 % | 1     | 1           | 4     |
      | 100    | 40        | 60 %   | 1     | 1           | 4     |
      | 48     | 45        | 6.3 %  | 1     | 0           | 3     |
      | 30     | 45        | rise   | 1     | 0           | 3     |

  Scenario: The fall is measured from the highest count in the preceding 24 h
    Given a CAR-T patient on day +7
    And a platelet count of 160 10*9/L on day +6 at 08:00
    And a platelet count of 90 10*9/L on day +6 at 20:00
    And a platelet count of 80 10*9/L
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS platelet fall points are 1
    And the CDSS score is 3

  Scenario: Bleeding is not scored in the haematological arm
    Given a CAR-T patient on day +7
    And a diagnosis of gastrointestinal haemorrhage
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS bleeding points are 0
    And the CDSS result rests on rule "dic.cdss2017.bleeding.haem.not_scored"
    And the CDSS score is 2

  Scenario: Bleeding unrecorded is not missing in the haematological arm (it is not scored)
    Given a CAR-T patient on day +7
    And a platelet count of 250 10*9/L on day +6
    And a platelet count of 250 10*9/L
    And an FEU D-dimer of 0.3 mg/L with an upper reference limit of 0.5 mg/L
    And a prothrombin time of 12.0 s with an upper reference limit of 13.0 s
    And an APTT of 30 s with an upper reference limit of 35 s
    And a fibrinogen level of 3.0 g/L
    And it is documented that there is no shock
    And organ failure is documented as absent
    When the patient is evaluated
    Then the CDSS score is 2
    And the CDSS assessment reports nothing missing

  # ---------------------------------------------------------------- non-haematological arm

  Scenario Outline: Non-haematological arm - platelets <platelets> x10^9/L (unchanged) score <points>
    Given a CAR-T patient on day -2
    And a diagnosis of sepsis
    And a platelet count of <platelets> 10*9/L on day -3
    And a platelet count of <platelets> 10*9/L
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS assessment uses the non-haematological arm
    And the CDSS platelet points are <points>
    And the CDSS score is <score>
    And the CDSS interpretation is not DIC in the non-haematological arm

    Examples:
      | platelets | points | score |
      | 250       | 0      | 2     |
      | 100       | 0      | 2     |
      | 99.9      | 1      | 3     |
      | 80        | 1      | 3     |
      | 79.9      | 2      | 4     |
      | 20        | 2      | 4     |

  Scenario Outline: Non-haematological arm - platelets <before> then <platelets>: count <count> plus fall <fall_points> (0-3)
    Given a CAR-T patient on day -2
    And a diagnosis of sepsis
    And a platelet count of <before> 10*9/L on day -3
    And a platelet count of <platelets> 10*9/L
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS platelet points are <count>
    And the CDSS platelet fall points are <fall_points>
    And the CDSS score is <score>

    Examples:
      | before | platelets | count | fall_points | score |
      | 300    | 150.1     | 0     | 0           | 2     |
      | 300    | 150       | 0     | 1           | 3     |
      | 190    | 95        | 1     | 1           | 4     |
      | 200    | 70        | 2     | 1           | 5     |

  Scenario Outline: Non-haematological arm - bleeding <case> scores <points>
    Given a CAR-T patient on day -2
    And a diagnosis of sepsis
    And <bleeding>
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS bleeding points are <points>
    And the CDSS score is <score>

    Examples:
      | case                     | bleeding                                               | points | score |
      | recorded                 | a diagnosis of haemorrhage                             | 1      | 3     |
      | recorded (GI)            | a diagnosis of gastrointestinal haemorrhage            | 1      | 3     |
      | documented absent        | it is documented that there is no haemorrhage         | 0      | 2     |

  # ---------------------------------------------------------------- clinical items (both arms)

  Scenario Outline: <item> recorded scores 1
    Given a CAR-T patient on day +7
    And <finding>
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS <item> points are 1
    And the CDSS score is 3
    And the CDSS result rests on rule "<rule>"

    Examples:
      | item          | finding                                    | rule                                |
      | shock         | a diagnosis of shock                       | dic.cdss2017.shock.present          |
      | shock         | a diagnosis of septic shock                | dic.cdss2017.shock.present          |
      | organ failure | a diagnosis of acute kidney failure        | dic.cdss2017.organ_failure.present  |
      | organ failure | a diagnosis of acute respiratory failure   | dic.cdss2017.organ_failure.present  |
      | organ failure | a focal ischaemic necrosis is recorded     | dic.cdss2017.organ_failure.present  |

  Scenario: A clinical item that is not recorded is unknown and reported missing
    Given a CAR-T patient on day +7
    And a platelet count of 250 10*9/L on day +6
    And a platelet count of 250 10*9/L
    And an FEU D-dimer of 0.3 mg/L with an upper reference limit of 0.5 mg/L
    And a prothrombin time of 12.0 s with an upper reference limit of 13.0 s
    And an APTT of 30 s with an upper reference limit of 35 s
    And a fibrinogen level of 3.0 g/L
    When the patient is evaluated
    Then the CDSS shock points are unknown between 0 and 1
    And the CDSS organ failure points are unknown between 0 and 1
    And the CDSS score is unknown between 2 and 4
    And the CDSS interpretation is not DIC in the haematological-malignancy arm
    And the CDSS assessment reports the shock as missing
    And the CDSS assessment reports the organ failure as missing

  Scenario: A site may assume unrecorded clinical items absent, and the result says so
    Given the site parameter cdss.unrecorded_clinical_items_unknown is false
    And a CAR-T patient on day +7
    And a platelet count of 250 10*9/L on day +6
    And a platelet count of 250 10*9/L
    And an FEU D-dimer of 0.3 mg/L with an upper reference limit of 0.5 mg/L
    And a prothrombin time of 12.0 s with an upper reference limit of 13.0 s
    And an APTT of 30 s with an upper reference limit of 35 s
    And a fibrinogen level of 3.0 g/L
    When the patient is evaluated
    Then the CDSS score is 2
    And the CDSS assessment reports nothing missing
    And the CDSS assessment states the assumption "no shock or microcirculatory failure (Condition) recorded: assumed absent"

  Scenario Outline: Underlying disease - <case>
    Given <patient>
    And <diagnosis>
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS underlying disease points are <points>
    And the CDSS result rests on rule "<rule>"

    Examples:
      | case                          | patient                                                  | diagnosis                                  | points | rule                               |
      | within a CAR-T episode        | a CAR-T patient on day +7                                | it is documented that there is no shock    | 2      | dic.cdss2017.underlying.cart_episode |
      | sepsis recorded               | a CAR-T patient on day -2                                | a diagnosis of sepsis                      | 2      | dic.cdss2017.underlying.condition  |
      | leukaemia, no CAR-T record    | a patient with no recorded CAR-T infusion on study day +7 | a diagnosis of acute lymphoblastic leukaemia | 2      | dic.cdss2017.underlying.condition  |

  Scenario: Before the infusion with no underlying disease recorded the item is unknown
    Given a CAR-T patient on day -2
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS underlying disease points are unknown between 0 and 2
    And the CDSS score is unknown between 0 and 2
    And the CDSS interpretation is not DIC in the non-haematological arm
    And the CDSS assessment reports the underlying disease as missing

  # ---------------------------------------------------------------- which arm

  Scenario Outline: Arm - <case>
    Given <patient>
    And <diagnosis>
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS assessment uses the <arm> arm

    Examples:
      | case                                       | patient                                                   | diagnosis                                     | arm                        |
      | within a CAR-T episode                     | a CAR-T patient on day +7                                 | it is documented that there is no shock       | haematological-malignancy  |
      | leukaemia recorded, no CAR-T record        | a patient with no recorded CAR-T infusion on study day +7 | a diagnosis of acute lymphoblastic leukaemia  | haematological-malignancy  |
      | lymphoma recorded, before the infusion     | a CAR-T patient on day -2                                 | a diagnosis of diffuse large B-cell lymphoma  | haematological-malignancy  |
      | myeloma recorded, before the infusion      | a CAR-T patient on day -2                                 | a diagnosis of multiple myeloma               | haematological-malignancy  |
      | sepsis only, before the infusion           | a CAR-T patient on day -2                                 | a diagnosis of sepsis                         | non-haematological         |

  Scenario: Without a CAR-T record or a haematological malignancy the arm is unknown - both arms stay possible
    Given a patient with no recorded CAR-T infusion on study day +7
    And a diagnosis of sepsis
    And a platelet count of 90 10*9/L on day +6
    And a platelet count of 90 10*9/L
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS platelet points are unknown between 0 and 1
    And the CDSS score is unknown between 2 and 3
    And the CDSS assessment reports the CAR-T episode as missing

  # ---------------------------------------------------------------- D-dimer and its type

  Scenario Outline: FEU D-dimer <ddimer> mg/L scores <points> (site setting FEU)
    Given a CAR-T patient on day +7
    And an FEU D-dimer of <ddimer> mg/L with an upper reference limit of 0.5 mg/L
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS D-dimer points are <points>
    And the CDSS score is <score>
    And the CDSS result rests on rule "<rule>"

    Examples:
      | ddimer | points | score | rule                      |
      | 0.3    | 0      | 2     | dic.cdss2017.ddimer.feu.0 |
      | 4.99   | 0      | 2     | dic.cdss2017.ddimer.feu.0 |
      | 5.0    | 2      | 4     | dic.cdss2017.ddimer.feu.2 |
      | 8.99   | 2      | 4     | dic.cdss2017.ddimer.feu.2 |
      | 9.0    | 3      | 5     | dic.cdss2017.ddimer.feu.3 |
      | 20     | 3      | 5     | dic.cdss2017.ddimer.feu.3 |

  Scenario Outline: DDU D-dimer <ddimer> mg/L scores <points> when the site declares DDU
    Given the site parameter cdss.ddimer_type is "DDU"
    And a CAR-T patient on day +7
    And a DDU D-dimer of <ddimer> mg/L with an upper reference limit of 0.25 mg/L
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS D-dimer points are <points>
    And the CDSS result rests on rule "<rule>"

    Examples:
      | ddimer | points | rule                      |
      | 4.99   | 0      | dic.cdss2017.ddimer.ddu.0 |
      | 5.0    | 2      | dic.cdss2017.ddimer.ddu.2 |
      | 9.0    | 3      | dic.cdss2017.ddimer.ddu.3 |

  Scenario: With the D-dimer type not set by the site the D-dimer item is unknown and names the setting
    Given the site parameter cdss.ddimer_type is null
    And a CAR-T patient on day +7
    And an FEU D-dimer of 6.0 mg/L with an upper reference limit of 0.5 mg/L
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS D-dimer points are unknown between 0 and 3
    And the CDSS score is unknown between 2 and 5
    And the CDSS interpretation is not DIC in the haematological-malignancy arm
    And the CDSS assessment reports the D-dimer as missing, saying "site setting cdss.ddimer_type is not set"

  Scenario: With the D-dimer type not set, the D-dimer can decide the result, which stays undecided
    Given the site parameter cdss.ddimer_type is null
    And a CAR-T patient on day +7
    And a platelet count of 100 10*9/L on day +6
    And a platelet count of 45 10*9/L
    And an FEU D-dimer of 6.0 mg/L with an upper reference limit of 0.5 mg/L
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS score is unknown between 4 and 7
    And the CDSS interpretation is undecided
    And the CDSS assessment reports the D-dimer as missing, saying "cdss.ddimer_type"

  Scenario: A DDU D-dimer is never converted for a site whose cut-offs are FEU
    Given a CAR-T patient on day +7
    And a DDU D-dimer of 6.0 mg/L with an upper reference limit of 0.25 mg/L
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS D-dimer points are unknown between 0 and 3
    And the CDSS assessment reports the FEU D-dimer as missing

  Scenario: An FEU D-dimer is never converted for a site whose cut-offs are DDU
    Given the site parameter cdss.ddimer_type is "DDU"
    And a CAR-T patient on day +7
    And an FEU D-dimer of 12.0 mg/L with an upper reference limit of 0.5 mg/L
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS D-dimer points are unknown between 0 and 3
    And the CDSS assessment reports the DDU D-dimer as missing

  # ---------------------------------------------------------------- PT/APTT (an OR row) and fibrinogen

  Scenario Outline: PT <pt> s (ULN 13) and APTT <aptt> s (ULN 35): +<pt_p> s / +<aptt_p> s scores <points>
    Given a CAR-T patient on day +7
    And a prothrombin time of <pt> s with an upper reference limit of 13.0 s
    And an APTT of <aptt> s with an upper reference limit of 35 s
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS PT/APTT points are <points>
    And the CDSS score is <score>
    And the CDSS result rests on rule "<rule>"

    Examples: 0 points - PT prolonged < 3 s AND APTT prolonged < 10 s
      | pt   | aptt | pt_p | aptt_p | points | score | rule                   |
      | 12.0 | 30   | -1   | -5     | 0      | 2     | dic.cdss2017.pt_aptt.0 |
      | 15.9 | 44.9 | 2.9  | 9.9    | 0      | 2     | dic.cdss2017.pt_aptt.0 |

    Examples: 1 point - PT prolonged >= 3 s OR APTT prolonged >= 10 s (either alone is enough)
      | pt   | aptt | pt_p | aptt_p | points | score | rule                   |
      | 16.0 | 30   | 3    | -5     | 1      | 3     | dic.cdss2017.pt_aptt.1 |
      | 17.0 | 30   | 4    | -5     | 1      | 3     | dic.cdss2017.pt_aptt.1 |
      | 12.0 | 45   | -1   | 10     | 1      | 3     | dic.cdss2017.pt_aptt.1 |
      | 15.9 | 60   | 2.9  | 25     | 1      | 3     | dic.cdss2017.pt_aptt.1 |
      | 18.9 | 60   | 5.9  | 25     | 1      | 3     | dic.cdss2017.pt_aptt.1 |

    Examples: 2 points - PT prolonged >= 6 s
      | pt   | aptt | pt_p | aptt_p | points | score | rule                   |
      | 19.0 | 30   | 6    | -5     | 2      | 4     | dic.cdss2017.pt_aptt.2 |
      | 19.0 | 50   | 6    | 15     | 2      | 4     | dic.cdss2017.pt_aptt.2 |
      | 25.0 | 80   | 12   | 45     | 2      | 4     | dic.cdss2017.pt_aptt.2 |

  Scenario: PT prolonged by 4 s with a normal APTT scores 1 - the row is an OR, not an AND
    Given a CAR-T patient on day +7
    And a prothrombin time of 17.0 s with an upper reference limit of 13.0 s
    And an APTT of 33 s with an upper reference limit of 35 s
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS PT/APTT points are 1
    And the explanation of dic.cdss2017 names rule "dic.cdss2017.pt_aptt.1" worth 1 points

  Scenario: PT prolonged by 4 s decides the row even with no APTT
    Given a CAR-T patient on day +7
    And a prothrombin time of 17.0 s with an upper reference limit of 13.0 s
    And a platelet count of 250 10*9/L on day +6
    And a platelet count of 250 10*9/L
    And an FEU D-dimer of 0.3 mg/L with an upper reference limit of 0.5 mg/L
    And a fibrinogen level of 3.0 g/L
    And it is documented that there is no shock
    And organ failure is documented as absent
    When the patient is evaluated
    Then the CDSS PT/APTT points are 1
    And the CDSS score is 3
    And the CDSS assessment reports nothing missing

  Scenario: A normal PT with no APTT leaves the row at 0 or 1
    Given a CAR-T patient on day +7
    And a prothrombin time of 12.0 s with an upper reference limit of 13.0 s
    And a platelet count of 250 10*9/L on day +6
    And a platelet count of 250 10*9/L
    And an FEU D-dimer of 0.3 mg/L with an upper reference limit of 0.5 mg/L
    And a fibrinogen level of 3.0 g/L
    And it is documented that there is no shock
    And organ failure is documented as absent
    When the patient is evaluated
    Then the CDSS PT/APTT points are unknown between 0 and 1
    And the CDSS assessment reports the APTT prolongation as missing

  Scenario: A PT without a reference range is not scored from its seconds
    Given a CAR-T patient on day +7
    And a prothrombin time of 20.0 s
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS PT/APTT points are unknown between 0 and 2
    And the CDSS assessment reports the PT prolongation as missing

  Scenario Outline: Fibrinogen <fibrinogen> g/L scores <points>
    Given a CAR-T patient on day +7
    And a fibrinogen level of <fibrinogen> g/L
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS fibrinogen points are <points>
    And the CDSS score is <score>

    Examples:
      | fibrinogen | points | score |
      | 3.0        | 0      | 2     |
      | 1.0        | 0      | 2     |
      | 0.99       | 1      | 3     |
      | 0.5        | 1      | 3     |

  # ---------------------------------------------------------------- totals and the two thresholds

  Scenario Outline: Haematological arm total <score> - <interpretation>
    Given a CAR-T patient on day +7
    And a platelet count of <before> 10*9/L on day +6
    And a platelet count of <platelets> 10*9/L
    And an FEU D-dimer of <ddimer> mg/L with an upper reference limit of 0.5 mg/L
    And a prothrombin time of <pt> s with an upper reference limit of 13.0 s
    And a fibrinogen level of <fibrinogen> g/L
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS score is <score>
    And the CDSS interpretation is <interpretation>
    And the CDSS verdict is <verdict>

    Examples:
      | before | platelets | ddimer | pt   | fibrinogen | score | interpretation                                | verdict  |
      | 45     | 45        | 0.3    | 16.0 | 0.9        | 5     | not DIC in the haematological-malignancy arm  | negative |
      | 100    | 45        | 0.3    | 16.0 | 0.9        | 6     | DIC in the haematological-malignancy arm      | positive |
      | 250    | 250       | 4.99   | 19.0 | 3.0        | 4     | not DIC in the haematological-malignancy arm  | negative |
      | 250    | 250       | 5.0    | 19.0 | 3.0        | 6     | DIC in the haematological-malignancy arm      | positive |
      | 100    | 20        | 9.0    | 25.0 | 0.5        | 10    | DIC in the haematological-malignancy arm      | positive |

  Scenario Outline: Non-haematological arm total <score> - <interpretation>
    Given a CAR-T patient on day -2
    And a diagnosis of sepsis
    And a platelet count of <platelets> 10*9/L on day -3
    And a platelet count of <platelets> 10*9/L
    And an FEU D-dimer of <ddimer> mg/L with an upper reference limit of 0.5 mg/L
    And a prothrombin time of <pt> s with an upper reference limit of 13.0 s
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS score is <score>
    And the CDSS interpretation is <interpretation>
    And the CDSS verdict is <verdict>

    Examples:
      | platelets | ddimer | pt   | score | interpretation                          | verdict  |
      | 79        | 5.0    | 12.0 | 6     | not DIC in the non-haematological arm   | negative |
      | 79        | 5.0    | 16.0 | 7     | DIC in the non-haematological arm       | positive |
      | 90        | 9.0    | 12.0 | 6     | not DIC in the non-haematological arm   | negative |
      | 90        | 9.0    | 16.0 | 7     | DIC in the non-haematological arm       | positive |

  Scenario: The same total of 6 is DIC in the haematological arm and not in the other
    Given a CAR-T patient on day -2
    And a diagnosis of sepsis
    And a diagnosis of acute lymphoblastic leukaemia
    And a platelet count of 100 10*9/L on day -3
    And a platelet count of 45 10*9/L
    And a prothrombin time of 16.0 s with an upper reference limit of 13.0 s
    And a fibrinogen level of 0.9 g/L
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS assessment uses the haematological-malignancy arm
    And the CDSS score is 6
    And the CDSS interpretation is DIC in the haematological-malignancy arm

  # ---------------------------------------------------------------- missing data

  Scenario: No earlier platelet count in the preceding 24 h: the fall item is unknown
    Given a CAR-T patient on day +7
    And a platelet count of 200 10*9/L on day +6 at 05:00
    And a platelet count of 45 10*9/L
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS platelet points are 1
    And the CDSS platelet fall points are unknown between 0 and 1
    And the CDSS score is unknown between 3 and 4
    And the CDSS interpretation is not DIC in the haematological-malignancy arm
    And the CDSS assessment reports the platelet fall as missing

  Scenario: A site may assume no fall when no earlier count exists, and the result says so
    Given the site parameter cdss.platelet_fall_unknown_without_earlier_count is false
    And a CAR-T patient on day +7
    And a platelet count of 45 10*9/L
    And the other CDSS items are normal
    When the patient is evaluated
    Then the CDSS platelet fall points are 0
    And the CDSS score is 3
    And the CDSS assessment states the assumption "no change could be measured; assumed none"

  Scenario: No results at all within a CAR-T episode
    Given a CAR-T patient on day +7
    When the patient is evaluated
    Then the CDSS score is unknown between 2 and 12
    And the CDSS interpretation is undecided
    And the CDSS assessment reports the platelet count as missing
    And the CDSS assessment reports the FEU D-dimer as missing
    And the CDSS assessment reports the PT prolongation as missing
    And the CDSS assessment reports the fibrinogen level as missing
    And the CDSS assessment reports the shock as missing
