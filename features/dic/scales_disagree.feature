@dic
Feature: One patient, two DIC scales - where ISTH overt (2001) and CDSS (2017) disagree
  Each scale is read on its own terms (grades are never converted between scales); where their
  verdicts differ, the explanation of each names the rules that decide it, so the term that makes
  the difference can be read off. ISTH overt: platelets < 50 score 2, a fibrin marker > 4 x ULN
  scores 3 (relative to the assay's ULN), overt DIC at >= 5. CDSS haematological-malignancy arm
  (a CAR-T patient): the underlying disease scores 2, platelets < 50 only 1, the D-dimer is read
  against absolute cut-offs (< 5 mg/L: 0), and clinical items (shock, organ failure), the APTT and
  a 24-h platelet fall add points ISTH does not have; DIC at >= 6.
  The site's CDSS D-dimer cut-offs are FEU (cdss.ddimer_type). Labs at 06:00, evaluation at 08:00.

  Background:
    Given the site parameter cdss.ddimer_type is "FEU"

  Scenario: A marrow-suppressed CAR-T patient - ISTH calls overt DIC, CDSS does not
    Given a CAR-T patient on day +7
    And a platelet count of 45 10*9/L on day +6
    And a platelet count of 40 10*9/L
    And an FEU D-dimer of 2.1 mg/L with an upper reference limit of 0.5 mg/L
    And a prothrombin time of 12.0 s with an upper reference limit of 13.0 s
    And an APTT of 30 s with an upper reference limit of 35 s
    And a fibrinogen level of 3.0 g/L
    And it is documented that there is no shock
    And organ failure is documented as absent
    When the patient is evaluated
    Then the ISTH overt DIC score is 5
    And the ISTH interpretation is overt DIC
    And the CDSS assessment uses the haematological-malignancy arm
    And the CDSS score is 3
    And the CDSS interpretation is not DIC in the haematological-malignancy arm
    And dic.isth2001 and dic.cdss2017 disagree on the verdict
    # The platelet item: < 50 is 2 ISTH points but 1 CDSS point in the haematological arm.
    And the explanation of dic.isth2001 names rule "dic.isth2001.platelets.2" worth 2 points
    And the explanation of dic.cdss2017 names rule "dic.cdss2017.platelets.haem.1" worth 1 points
    # The fibrin marker: 2.1 mg/L is 4.2 x ULN (strong increase, 3 ISTH points) but below CDSS's 5 mg/L (0).
    And the explanation of dic.isth2001 names rule "dic.isth2001.marker.uln.3" worth 3 points
    And the explanation of dic.cdss2017 names rule "dic.cdss2017.ddimer.feu.0" worth 0 points
    And the explanation of dic.cdss2017 names rule "dic.cdss2017.underlying.cart_episode" worth 2 points
    And the side-by-side report names rule "dic.isth2001.marker.uln.3" among the drivers of dic.isth2001
    And the side-by-side report names rule "dic.isth2001.platelets.2" among the drivers of dic.isth2001
    And the side-by-side report names rule "dic.cdss2017.platelets.haem.1" among the drivers of dic.cdss2017
    And the ISTH assessment reports nothing missing
    And the CDSS assessment reports nothing missing

  Scenario: The same patient with a D-dimer of 5.0 mg/L - both scales now call DIC
    Given a CAR-T patient on day +7
    And a platelet count of 45 10*9/L on day +6
    And a platelet count of 40 10*9/L
    And an FEU D-dimer of 5.0 mg/L with an upper reference limit of 0.5 mg/L
    And a prothrombin time of 16.0 s with an upper reference limit of 13.0 s
    And an APTT of 30 s with an upper reference limit of 35 s
    And a fibrinogen level of 3.0 g/L
    And it is documented that there is no shock
    And organ failure is documented as absent
    When the patient is evaluated
    Then the ISTH overt DIC score is 6
    And the CDSS score is 6
    And the ISTH interpretation is overt DIC
    And the CDSS interpretation is DIC in the haematological-malignancy arm
    And the explanation of dic.cdss2017 names rule "dic.cdss2017.ddimer.feu.2" worth 2 points

  Scenario: The reverse - CRS with shock and kidney failure: CDSS calls DIC, ISTH does not
    Given a CAR-T patient on day +5
    And a platelet count of 150 10*9/L on day +4
    And a platelet count of 70 10*9/L
    And an FEU D-dimer of 0.9 mg/L with an upper reference limit of 0.5 mg/L
    And a prothrombin time of 14.0 s with an upper reference limit of 13.0 s
    And an APTT of 46 s with an upper reference limit of 35 s
    And a fibrinogen level of 2.0 g/L
    And a diagnosis of shock
    And a diagnosis of acute kidney failure
    When the patient is evaluated
    Then the ISTH overt DIC score is 1
    And the ISTH interpretation is not overt DIC
    And the CDSS score is 6
    And the CDSS interpretation is DIC in the haematological-malignancy arm
    And dic.isth2001 and dic.cdss2017 disagree on the verdict
    # Terms ISTH does not score: shock, organ failure, the 24-h platelet fall and the APTT.
    And the explanation of dic.cdss2017 names rule "dic.cdss2017.shock.present" worth 1 points
    And the explanation of dic.cdss2017 names rule "dic.cdss2017.organ_failure.present" worth 1 points
    And the explanation of dic.cdss2017 names rule "dic.cdss2017.platelet_fall.1" worth 1 points
    And the explanation of dic.cdss2017 names rule "dic.cdss2017.pt_aptt.1" worth 1 points
    # Platelets 70: 1 ISTH point (>= 50 and < 100), 0 CDSS points in the haematological arm (>= 50).
    And the explanation of dic.isth2001 names rule "dic.isth2001.platelets.1" worth 1 points
    And the explanation of dic.cdss2017 names rule "dic.cdss2017.platelets.haem.0" worth 0 points
    And the explanation of dic.isth2001 names rule "dic.isth2001.pt.0" worth 0 points
    And the side-by-side report names rule "dic.cdss2017.shock.present" among the drivers of dic.cdss2017
    And the side-by-side report names rule "dic.cdss2017.pt_aptt.1" among the drivers of dic.cdss2017
    And the side-by-side report names rule "dic.isth2001.platelets.1" among the drivers of dic.isth2001
