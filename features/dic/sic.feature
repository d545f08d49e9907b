@dic
Feature: Sepsis-induced coagulopathy (SIC) score
  Read beside Iba T et al., BMJ Open 2017;7:e017046 and shared/domain/dic.md section 6.
  PT-INR <= 1.2 -> 0, > 1.2 and <= 1.4 -> 1, > 1.4 -> 2; platelets >= 150 -> 0, >= 100 and < 150 -> 1,
  < 100 -> 2; total SOFA (respiratory + cardiovascular + hepatic + renal subscores) 0 -> 0, 1 -> 1,
  >= 2 -> 2. SIC if the total is >= 4 AND the PT-INR and platelet points together are > 2.
  SIC was built for sepsis and is not validated after CAR-T: cartguard scores it only when sepsis is
  recorded (sic.require_sepsis). Labs and SOFA subscores are charted at 06:00 on day +7 and the
  patient is evaluated at 08:00 (labs look back 36 h, SOFA subscores 24 h, worst value).
  "The other SIC items are normal" adds PT-INR 1.0, platelets 250 and SOFA subscores 0 where not given.

  # ---------------------------------------------------------------- each row, each boundary

  Scenario Outline: PT-INR <inr> scores <points>
    Given a CAR-T patient on day +7
    And a diagnosis of sepsis
    And an INR of <inr> {INR}
    And the other SIC items are normal
    When the patient is evaluated
    Then the SIC PT-INR points are <points>
    And the SIC score is <points>
    And the assessment dic.sic interpretation is dic.sic.negative.total
    And the SIC verdict is negative

    Examples:
      | inr  | points |
      | 1.0  | 0      |
      | 1.2  | 0      |
      | 1.21 | 1      |
      | 1.4  | 1      |
      | 1.41 | 2      |
      | 2.5  | 2      |

  Scenario Outline: Platelets <platelets> x10^9/L score <points>
    Given a CAR-T patient on day +7
    And a diagnosis of sepsis
    And a platelet count of <platelets> 10*9/L
    And the other SIC items are normal
    When the patient is evaluated
    Then the SIC platelet points are <points>
    And the SIC score is <points>

    Examples:
      | platelets | points |
      | 250       | 0      |
      | 150       | 0      |
      | 149.9     | 1      |
      | 100       | 1      |
      | 99.9      | 2      |
      | 20        | 2      |

  Scenario Outline: SOFA subscores <r>/<c>/<h>/<n> (total SOFA <sofa>) score <points>
    Given a CAR-T patient on day +7
    And a diagnosis of sepsis
    And SOFA subscores of respiratory <r>, cardiovascular <c>, hepatic <h> and renal <n>
    And the other SIC items are normal
    When the patient is evaluated
    Then the SIC SOFA respiratory points are <r>
    And the SIC SOFA renal points are <n>
    And the SIC score is <points>
    And the SIC assessment reports nothing missing

    Examples: respiratory / cardiovascular / hepatic / renal
      | r | c | h | n | sofa | points |
      | 0 | 0 | 0 | 0 | 0    | 0      |
      | 1 | 0 | 0 | 0 | 1    | 1      |
      | 0 | 0 | 0 | 1 | 1    | 1      |
      | 1 | 1 | 0 | 0 | 2    | 2      |
      | 0 | 0 | 2 | 0 | 2    | 2      |
      | 0 | 3 | 0 | 1 | 4    | 2      |
      | 4 | 4 | 4 | 4 | 16   | 2      |

  Scenario: Each SOFA subscore is the worst charted in the last 24 h
    Given a CAR-T patient on day +7
    And a diagnosis of sepsis
    And SOFA subscores of respiratory 2, cardiovascular 0, hepatic 0 and renal 0 on day +6 at 10:00
    And SOFA subscores of respiratory 0, cardiovascular 0, hepatic 0 and renal 0
    And the other SIC items are normal
    When the patient is evaluated
    Then the SIC SOFA respiratory points are 2
    And the SIC score is 2

  # ---------------------------------------------------------------- the two-part rule

  Scenario Outline: PT-INR <inr>, platelets <platelets>, SOFA <r>/<c>/<h>/<n>: total <total>, PT-INR + platelets <coag> - <verdict>
    Given a CAR-T patient on day +7
    And a diagnosis of sepsis
    And an INR of <inr> {INR}
    And a platelet count of <platelets> 10*9/L
    And SOFA subscores of respiratory <r>, cardiovascular <c>, hepatic <h> and renal <n>
    When the patient is evaluated
    Then the SIC score is <total>
    And the SIC verdict is <verdict>
    And the assessment dic.sic interpretation is <interpretation>
    And the SIC assessment reports nothing missing

    Examples: SIC - total >= 4 and PT-INR + platelet points > 2
      | inr  | platelets | r | c | h | n | total | coag | verdict  | interpretation   |
      | 1.5  | 99        | 1 | 1 | 0 | 0 | 6     | 4    | positive | dic.sic.positive |
      | 1.5  | 99        | 0 | 0 | 0 | 0 | 4     | 4    | positive | dic.sic.positive |
      | 1.41 | 149.9     | 1 | 0 | 0 | 0 | 4     | 3    | positive | dic.sic.positive |
      | 1.21 | 99.9      | 0 | 0 | 0 | 1 | 4     | 3    | positive | dic.sic.positive |
      | 1.41 | 100       | 0 | 0 | 0 | 1 | 4     | 3    | positive | dic.sic.positive |
      | 1.4  | 99.9      | 0 | 1 | 0 | 0 | 4     | 3    | positive | dic.sic.positive |

    Examples: No SIC - total < 4, whatever the coagulation points
      | inr  | platelets | r | c | h | n | total | coag | verdict  | interpretation         |
      | 1.3  | 99        | 0 | 0 | 0 | 0 | 3     | 3    | negative | dic.sic.negative.total |
      | 1.21 | 149.9     | 1 | 0 | 0 | 0 | 3     | 2    | negative | dic.sic.negative.total |
      | 1.0  | 250       | 1 | 1 | 1 | 1 | 2     | 0    | negative | dic.sic.negative.total |

    Examples: No SIC - total >= 4 but PT-INR + platelet points = 2 (not > 2)
      | inr  | platelets | r | c | h | n | total | coag | verdict  | interpretation                      |
      | 1.3  | 149       | 1 | 1 | 0 | 0 | 4     | 2    | negative | dic.sic.negative.coagulation_points |
      | 1.4  | 100       | 0 | 0 | 1 | 1 | 4     | 2    | negative | dic.sic.negative.coagulation_points |
      | 1.2  | 99        | 1 | 1 | 0 | 0 | 4     | 2    | negative | dic.sic.negative.inr_normal         |
      | 1.5  | 150       | 1 | 1 | 0 | 0 | 4     | 2    | negative | dic.sic.negative.platelets_normal   |

  # ---------------------------------------------------------------- sepsis context

  Scenario: Without sepsis recorded SIC does not apply (it was built for sepsis)
    Given a CAR-T patient on day +7
    And an INR of 1.5 {INR}
    And a platelet count of 40 10*9/L
    And SOFA subscores of respiratory 1, cardiovascular 1, hepatic 0 and renal 0
    When the patient is evaluated
    Then SIC does not apply
    And the SIC result rests on rule "dic.sic.context.no_sepsis"

  Scenario: Septic shock is sepsis
    Given a CAR-T patient on day +7
    And a diagnosis of septic shock
    And an INR of 1.5 {INR}
    And a platelet count of 40 10*9/L
    And SOFA subscores of respiratory 1, cardiovascular 1, hepatic 0 and renal 0
    When the patient is evaluated
    Then the SIC score is 6
    And the SIC verdict is positive

  Scenario: A site may score SIC without sepsis (research use)
    Given the site parameter sic.require_sepsis is false
    And a CAR-T patient on day +7
    And an INR of 1.5 {INR}
    And a platelet count of 40 10*9/L
    And SOFA subscores of respiratory 1, cardiovascular 1, hepatic 0 and renal 0
    When the patient is evaluated
    Then the SIC score is 6
    And the SIC verdict is positive
    And the SIC result rests on rule "dic.sic.context.not_required"

  Scenario: The result says SIC is not validated after CAR-T
    Given a CAR-T patient on day +7
    And a diagnosis of sepsis
    And the other SIC items are normal
    When the patient is evaluated
    Then the SIC score is 0
    And the SIC assessment states the assumption "not validated after CAR-T"

  # ---------------------------------------------------------------- missing data

  Scenario Outline: SOFA renal subscore not charted - total SOFA <lo_sofa> to 2; <case>
    Given a CAR-T patient on day +7
    And a diagnosis of sepsis
    And an INR of <inr> {INR}
    And a platelet count of <platelets> 10*9/L
    And an Observation http://cartguard.example/fhir/CodeSystem/clinical|sofa-respiratory of <r> {score}
    And an Observation http://cartguard.example/fhir/CodeSystem/clinical|sofa-cardiovascular of 0 {score}
    And an Observation http://cartguard.example/fhir/CodeSystem/clinical|sofa-hepatic of 0 {score}
    When the patient is evaluated
    Then the SIC SOFA renal points are unknown between 0 and 4
    And the SIC score is unknown between <lo> and <hi>
    And the SIC verdict is <verdict>
    And the SIC assessment reports the SOFA renal subscore as missing

    Examples:
      | case                          | inr | platelets | r | lo_sofa | lo | hi | verdict   |
      | SIC whatever the subscore     | 1.5 | 99        | 1 | 1       | 5  | 6  | positive  |
      | no SIC whatever the subscore  | 1.0 | 250       | 0 | 0       | 0  | 2  | negative  |
      | the subscore would decide     | 1.3 | 99        | 0 | 0       | 3  | 5  | undecided |

  Scenario: No PT-INR - the coagulation part of the rule cannot be settled
    Given a CAR-T patient on day +7
    And a diagnosis of sepsis
    And a platelet count of 120 10*9/L
    And SOFA subscores of respiratory 1, cardiovascular 1, hepatic 0 and renal 0
    When the patient is evaluated
    Then the SIC PT-INR points are unknown between 0 and 2
    And the SIC score is unknown between 3 and 5
    And the SIC verdict is undecided
    And the SIC assessment reports the PT-INR as missing

  Scenario: No data at all beyond sepsis
    Given a CAR-T patient on day +7
    And a diagnosis of sepsis
    When the patient is evaluated
    Then the SIC score is unknown between 0 and 6
    And the SIC verdict is undecided
    And the SIC assessment reports the PT-INR as missing
    And the SIC assessment reports the platelet count as missing
    And the SIC assessment reports the SOFA respiratory subscore as missing
