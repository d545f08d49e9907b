"""The HL7 FHIR R4 specification's own example resources, through load_path + map_patient.

They are read in place from ``../shared/fhir-examples`` (nothing is copied into the repository);
the module is skipped when that folder is absent. Expected values are read off the files
(see ``shared/fhir-examples/SOURCES.md``).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from _cg import FHIR_EXAMPLES

from cartguard.api import evaluate_loaded
from cartguard.fhir_adapters.loading import load_path
from cartguard.fhir_adapters.mapper import map_patient

if not FHIR_EXAMPLES.is_dir():
    pytest.skip(f"HL7 example folder {FHIR_EXAMPLES} is absent (it lives beside the repository, in "
                "../shared/fhir-examples); these tests read it in place", allow_module_level=True)

LOINC = "http://loinc.org"

# file -> {patient: (facts {(concept, value, unit, source, time)}, warnings {(code, source)})}
BOUND = {
    "observation-example-body-temperature.json": {"Patient/example": (
        {("body_temperature", 36.5, "Cel", "Observation/body-temperature", "1999-07-02T00:00:00+00:00")},
        set())},
    "observation-example-bloodpressure.json": {"Patient/example": (
        {("systolic_bp", 107.0, "mm[Hg]", "Observation/blood-pressure", "2012-09-17T00:00:00+00:00"),
         ("diastolic_bp", 60.0, "mm[Hg]", "Observation/blood-pressure", "2012-09-17T00:00:00+00:00")},
        set())},
    # diastolic component has a dataAbsentReason: missing, never zero; systolic still used
    "observation-example-bloodpressure-dar.json": {"Patient/example": (
        {("systolic_bp", 107.0, "mm[Hg]", "Observation/blood-pressure-dar", "2012-09-17T00:00:00+00:00")},
        {("absent", "Observation/blood-pressure-dar")})},
    "observation-example-bloodpressure-cancel.json": {"Patient/example": (
        set(), {("status", "Observation/blood-pressure-cancel")})},
    # 39 Cel with four codings including 8310-5, but entered-in-error and without effective[x]
    "observation-example-f202-temperature.json": {"Patient/f201": (set(), {("status", "Observation/f202")})},
    # SpO2 coded 2708-6 and 59408-5 (both bound to spo2): one fact, not two
    "observation-example-satO2.json": {"Patient/example": (
        {("spo2", 95.0, "%", "Observation/satO2", "2014-12-05T09:30:10+01:00")}, set())},
    "observation-example-mbp.json": {"Patient/example": (
        {("mean_bp", 80.0, "mm[Hg]", "Observation/mbp", "1999-07-02T00:00:00+00:00")}, set())},
    # effectivePeriod: the end of the period is the observation time
    "observation-example-map-sitting.json": {"Patient/example": (
        {("mean_bp", 60.0, "mm[Hg]", "Observation/map-sitting", "2018-04-05T10:30:10+01:00")}, set())},
    # platelets 777-3 = 444 10*9/L and white cells 6690-2 (r7), but neither Observation carries an
    # effective[x] or issued
    "diagnosticreport-example.json": {"Patient/pat2": (
        set(), {("no-time", "Observation/r6"), ("no-time", "Observation/r7")})},
    "diagnosticreport-example-ghp.json": {"Patient/pat2": (
        set(), {("no-time", "Observation/r6"), ("no-time", "Observation/r7")})},
    # heart rate and respiratory rate (SIRS inputs of JAAM), in their canonical unit /min
    "observation-example-heart-rate.json": {"Patient/example": (
        {("heart_rate", 44.0, "/min", "Observation/heart-rate", "1999-07-02T00:00:00+00:00")}, set())},
    "observation-example-respiratory-rate.json": {"Patient/example": (
        {("respiratory_rate", 26.0, "/min", "Observation/respiratory-rate", "1999-07-02T00:00:00+00:00")}, set())},
}
UNBOUND = {
    "observation-example-f001-glucose.json": "Patient/f001",
    "observation-example-f003-co2.json": "Patient/f001",
    "observation-example-f004-erythrocyte.json": "Patient/f001",
    "observation-example-f005-hemoglobin.json": "Patient/f001",
    "observation-example-f204-creatinine.json": "Patient/f201",
    "observation-example-glasgow.json": "Patient/example",
    "observation-example-vitals-panel.json": "Patient/example",
    "patient-example.json": "Patient/example",
}


def _facts(pf) -> set[tuple]:
    return {(f.concept, f.value, f.unit, f.source, f.time.isoformat()) for f in pf.facts}


def test_every_example_file_is_covered():
    files = {p.name for p in FHIR_EXAMPLES.glob("*.json")}
    covered = set(BOUND) | set(UNBOUND) | {"diagnosticreport-genetics-comprehensive-bone-marrow-report.json"}
    assert files == covered, files ^ covered


@pytest.mark.parametrize("name", sorted(BOUND))
def test_bound_examples_map_to_the_expected_facts(bindings, name):
    lr = load_path(FHIR_EXAMPLES / name)
    assert set(lr.patients) == set(BOUND[name])
    for pid, (facts, warnings) in BOUND[name].items():
        pf = map_patient(lr.patients[pid], bindings)
        assert _facts(pf) == facts
        assert {(w.code, w.source) for w in pf.warnings} == warnings


@pytest.mark.parametrize("name", sorted(UNBOUND))
def test_unbound_examples_produce_no_facts_and_no_warnings(bindings, name):
    lr = load_path(FHIR_EXAMPLES / name)
    assert list(lr.patients) == [UNBOUND[name]]
    assert lr.warnings == []
    pf = map_patient(lr.patients[UNBOUND[name]], bindings)
    assert pf.facts == [] and pf.warnings == []


def test_temperature_keeps_what_was_sent(bindings):
    pf = map_patient(load_path(FHIR_EXAMPLES / "observation-example-body-temperature.json")
                     .patients["Patient/example"], bindings)
    [f] = pf.facts
    assert (f.original_value, f.original_unit, f.code) == ("36.5", "Cel", f"{LOINC}|8310-5")


def test_bone_marrow_report_observations_without_subject_are_warned(bindings):
    lr = load_path(FHIR_EXAMPLES / "diagnosticreport-genetics-comprehensive-bone-marrow-report.json")
    # platelets 26515-7 = 84 "K/ul" is Observation/o3: it names no subject, so no patient owns it
    assert ("no-subject", "Observation/o3") in {(w.code, w.source) for w in lr.warnings}
    assert all(w.code == "no-subject" for w in lr.warnings)
    assert list(lr.patients) == ["Patient/genetics-example1"]
    pf = map_patient(lr.patients["Patient/genetics-example1"], bindings)
    assert pf.facts == [] and pf.warnings == []


def test_ghp_panels_without_subject_are_warned_by_name():
    lr = load_path(FHIR_EXAMPLES / "diagnosticreport-example-ghp.json")
    assert {(w.code, w.source) for w in lr.warnings} == {
        ("no-subject", "Observation/p1"), ("no-subject", "Observation/p2"), ("no-subject", "Observation/p3")}


def test_the_whole_folder_loads_and_evaluates_without_error(evaluator):
    lr = load_path(FHIR_EXAMPLES)
    assert {"Patient/example", "Patient/pat2", "Patient/f001", "Patient/f201",
            "Patient/genetics-example1"} <= set(lr.patients)
    results = evaluate_loaded(lr, evaluator, at=datetime(2030, 1, 1, tzinfo=UTC))
    assert len(results) == len(lr.patients)
    for r in results:
        for a in r.assessments.values():
            assert a.range[0] <= a.range[1]


def test_hl7_temperature_grades_no_crs_at_its_own_time(evaluator):
    """36.5 Cel on 1999-07-02 (with the folder's other Patient/example resources): no fever, so
    ASTCT grade 0 whatever the missing blood pressure (ASTCT-F7)."""
    lr = load_path(FHIR_EXAMPLES)
    lr.patients = {"Patient/example": lr.patients["Patient/example"]}
    [r] = evaluate_loaded(lr, evaluator, at=datetime(1999, 7, 2, 12, tzinfo=UTC))
    crs = r.assessments["crs.astct2019"]
    assert (crs.status, crs.value) == ("graded", 0.0)
    [fever] = [f for f in crs.explanation if f.component == "fever"]
    assert fever.rule_id == "crs.astct2019.fever.absent"
    assert [fact.source for i in fever.inputs for fact in i.facts] == ["Observation/body-temperature"]


def test_hl7_blood_pressure_is_used_at_its_own_time(evaluator):
    lr = load_path(FHIR_EXAMPLES / "observation-example-bloodpressure.json")
    [r] = evaluate_loaded(lr, evaluator, at=datetime(2012, 9, 17, 12, tzinfo=UTC))
    crs = r.assessments["crs.astct2019"]
    assert crs.components["hypotension"].value == 0.0  # SBP 107: no hypotension
    assert crs.range == (0.0, 1.0)  # temperature unknown
    assert "temp_max" in {m.input for m in crs.missing}
