"""cartguard/bulk/run.py end to end: a generated export gives, patient by patient, what loading the
same folder whole and evaluating it gives - in this process, in local workers, from gzip files."""

from __future__ import annotations

import dataclasses
import gzip
import shutil
from pathlib import Path
from typing import Any, ClassVar

import orjson
import pyarrow.parquet as pq
import pytest

from cartguard.api import evaluate_loaded
from cartguard.bulk import BulkJob, LatestJob, TrajectoryJob, run_bulk
from cartguard.engine.evaluate import Evaluator
from cartguard.errors import InputError
from cartguard.fhir_adapters.loading import load_path
from cartguard.synth_bulk import write_bulk_export
from cartguard.trajectory import trajectory

PATIENTS = 10


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    # small files, so the Observation series spans several files and chunks
    write_bulk_export(folder, PATIENTS, seed=7, days=9, unrelated_per_relevant=3, lines_per_file=1_500)
    return folder


def lines_by_patient(out: Path) -> dict[str, dict[str, Any]]:
    lines = [orjson.loads(raw) for raw in (out / "results.ndjson").read_bytes().splitlines()]
    by_patient = {line["patient"]: line for line in lines}
    assert len(by_patient) == len(lines), "a patient has more than one result line"
    return by_patient


@pytest.fixture(scope="module")
def single(export, tmp_path_factory) -> tuple[Path, Any]:
    out = tmp_path_factory.mktemp("single")
    summary = run_bulk(export, out, workers=1, backend="both", chunk_mb=0.25, memory_mb=16)
    return out, summary


def test_results_equal_loading_the_folder_whole_patient_by_patient(export, single, packset):
    out, summary = single
    loaded = load_path(export)
    assert loaded.warnings == []
    expected = {r.patient: r.model_dump(mode="json")
                for r in evaluate_loaded(loaded, Evaluator(packset, "durable"))}
    got = lines_by_patient(out)
    assert sorted(got) == sorted(expected) and len(got) == PATIENTS
    for pid, line in got.items():
        assert line["status"] == "ok" and line["job"] == "latest"
        assert {**line["result"], "warnings": line["warnings"]} == expected[pid], pid
        assert line["packs"] == {lp.pack.id: lp.pack.version for lp in packset.loaded}
    assert summary.patients == summary.ok == PATIENTS and summary.errors == {}
    # the planner really split the work: several chunks and buckets
    assert summary.chunks > len(summary.by_type) and summary.buckets > 3


def test_irrelevant_resources_are_counted_and_skipped(export, single):
    _, summary = single
    manifest = orjson.loads((export / "manifest.json").read_bytes())["extension"]
    obs = summary.by_type["Observation"]
    assert obs.read == manifest["relevant_observations"] + manifest["unrelated_observations"]
    assert obs.kept == manifest["relevant_observations"] and obs.skipped == manifest["unrelated_observations"]
    assert summary.by_type["Encounter"].kept == 0  # a manifest type no pack reads: counted, not parsed
    assert summary.resources == manifest["resources"]


def test_spill_is_removed_and_parquet_agrees_with_ndjson(single):
    out, summary = single
    assert not (out / ".cartguard-bulk" / "spill").exists()
    table = pq.read_table(out / "results.parquet").to_pylist()
    lines = [orjson.loads(raw) for raw in (out / "results.ndjson").read_bytes().splitlines()]
    assert [row["patient"] for row in table] == [line["patient"] for line in lines]
    for row, line in zip(table, lines, strict=True):
        a = line["result"]["assessments"]["crs.astct2019"]
        assert row["crs.astct2019.value"] == a["value"] and row["crs.astct2019.status"] == a["status"]
        assert row["dic.isth2001.hi"] == line["result"]["assessments"]["dic.isth2001"]["range"][1]
        assert row["warnings"] == len(line["warnings"]) and row["status"] == "ok"
    assert orjson.loads((out / "summary.json").read_bytes())["patients"] == PATIENTS


def test_local_workers_give_the_same_results(export, single, tmp_path):
    summary = run_bulk(export, tmp_path, workers=2, chunk_mb=0.25, memory_mb=16)
    assert summary.executor == "local processes" and summary.workers == 2
    assert lines_by_patient(tmp_path) == lines_by_patient(single[0])


def test_gzip_export_gives_the_same_results(export, single, tmp_path):
    gz = tmp_path / "gz"
    gz.mkdir()
    for f in export.glob("*.ndjson"):
        (gz / f"{f.name}.gz").write_bytes(gzip.compress(f.read_bytes()))
    summary = run_bulk(gz, tmp_path / "out", workers=1)
    assert summary.files == len(list(export.glob("*.ndjson")))  # no manifest here: every file's lines say their type
    assert lines_by_patient(tmp_path / "out") == lines_by_patient(single[0])


def test_trajectory_job_equals_cartguard_timeline(export, packset, tmp_path):
    job = TrajectoryJob(every_hours=48, scales="crs.astct2019,dic.isth2001")
    run_bulk(export, tmp_path, job=job, workers=1)
    loaded = load_path(export)
    evaluator = Evaluator(packset, "durable")
    got = lines_by_patient(tmp_path)
    assert sorted(got) == sorted(loaded.patients)
    for pid in sorted(loaded.patients)[:4]:
        want = trajectory(loaded, evaluator, every_hours=48, scales="crs.astct2019,dic.isth2001", patient_id=pid)
        assert {**got[pid]["result"], "warnings": got[pid]["warnings"]} == want.model_dump(mode="json")
    row = pq.read_table(tmp_path / "results.parquet").to_pylist()[0]
    assert "crs.astct2019.onset_day" in row and "dic.isth2001.peak_value" in row


def test_unreadable_lines_are_collected_warnings_naming_file_and_line(export, single, tmp_path):
    folder = tmp_path / "messy"
    shutil.copytree(export, folder)
    (folder / "manifest.json").unlink()  # without a manifest every *.ndjson is read
    obs = orjson.loads((export / "Observation.000.ndjson").read_bytes().splitlines()[0])
    no_subject = {k: v for k, v in obs.items() if k != "subject"}
    messy = [b'{"resourceType": "Observation", "id": "torn', b"", b"[1, 2]", orjson.dumps(no_subject),
             orjson.dumps({"resourceType": "Bundle", "id": "b1", "type": "collection", "entry": []}), b"   "]
    (folder / "Observation.999.ndjson").write_bytes(b"\n".join(messy) + b"\n")
    summary = run_bulk(folder, tmp_path / "out", workers=1, chunk_mb=0.25)
    assert summary.reading_warnings == {"not-json": 1, "not-a-resource": 1, "no-subject": 1, "bundle": 1}
    warnings = [orjson.loads(raw) for raw in (tmp_path / "out" / "warnings.ndjson").read_bytes().splitlines()]
    assert [(w["code"], w["source"]) for w in warnings] == [
        ("not-json", "Observation.999.ndjson:1"), ("not-a-resource", "Observation.999.ndjson:3"),
        ("no-subject", "Observation.999.ndjson:4"), ("bundle", "Observation.999.ndjson:5")]
    assert warnings[2]["resource"] == f"Observation/{obs['id']}"
    assert lines_by_patient(tmp_path / "out") == lines_by_patient(single[0])


def test_line_numbers_are_exact_across_chunks(tmp_path):
    """A warning deep inside a file split into many chunks still names its line."""
    folder = tmp_path / "export"
    write_bulk_export(folder, 2, seed=1, days=8, unrelated_per_relevant=2)
    target = folder / "Observation.000.ndjson"
    lines = target.read_bytes().splitlines()
    torn = (0, len(lines) // 2, len(lines) - 1)
    for n in torn:
        lines[n] = b"{not json"
    target.write_bytes(b"\n".join(lines))  # and no newline after the last line
    summary = run_bulk(folder, tmp_path / "out", workers=1, chunk_mb=0.01)
    assert summary.chunks > 20
    warnings = [orjson.loads(raw) for raw in (tmp_path / "out" / "warnings.ndjson").read_bytes().splitlines()]
    assert [w["source"] for w in warnings] == [f"Observation.000.ndjson:{n + 1}" for n in torn]
    assert summary.by_type["Observation"].read == len(lines) - 3


def test_a_patient_whose_job_fails_gets_an_error_line(export, tmp_path):
    summary = run_bulk(export, tmp_path, job=LatestJob(scales="crs.astct2019,no.such.scale"), workers=1)
    lines = lines_by_patient(tmp_path)
    assert len(lines) == PATIENTS and summary.errors == {"PackError": PATIENTS} and summary.ok == 0
    line = next(iter(lines.values()))
    assert line["status"] == "error" and "no.such.scale" in line["error"]["message"]
    assert line["error"]["type"] == "PackError" and line["error"]["expected"] is True
    row = pq.read_table(tmp_path / "results.parquet").to_pylist()[0]
    assert row["status"] == "error" and row["error_type"] == "PackError"


def test_a_truncated_gzip_file_is_a_clear_error(export, tmp_path):
    folder = tmp_path / "gz"
    folder.mkdir()
    data = gzip.compress((export / "Patient.000.ndjson").read_bytes())
    (folder / "Patient.000.ndjson.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="Patient.000.ndjson.gz: cannot read the file to its end"):
        run_bulk(folder, tmp_path / "out", workers=1)


@dataclasses.dataclass(frozen=True)
class FactCountJob(BulkJob):
    """A third-party job: how many facts of one concept each patient has (a flat row, like a cohort row)."""

    name: ClassVar[str] = "fact-count"
    version: ClassVar[str] = "3"
    concept: str = "platelets"

    def run(self, patient, evaluator):
        from cartguard.fhir_adapters.mapper import map_patient

        pf = map_patient(patient, evaluator.packset.bindings, validate_resources="lazy")
        return {"facts": sum(f.concept == self.concept for f in pf.facts), "concept": self.concept,
                "infused": pf.infusion_date is not None}


def test_a_job_of_its_own_runs_on_the_pipeline(export, tmp_path):
    summary = run_bulk(export, tmp_path, job=FactCountJob(), workers=2)
    assert summary.job == {"name": "fact-count", "version": "3", "params": {"concept": "platelets"}}
    lines = lines_by_patient(tmp_path)
    assert len(lines) == PATIENTS and all(line["result"]["facts"] > 0 for line in lines.values())
    rows = pq.read_table(tmp_path / "results.parquet").to_pylist()
    assert {r["patient"] for r in rows} == set(lines) and all(r["infused"] is True for r in rows)
    with pytest.raises(InputError, match="the job was"):
        run_bulk(export, tmp_path, job=FactCountJob(concept="fibrinogen"), workers=1)
