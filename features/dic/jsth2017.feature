@dic
Feature: JSTH 2017 DIC criteria (basic, haematopoietic-disorder and infectious types)
  Read beside the DIC subcommittee of the JSTH, Thromb J 2017 (approved revision, Table 1), the
  2016 draft (Asakura H et al., Thromb J 2016;14:42, Fig. 1) and shared/domain/dic.md section 5.
  Items: platelets (> 120 -> 0; > 80 and <= 120 -> 1; > 50 and <= 80 -> 2; <= 50 -> 3; +1 for a
  fall >= 30 % within 24 h when the count is > 50, capped at 3) - not scored in the haematopoietic
  type; FDP (< 10 -> 0; >= 10 and < 20 -> 1; >= 20 and < 40 -> 2; >= 40 -> 3 ug/mL); fibrinogen
  (> 150 -> 0; > 100 and <= 150 -> 1; <= 100 mg/dL -> 2) - not scored in the infectious type;
  PT ratio (< 1.25 -> 0; >= 1.25 and < 1.67 -> 1; >= 1.67 -> 2); antithrombin (> 70 -> 0;
  <= 70 % -> 1); TAT, soluble fibrin or F1+2 (>= 2 x ULN -> 1); liver failure -3.
  DIC: basic >= 6, haematopoietic >= 4, infectious >= 5 (the 2016 draft: 6).
  The type: haematopoietic with a documented marrow suppression or, with none documented, within
  a CAR-T episode; otherwise infectious with sepsis, else basic. Labs at 06:00 on day +7,
  evaluation at 08:00. "The other JSTH findings are normal" adds normal results for the
  laboratory items not given (TAT 2 ug/L, ULN 4) and documents no liver failure unless given.

  Background:
    Given a CAR-T patient on day +7

  # ---------------------------------------------------------------- basic type: each row

  Scenario Outline: Basic type - a single platelet count of <platelets> x10^9/L scores <points>
    Given the thrombocytopenia is documented as not due to marrow suppression
    And it is documented that there is no sepsis
    And a platelet count of <platelets> 10*9/L
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH platelet points are <points>
    And the JSTH score is <points>
    And the JSTH result rests on rule "<rule>"
    And the JSTH assessment reports nothing missing

    Examples:
      | platelets | points | rule                      |
      | 250       | 0      | dic.jsth2017.platelets.0  |
      | 121       | 0      | dic.jsth2017.platelets.0  |
      | 120       | 1      | dic.jsth2017.platelets.1  |
      | 80.1      | 1      | dic.jsth2017.platelets.1  |
      | 80        | 2      | dic.jsth2017.platelets.2  |
      | 50.1      | 2      | dic.jsth2017.platelets.2  |
      | 50        | 3      | dic.jsth2017.platelets.3  |
      | 10        | 3      | dic.jsth2017.platelets.3  |

  Scenario Outline: Basic type - platelets <earlier> on day +6 at 10:00, then <latest> (fall <fall> %) score <points>
    Given the thrombocytopenia is documented as not due to marrow suppression
    And it is documented that there is no sepsis
    And a platelet count of <earlier> 10*9/L on day +6 at 10:00
    And a platelet count of <latest> 10*9/L
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH platelet points are <points>
    And the JSTH result rests on rule "<rule>"

    Examples: No fall >= 30 %
      | earlier | latest | fall  | points | rule                      |
      | 200     | 141    | 29.5  | 0      | dic.jsth2017.platelets.0  |
      | 150     | 106    | 29.3  | 1      | dic.jsth2017.platelets.1  |
      | 100     | 130    | -30   | 0      | dic.jsth2017.platelets.0  |

    Examples: A fall >= 30 % adds 1 when the count is > 50
      | earlier | latest | fall  | points | rule                           |
      | 200     | 140    | 30    | 1      | dic.jsth2017.platelets.1_fall  |
      | 150     | 105    | 30    | 2      | dic.jsth2017.platelets.2_fall  |
      | 120     | 80     | 33.3  | 3      | dic.jsth2017.platelets.3_fall  |
      | 100     | 51     | 49    | 3      | dic.jsth2017.platelets.3_fall  |

    Examples: No fall point at <= 50; the item is capped at 3
      | earlier | latest | fall  | points | rule                      |
      | 100     | 50     | 50    | 3      | dic.jsth2017.platelets.3  |
      | 80      | 20     | 75    | 3      | dic.jsth2017.platelets.3  |

  Scenario: The fall is measured from the highest count in the preceding 24 h
    Given the thrombocytopenia is documented as not due to marrow suppression
    And it is documented that there is no sepsis
    And a platelet count of 200 10*9/L on day +6 at 10:00
    And a platelet count of 150 10*9/L on day +6 at 20:00
    And a platelet count of 140 10*9/L
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH platelet points are 1
    And the JSTH result rests on rule "dic.jsth2017.platelets.1_fall"

  Scenario Outline: FDP <fdp> mg/L scores <points>
    Given an FDP of <fdp> mg/L
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH FDP points are <points>
    And the JSTH score is <points>

    Examples:
      | fdp  | points |
      | 4    | 0      |
      | 9.9  | 0      |
      | 10   | 1      |
      | 19.9 | 1      |
      | 20   | 2      |
      | 39.9 | 2      |
      | 40   | 3      |
      | 100  | 3      |

  Scenario Outline: Basic type - fibrinogen <fibrinogen> <unit> scores <points>
    Given the thrombocytopenia is documented as not due to marrow suppression
    And it is documented that there is no sepsis
    And a fibrinogen level of <fibrinogen> <unit>
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH fibrinogen points are <points>
    And the JSTH score is <points>

    Examples:
      | fibrinogen | unit  | points |
      | 300        | mg/dL | 0      |
      | 151        | mg/dL | 0      |
      | 150        | mg/dL | 1      |
      | 101        | mg/dL | 1      |
      | 100        | mg/dL | 2      |
      | 50         | mg/dL | 2      |
      | 1.51       | g/L   | 0      |
      | 1.5        | g/L   | 1      |
      | 1.0        | g/L   | 2      |

  Scenario Outline: PT ratio <ratio> scores <points>
    Given a PT ratio of <ratio> {ratio}
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH PT points are <points>
    And the JSTH score is <points>

    Examples:
      | ratio | points |
      | 1.0   | 0      |
      | 1.24  | 0      |
      | 1.25  | 1      |
      | 1.66  | 1      |
      | 1.67  | 2      |
      | 2.4   | 2      |

  Scenario Outline: Antithrombin <at> % scores <points>
    Given an antithrombin activity of <at> %
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH antithrombin points are <points>
    And the JSTH score is <points>

    Examples:
      | at  | points |
      | 100 | 0      |
      | 71  | 0      |
      | 70  | 1      |
      | 35  | 1      |

  Scenario Outline: <marker> <value> <unit> with ULN <uln> (<multiple> x ULN) scores <points>
    Given <marker> of <value> <unit> with an upper reference limit of <uln> <unit>
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH TAT, soluble fibrin or F1+2 points are <points>
    And the JSTH score is <points>

    Examples:
      | marker                     | value | unit   | uln | multiple | points |
      | a TAT                      | 2     | ug/L   | 4   | 0.5      | 0      |
      | a TAT                      | 7.9   | ug/L   | 4   | 1.98     | 0      |
      | a TAT                      | 8     | ug/L   | 4   | 2        | 1      |
      | a TAT                      | 30    | ug/L   | 4   | 7.5      | 1      |
      | a soluble fibrin           | 13.9  | ug/mL  | 7   | 1.99     | 0      |
      | a soluble fibrin           | 14    | ug/mL  | 7   | 2        | 1      |
      | a prothrombin fragment 1+2 | 459   | pmol/L | 230 | 1.996    | 0      |
      | a prothrombin fragment 1+2 | 460   | pmol/L | 230 | 2        | 1      |

  Scenario: Any of TAT, soluble fibrin or F1+2 at >= 2 x ULN scores the item
    Given a TAT of 2 ug/L with an upper reference limit of 4 ug/L
    And a soluble fibrin of 20 ug/mL with an upper reference limit of 7 ug/mL
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH TAT, soluble fibrin or F1+2 points are 1

  Scenario: TAT without a reference range cannot be scored as a multiple of ULN
    Given a TAT of 30 ug/L
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH TAT, soluble fibrin or F1+2 points are indeterminate between 0 and 1
    And the JSTH assessment reports the TAT as missing

  Scenario: One marker measured below 2 x ULN scores 0 without the other two
    Given a soluble fibrin of 10 ug/mL with an upper reference limit of 7 ug/mL
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH TAT, soluble fibrin or F1+2 points are 0
    And the JSTH assessment reports nothing missing

  Scenario Outline: Liver failure - <case> scores <points>
    Given <condition>
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH liver failure points are <points>
    And the JSTH score is <points>

    Examples:
      | case                    | condition                                         | points |
      | hepatic failure         | a diagnosis of hepatic failure                    | -3     |
      | no hepatic failure      | it is documented that there is no hepatic failure | 0      |

  # ---------------------------------------------------------------- the type and its item set

  Scenario: Within a CAR-T episode the haematopoietic-disorder type applies - platelets are not scored
    Given a platelet count of 10 10*9/L on day +6 at 10:00
    And a platelet count of 5 10*9/L
    And a fibrinogen level of 0.8 g/L
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH platelet points are 0
    And the JSTH fibrinogen points are 2
    And the JSTH score is 2
    And the JSTH interpretation is not DIC (haematopoietic type)
    And the JSTH result rests on rule "dic.jsth2017.platelets.not_scored"

  Scenario: Documented absence of marrow suppression, with sepsis, gives the infectious type - fibrinogen is not scored
    Given the thrombocytopenia is documented as not due to marrow suppression
    And a diagnosis of sepsis
    And a platelet count of 10 10*9/L
    And a fibrinogen level of 0.8 g/L
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH platelet points are 3
    And the JSTH fibrinogen points are 0
    And the JSTH score is 3
    And the JSTH interpretation is not DIC (infectious type)
    And the JSTH result rests on rule "dic.jsth2017.fibrinogen.not_scored"

  Scenario: Documented absence of marrow suppression and of infection gives the basic type - every item is scored
    Given the thrombocytopenia is documented as not due to marrow suppression
    And it is documented that there is no sepsis
    And a platelet count of 10 10*9/L
    And a fibrinogen level of 0.8 g/L
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH platelet points are 3
    And the JSTH fibrinogen points are 2
    And the JSTH score is 5
    And the JSTH interpretation is not DIC (basic type)

  Scenario: A haematopoietic disorder takes precedence over an infection
    Given a CAR-T patient on day -2
    And the thrombocytopenia is documented as due to marrow suppression
    And a diagnosis of septic shock
    And a platelet count of 10 10*9/L
    And a fibrinogen level of 0.8 g/L
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH platelet points are 0
    And the JSTH fibrinogen points are 2
    And the JSTH interpretation is not DIC (haematopoietic type)

  Scenario: Before the infusion, septic shock gives the infectious type
    Given a CAR-T patient on day -2
    And a diagnosis of septic shock
    And a fibrinogen level of 0.8 g/L
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH fibrinogen points are 0
    And the JSTH interpretation is not DIC (infectious type)

  Scenario: An active haematological malignancy alone does not give the haematopoietic type (a tumour in remission with recovered counts is not it)
    Given a CAR-T patient on day -2
    And a diagnosis of acute lymphoblastic leukaemia
    And it is documented that there is no sepsis
    And a platelet count of 10 10*9/L
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH platelet points are 3
    And the JSTH interpretation is not DIC (basic type)

  Scenario: Infection not documented either way - basic or infectious type, fibrinogen and threshold undecided
    Given the thrombocytopenia is documented as not due to marrow suppression
    And a platelet count of 60 10*9/L
    And an FDP of 25 mg/L
    And a fibrinogen level of 0.8 g/L
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH fibrinogen points are indeterminate between 0 and 2
    And the JSTH score is indeterminate between 4 and 6
    And the JSTH interpretation is undecided
    And the JSTH assessment reports the infection as missing

  Scenario: With no infusion date and nothing documented the type is unknown
    Given a patient with no recorded CAR-T infusion on study day +7
    And it is documented that there is no sepsis
    And a platelet count of 10 10*9/L
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH platelet points are indeterminate between 0 and 3
    And the JSTH interpretation is undecided
    And the JSTH assessment reports the haematopoietic type as missing

  Scenario Outline: A site fixing the <setting> type scores every patient by it - <case>
    Given <patient>
    And the site parameter jsth.type is <setting>
    And a platelet count of 40 10*9/L
    And a fibrinogen level of 0.8 g/L
    And an FDP of 10 mg/L
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH platelet points are <platelets>
    And the JSTH fibrinogen points are <fibrinogen>
    And the JSTH score is <total>
    And the JSTH interpretation is <interpretation>
    And the JSTH assessment reports nothing missing

    Examples:
      | setting        | case                                  | patient                                   | platelets | fibrinogen | total | interpretation                                  |
      | basic          | within a CAR-T episode                | a diagnosis of diffuse large B-cell lymphoma | 3      | 2          | 6     | DIC (basic type fixed by the site)              |
      | infectious     | within a CAR-T episode, no sepsis     | a diagnosis of diffuse large B-cell lymphoma | 3      | 0          | 4     | not DIC (infectious type fixed by the site)     |
      | haematopoietic | with documented absence of marrow suppression | the thrombocytopenia is documented as not due to marrow suppression | 0 | 2 | 3 | not DIC (haematopoietic type fixed by the site) |

  Scenario Outline: A site fixing the type - its own threshold applies (<setting>: <total> is <interpretation>)
    Given a CAR-T patient on day -2
    And the site parameter jsth.type is <setting>
    And a platelet count of 100 10*9/L
    And an FDP of <fdp> mg/L
    And a fibrinogen level of 1.2 g/L
    And a PT ratio of 1.3 {ratio}
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH score is <total>
    And the JSTH interpretation is <interpretation>

    Examples:
      | setting        | fdp | total | interpretation                                  |
      | basic          | 10  | 4     | not DIC (basic type fixed by the site)          |
      | basic          | 20  | 5     | not DIC (basic type fixed by the site)          |
      | basic          | 40  | 6     | DIC (basic type fixed by the site)              |
      | haematopoietic | 4   | 2     | not DIC (haematopoietic type fixed by the site) |
      | haematopoietic | 10  | 3     | not DIC (haematopoietic type fixed by the site) |
      | haematopoietic | 20  | 4     | DIC (haematopoietic type fixed by the site)     |
      | infectious     | 10  | 3     | not DIC (infectious type fixed by the site)     |
      | infectious     | 20  | 4     | not DIC (infectious type fixed by the site)     |
      | infectious     | 40  | 5     | DIC (infectious type fixed by the site)         |

  # ---------------------------------------------------------------- totals and interpretation

  Scenario Outline: Basic type - total <total> is <interpretation>
    Given the thrombocytopenia is documented as not due to marrow suppression
    And it is documented that there is no sepsis
    And a platelet count of <platelets> 10*9/L
    And an FDP of <fdp> mg/L
    And a fibrinogen level of <fibrinogen> g/L
    And a PT ratio of <ratio> {ratio}
    And an antithrombin activity of <at> %
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH score is <total>
    And the JSTH interpretation is <interpretation>
    And the JSTH assessment reports nothing missing

    Examples:
      | platelets | fdp | fibrinogen | ratio | at  | total | interpretation    |
      | 250       | 4   | 3.0        | 1.0   | 100 | 0     | not DIC (basic type) |
      | 100       | 20  | 1.2        | 1.3   | 100 | 5     | not DIC (basic type) |
      | 100       | 20  | 1.2        | 1.3   | 70  | 6     | DIC (basic type)     |
      | 40        | 40  | 3.0        | 1.0   | 100 | 6     | DIC (basic type)     |
      | 40        | 40  | 0.8        | 1.8   | 50  | 11    | DIC (basic type)     |

  Scenario Outline: Haematopoietic type - total <total> is <interpretation>
    Given a platelet count of 20 10*9/L
    And an FDP of <fdp> mg/L
    And a fibrinogen level of <fibrinogen> g/L
    And a PT ratio of <ratio> {ratio}
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH platelet points are 0
    And the JSTH score is <total>
    And the JSTH interpretation is <interpretation>
    And the JSTH assessment reports nothing missing

    Examples:
      | fdp | fibrinogen | ratio | total | interpretation                 |
      | 4   | 3.0        | 1.0   | 0     | not DIC (haematopoietic type)  |
      | 20  | 3.0        | 1.3   | 3     | not DIC (haematopoietic type)  |
      | 20  | 1.2        | 1.3   | 4     | DIC (haematopoietic type)      |
      | 10  | 0.9        | 1.25  | 4     | DIC (haematopoietic type)      |
      | 40  | 0.8        | 1.8   | 7     | DIC (haematopoietic type)      |

  Scenario Outline: Infectious type - total <total> is <interpretation>
    Given the thrombocytopenia is documented as not due to marrow suppression
    And a diagnosis of sepsis
    And a platelet count of <platelets> 10*9/L
    And an FDP of <fdp> mg/L
    And a fibrinogen level of 0.5 g/L
    And a PT ratio of <ratio> {ratio}
    And a TAT of <tat> ug/L with an upper reference limit of 4 ug/L
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH fibrinogen points are 0
    And the JSTH score is <total>
    And the JSTH interpretation is <interpretation>
    And the JSTH assessment reports nothing missing

    Examples:
      | platelets | fdp | ratio | tat | total | interpretation             |
      | 250       | 4   | 1.0   | 2   | 0     | not DIC (infectious type)  |
      | 100       | 20  | 1.3   | 2   | 4     | not DIC (infectious type)  |
      | 100       | 20  | 1.3   | 8   | 5     | DIC (infectious type)      |
      | 40        | 20  | 1.0   | 2   | 5     | DIC (infectious type)      |

  Scenario Outline: A site on the 2016 draft threshold (>= 6) for the infectious type - total <total> is <interpretation>
    Given the site parameter jsth.infectious_dic_gte is 6
    And the thrombocytopenia is documented as not due to marrow suppression
    And a diagnosis of sepsis
    And a platelet count of 100 10*9/L
    And an FDP of 20 mg/L
    And a PT ratio of 1.3 {ratio}
    And a TAT of <tat> ug/L with an upper reference limit of 4 ug/L
    And an antithrombin activity of <at> %
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH score is <total>
    And the JSTH interpretation is <interpretation>

    Examples:
      | tat | at  | total | interpretation            |
      | 8   | 100 | 5     | not DIC (infectious type) |
      | 8   | 60  | 6     | DIC (infectious type)     |

  Scenario: Liver failure subtracts 3 points from the total
    Given the thrombocytopenia is documented as not due to marrow suppression
    And it is documented that there is no sepsis
    And a diagnosis of hepatic failure
    And a platelet count of 40 10*9/L
    And an FDP of 40 mg/L
    And a PT ratio of 1.3 {ratio}
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH liver failure points are -3
    And the JSTH score is 4
    And the JSTH interpretation is not DIC (basic type)

  # ---------------------------------------------------------------- missing data: bounded scoring

  Scenario Outline: Liver failure not recorded - the item is a range; <case>
    Given an FDP of <fdp> mg/L
    And a fibrinogen level of <fibrinogen> g/L
    And a PT ratio of 1.0 {ratio}
    And an antithrombin activity of 100 %
    And a TAT of 2 ug/L with an upper reference limit of 4 ug/L
    When the patient is evaluated
    Then the JSTH liver failure points are indeterminate between -3 and 0
    And the JSTH score is indeterminate between <lo> and <hi>
    And the JSTH interpretation is <interpretation>
    And the JSTH assessment reports the liver failure as missing

    Examples:
      | case                          | fdp | fibrinogen | lo | hi | interpretation                 |
      | not DIC whatever it is        | 4   | 3.0        | -3 | 0  | not DIC (haematopoietic type)  |
      | liver failure would decide    | 40  | 0.8        | 2  | 5  | undecided                      |

  Scenario: No laboratory results and nothing documented within a CAR-T episode
    When the patient is evaluated
    Then the JSTH score is indeterminate between -3 and 9
    And the JSTH interpretation is undecided
    And the JSTH assessment reports the FDP as missing
    And the JSTH assessment reports the fibrinogen level as missing
    And the JSTH assessment reports the PT ratio as missing
    And the JSTH assessment reports the antithrombin activity as missing
    And the JSTH assessment reports the TAT as missing
    And the JSTH assessment reports the soluble fibrin as missing
    And the JSTH assessment reports the F1+2 as missing
    And the JSTH assessment reports the liver failure as missing

  Scenario: A site that wants the fall to be unknown without an earlier count gets a range
    Given the site parameter jsth.platelet_fall_unknown_without_earlier is true
    And the thrombocytopenia is documented as not due to marrow suppression
    And it is documented that there is no sepsis
    And a platelet count of 100 10*9/L
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH platelet points are indeterminate between 1 and 2
    And the JSTH assessment reports the platelet fall as missing

  # ---------------------------------------------------------------- sites measuring only D-dimer (unverified footnote)

  Scenario: By default a missing FDP is not replaced by the D-dimer
    Given an FEU D-dimer of 3.0 mg/L with an upper reference limit of 0.5 mg/L
    And a fibrinogen level of 3.0 g/L
    And a PT ratio of 1.0 {ratio}
    And an antithrombin activity of 100 %
    And a TAT of 2 ug/L with an upper reference limit of 4 ug/L
    And it is documented that there is no hepatic failure
    When the patient is evaluated
    Then the JSTH FDP points are indeterminate between 0 and 3
    And the JSTH assessment reports the FDP as missing

  Scenario Outline: A D-dimer-only site scores <ddimer> <type> D-dimer (ULN <uln> mg/L) as <points>
    Given the site parameter jsth.ddimer_only_rule is true
    And <type> D-dimer of <ddimer> mg/L with an upper reference limit of <uln> mg/L
    And a fibrinogen level of 3.0 g/L
    And a PT ratio of 1.0 {ratio}
    And an antithrombin activity of 100 %
    And a TAT of 2 ug/L with an upper reference limit of 4 ug/L
    And it is documented that there is no hepatic failure
    When the patient is evaluated
    Then the JSTH FDP points are <points>
    And the JSTH result rests on rule "<rule>"

    Examples:
      | type   | ddimer | uln  | points | rule                               |
      | an FEU | 0.99   | 0.5  | 0      | dic.jsth2017.fdp.ddimer_only.0     |
      | an FEU | 1.0    | 0.5  | 1      | dic.jsth2017.fdp.ddimer_only.1     |
      | an FEU | 10.0   | 0.5  | 1      | dic.jsth2017.fdp.ddimer_only.1     |
      | a DDU  | 0.5    | 0.25 | 1      | dic.jsth2017.fdp.ddimer_only.1     |

  Scenario: A D-dimer-only site still scores an FDP when one is measured
    Given the site parameter jsth.ddimer_only_rule is true
    And an FEU D-dimer of 3.0 mg/L with an upper reference limit of 0.5 mg/L
    And an FDP of 4 mg/L
    And the other JSTH findings are normal
    When the patient is evaluated
    Then the JSTH FDP points are 0
    And the JSTH result rests on rule "dic.jsth2017.fdp.0"
