"""Gherkin steps for the Japanese DIC scores (JAAM 2006, JMHW 1988, JSTH 2017) and SIRS.

Loaded by :mod:`cartguard.testing.steps` (``pytest_plugins``), so the shared fixtures
(``cartguard_world`` ...) and parse types (:func:`cartguard.testing.steps.p`) are available.

Vocabulary (``SCALE`` is ``JAAM``, ``JMHW`` or ``JSTH``; items and inputs are named as a clinician
names them, see ``ITEMS`` and ``INPUTS``)::

    Given the patient meets N SIRS criteria[<when>]
    Given the thrombocytopenia is documented as due to marrow suppression
    Given the thrombocytopenia is documented as not due to marrow suppression[<when>]
    Given liver cirrhosis is recorded
    Given organ failure is documented as absent[<when>]
    Given the other JAAM laboratory results are normal
    Given the other JMHW findings are normal          (labs, and no bleeding / organ failure)
    Given the other JSTH findings are normal          (labs, and no liver failure)
    Then the SCALE score is V
    Then the SCALE score is indeterminate between LO and HI
    Then the SCALE ITEM points are V
    Then the SCALE ITEM points are indeterminate between LO and HI
    Then the SCALE interpretation is VERDICT[ (TYPE type[ fixed by the site])]
                      (VERDICT: DIC, not DIC, DIC suspected, DIC unlikely; or "undecided")
    Then the SCALE assessment reports the INPUT as missing
    Then the SCALE assessment reports nothing missing
    Then the SCALE result rests on rule "RULE_ID"
    Then the SIRS criteria count is N
    Then the SIRS criteria count is indeterminate between LO and HI
    Then the SIRS CRITERION criterion is met|not met|undecided
    Then SIRS is present|absent|undecided
"""

from __future__ import annotations

import re
from typing import Any

import parse
from pytest_bdd import given, parsers, then

from cartguard.testing.fhir import ICD10, LOINC
from cartguard.testing.steps import (
    CLIN,
    DATA_HOUR,
    LAB,
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
    _same,
)

JAAM = "dic.jaam"
JMHW = "dic.jmhw"
JSTH = "dic.jsth2017"
SIRS = "sirs.bone1992"
SCALES = {"JAAM": JAAM, "JMHW": JMHW, "JSTH": JSTH, "SIRS": SIRS}

ITEMS = {
    # item as written in the scenario -> component of the pack
    "SIRS": "sirs",
    "platelet": "platelets",
    "FDP": "fdp",
    "PT": "pt",
    "fibrinogen": "fibrinogen",
    "antithrombin": "antithrombin",
    "TAT, soluble fibrin or F1+2": "markers",
    "liver failure": "liver_failure",
    "bleeding": "bleeding",
    "organ failure": "organ_failure",
    "underlying disease": "underlying_disease",
    "cirrhosis": "cirrhosis",
}
INPUTS = {
    # clinical name -> the pack input reported under ``missing``
    "SIRS criteria count": "sirs_count",
    "platelet count": "platelets",
    "platelet fall": "platelet_fall",
    "FDP": "fdp",
    "PT ratio": "pt_ratio",
    "fibrinogen level": "fibrinogen",
    "antithrombin activity": "antithrombin",
    "TAT": "tat_x_uln",
    "soluble fibrin": "soluble_fibrin_x_uln",
    "F1+2": "f1_2_x_uln",
    "liver failure": "liver_failure",
    "infection": "sepsis",
    "bleeding": "bleeding",
    "organ failure": "organ_failure",
    "underlying disease": "underlying_condition",
    "liver cirrhosis": "cirrhosis",
    "leukaemia type": "leukaemia_type",
    "haematopoietic type": "haematopoietic",
    "highest temperature": "temp_max",
    "lowest temperature": "temp_min",
    "heart rate": "heart_rate_max",
    "respiratory rate": "resp_rate_max",
    "PaCO2": "paco2_min",
    "white cell count": "wbc_max",
    "band fraction": "bands_max",
}
SIRS_CRITERIA = {"temperature": "temperature", "heart rate": "heart_rate", "respiratory": "respiratory",
                 "white cell": "white_cells"}
VERDICTS = {"DIC": "dic", "not DIC": "not_dic", "DIC suspected": "suspected", "DIC unlikely": "unlikely"}
VERDICT_WORDS = {"dic": "positive", "not_dic": "negative", "suspected": "suspected", "unlikely": "negative"}
"""The scale's own verdict word (``Interpretation.verdict``) each interpretation carries."""
TYPE_IDS = {"basic": "basic", "haematopoietic": "haematopoietic", "infectious": "infectious",
            "leukaemia": "leukaemia", "non-leukaemia": "non_leukaemia"}

# SIRS criteria in the order "the patient meets N SIRS criteria" makes them abnormal:
# (LABS key, value if the criterion is met, value if not, unit).
SIRS_VALUES: list[list[tuple[str, str, float, float, str]]] = [
    [("temperature", "8310-5", 38.6, 37.0, "Cel")],
    [("heart rate", "8867-4", 112, 80, "/min")],
    [("respiratory rate", "9279-1", 26, 16, "/min"), ("PaCO2", "2019-8", 40, 40, "mm[Hg]")],
    [("white cell count", "6690-2", 15.0, 7.0, "10*9/L"), ("band neutrophil fraction", "764-1", 3, 3, "%")],
]

# Normal results (0 points) added for the laboratory items a scenario has not recorded:
# item: (resource keys that count as recorded, [(code, value, unit, ULN or None), ...]).
_Normal = tuple[tuple[str, ...], list[tuple[str, float, str, float | None]]]
NORMAL_LABS: dict[str, dict[str, _Normal]] = {
    JAAM: {
        "platelets": (("platelet count",), [("777-3", 250, "10*9/L", None)]),
        "fdp": (("FDP",), [("30226-5", 4, "mg/L", 5.0)]),
        "pt_ratio": (("PT ratio",), [("5894-1", 1.0, "{ratio}", None)]),
    },
    JMHW: {
        "platelets": (("platelet count",), [("777-3", 250, "10*9/L", None)]),
        "fdp": (("FDP",), [("30226-5", 4, "mg/L", 5.0)]),
        "fibrinogen": (("fibrinogen level",), [("3255-7", 3.0, "g/L", None)]),
        "pt": (("PT ratio", "prothrombin time"), [("5894-1", 1.0, "{ratio}", None), ("5902-2", 12.0, "s", 13.0)]),
    },
    JSTH: {
        "platelets": (("platelet count",), [("777-3", 250, "10*9/L", None)]),
        "fdp": (("FDP",), [("30226-5", 4, "mg/L", 5.0)]),
        "fibrinogen": (("fibrinogen level",), [("3255-7", 3.0, "g/L", None)]),
        "pt_ratio": (("PT ratio",), [("5894-1", 1.0, "{ratio}", None)]),
        "antithrombin": (("antithrombin activity",), [(f"{LAB}|antithrombin-activity", 100, "%", None)]),
        "markers": (("TAT", "soluble fibrin", "prothrombin fragment 1+2"), [(f"{LAB}|tat", 2.0, "ug/L", 4.0)]),
    },
}
# Documented absence of the clinical items: (resource keys that count as recorded, refuted ICD-10-CM codes).
BLEEDING_KEYS = ("haemorrhage", "gastrointestinal haemorrhage", "no haemorrhage", "no gastrointestinal haemorrhage")
ORGAN_FAILURE_CODES = ("N17.9", "J96.00", "K72.90", "I96")  # every concept of classes organ_failure and
# ischaemic_necrosis (CDSS): one refuted kind does not document the others
ORGAN_FAILURE_KEYS = ("acute kidney failure", "acute respiratory failure", "hepatic failure", "no acute kidney failure",
                      "no acute respiratory failure", "no hepatic failure", "no organ failure")
LIVER_FAILURE_KEYS = ("hepatic failure", "no hepatic failure", "no organ failure")


def _verdict(text: str) -> tuple[str, str | None] | None:
    """'DIC' | 'not DIC (basic type)' | 'DIC (leukaemia type fixed by the site)' ... -> (verdict id,
    type id or None: 'basic', 'fixed_leukaemia' ...); 'undecided' -> None."""
    if text == "undecided":
        return None
    m = re.fullmatch(r"(DIC|not DIC|DIC suspected|DIC unlikely)(?: \((\S+) type( fixed by the site)?\))?", text)
    assert m is not None, text
    type_id = TYPE_IDS[m.group(2)] if m.group(2) else None
    if type_id and m.group(3):
        type_id = f"fixed_{type_id}"
    return VERDICTS[m.group(1)], type_id


_verdict_type = parse.with_pattern(
    r"undecided|(?:DIC|not DIC|DIC suspected|DIC unlikely)(?: \((?:basic|haematopoietic|infectious|leukaemia|"
    r"non-leukaemia) type(?: fixed by the site)?\))?")(_verdict)
MY_TYPES = {
    "JpScale": _choice({k: v for k, v in SCALES.items() if k != "SIRS"}),
    "JpItem": _choice(ITEMS), "JpInput": _choice(INPUTS), "AnyJpScale": _choice(SCALES),
    "SirsCriterion": _choice(SIRS_CRITERIA), "JpVerdict": _verdict_type,
    "MetState": _choice({"met": 1, "not met": 0, "undecided": None}),
    "SirsState": _choice({"present": "sirs.bone1992.sirs", "absent": "sirs.bone1992.no_sirs", "undecided": None}),
}


def jp(fmt: str) -> parsers.parse:
    """A typed ``parsers.parse`` step pattern with the library's and this module's custom types."""
    return parsers.parse(fmt, extra_types={**TYPES, **MY_TYPES})


# -- Given ---------------------------------------------------------------------------------------
@given(jp("the patient meets {n:d} SIRS criteria{when:When}"))
def sirs_criteria_met(cartguard_world: World, n: int, when: When) -> None:
    """Temperature, heart rate, respiratory rate (with a PaCO2) and white cells (with a band
    fraction): the first ``n`` criteria abnormal, the others normal, every part measured."""
    assert 0 <= n <= 4, n
    w = cartguard_world
    day, hour = w.slot(when)
    for i, criterion in enumerate(SIRS_VALUES):
        for key, code, met, normal, unit in criterion:
            value = met if i < n else normal
            w.keep(key, w.b.observation(code, value, unit, day=day, hour=hour))


@given("the thrombocytopenia is documented as due to marrow suppression")
def marrow_suppression_documented(cartguard_world: World) -> None:
    """An active Condition (local code): the thrombocytopenia has a non-DIC cause (marrow suppression)."""
    w = cartguard_world
    w.keep("marrow suppression", w.b.condition("marrow-suppression", system=CLIN, day=w.day - 3))


@given(jp("the thrombocytopenia is documented as not due to marrow suppression{when:When}"))
def marrow_suppression_refuted(cartguard_world: World, when: When) -> None:
    """A refuted marrow-suppression Condition recorded at that time (e.g. counts recovered in remission)."""
    w = cartguard_world
    day, hour = w.slot(when)
    w.keep("no marrow suppression", w.b.condition("marrow-suppression", system=CLIN, day=day,
                                                  verification="refuted", recorded_day=day, recorded_hour=hour))


@given("liver cirrhosis is recorded")
def cirrhosis_recorded(cartguard_world: World) -> None:
    w = cartguard_world
    w.keep("liver cirrhosis", w.b.condition("K74.60", system=ICD10))


@given(jp("organ failure is documented as absent{when:When}"))
def organ_failure_absent(cartguard_world: World, when: When) -> None:
    """Refuted kidney, respiratory and hepatic failure and ischaemic necrosis Conditions (every family bound)."""
    w = cartguard_world
    day, hour = w.slot(when)
    for code in ORGAN_FAILURE_CODES:
        w.keep("no organ failure", w.b.condition(code, system=ICD10, day=day, verification="refuted",
                                                 recorded_day=day, recorded_hour=hour))


def _normal_labs(world: World, pack_id: str) -> None:
    for keys, results in NORMAL_LABS[pack_id].values():
        if any(k in world.resources for k in keys):
            continue
        for code, value, unit, uln in results:
            system, _, bare = code.rpartition("|")
            kw: dict[str, Any] = {} if uln is None else {"ref_high": uln}
            world.b.observation(bare, value, unit, system=system or LOINC, day=world.day,
                                hour=DATA_HOUR, **kw)


def _refute(world: World, code: str) -> None:
    world.b.condition(code, system=ICD10, day=world.day, verification="refuted", recorded_day=world.day,
                      recorded_hour=DATA_HOUR)


@given("the other JAAM laboratory results are normal")
def other_jaam_labs_normal(cartguard_world: World) -> None:
    """A normal result (0 points) for each JAAM laboratory item the scenario has not recorded."""
    _normal_labs(cartguard_world, JAAM)


@given("the other JMHW findings are normal")
def other_jmhw_findings_normal(cartguard_world: World) -> None:
    """Normal laboratory results, and documented absence of bleeding and organ failure, where not given."""
    w = cartguard_world
    _normal_labs(w, JMHW)
    if not any(k in w.resources for k in BLEEDING_KEYS):
        _refute(w, "R58")
    if not any(k in w.resources for k in ORGAN_FAILURE_KEYS):
        for code in ORGAN_FAILURE_CODES:
            _refute(w, code)


@given("the other JSTH findings are normal")
def other_jsth_findings_normal(cartguard_world: World) -> None:
    """Normal laboratory results, and documented absence of liver failure, where not given."""
    w = cartguard_world
    _normal_labs(w, JSTH)
    if not any(k in w.resources for k in LIVER_FAILURE_KEYS):
        _refute(w, "K72.90")


# -- Then: scores, items, interpretations ------------------------------------------------------
@then(jp("the {scale:AnyJpScale} score is {value:g}"))
def jp_score(cartguard_world: World, scale: str, value: float) -> None:
    a = cartguard_world.assessment(scale)
    assert a.status == "graded" and _same(a.value, value) and a.range == (a.value, a.value), _describe(a)


@then(jp("the {scale:AnyJpScale} score is indeterminate between {lo:g} and {hi:g}"))
def jp_score_range(cartguard_world: World, scale: str, lo: float, hi: float) -> None:
    a = cartguard_world.assessment(scale)
    assert a.value is None and _same(a.range[0], lo) and _same(a.range[1], hi), _describe(a)


@then(jp("the {scale:JpScale} {item:JpItem} points are {value:g}"))
def jp_points(cartguard_world: World, scale: str, item: str, value: float) -> None:
    _assert_component_value(cartguard_world, scale, item, value)


@then(jp("the {scale:JpScale} {item:JpItem} points are indeterminate between {lo:g} and {hi:g}"))
def jp_points_range(cartguard_world: World, scale: str, item: str, lo: float, hi: float) -> None:
    _assert_component_range(cartguard_world, scale, item, lo, hi)


@then(jp("the {scale:JpScale} interpretation is {verdict:JpVerdict}"))
def jp_interpretation(cartguard_world: World, scale: str, verdict: tuple[str, str | None] | None) -> None:
    a = cartguard_world.assessment(scale)
    if verdict is None:
        assert a.interpretation is None and a.status == "indeterminate", _describe(a)
        assert a.missing, "an undecided score must say which inputs are missing"
        return
    what, type_id = verdict
    expected = f"{scale}.{type_id}.{what}" if type_id else f"{scale}.{what}"
    assert a.interpretation is not None and a.interpretation.id == expected, (expected, _describe(a))
    assert a.interpretation.verdict == VERDICT_WORDS[what], (a.interpretation, _describe(a))
    assert a.status == "graded", _describe(a)


@then(jp("the {scale:AnyJpScale} assessment reports the {what:JpInput} as missing"))
def jp_reports_missing(cartguard_world: World, scale: str, what: str) -> None:
    a = cartguard_world.assessment(scale)
    hits = [m for m in a.missing if m.input == what]
    assert hits and hits[0].label and hits[0].reason, _describe(a)


@then(jp("the {scale:AnyJpScale} assessment reports nothing missing"))
def jp_reports_nothing_missing(cartguard_world: World, scale: str) -> None:
    _assert_nothing_missing(cartguard_world, scale)


@then(jp('the {scale:AnyJpScale} result rests on rule "{rule}"'))
def jp_rests_on_rule(cartguard_world: World, scale: str, rule: str) -> None:
    _assert_rests_on(cartguard_world, scale, rule)


@then(jp('the {scale:AnyJpScale} assessment states the assumption "{text}"'))
def jp_states_assumption(cartguard_world: World, scale: str, text: str) -> None:
    _assert_assumption(cartguard_world, scale, text)


# -- Then: SIRS ----------------------------------------------------------------------------------
@then(jp("the SIRS criteria count is {n:d}"))
def sirs_count(cartguard_world: World, n: int) -> None:
    a = cartguard_world.assessment(SIRS)
    assert (a.value, a.range) == (n, (n, n)) and a.status == "graded", _describe(a)


@then(jp("the SIRS criteria count is indeterminate between {lo:d} and {hi:d}"))
def sirs_count_range(cartguard_world: World, lo: int, hi: int) -> None:
    a = cartguard_world.assessment(SIRS)
    assert (a.value, a.range) == (None, (lo, hi)), _describe(a)


@then(jp("the SIRS {criterion:SirsCriterion} criterion is {state:MetState}"))
def sirs_criterion(cartguard_world: World, criterion: str, state: int | None) -> None:
    if state is None:
        _assert_component_range(cartguard_world, SIRS, criterion, 0, 1)
    else:
        _assert_component_value(cartguard_world, SIRS, criterion, state)


@then(jp("SIRS is {state:SirsState}"))
def sirs_state(cartguard_world: World, state: str | None) -> None:
    a = cartguard_world.assessment(SIRS)
    if state is None:
        assert a.interpretation is None and a.status == "indeterminate", _describe(a)
    else:
        assert a.interpretation is not None and a.interpretation.id == state and a.status == "graded", _describe(a)
        assert a.interpretation.verdict == ("positive" if state.endswith(".sirs") else "negative"), a.interpretation
