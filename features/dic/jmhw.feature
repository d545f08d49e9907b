@dic
Feature: JMHW DIC criteria (Japanese Ministry of Health and Welfare, revised 1988)
  Read beside Kobayashi N et al., Bibl Haematol 1983;49:265 (revised 1988), as reproduced in
  PMC3962548, and shared/domain/dic.md sections 0 and 4. Items: underlying disease 0/1; bleeding
  0/1 and platelets (> 120 -> 0; > 80 and <= 120 -> 1; > 50 and <= 80 -> 2; <= 50 -> 3) - both not
  scored in the leukaemia/marrow-suppressed type; organ failure 0/1; FDP (< 10 -> 0; >= 10 and
  < 20 -> 1; >= 20 and < 40 -> 2; >= 40 -> 3 ug/mL); fibrinogen (> 1.5 -> 0; > 1.0 and <= 1.5 -> 1;
  <= 1.0 g/L -> 2); PT ratio (< 1.25 -> 0; >= 1.25 and < 1.67 -> 1; >= 1.67 -> 2).
  Non-leukaemia type: DIC >= 7, suspected 6, unlikely <= 5. Leukaemia type: DIC >= 4, suspected 3,
  unlikely <= 2. The type: a documented marrow suppression (or its documented absence) decides,
  else a haematological malignancy Condition, else the CAR-T episode (within it: leukaemia type).
  Within a CAR-T episode the underlying-disease item is present. Labs at 06:00 on day +7,
  evaluation at 08:00. "The other JMHW findings are normal" adds normal results for the
  laboratory items not given and documents no bleeding and no organ failure unless given.

  Background:
    Given a CAR-T patient on day +7

  # ---------------------------------------------------------------- non-leukaemia type: each row

  Scenario Outline: Non-leukaemia type - FDP <fdp> mg/L scores <points>
    Given the thrombocytopenia is documented as not due to marrow suppression
    And an FDP of <fdp> mg/L
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW FDP points are <points>
    And the JMHW score is <total>
    And the JMHW assessment reports nothing missing

    Examples:
      | fdp  | points | total |
      | 4    | 0      | 1     |
      | 9.9  | 0      | 1     |
      | 10   | 1      | 2     |
      | 19.9 | 1      | 2     |
      | 20   | 2      | 3     |
      | 39.9 | 2      | 3     |
      | 40   | 3      | 4     |
      | 120  | 3      | 4     |

  Scenario Outline: Non-leukaemia type - platelets <platelets> x10^9/L score <points>
    Given the thrombocytopenia is documented as not due to marrow suppression
    And a platelet count of <platelets> 10*9/L
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW platelet points are <points>
    And the JMHW score is <total>
    And the JMHW result rests on rule "<rule>"

    Examples:
      | platelets | points | total | rule                 |
      | 250       | 0      | 1     | dic.jmhw.platelets.0 |
      | 121       | 0      | 1     | dic.jmhw.platelets.0 |
      | 120       | 1      | 2     | dic.jmhw.platelets.1 |
      | 80.1      | 1      | 2     | dic.jmhw.platelets.1 |
      | 80        | 2      | 3     | dic.jmhw.platelets.2 |
      | 50.1      | 2      | 3     | dic.jmhw.platelets.2 |
      | 50        | 3      | 4     | dic.jmhw.platelets.3 |
      | 5         | 3      | 4     | dic.jmhw.platelets.3 |

  Scenario Outline: Fibrinogen <fibrinogen> <unit> scores <points>
    Given the thrombocytopenia is documented as not due to marrow suppression
    And a fibrinogen level of <fibrinogen> <unit>
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW fibrinogen points are <points>
    And the JMHW score is <total>

    Examples:
      | fibrinogen | unit  | points | total |
      | 3.0        | g/L   | 0      | 1     |
      | 1.51       | g/L   | 0      | 1     |
      | 1.5        | g/L   | 1      | 2     |
      | 1.01       | g/L   | 1      | 2     |
      | 1.0        | g/L   | 2      | 3     |
      | 0.4        | g/L   | 2      | 3     |
      | 151        | mg/dL | 0      | 1     |
      | 150        | mg/dL | 1      | 2     |
      | 101        | mg/dL | 1      | 2     |
      | 100        | mg/dL | 2      | 3     |

  Scenario Outline: PT ratio <ratio> scores <points>
    Given the thrombocytopenia is documented as not due to marrow suppression
    And a PT ratio of <ratio> {ratio}
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW PT points are <points>
    And the JMHW score is <total>

    Examples:
      | ratio | points | total |
      | 1.0   | 0      | 1     |
      | 1.24  | 0      | 1     |
      | 1.25  | 1      | 2     |
      | 1.66  | 1      | 2     |
      | 1.67  | 2      | 3     |
      | 2.5   | 2      | 3     |

  Scenario Outline: A site scoring PT in seconds - PT <pt> s scores <points>
    Given the site parameter jmhw.pt_mode is seconds
    And the thrombocytopenia is documented as not due to marrow suppression
    And a prothrombin time of <pt> s with an upper reference limit of 13 s
    And a PT ratio of 1.0 {ratio}
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW PT points are <points>
    And the JMHW result rests on rule "<rule>"

    Examples:
      | pt   | points | rule                    |
      | 12.0 | 0      | dic.jmhw.pt.seconds.0   |
      | 14.9 | 0      | dic.jmhw.pt.seconds.0   |
      | 15   | 1      | dic.jmhw.pt.seconds.1   |
      | 19.9 | 1      | dic.jmhw.pt.seconds.1   |
      | 20   | 2      | dic.jmhw.pt.seconds.2   |

  Scenario Outline: Non-leukaemia type - <finding> scores <item> <points>
    Given the thrombocytopenia is documented as not due to marrow suppression
    And a diagnosis of <diagnosis>
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW <item> points are <points>
    And the JMHW score is <total>

    Examples:
      | finding                          | diagnosis                    | item          | points | total |
      | a haemorrhage                    | haemorrhage                  | bleeding      | 1      | 2     |
      | a gastrointestinal haemorrhage   | gastrointestinal haemorrhage | bleeding      | 1      | 2     |
      | acute kidney failure             | acute kidney failure         | organ failure | 1      | 2     |
      | acute respiratory failure        | acute respiratory failure    | organ failure | 1      | 2     |

  Scenario: Documented absence of bleeding and organ failure scores 0 for each
    Given the thrombocytopenia is documented as not due to marrow suppression
    And it is documented that there is no haemorrhage
    And organ failure is documented as absent
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW bleeding points are 0
    And the JMHW organ failure points are 0
    And the JMHW assessment reports nothing missing

  # ---------------------------------------------------------------- underlying disease

  Scenario: Within a CAR-T episode the underlying-disease item is present
    Given the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW underlying disease points are 1
    And the JMHW result rests on rule "dic.jmhw.underlying_disease.cart_episode"

  Scenario Outline: Before the infusion the underlying disease comes from the Conditions - <case>
    Given a CAR-T patient on day -2
    And <condition>
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW underlying disease points are <points>
    And the JMHW result rests on rule "<rule>"

    Examples:
      | case                 | condition                                  | points | rule                                 |
      | sepsis recorded      | a diagnosis of sepsis                      | 1      | dic.jmhw.underlying_disease.present  |
      | no sepsis documented | it is documented that there is no sepsis   | 0      | dic.jmhw.underlying_disease.absent   |

  Scenario: Before the infusion with no Condition recorded the underlying disease is unknown
    Given a CAR-T patient on day -2
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW underlying disease points are indeterminate between 0 and 1
    And the JMHW score is indeterminate between 0 and 1
    And the JMHW interpretation is DIC unlikely (non-leukaemia type)
    And the JMHW assessment reports the underlying disease as missing

  Scenario: A site that does not count the CAR-T episode as an underlying disease needs a Condition
    Given the site parameter jmhw.cart_episode_counts_as_underlying is false
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW underlying disease points are indeterminate between 0 and 1
    And the JMHW assessment reports the underlying disease as missing

  Scenario: ... a recorded lymphoma is one
    Given the site parameter jmhw.cart_episode_counts_as_underlying is false
    And a diagnosis of diffuse large B-cell lymphoma
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW underlying disease points are 1
    And the JMHW result rests on rule "dic.jmhw.underlying_disease.present"

  # ---------------------------------------------------------------- the type

  Scenario: Within a CAR-T episode the leukaemia/marrow-suppressed type applies - bleeding and platelets are not scored
    Given a platelet count of 20 10*9/L
    And a diagnosis of haemorrhage
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW platelet points are 0
    And the JMHW bleeding points are 0
    And the JMHW score is 1
    And the JMHW interpretation is DIC unlikely (leukaemia type)
    And the JMHW result rests on rule "dic.jmhw.platelets.not_scored"
    And the JMHW result rests on rule "dic.jmhw.bleeding.not_scored"

  Scenario: Documented absence of marrow suppression within a CAR-T episode gives the non-leukaemia type
    Given the thrombocytopenia is documented as not due to marrow suppression
    And a platelet count of 20 10*9/L
    And a diagnosis of haemorrhage
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW platelet points are 3
    And the JMHW bleeding points are 1
    And the JMHW score is 5
    And the JMHW interpretation is DIC unlikely (non-leukaemia type)

  Scenario: Before the infusion with nothing documented the non-leukaemia type applies
    Given a CAR-T patient on day -2
    And a diagnosis of sepsis
    And a platelet count of 20 10*9/L
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW platelet points are 3
    And the JMHW interpretation is DIC unlikely (non-leukaemia type)

  Scenario: Before the infusion an active haematological malignancy gives the leukaemia type
    Given a CAR-T patient on day -2
    And a diagnosis of acute lymphoblastic leukaemia
    And a platelet count of 20 10*9/L
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW platelet points are 0
    And the JMHW underlying disease points are 1
    And the JMHW interpretation is DIC unlikely (leukaemia type)

  Scenario: Before the infusion a documented marrow suppression gives the leukaemia type
    Given a CAR-T patient on day -2
    And a diagnosis of sepsis
    And the thrombocytopenia is documented as due to marrow suppression
    And a platelet count of 20 10*9/L
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW platelet points are 0
    And the JMHW interpretation is DIC unlikely (leukaemia type)

  Scenario: A chemotherapy-induced pancytopenia Condition (ICD-10-CM D61.810) is a documented marrow suppression
    Given a CAR-T patient on day -2
    And a diagnosis of sepsis
    And a Condition D61.810
    And a platelet count of 20 10*9/L
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW platelet points are 0
    And the JMHW interpretation is DIC unlikely (leukaemia type)

  Scenario: A leukaemia with documented absence of marrow suppression (recovered counts) is the non-leukaemia type
    Given a diagnosis of acute lymphoblastic leukaemia
    And the thrombocytopenia is documented as not due to marrow suppression
    And a platelet count of 20 10*9/L
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW platelet points are 3
    And the JMHW interpretation is DIC unlikely (non-leukaemia type)

  Scenario: With no infusion date and nothing documented the type is unknown
    Given a patient with no recorded CAR-T infusion on study day +7
    And a diagnosis of sepsis
    And a platelet count of 20 10*9/L
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW platelet points are indeterminate between 0 and 3
    And the JMHW score is indeterminate between 1 and 4
    And the JMHW assessment reports the leukaemia type as missing

  Scenario Outline: A site fixing the <type> type scores every patient by it - <case>
    Given the site parameter jmhw.type is <setting>
    And <given>
    And a platelet count of 20 10*9/L
    And a diagnosis of haemorrhage
    And an FDP of 25 mg/L
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW platelet points are <platelets>
    And the JMHW bleeding points are <bleeding>
    And the JMHW score is <total>
    And the JMHW interpretation is <interpretation>
    And the JMHW result rests on rule "<rule>"

    Examples:
      | type          | setting       | case                                           | given                                                             | platelets | bleeding | total | interpretation                                           | rule                                 |
      | non-leukaemia | non_leukaemia | within a CAR-T episode                         | a diagnosis of diffuse large B-cell lymphoma                      | 3         | 1        | 7     | DIC (non-leukaemia type fixed by the site)               | dic.jmhw.platelets.fixed_type.3      |
      | non-leukaemia | non_leukaemia | with a documented marrow suppression           | the thrombocytopenia is documented as due to marrow suppression   | 3         | 1        | 7     | DIC (non-leukaemia type fixed by the site)               | dic.jmhw.bleeding.fixed_type.present |
      | leukaemia     | leukaemia     | with documented absence of marrow suppression  | the thrombocytopenia is documented as not due to marrow suppression | 0       | 0        | 3     | DIC suspected (leukaemia type fixed by the site)         | dic.jmhw.platelets.fixed_type.not_scored |

  Scenario Outline: A site fixing the leukaemia type - total <total> is <interpretation> before the infusion
    Given a CAR-T patient on day -2
    And the site parameter jmhw.type is leukaemia
    And a diagnosis of sepsis
    And a platelet count of 20 10*9/L
    And an FDP of <fdp> mg/L
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW platelet points are 0
    And the JMHW score is <total>
    And the JMHW interpretation is <interpretation>

    Examples:
      | fdp | total | interpretation                                      |
      | 10  | 2     | DIC unlikely (leukaemia type fixed by the site)     |
      | 20  | 3     | DIC suspected (leukaemia type fixed by the site)    |
      | 40  | 4     | DIC (leukaemia type fixed by the site)              |

  Scenario: A site fixing the non-leukaemia type - total 6 is suspected DIC
    Given the site parameter jmhw.type is non_leukaemia
    And a platelet count of 60 10*9/L
    And an FDP of 25 mg/L
    And a PT ratio of 1.3 {ratio}
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW score is 6
    And the JMHW interpretation is DIC suspected (non-leukaemia type fixed by the site)

  # ---------------------------------------------------------------- totals and interpretation

  Scenario Outline: Non-leukaemia type - total <total> is <interpretation>
    Given the thrombocytopenia is documented as not due to marrow suppression
    And an FDP of <fdp> mg/L
    And a platelet count of <platelets> 10*9/L
    And a fibrinogen level of <fibrinogen> g/L
    And a PT ratio of <ratio> {ratio}
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW score is <total>
    And the JMHW interpretation is <interpretation>
    And the JMHW assessment reports nothing missing

    Examples:
      | fdp | platelets | fibrinogen | ratio | total | interpretation                        |
      | 4   | 250       | 3.0        | 1.0   | 1     | DIC unlikely (non-leukaemia type)     |
      | 15  | 100       | 1.2        | 1.3   | 5     | DIC unlikely (non-leukaemia type)     |
      | 25  | 100       | 1.2        | 1.3   | 6     | DIC suspected (non-leukaemia type)    |
      | 4   | 40        | 0.9        | 1.25  | 7     | DIC (non-leukaemia type)              |
      | 25  | 70        | 1.2        | 1.3   | 7     | DIC (non-leukaemia type)              |
      | 40  | 40        | 0.8        | 1.8   | 11    | DIC (non-leukaemia type)              |

  Scenario Outline: Non-leukaemia type - bleeding and organ failure count towards the total (<total>: <interpretation>)
    Given the thrombocytopenia is documented as not due to marrow suppression
    And a diagnosis of haemorrhage
    And a diagnosis of acute kidney failure
    And an FDP of <fdp> mg/L
    And a platelet count of <platelets> 10*9/L
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW bleeding points are 1
    And the JMHW organ failure points are 1
    And the JMHW score is <total>
    And the JMHW interpretation is <interpretation>

    Examples:
      | fdp | platelets | total | interpretation                     |
      | 15  | 100       | 5     | DIC unlikely (non-leukaemia type)  |
      | 15  | 80        | 6     | DIC suspected (non-leukaemia type) |
      | 20  | 80        | 7     | DIC (non-leukaemia type)           |

  Scenario Outline: Leukaemia type - total <total> is <interpretation>
    Given a platelet count of 20 10*9/L
    And an FDP of <fdp> mg/L
    And a fibrinogen level of <fibrinogen> g/L
    And a PT ratio of <ratio> {ratio}
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW platelet points are 0
    And the JMHW score is <total>
    And the JMHW interpretation is <interpretation>
    And the JMHW assessment reports nothing missing

    Examples:
      | fdp | fibrinogen | ratio | total | interpretation                |
      | 4   | 3.0        | 1.0   | 1     | DIC unlikely (leukaemia type) |
      | 15  | 3.0        | 1.0   | 2     | DIC unlikely (leukaemia type) |
      | 15  | 1.2        | 1.0   | 3     | DIC suspected (leukaemia type)|
      | 25  | 1.2        | 1.0   | 4     | DIC (leukaemia type)          |
      | 15  | 1.2        | 1.3   | 4     | DIC (leukaemia type)          |
      | 40  | 0.8        | 1.8   | 8     | DIC (leukaemia type)          |

  Scenario: Leukaemia type - organ failure is scored
    Given a diagnosis of acute respiratory failure
    And an FDP of 15 mg/L
    And a fibrinogen level of 1.2 g/L
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW organ failure points are 1
    And the JMHW score is 4
    And the JMHW interpretation is DIC (leukaemia type)

  # ---------------------------------------------------------------- missing data: bounded scoring

  Scenario Outline: Bleeding not recorded (non-leukaemia type) - the item is a range; <case>
    Given the thrombocytopenia is documented as not due to marrow suppression
    And organ failure is documented as absent
    And an FDP of <fdp> mg/L
    And a platelet count of <platelets> 10*9/L
    And a fibrinogen level of 3.0 g/L
    And a PT ratio of 1.3 {ratio}
    When the patient is evaluated
    Then the JMHW bleeding points are indeterminate between 0 and 1
    And the JMHW score is indeterminate between <lo> and <hi>
    And the JMHW interpretation is <interpretation>
    And the JMHW assessment reports the bleeding as missing

    Examples:
      | case                        | fdp | platelets | lo | hi | interpretation                     |
      | unlikely whatever it is     | 4   | 250       | 2  | 3  | DIC unlikely (non-leukaemia type)  |
      | bleeding would decide       | 25  | 100       | 5  | 6  | undecided                          |
      | DIC whatever it is          | 40  | 40        | 8  | 9  | DIC (non-leukaemia type)           |

  Scenario: A site that assumes unrecorded clinical items absent scores them 0 and says so
    Given the site parameter jmhw.unrecorded_clinical_items_unknown is false
    And the thrombocytopenia is documented as not due to marrow suppression
    And an FDP of 25 mg/L
    And a platelet count of 100 10*9/L
    And a fibrinogen level of 3.0 g/L
    And a PT ratio of 1.3 {ratio}
    When the patient is evaluated
    Then the JMHW bleeding points are 0
    And the JMHW organ failure points are 0
    And the JMHW score is 5
    And the JMHW interpretation is DIC unlikely (non-leukaemia type)
    And the JMHW assessment states the assumption "no bleeding (Condition) recorded: assumed absent"

  Scenario: No laboratory results and nothing documented within a CAR-T episode
    When the patient is evaluated
    Then the JMHW score is indeterminate between 1 and 9
    And the JMHW interpretation is undecided
    And the JMHW assessment reports the organ failure as missing
    And the JMHW assessment reports the FDP as missing
    And the JMHW assessment reports the fibrinogen level as missing
    And the JMHW assessment reports the PT ratio as missing

  # ---------------------------------------------------------------- liver-cirrhosis adjustment (unverified, off by default)

  Scenario: By default the cirrhosis adjustment is not applied
    Given liver cirrhosis is recorded
    And an FDP of 25 mg/L
    And a fibrinogen level of 1.2 g/L
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW cirrhosis points are 0
    And the JMHW score is 4
    And the JMHW interpretation is DIC (leukaemia type)

  Scenario: A site applying the adjustment subtracts 3 points in liver cirrhosis
    Given the site parameter jmhw.cirrhosis_adjustment is true
    And liver cirrhosis is recorded
    And an FDP of 25 mg/L
    And a fibrinogen level of 1.2 g/L
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW cirrhosis points are -3
    And the JMHW score is 1
    And the JMHW interpretation is DIC unlikely (leukaemia type)

  Scenario: A site applying the adjustment with no cirrhosis recorded gets a range
    Given the site parameter jmhw.cirrhosis_adjustment is true
    And an FDP of 25 mg/L
    And a fibrinogen level of 1.2 g/L
    And the other JMHW findings are normal
    When the patient is evaluated
    Then the JMHW cirrhosis points are indeterminate between -3 and 0
    And the JMHW score is indeterminate between 1 and 4
    And the JMHW interpretation is undecided
    And the JMHW assessment reports the liver cirrhosis as missing
