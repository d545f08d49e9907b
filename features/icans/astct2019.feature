@icans
Feature: ASTCT 2019 consensus grading of immune effector cell-associated neurotoxicity syndrome (ICANS)
  Read beside Lee DW et al., Biol Blood Marrow Transplant 2019;25:625-638 (ICE score, ICANS
  grading table, CAPD for children; ASCO 2021 reproduces them) and shared/domain/icans.md
  sections 1-3. The grade is the most severe of the domains (ICANS-R1): ICE (or CAPD for
  children), depressed level of consciousness, seizure, motor findings, raised ICP / cerebral
  oedema (imaging oedema and clinical ICP signs are two components of that one row).
  Unless a step gives a time, data are charted at 06:00 and the patient is evaluated at 08:00
  on the same day. ICE, CAPD and level of consciousness look back 12 h; a finding (Condition)
  counts while active and for 24 h after it ended. The patient is 46 years old unless an age is
  given. Findings that are not recorded are assumed absent, and the result says so
  (icans.unrecorded_findings_unknown = false).

  # ------------------------------------------------------------------ ICE domain (adults)

  Scenario Outline: ICE <ice> in an alert adult is ICE-domain grade <domain>, ICANS grade <grade>
    Given a CAR-T patient on day +5
    And an ICE score of <ice>
    And the patient is alert
    When the patient is evaluated
    Then the ICANS ICE domain is <domain>
    And the ICANS consciousness domain is 0
    And the ICANS grade is <grade>
    And the ICANS result rests on rule "<rule>"
    And the ICANS assessment reports nothing missing

    Examples: ICE 10 is normal - no ICANS
      | ice | domain | grade | rule                         |
      | 10  | 0      | 0     | icans.astct2019.ice.normal   |

    Examples: Grade 1 - ICE 7-9 (inclusive at both ends)
      | ice | domain | grade | rule                     |
      | 9   | 1      | 1     | icans.astct2019.ice.g1   |
      | 8   | 1      | 1     | icans.astct2019.ice.g1   |
      | 7   | 1      | 1     | icans.astct2019.ice.g1   |

    Examples: Grade 2 - ICE 3-6 (inclusive at both ends)
      | ice | domain | grade | rule                     |
      | 6   | 2      | 2     | icans.astct2019.ice.g2   |
      | 5   | 2      | 2     | icans.astct2019.ice.g2   |
      | 4   | 2      | 2     | icans.astct2019.ice.g2   |
      | 3   | 2      | 2     | icans.astct2019.ice.g2   |

    Examples: Grade 3 - ICE 0-2 (ICE 0 in an awake patient is grade 3, ICANS-R2)
      | ice | domain | grade | rule                     |
      | 2   | 3      | 3     | icans.astct2019.ice.g3   |
      | 1   | 3      | 3     | icans.astct2019.ice.g3   |
      | 0   | 3      | 3     | icans.astct2019.ice.g3   |

  # -------------------------------------------------- depressed level of consciousness

  Scenario Outline: Level of consciousness - the patient <level> - consciousness domain <domain>
    Given a CAR-T patient on day +5
    And an ICE score of 10
    And the patient <level>
    When the patient is evaluated
    Then the ICANS consciousness domain is <domain>
    And the ICANS grade is <grade>
    And the ICANS result rests on rule "<rule>"

    Examples:
      | level                            | domain | grade | rule                                  |
      | is alert                         | 0      | 0     | icans.astct2019.consciousness.alert   |
      | awakens spontaneously            | 1      | 1     | icans.astct2019.consciousness.g1      |
      | awakens to voice                 | 2      | 2     | icans.astct2019.consciousness.g2      |
      | awakens only to touch            | 3      | 3     | icans.astct2019.consciousness.g3      |
      | is unarousable                   | 4      | 4     | icans.astct2019.consciousness.g4      |
      | needs vigorous stimuli to arouse | 4      | 4     | icans.astct2019.consciousness.g4      |

  Scenario: ICANS-R2 - ICE 0 in an awake patient (global aphasia) is grade 3
    Given a CAR-T patient on day +5
    And an ICE score of 0
    And the patient awakens spontaneously
    When the patient is evaluated
    Then the ICANS ICE domain is 3
    And the ICANS consciousness domain is 1
    And the ICANS grade is 3

  Scenario: ICANS-R2 - ICE 0 in an unarousable patient is grade 4 (via consciousness)
    Given a CAR-T patient on day +5
    And an ICE score of 0
    And the patient is unarousable
    When the patient is evaluated
    Then the ICANS ICE domain is 3
    And the ICANS consciousness domain is 4
    And the ICANS grade is 4
    And the ICANS result rests on rule "icans.astct2019.consciousness.g4"

  Scenario: ICANS-R2 - ICE not performed in an unarousable patient is grade 4 (via consciousness)
    Given a CAR-T patient on day +5
    And the ICE was not performed
    And the patient is unarousable
    When the patient is evaluated
    Then the ICANS ICE domain is indeterminate between 0 and 3
    And the ICANS consciousness domain is 4
    And the ICANS grade is 4

  Scenario: ICE not performed in an awake patient is never scored 0: the ICE domain is unknown
    Given a CAR-T patient on day +5
    And the ICE was not performed
    And the patient is alert
    When the patient is evaluated
    Then the ICANS ICE domain is indeterminate between 0 and 3
    And the ICANS grade is indeterminate between 0 and 3
    And the ICANS assessment reports the ICE score as missing
    And an "absent" warning names the ICE score resource

  Scenario: A later "ICE not performed" makes an earlier ICE score stale
    Given a CAR-T patient on day +5
    And an ICE score of 9 at 02:00
    And the ICE was not performed at 06:00
    And the patient is alert
    When the patient is evaluated
    Then the ICANS ICE domain is indeterminate between 0 and 3
    And the ICANS assessment reports the ICE score as missing

  Scenario: An ICE score after an "ICE not performed" is used
    Given a CAR-T patient on day +5
    And the ICE was not performed at 02:00
    And an ICE score of 9 at 06:00
    And the patient is alert
    When the patient is evaluated
    Then the ICANS ICE domain is 1
    And the ICANS grade is 1

  Scenario: ICE not performed but the patient awakens only to touch - grade 3 at least
    Given a CAR-T patient on day +5
    And the ICE was not performed
    And the patient awakens only to touch
    When the patient is evaluated
    Then the ICANS grade is 3

  Scenario: No level of consciousness recorded - the grade is not taken from missing data
    Given a CAR-T patient on day +5
    And an ICE score of 8
    When the patient is evaluated
    Then the ICANS consciousness domain is indeterminate between 0 and 4
    And the ICANS grade is indeterminate between 1 and 4
    And the ICANS assessment reports the level of consciousness as missing

  # ------------------------------------------------- ICANS-R3: sedation is not ICANS

  Scenario: A sedated patient's consciousness domain is indeterminate, never grade 4
    Given a CAR-T patient on day +5
    And the ICE was not performed
    And the patient is sedated
    When the patient is evaluated
    Then the ICANS consciousness domain is indeterminate between 0 and 4
    And the ICANS grade is indeterminate between 0 and 4
    And the ICANS assessment reports the level of consciousness off sedation as missing
    And the ICANS assessment reports the ICE score as missing

  Scenario: A sedated patient with ICE 8 is grade 1 to 4 until assessed off sedation
    Given a CAR-T patient on day +5
    And an ICE score of 8
    And the patient is sedated
    When the patient is evaluated
    Then the ICANS ICE domain is 1
    And the ICANS grade is indeterminate between 1 and 4

  Scenario Outline: A sedated patient is graded from the assessment during a sedation interruption - <level>
    Given a CAR-T patient on day +5
    And the ICE was not performed
    And the patient is sedated at 04:00
    And during a sedation interruption the patient <level> at 06:00
    When the patient is evaluated
    Then the ICANS consciousness domain is <domain>
    And the ICANS result rests on rule "<rule>"

    Examples:
      | level                 | domain | rule                                              |
      | is alert              | 0      | icans.astct2019.consciousness.sedated_off_alert   |
      | awakens spontaneously | 1      | icans.astct2019.consciousness.sedated_off_g1      |
      | awakens to voice      | 2      | icans.astct2019.consciousness.sedated_off_g2      |
      | awakens only to touch | 3      | icans.astct2019.consciousness.sedated_off_g3      |
      | is unarousable        | 4      | icans.astct2019.consciousness.sedated_off_g4      |

  Scenario: An assessment off sedation does not override a later routine assessment
    Given a CAR-T patient on day +5
    And an ICE score of 10 at 07:00
    And during a sedation interruption the patient awakens to voice at 02:00
    And the patient is alert at 07:00
    When the patient is evaluated
    Then the ICANS consciousness domain is 0
    And the ICANS grade is 0

  # ---------------------------------------------------------------------------- seizure

  Scenario Outline: Seizure - <finding> is seizure-domain grade <domain>
    Given a CAR-T patient on day +5
    And an ICE score of 10
    And the patient is alert
    And <finding>
    When the patient is evaluated
    Then the ICANS seizure domain is <domain>
    And the ICANS grade is <domain>
    And the ICANS result rests on rule "<rule>"
    And the ICANS assessment reports nothing missing

    Examples: Grade 3 - clinical seizure that resolves rapidly, or non-convulsive EEG seizures resolving with intervention
      | finding                                                         | domain | rule                                     |
      | a generalised seizure that resolved rapidly                     | 3      | icans.astct2019.seizure.g3_resolved      |
      | a focal seizure that resolved rapidly                           | 3      | icans.astct2019.seizure.g3_resolved      |
      | non-convulsive seizures on EEG that resolved with intervention  | 3      | icans.astct2019.seizure.g3_resolved      |

    Examples: Grade 4 - prolonged (> 5 min) or repetitive without return to baseline
      | finding                                         | domain | rule                                  |
      | a prolonged seizure (> 5 min)                   | 4      | icans.astct2019.seizure.g4_recorded   |
      | repetitive seizures without return to baseline  | 4      | icans.astct2019.seizure.g4_recorded   |

  Scenario Outline: A seizure of unknown kind is graded 3 to 4 until its duration is known - <case>
    Given a CAR-T patient on day +5
    And an ICE score of 10
    And the patient is alert
    And <finding>
    And <duration>
    When the patient is evaluated
    Then the ICANS seizure domain is <domain>

    Examples:
      | case                         | finding                         | duration                       | domain                         |
      | duration 5 min (not > 5)     | a seizure of unknown kind       | a seizure lasting 5 min        | 3                              |
      | duration 5.5 min             | a seizure of unknown kind       | a seizure lasting 5.5 min      | 4                              |
      | duration 1 min, R56.9 code   | unspecified convulsions (R56.9) | a seizure lasting 1 min        | 3                              |
      | duration 12 min, R56.9 code  | unspecified convulsions (R56.9) | a seizure lasting 12 min       | 4                              |

  Scenario Outline: A seizure of unknown kind with no duration recorded - <finding>
    Given a CAR-T patient on day +5
    And an ICE score of 10
    And the patient is alert
    And <finding>
    When the patient is evaluated
    Then the ICANS seizure domain is indeterminate between 3 and 4
    And the ICANS grade is indeterminate between 3 and 4
    And the ICANS assessment reports the seizure duration as missing

    Examples:
      | finding                         |
      | a seizure of unknown kind       |
      | unspecified convulsions (R56.9) |

  Scenario: A seizure recorded as resolved rapidly but lasting more than 5 min is grade 4
    Given a CAR-T patient on day +5
    And an ICE score of 10
    And the patient is alert
    And a generalised seizure that resolved rapidly
    And a seizure lasting 7 min
    When the patient is evaluated
    Then the ICANS seizure domain is 4
    And the ICANS result rests on rule "icans.astct2019.seizure.g4_duration"

  Scenario: ICANS-R1 example - ICE 3 and a generalised seizure is grade 3
    Given a CAR-T patient on day +5
    And an ICE score of 3
    And the patient is alert
    And a generalised seizure that resolved rapidly
    When the patient is evaluated
    Then the ICANS ICE domain is 2
    And the ICANS seizure domain is 3
    And the ICANS grade is 3

  Scenario Outline: A seizure counts for 24 h after it ended - <case>
    Given a CAR-T patient on day +5
    And an ICE score of 10
    And the patient is alert
    And a generalised seizure that resolved rapidly that ended on day +4 at <ended>
    When the patient is evaluated
    Then the ICANS seizure domain is <domain>

    Examples:
      | case                             | ended | domain |
      | ended 22 h before the evaluation | 10:00 | 3      |
      | ended 24 h before the evaluation | 08:00 | 3      |
      | ended 26 h before the evaluation | 06:00 | 0      |

  # ---------------------------------------------------------------------- motor findings

  Scenario Outline: Motor findings - <finding> is grade 4
    Given a CAR-T patient on day +5
    And an ICE score of 10
    And the patient is alert
    And <finding>
    When the patient is evaluated
    Then the ICANS motor domain is 4
    And the ICANS grade is 4
    And the ICANS result rests on rule "icans.astct2019.motor.g4"

    Examples:
      | finding                   |
      | deep focal motor weakness |
      | hemiparesis               |
      | paraparesis               |

  # ---------------------------------------------------- raised ICP / cerebral oedema

  Scenario: Focal/local oedema on neuroimaging is grade 3
    Given a CAR-T patient on day +5
    And an ICE score of 10
    And the patient is alert
    And focal cerebral oedema on neuroimaging
    When the patient is evaluated
    Then the ICANS cerebral oedema domain is 3
    And the ICANS raised ICP signs domain is 0
    And the ICANS grade is 3
    And the ICANS result rests on rule "icans.astct2019.cerebral_oedema.g3_focal"

  Scenario Outline: Raised ICP / cerebral oedema - <finding> is grade 4
    Given a CAR-T patient on day +5
    And an ICE score of 10
    And the patient is alert
    And <finding>
    When the patient is evaluated
    Then the ICANS <domain> domain is 4
    And the ICANS grade is 4
    And the ICANS result rests on rule "<rule>"

    Examples:
      | finding                                  | domain           | rule                                                |
      | diffuse cerebral oedema on neuroimaging  | cerebral oedema  | icans.astct2019.cerebral_oedema.g4_diffuse          |
      | decerebrate posturing                    | raised ICP signs | icans.astct2019.raised_icp_signs.g4_posturing       |
      | decorticate posturing                    | raised ICP signs | icans.astct2019.raised_icp_signs.g4_posturing       |
      | a cranial nerve VI palsy                 | raised ICP signs | icans.astct2019.raised_icp_signs.g4_cn6_palsy       |
      | a left sixth nerve palsy (H49.22)        | raised ICP signs | icans.astct2019.raised_icp_signs.g4_cn6_palsy       |
      | papilloedema                             | raised ICP signs | icans.astct2019.raised_icp_signs.g4_papilloedema    |
      | papilloedema with raised ICP (H47.11)    | raised ICP signs | icans.astct2019.raised_icp_signs.g4_papilloedema    |
      | Cushing's triad                          | raised ICP signs | icans.astct2019.raised_icp_signs.g4_cushing_triad   |

  Scenario: Focal and diffuse oedema together are grade 4
    Given a CAR-T patient on day +5
    And an ICE score of 10
    And the patient is alert
    And focal cerebral oedema on neuroimaging
    And diffuse cerebral oedema on neuroimaging
    When the patient is evaluated
    Then the ICANS cerebral oedema domain is 4
    And the ICANS grade is 4

  # -------------------------------------------- what never changes the ICANS grade

  Scenario Outline: <what> does not change the ICANS grade (<rule>)
    Given a CAR-T patient on day +5
    And an ICE score of 8
    And the patient is alert
    And a Condition <code>
    When the patient is evaluated
    Then the ICANS grade is 1

    Examples:
      | what                                      | code  | rule      |
      | Intracranial haemorrhage (I61.9)          | I61.9 | ICANS-R5  |
      | Subdural haemorrhage (I62.00)             | I62.00 | ICANS-R5 |
      | Tremor (R25.1)                            | R25.1 | ICANS-R4  |
      | Myoclonus (G25.3)                         | G25.3 | ICANS-R4  |
      | A clinician's ICANS grade 4 code (G92.04) | G92.04 | not an input |

  Scenario: Grade 5 is never derived from data (ICANS-R6) and attribution is stated
    Given a CAR-T patient on day +5
    And an ICE score of 0
    And the patient is unarousable
    And diffuse cerebral oedema on neuroimaging
    When the patient is evaluated
    Then the ICANS grade is 4
    And the ICANS assessment states the assumption "Grade 5 (death due to ICANS) is never derived"
    And the ICANS assessment states the assumption "assumed attributable to ICANS"

  # ---------------------------------------------------------- findings not recorded

  Scenario: Findings that are not recorded are assumed absent, and the result says so
    Given a CAR-T patient on day +5
    And an ICE score of 10
    And the patient is alert
    When the patient is evaluated
    Then the ICANS grade is 0
    And the ICANS assessment reports nothing missing
    And the ICANS assessment states the assumption "no seizure recorded: assumed absent"
    And the ICANS assessment states the assumption "no deep focal motor weakness recorded: assumed absent"
    And the ICANS assessment states the assumption "no papilloedema recorded: assumed absent"

  Scenario: With icans.unrecorded_findings_unknown, an unrecorded finding is not documented either way
    Given the site parameter icans.unrecorded_findings_unknown is true
    And a CAR-T patient on day +5
    And an ICE score of 10
    And the patient is alert
    When the patient is evaluated
    Then the ICANS grade is indeterminate between 0 and 4
    And the ICANS seizure domain is indeterminate between 0 and 4
    And the ICANS assessment reports the seizure as missing
    And the ICANS assessment reports the motor weakness as missing
    And the ICANS assessment reports the Cushing's triad as missing

  Scenario: With icans.unrecorded_findings_unknown, refuted Conditions document every finding absent
    Given the site parameter icans.unrecorded_findings_unknown is true
    And a CAR-T patient on day +5
    And an ICE score of 10
    And the patient is alert
    And the chart documents no seizure
    And the chart documents no prolonged seizure
    And the chart documents no deep focal motor weakness
    And the chart documents no focal cerebral oedema
    And the chart documents no diffuse cerebral oedema
    And the chart documents no posturing
    And the chart documents no cranial nerve VI palsy
    And the chart documents no papilloedema
    And the chart documents no Cushing's triad
    When the patient is evaluated
    Then the ICANS grade is 0
    And the ICANS assessment reports nothing missing

  Scenario: A refuted seizure does not hide a seizure that is recorded
    Given a CAR-T patient on day +5
    And an ICE score of 10
    And the patient is alert
    And the chart documents no seizure at 02:00
    And a generalised seizure that resolved rapidly
    When the patient is evaluated
    Then the ICANS seizure domain is 3

  # ------------------------------------------------------------- look-back windows

  Scenario Outline: An ICE score is used for 12 h - <case>
    Given a CAR-T patient on day +5
    And an ICE score of 8 at 06:00
    And the patient is alert at 17:00
    When the patient is evaluated at <at>
    Then the ICANS ICE domain is <ice>

    Examples:
      | case                           | at    | ice                            |
      | 11 h old: used                 | 17:00 | 1                              |
      | 11 h 59 min old: used          | 17:59 | 1                              |

  Scenario: A stale ICE score (12 h or older) is missing, not carried forward
    Given a CAR-T patient on day +5
    And an ICE score of 8 at 06:00
    And the patient is alert at 17:00
    When the patient is evaluated at 18:00
    Then the ICANS ICE domain is indeterminate between 0 and 3
    And the ICANS grade is indeterminate between 0 and 3
    And the ICANS assessment reports the ICE score as missing

  # ------------------------------------------------- ICE items as a QuestionnaireResponse

  Scenario: Item-level ICE from a complete QuestionnaireResponse (4 + 2 + 1 + 0 + 0 = 7)
    Given a CAR-T patient on day +5
    And the ICE items orientation 4, naming 2, commands 1, writing 0, attention 0 as a QuestionnaireResponse stating a total of 7
    And the patient is alert
    When the patient is evaluated
    Then the ICANS ICE domain is 1
    And the ICANS grade is 1
    And the ICANS explanation cites the ICE questionnaire resource
    And no warning names the ICE questionnaire resource

  Scenario: A complete ICE QuestionnaireResponse of 10 is no ICANS
    Given a CAR-T patient on day +5
    And the ICE items orientation 4, naming 3, commands 1, writing 1, attention 1 as a QuestionnaireResponse
    And the patient is alert
    When the patient is evaluated
    Then the ICANS grade is 0

  Scenario: An incomplete ICE QuestionnaireResponse gives an interval, never 0 for the missing items
    # orientation 4 + naming 3 + commands 1 = 8; writing and attention unanswered: 8 to 10
    Given a CAR-T patient on day +5
    And the ICE items orientation 4, naming 3, commands 1 as a QuestionnaireResponse
    And the patient is alert
    When the patient is evaluated
    Then the ICANS ICE domain is indeterminate between 0 and 1
    And the ICANS grade is indeterminate between 0 and 1
    And the ICANS assessment reports the ICE score as missing
    And a "questionnaire-incomplete" warning names the ICE questionnaire resource

  Scenario: An incomplete ICE QuestionnaireResponse still grades when every completion gives the same band
    # orientation 1, naming 0, commands 0, writing 0 = 1; attention unanswered: 1 to 2, both grade 3
    Given a CAR-T patient on day +5
    And the ICE items orientation 1, naming 0, commands 0, writing 0 as a QuestionnaireResponse
    And the patient is alert
    When the patient is evaluated
    Then the ICANS ICE domain is 3
    And the ICANS grade is 3

  Scenario: A stated total that disagrees with the items is a warning; the items are used
    Given a CAR-T patient on day +5
    And the ICE items orientation 2, naming 2, commands 1, writing 0, attention 0 as a QuestionnaireResponse stating a total of 9
    And the patient is alert
    When the patient is evaluated
    Then the ICANS ICE domain is 2
    And a "questionnaire-total" warning names the ICE questionnaire resource

  Scenario: A stated total alone is accepted
    Given a CAR-T patient on day +5
    And the ICE items none as a QuestionnaireResponse stating a total of 6
    And the patient is alert
    When the patient is evaluated
    Then the ICANS ICE domain is 2
    And the ICANS grade is 2

  Scenario: An item scored above its maximum is a warning and counts as unanswered
    # naming 5 > 3: unanswered, so 4 + 1 + 1 + 1 = 7 to 10
    Given a CAR-T patient on day +5
    And the ICE items orientation 4, naming 5, commands 1, writing 1, attention 1 as a QuestionnaireResponse
    And the patient is alert
    When the patient is evaluated
    Then the ICANS ICE domain is indeterminate between 0 and 1
    And a "questionnaire-answer" warning names the ICE questionnaire resource

  Scenario: An ICE QuestionnaireResponse with no item answered (ICE not performed) supersedes an earlier score
    Given a CAR-T patient on day +5
    And an ICE score of 10 at 02:00
    And the ICE items none as a QuestionnaireResponse at 06:00
    And the patient is alert
    When the patient is evaluated
    Then the ICANS ICE domain is indeterminate between 0 and 3
    And the ICANS assessment reports the ICE score as missing
    And a "questionnaire-incomplete" warning names the ICE questionnaire resource

  Scenario Outline: An ICE Observation and a QuestionnaireResponse at different times - the latest wins (<case>)
    Given a CAR-T patient on day +5
    And an ICE score of 10 at <observation at>
    And the ICE items orientation 3, naming 2, commands 0, writing 0, attention 0 as a QuestionnaireResponse at <questionnaire at>
    And the patient is alert
    When the patient is evaluated
    Then the ICANS ICE domain is <domain>
    And the ICANS grade is <domain>

    Examples:
      | case                            | observation at | questionnaire at | domain |
      | questionnaire (5) is the latest | 04:00          | 06:00            | 2      |
      | observation (10) is the latest  | 06:00          | 04:00            | 0      |

  # ----------------------------------------------------------------- children: CAPD

  Scenario Outline: CAPD <capd> in an alert 8-year-old is CAPD-domain grade <domain>
    Given a CAR-T patient aged 8 years on day +5
    And a CAPD score of <capd>
    And the patient is alert
    When the patient is evaluated
    Then the ICANS CAPD domain is <domain>
    And the ICANS ICE domain is 0
    And the ICANS grade is <domain>
    And the ICANS result rests on rule "<rule>"

    Examples: CAPD 0 - no grade from CAPD
      | capd | domain | rule                          |
      | 0    | 0      | icans.astct2019.capd.none     |

    Examples: CAPD 1-8 - the grade 1-2 band
      | capd | domain | rule                          |
      | 1    | 1      | icans.astct2019.capd.g1_2     |
      | 4    | 1      | icans.astct2019.capd.g1_2     |
      | 8    | 1      | icans.astct2019.capd.g1_2     |

    Examples: CAPD >= 9 - grade 3
      | capd | domain | rule                          |
      | 9    | 3      | icans.astct2019.capd.g3       |
      | 20   | 3      | icans.astct2019.capd.g3       |
      | 32   | 3      | icans.astct2019.capd.g3       |

  Scenario Outline: CAPD 1-8 is grade 1 or 2 by the level of consciousness - the child <level>
    Given a CAR-T patient aged 8 years on day +5
    And a CAPD score of 5
    And the patient <level>
    When the patient is evaluated
    Then the ICANS CAPD domain is 1
    And the ICANS grade is <grade>

    Examples:
      | level                 | grade |
      | awakens spontaneously | 1     |
      | awakens to voice      | 2     |
      | awakens only to touch | 3     |

  Scenario: A child unable to perform CAPD is grade 4
    Given a CAR-T patient aged 8 years on day +5
    And the child is unable to perform CAPD
    And the patient awakens only to touch
    When the patient is evaluated
    Then the ICANS CAPD domain is 4
    And the ICANS grade is 4
    And the ICANS result rests on rule "icans.astct2019.capd.unable"

  Scenario: A child with no CAPD recorded is not graded from missing data
    Given a CAR-T patient aged 8 years on day +5
    And an ICE score of 10
    And the patient is alert
    When the patient is evaluated
    Then the ICANS ICE domain is 0
    And the ICANS CAPD domain is indeterminate between 0 and 3
    And the ICANS grade is indeterminate between 0 and 3
    And the ICANS assessment reports the CAPD score as missing

  Scenario: Item-level CAPD from a QuestionnaireResponse (1+1+1+1+2+1+1+1 = 9)
    Given a CAR-T patient aged 6 years on day +5
    And the CAPD items eye-contact 1, purposeful-actions 1, aware-of-surroundings 1, communicates-needs 1, restless 2, inconsolable 1, underactive 1, slow-response 1 as a QuestionnaireResponse
    And the patient is alert
    When the patient is evaluated
    Then the ICANS CAPD domain is 3
    And the ICANS grade is 3

  Scenario: An older patient for whom CAPD is chosen is graded with CAPD, not ICE
    # CAPD is validated to 21 years and may be used with developmental delay (icans.md section 3)
    Given a CAR-T patient aged 19 years on day +5
    And CAPD is chosen for this patient since day +0
    And an ICE score of 10
    And a CAPD score of 10
    And the patient is alert
    When the patient is evaluated
    Then the ICANS CAPD domain is 3
    And the ICANS ICE domain is 0
    And the ICANS grade is 3
    And the ICANS result rests on rule "icans.astct2019.ice.capd_used"

  Scenario Outline: Age boundary - a <age>-year-old with comparator <cmp> is graded with <tool>
    # icans.capd_age_lt_years = 12; lt (ASCO 2021, default): CAPD under 12; lte (NCIt): 12 and under
    Given the site parameter icans.capd_age_comparator is <cmp>
    And a CAR-T patient aged <age> years on day +5
    And an ICE score of 5
    And a CAPD score of 10
    And the patient is alert
    When the patient is evaluated
    Then the ICANS ICE domain is <ice>
    And the ICANS CAPD domain is <capd>
    And the ICANS grade is <grade>

    Examples: default lt - "children < 12 years" (ASCO 2021)
      | age | cmp | tool | ice | capd | grade |
      | 11  | lt  | CAPD | 0   | 3    | 3     |
      | 12  | lt  | ICE  | 2   | 0    | 2     |
      | 13  | lt  | ICE  | 2   | 0    | 2     |

    Examples: alternative lte - "12 and under" (NCI Thesaurus C188936)
      | age | cmp | tool | ice | capd | grade |
      | 11  | lte | CAPD | 0   | 3    | 3     |
      | 12  | lte | CAPD | 0   | 3    | 3     |
      | 13  | lte | ICE  | 2   | 0    | 2     |

  Scenario: Unknown age - the choice between ICE and CAPD is unknown, and the result says so
    Given a CAR-T patient with no recorded birth date on day +5
    And an ICE score of 5
    And the patient is alert
    When the patient is evaluated
    Then the ICANS ICE domain is indeterminate between 0 and 2
    And the ICANS grade is indeterminate between 0 and 3
    And the ICANS assessment reports the age as missing

  Scenario: Unknown age does not matter when ICE and CAPD agree
    Given a CAR-T patient with no recorded birth date on day +5
    And an ICE score of 10
    And a CAPD score of 0
    And the patient is alert
    When the patient is evaluated
    Then the ICANS grade is 0
