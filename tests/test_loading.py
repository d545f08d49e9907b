"""fhir_adapters/loading.py: Bundles, NDJSON, single resources, folders; grouping by patient."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from _cg import bundle_of

from cartguard.errors import InputError
from cartguard.fhir_adapters.loading import load_bytes, load_path
from cartguard.testing import PatientBuilder


def _builder(pid: str = "p1") -> PatientBuilder:
    b = PatientBuilder(pid)
    b.observation("777-3", 42, "10*9/L", day=6, hour=6)
    b.observation("8310-5", 38.4, "Cel", day=6, hour=8)
    b.medication("norepinephrine", day=5, in_progress=True)
    return b


def _ids(pr) -> list[str]:
    return sorted(f"{r['resourceType']}/{r['id']}" for r in pr.resources)


def test_bundle_file(tmp_path: Path):
    b = _builder()
    f = tmp_path / "p1.json"
    f.write_bytes(b.bundle_bytes())
    lr = load_path(f)
    assert list(lr.patients) == ["Patient/p1"]
    assert _ids(lr.patients["Patient/p1"]) == sorted(f"{r['resourceType']}/{r['id']}" for r in b.resources)
    assert lr.warnings == []


def test_ndjson_file(tmp_path: Path):
    b = _builder()
    f = tmp_path / "p1.ndjson"
    f.write_bytes(b"\n".join(orjson.dumps(r) for r in b.resources) + b"\n\n")
    lr = load_path(f)
    assert list(lr.patients) == ["Patient/p1"]
    assert len(lr.patients["Patient/p1"].resources) == len(b.resources)


def test_single_line_ndjson_is_one_resource(tmp_path: Path):
    f = tmp_path / "one.ndjson"
    f.write_bytes(orjson.dumps({"resourceType": "Patient", "id": "solo"}) + b"\n")
    assert list(load_path(f).patients) == ["Patient/solo"]


def test_ndjson_bad_line_names_the_line(tmp_path: Path):
    b = _builder()
    lines = [orjson.dumps(r) for r in b.resources[:2]] + [b"{not json"]
    f = tmp_path / "bad.ndjson"
    f.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError, match=r"line 3"):
        load_path(f)


def test_ndjson_line_that_is_not_fhir(tmp_path: Path):
    f = tmp_path / "bad.ndjson"
    f.write_bytes(orjson.dumps({"resourceType": "Patient", "id": "a"}) + b"\n" + b'{"hello": 1}\n')
    with pytest.raises(InputError, match="resourceType"):
        load_path(f)


def test_single_resource_file(tmp_path: Path):
    obs = _builder().resources[2]
    assert obs["resourceType"] == "Observation"
    f = tmp_path / "obs.json"
    f.write_text(json.dumps(obs))
    lr = load_path(f)
    assert list(lr.patients) == ["Patient/p1"]
    assert lr.patients["Patient/p1"].resources == [obs]


def test_folder_recursive_and_merged(tmp_path: Path):
    b1, b2 = _builder("p1"), _builder("p2")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "deep").mkdir()
    (tmp_path / "a" / "p1.json").write_bytes(b1.bundle_bytes())
    # more of p1 in another file, deeper: merged into the same patient
    extra = PatientBuilder("p1", record_infusion=False)
    extra.observation("3255-7", 1.2, "g/L", day=6, hour=6)
    (tmp_path / "a" / "deep" / "p1-more.ndjson").write_bytes(
        b"\n".join(orjson.dumps(r) for r in extra.resources[1:]))
    (tmp_path / "p2.json").write_bytes(b2.bundle_bytes())
    (tmp_path / "notes.txt").write_text("not FHIR and not read")
    lr = load_path(tmp_path)
    assert sorted(lr.patients) == ["Patient/p1", "Patient/p2"]
    p1 = _ids(lr.patients["Patient/p1"])
    assert len(p1) == len(b1.resources) + 1
    assert any(i.startswith("Observation/p1-obs-") for i in p1)
    assert _ids(lr.patients["Patient/p2"]) == sorted(f"{r['resourceType']}/{r['id']}" for r in b2.resources)


def test_folder_resolves_references_across_files_and_skips_a_bulk_manifest(tmp_path: Path):
    """A Bulk Data export keeps Medications in their own file, next to a manifest.json."""
    b = _builder("p1")
    ma = next(r for r in b.resources if r["resourceType"] == "MedicationAdministration"
              and r["medicationCodeableConcept"]["coding"][0]["code"] == "7512")
    code = ma.pop("medicationCodeableConcept")
    ma["medicationReference"] = {"reference": "Medication/norepi"}
    (tmp_path / "MedicationAdministration.000.ndjson").write_bytes(
        b"\n".join(orjson.dumps(r) for r in b.resources if r["resourceType"] == "MedicationAdministration"))
    (tmp_path / "Observation.000.ndjson").write_bytes(
        b"\n".join(orjson.dumps(r) for r in b.resources if r["resourceType"] == "Observation"))
    # mapping happens after every file is read: the reference resolves whatever the file order
    (tmp_path / "Medication.000.ndjson").write_bytes(
        orjson.dumps({"resourceType": "Medication", "id": "norepi", "code": code}) + b"\n")
    (tmp_path / "manifest.json").write_text(json.dumps({
        "transactionTime": "2026-03-01T00:00:00Z", "request": "[base]/$export", "requiresAccessToken": False,
        "output": [{"type": "Observation", "url": "file:///x/Observation.000.ndjson"}], "error": []}))
    lr = load_path(tmp_path)
    assert lr.warnings == [] and sorted(lr.patients) == ["Patient/p1"]
    pr = lr.patients["Patient/p1"]
    assert pr.index["Medication/norepi"]["code"] == code
    from cartguard.fhir_adapters.mapper import map_patient
    from cartguard.plugins import default_packset

    pf = map_patient(pr, default_packset().bindings)
    assert [f.concept for f in pf.facts if f.kind == "medication"] == ["norepinephrine"] and pf.warnings == []


def test_empty_folder_is_an_input_error(tmp_path: Path):
    (tmp_path / "readme.txt").write_text("x")
    with pytest.raises(InputError, match="no .json"):
        load_path(tmp_path)


def test_nested_bundle():
    b = _builder()
    inner = b.bundle()
    outer = {"resourceType": "Bundle", "type": "batch-response",
             "entry": [{"resource": inner}, {"resource": {"resourceType": "Patient", "id": "other"}}]}
    lr = load_bytes(orjson.dumps(outer), "nested.json")
    assert sorted(lr.patients) == ["Patient/other", "Patient/p1"]
    assert len(lr.patients["Patient/p1"].resources) == len(b.resources)


def test_entries_without_resource_are_skipped():
    data = {"resourceType": "Bundle", "type": "transaction-response",
            "entry": [{"response": {"status": "201"}}, {"resource": {"resourceType": "Patient", "id": "x"}}]}
    assert list(load_bytes(orjson.dumps(data)).patients) == ["Patient/x"]


def test_grouping_by_subject_two_patients():
    data = bundle_of(_builder("p1"), _builder("p2"))
    lr = load_bytes(orjson.dumps(data))
    assert sorted(lr.patients) == ["Patient/p1", "Patient/p2"]
    for pid, pr in lr.patients.items():
        for r in pr.resources:
            ref = (r.get("subject") or {}).get("reference") or f"Patient/{r['id']}"
            assert ref == pid


def test_urn_uuid_subject_resolves_to_the_patient():
    patient_url = "urn:uuid:6b1b3a4e-0000-4000-8000-000000000001"
    obs = {"resourceType": "Observation", "id": "o1", "status": "final",
           "code": {"coding": [{"system": "http://loinc.org", "code": "777-3"}]},
           "subject": {"reference": patient_url}, "effectiveDateTime": "2026-03-16T06:00:00Z",
           "valueQuantity": {"value": 42, "unit": "10*9/L", "system": "http://unitsofmeasure.org",
                             "code": "10*9/L"}}
    ma = {"resourceType": "MedicationAdministration", "id": "m1", "status": "completed",
          "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                                    "code": "7512"}]},
          "subject": {"reference": patient_url}, "effectiveDateTime": "2026-03-16T06:00:00Z"}
    data = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:aaaaaaaa-0000-4000-8000-000000000002", "resource": obs},
        {"fullUrl": patient_url, "resource": {"resourceType": "Patient", "id": "pt-9"}},
        {"fullUrl": "urn:uuid:aaaaaaaa-0000-4000-8000-000000000003", "resource": ma},
    ]}
    lr = load_bytes(orjson.dumps(data))
    assert list(lr.patients) == ["Patient/pt-9"]
    assert _ids(lr.patients["Patient/pt-9"]) == ["MedicationAdministration/m1", "Observation/o1", "Patient/pt-9"]


def test_absolute_url_subject_resolves_to_the_patient():
    base = "https://example.com/base/Patient/pat2"
    data = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": base, "resource": {"resourceType": "Patient", "id": "pat2"}},
        {"resource": {"resourceType": "Observation", "id": "o1", "status": "final",
                      "code": {"text": "x"}, "subject": {"reference": base}}},
    ]}
    assert list(load_bytes(orjson.dumps(data)).patients) == ["Patient/pat2"]


def test_patient_key_is_a_subject_too():
    data = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "AllergyIntolerance", "id": "a1", "patient": {"reference": "Patient/q"}}},
    ]}
    lr = load_bytes(orjson.dumps(data))
    assert list(lr.patients) == ["Patient/q"]


def test_medication_resources_are_shared_not_owned_and_not_warned():
    data = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Medication", "id": "med1"}},
        {"resource": {"resourceType": "Patient", "id": "x"}},
    ]}
    lr = load_bytes(orjson.dumps(data))
    assert list(lr.patients) == ["Patient/x"]
    assert lr.warnings == []
    assert "Medication/med1" in lr.patients["Patient/x"].index


def test_resource_with_no_subject_is_a_warning_naming_it():
    data = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "x"}},
        {"resource": {"resourceType": "Observation", "id": "orphan", "status": "final", "code": {"text": "t"}}},
    ]}
    lr = load_bytes(orjson.dumps(data), "orphans.json")
    assert list(lr.patients) == ["Patient/x"]
    assert len(lr.warnings) == 1
    w = lr.warnings[0]
    assert w.code == "no-subject"
    assert w.source == "Observation/orphan"
    assert "orphans.json" in w.message


@pytest.mark.parametrize("content", [b"hello", b"{not json", b"<Bundle xmlns='http://hl7.org/fhir'/>"])
def test_not_json_is_an_input_error(tmp_path: Path, content: bytes):
    f = tmp_path / "x.json"
    f.write_bytes(content)
    with pytest.raises(InputError) as exc:
        load_path(f)
    assert str(f) in str(exc.value)


@pytest.mark.parametrize("doc", [{"hello": 1}, [1, 2, 3], "a string", 42, {"resourceType": 7},
                                 {"resourceType": "Bundle", "entry": {"resource": {}}},
                                 {"resourceType": "Bundle", "entry": [{"resource": "Patient/x"}]}])
def test_json_but_not_fhir_is_an_input_error(tmp_path: Path, doc):
    f = tmp_path / "x.json"
    f.write_bytes(orjson.dumps(doc))
    with pytest.raises(InputError):
        load_path(f)


def test_empty_input_is_an_input_error():
    with pytest.raises(InputError, match="empty"):
        load_bytes(b"  \n", "blank.json")


def test_missing_path_is_an_input_error(tmp_path: Path):
    with pytest.raises(InputError, match="no such file"):
        load_path(tmp_path / "nope.json")
