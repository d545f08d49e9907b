"""Where the cohort's patients come from (cartguard.cohort.source.iter_patients)."""

from __future__ import annotations

import pickle

import orjson
import pytest

from cartguard.cohort.source import UNREADABLE, iter_patients
from cartguard.errors import InputError
from cartguard.fhir_adapters.facts import Warning_
from cartguard.fhir_adapters.mapper import map_patient
from cartguard.testing import PatientBuilder

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def builder(pid: str, temps: int = 2) -> PatientBuilder:
    b = PatientBuilder(pid)
    for d in range(1, temps + 1):
        b.observation("8310-5", 37.0 + d / 10, "Cel", day=d, hour=12)
    return b


def test_a_folder_of_bundles_one_patient_at_a_time(tmp_path):
    for pid in ("b", "a", "c"):
        (tmp_path / f"{pid}.json").write_bytes(builder(pid).bundle_bytes())
    warnings: list[Warning_] = []
    got = list(iter_patients(tmp_path, warnings))
    assert [pr.patient for pr in got] == ["Patient/a", "Patient/b", "Patient/c"]
    assert all(len(pr.resources) == 4 for pr in got) and warnings == []  # Patient, CAR-T, 2 temperatures


def test_a_patient_split_over_files_is_merged_before_it_is_yielded(tmp_path):
    b = builder("p1", temps=4)
    resources = b.resources
    (tmp_path / "1.json").write_bytes(orjson.dumps({"resourceType": "Bundle", "type": "collection",
                                                    "entry": [{"resource": x} for x in resources[:3]]}))
    (tmp_path / "2.ndjson").write_bytes(b"\n".join(orjson.dumps(x) for x in resources[3:]))
    (tmp_path / "3.json").write_bytes(builder("p2").bundle_bytes())
    got = {pr.patient: pr for pr in iter_patients(tmp_path)}
    assert sorted(got) == ["Patient/p1", "Patient/p2"]
    assert sorted(r["id"] for r in got["Patient/p1"].resources) == sorted(r["id"] for r in resources)


def test_ndjson_and_the_own_index(tmp_path):
    a, b = builder("a"), builder("b")
    med = {"resourceType": "Medication", "id": "norepi",
           "code": {"coding": [{"system": RXNORM, "code": "7512"}]}}
    ma = a.medication("norepinephrine", day=1, hour=10, until_day=1, until_hour=14)
    del ma["medicationCodeableConcept"]
    ma["medicationReference"] = {"reference": "Medication/norepi"}
    lines = [orjson.dumps(x) for x in [*a.resources, med, *b.resources]]
    path = tmp_path / "export.ndjson"
    path.write_bytes(b"\n".join(lines))
    got = {pr.patient: pr for pr in iter_patients(path)}
    assert sorted(got) == ["Patient/a", "Patient/b"]
    index_a = got["Patient/a"].index
    assert "Medication/norepi" in index_a  # shared, subject-less resources stay resolvable
    assert not any(k.startswith("Observation/b-") for k in index_a)  # never another patient's resources
    # A worker gets a self-contained patient: the reference still resolves after pickling.
    pr = pickle.loads(pickle.dumps(got["Patient/a"]))
    from cartguard.plugins import default_packset

    pf = map_patient(pr, default_packset().bindings, validate_resources=True)
    assert any(f.concept == "norepinephrine" for f in pf.facts)


def test_an_unreadable_file_is_a_warning_not_the_end(tmp_path):
    (tmp_path / "a.json").write_bytes(builder("a").bundle_bytes())
    (tmp_path / "broken.json").write_text("{ not json")
    warnings: list[Warning_] = []
    got = list(iter_patients(tmp_path, warnings))
    assert [pr.patient for pr in got] == ["Patient/a"]
    assert [(w.code, w.source) for w in warnings] == [(UNREADABLE, str(tmp_path / "broken.json"))]


def test_missing_or_unreadable_input_raises(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        list(iter_patients(tmp_path / "nothing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no .json or .ndjson"):
        list(iter_patients(tmp_path / "empty"))
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    with pytest.raises(InputError, match="bad.json"):
        list(iter_patients(bad))
