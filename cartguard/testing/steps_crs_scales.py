"""Gherkin steps for the older CRS scales (Lee 2014, CTCAE v5.0): FiO2, vasopressor doses, clinician-stated severity.

Loaded by :mod:`cartguard.testing.steps` (``pytest_plugins``), so the shared fixtures
(``cartguard_world`` ...) and parse types (:func:`cartguard.testing.steps.p`) are available.

Steps (``<when>`` as in the core library: `` on day +N``, `` at HH:MM`` or both; MOMENT is ``HH:MM``,
``day +N`` or ``day +N at HH:MM``)::

    Given vasopressors running since MOMENT: none | DRUG[ RATE UNIT][, DRUG[ RATE UNIT] ...][ and DRUG ...]
    Given a DRUG infusion at RATE UNIT running since MOMENT
    Given a DRUG infusion at RATE UNIT from MOMENT to MOMENT
    Given a CRS organ toxicity of CTCAE grade G[<when>]
    Given a transaminitis of CTCAE grade G[<when>]
    Given the ventilation is documented as invasive|non-invasive[<when>]
    Given the clinician states that the CRS is life-threatening with urgent intervention indicated[<when>]
    Given the clinician states that the CRS is not life-threatening[<when>]
    Then the Lee 2014|CTCAE CRS grade is G
    Then the Lee 2014|CTCAE CRS grade is indeterminate between LO and HI
    Then the Lee 2014 fever|oxygen|hypotension|organ toxicity|transaminitis tier is N
    Then the CTCAE fever|hypotension|hypoxia|life-threatening tier is N
    Then the ... tier is indeterminate between LO and HI
    Then the Lee 2014|CTCAE result rests on rule "RULE_ID"
    Then the assessment PACK_ID rests on rule "RULE_ID"
    Then the Lee 2014|CTCAE assessment reports the WHAT as missing
    Then the Lee 2014|CTCAE assessment reports nothing missing
    Then the Lee 2014|CTCAE assessment states the assumption "TEXT"
    Then the Lee 2014|CTCAE explanation says "TEXT" about the WHAT
    Then the Lee 2014|CTCAE explanation reads the WHAT as VALUE
    Then the assessment PACK_ID reads the WHAT as VALUE

RATE UNIT is a UCUM rate (``20 ug/min``, ``0.1 ug/kg/min``); a drug without a rate is an infusion
whose rate was not charted. WHAT names a pack input in words (``FiO2``, ``vasopressor dose`` ...,
see :data:`INPUTS`).
"""

from __future__ import annotations

import re
from typing import Any

import parse
from pytest_bdd import given, parsers, then

from cartguard.testing.fhir import RXNORM_CODES
from cartguard.testing.steps import (
    CLIN,
    TYPES,
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

LEE = "crs.lee2014"
CTCAE = "crs.ctcae5"
OLD_SCALES = {"Lee 2014": LEE, "CTCAE": CTCAE}
LEE_COMPONENTS = {"fever": "fever", "oxygen": "oxygen", "hypotension": "hypotension",
                  "organ toxicity": "organ_toxicity", "transaminitis": "transaminitis"}
CTCAE_COMPONENTS = {"fever": "fever", "hypotension": "hypotension", "hypoxia": "hypoxia",
                    "life-threatening": "life_threatening"}
INPUTS = {
    # words -> the pack input reported under ``missing`` / in the explanation
    "body temperature": "temp_max",
    "FiO2": "fio2",
    "O2 flow": "o2_flow",
    "oxygen delivery": "o2_device",
    "ventilation mode": "invasive_ventilation",
    "blood pressure": "sbp_margin",
    "vasopressor dose": "high_dose",
    "vasopressor count": "vasopressors",
    "pressor count": "pressors",
    "organ toxicity grade": "organ_toxicity",
    "transaminitis grade": "transaminitis",
    "clinician's statement": "life_threatening",
}
ORGAN_CODES = {"a CRS organ toxicity": "crs-organ-toxicity-grade", "a transaminitis": "crs-transaminitis-grade"}
LIFE_THREATENING = "crs-life-threatening"


@parse.with_pattern(r"invasive|non-invasive")
def _ventilation(text: str) -> int:
    return 1 if text == "invasive" else 0


EXTRA = {"OldScale": _choice(OLD_SCALES), "LeeComp": _choice(LEE_COMPONENTS), "CtcaeComp": _choice(CTCAE_COMPONENTS),
         "OldInput": _choice(INPUTS), "Organ": _choice(ORGAN_CODES), "Ventilation": _ventilation}


def q(fmt: str) -> parsers.parse:
    """:func:`cartguard.testing.steps.p` with this module's extra parse types."""
    return parsers.parse(fmt, extra_types={**TYPES, **EXTRA})


# -- Given: vasopressor infusions with rates ---------------------------------------------------------
_ITEM = re.compile(r"(?P<drug>[a-z]+)(?: (?P<rate>\d+(?:\.\d+)?) (?P<unit>\S+))?")


def _infusion(world: World, drug: str, rate: tuple[float, str] | None, start: tuple[int | None, float | None],
              end: tuple[int | None, float | None] | None = None) -> None:
    assert drug in RXNORM_CODES, f"unknown drug {drug!r} (known: {sorted(RXNORM_CODES)})"
    d0, h0 = world.slot(start)
    kw: dict[str, Any] = {"in_progress": True} if end is None else dict(zip(("until_day", "until_hour"),
                                                                            world.slot(end), strict=True))
    world.keep(f"{drug} infusion", world.b.medication(drug, day=d0, hour=h0, rate=rate, **kw))


@given(q("vasopressors running since {start:Moment}: {spec}"))
def vasopressors_with_rates(cartguard_world: World, start: tuple[int | None, float | None], spec: str) -> None:
    """'none' | 'norepinephrine 20 ug/min' | 'norepinephrine 5 ug/min and vasopressin' | 'a 1 ug/min, b and c'.

    Each drug is an infusion in progress since ``start``; one without a rate has no rate charted.
    """
    if spec.strip() == "none":
        return
    for item in re.split(r",\s*|\s+and\s+", spec.strip()):
        m = _ITEM.fullmatch(item)
        assert m is not None, f"cannot read {item!r}: write 'drug' or 'drug RATE UNIT' (e.g. norepinephrine 20 ug/min)"
        rate = (float(m["rate"]), m["unit"]) if m["rate"] else None
        _infusion(cartguard_world, m["drug"], rate, start)


@given(q("a {drug:Drug} infusion at {rate:g} {unit:S} running since {start:Moment}"))
def infusion_rate_running(cartguard_world: World, drug: str, rate: float, unit: str,
                          start: tuple[int | None, float | None]) -> None:
    _infusion(cartguard_world, drug, (rate, unit), start)


@given(q("a {drug:Drug} infusion at {rate:g} {unit:S} from {start:Moment} to {end:Moment}"))
def infusion_rate_period(cartguard_world: World, drug: str, rate: float, unit: str,
                         start: tuple[int | None, float | None], end: tuple[int | None, float | None]) -> None:
    _infusion(cartguard_world, drug, (rate, unit), start, end)


# -- Given: organ toxicity, ventilation mode, the clinician's grade-4 statement -----------------------
@given(q("{organ:Organ} of CTCAE grade {grade:d}{when:When}"))
def organ_toxicity(cartguard_world: World, organ: str, grade: int, when: Any) -> None:
    """A local-coded Observation (cgclin|crs-organ-toxicity-grade or crs-transaminitis-grade), unit 1."""
    day, hour = cartguard_world.slot(when)
    cartguard_world.keep(organ, cartguard_world.b.observation(organ, grade, "1", system=CLIN, day=day, hour=hour))


@given(q("the ventilation is documented as {kind:Ventilation}{when:When}"))
def ventilation_mode(cartguard_world: World, kind: int, when: Any) -> None:
    """Local Observation cgclin|invasive-ventilation: 1 invasive (intubation), 0 non-invasive (CPAP/BiPAP)."""
    day, hour = cartguard_world.slot(when)
    cartguard_world.keep("ventilation mode", cartguard_world.b.observation(
        "invasive-ventilation", kind, "1", system=CLIN, day=day, hour=hour))


@given(q("the clinician states that the CRS is life-threatening with urgent intervention indicated{when:When}"))
def clinician_life_threatening(cartguard_world: World, when: Any) -> None:
    """An active Condition cgclin|crs-life-threatening with its onset at that time."""
    w = cartguard_world
    day, hour = w.slot(when)
    cond = w.b.condition(LIFE_THREATENING, system=CLIN, day=day)
    cond["onsetDateTime"] = w.b.time(day, hour)
    w.keep("clinician's statement", cond)


@given(q("the clinician states that the CRS is not life-threatening{when:When}"))
def clinician_not_life_threatening(cartguard_world: World, when: Any) -> None:
    """A refuted Condition cgclin|crs-life-threatening recorded at that time (documented absence)."""
    w = cartguard_world
    day, hour = w.slot(when)
    w.keep("clinician's statement", w.b.condition(LIFE_THREATENING, system=CLIN, day=day, verification="refuted",
                                                  recorded_day=day, recorded_hour=hour))


# -- Then ------------------------------------------------------------------------------------------
def _grade(world: World, pack_id: str, grade: int) -> None:
    a = world.assessment(pack_id)
    assert (a.value, a.range, a.status) == (grade, (grade, grade), "graded"), _describe(a)


def _grade_range(world: World, pack_id: str, lo: int, hi: int) -> None:
    a = world.assessment(pack_id)
    assert (a.value, a.range, a.status) == (None, (lo, hi), "indeterminate"), _describe(a)


@then(q("the {scale:OldScale} CRS grade is {grade:d}"))
def old_scale_grade(cartguard_world: World, scale: str, grade: int) -> None:
    _grade(cartguard_world, scale, grade)


@then(q("the {scale:OldScale} CRS grade is indeterminate between {lo:d} and {hi:d}"))
def old_scale_grade_range(cartguard_world: World, scale: str, lo: int, hi: int) -> None:
    _grade_range(cartguard_world, scale, lo, hi)


@then(q("the Lee 2014 {comp:LeeComp} tier is {n:d}"))
def lee_tier(cartguard_world: World, comp: str, n: int) -> None:
    _assert_component_value(cartguard_world, LEE, comp, n)


@then(q("the Lee 2014 {comp:LeeComp} tier is indeterminate between {lo:d} and {hi:d}"))
def lee_tier_range(cartguard_world: World, comp: str, lo: int, hi: int) -> None:
    _assert_component_range(cartguard_world, LEE, comp, lo, hi)


@then(q("the CTCAE {comp:CtcaeComp} tier is {n:d}"))
def ctcae_tier(cartguard_world: World, comp: str, n: int) -> None:
    _assert_component_value(cartguard_world, CTCAE, comp, n)


@then(q("the CTCAE {comp:CtcaeComp} tier is indeterminate between {lo:d} and {hi:d}"))
def ctcae_tier_range(cartguard_world: World, comp: str, lo: int, hi: int) -> None:
    _assert_component_range(cartguard_world, CTCAE, comp, lo, hi)


@then(q('the {scale:OldScale} result rests on rule "{rule}"'))
def old_scale_assert_rests_on(cartguard_world: World, scale: str, rule: str) -> None:
    _assert_rests_on(cartguard_world, scale, rule)


@then(q('the assessment {pack_id:S} rests on rule "{rule}"'))
def assessment_assert_rests_on(cartguard_world: World, pack_id: str, rule: str) -> None:
    """The assessment's definite findings include this rule id (any scale)."""
    _assert_rests_on(cartguard_world, pack_id, rule)


@then(q("the {scale:OldScale} assessment reports the {what:OldInput} as missing"))
def old_scale_missing(cartguard_world: World, scale: str, what: str) -> None:
    a = cartguard_world.assessment(scale)
    hits = [m for m in a.missing if m.input == what]
    assert hits and hits[0].label and hits[0].reason, _describe(a)


@then(q("the {scale:OldScale} assessment reports nothing missing"))
def old_scale_nothing_missing(cartguard_world: World, scale: str) -> None:
    _assert_nothing_missing(cartguard_world, scale)


@then(q('the {scale:OldScale} assessment states the assumption "{text}"'))
def old_scale_assumption(cartguard_world: World, scale: str, text: str) -> None:
    _assert_assumption(cartguard_world, scale, text)


@then(q('the {scale:OldScale} explanation says "{text}" about the {what:OldInput}'))
def old_scale_explains(cartguard_world: World, scale: str, text: str, what: str) -> None:
    """Some finding of the assessment reports this input with a note (or missing reason) containing ``text``."""
    a = cartguard_world.assessment(scale)
    notes = [i.note or "" for f in a.explanation for i in f.inputs if i.name == what]
    notes += [m.reason for m in a.missing if m.input == what]
    assert any(text in n for n in notes), f"{what}: {notes or 'not in the explanation'} ({_describe(a)})"


def _reads(world: World, pack_id: str, what: str, value: float) -> None:
    a = world.assessment(pack_id)
    values = [i.value for f in a.explanation for i in f.inputs if i.name == what]
    assert any(v is not None and _same(v, value) for v in values), f"{what}: {values} ({_describe(a)})"


@then(q("the {scale:OldScale} explanation reads the {what:OldInput} as {value:g}"))
def old_scale_input_value(cartguard_world: World, scale: str, what: str, value: float) -> None:
    """A finding of the assessment reports this input with exactly this value."""
    _reads(cartguard_world, scale, what, value)


@then(q("the assessment {pack_id:S} reads the {what:OldInput} as {value:g}"))
def assessment_input_value(cartguard_world: World, pack_id: str, what: str, value: float) -> None:
    """As above, for any scale by pack id (the input names are the pack's)."""
    _reads(cartguard_world, pack_id, what, value)
