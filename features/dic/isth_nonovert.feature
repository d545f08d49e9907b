@dic
Feature: ISTH non-overt DIC score (serial data)
  Read beside Taylor FB Jr et al., Thromb Haemost 2001;86:1327-1330 (non-overt algorithm) and
  shared/domain/dic.md section 2. Items: underlying disorder (present 2, absent 0); platelets < 100
  x10^9/L (1) with trend rising -1 / stable 0 / falling +1; PT prolonged > 3 s above the laboratory's
  ULN (1) with trend falling -1 / stable 0 / rising +1; soluble fibrin or FDP raised (above ULN: 1)
  with the same trend points; antithrombin and protein C normal -1 / low +1; TAT normal -1 / high +1.
  Range -6 to 11; no diagnostic cut-off is published, so the score and its trends are reported with
  no interpretation.
  A trend is the change since the previous value within 48 h (isth_nonovert.trend_window_hours);
  a change of more than +10 % is rising, of less than -10 % falling, anything in between (inclusive)
  stable [U defaults]. Antithrombin is low below 80 %, protein C below 70 % [U defaults].
  Labs are drawn at 06:00 (today is day +7; "the day before" is day +6) and the patient is evaluated
  at 08:00. "Normal and stable" adds, for each item not given, a 0-point (or -1-point) result today,
  and the same result the day before for the serial items (platelets, PT, FDP).

  # ---------------------------------------------------------------- each item, each boundary

  Scenario Outline: Platelets <platelets> x10^9/L, unchanged since the day before, score <points>
    Given a CAR-T patient on day +7
    And a platelet count of <platelets> 10*9/L on day +6
    And a platelet count of <platelets> 10*9/L
    And the other ISTH non-overt results are normal and stable
    When the patient is evaluated
    Then the ISTH non-overt platelet points are <points>
    And the ISTH non-overt platelet trend is stable
    And the ISTH non-overt score is <score>
    And the ISTH non-overt assessment reports nothing missing

    Examples:
      | platelets | points | score |
      | 250       | 0      | -1    |
      | 100       | 0      | -1    |
      | 99.9      | 1      | 0     |
      | 99        | 1      | 0     |
      | 5         | 1      | 0     |

  Scenario Outline: Platelets 100 the day before, <platelets> today (<change>): trend <trend>, <points> + <trend_points>
    Given a CAR-T patient on day +7
    And a platelet count of 100 10*9/L on day +6
    And a platelet count of <platelets> 10*9/L
    And the other ISTH non-overt results are normal and stable
    When the patient is evaluated
    Then the ISTH non-overt platelet trend is <trend>
    And the ISTH non-overt platelet trend points are <trend_points>
    And the ISTH non-overt platelet points are <points>
    And the ISTH non-overt score is <score>

    Examples:
      | platelets | change  | trend   | trend_points | points | score |
      | 130       | +30 %   | rising  | -1           | 0      | -2    |
      | 110.1     | +10.1 % | rising  | -1           | 0      | -2    |
      | 110       | +10 %   | stable  | 0            | 0      | -1    |
      | 100       | 0 %     | stable  | 0            | 0      | -1    |
      | 90        | -10 %   | stable  | 0            | 1      | 0     |
      | 89.9      | -10.1 % | falling | 1            | 1      | 1     |
      | 50        | -50 %   | falling | 1            | 1      | 1     |

  Scenario Outline: PT <pt> s with ULN 13 s (<prolongation> s above ULN), unchanged, scores <points>
    Given a CAR-T patient on day +7
    And a prothrombin time of <pt> s with an upper reference limit of 13.0 s on day +6
    And a prothrombin time of <pt> s with an upper reference limit of 13.0 s
    And the other ISTH non-overt results are normal and stable
    When the patient is evaluated
    Then the ISTH non-overt PT points are <points>
    And the ISTH non-overt PT trend is stable
    And the ISTH non-overt score is <score>

    Examples: Taylor 2001 prints "> 3 s": exactly 3 s above ULN scores 0
      | pt   | prolongation | points | score |
      | 12.0 | -1           | 0      | -1    |
      | 16.0 | +3           | 0      | -1    |
      | 16.1 | +3.1         | 1      | 0     |
      | 20.0 | +7           | 1      | 0     |

  Scenario Outline: PT 20.0 s the day before, <pt> s today (<change>): trend <trend>
    Given a CAR-T patient on day +7
    And a prothrombin time of 20.0 s with an upper reference limit of 13.0 s on day +6
    And a prothrombin time of <pt> s with an upper reference limit of 13.0 s
    And the other ISTH non-overt results are normal and stable
    When the patient is evaluated
    Then the ISTH non-overt PT trend is <trend>
    And the ISTH non-overt PT trend points are <trend_points>
    And the ISTH non-overt PT points are <points>
    And the ISTH non-overt score is <score>

    Examples:
      | pt   | change  | trend   | trend_points | points | score |
      | 22.1 | +10.5 % | rising  | 1            | 1      | 1     |
      | 22.0 | +10 %   | stable  | 0            | 1      | 0     |
      | 20.0 | 0 %     | stable  | 0            | 1      | 0     |
      | 18.0 | -10 %   | stable  | 0            | 1      | 0     |
      | 17.9 | -10.5 % | falling | -1           | 1      | -1    |
      | 14.0 | -30 %   | falling | -1           | 0      | -2    |

  Scenario Outline: FDP <fdp> mg/L with ULN 5 mg/L (<multiple> x ULN), unchanged, scores <points>
    Given a CAR-T patient on day +7
    And an FDP of <fdp> mg/L with an upper reference limit of 5 mg/L on day +6
    And an FDP of <fdp> mg/L with an upper reference limit of 5 mg/L
    And the other ISTH non-overt results are normal and stable
    When the patient is evaluated
    Then the ISTH non-overt fibrin marker points are <points>
    And the ISTH non-overt fibrin marker trend is stable
    And the ISTH non-overt score is <score>

    Examples:
      | fdp | multiple | points | score |
      | 3   | 0.6      | 0      | -1    |
      | 5   | 1        | 0      | -1    |
      | 5.1 | 1.02     | 1      | 0     |
      | 20  | 4        | 1      | 0     |

  Scenario Outline: FDP 10 mg/L the day before, <fdp> mg/L today (<change>): trend <trend>
    Given a CAR-T patient on day +7
    And an FDP of 10 mg/L with an upper reference limit of 5 mg/L on day +6
    And an FDP of <fdp> mg/L with an upper reference limit of 5 mg/L
    And the other ISTH non-overt results are normal and stable
    When the patient is evaluated
    Then the ISTH non-overt fibrin marker trend is <trend>
    And the ISTH non-overt fibrin marker trend points are <trend_points>
    And the ISTH non-overt fibrin marker points are 1
    And the ISTH non-overt score is <score>

    Examples:
      | fdp  | change | trend   | trend_points | score |
      | 11.1 | +11 %  | rising  | 1            | 1     |
      | 11   | +10 %  | stable  | 0            | 0     |
      | 9    | -10 %  | stable  | 0            | 0     |
      | 8.9  | -11 %  | falling | -1           | -1    |

  Scenario: Soluble fibrin is read before FDP
    Given a CAR-T patient on day +7
    And a soluble fibrin of 3 ug/mL with an upper reference limit of 5 ug/mL on day +6
    And a soluble fibrin of 3 ug/mL with an upper reference limit of 5 ug/mL
    And an FDP of 20 mg/L with an upper reference limit of 5 mg/L on day +6
    And an FDP of 30 mg/L with an upper reference limit of 5 mg/L
    And the other ISTH non-overt results are normal and stable
    When the patient is evaluated
    Then the ISTH non-overt fibrin marker points are 0
    And the ISTH non-overt fibrin marker trend is stable
    And the ISTH non-overt result rests on rule "dic.isth2001.nonovert.marker.0"

  Scenario: A soluble fibrin with no previous value: the trend is FDP's (first marker with serial data)
    Given a CAR-T patient on day +7
    And a soluble fibrin of 8 ug/mL with an upper reference limit of 5 ug/mL
    And an FDP of 10 mg/L with an upper reference limit of 5 mg/L on day +6
    And an FDP of 15 mg/L with an upper reference limit of 5 mg/L
    And the other ISTH non-overt results are normal and stable
    When the patient is evaluated
    Then the ISTH non-overt fibrin marker points are 1
    And the ISTH non-overt fibrin marker trend is rising
    And the ISTH non-overt score is 1

  Scenario Outline: Antithrombin <at> % is <state> (<points>)
    Given a CAR-T patient on day +7
    And an antithrombin activity of <at> %
    And the other ISTH non-overt results are normal and stable
    When the patient is evaluated
    Then the ISTH non-overt antithrombin points are <points>
    And the ISTH non-overt score is <score>

    Examples:
      | at   | state  | points | score |
      | 100  | normal | -1     | -1    |
      | 80   | normal | -1     | -1    |
      | 79.9 | low    | 1      | 1     |
      | 50   | low    | 1      | 1     |

  Scenario Outline: Protein C <pc> % is <state> (<points>)
    Given a CAR-T patient on day +7
    And a protein C activity of <pc> %
    And the other ISTH non-overt results are normal and stable
    When the patient is evaluated
    Then the ISTH non-overt protein C points are <points>
    And the ISTH non-overt score is <score>

    Examples:
      | pc   | state  | points | score |
      | 100  | normal | -1     | -1    |
      | 70   | normal | -1     | -1    |
      | 69.9 | low    | 1      | 1     |
      | 40   | low    | 1      | 1     |

  Scenario Outline: TAT <tat> ug/L with ULN 4 ug/L is <state> (<points>)
    Given a CAR-T patient on day +7
    And a TAT of <tat> ug/L with an upper reference limit of 4 ug/L
    And the other ISTH non-overt results are normal and stable
    When the patient is evaluated
    Then the ISTH non-overt TAT points are <points>
    And the ISTH non-overt score is <score>

    Examples:
      | tat | state  | points | score |
      | 2   | normal | -1     | -1    |
      | 4   | normal | -1     | -1    |
      | 4.1 | high   | 1      | 1     |
      | 12  | high   | 1      | 1     |

  # ---------------------------------------------------------------- underlying disorder

  Scenario: Within a CAR-T episode the underlying disorder scores 2
    Given a CAR-T patient on day +7
    And the other ISTH non-overt results are normal and stable
    When the patient is evaluated
    Then the ISTH non-overt underlying disorder points are 2
    And the ISTH non-overt result rests on rule "dic.isth2001.nonovert.underlying.cart_episode"

  Scenario: A recorded disorder associated with DIC scores 2 without a CAR-T record
    Given a patient with no recorded CAR-T infusion on study day +7
    And a diagnosis of acute lymphoblastic leukaemia
    And the other ISTH non-overt results are normal and stable
    When the patient is evaluated
    Then the ISTH non-overt underlying disorder points are 2
    And the ISTH non-overt score is -1

  Scenario: Before the infusion, with no disorder associated with DIC recorded, the item is unknown
    Given a CAR-T patient on day -2
    And the other ISTH non-overt results are normal and stable
    When the patient is evaluated
    Then the ISTH non-overt underlying disorder points are unknown between 0 and 2
    And the ISTH non-overt score is unknown between -3 and -1
    And the ISTH non-overt assessment reports the underlying disorder as missing

  Scenario: A site may assume an unrecorded disorder absent (0), and the result says so
    Given the site parameter isth_nonovert.unrecorded_underlying_disorder_unknown is false
    And a CAR-T patient on day -2
    And the other ISTH non-overt results are normal and stable
    When the patient is evaluated
    Then the ISTH non-overt underlying disorder points are 0
    And the ISTH non-overt score is -3
    And the ISTH non-overt result rests on rule "dic.isth2001.nonovert.underlying.none"
    And the ISTH non-overt assessment states the assumption "no disorder associated with DIC (Condition) recorded: assumed absent"

  Scenario: A documented absence scores 0 without any site setting
    Given a CAR-T patient on day -2
    And it is documented that there is no sepsis
    And the other ISTH non-overt results are normal and stable
    When the patient is evaluated
    Then the ISTH non-overt underlying disorder points are 0
    And the ISTH non-overt score is -3

  # ---------------------------------------------------------------- the range of the score

  Scenario: Everything at its best scores -6
    Given the site parameter isth_nonovert.unrecorded_underlying_disorder_unknown is false
    And a CAR-T patient on day -2
    And a platelet count of 150 10*9/L on day -3
    And a platelet count of 200 10*9/L
    And a prothrombin time of 16.0 s with an upper reference limit of 13.0 s on day -3
    And a prothrombin time of 13.0 s with an upper reference limit of 13.0 s
    And an FDP of 5 mg/L with an upper reference limit of 5 mg/L on day -3
    And an FDP of 4 mg/L with an upper reference limit of 5 mg/L
    And an antithrombin activity of 100 %
    And a protein C activity of 100 %
    And a TAT of 2 ug/L with an upper reference limit of 4 ug/L
    When the patient is evaluated
    Then the ISTH non-overt score is -6
    And the ISTH non-overt platelet trend is rising
    And the ISTH non-overt PT trend is falling
    And the ISTH non-overt fibrin marker trend is falling
    And the assessment dic.isth2001.nonovert has no interpretation

  Scenario: Everything at its worst scores 11
    Given a CAR-T patient on day +7
    And a platelet count of 80 10*9/L on day +6
    And a platelet count of 40 10*9/L
    And a prothrombin time of 16.0 s with an upper reference limit of 13.0 s on day +6
    And a prothrombin time of 20.0 s with an upper reference limit of 13.0 s
    And an FDP of 10 mg/L with an upper reference limit of 5 mg/L on day +6
    And an FDP of 30 mg/L with an upper reference limit of 5 mg/L
    And an antithrombin activity of 50 %
    And a protein C activity of 40 %
    And a TAT of 12 ug/L with an upper reference limit of 4 ug/L
    When the patient is evaluated
    Then the ISTH non-overt score is 11
    And the ISTH non-overt platelet trend is falling
    And the ISTH non-overt PT trend is rising
    And the ISTH non-overt fibrin marker trend is rising
    And the assessment dic.isth2001.nonovert has no interpretation
    And the ISTH non-overt assessment reports nothing missing

  # ---------------------------------------------------------------- serial data and missing data

  Scenario: With no previous value the trends are unknown and reported missing
    Given a CAR-T patient on day +7
    And a platelet count of 80 10*9/L
    And a prothrombin time of 17.0 s with an upper reference limit of 13.0 s
    And an FDP of 10 mg/L with an upper reference limit of 5 mg/L
    And an antithrombin activity of 100 %
    And a protein C activity of 100 %
    And a TAT of 2 ug/L with an upper reference limit of 4 ug/L
    When the patient is evaluated
    Then the ISTH non-overt platelet points are 1
    And the ISTH non-overt platelet trend points are unknown between -1 and 1
    And the ISTH non-overt PT trend points are unknown between -1 and 1
    And the ISTH non-overt fibrin marker trend points are unknown between -1 and 1
    And the ISTH non-overt score is unknown between -1 and 5
    And the ISTH non-overt assessment reports the platelet trend as missing
    And the ISTH non-overt assessment reports the PT trend as missing
    And the ISTH non-overt assessment reports the fibrin marker trend as missing
    And the assessment dic.isth2001.nonovert has no interpretation

  Scenario Outline: A previous platelet count taken <when> is <used> for the trend (48-h window)
    Given a CAR-T patient on day +7
    And a platelet count of 200 10*9/L on day +5 at <time>
    And a platelet count of 80 10*9/L
    And the other ISTH non-overt results are normal and stable
    When the patient is evaluated
    Then the ISTH non-overt platelet trend points are <trend>

    Examples:
      | when                     | time  | used     | trend                        |
      | 48 h before the latest   | 06:00 | used     | 1                            |
      | 49 h before the latest   | 05:00 | not used | unknown between -1 and 1     |

  Scenario: Antithrombin, protein C and TAT not measured: each is -1 to +1
    Given a CAR-T patient on day +7
    And a platelet count of 250 10*9/L on day +6
    And a platelet count of 250 10*9/L
    And a prothrombin time of 12.0 s with an upper reference limit of 13.0 s on day +6
    And a prothrombin time of 12.0 s with an upper reference limit of 13.0 s
    And an FDP of 3 mg/L with an upper reference limit of 5 mg/L on day +6
    And an FDP of 3 mg/L with an upper reference limit of 5 mg/L
    When the patient is evaluated
    Then the ISTH non-overt antithrombin points are unknown between -1 and 1
    And the ISTH non-overt protein C points are unknown between -1 and 1
    And the ISTH non-overt TAT points are unknown between -1 and 1
    And the ISTH non-overt score is unknown between -1 and 5
    And the ISTH non-overt assessment reports the antithrombin as missing
    And the ISTH non-overt assessment reports the protein C as missing
    And the ISTH non-overt assessment reports the TAT as missing

  Scenario: A TAT without a reference range cannot be called high or normal
    Given a CAR-T patient on day +7
    And a TAT of 6 ug/L
    And the other ISTH non-overt results are normal and stable
    When the patient is evaluated
    Then the ISTH non-overt TAT points are unknown between -1 and 1
    And the ISTH non-overt assessment reports the TAT as missing

  Scenario: No coagulation results at all
    Given a CAR-T patient on day +7
    When the patient is evaluated
    Then the ISTH non-overt score is unknown between -4 and 11
    And the ISTH non-overt assessment reports the platelet count as missing
    And the ISTH non-overt assessment reports the PT prolongation as missing
    And the ISTH non-overt assessment reports the fibrin marker as missing
    And the ISTH non-overt assessment reports the platelet trend as missing
    And the assessment dic.isth2001.nonovert has no interpretation
