"""cartguard/outputs/fhir_resources.py and data_requirements.py: validated FHIR R4 output.

Every generated resource must validate with fhir.resources (R4B models), reference the patient,
carry the cartguard tag (and HTEST when the input had it), and every reference it makes must point
at a resource of the input or of the Bundle.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import orjson
import pytest
from test_outputs_cards import AT, built_patient, crs_grade_2, healthy, icans_unknown, run

from cartguard import outputs
from cartguard.api import evaluate_loaded
from cartguard.fhir_adapters.loading import LoadResult
from cartguard.fhir_version import model_class
from cartguard.outputs import triage
from cartguard.outputs.trace import GENERATED_TAG, HTEST_TAG, trace_uuid
from cartguard.testing.fhir import NEURO


def _references(node: Any) -> list[str]:
    if isinstance(node, dict):
        refs = [node["reference"]] if isinstance(node.get("reference"), str) else []
        return refs + [r for v in node.values() for r in _references(v)]
    if isinstance(node, list):
        return [r for v in node for r in _references(v)]
    return []


def _resources(bundle: dict[str, Any], rtype: str | None = None) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if rtype is None or e["resource"]["resourceType"] == rtype]


def _check_bundle(bundle: dict[str, Any], loaded: LoadResult, patients: set[str], tagged: bool) -> None:
    """The invariants every Bundle must meet (see the module docstring)."""
    model_class("Bundle").model_validate(bundle)
    assert bundle["type"] == "collection"
    full_urls = {e["fullUrl"] for e in bundle["entry"]}
    assert len(full_urls) == len(bundle["entry"])
    known = set(full_urls)
    for pr in loaded.patients.values():
        known |= set(pr.index)
    for entry in bundle["entry"]:
        res = entry["resource"]
        model_class(res["resourceType"]).model_validate(res)
        assert entry["fullUrl"] == f"urn:uuid:{res['id']}"
        subject = (res.get("subject") or res.get("patient") or {}).get("reference")
        assert subject in patients, (res["resourceType"], subject)
        tags = res["meta"]["tag"]
        assert GENERATED_TAG in tags
        assert (HTEST_TAG in tags) is tagged
        for ref in _references(res):
            assert ref in known, f"{res['resourceType']}/{res['id']} references {ref}, found nowhere"


@pytest.fixture(scope="module")
def example_bundle(example, packset) -> dict[str, Any]:
    loaded, res = example
    return outputs.fhir_bundle([res], loaded=loaded, packset=packset)


# -- the example patient -------------------------------------------------------------------------------
def test_example_bundle_validates_and_every_reference_resolves(example, example_bundle):
    loaded, res = example
    _check_bundle(example_bundle, loaded, {res.patient}, tagged=True)
    assert example_bundle["meta"]["tag"] == [GENERATED_TAG, HTEST_TAG]
    counts = Counter(r["resourceType"] for r in _resources(example_bundle))
    applicable = [a for a in res.assessments.values() if a.status != "not_applicable"]
    assert counts["Observation"] == len(res.assessments)
    assert counts["RiskAssessment"] == len(applicable)
    assert counts["GuidanceResponse"] == counts["RequestGroup"] == 1


def test_each_assessment_is_an_observation_and_a_risk_assessment_with_its_basis(example, example_bundle):
    _, res = example
    observations = {o["code"]["coding"][0]["code"]: o for o in _resources(example_bundle, "Observation")}
    risks = {r["code"]["coding"][0]["code"]: r for r in _resources(example_bundle, "RiskAssessment")}
    crs = observations["crs.astct2019"]
    assert crs["valueInteger"] == 3 and crs["status"] == "final"
    assert crs["method"]["coding"][0]["code"] == "astct2019"
    assert crs["effectiveDateTime"] == "2026-03-17T08:00:00Z"
    assert {c["code"]["coding"][0]["code"] for c in crs["component"]} == {
        f"crs.astct2019.{name}" for name in res.assessments["crs.astct2019"].components}
    derived = {r["reference"] for r in crs["derivedFrom"]}
    assert all(r.startswith("Observation/") for r in derived)
    isth = risks["dic.isth2001"]
    assert isth["status"] == "final" and isth["occurrenceDateTime"] == "2026-03-17T08:00:00Z"
    assert isth["method"]["coding"][0]["code"] == "isth_overt_2001"
    (prediction,) = isth["prediction"]
    assert prediction["outcome"]["coding"][0]["code"] == "dic.isth2001.overt"
    assert prediction["qualitativeRisk"]["coding"][0]["code"] == "high"
    basis = [b["reference"] for b in isth["basis"]]
    assert basis[0] == f"urn:uuid:{observations['dic.isth2001']['id']}"
    facts = {f.source for x in res.assessments["dic.isth2001"].explanation for i in x.inputs for f in i.facts}
    assert facts and facts <= set(basis)
    # a basis may be any resource: the CRS vasopressor (MedicationAdministration) is in it
    crs_basis = {b["reference"] for b in risks["crs.astct2019"]["basis"]}
    assert any(r.startswith("MedicationAdministration/") for r in crs_basis)
    assert not any(r.startswith("MedicationAdministration/") for r in derived)


def test_alerts_are_detected_issues_traceable_to_their_cards(example, example_bundle):
    _, res = example
    issues = {i["code"]["coding"][0]["code"]: i for i in _resources(example_bundle, "DetectedIssue")}
    expected = {a.id for a in res.assessments.values() if triage.assessment_indicator(a) == "critical"}
    expected |= {r.id for r in res.recommendations if r.priority in ("critical", "urgent")}
    assert set(issues) == expected
    assert {"crs.astct2019", "dic.isth2001"} <= set(issues)
    for aid in ("crs.astct2019", "dic.isth2001"):
        assert issues[aid]["severity"] == "high"
    severity = {("critical", "definite"): "high", ("critical", "possible"): "moderate",
                ("urgent", "definite"): "moderate", ("urgent", "possible"): "low"}
    for rec in res.recommendations:
        if rec.id in issues:
            issue = issues[rec.id]
            assert issue["severity"] == severity[(rec.priority, rec.certainty)]
            assert issue["status"] == ("final" if rec.certainty == "definite" else "preliminary")
            assert rec.text in issue["detail"]
    card_uuids = {c.uuid for c in outputs.cards(res)}
    for rule, issue in issues.items():
        (identifier,) = issue["identifier"]
        assert identifier["value"] == f"urn:uuid:{trace_uuid(res, rule)}" and trace_uuid(res, rule) in card_uuids


def test_recommendations_are_request_group_actions_quoted_with_priority_and_source(example, example_bundle):
    _, res = example
    (group,) = _resources(example_bundle, "RequestGroup")
    (guidance,) = _resources(example_bundle, "GuidanceResponse")
    assert guidance["result"] == {"reference": f"urn:uuid:{group['id']}"}
    assert guidance["status"] == ("data-required" if any(a.status == "indeterminate"
                                                        for a in res.assessments.values()) else "success")
    assert (group["status"], group["intent"]) == ("active", "proposal")
    priority = {"info": "routine", "routine": "routine", "urgent": "urgent", "critical": "stat"}
    assert len(group["action"]) == len(res.recommendations)
    orders = {o["id"]: o for o in _resources(example_bundle, "MedicationRequest")}
    for rec, action in zip(res.recommendations, group["action"], strict=True):
        assert action["description"] == rec.text, "quoted, never reworded"
        assert action["code"][0]["coding"][0]["code"] == rec.id
        assert action["priority"] == priority[rec.priority]
        assert action["documentation"] == [{"type": "citation", "label": rec.citation, "citation": rec.citation_text}]
        assert ("condition" in action) is (rec.certainty == "possible")
        if rec.dose is not None and rec.dose.mg is not None:
            order = orders[action["resource"]["reference"].removeprefix("urn:uuid:")]
            assert order["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == rec.dose.mg
            assert order["intent"] == "proposal" and order["status"] == "draft"
        else:
            assert "resource" not in action
    assert group["priority"] == "stat"  # the example has critical guidance (ICU)
    notes = " ".join(n["text"] for n in guidance["note"])
    assert res.disclaimer in notes and all(p.id in notes for p in res.packs)


# -- indeterminate, tags, many patients --------------------------------------------------------------
def test_indeterminate_results_are_data_required_and_name_the_missing_inputs(durable, packset):
    loaded, res = run(durable, icans_unknown())
    bundle = outputs.fhir_bundle([res], loaded=loaded, packset=packset)
    _check_bundle(bundle, loaded, {res.patient}, tagged=True)
    (guidance,) = _resources(bundle, "GuidanceResponse")
    assert guidance["status"] == "data-required"
    codes = {(req["type"], c["system"], c["code"]) for req in guidance["dataRequirement"]
             for f in req["codeFilter"] for c in f["code"]}
    assert ("Observation", NEURO, "ice-score") in codes
    assert ("Observation", NEURO, "level-of-consciousness") in codes
    ice = next(r for r in guidance["dataRequirement"] if r["codeFilter"][0]["code"][0]["code"] == "ice-score")
    assert ice["limit"] == 1 and ice["dateFilter"][0]["valueDuration"]["code"] == "h"
    notes = " ".join(n["text"] for n in guidance["note"])
    assert "icans.astct2019 indeterminate (0-4)" in notes and "ICE score" in notes
    icans = next(o for o in _resources(bundle, "Observation") if o["code"]["coding"][0]["code"] == "icans.astct2019")
    assert icans["valueRange"] == {"low": {"value": 0.0}, "high": {"value": 4.0}}
    assert any("ICE score" in n["text"] for n in icans["note"])
    risk = next(r for r in _resources(bundle, "RiskAssessment") if r["code"]["coding"][0]["code"] == "icans.astct2019")
    assert "outcome" not in risk["prediction"][0] and "indeterminate" in risk["prediction"][0]["rationale"]
    # without the PackSet the status and the note stay; only the DataRequirements need the packs' bindings
    (plain,) = _resources(outputs.fhir_bundle([res]), "GuidanceResponse")
    assert plain["status"] == "data-required" and "dataRequirement" not in plain


def test_untagged_input_gets_only_the_cartguard_tag(durable, packset):
    loaded, res = run(durable, built_patient("plain", temp=38.6, device="nasal cannula", flow=2, tagged=False))
    bundle = outputs.fhir_bundle([res], loaded=loaded, packset=packset)
    _check_bundle(bundle, loaded, {res.patient}, tagged=False)  # HTEST on no resource, the draft order included
    assert _resources(bundle, "MedicationRequest"), "CRS grade 2 at 70 kg: a tocilizumab dose"
    assert bundle["meta"]["tag"] == [GENERATED_TAG]


def test_many_patients_in_one_bundle_each_with_its_own_resources(durable, packset):
    one, two = crs_grade_2(), healthy()
    loaded = LoadResult(patients={**one.load().patients, **two.load().patients}, warnings=[])
    results = evaluate_loaded(loaded, durable, at=AT)
    bundle = outputs.fhir_bundle(results, loaded=loaded, packset=packset)
    _check_bundle(bundle, loaded, {r.patient for r in results}, tagged=True)
    per_patient = Counter((r.get("subject") or r.get("patient"))["reference"] for r in _resources(bundle))
    assert set(per_patient) == {"Patient/crs2", "Patient/well"}
    assert Counter(r["resourceType"] for r in _resources(bundle, "GuidanceResponse")) == {"GuidanceResponse": 2}
    assert outputs.fhir_bundle(results, loaded=loaded, packset=packset) == bundle, "deterministic"
    assert outputs.fhir_bundle(list(reversed(results)), loaded=loaded)["id"] == bundle["id"]


def test_not_applicable_and_negative_scores_on_every_scale(durable, packset):
    loaded, res = run(durable, healthy(), scales="all")
    bundle = outputs.fhir_bundle([res], loaded=loaded, packset=packset)
    _check_bundle(bundle, loaded, {res.patient}, tagged=True)
    observations = {o["code"]["coding"][0]["code"]: o for o in _resources(bundle, "Observation")}
    assert set(observations) == set(res.assessments)
    sic = observations["dic.sic"]
    assert res.assessments["dic.sic"].status == "not_applicable"
    assert sic["dataAbsentReason"]["coding"][0]["code"] == "not-applicable" and "valueInteger" not in sic
    risks = {r["code"]["coding"][0]["code"] for r in _resources(bundle, "RiskAssessment")}
    assert "dic.sic" not in risks
    nonovert = observations["dic.isth2001.nonovert"]
    assert nonovert["valueRange"]["low"]["value"] < 0
    assert observations["crs.astct2019"]["valueInteger"] == 0
    assert not _resources(bundle, "DetectedIssue")


def test_fhir_json_is_one_bundle_and_orjson_round_trips(example, packset):
    loaded, res = example
    data = outputs.to_fhir_json([res], loaded=loaded, packset=packset)
    parsed = orjson.loads(data)
    assert parsed == outputs.fhir_bundle([res], loaded=loaded, packset=packset)
    assert parsed["resourceType"] == "Bundle"
    assert outputs.fhir_resources(res, loaded=loaded, packset=packset) == [e["resource"] for e in parsed["entry"]]
