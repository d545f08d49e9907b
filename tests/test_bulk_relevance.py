"""cartguard/bulk/relevance.py: what the raw-JSON test skips, the mapper would never have used."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest
from _cg import EXAMPLE, FHIR_EXAMPLES
from hypothesis import given
from hypothesis import strategies as st

from cartguard.bulk.relevance import MAPPED_TYPES, Relevance, Verdict
from cartguard.fhir_adapters.loading import PatientResources, load_path
from cartguard.fhir_adapters.mapper import map_patient
from cartguard.synth import SynthParams, generate
from cartguard.synth_bulk import write_bulk_export
from cartguard.testing import PatientBuilder
from cartguard.testing.fhir import CAPD_QUESTIONNAIRE, ICE_QUESTIONNAIRE, LOINC


def _builder_resources() -> list[dict[str, Any]]:
    b = PatientBuilder("rel")
    b.observation("777-3", 42, "10*9/L", day=6)
    b.observation("8310-5", 38.4, "Cel", day=6)
    b.observation("2951-2", 140, "mmol/L", day=6)  # sodium: bound by no pack
    b.blood_pressure(85, 50, day=6)
    b.oxygen_device("nasal cannula", day=6)
    b.medication("norepinephrine", day=5, in_progress=True)
    b.medication("acetaminophen", day=5)
    b.medication("heparin", day=5)
    b.condition("C91.00")
    b.condition("E11.9")  # diabetes: not bound
    b.procedure("127788007", day=-11)  # leukapheresis: not bound
    b.questionnaire_response(ICE_QUESTIONNAIRE, {"orientation": 4, "naming": 3}, day=6)
    b.questionnaire_response(CAPD_QUESTIONNAIRE, {}, day=6)
    return list(b.resources)


def _malformed(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Shapes an EHR should not send but a large export will: each must be kept or be harmless."""
    obs = next(r for r in resources if r["resourceType"] == "Observation")
    ma = next(r for r in resources if r["resourceType"] == "MedicationAdministration")
    variants: list[dict[str, Any]] = []
    for code in ("x", 5, None, {"coding": "loinc"}, {"coding": [5, None]}, {"coding": [{"system": LOINC}]},
                 {"coding": [{"system": 5, "code": "777-3"}]}):
        variants.append({**copy.deepcopy(obs), "id": f"m-code-{len(variants)}", "code": code})
    for comp in (5, "abc", {"code": 1}, [5], [{"code": {"coding": [{"system": LOINC, "code": "8480-6"}]}}]):
        variants.append({**copy.deepcopy(obs), "id": f"m-comp-{len(variants)}", "component": comp,
                         "code": {"coding": [{"system": LOINC, "code": "2951-2"}]}})
    bare = {k: v for k, v in ma.items() if k != "medicationCodeableConcept"}
    for name, ref in (("missing-contained", {"reference": "#med1"}), ("missing", {"reference": "Medication/nowhere"}),
                      ("number", {"reference": 5}), ("string", "Medication/x"), ("empty", {})):
        variants.append({**copy.deepcopy(bare), "id": f"m-ref-{name}", "medicationReference": ref})
    variants.append({**copy.deepcopy(bare), "id": "m-contained", "medicationReference": {"reference": "#m"},
                     "contained": [{"resourceType": "Medication", "id": "m",
                                    "code": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                                         "code": "161"}]}}]})
    variants.append({"resourceType": "Procedure", "id": "m-proc", "status": "completed", "usedCode": 5,
                     "subject": {"reference": "Patient/rel"}, "performedDateTime": "2026-03-15T08:00:00Z"})
    variants.append({"resourceType": "QuestionnaireResponse", "id": "m-qr", "questionnaire": 7,
                     "subject": {"reference": "Patient/rel"}})
    return variants


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[dict[str, Any]]:
    """Resources from every source at hand: synthetic patients and export noise, the example patient,
    HL7's published examples, builder fixtures and malformed variants."""
    out: list[dict[str, Any]] = []
    for bundle in generate(4, 5, SynthParams(follow_up_days=9)):
        out.extend(e["resource"] for e in bundle["entry"])
    folder = tmp_path_factory.mktemp("rel-export")
    write_bulk_export(folder, 2, seed=2, days=8, unrelated_per_relevant=3)
    for f in sorted(folder.glob("*.ndjson")):
        out.extend(orjson.loads(line) for line in f.read_bytes().splitlines())
    for pr in load_path(EXAMPLE).patients.values():
        out.extend(pr.resources)
    out.extend(orjson.loads(p.read_bytes()) for p in sorted(FHIR_EXAMPLES.glob("*.json")))
    built = _builder_resources()
    return out + built + _malformed(built)


def _maps_to_nothing(resource: dict[str, Any], bindings: Any) -> bool:
    for validate in (True, "lazy"):
        pf = map_patient(PatientResources("Patient/rel", [copy.deepcopy(resource)], index={}), bindings,
                         validate_resources=validate)
        if pf.facts or pf.warnings or pf.absences or pf.infusion_source or pf.birth_date:
            return False
    return True


def test_every_skipped_resource_maps_to_nothing(corpus, bindings):
    rel = Relevance(bindings)
    verdicts = [rel.verdict(r) for r in corpus]
    skipped = [r for r, v in zip(corpus, verdicts, strict=True) if v is Verdict.SKIP]
    wrongly = [f"{r['resourceType']}/{r.get('id')}" for r in skipped if not _maps_to_nothing(r, bindings)]
    assert wrongly == []
    # ... and the test does skip: the export's noise and what names no drug are gone, while an
    # administration whose drug cannot be resolved is kept (the mapper must say so).
    ids = {r.get("id") for r in skipped}
    noise = {r["id"] for r in corpus if r["resourceType"] == "Observation" and "-x" in str(r.get("id"))}
    assert noise and noise <= ids
    assert {"m-ref-number", "m-ref-string", "m-ref-empty"} <= ids
    assert not {"m-ref-missing-contained", "m-ref-missing"} & ids


def test_every_resource_the_mapper_uses_is_kept(corpus, bindings):
    rel = Relevance(bindings)
    for r in corpus:
        if r["resourceType"] in MAPPED_TYPES and not _maps_to_nothing(r, bindings):
            assert rel.verdict(r) is Verdict.PATIENT, f"{r['resourceType']}/{r.get('id')}"


def test_medications_are_shared_whole_when_bound_else_as_stubs(bindings):
    rel = Relevance(bindings)
    rx = "http://www.nlm.nih.gov/research/umls/rxnorm"
    tocilizumab = {"resourceType": "Medication", "id": "t", "code": {"coding": [{"system": rx, "code": "612865"}]}}
    fludarabine = {"resourceType": "Medication", "id": "f", "code": {"coding": [{"system": rx, "code": "24698"}]}}
    product = {"resourceType": "Medication", "id": "c", "code": {"coding": [
        {"system": "http://cartguard.example/fhir/CodeSystem/cart-product", "code": "anti-cd19-car-t"}]}}
    assert rel.verdict(tocilizumab) is Verdict.SHARED
    assert rel.verdict(fludarabine) is Verdict.STUB
    assert rel.verdict(product) is Verdict.SHARED  # the day-0 anchor, though bound as no medication concept
    for rtype in ("Encounter", "Device", "Practitioner", "Organization", "Location", "DiagnosticReport"):
        assert rel.verdict({"resourceType": rtype, "subject": {"reference": "Patient/x"}}) is Verdict.SKIP


_SYSTEMS = ["http://loinc.org", "http://snomed.info/sct", "http://hl7.org/fhir/sid/icd-10-cm",
            "http://www.nlm.nih.gov/research/umls/rxnorm", "http://cartguard.example/fhir/CodeSystem/lab", "urn:x"]
_CODES = ["777-3", "8310-5", "2951-2", "C91.00", "C91.0", "C83.39", "C9", "612865", "7512", "161", "", "antithrombin"]


@given(st.lists(st.fixed_dictionaries({"system": st.sampled_from([*_SYSTEMS, None, 5]),
                                       "code": st.sampled_from([*_CODES, None, 7])}), max_size=3),
       st.sampled_from(["observations", "medications", "conditions", "procedures"]))
def test_cached_coding_test_agrees_with_the_binding_matcher(codings, kind):
    from cartguard.plugins import default_packset

    bindings = _bindings_once(default_packset)
    rel = Relevance(bindings)
    codeable = {"coding": codings}
    assert rel._bound(codeable, kind) == (bindings.match(codeable, kind) is not None)
    assert rel._bound(codeable, kind) == (bindings.match(codeable, kind) is not None)  # from the cache


_CACHE: dict[str, Any] = {}


def _bindings_once(factory: Any) -> Any:
    if "b" not in _CACHE:
        _CACHE["b"] = factory().bindings
    return _CACHE["b"]
