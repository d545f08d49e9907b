@dic
Feature: SIRS criteria count (ACCP/SCCM 1992), read by the JAAM acute DIC score
  Read beside Bone RC et al., Chest 1992;101:1644-1655 and rules/sirs/bone1992.yaml.
  Four criteria, each met or not: temperature > 38 or < 36 C; heart rate > 90/min; respiratory
  rate > 20/min or PaCO2 < 32 mmHg; white cells > 12 or < 4 x10^9/L or > 10 % band forms.
  SIRS = two or more. Each criterion is judged on the most abnormal value in its window (vital
  signs 24 h, white cells 36 h). "The patient meets N SIRS criteria" charts every part of every
  criterion at 06:00, the first N abnormal (temperature, heart rate, respiratory, white cells).

  # ---------------------------------------------------------------- each criterion, each boundary

  Scenario Outline: Temperature <temperature> C - the temperature criterion is <state>
    Given a CAR-T patient on day +3
    And the patient meets 0 SIRS criteria
    And a temperature of <temperature> Cel at 04:00
    When the patient is evaluated
    Then the SIRS temperature criterion is <state>
    And the SIRS criteria count is <count>

    Examples:
      | temperature | state   | count |
      | 39.5        | met     | 1     |
      | 38.1        | met     | 1     |
      | 38.0        | not met | 0     |
      | 37.0        | not met | 0     |
      | 36.0        | not met | 0     |
      | 35.9        | met     | 1     |
      | 34.5        | met     | 1     |

  Scenario Outline: Heart rate <rate>/min - the heart-rate criterion is <state>
    Given a CAR-T patient on day +3
    And the patient meets 0 SIRS criteria
    And a heart rate of <rate> /min at 04:00
    When the patient is evaluated
    Then the SIRS heart rate criterion is <state>
    And the SIRS criteria count is <count>

    Examples:
      | rate | state   | count |
      | 60   | not met | 0     |
      | 90   | not met | 0     |
      | 91   | met     | 1     |
      | 130  | met     | 1     |

  Scenario Outline: Respiratory rate <rate>/min and PaCO2 <paco2> mmHg - the respiratory criterion is <state>
    Given a CAR-T patient on day +3
    And a temperature of 37.0 Cel
    And a heart rate of 80 /min
    And a white cell count of 7 10*9/L
    And a band neutrophil fraction of 3 %
    And a respiratory rate of <rate> /min
    And a PaCO2 of <paco2> mm[Hg]
    When the patient is evaluated
    Then the SIRS respiratory criterion is <state>
    And the SIRS criteria count is <count>

    Examples:
      | rate | paco2 | state   | count |
      | 16   | 40    | not met | 0     |
      | 20   | 32    | not met | 0     |
      | 21   | 40    | met     | 1     |
      | 16   | 31.9  | met     | 1     |
      | 28   | 25    | met     | 1     |

  Scenario Outline: White cells <wbc> x10^9/L with <bands> % bands - the white-cell criterion is <state>
    Given a CAR-T patient on day +3
    And a temperature of 37.0 Cel
    And a heart rate of 80 /min
    And a respiratory rate of 16 /min
    And a PaCO2 of 40 mm[Hg]
    And a white cell count of <wbc> 10*9/L
    And a band neutrophil fraction of <bands> %
    When the patient is evaluated
    Then the SIRS white cell criterion is <state>
    And the SIRS criteria count is <count>

    Examples:
      | wbc  | bands | state   | count |
      | 7    | 3     | not met | 0     |
      | 12   | 3     | not met | 0     |
      | 12.1 | 3     | met     | 1     |
      | 4    | 3     | not met | 0     |
      | 3.9  | 3     | met     | 1     |
      | 0.2  | 0     | met     | 1     |
      | 7    | 10    | not met | 0     |
      | 7    | 11    | met     | 1     |

  # ---------------------------------------------------------------- count and interpretation

  Scenario Outline: <n> criteria met - SIRS is <state>
    Given a CAR-T patient on day +3
    And the patient meets <n> SIRS criteria
    When the patient is evaluated
    Then the SIRS criteria count is <n>
    And SIRS is <state>
    And the SIRS assessment reports nothing missing

    Examples:
      | n | state   |
      | 0 | absent  |
      | 1 | absent  |
      | 2 | present |
      | 3 | present |
      | 4 | present |

  Scenario: The most abnormal value in the window counts - a fever at night and a normal morning
    Given a CAR-T patient on day +3
    And the patient meets 0 SIRS criteria
    And a temperature of 38.9 Cel on day +2 at 22:00
    And a heart rate of 118 /min on day +2 at 22:00
    When the patient is evaluated
    Then the SIRS temperature criterion is met
    And the SIRS heart rate criterion is met
    And the SIRS criteria count is 2
    And SIRS is present

  Scenario: Vital signs older than 24 hours are not used
    Given a CAR-T patient on day +3
    And a temperature of 39.0 Cel on day +2 at 07:00
    And a heart rate of 120 /min on day +2 at 07:00
    And a respiratory rate of 16 /min
    And a PaCO2 of 40 mm[Hg]
    And a white cell count of 7 10*9/L
    And a band neutrophil fraction of 3 %
    When the patient is evaluated
    Then the SIRS temperature criterion is undecided
    And the SIRS heart rate criterion is undecided
    And the SIRS criteria count is indeterminate between 0 and 2
    And SIRS is undecided
    And the SIRS assessment reports the highest temperature as missing
    And the SIRS assessment reports the heart rate as missing

  # ---------------------------------------------------------------- missing data: bounded scoring

  Scenario: No vital signs or blood count at all
    Given a CAR-T patient on day +3
    When the patient is evaluated
    Then the SIRS criteria count is indeterminate between 0 and 4
    And SIRS is undecided
    And the SIRS assessment reports the highest temperature as missing
    And the SIRS assessment reports the heart rate as missing
    And the SIRS assessment reports the respiratory rate as missing
    And the SIRS assessment reports the white cell count as missing

  Scenario: Two criteria met and the others unknown - SIRS whatever they are
    Given a CAR-T patient on day +3
    And a temperature of 38.7 Cel
    And a heart rate of 104 /min
    When the patient is evaluated
    Then the SIRS criteria count is indeterminate between 2 and 4
    And SIRS is present
    And the SIRS assessment reports the respiratory rate as missing

  Scenario Outline: No PaCO2 measured - a normal respiratory rate leaves the criterion <state> (<setting>)
    Given a CAR-T patient on day +3
    And the site parameter sirs.rr_alone_when_no_paco2 is <setting>
    And a temperature of 37.0 Cel
    And a heart rate of 80 /min
    And a white cell count of 7 10*9/L
    And a band neutrophil fraction of 3 %
    And a respiratory rate of <rate> /min
    When the patient is evaluated
    Then the SIRS respiratory criterion is <state>

    Examples:
      | setting | rate | state     |
      | false   | 18   | undecided |
      | false   | 24   | met       |
      | true    | 18   | not met   |
      | true    | 20   | not met   |
      | true    | 24   | met       |

  Scenario: No PaCO2 measured - the missing PaCO2 is named
    Given a CAR-T patient on day +3
    And a temperature of 37.0 Cel
    And a heart rate of 80 /min
    And a white cell count of 7 10*9/L
    And a band neutrophil fraction of 3 %
    And a respiratory rate of 18 /min
    When the patient is evaluated
    Then the SIRS criteria count is indeterminate between 0 and 1
    And SIRS is absent
    And the SIRS assessment reports the PaCO2 as missing

  Scenario Outline: No band fraction measured - a normal white cell count leaves the criterion <state> (<setting>)
    Given a CAR-T patient on day +3
    And the site parameter sirs.wbc_alone_when_no_bands is <setting>
    And a temperature of 37.0 Cel
    And a heart rate of 80 /min
    And a respiratory rate of 16 /min
    And a PaCO2 of 40 mm[Hg]
    And a white cell count of <wbc> 10*9/L
    When the patient is evaluated
    Then the SIRS white cell criterion is <state>

    Examples:
      | setting | wbc | state     |
      | false   | 7   | undecided |
      | false   | 15  | met       |
      | false   | 2   | met       |
      | true    | 7   | not met   |
      | true    | 12  | not met   |
      | true    | 4   | not met   |
      | true    | 3.9 | met       |
