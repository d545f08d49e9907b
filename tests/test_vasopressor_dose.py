"""engine/vasopressor_dose.py: Lee 2014 Table 2 "high-dose vasopressors", reduced at one evaluation time.

The reducer is run exactly as the crs.lee2014 pack declares it (its ``high_dose`` input and the
pack's default parameters), on facts built here; the last tests go through FHIR resources.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from _cg import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cartguard.api import evaluate_loaded
from cartguard.engine.evaluate import Evaluator
from cartguard.engine.inputs import REDUCERS, Context, InputValue
from cartguard.engine.packs import load_pack_file
from cartguard.errors import PackError
from cartguard.fhir_adapters.facts import Fact, PatientFacts
from cartguard.testing import PatientBuilder

LEE = load_pack_file(REPO / "rules" / "crs" / "lee2014.yaml").pack
SPEC = LEE.inputs["high_dose"]
DEFAULTS = {name: p.default for name, p in LEE.parameters.items()}
AT = datetime(2026, 3, 13, 8, tzinfo=UTC)  # day +3 08:00
_ids = iter(range(1, 10**6))


def before(hours: float) -> datetime:
    return AT - timedelta(hours=hours)


def infusion(agent: str, rate: float | None, unit: str | None = "ug/min", *, start: float = 6.0,
             end: float | None = None, instant: bool = False) -> Fact:
    """An administration of ``agent`` from ``start`` hours before the evaluation, running unless ``end``."""
    classes = ("vasopressin",) if agent == "vasopressin" else ("vasopressor",)
    return Fact("medication", agent, f"MedicationAdministration/{next(_ids)}", before(start),
                end=None if end is None or instant else before(end), open_ended=end is None and not instant,
                classes=classes, rate=rate, rate_unit=unit if rate is not None else None)


def weight(kg: float, hours_before: float) -> Fact:
    return Fact("observation", "body_weight", f"Observation/w{next(_ids)}", before(hours_before), value=kg,
                lo=kg, hi=kg, unit="kg")


def high_dose(*facts: Fact, spec: Any = SPEC, **params: Any) -> InputValue:
    overrides = {f"lee2014.{k.replace('__', '.')}": v for k, v in params.items()}
    pf = PatientFacts("p1", facts=sorted(facts, key=lambda f: (f.time, f.source)))
    ctx = Context(patient=pf, at=AT, params={**DEFAULTS, **overrides})
    return REDUCERS["vasopressor_high_dose"]("high_dose", spec, ctx)


def verdict(v: InputValue) -> float | None:
    """1.0 / 0.0, or None when unknown; a known value is always exact."""
    if not v.known:
        assert v.lo is None and v.hi is None and v.note, v
        return None
    assert v.lo == v.hi and v.lo in (0.0, 1.0) and v.note, v
    return v.lo


def test_the_reducer_is_registered_and_the_lee_pack_uses_it():
    assert REDUCERS["vasopressor_high_dose"].__module__ == "cartguard.engine.vasopressor_dose"
    assert SPEC.reduce == "vasopressor_high_dose"
    assert DEFAULTS["lee2014.high_dose.min_duration_gte_h"] == 3
    assert all(LEE.parameters[n].evidence == "U" for n in DEFAULTS if n.startswith(("lee2014.high_dose.",
                                                                                     "lee2014.ne_eq.")))


# -- each agent's monotherapy threshold, at the boundary ------------------------------------------
@pytest.mark.parametrize(("agent", "rate", "unit", "expected"), [
    ("norepinephrine", 19.99, "ug/min", 0.0),
    ("norepinephrine", 20, "ug/min", 1.0),
    ("epinephrine", 9.99, "ug/min", 0.0),
    ("epinephrine", 10, "ug/min", 1.0),
    ("phenylephrine", 199.9, "ug/min", 0.0),
    ("phenylephrine", 200, "ug/min", 1.0),
    ("dopamine", 9.99, "ug/kg/min", 0.0),
    ("dopamine", 10, "ug/kg/min", 1.0),
])
def test_monotherapy_threshold(agent, rate, unit, expected):
    v = high_dose(infusion(agent, rate, unit))
    assert verdict(v) == expected
    assert f"monotherapy: {agent} {rate:g} {unit}" in v.note


def test_the_thresholds_are_the_pack_parameters():
    nor = infusion("norepinephrine", 15)
    assert verdict(high_dose(nor)) == 0.0
    assert verdict(high_dose(nor, high_dose__norepinephrine_gte_ug_min=15)) == 1.0


def test_no_vasopressor_is_not_high_dose():
    v = high_dose()
    assert verdict(v) == 0.0 and v.note == "not high-dose now: no vasopressor running"
    v = high_dose(infusion("norepinephrine", 30, start=10, end=5))  # stopped 5 h ago (gap 60 min)
    assert verdict(v) == 0.0 and "no vasopressor running" in v.note


# -- ug/kg/min <-> ug/min with the body weight nearest in time ------------------------------------
def test_ug_kg_min_is_converted_with_the_weight_nearest_in_time_to_the_administration():
    drip = infusion("norepinephrine", 0.25, "ug/kg/min", start=6)
    near, far = weight(80, 7), weight(60, 40)  # 1 h and 34 h from the start
    v = high_dose(drip, near, far)
    assert verdict(v) == 1.0 and "0.25 ug/kg/min x 80 kg = 20 ug/min" in v.note
    assert near in v.facts and far not in v.facts
    v = high_dose(drip, weight(60, 5), weight(80, 40))  # now 60 kg is nearer (1 h after the start)
    assert verdict(v) == 0.0 and "x 60 kg = 15 ug/min" in v.note


def test_equally_near_weights_use_the_later_one():
    v = high_dose(infusion("norepinephrine", 0.25, "ug/kg/min", start=6), weight(60, 7), weight(80, 5))
    assert verdict(v) == 1.0 and "x 80 kg" in v.note


def test_dopamine_in_ug_min_is_converted_to_ug_kg_min():
    assert verdict(high_dose(infusion("dopamine", 700, "ug/min"), weight(70, 24))) == 1.0
    v = high_dose(infusion("dopamine", 699, "ug/min"), weight(70, 24))
    assert verdict(v) == 0.0 and "dopamine 699 ug/min / 70 kg = 9.9857 ug/kg/min < 10" in v.note


def test_unknown_weight_is_unknown_never_a_guess():
    v = high_dose(infusion("norepinephrine", 0.3, "ug/kg/min"))
    assert verdict(v) is None and "needs a body weight" in v.note
    v = high_dose(infusion("dopamine", 600, "ug/min"))
    assert verdict(v) is None and "needs a body weight to be read in ug/kg/min" in v.note


def test_a_weight_too_far_from_the_administration_is_not_used():
    drip = infusion("norepinephrine", 0.3, "ug/kg/min", start=6)
    assert verdict(high_dose(drip, weight(70, 6 + 721))) is None
    assert verdict(high_dose(drip, weight(70, 6 + 719))) == 1.0
    assert verdict(high_dose(drip, weight(70, 6 + 48), weight_within_hours=24)) is None


def test_a_weight_charted_after_the_evaluation_is_not_seen():
    drip = infusion("norepinephrine", 0.3, "ug/kg/min", start=6)
    assert verdict(high_dose(drip, weight(70, -1))) is None  # one hour after the evaluation


def test_a_zero_or_censored_weight_is_not_used():
    drip = infusion("norepinephrine", 0.3, "ug/kg/min")
    censored = Fact("observation", "body_weight", "Observation/c", before(2), lo=50.0, hi=None, unit="kg",
                    comparator=">")
    assert verdict(high_dose(drip, weight(0, 2), censored)) is None


# -- sustained for >= 3 h --------------------------------------------------------------------------
@pytest.mark.parametrize(("started_h_before", "expected"), [(2.9, 0.0), (2.99, 0.0), (3.0, 1.0), (30, 1.0)])
def test_the_high_dose_must_be_sustained_for_3_hours(started_h_before, expected):
    v = high_dose(infusion("norepinephrine", 25, start=started_h_before))
    assert verdict(v) == expected
    if expected == 0.0:
        assert "high-dose only since" in v.note and f"{started_h_before:.4g} h)" in v.note


def test_the_duration_is_a_parameter():
    drip = infusion("norepinephrine", 25, start=2.5)
    assert verdict(high_dose(drip)) == 0.0
    assert verdict(high_dose(drip, high_dose__min_duration_gte_h=2)) == 1.0


def test_an_interruption_longer_than_the_gap_breaks_the_duration():
    first = infusion("norepinephrine", 25, start=6, end=2.5)   # counts until 1.5 h before
    second = infusion("norepinephrine", 25, start=1)
    v = high_dose(first, second)
    assert verdict(v) == 0.0 and "no vasopressor running" in v.note
    bridged = infusion("norepinephrine", 25, start=6, end=1.5)  # counts until 0.5 h before: no gap
    assert verdict(high_dose(bridged, second)) == 1.0


def test_an_instantaneous_record_counts_for_the_gap_only():
    v = high_dose(infusion("norepinephrine", 25, start=0.5, instant=True))
    assert verdict(v) == 0.0


# -- a rate change mid-way: the record started later gives the rate --------------------------------
@pytest.mark.parametrize(("first", "second", "expected", "says"), [
    (25, 30, 1.0, "high-dose for 3 h"),
    (25, 15, 0.0, "not high-dose now: monotherapy: norepinephrine 15 ug/min < 20 ug/min"),
    (15, 25, 0.0, "high-dose only since 2026-03-13 06:00: 2 h"),
    (19, 20, 0.0, "high-dose only since 2026-03-13 06:00: 2 h"),
])
def test_a_rate_change_mid_way(first, second, expected, says):
    old = infusion("norepinephrine", first, start=6, end=2)  # still "running" for 60 min after 06:00
    new = infusion("norepinephrine", second, start=2)
    v = high_dose(old, new)
    assert verdict(v) == expected and says in v.note, v.note


def test_a_switch_of_agent_that_stays_high_dose_is_sustained():
    nor = infusion("norepinephrine", 25, start=6, end=2)
    epi = infusion("epinephrine", 12, start=2)
    v = high_dose(nor, epi)  # 06:00-07:00 both run: combination NE-eq 37 >= 20; then epinephrine alone
    assert verdict(v) == 1.0 and "combination, NE-equivalent 37 ug/min" in v.note


# -- NE-equivalent = NE + dopamine (ug/kg/min)/2 + epinephrine + phenylephrine/10 -----------------
@pytest.mark.parametrize(("drips", "ne_eq", "expected"), [
    ([("norepinephrine", 10, "ug/min"), ("epinephrine", 10, "ug/min")], "20", 1.0),
    ([("norepinephrine", 10, "ug/min"), ("epinephrine", 9.9, "ug/min")], "19.9", 0.0),
    ([("norepinephrine", 10, "ug/min"), ("phenylephrine", 100, "ug/min")], "20", 1.0),
    ([("norepinephrine", 10, "ug/min"), ("phenylephrine", 99, "ug/min")], "19.9", 0.0),
    ([("norepinephrine", 10, "ug/min"), ("dopamine", 20, "ug/kg/min")], "20", 1.0),
    ([("norepinephrine", 10, "ug/min"), ("dopamine", 19.8, "ug/kg/min")], "19.9", 0.0),
    ([("epinephrine", 5, "ug/min"), ("phenylephrine", 50, "ug/min"), ("dopamine", 20, "ug/kg/min")], "20", 1.0),
    ([("norepinephrine", 5, "ug/min"), ("phenylephrine", 50, "ug/min")], "10", 0.0),
])
def test_combination_uses_the_norepinephrine_equivalent(drips, ne_eq, expected):
    v = high_dose(*(infusion(a, r, u) for a, r, u in drips))
    assert verdict(v) == expected
    assert f"combination, NE-equivalent {ne_eq} ug/min" in v.note, v.note


def test_the_dopamine_term_unit_and_divisors_are_parameters():
    drips = (infusion("norepinephrine", 10), infusion("dopamine", 5, "ug/kg/min"), weight(70, 24))
    assert verdict(high_dose(*drips)) == 0.0                                    # 10 + 5/2 = 12.5
    v = high_dose(*drips, ne_eq__dopamine_unit="ug/min")                        # 10 + 350/2 = 185
    assert verdict(v) == 1.0 and "5 ug/kg/min x 70 kg = 350 ug/min / 2" in v.note
    assert verdict(high_dose(*drips, ne_eq__dopamine_divisor=0.5)) == 1.0        # 10 + 5/0.5 = 20


def test_an_unknown_term_makes_the_combination_unknown_unless_the_rest_suffices():
    known = infusion("norepinephrine", 12)
    v = high_dose(known, infusion("epinephrine", None))
    assert verdict(v) is None and "epinephrine rate not recorded" in v.note
    assert verdict(high_dose(infusion("norepinephrine", 21), infusion("epinephrine", None))) == 1.0


# -- vasopressin: vasopressin + NE-equivalent >= 10 ug/min -----------------------------------------
@pytest.mark.parametrize(("others", "expected"), [
    ([], 0.0),
    ([("norepinephrine", 9.99, "ug/min")], 0.0),
    ([("norepinephrine", 10, "ug/min")], 1.0),
    ([("phenylephrine", 100, "ug/min")], 1.0),
    ([("dopamine", 19.9, "ug/kg/min")], 0.0),
    ([("dopamine", 20, "ug/kg/min")], 1.0),
    ([("norepinephrine", 6, "ug/min"), ("epinephrine", 4, "ug/min")], 1.0),
])
def test_vasopressin_combination(others, expected):
    v = high_dose(infusion("vasopressin", None), *(infusion(a, r, u) for a, r, u in others))
    assert verdict(v) == expected
    assert "vasopressin + NE-equivalent" in v.note


def test_vasopressin_rate_is_not_needed_and_an_unknown_other_rate_is_unknown():
    v = high_dose(infusion("vasopressin", None), infusion("norepinephrine", None))
    assert verdict(v) is None and "norepinephrine rate not recorded" in v.note


# -- missing data and odd records: unknown or a verdict, never a crash -----------------------------
def test_a_missing_rate_is_unknown():
    v = high_dose(infusion("norepinephrine", None))
    assert verdict(v) is None
    assert "cannot tell whether high-dose for 3 h" in v.note and "norepinephrine rate not recorded" in v.note


def test_a_missing_earlier_rate_does_not_matter_when_the_current_dose_is_low():
    v = high_dose(infusion("norepinephrine", None, start=6, end=2.5), infusion("norepinephrine", 5, start=2.5))
    assert verdict(v) == 0.0 and v.note.startswith("not high-dose now")


def test_an_agent_without_a_threshold_is_unknown_not_zero():
    odd = Fact("medication", "metaraminol", "MedicationAdministration/m", before(6), open_ended=True,
               classes=("vasopressor",), rate=500.0, rate_unit="ug/min")
    v = high_dose(odd)
    assert verdict(v) is None and "no monotherapy threshold for metaraminol" in v.note
    assert verdict(high_dose(odd, infusion("norepinephrine", 25))) == 1.0  # 25 alone already >= 20


def test_the_facts_behind_the_input_are_the_administrations_and_the_weight():
    drip, w = infusion("norepinephrine", 0.3, "ug/kg/min"), weight(70, 24)
    old = infusion("norepinephrine", 10, start=30, end=20)  # outside the window: not a fact behind it
    v = high_dose(drip, w, old)
    assert set(v.facts) == {drip, w}


def test_bad_reducer_parameters_are_pack_errors():
    bare = SPEC.model_copy(update={"params": {"min_duration_h": "$lee2014.high_dose.min_duration_gte_h"}})
    with pytest.raises(PackError, match="needs params"):
        high_dose(spec=bare)
    extra = SPEC.model_copy(update={"params": {**SPEC.params, "mono_norepinephrine_gt_ug_min": "20"}})
    with pytest.raises(PackError, match="does not know param"):
        high_dose(spec=extra)
    with pytest.raises(PackError, match="must be 'ug/min' or 'ug/kg/min'"):
        high_dose(infusion("norepinephrine", 5), ne_eq__dopamine_unit="mg/h")
    with pytest.raises(PackError, match="must be positive"):
        high_dose(ne_eq__phenylephrine_divisor=0)


AGENTS = ["norepinephrine", "epinephrine", "phenylephrine", "dopamine", "vasopressin", "metaraminol"]


@st.composite
def _records(draw: Any) -> list[Fact]:
    facts: list[Fact] = []
    for i in range(draw(st.integers(0, 6))):
        agent = draw(st.sampled_from(AGENTS))
        start = draw(st.floats(-2, 30, allow_nan=False))
        shape = draw(st.sampled_from(["running", "ended", "instant"]))
        end = draw(st.floats(-3, start, allow_nan=False)) if shape == "ended" else None
        rate = draw(st.one_of(st.none(), st.floats(0, 5000, allow_nan=False)))
        unit = draw(st.sampled_from(["ug/min", "ug/kg/min", None, "U/min"]))
        facts.append(Fact("medication", agent, f"MedicationAdministration/h{i}", before(start),
                          end=None if end is None else before(end), open_ended=shape == "running",
                          classes=("vasopressin",) if agent == "vasopressin" else ("vasopressor",),
                          rate=rate, rate_unit=unit))
    for i in range(draw(st.integers(0, 3))):
        kg = draw(st.one_of(st.none(), st.floats(0, 300, allow_nan=False)))
        facts.append(Fact("observation", "body_weight", f"Observation/hw{i}",
                          before(draw(st.floats(-5, 2000, allow_nan=False))), value=kg, lo=kg, hi=kg, unit="kg"))
    return facts


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_records())
def test_never_a_crash(facts):
    v = high_dose(*facts)
    verdict(v)  # a verdict of 0 or 1 with a note, or unknown with a note
    assert all(f.time <= AT for f in v.facts)


# -- through FHIR resources: rateQuantity in any UCUM mass-per-time unit, weight from LOINC 29463-7 --
def _lee_hypotension(b: PatientBuilder, ev: Evaluator) -> tuple[Any, Any]:
    res = evaluate_loaded(b.load(), ev, at=AT, scales=["crs.lee2014"])[0]
    a = res.assessments["crs.lee2014"]
    note = next(i.note for f in a.explanation for i in f.inputs if i.name == "high_dose")
    return a.components["hypotension"], note


@pytest.mark.parametrize(("rate", "weight_kg", "tier"), [
    ((1.2, "mg/h"), None, 3.0),          # 1.2 mg/h = 20 ug/min
    ((1.19, "mg/h"), None, 2.0),
    ((0.29, "ug/kg/min"), 70, 3.0),      # x 70 kg = 20.3 ug/min
    ((0.28, "ug/kg/min"), 70, 2.0),
])
def test_norepinephrine_rates_from_fhir(evaluator, rate, weight_kg, tier):
    b = PatientBuilder("p1")
    if weight_kg is not None:
        b.observation("29463-7", weight_kg, "kg", day=2, hour=8)
    b.blood_pressure(85, day=3, hour=6)
    b.medication("norepinephrine", day=3, hour=2, in_progress=True, rate=rate)
    hypotension, note = _lee_hypotension(b, evaluator)
    assert hypotension.value == tier, note


def test_a_weight_based_rate_without_a_weight_from_fhir_is_unknown(evaluator):
    b = PatientBuilder("p1")
    b.blood_pressure(85, day=3, hour=6)
    b.medication("norepinephrine", day=3, hour=2, in_progress=True, rate=(0.3, "ug/kg/min"))
    hypotension, note = _lee_hypotension(b, evaluator)
    assert hypotension.range == (2.0, 3.0) and hypotension.value is None and "needs a body weight" in note
