"""cartguard/synth_bulk.py: the synthetic cohort laid out as a FHIR Bulk Data export."""

from __future__ import annotations

import ast
import gzip
from collections import Counter
from pathlib import Path

import orjson
import pytest

from cartguard.api import evaluate_path
from cartguard.synth import SynthParams, generate
from cartguard.synth_bulk import UNRELATED_LABS, write_bulk_export


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("export")
    return out, write_bulk_export(out, 6, seed=11, days=10, lines_per_file=2_000, chunk_patients=3)


def _lines(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        return [orjson.loads(line) for line in fh if line.strip()]


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if ".ndjson" in p.name)


def test_manifest_lists_every_file_with_its_type_and_count(export):
    folder, manifest = export
    assert manifest["requiresAccessToken"] is False and manifest["error"] == []
    listed = {Path(o["url"].removeprefix("file://")).name: o for o in manifest["output"]}
    assert sorted(listed) == [p.name for p in _files(folder)]
    for p in _files(folder):
        rows = _lines(p)
        assert listed[p.name]["count"] == len(rows)
        assert {r["resourceType"] for r in rows} == {listed[p.name]["type"]}
    assert orjson.loads((folder / "manifest.json").read_bytes()) == manifest
    # split every lines_per_file lines: the Observation series spans several files
    assert sum(o["type"] == "Observation" for o in manifest["output"]) > 1


def test_nothing_of_the_generated_cohort_is_lost(export):
    folder, manifest = export
    exported = {(r["resourceType"], r["id"]) for p in _files(folder) for r in _lines(p)}
    generated = [e["resource"] for b in generate(6, 11, SynthParams(follow_up_days=10)) for e in b["entry"]]
    assert {(r["resourceType"], r["id"]) for r in generated} <= exported
    ext = manifest["extension"]
    assert ext["resources"] == len(exported)
    assert ext["unrelated_observations"] == 9 * ext["relevant_observations"]


def test_patients_are_interleaved_not_written_one_after_another(export):
    folder, _ = export
    subjects = [r["subject"]["reference"] for r in _lines(folder / "Observation.000.ndjson")[:600]]
    switches = sum(a != b for a, b in zip(subjects, subjects[1:], strict=False))
    assert len(set(subjects)) >= 2 and switches > 10


def test_unrelated_codes_are_bound_by_no_installed_pack(export):
    from cartguard.plugins import default_packset

    bindings = default_packset().bindings
    for code, *_ in UNRELATED_LABS:
        concept = {"coding": [{"system": "http://loinc.org", "code": code}]}
        assert not bindings.match(concept, "observations"), code


def test_vasopressors_are_exported_by_reference_to_a_shared_medication(export):
    folder, _ = export
    meds = {r["id"]: r for r in _lines(folder / "Medication.000.ndjson")}
    admins = [r for p in _files(folder) if p.name.startswith("MedicationAdministration") for r in _lines(p)]
    by_ref = [a for a in admins if "medicationReference" in a]
    assert by_ref and all(a["medicationReference"]["reference"].removeprefix("Medication/") in meds for a in by_ref)


def test_the_export_grades_as_the_bundles_do(export, tmp_path):
    """Same patients, other layout: every assessment equal, and no warning about references."""
    folder, _ = export
    for bundle in generate(6, 11, SynthParams(follow_up_days=10)):
        (tmp_path / f"{bundle['entry'][0]['resource']['id']}.json").write_bytes(orjson.dumps(bundle))
    as_bundles = {r.patient: r for r in evaluate_path(tmp_path)}
    as_export = {r.patient: r for r in evaluate_path(folder)}
    assert sorted(as_export) == sorted(as_bundles)
    for pid, r in as_export.items():
        assert {k: (a.value, a.range) for k, a in r.assessments.items()} == \
               {k: (a.value, a.range) for k, a in as_bundles[pid].assessments.items()}
        assert not [w for w in r.warnings if w.code == "unresolved-reference"]


def test_gzip_files_hold_the_same_lines(tmp_path):
    plain = write_bulk_export(tmp_path / "plain", 2, seed=5, days=8)
    packed = write_bulk_export(tmp_path / "gz", 2, seed=5, days=8, gzip=True)
    assert [o["count"] for o in plain["output"]] == [o["count"] for o in packed["output"]]
    assert _lines(next((tmp_path / "gz").glob("Patient.*.gz"))) == _lines(next((tmp_path / "plain").glob("Patient.*")))


def test_imports_nothing_from_the_grading_code():
    tree = ast.parse(Path(__file__).parents[1].joinpath("cartguard/synth_bulk.py").read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert {m for m in imported if m and m.startswith("cartguard")} == {"cartguard.synth"}
    assert Counter(m.split(".")[0] for m in imported if m)["cartguard"] == 1
