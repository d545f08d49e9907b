"""The reducers added for the other scales: serial values, documented absence, rates, site settings.

Each is driven from real FHIR resources (PatientBuilder -> loader -> mapper) and reduced at one
evaluation time, the way the evaluator does it.
"""

from __future__ import annotations

from typing import Any

import pytest
from _cg import at_day

from cartguard.engine.inputs import Context, reduce_inputs
from cartguard.engine.packs import InputSpec, Pack
from cartguard.fhir_adapters.mapper import map_patient
from cartguard.plugins import default_packset
from cartguard.testing import PatientBuilder

PS = default_packset()


def _reduce(b: PatientBuilder, inputs: dict[str, dict[str, Any]], at_hour: float = 8, day: int = 7,
            params: dict[str, Any] | None = None):
    pack = Pack(id="test.reducers", version="0", title="t", kind="guidance",
                inputs={k: InputSpec(**v) for k, v in inputs.items()})
    lr = b.load()
    pf = map_patient(lr.patients["Patient/p1"], PS.bindings)
    ctx = Context(patient=pf, at=at_day(day, at_hour), params={**PS.params, **(params or {})})
    return reduce_inputs(pack, ctx), pf


FALL = {"fall": {"reduce": "fall_pct_from_max", "analytes": ["platelets"], "window_hours": 36,
                 "params": {"over_hours": 24}}}


@pytest.mark.parametrize(("earlier", "latest", "fall"), [
    ([100], 50, 50.0), ([100, 80], 50, 50.0), ([40], 50, -25.0), ([100], 100, 0.0), ([120, 100], 70, 41.6667),
])
def test_fall_is_from_the_highest_value_in_the_24_h_before_the_latest(earlier, latest, fall):
    b = PatientBuilder("p1")
    for i, v in enumerate(earlier):
        b.observation("777-3", v, "10*9/L", day=6, hour=8 + i)
    b.observation("777-3", latest, "10*9/L", day=7, hour=6)
    out, _ = _reduce(b, FALL)
    assert out["fall"].known and out["fall"].lo == out["fall"].hi == pytest.approx(fall)
    assert len(out["fall"].facts) == 2 and "fall from the highest" in out["fall"].note


def test_a_value_older_than_24_h_is_not_a_reference_and_no_fall_is_assumed_and_said():
    b = PatientBuilder("p1")
    b.observation("777-3", 300, "10*9/L", day=6, hour=5)   # 25 h before the latest
    b.observation("777-3", 50, "10*9/L", day=7, hour=6)
    out, _ = _reduce(b, FALL)
    assert (out["fall"].lo, out["fall"].assumed) == (0.0, True)
    assert "no change could be measured" in out["fall"].note


def test_without_an_earlier_value_the_fall_can_be_unknown_when_the_pack_says_so():
    b = PatientBuilder("p1")
    b.observation("777-3", 50, "10*9/L", day=7, hour=6)
    out, _ = _reduce(b, {"fall": {**FALL["fall"], "unknown_when_absent": True}})
    assert not out["fall"].known and "no earlier platelets" in out["fall"].note


def test_a_censored_latest_value_gives_a_fall_interval():
    b = PatientBuilder("p1")
    b.observation("777-3", 100, "10*9/L", day=6, hour=8)
    b.observation("777-3", 20, "10*9/L", day=7, hour=6, comparator="<")
    out, _ = _reduce(b, FALL)
    assert (out["fall"].lo, out["fall"].hi) == (80.0, None)


def test_change_since_the_previous_value_is_signed():
    b = PatientBuilder("p1")
    b.observation("777-3", 200, "10*9/L", day=6, hour=0)
    b.observation("777-3", 80, "10*9/L", day=6, hour=12)
    b.observation("777-3", 100, "10*9/L", day=7, hour=6)
    out, _ = _reduce(b, {"trend": {"reduce": "change_pct_from_previous", "analytes": ["platelets"],
                                   "window_hours": 36, "params": {"over_hours": 48}}})
    assert out["trend"].lo == out["trend"].hi == 25.0  # against the previous (80), not the highest


COND = {"bleeding": {"reduce": "condition_present", "classes": ["bleeding"], "unknown_when_absent": True}}


def test_a_refuted_condition_documents_absence():
    b = PatientBuilder("p1")
    b.condition("R58", day=7, verification="refuted", recorded_day=7, recorded_hour=6)
    out, pf = _reduce(b, COND)
    assert (out["bleeding"].known, out["bleeding"].lo, out["bleeding"].assumed) == (True, 0.0, False)
    assert "documented absent" in out["bleeding"].note
    assert not [w for w in pf.warnings if w.code == "status"]


def test_an_active_condition_wins_over_an_older_refutation_and_unrecorded_is_unknown():
    b = PatientBuilder("p1")
    b.condition("R58", day=5, verification="refuted", recorded_day=5)
    b.condition("K92.2", day=6)
    out, _ = _reduce(b, COND)
    assert out["bleeding"].lo == 1.0
    out, _ = _reduce(PatientBuilder("p1"), COND)
    assert not out["bleeding"].known


def test_an_ended_condition_counts_within_the_window_only():
    b = PatientBuilder("p1")
    b.condition("R58", day=6, until_day=7)  # ended at 00:00 on day 7
    spec = {"bleeding": {**COND["bleeding"], "window_hours": 6}}
    assert _reduce(b, spec, at_hour=5)[0]["bleeding"].lo == 1.0
    assert _reduce(b, spec, at_hour=7)[0]["bleeding"].known is False


def test_an_input_needing_an_unset_site_setting_is_unknown_and_names_it():
    b = PatientBuilder("p1")
    b.observation("48065-7", 3.0, "mg/L", day=7, hour=6)
    spec = {"dd": {"reduce": "latest", "analytes": ["d_dimer_feu"], "window_hours": 36,
                   "requires_param": "isth_overt.absolute_ddimer_type"}}
    out, _ = _reduce(b, spec)
    assert not out["dd"].known and "isth_overt.absolute_ddimer_type is not set" in out["dd"].note
    out, _ = _reduce(b, spec, params={"isth_overt.absolute_ddimer_type": "FEU"})
    assert out["dd"].exact == 3.0


def test_latest_of_a_coded_observation_is_its_value_set_member():
    b = PatientBuilder("p1")
    b.oxygen_device("venturi mask", day=7, hour=6)
    out, _ = _reduce(b, {"dev": {"reduce": "latest", "analytes": ["o2_device"], "window_hours": 12}})
    assert (out["dev"].known, out["dev"].category) == (True, "mask")
    b = PatientBuilder("p1")
    b.oxygen_device("face tent", day=7, hour=6)
    out, _ = _reduce(b, {"dev": {"reduce": "latest", "analytes": ["o2_device"], "window_hours": 12}})
    assert not out["dev"].known and "not in the value set" in out["dev"].note


@pytest.mark.parametrize(("rate", "unit", "expected"), [
    (0.1, "ug/kg/min", (0.1, "ug/kg/min")), (15, "ug/min", (15.0, "ug/min")), (1.2, "mg/h", (20.0, "ug/min")),
    (6, "ug/kg/h", (0.1, "ug/kg/min")), (0.03, "U/min", (0.03, "U/min")),
])
def test_infusion_rates_are_normalised(rate, unit, expected):
    b = PatientBuilder("p1")
    b.medication("norepinephrine", day=7, hour=2, in_progress=True, rate=(rate, unit))
    _, pf = _reduce(b, {})
    [fact] = [f for f in pf.facts if f.concept == "norepinephrine"]
    assert (fact.rate, fact.rate_unit) == expected


def test_a_rate_in_a_unit_that_is_not_a_rate_is_a_warning_naming_the_resource():
    b = PatientBuilder("p1")
    ma = b.medication("norepinephrine", day=7, hour=2, in_progress=True, rate=(5, "mL"))
    _, pf = _reduce(b, {})
    [fact] = [f for f in pf.facts if f.concept == "norepinephrine"]
    assert fact.rate is None
    src = f"MedicationAdministration/{ma['id']}"
    assert any(w.code == "unit" and w.source == src and "rate not used" in w.message for w in pf.warnings)


def test_an_invalid_not_performed_result_does_not_make_the_earlier_value_stale():
    """A dataAbsentReason result that fails FHIR validation is dropped with its absence."""
    from cartguard.testing.fhir import PatientBuilder as B

    b = B("p1")
    b.observation("ice-score", 9, "{score}", system="http://cartguard.example/fhir/CodeSystem/neuro", day=7, hour=2)
    bad = b.observation("ice-score", None, None, system="http://cartguard.example/fhir/CodeSystem/neuro", day=7,
                        hour=6, absent_reason="not-performed")
    bad["issued"] = "yesterday"  # not an instant: fails fhir.resources validation
    spec = {"ice": {"reduce": "latest", "analytes": ["ice_score"], "window_hours": 12}}
    out, pf = _reduce(b, spec)
    assert out["ice"].exact == 9.0, out["ice"]
    assert any(w.code == "invalid" and bad["id"] in w.message for w in pf.warnings), pf.warnings


def test_a_documented_absence_goes_stale_after_the_window():
    b = PatientBuilder("p1")
    b.condition("R58", day=6, verification="refuted", recorded_day=6, recorded_hour=6)
    spec = {"bleeding": {**COND["bleeding"], "window_hours": 24}}
    assert _reduce(b, spec, day=7, at_hour=5)[0]["bleeding"].lo == 0.0   # 23 h after the statement
    assert _reduce(b, spec, day=7, at_hour=7)[0]["bleeding"].known is False  # 25 h after: unknown again


def _reduce_with_classes(b: PatientBuilder, inputs: dict[str, dict[str, Any]]):
    pack = Pack(id="test.reducers", version="0", title="t", kind="guidance",
                inputs={k: InputSpec(**v) for k, v in inputs.items()})
    pf = map_patient(b.load().patients["Patient/p1"], PS.bindings)
    ctx = Context(patient=pf, at=at_day(7, 8), params=PS.params, class_concepts=PS.bindings.class_concepts(),
                  general_concepts=PS.bindings.general_concepts())
    return reduce_inputs(pack, ctx)


ORGAN = {"organ": {"reduce": "condition_present", "classes": ["organ_failure"], "unknown_when_absent": True}}


def test_refuting_one_kind_of_organ_failure_does_not_document_the_others():
    b = PatientBuilder("p1")
    b.condition("K72.90", day=7, verification="refuted", recorded_day=7, recorded_hour=6)
    out = _reduce_with_classes(b, ORGAN)
    assert not out["organ"].known
    assert "acute kidney failure" in out["organ"].note and "not documented either way" in out["organ"].note
    for code in ("N17.9", "J96.00"):
        b.condition(code, day=7, verification="refuted", recorded_day=7, recorded_hour=6)
    out = _reduce_with_classes(b, ORGAN)
    assert (out["organ"].known, out["organ"].lo, out["organ"].assumed) == (True, 0.0, False)
    assert len(out["organ"].facts) == 3


def test_refuting_the_unspecified_concept_documents_the_whole_class():
    spec = {"sepsis": {"reduce": "condition_present", "classes": ["sepsis"], "unknown_when_absent": True}}
    b = PatientBuilder("p1")
    b.condition("A41.01", day=7, verification="refuted", recorded_day=7, recorded_hour=6)  # one organism only
    assert not _reduce_with_classes(b, spec)["sepsis"].known
    b = PatientBuilder("p1")
    b.condition("A41.9", day=7, verification="refuted", recorded_day=7, recorded_hour=6)   # sepsis, unspecified
    out = _reduce_with_classes(b, spec)
    assert (out["sepsis"].known, out["sepsis"].lo) == (True, 0.0)
