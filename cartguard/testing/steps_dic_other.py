"""Gherkin steps for ISTH non-overt DIC, sepsis-induced coagulopathy (SIC) and the Chinese DIC score (CDSS 2017).

Loaded by :mod:`cartguard.testing.steps` (``pytest_plugins``), so the shared fixtures
(``cartguard_world`` ...) and parse types (:func:`cartguard.testing.steps.p`) are available.

SCALE is ``ISTH non-overt`` (``dic.isth2001.nonovert``), ``SIC`` (``dic.sic``) or ``CDSS``
(``dic.cdss2017``); ITEM names one of its items in words (:data:`ITEMS`); WHAT names an input in
words (:data:`INPUTS`). Laboratory results use the core vocabulary (``Given a platelet count of 40
10*9/L on day +6``, ``an antithrombin activity of 75 %``, ``a TAT of 6 ug/L with an upper reference
limit of 4 ug/L``, ``an APTT of 46 s with an upper reference limit of 35 s`` ...)::

    Given SOFA subscores of respiratory R, cardiovascular C, hepatic H and renal N[<when>]
    Given a focal ischaemic necrosis is recorded
    Given the other ISTH non-overt results are normal and stable
    Given the other SIC items are normal
    Given the other CDSS items are normal
    Then the SCALE score is V
    Then the SCALE score is unknown between LO and HI
    Then the SCALE ITEM points are V
    Then the SCALE ITEM points are unknown between LO and HI
    Then the ISTH non-overt platelet|PT|fibrin marker trend is rising|stable|falling
    Then the SCALE verdict is positive|negative|undecided
    Then the CDSS interpretation is [not ]DIC in the haematological-malignancy|non-haematological arm
    Then the CDSS assessment uses the haematological-malignancy|non-haematological arm
    Then SIC does not apply
    Then the SCALE assessment reports the WHAT as missing
    Then the SCALE assessment reports the WHAT as missing, saying "TEXT"
    Then the SCALE assessment reports nothing missing
    Then the SCALE result rests on rule "RULE_ID"
    Then the SCALE assessment states the assumption "TEXT"
    Then the explanation of PACK_ID names rule "RULE_ID" worth V points
    Then PACK_ID and PACK_ID disagree on the verdict
    Then the side-by-side report names rule "RULE_ID" among the drivers of PACK_ID

"Normal" fills in, for each item the scenario has not recorded, a result scoring the item's
lowest value at 06:00 of the current day (and, where the scale needs serial data or a 24-h fall,
the same result at 06:00 the day before), and documents the absence of clinical items (refuted
Conditions). The CDSS normal D-dimer is of the type the scenario's site setting
``cdss.ddimer_type`` names (FEU when unset).
"""

from __future__ import annotations

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

NONOVERT = "dic.isth2001.nonovert"
SIC = "dic.sic"
CDSS = "dic.cdss2017"
SCALES = {"ISTH non-overt": NONOVERT, "SIC": SIC, "CDSS": CDSS}
ITEMS: dict[str, dict[str, str]] = {
    # scale -> item in words -> component
    NONOVERT: {"underlying disorder": "underlying_disorder", "platelet": "platelets",
               "platelet trend": "platelet_trend", "PT": "pt", "PT trend": "pt_trend", "fibrin marker": "fibrin_marker",
               "fibrin marker trend": "marker_trend", "antithrombin": "antithrombin", "protein C": "protein_c",
               "TAT": "tat"},
    SIC: {"sepsis": "sepsis_context", "PT-INR": "inr", "platelet": "platelets",
          "SOFA respiratory": "sofa_respiratory", "SOFA cardiovascular": "sofa_cardiovascular",
          "SOFA hepatic": "sofa_hepatic", "SOFA renal": "sofa_renal"},
    CDSS: {"underlying disease": "underlying_disease", "bleeding": "bleeding", "shock": "shock",
           "organ failure": "organ_failure", "platelet": "platelets", "platelet fall": "platelet_fall",
           "D-dimer": "d_dimer", "PT/APTT": "pt_aptt", "fibrinogen": "fibrinogen"},
}
INPUTS: dict[str, dict[str, str]] = {
    # scale -> input in words -> the pack input reported under ``missing``
    NONOVERT: {"underlying disorder": "underlying_condition", "platelet count": "platelets",
               "platelet trend": "platelet_change", "PT prolongation": "pt_prolongation",
               "PT trend": "pt_change", "fibrin marker": "marker_x_uln", "fibrin marker trend": "marker_change",
               "antithrombin": "antithrombin", "protein C": "protein_c", "TAT": "tat_x_uln"},
    SIC: {"PT-INR": "inr", "platelet count": "platelets", "SOFA respiratory subscore": "sofa_respiratory",
          "SOFA cardiovascular subscore": "sofa_cardiovascular", "SOFA hepatic subscore": "sofa_hepatic",
          "SOFA renal subscore": "sofa_renal"},
    CDSS: {"underlying disease": "underlying_condition", "bleeding": "bleeding", "shock": "shock",
           "organ failure": "organ_failure", "platelet count": "platelets", "platelet fall": "platelet_fall",
           "D-dimer": "d_dimer", "FEU D-dimer": "d_dimer_feu", "DDU D-dimer": "d_dimer_ddu",
           "PT prolongation": "pt_prolongation", "APTT prolongation": "aptt_prolongation",
           "fibrinogen level": "fibrinogen", "CAR-T episode": "cart_episode"},
}
TRENDS = {"platelet": "platelet_trend", "PT": "pt_trend", "fibrin marker": "marker_trend"}
CDSS_ARMS = {"haematological-malignancy": "haem", "non-haematological": "non_haem"}
CDSS_INTERPRETATIONS = {
    "DIC in the haematological-malignancy arm": "dic.cdss2017.dic.haem",
    "not DIC in the haematological-malignancy arm": "dic.cdss2017.no_dic.haem",
    "DIC in the non-haematological arm": "dic.cdss2017.dic.non_haem",
    "not DIC in the non-haematological arm": "dic.cdss2017.no_dic.non_haem",
}

# "Normal" results: item -> (resource keys that count as recorded, [(coding, value, unit, ULN, days back)])
_TODAY_AND_YESTERDAY = (0, 1)
NONOVERT_NORMAL: dict[str, tuple[tuple[str, ...], list[tuple[str, float, str, float | None, tuple[int, ...]]]]] = {
    "platelets": (("platelet count",), [("777-3", 250, "10*9/L", None, _TODAY_AND_YESTERDAY)]),
    "pt": (("prothrombin time",), [("5902-2", 12.0, "s", 13.0, _TODAY_AND_YESTERDAY)]),
    "marker": (("soluble fibrin", "FDP"), [("30226-5", 3.0, "mg/L", 5.0, _TODAY_AND_YESTERDAY)]),
    "antithrombin": (("antithrombin activity",), [(f"{LAB}|antithrombin-activity", 100, "%", None, (0,))]),
    "protein_c": (("protein C activity",), [(f"{LAB}|protein-c-activity", 100, "%", None, (0,))]),
    "tat": (("TAT",), [(f"{LAB}|tat", 2.0, "ug/L", 4.0, (0,))]),
}
SIC_NORMAL: dict[str, tuple[tuple[str, ...], list[tuple[str, float, str, float | None, tuple[int, ...]]]]] = {
    "inr": (("INR",), [("6301-6", 1.0, "{INR}", None, (0,))]),
    "platelets": (("platelet count",), [("777-3", 250, "10*9/L", None, (0,))]),
    **{f"sofa_{organ}": ((f"SOFA {organ} subscore",), [(f"{CLIN}|sofa-{organ}", 0, "{score}", None, (0,))])
       for organ in ("respiratory", "cardiovascular", "hepatic", "renal")},
}
CDSS_NORMAL: dict[str, tuple[tuple[str, ...], list[tuple[str, float, str, float | None, tuple[int, ...]]]]] = {
    "platelets": (("platelet count",), [("777-3", 250, "10*9/L", None, _TODAY_AND_YESTERDAY)]),
    "pt": (("prothrombin time",), [("5902-2", 12.0, "s", 13.0, (0,))]),
    "aptt": (("APTT",), [("14979-9", 30.0, "s", 35.0, (0,))]),
    "fibrinogen": (("fibrinogen level",), [("3255-7", 3.0, "g/L", None, (0,))]),
}
CDSS_NORMAL_DDIMER = {"FEU": ("48065-7", 0.3, "mg/L", 0.5), "DDU": ("48066-5", 0.2, "mg/L", 0.25)}
DDIMER_KEYS = ("FEU D-dimer", "DDU D-dimer", "untyped D-dimer")
# Clinical CDSS items: resource keys of the core diagnosis vocabulary that record the item (or its
# documented absence), and the ICD-10-CM codes refuted when the scenario recorded neither: one per
# bound concept of the item's classes (refuting one kind of organ failure does not document the others).
CLINICAL_ITEMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "bleeding": (("haemorrhage", "gastrointestinal haemorrhage"), ("R58",)),
    "shock": (("shock", "septic shock"), ("R57.9", "R65.21")),
    "organ failure": (("acute kidney failure", "acute respiratory failure", "hepatic failure",
                       "focal ischaemic necrosis"), ("N17.9", "J96.00", "K72.90", "I96")),
}


@parse.with_pattern(r"rising|stable|falling")
def _direction(text: str) -> str:
    return text


@parse.with_pattern(r"positive|negative|suspected|undecided")
def _verdict(text: str) -> str | None:
    return None if text == "undecided" else text


EXTRA = {"OtherScale": _choice(SCALES), "Trend": _choice(TRENDS), "Direction": _direction,
         "CdssArm": _choice(CDSS_ARMS), "CdssInterp": _choice({**CDSS_INTERPRETATIONS, "undecided": None}),
         "Verdict": _verdict}


def o(fmt: str) -> parsers.parse:
    """:func:`cartguard.testing.steps.p` with this module's extra parse types."""
    return parsers.parse(fmt, extra_types={**TYPES, **EXTRA})


def _item(pack_id: str, item: str) -> str:
    names = ITEMS[pack_id]
    assert item in names, f"{pack_id} has no item {item!r} (items: {sorted(names)})"
    return names[item]


def _input(pack_id: str, what: str) -> str:
    names = INPUTS[pack_id]
    assert what in names, f"{pack_id}: unknown input {what!r} (known: {sorted(names)})"
    return names[what]


# -- Given ---------------------------------------------------------------------------------------
def _add_normal(world: World, normal: dict[str, tuple[tuple[str, ...], list[Any]]]) -> None:
    for keys, results in normal.values():
        if any(k in world.resources for k in keys):
            continue
        for coding, value, unit, uln, days_back in results:
            system, _, code = coding.rpartition("|")
            kw: dict[str, Any] = {} if uln is None else {"ref_high": uln}
            for back in days_back:
                world.b.observation(code, value, unit, system=system or LOINC, day=world.day - back,
                                    hour=DATA_HOUR, **kw)


@given(o("SOFA subscores of respiratory {r:g}, cardiovascular {c:g}, hepatic {h:g} and renal {n:g}{when:When}"))
def sofa_subscores(cartguard_world: World, r: float, c: float, h: float, n: float, when: When) -> None:
    """Four SOFA organ subscores charted together (local codes, unit {score})."""
    w = cartguard_world
    day, hour = w.slot(when)
    for organ, value in (("respiratory", r), ("cardiovascular", c), ("hepatic", h), ("renal", n)):
        w.keep(f"SOFA {organ} subscore", w.b.observation(f"sofa-{organ}", value, "{score}", system=CLIN, day=day,
                                                         hour=hour))


@given("a focal ischaemic necrosis is recorded")
def ischaemic_necrosis(cartguard_world: World) -> None:
    """An active Condition ICD-10-CM I96 (gangrene, not elsewhere classified), bound by dic.cdss2017."""
    w = cartguard_world
    w.keep("focal ischaemic necrosis", w.b.condition("I96", system=ICD10, day=w.day))


@given("the other ISTH non-overt results are normal and stable")
def other_nonovert_normal(cartguard_world: World) -> None:
    """Normal results (lowest points) for each non-overt item not recorded; serial items also the day before."""
    _add_normal(cartguard_world, NONOVERT_NORMAL)


@given("the other SIC items are normal")
def other_sic_normal(cartguard_world: World) -> None:
    """PT-INR 1.0, platelets 250 and SOFA subscores 0 where the scenario has not recorded them."""
    _add_normal(cartguard_world, SIC_NORMAL)


@given("the other CDSS items are normal")
def other_cdss_normal(cartguard_world: World) -> None:
    """Normal laboratory results and documented absence of bleeding, shock and organ failure, where not given."""
    w = cartguard_world
    _add_normal(w, CDSS_NORMAL)
    if not any(k in w.resources for k in DDIMER_KEYS):
        kind = w.site_parameters.get("cdss.ddimer_type") or "FEU"
        code, value, unit, uln = CDSS_NORMAL_DDIMER[kind]
        w.b.observation(code, value, unit, day=w.day, hour=DATA_HOUR, ref_high=uln)
    for keys, codes in CLINICAL_ITEMS.values():
        if any(k in w.resources or f"no {k}" in w.resources for k in keys):
            continue
        for code in codes:
            w.b.condition(code, system=ICD10, day=w.day, verification="refuted", recorded_day=w.day,
                          recorded_hour=DATA_HOUR)


# -- Then: scores and items ----------------------------------------------------------------------
@then(o("the {scale:OtherScale} score is {value:g}"))
def score(cartguard_world: World, scale: str, value: float) -> None:
    a = cartguard_world.assessment(scale)
    assert a.status == "graded" and _same(a.value, value) and a.range == (a.value, a.value), _describe(a)


@then(o("the {scale:OtherScale} score is unknown between {lo:g} and {hi:g}"))
def score_range(cartguard_world: World, scale: str, lo: float, hi: float) -> None:
    """The score is a range (its verdict may still be settled: see the verdict steps)."""
    a = cartguard_world.assessment(scale)
    assert a.value is None and a.status != "not_applicable", _describe(a)
    assert _same(a.range[0], lo) and _same(a.range[1], hi), _describe(a)


@then(o("the {scale:OtherScale} {item} points are {value:g}"))
def item_points(cartguard_world: World, scale: str, item: str, value: float) -> None:
    _assert_component_value(cartguard_world, scale, _item(scale, item), value)


@then(o("the {scale:OtherScale} {item} points are unknown between {lo:g} and {hi:g}"))
def item_points_range(cartguard_world: World, scale: str, item: str, lo: float, hi: float) -> None:
    _assert_component_range(cartguard_world, scale, _item(scale, item), lo, hi)


@then(o("the ISTH non-overt {trend:Trend} trend is {direction:Direction}"))
def nonovert_trend(cartguard_world: World, trend: str, direction: str) -> None:
    a = cartguard_world.assessment(NONOVERT)
    c = a.components[trend]
    assert c.status == "graded" and c.rule_ids == [f"{NONOVERT}.{trend}.{direction}"], _describe(a)


# -- Then: verdicts and arms ---------------------------------------------------------------------
@then(o("the {scale:OtherScale} verdict is {verdict:Verdict}"))
def verdict(cartguard_world: World, scale: str, verdict: str | None) -> None:
    a = cartguard_world.assessment(scale)
    if verdict is None:
        assert a.interpretation is None and a.status == "indeterminate", _describe(a)
        assert a.missing, "an undecided result must say which inputs are missing"
    else:
        assert a.status == "graded" and a.interpretation is not None, _describe(a)
        assert a.interpretation.verdict == verdict, _describe(a)


@then(o("the CDSS interpretation is {interp:CdssInterp}"))
def cdss_interpretation(cartguard_world: World, interp: str | None) -> None:
    a = cartguard_world.assessment(CDSS)
    if interp is None:
        assert a.interpretation is None and a.status == "indeterminate", _describe(a)
        assert a.missing, "an undecided result must say which inputs are missing"
    else:
        assert a.interpretation is not None and a.interpretation.id == interp, _describe(a)
        assert a.status == "graded", _describe(a)


@then(o("the CDSS assessment uses the {arm:CdssArm} arm"))
def cdss_arm(cartguard_world: World, arm: str) -> None:
    """Every platelet and bleeding band still possible belongs to that arm."""
    a = cartguard_world.assessment(CDSS)
    ids = a.components["platelets"].rule_ids + a.components["bleeding"].rule_ids
    assert ids and all(f".{arm}." in i for i in ids), f"{ids}: {_describe(a)}"


@then("SIC does not apply")
def sic_not_applicable(cartguard_world: World) -> None:
    a = cartguard_world.assessment(SIC)
    assert (a.value, a.status, a.interpretation) == (None, "not_applicable", None), _describe(a)


# -- Then: missing data, explanation, assumptions ------------------------------------------------
@then(o("the {scale:OtherScale} assessment reports the {what} as missing"))
def reports_missing(cartguard_world: World, scale: str, what: str) -> None:
    a = cartguard_world.assessment(scale)
    name = _input(scale, what)
    hits = [m for m in a.missing if m.input == name]
    assert hits and hits[0].label and hits[0].reason, _describe(a)


@then(o('the {scale:OtherScale} assessment reports the {what} as missing, saying "{text}"'))
def reports_missing_saying(cartguard_world: World, scale: str, what: str, text: str) -> None:
    a = cartguard_world.assessment(scale)
    name = _input(scale, what)
    hits = [m for m in a.missing if m.input == name]
    assert hits, _describe(a)
    assert text in hits[0].reason, hits[0].reason


@then(o("the {scale:OtherScale} assessment reports nothing missing"))
def reports_nothing_missing(cartguard_world: World, scale: str) -> None:
    _assert_nothing_missing(cartguard_world, scale)


@then(o('the {scale:OtherScale} result rests on rule "{rule}"'))
def rests_on_rule(cartguard_world: World, scale: str, rule: str) -> None:
    _assert_rests_on(cartguard_world, scale, rule)


@then(o('the {scale:OtherScale} assessment states the assumption "{text}"'))
def states_assumption(cartguard_world: World, scale: str, text: str) -> None:
    _assert_assumption(cartguard_world, scale, text)


@then(o('the explanation of {pack_id:S} names rule "{rule}" worth {value:g} points'))
def explanation_names_rule(cartguard_world: World, pack_id: str, rule: str, value: float) -> None:
    """A definite finding of this rule, scoring this many points, is in the assessment's explanation."""
    a = cartguard_world.assessment(pack_id)
    hits = [f for f in a.explanation if f.rule_id == rule and f.certainty == "definite"]
    found = [(f.rule_id, f.value) for f in a.explanation if f.certainty == "definite"]
    assert hits and _same(hits[0].value, value), f"{rule} worth {value:g} not among {found}"
    assert hits[0].text and hits[0].citation, hits[0]


# -- Then: scales side by side -------------------------------------------------------------------
def _disagreement(world: World, first: str, second: str) -> Any:
    from cartguard import side_by_side

    found = [d for d in side_by_side.disagreements(world.res) if {d.first, d.second} == {first, second}]
    assert found, (f"{first} and {second} do not disagree: "
                   f"{[(d.first, d.second, d.what) for d in side_by_side.disagreements(world.res)]}")
    return found[0]


@then(o("{first:S} and {second:S} disagree on the verdict"))
def disagree_on_verdict(cartguard_world: World, first: str, second: str) -> None:
    d = _disagreement(cartguard_world, first, second)
    assert d.what == "verdict", d


@then(o('the side-by-side report names rule "{rule}" among the drivers of {pack_id:S}'))
def side_by_side_driver(cartguard_world: World, rule: str, pack_id: str) -> None:
    from cartguard import side_by_side

    found = [d for d in side_by_side.disagreements(cartguard_world.res) if pack_id in d.drivers]
    assert found, f"{pack_id} is in no disagreement"
    drivers = [f.rule_id for d in found for f in d.drivers[pack_id]]
    assert rule in drivers, f"{rule} not among the drivers of {pack_id}: {drivers}"
    text = "\n".join(side_by_side.to_text(cartguard_world.res))
    assert rule in text, text
