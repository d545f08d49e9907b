"""fhir_adapters/mapper.py: FHIR resources to typed facts, every skipped resource a warning.

Mapping is tested two ways where it matters: ``map_patient`` with eager validation (its
default), and the public path (:func:`cartguard.api.evaluate_loaded`, which validates lazily
inside the look-back windows). Both must give the same answer for a resource that is used.
"""

from __future__ import annotations

from datetime import date

import orjson
import pytest
from _cg import at_day, real_warnings

from cartguard.api import evaluate_loaded
from cartguard.fhir_adapters.loading import load_bytes
from cartguard.fhir_adapters.mapper import map_patient
from cartguard.testing import PatientBuilder

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def _map(b: PatientBuilder, bindings, **kw):
    lr = b.load()
    return map_patient(lr.patients[f"Patient/{b.patient_id}"], bindings, **kw)


def _facts(pf, concept: str | None = None):
    return [f for f in pf.facts if concept is None or f.concept == concept]


def _warnings(pf, source: str):
    return [w for w in pf.warnings if w.source == source]


def _ref(res) -> str:
    return f"{res['resourceType']}/{res['id']}"


def _evaluate(b: PatientBuilder, evaluator, day: int = 6, hour: float = 12.0, **kw):
    return evaluate_loaded(b.load(), evaluator, at=at_day(day, hour), **kw)[0]


# -- status -------------------------------------------------------------------------------
@pytest.mark.parametrize("status", ["entered-in-error", "cancelled", "preliminary", "registered", "unknown"])
def test_observation_status_not_used_and_warned(bindings, status):
    b = PatientBuilder("p1")
    obs = b.observation("8310-5", 40.6, "Cel", day=4, hour=10, status=status)
    pf = _map(b, bindings)
    assert _facts(pf, "body_temperature") == []
    ws = _warnings(pf, _ref(obs))
    assert [w.code for w in ws] == ["status"]
    assert ws[0].message.startswith(_ref(obs))
    assert status in ws[0].message


@pytest.mark.parametrize("status", ["final", "amended", "corrected"])
def test_observation_status_used(bindings, status):
    b = PatientBuilder("p1")
    obs = b.observation("8310-5", 38.2, "Cel", day=4, hour=10, status=status)
    pf = _map(b, bindings)
    [f] = _facts(pf, "body_temperature")
    assert (f.value, f.source, f.unit) == (38.2, _ref(obs), "Cel")
    assert _warnings(pf, _ref(obs)) == []


def test_cancelled_temperature_does_not_raise_the_grade(evaluator):
    b = PatientBuilder("p1")
    b.observation("8310-5", 37.2, "Cel", day=6, hour=8)
    b.observation("8310-5", 40.6, "Cel", day=6, hour=10, status="cancelled")
    b.observation("8310-5", 39.0, "Cel", day=6, hour=11, status="entered-in-error")
    b.observation("8310-5", 39.5, "Cel", day=6, hour=11, status="preliminary")
    b.blood_pressure(120, day=6, hour=8)
    res = _evaluate(b, evaluator)
    crs = res.assessments["crs.astct2019"]
    assert (crs.value, crs.status) == (0.0, "graded")
    assert sum(w.code == "status" for w in res.warnings) == 3


# -- dataAbsentReason ---------------------------------------------------------------------
def test_data_absent_reason_is_missing_never_zero(bindings, evaluator):
    b = PatientBuilder("p1")
    obs = b.observation("3255-7", None, "g/L", day=6, hour=6, absent_reason="error")
    pf = _map(b, bindings)
    assert _facts(pf, "fibrinogen") == []
    [w] = _warnings(pf, _ref(obs))
    assert w.code == "absent"
    assert "never zero" in w.message
    dic = _evaluate(b, evaluator).assessments["dic.isth2001"]
    assert dic.components["fibrinogen"].range == (0.0, 1.0)
    assert dic.components["fibrinogen"].status == "indeterminate"
    assert "fibrinogen" in {m.input for m in dic.missing}


def test_bp_component_with_data_absent_reason(bindings):
    b = PatientBuilder("p1")
    obs = b.blood_pressure(84, 50, day=3, hour=8)
    obs["component"][1].pop("valueQuantity")
    obs["component"][1]["dataAbsentReason"] = {"coding": [{
        "system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": "not-performed"}]}
    pf = _map(b, bindings)
    assert [f.value for f in _facts(pf, "systolic_bp")] == [84.0]
    assert _facts(pf, "diastolic_bp") == []
    assert [w.code for w in _warnings(pf, _ref(obs))] == ["absent"]


# -- comparators ----------------------------------------------------------------------------
@pytest.mark.parametrize(("comparator", "lo", "hi"), [("<", None, 20.0), ("<=", None, 20.0),
                                                      (">", 20.0, None), (">=", 20.0, None)])
def test_comparator_gives_an_interval(bindings, comparator, lo, hi):
    b = PatientBuilder("p1")
    b.observation("777-3", 20, "10*9/L", day=6, hour=6, comparator=comparator)
    [f] = _facts(_map(b, bindings), "platelets")
    assert (f.lo, f.hi, f.value, f.comparator) == (lo, hi, None, comparator)


def test_unknown_comparator_is_not_used(bindings):
    b = PatientBuilder("p1")
    obs = b.observation("777-3", 20, "10*9/L", day=6, hour=6, comparator="~")
    pf = _map(b, bindings)
    assert _facts(pf, "platelets") == []
    assert [w.code for w in _warnings(pf, _ref(obs))] in (["comparator"], ["invalid"])


def test_censored_values_feed_bounded_scoring(evaluator):
    low = PatientBuilder("p1")
    low.observation("777-3", 20, "10*9/L", day=6, hour=6, comparator="<")
    high = PatientBuilder("p2")
    high.observation("777-3", 90, "10*9/L", day=6, hour=6, comparator=">")
    assert _evaluate(low, evaluator).assessments["dic.isth2001"].components["platelets"].range == (2.0, 2.0)
    comp = _evaluate(high, evaluator).assessments["dic.isth2001"].components["platelets"]
    assert (comp.range, comp.status) == ((0.0, 1.0), "indeterminate")


# -- D-dimer typing ------------------------------------------------------------------------
@pytest.mark.parametrize(("code", "unit"), [("48065-7", "mg/L{DDU}"), ("48066-5", "mg/L{FEU}"),
                                            ("48065-7", "ng/mL{DDU}")])
def test_d_dimer_annotation_contradicting_the_code_is_rejected(bindings, code, unit):
    b = PatientBuilder("p1")
    obs = b.observation(code, 3, unit, day=6, hour=6, ref_high=0.5, ref_unit="mg/L")
    pf = _map(b, bindings)
    assert [f for f in pf.facts if f.concept.startswith("d_dimer")] == []
    [w] = _warnings(pf, _ref(obs))
    assert w.code == "ddimer-type"
    assert w.message.startswith(_ref(obs))


def test_d_dimer_type_comes_from_the_code(bindings):
    b = PatientBuilder("p1")
    b.observation("48065-7", 3, "mg/L{FEU}", day=6, hour=6, ref_high=0.5)
    b.observation("48066-5", 650, "ng/mL", day=6, hour=7, ref_high=250)
    pf = _map(b, bindings)
    [feu] = _facts(pf, "d_dimer_feu")
    [ddu] = _facts(pf, "d_dimer_ddu")
    assert (feu.value, feu.marker_type, feu.ref_high) == (3.0, "FEU", 0.5)
    assert (ddu.value, ddu.marker_type, ddu.ref_high) == (pytest.approx(0.65), "DDU", pytest.approx(0.25))
    assert ddu.original_value == "650" and ddu.original_unit == "ng/mL"


@pytest.mark.parametrize("code", ["30240-6", "7799-0"])
def test_untyped_d_dimer_is_rejected(bindings, code):
    b = PatientBuilder("p1")
    obs = b.observation(code, 3, "mg/L", day=6, hour=6, ref_high=0.5)
    pf = _map(b, bindings)
    assert pf.facts == []
    [w] = _warnings(pf, _ref(obs))
    assert w.code == "rejected"
    assert "FEU or DDU" in w.message


# -- units ----------------------------------------------------------------------------------
@pytest.mark.parametrize("unit", ["bananas/L", "mg/dL"])
def test_unknown_or_incompatible_unit_warns_naming_the_observation(bindings, unit):
    b = PatientBuilder("p1")
    obs = b.observation("777-3", 42, unit, day=6, hour=6)
    pf = _map(b, bindings)
    assert pf.facts == []
    [w] = _warnings(pf, _ref(obs))
    assert w.code == "unit"
    assert w.source == _ref(obs)
    assert w.message.startswith(f"Observation/{obs['id']}:")
    assert unit in w.message


def test_missing_unit_is_not_used(bindings):
    b = PatientBuilder("p1")
    obs = b.observation("777-3", 42, None, day=6, hour=6)
    pf = _map(b, bindings)
    assert pf.facts == []
    assert [w.code for w in _warnings(pf, _ref(obs))] == ["unit"]


def test_non_ucum_unit_system_is_not_used(bindings):
    b = PatientBuilder("p1")
    obs = b.observation("777-3", 42, "10*9/L", day=6, hour=6, unit_system="http://example.org/units")
    pf = _map(b, bindings)
    assert pf.facts == []
    [w] = _warnings(pf, _ref(obs))
    assert w.code == "unit" and "not UCUM" in w.message


def test_converted_values_keep_what_was_sent(bindings):
    b = PatientBuilder("p1")
    b.observation("8310-5", 100.4, "[degF]", day=6, hour=6)
    b.observation("3255-7", 120, "mg/dL", day=6, hour=6)
    b.observation("777-3", 45, "10*3/uL", day=6, hour=6)
    pf = _map(b, bindings)
    [t] = _facts(pf, "body_temperature")
    [fib] = _facts(pf, "fibrinogen")
    [plt] = _facts(pf, "platelets")
    assert (t.value, t.unit, t.original_value, t.original_unit) == (38.0, "Cel", "100.4", "[degF]")
    assert (fib.value, fib.unit, fib.original_unit) == (1.2, "g/L", "mg/dL")
    assert (plt.value, plt.unit, plt.original_unit) == (45.0, "10*9/L", "10*3/uL")


# -- invalid resources ------------------------------------------------------------------------
def _bad_value(b):
    obs = b.observation("777-3", 42, "10*9/L", day=6, hour=6)
    obs["valueQuantity"]["value"] = "abc"
    return obs


def _bad_time(b):
    obs = b.observation("777-3", 42, "10*9/L", day=6, hour=6)
    obs["effectiveDateTime"] = "the sixth"
    return obs


def _bad_quantity(b):
    obs = b.observation("777-3", 42, "10*9/L", day=6, hour=6)
    obs["valueQuantity"] = "42 10*9/L"
    return obs


def _no_status(b):
    obs = b.observation("777-3", 42, "10*9/L", day=6, hour=6)
    del obs["status"]
    return obs


INVALID = {"value-abc": _bad_value, "effective-not-a-date": _bad_time, "quantity-is-a-string": _bad_quantity}


@pytest.mark.parametrize("make", INVALID.values(), ids=list(INVALID))
def test_invalid_observation_is_warned_invalid_and_not_used_eager(bindings, make):
    b = PatientBuilder("p1")
    obs = make(b)
    pf = _map(b, bindings)
    assert _facts(pf, "platelets") == []
    ws = _warnings(pf, _ref(obs))
    assert [w.code for w in ws] == ["invalid"]
    assert "invalid" in ws[0].message and ws[0].message.startswith(_ref(obs))


@pytest.mark.parametrize("make", INVALID.values(), ids=list(INVALID))
def test_invalid_observation_is_warned_and_not_used_through_the_api(evaluator, make):
    b = PatientBuilder("p1")
    obs = make(b)
    res = _evaluate(b, evaluator)
    plt = res.assessments["dic.isth2001"].components["platelets"]
    assert plt.status == "indeterminate", "an invalid platelet count was scored"
    ws = [w for w in res.warnings if w.source == _ref(obs)]
    assert ws, f"{_ref(obs)} was dropped without a warning naming it"


@pytest.mark.parametrize("make", INVALID.values(), ids=list(INVALID))
def test_invalid_observation_warning_is_the_same_through_the_api_as_eager(bindings, evaluator, make):
    """Lazy (API) and eager validation must report an invalid resource the same way: "invalid"."""
    b = PatientBuilder("p1")
    obs = make(b)
    eager = [w.code for w in _warnings(_map(b, bindings), _ref(obs))]
    api = [w.code for w in _evaluate(b, evaluator).warnings if w.source == _ref(obs)]
    assert eager == ["invalid"]
    assert api == eager


def test_observation_without_status_is_not_used_and_warned(bindings, evaluator):
    b = PatientBuilder("p1")
    obs = _no_status(b)
    pf = _map(b, bindings)
    assert pf.facts == []
    ws = _warnings(pf, _ref(obs))
    assert len(ws) == 1 and ws[0].code in ("status", "invalid")
    res = _evaluate(b, evaluator)
    assert res.assessments["dic.isth2001"].components["platelets"].status == "indeterminate"


def _cond_int_code(b):
    c = b.condition("C91.00")
    c["code"]["coding"][0]["code"] = 91
    return c


def _obs_list_code(b):
    obs = b.observation("8310-5", 39, "Cel", day=6, hour=6)
    obs["code"]["coding"][0]["code"] = ["8310-5"]
    return obs


def _obs_dict_system(b):
    obs = b.observation("8310-5", 39, "Cel", day=6, hour=6)
    obs["code"]["coding"][0]["system"] = {"url": LOINC}
    return obs


def _ma_reference_string(b):
    ma = b.medication("norepinephrine", day=5, in_progress=True)
    del ma["medicationCodeableConcept"]
    ma["medicationReference"] = "Medication/norepi"
    return ma


MALFORMED = {"condition-code-int": _cond_int_code, "observation-code-list": _obs_list_code,
             "observation-system-object": _obs_dict_system, "medication-reference-string": _ma_reference_string}


@pytest.mark.parametrize("make", MALFORMED.values(), ids=list(MALFORMED))
def test_malformed_resource_never_crashes_the_mapping(bindings, make):
    """validation.py: "A resource that fails becomes a warning naming it and is not used; it never
    crashes the run." These resources are not valid FHIR (wrong JSON types)."""
    b = PatientBuilder("p1")
    b.observation("777-3", 42, "10*9/L", day=6, hour=6)
    res = make(b)
    pf = _map(b, bindings)  # must not raise
    assert [f.value for f in _facts(pf, "platelets")] == [42.0]
    assert all(f.source != _ref(res) for f in pf.facts)


# -- blood pressure panel ---------------------------------------------------------------------
def test_bp_panel_components_are_mapped(bindings):
    b = PatientBuilder("p1")
    obs = b.blood_pressure(84, 52, day=3, hour=8)
    pf = _map(b, bindings)
    [sbp] = _facts(pf, "systolic_bp")
    [dbp] = _facts(pf, "diastolic_bp")
    assert (sbp.value, sbp.unit, sbp.source, sbp.code) == (84.0, "mm[Hg]", _ref(obs), f"{LOINC}|8480-6")
    assert (dbp.value, dbp.source) == (52.0, _ref(obs))
    assert sbp.time == dbp.time == at_day(3, 8)


def test_cancelled_bp_panel_maps_nothing(bindings):
    b = PatientBuilder("p1")
    obs = b.blood_pressure(70, 40, day=3, hour=8, status="cancelled")
    pf = _map(b, bindings)
    assert _facts(pf, "systolic_bp") == []
    assert [w.code for w in _warnings(pf, _ref(obs))] == ["status"]


def test_o2_flow_as_a_component_of_the_pulse_oximetry_observation(bindings):
    """fhir-data-dictionary §1: US Core pulse oximetry carries O2 flow (3151-8) as a component."""
    b = PatientBuilder("p1")
    obs = b.observation("59408-5", 93, "%", day=6, hour=8, components=[{
        "code": {"coding": [{"system": LOINC, "code": "3151-8"}]},
        "valueQuantity": {"value": 4, "unit": "L/min", "system": UCUM, "code": "L/min"}}])
    pf = _map(b, bindings)
    assert {(f.concept, f.value) for f in pf.facts} == {("spo2", 93.0), ("o2_flow", 4.0)}
    assert all(f.source == _ref(obs) for f in pf.facts)


# -- infusion day -------------------------------------------------------------------------------
def test_infusion_day_from_the_first_car_t_administration(bindings):
    b = PatientBuilder("p1")  # records CAR-T at day 0 10:00
    b.medication("car-t", day=1, hour=10, coding=("http://cartguard.example/fhir/CodeSystem/cart-product",
                                                   "anti-cd19-car-t"))
    t = b.observation("8310-5", 38.5, "Cel", day=3, hour=8)
    pf = _map(b, bindings)
    assert pf.infusion_date == date(2026, 3, 10)
    assert pf.infusion_source == _ref(b.resources[1])
    [f] = [f for f in pf.facts if f.source == _ref(t)]
    assert f.day == 3


def test_infusion_date_override_wins(bindings, evaluator):
    b = PatientBuilder("p1")
    b.observation("8310-5", 38.5, "Cel", day=3, hour=8)
    pf = _map(b, bindings, infusion_date=date(2026, 3, 12))
    assert (pf.infusion_date, pf.infusion_source) == (date(2026, 3, 12), "--infusion-date")
    assert [f.day for f in _facts(pf, "body_temperature")] == [1]
    res = _evaluate(b, evaluator, day=3, infusion_date=date(2026, 3, 12))
    assert res.infusion_day == 1
    assert res.infusion_date == "2026-03-12"


def test_no_car_t_and_no_override_means_day_unknown(bindings, evaluator):
    b = PatientBuilder("p1", record_infusion=False)
    b.observation("8310-5", 38.5, "Cel", day=3, hour=8)
    pf = _map(b, bindings)
    assert pf.infusion_date is None
    assert all(f.day is None for f in pf.facts)
    res = _evaluate(b, evaluator, day=3)
    assert res.infusion_day is None
    underlying = res.assessments["dic.isth2001"].components["underlying_disorder"]
    assert underlying.range == (0.0, 1.0)


def test_invalid_car_t_administration_does_not_set_day_0(bindings, evaluator):
    """An invalid resource is "a warning naming it and not used": not even as the day-0 anchor."""
    b = PatientBuilder("p1")
    cart = b.resources[1]
    cart["dosage"] = {"dose": {"value": "one bag", "system": UCUM, "code": "mg"}}
    b.observation("777-3", 42, "10*9/L", day=6, hour=6)
    pf = _map(b, bindings)
    assert pf.infusion_date is None
    assert [w.code for w in _warnings(pf, _ref(cart))] == ["invalid"]
    res = _evaluate(b, evaluator)
    assert [w.code for w in res.warnings if w.source == _ref(cart)] == ["invalid"]
    assert res.infusion_day is None


# -- MedicationAdministration ---------------------------------------------------------------------
@pytest.mark.parametrize("status", ["not-done", "entered-in-error", "on-hold", "unknown"])
def test_administration_not_given_is_ignored(bindings, evaluator, status):
    b = PatientBuilder("p1")
    b.observation("8310-5", 39, "Cel", day=6, hour=8)
    b.blood_pressure(120, day=6, hour=8)
    ma = b.medication("norepinephrine", day=6, hour=6, until_day=6, until_hour=14, status=status)
    pf = _map(b, bindings)
    assert _facts(pf, "norepinephrine") == []
    assert [w.code for w in _warnings(pf, _ref(ma))] == ["status"]
    crs = _evaluate(b, evaluator).assessments["crs.astct2019"]
    assert crs.value == 1.0


def test_administration_in_progress_is_open_ended(bindings):
    b = PatientBuilder("p1")
    b.medication("norepinephrine", day=5, in_progress=True)
    [f] = _facts(_map(b, bindings), "norepinephrine")
    assert f.open_ended and f.end is None and f.classes == ("vasopressor",)


def test_medication_reference_to_a_contained_medication(bindings, evaluator):
    b = PatientBuilder("p1")
    b.observation("8310-5", 39, "Cel", day=6, hour=8)
    ma = b.medication("norepinephrine", day=5, in_progress=True)
    del ma["medicationCodeableConcept"]
    ma["contained"] = [{"resourceType": "Medication", "id": "norepi",
                        "code": {"coding": [{"system": RXNORM, "code": "7512"}]}}]
    ma["medicationReference"] = {"reference": "#norepi"}
    pf = _map(b, bindings)
    [f] = _facts(pf, "norepinephrine")
    assert f.source == _ref(ma) and f.code == f"{RXNORM}|7512"
    assert _warnings(pf, _ref(ma)) == []
    assert _evaluate(b, evaluator).assessments["crs.astct2019"].value == 3.0


def test_medication_reference_to_a_bundle_medication(bindings):
    b = PatientBuilder("p1")
    ma = b.medication("vasopressin", day=5, in_progress=True)
    del ma["medicationCodeableConcept"]
    ma["medicationReference"] = {"reference": "Medication/vp"}
    bundle = b.bundle()
    bundle["entry"].append({"resource": {"resourceType": "Medication", "id": "vp",
                                         "code": {"coding": [{"system": RXNORM, "code": "11149"}]}}})
    lr = load_bytes(orjson.dumps(bundle))
    pf = map_patient(lr.patients["Patient/p1"], bindings)
    assert [f.concept for f in pf.facts if f.source == _ref(ma)] == ["vasopressin"]


def test_unresolvable_medication_reference_maps_nothing(bindings):
    b = PatientBuilder("p1")
    ma = b.medication("vasopressin", day=5, in_progress=True)
    del ma["medicationCodeableConcept"]
    ma["medicationReference"] = {"reference": "#missing"}
    pf = _map(b, bindings)
    assert [f for f in pf.facts if f.source == _ref(ma)] == []
    [w] = _warnings(pf, _ref(ma))
    assert w.code == "unresolved-reference" and "'#missing'" in w.message and "not counted" in w.message


def test_unresolvable_reference_to_another_resource_is_a_warning(bindings):
    b = PatientBuilder("p1")
    ma = b.medication("norepinephrine", day=5, in_progress=True)
    del ma["medicationCodeableConcept"]
    ma["medicationReference"] = {"reference": "Medication/not-exported"}
    pf = _map(b, bindings)
    assert [(w.code, w.source) for w in pf.warnings] == [("unresolved-reference", _ref(ma))]


def test_dose_is_normalised_to_mg(bindings):
    b = PatientBuilder("p1")
    ma = b.medication("tocilizumab", day=3, hour=12, dose_mg=560)
    ma["dosage"]["dose"] = {"value": 0.56, "unit": "g", "system": UCUM, "code": "g"}
    [f] = _facts(_map(b, bindings), "tocilizumab")
    assert f.value == pytest.approx(560.0) and f.unit == "mg"


# -- everything that is skipped names its resource --------------------------------------------------
def test_every_warning_names_a_resource(evaluator):
    b = PatientBuilder("p1")
    b.observation("8310-5", 40, "Cel", day=6, hour=8, status="cancelled")
    b.observation("777-3", 42, "bananas/L", day=6, hour=6)
    b.observation("30240-6", 3, "mg/L", day=6, hour=6)
    b.observation("3255-7", None, "g/L", day=6, hour=6, absent_reason="error")
    b.medication("norepinephrine", day=6, hour=6, status="not-done")
    res = _evaluate(b, evaluator)
    ws = real_warnings(res)
    assert len(ws) == 5
    for w in ws:
        assert w.source and w.source.split("/")[0] in ("Observation", "MedicationAdministration")
        assert w.message.startswith(w.source)
