@dic
Feature: JAAM acute DIC score (Gando 2006)
  Read beside Gando S et al., Crit Care Med 2006;34:625-631 and shared/domain/dic.md sections 0
  and 3. Items: SIRS criteria (0-2 -> 0, >= 3 -> 1, from the sirs.bone1992 count); platelets
  (>= 120 -> 0; >= 80 and < 120, or a fall > 30 % within 24 h -> 1; < 80, or a fall > 50 % within
  24 h -> 3); FDP (< 10 -> 0; >= 10 and < 25 -> 1; >= 25 -> 3 ug/mL = mg/L); PT ratio (< 1.2 -> 0;
  >= 1.2 -> 1). DIC if the total is >= 4. The fall is measured from the highest count in the 24 h
  before the latest one; with no earlier count, no fall is assumed and the result says so.
  JAAM is not recommended after CAR-T (dic.md section 0): it is encoded for completeness.
  Labs are drawn at 06:00 on day +7 and the patient is evaluated at 08:00 (labs look back 36 h).

  # ---------------------------------------------------------------- each row, each boundary

  Scenario Outline: <n> SIRS criteria score <points>
    Given a CAR-T patient on day +7
    And the patient meets <n> SIRS criteria
    And the other JAAM laboratory results are normal
    When the patient is evaluated
    Then the JAAM SIRS points are <points>
    And the JAAM score is <points>
    And the JAAM interpretation is not DIC
    And the JAAM assessment reports nothing missing

    Examples:
      | n | points |
      | 0 | 0      |
      | 1 | 0      |
      | 2 | 0      |
      | 3 | 1      |
      | 4 | 1      |

  Scenario Outline: A single platelet count of <platelets> x10^9/L scores <points>
    Given a CAR-T patient on day +7
    And the patient meets 0 SIRS criteria
    And a platelet count of <platelets> 10*9/L
    And the other JAAM laboratory results are normal
    When the patient is evaluated
    Then the JAAM platelet points are <points>
    And the JAAM score is <points>
    And the JAAM result rests on rule "<rule>"

    Examples:
      | platelets | points | rule                  |
      | 250       | 0      | dic.jaam.platelets.0  |
      | 120       | 0      | dic.jaam.platelets.0  |
      | 119.9     | 1      | dic.jaam.platelets.1  |
      | 100       | 1      | dic.jaam.platelets.1  |
      | 80        | 1      | dic.jaam.platelets.1  |
      | 79.9      | 3      | dic.jaam.platelets.3  |
      | 20        | 3      | dic.jaam.platelets.3  |

  Scenario: With a single count no fall can be measured: none is assumed, and the result says so
    Given a CAR-T patient on day +7
    And the patient meets 0 SIRS criteria
    And a platelet count of 100 10*9/L
    And the other JAAM laboratory results are normal
    When the patient is evaluated
    Then the JAAM platelet points are 1
    And the JAAM assessment states the assumption "no change could be measured; assumed none"

  Scenario Outline: Platelets <earlier> on day +6 at 10:00, then <latest> (a fall of <fall> %) score <points>
    Given a CAR-T patient on day +7
    And the patient meets 0 SIRS criteria
    And a platelet count of <earlier> 10*9/L on day +6 at 10:00
    And a platelet count of <latest> 10*9/L
    And the other JAAM laboratory results are normal
    When the patient is evaluated
    Then the JAAM platelet points are <points>
    And the JAAM score is <points>
    And the JAAM result rests on rule "<rule>"

    Examples: No fall > 30 %
      | earlier | latest | fall  | points | rule                      |
      | 200     | 140    | 30    | 0      | dic.jaam.platelets.0      |
      | 130     | 200    | -54   | 0      | dic.jaam.platelets.0      |
      | 110     | 100    | 9     | 1      | dic.jaam.platelets.1      |

    Examples: A fall > 30 % (and <= 50 %) scores 1
      | earlier | latest | fall  | points | rule                      |
      | 200     | 139    | 30.5  | 1      | dic.jaam.platelets.1_fall |
      | 300     | 150    | 50    | 1      | dic.jaam.platelets.1_fall |
      | 200     | 100    | 50    | 1      | dic.jaam.platelets.1      |

    Examples: A fall > 50 % scores 3
      | earlier | latest | fall  | points | rule                      |
      | 300     | 149    | 50.3  | 3      | dic.jaam.platelets.3_fall |
      | 200     | 99     | 50.5  | 3      | dic.jaam.platelets.3_fall |
      | 150     | 70     | 53    | 3      | dic.jaam.platelets.3      |

  Scenario: The fall is measured from the highest count in the preceding 24 h, not the previous one
    Given a CAR-T patient on day +7
    And the patient meets 0 SIRS criteria
    And a platelet count of 300 10*9/L on day +6 at 10:00
    And a platelet count of 200 10*9/L on day +6 at 20:00
    And a platelet count of 140 10*9/L
    And the other JAAM laboratory results are normal
    When the patient is evaluated
    Then the JAAM platelet points are 3
    And the JAAM result rests on rule "dic.jaam.platelets.3_fall"

  Scenario: A count taken more than 24 hours before the latest one is not a reference for the fall
    Given a CAR-T patient on day +7
    And the patient meets 0 SIRS criteria
    And a platelet count of 300 10*9/L on day +6 at 05:00
    And a platelet count of 130 10*9/L
    And the other JAAM laboratory results are normal
    When the patient is evaluated
    Then the JAAM platelet points are 0
    And the JAAM assessment states the assumption "no change could be measured; assumed none"

  Scenario Outline: FDP <fdp> mg/L scores <points>
    Given a CAR-T patient on day +7
    And the patient meets 0 SIRS criteria
    And an FDP of <fdp> mg/L
    And the other JAAM laboratory results are normal
    When the patient is evaluated
    Then the JAAM FDP points are <points>
    And the JAAM score is <points>

    Examples:
      | fdp  | points |
      | 4    | 0      |
      | 9.9  | 0      |
      | 10   | 1      |
      | 24.9 | 1      |
      | 25   | 3      |
      | 60   | 3      |

  Scenario Outline: PT ratio <ratio> scores <points>
    Given a CAR-T patient on day +7
    And the patient meets 0 SIRS criteria
    And a PT ratio of <ratio> {ratio}
    And the other JAAM laboratory results are normal
    When the patient is evaluated
    Then the JAAM PT points are <points>
    And the JAAM score is <points>

    Examples:
      | ratio | points |
      | 1.0   | 0      |
      | 1.19  | 0      |
      | 1.2   | 1      |
      | 1.8   | 1      |

  # ---------------------------------------------------------------- totals and interpretation

  Scenario Outline: Total <score> is <interpretation>
    Given a CAR-T patient on day +7
    And the patient meets <n> SIRS criteria
    And a platelet count of <platelets> 10*9/L
    And an FDP of <fdp> mg/L
    And a PT ratio of <ratio> {ratio}
    When the patient is evaluated
    Then the JAAM SIRS points are <s>
    And the JAAM platelet points are <p>
    And the JAAM FDP points are <f>
    And the JAAM PT points are <t>
    And the JAAM score is <score>
    And the JAAM interpretation is <interpretation>
    And the JAAM assessment reports nothing missing

    Examples:
      | n | platelets | fdp | ratio | s | p | f | t | score | interpretation |
      | 0 | 250       | 4   | 1.0   | 0 | 0 | 0 | 0 | 0     | not DIC        |
      | 3 | 100       | 12  | 1.1   | 1 | 1 | 1 | 0 | 3     | not DIC        |
      | 2 | 60        | 9   | 1.19  | 0 | 3 | 0 | 0 | 3     | not DIC        |
      | 3 | 100       | 12  | 1.2   | 1 | 1 | 1 | 1 | 4     | DIC            |
      | 0 | 60        | 10  | 1.0   | 0 | 3 | 1 | 0 | 4     | DIC            |
      | 2 | 130       | 30  | 1.3   | 0 | 0 | 3 | 1 | 4     | DIC            |
      | 4 | 50        | 40  | 1.5   | 1 | 3 | 3 | 1 | 8     | DIC            |

  # ---------------------------------------------------------------- the documented conflict

  Scenario Outline: A site on the PMC3962548 table (2 points) scores <what> as <points>
    Given a CAR-T patient on day +7
    And the site parameter jaam.severe_item_points is 2
    And the patient meets 0 SIRS criteria
    And a platelet count of <earlier> 10*9/L on day +6 at 10:00
    And a platelet count of <platelets> 10*9/L
    And an FDP of <fdp> mg/L
    And a PT ratio of 1.0 {ratio}
    When the patient is evaluated
    Then the JAAM platelet points are <p>
    And the JAAM FDP points are <f>
    And the JAAM score is <score>
    And the JAAM interpretation is <interpretation>

    Examples:
      | what                         | earlier | platelets | fdp | p | f | score | interpretation |
      | platelets < 80               | 70      | 60        | 4   | 2 | 0 | 2     | not DIC        |
      | a platelet fall > 50 %       | 300     | 140       | 4   | 2 | 0 | 2     | not DIC        |
      | FDP >= 25                    | 200     | 200       | 25  | 0 | 2 | 2     | not DIC        |
      | platelets < 80 and FDP >= 25 | 70      | 60        | 30  | 2 | 2 | 4     | DIC            |

  # ---------------------------------------------------------------- missing data: bounded scoring

  Scenario Outline: No FDP - the score is a range; <case>
    Given a CAR-T patient on day +7
    And the patient meets <n> SIRS criteria
    And a platelet count of <platelets> 10*9/L
    And a PT ratio of <ratio> {ratio}
    When the patient is evaluated
    Then the JAAM FDP points are indeterminate between 0 and 3
    And the JAAM score is indeterminate between <lo> and <hi>
    And the JAAM interpretation is <interpretation>
    And the JAAM assessment reports the FDP as missing

    Examples:
      | case                        | n | platelets | ratio | lo | hi | interpretation |
      | DIC whatever the FDP        | 3 | 60        | 1.0   | 4  | 7  | DIC            |
      | the FDP would decide        | 0 | 100       | 1.3   | 2  | 5  | undecided      |

  Scenario: SIRS undecided (no respiratory rate, PaCO2 or blood count) - the JAAM SIRS item is a range
    Given a CAR-T patient on day +7
    And a temperature of 38.8 Cel
    And a heart rate of 120 /min
    And a platelet count of 100 10*9/L
    And an FDP of 12 mg/L
    And a PT ratio of 1.0 {ratio}
    When the patient is evaluated
    Then the SIRS criteria count is indeterminate between 2 and 4
    And the JAAM SIRS points are indeterminate between 0 and 1
    And the JAAM score is indeterminate between 2 and 3
    And the JAAM interpretation is not DIC
    And the JAAM assessment reports the SIRS criteria count as missing

  Scenario: SIRS undecided and the SIRS item would decide
    Given a CAR-T patient on day +7
    And a temperature of 38.8 Cel
    And a heart rate of 120 /min
    And a platelet count of 100 10*9/L
    And an FDP of 12 mg/L
    And a PT ratio of 1.3 {ratio}
    When the patient is evaluated
    Then the JAAM score is indeterminate between 3 and 4
    And the JAAM interpretation is undecided
    And the JAAM assessment reports the SIRS criteria count as missing

  Scenario: A site that wants the fall to be unknown without an earlier count gets a range
    Given a CAR-T patient on day +7
    And the site parameter jaam.platelet_fall_unknown_without_earlier is true
    And the patient meets 0 SIRS criteria
    And a platelet count of 250 10*9/L
    And the other JAAM laboratory results are normal
    When the patient is evaluated
    Then the JAAM platelet points are indeterminate between 0 and 3
    And the JAAM score is indeterminate between 0 and 3
    And the JAAM interpretation is not DIC
    And the JAAM assessment reports the platelet fall as missing

  Scenario: ... and with an earlier count the fall is measured as usual
    Given a CAR-T patient on day +7
    And the site parameter jaam.platelet_fall_unknown_without_earlier is true
    And the patient meets 0 SIRS criteria
    And a platelet count of 260 10*9/L on day +6 at 10:00
    And a platelet count of 250 10*9/L
    And the other JAAM laboratory results are normal
    When the patient is evaluated
    Then the JAAM platelet points are 0
    And the JAAM score is 0

  Scenario: No laboratory results and no vital signs at all
    Given a CAR-T patient on day +7
    When the patient is evaluated
    Then the JAAM score is indeterminate between 0 and 8
    And the JAAM interpretation is undecided
    And the JAAM assessment reports the SIRS criteria count as missing
    And the JAAM assessment reports the platelet count as missing
    And the JAAM assessment reports the FDP as missing
    And the JAAM assessment reports the PT ratio as missing

  Scenario: The result says JAAM is not designed for CAR-T patients
    Given a CAR-T patient on day +7
    And the patient meets 0 SIRS criteria
    And the other JAAM laboratory results are normal
    When the patient is evaluated
    Then the JAAM score is 0
    And the JAAM assessment states the assumption "not recommended after CAR-T"
