Feature: The course of a patient - onset, peak, duration, indeterminate days, no look-ahead
  cartguard.trajectory evaluates the patient at every time point (here every 24 h at 08:00) using
  only the data at or before that point (docs/trajectory.md). Thresholds: CRS and ICANS grade >= 1,
  DIC scores the scale's positive verdict. Onset and peak are never taken from a range's upper
  bound; a range that could reach the threshold before the onset is a possible earlier onset.
  Data are charted at 06:00; temperature and blood pressure look back 24 h.

  Background:
    Given a CAR-T patient on day +0
    And a temperature of 37.0 Cel on day +0
    And a systolic blood pressure of 120 mmHg on day +0
    And a systolic blood pressure of 118 mmHg on day +1
    And a systolic blood pressure of 84 mmHg on day +2
    And a systolic blood pressure of 112 mmHg on day +3
    And a temperature of 36.8 Cel on day +4
    And a systolic blood pressure of 121 mmHg on day +4

  Scenario: Onset, peak and duration of CRS, day by day
    Given a temperature of 38.6 Cel on day +1
    And a temperature of 39.4 Cel on day +2
    And a temperature of 38.2 Cel on day +3
    When the course is evaluated every 24 hours from day +0 to day +4
    Then the crs.astct2019 on day +0 is 0
    And the crs.astct2019 on day +2 is 2
    And the crs.astct2019 onset is on day +1
    And the crs.astct2019 has no possible earlier onset
    And the crs.astct2019 peak is 2 on day +2
    And the crs.astct2019 was at or above its threshold for 72 hours

  Scenario: A day without a temperature is indeterminate and may hide an earlier onset
    Given a temperature of 39.4 Cel on day +2 at 09:00
    And a temperature of 38.2 Cel on day +3
    When the course is evaluated every 24 hours from day +0 to day +4
    Then the crs.astct2019 on day +1 is indeterminate between 0 and 1
    And the crs.astct2019 was indeterminate on days 1, 2
    And the crs.astct2019 onset is on day +3
    And the crs.astct2019 has a possible earlier onset on day +1
    And the crs.astct2019 peak is 1 on day +3
    And the crs.astct2019 was at or above its threshold for 24 hours

  Scenario: No look-ahead - a later fever changes nothing before it is charted
    Given a temperature of 38.6 Cel on day +1
    And a temperature of 40.2 Cel on day +3
    When the course is evaluated every 24 hours from day +0 to day +4
    Then the crs.astct2019 on days 0, 1, 2 is the same as without the resources charted after day +2
    And the crs.astct2019 on day +2 is indeterminate between 0 and 2
    And the crs.astct2019 on day +3 is 1
    And the crs.astct2019 has no possible earlier onset
    And the crs.astct2019 onset is on day +1

  Scenario: No look-ahead - a value charted after 08:00 is not yet known at the day's 08:00 point
    Given a temperature of 39.4 Cel on day +2 at 09:00
    When the course is evaluated every 24 hours from day +0 to day +4
    Then the crs.astct2019 on day +2 is indeterminate between 0 and 2
    And the crs.astct2019 on day +3 is 1
    And the crs.astct2019 onset is on day +3
