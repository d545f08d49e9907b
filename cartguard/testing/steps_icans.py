"""Gherkin steps for ICANS (ICE and CAPD scores, level of consciousness, seizures, motor findings,
raised ICP) for the icans.astct2019 pack.

Loaded by :mod:`cartguard.testing.steps` (``pytest_plugins``), so the shared fixtures
(``cartguard_world`` ...) and parse types (:func:`cartguard.testing.steps.p`) are available.

Every step writes real FHIR resources with the pack's local codes
(``http://cartguard.example/fhir/CodeSystem/neuro``, see ``docs/icans-inputs.md``)::

    Given a CAR-T patient with no recorded birth date on day +N
    Given an ICE score of N[<when>]                        (Observation, unit {score})
    Given a CAPD score of N[<when>]
    Given the ICE was not performed[<when>]              (Observation with dataAbsentReason not-performed)
    Given the ICE items ITEMS as a QuestionnaireResponse[ stating a total of N][<when>]
    Given the CAPD items ITEMS as a QuestionnaireResponse[ stating a total of N][<when>]
        ITEMS: "orientation 4, naming 3, commands 1" ...; an item left out is unanswered
    Given the patient LEVEL[<when>]                      (level of consciousness Observation)
    Given during a sedation interruption the patient LEVEL[<when>]
        LEVEL: is alert | awakens spontaneously | awakens to voice | awakens only to touch |
               is unarousable | needs vigorous stimuli to arouse | is sedated
    Given FINDING[ since day +N| that ended on day +N at HH:MM]   (an active or ended Condition)
    Given the chart documents no ABSENT[<when>]          (a refuted Condition: documented absence)
        ABSENT: seizure | prolonged seizure | repetitive seizures | deep focal motor weakness |
                focal cerebral oedema | diffuse cerebral oedema | posturing | cranial nerve VI palsy |
                papilloedema | Cushing's triad | inability to perform CAPD
    Given a seizure lasting N min[<when>]                 (seizure duration Observation)
        FINDING: see ``FINDINGS`` ("a generalised seizure that resolved rapidly", "hemiparesis",
                 "papilloedema", "the child is unable to perform CAPD", "CAPD is chosen for this patient" ...)
    Then the ICANS grade is N
    Then the ICANS grade is indeterminate between LO and HI
    Then the ICANS DOMAIN domain is N
    Then the ICANS DOMAIN domain is indeterminate between LO and HI
        DOMAIN: ICE | CAPD | consciousness | seizure | motor | cerebral oedema | raised ICP signs
    Then the ICANS assessment reports the WHAT as missing   (WHAT: see ``ICANS_MISSING``)
    Then the ICANS assessment reports nothing missing
    Then the ICANS result rests on rule "RULE_ID"
    Then the ICANS explanation cites the KEY resource      (KEY: ICE score, ICE questionnaire, finding ...)
    Then the ICANS assessment states the assumption "TEXT"
"""

from __future__ import annotations

import re
from typing import Any

import parse
import pytest
from pytest_bdd import given, parsers, then

from cartguard.testing.fhir import CAPD_QUESTIONNAIRE, ICE_QUESTIONNAIRE, NEURO
from cartguard.testing.steps import (
    TYPES,
    When,
    World,
    _assert_assumption,
    _assert_component_range,
    _assert_component_value,
    _assert_nothing_missing,
    _assert_rests_on,
    _choice,
    _describe,
    _when,
)

ICANS = "icans.astct2019"

CONSCIOUSNESS: dict[str, str] = {
    # words -> the code of the pack's icans_consciousness value set
    "is alert": "alert",
    "awakens spontaneously": "awakens-spontaneously",
    "awakens to voice": "awakens-to-voice",
    "awakens only to touch": "awakens-to-touch-only",
    "is unarousable": "unarousable-or-vigorous-stimuli",
    "needs vigorous stimuli to arouse": "unarousable-or-vigorous-stimuli",
    "is sedated": "sedated",
}
FINDINGS: dict[str, tuple[str, str]] = {
    # words -> (system, code) of a Condition the pack binds
    "a generalised seizure that resolved rapidly": (NEURO, "seizure-resolved-rapidly"),
    "a focal seizure that resolved rapidly": (NEURO, "seizure-resolved-rapidly"),
    "non-convulsive seizures on EEG that resolved with intervention": (NEURO, "nonconvulsive-seizure-eeg-resolved"),
    "a prolonged seizure (> 5 min)": (NEURO, "seizure-prolonged"),
    "repetitive seizures without return to baseline": (NEURO, "seizures-repetitive-no-return-to-baseline"),
    "a seizure of unknown kind": (NEURO, "seizure"),
    "unspecified convulsions (R56.9)": ("http://hl7.org/fhir/sid/icd-10-cm", "R56.9"),
    "deep focal motor weakness": (NEURO, "deep-focal-motor-weakness"),
    "hemiparesis": (NEURO, "hemiparesis"),
    "paraparesis": (NEURO, "paraparesis"),
    "focal cerebral oedema on neuroimaging": (NEURO, "cerebral-oedema-focal"),
    "diffuse cerebral oedema on neuroimaging": (NEURO, "cerebral-oedema-diffuse"),
    "decerebrate posturing": (NEURO, "decerebrate-posturing"),
    "decorticate posturing": (NEURO, "decorticate-posturing"),
    "a cranial nerve VI palsy": (NEURO, "cranial-nerve-vi-palsy"),
    "a left sixth nerve palsy (H49.22)": ("http://hl7.org/fhir/sid/icd-10-cm", "H49.22"),
    "papilloedema": (NEURO, "papilloedema"),
    "papilloedema with raised ICP (H47.11)": ("http://hl7.org/fhir/sid/icd-10-cm", "H47.11"),
    "Cushing's triad": (NEURO, "cushing-triad"),
    "the child is unable to perform CAPD": (NEURO, "capd-unable-to-perform"),
    "CAPD is chosen for this patient": (NEURO, "graded-with-capd"),
}
ABSENT: dict[str, tuple[str, str]] = {
    # words after "the chart documents no" -> (system, code) of the Condition recorded as refuted
    "seizure": (NEURO, "seizure"),
    "prolonged seizure": (NEURO, "seizure-prolonged"),
    "repetitive seizures": (NEURO, "seizures-repetitive-no-return-to-baseline"),
    "deep focal motor weakness": (NEURO, "deep-focal-motor-weakness"),
    "focal cerebral oedema": (NEURO, "cerebral-oedema-focal"),
    "diffuse cerebral oedema": (NEURO, "cerebral-oedema-diffuse"),
    "posturing": (NEURO, "decerebrate-posturing"),
    "cranial nerve VI palsy": (NEURO, "cranial-nerve-vi-palsy"),
    "papilloedema": (NEURO, "papilloedema"),
    "Cushing's triad": (NEURO, "cushing-triad"),
    "inability to perform CAPD": (NEURO, "capd-unable-to-perform"),
}
ICANS_DOMAINS = {
    "ICE": "ice", "CAPD": "capd", "consciousness": "consciousness", "seizure": "seizure", "motor": "motor",
    "cerebral oedema": "cerebral_oedema", "raised ICP signs": "raised_icp_signs",
}
ICANS_MISSING = {
    # clinical name -> the pack input reported under ``missing``
    "ICE score": "ice",
    "CAPD score": "capd",
    "age": "age",
    "level of consciousness": "consciousness",
    "level of consciousness off sedation": "consciousness_off_sedation",
    "seizure duration": "seizure_duration",
    "seizure": "seizure",
    "kind of seizure": "seizure_severe",
    "motor weakness": "motor_weakness",
    "focal cerebral oedema": "oedema_focal",
    "diffuse cerebral oedema": "oedema_diffuse",
    "posturing": "posturing",
    "cranial nerve VI palsy": "cn6_palsy",
    "papilloedema": "papilloedema",
    "Cushing's triad": "cushing_triad",
    "unable to perform CAPD": "capd_unable",
}


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``@icans`` feature tag as a marker (the suite runs with ``--strict-markers``)."""
    config.addinivalue_line("markers", "icans: ICANS grading scenarios")


@parse.with_pattern(r"(?: since day [+-]?\d+| that ended on day [+-]?\d+ at \d{2}:\d{2})?")
def _episode(text: str) -> tuple[str, int | None, float | None]:
    """'' (active since the current day) | ' since day +N' | ' that ended on day +N at HH:MM'."""
    m = re.fullmatch(r" since day ([+-]?\d+)", text)
    if m:
        return "since", int(m.group(1)), None
    m = re.fullmatch(r" that ended on day ([+-]?\d+) at (\d{2}):(\d{2})", text)
    if m:
        return "ended", int(m.group(1)), int(m.group(2)) + int(m.group(3)) / 60
    return "current", None, None


@parse.with_pattern(r"(?: stating a total of \S+)?")
def _stated_total(text: str) -> Any:
    if not text:
        return None
    raw = text.removeprefix(" stating a total of ")
    return int(raw) if re.fullmatch(r"-?\d+", raw) else raw


ICANS_TYPES = {
    **TYPES,
    "Consciousness": _choice(CONSCIOUSNESS),
    "Finding": _choice(FINDINGS),
    "Absent": _choice(ABSENT),
    "IcansDomain": _choice(ICANS_DOMAINS),
    "IcansMissing": _choice(ICANS_MISSING),
    "Episode": _episode,
    "StatedTotal": _stated_total,
    "When": _when,
}


def p(fmt: str) -> parsers.parse:
    """A typed step pattern with the library's types and the ICANS vocabulary."""
    return parsers.parse(fmt, extra_types=ICANS_TYPES)


def _coded_observation(world: World, key: str, code: str, value_code: str, when: When) -> dict[str, Any]:
    day, hour = world.slot(when)
    obs = world.b.observation(code, None, None, system=NEURO, day=day, hour=hour)
    obs["valueCodeableConcept"] = {"coding": [{"system": NEURO, "code": value_code}]}
    return world.keep(key, obs)


def _items(text: str) -> dict[str, Any]:
    """'orientation 4, naming 3' -> {'orientation': 4, 'naming': 3}; a value that is not an integer
    stays text (written as valueString, or valueDecimal for '2.5')."""
    out: dict[str, Any] = {}
    for part in filter(None, (x.strip() for x in text.split(","))):
        link, _, value = part.rpartition(" ")
        assert link, f"an item is 'linkId points', got {part!r}"
        if re.fullmatch(r"-?\d+", value):
            out[link] = int(value)
        elif re.fullmatch(r"-?\d+\.\d+", value):
            out[link] = float(value)
        else:
            out[link] = value
    return out


# -- Given: the patient ----------------------------------------------------------------------------
@given(p("a CAR-T patient with no recorded birth date on day {day:d}"))
def patient_without_birth_date(cartguard_world: World, day: int) -> None:
    from cartguard.testing.fhir import PatientBuilder

    cartguard_world.builder = PatientBuilder("p1", birth_date=None)
    cartguard_world.day = day


# -- Given: ICE and CAPD ---------------------------------------------------------------------------
@given(p("an ICE score of {score:g}{when:When}"))
def ice_score(cartguard_world: World, score: float, when: When) -> None:
    day, hour = cartguard_world.slot(when)
    cartguard_world.keep("ICE score", cartguard_world.b.observation(
        "ice-score", int(score) if float(score).is_integer() else score, "{score}", system=NEURO, day=day,
        hour=hour))


@given(p("a CAPD score of {score:g}{when:When}"))
def capd_score(cartguard_world: World, score: float, when: When) -> None:
    day, hour = cartguard_world.slot(when)
    cartguard_world.keep("CAPD score", cartguard_world.b.observation(
        "capd-score", int(score) if float(score).is_integer() else score, "{score}", system=NEURO, day=day,
        hour=hour))


@given(p("the ICE was not performed{when:When}"))
def ice_not_performed(cartguard_world: World, when: When) -> None:
    day, hour = cartguard_world.slot(when)
    cartguard_world.keep("ICE score", cartguard_world.b.observation(
        "ice-score", None, None, system=NEURO, day=day, hour=hour, absent_reason="not-performed"))


def _questionnaire(world: World, key: str, url: str, items: str, total: Any, when: When) -> None:
    day, hour = world.slot(when)
    answers = {} if items.strip() == "none" else _items(items)
    world.keep(key, world.b.questionnaire_response(url, answers, day=day, hour=hour, total=total))


@given(p("the ICE items {items} as a QuestionnaireResponse{total:StatedTotal}{when:When}"))
def ice_questionnaire(cartguard_world: World, items: str, total: Any, when: When) -> None:
    """ITEMS: 'orientation 4, naming 3, commands 1, writing 1, attention 1' (left out = unanswered), or 'none'."""
    _questionnaire(cartguard_world, "ICE questionnaire", ICE_QUESTIONNAIRE, items, total, when)


@given(p("the CAPD items {items} as a QuestionnaireResponse{total:StatedTotal}{when:When}"))
def capd_questionnaire(cartguard_world: World, items: str, total: Any, when: When) -> None:
    _questionnaire(cartguard_world, "CAPD questionnaire", CAPD_QUESTIONNAIRE, items, total, when)


# -- Given: level of consciousness -----------------------------------------------------------------
@given(p("the patient {level:Consciousness}{when:When}"))
def consciousness(cartguard_world: World, level: str, when: When) -> None:
    _coded_observation(cartguard_world, "level of consciousness", "level-of-consciousness", level, when)


@given(p("during a sedation interruption the patient {level:Consciousness}{when:When}"))
def consciousness_off_sedation(cartguard_world: World, level: str, when: When) -> None:
    _coded_observation(cartguard_world, "level of consciousness off sedation",
                       "level-of-consciousness-off-sedation", level, when)


# -- Given: findings (Conditions) ------------------------------------------------------------------
@given(p("{finding:Finding}{episode:Episode}"))
def finding(cartguard_world: World, finding: tuple[str, str], episode: tuple[str, int | None, float | None]
            ) -> None:
    """An active Condition with onset at 00:00 of the current day (or ``since day N``), or one that
    started the day before and ended (abatementDateTime) ``on day N at HH:MM``."""
    w = cartguard_world
    system, code = finding
    kind, day, hour = episode
    if kind == "ended":
        assert day is not None and hour is not None
        cond = w.b.condition(code, system=system, day=day - 1, until_day=day)
        cond["abatementDateTime"] = w.b.time(day, hour)
    else:
        cond = w.b.condition(code, system=system, day=w.day if day is None else day)
    w.keep("finding", cond)


@given(p("the chart documents no {finding:Absent}{when:When}"))
def finding_refuted(cartguard_world: World, finding: tuple[str, str], when: When) -> None:
    """A refuted Condition recorded at that time: the finding is known to be absent (not assumed)."""
    w = cartguard_world
    day, hour = w.slot(when)
    w.keep("refuted finding", w.b.condition(finding[1], system=finding[0], day=day, verification="refuted",
                                            recorded_day=day, recorded_hour=hour))


@given(p("a seizure lasting {minutes:g} min{when:When}"))
def seizure_duration(cartguard_world: World, minutes: float, when: When) -> None:
    day, hour = cartguard_world.slot(when)
    cartguard_world.keep("seizure duration", cartguard_world.b.observation(
        "seizure-duration", minutes, "min", system=NEURO, day=day, hour=hour))


# -- Then ------------------------------------------------------------------------------------------
@then(p("the ICANS grade is {grade:d}"))
def icans_grade(cartguard_world: World, grade: int) -> None:
    a = cartguard_world.assessment(ICANS)
    assert (a.value, a.range, a.status) == (grade, (grade, grade), "graded"), _describe(a)


@then(p("the ICANS grade is indeterminate between {lo:d} and {hi:d}"))
def icans_grade_range(cartguard_world: World, lo: int, hi: int) -> None:
    a = cartguard_world.assessment(ICANS)
    assert (a.value, a.range, a.status) == (None, (lo, hi), "indeterminate"), _describe(a)
    assert a.missing, f"an indeterminate grade must name what is missing: {_describe(a)}"


@then(p("the ICANS {domain:IcansDomain} domain is {n:d}"))
def icans_domain(cartguard_world: World, domain: str, n: int) -> None:
    _assert_component_value(cartguard_world, ICANS, domain, n)


@then(p("the ICANS {domain:IcansDomain} domain is indeterminate between {lo:d} and {hi:d}"))
def icans_domain_range(cartguard_world: World, domain: str, lo: int, hi: int) -> None:
    _assert_component_range(cartguard_world, ICANS, domain, lo, hi)


@then(p("the ICANS assessment reports the {what:IcansMissing} as missing"))
def icans_missing(cartguard_world: World, what: str) -> None:
    a = cartguard_world.assessment(ICANS)
    hits = [m for m in a.missing if m.input == what]
    assert hits and hits[0].label and hits[0].reason, _describe(a)


@then("the ICANS assessment reports nothing missing")
def icans_nothing_missing(cartguard_world: World) -> None:
    _assert_nothing_missing(cartguard_world, ICANS)


@then(p('the ICANS result rests on rule "{rule}"'))
def icans_rests_on(cartguard_world: World, rule: str) -> None:
    _assert_rests_on(cartguard_world, ICANS, rule)


@then(p("the ICANS explanation cites the {key} resource"))
def icans_explanation_cites(cartguard_world: World, key: str) -> None:
    a = cartguard_world.assessment(ICANS)
    refs = cartguard_world.refs(key)
    cited = [f.source for finding in a.explanation for i in finding.inputs for f in i.facts]
    assert set(refs) & set(cited), f"none of {refs} cited (cited: {sorted(set(cited))}): {_describe(a)}"


@then(p('the ICANS assessment states the assumption "{text}"'))
def icans_assumption(cartguard_world: World, text: str) -> None:
    _assert_assumption(cartguard_world, ICANS, text)
