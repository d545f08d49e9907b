"""Resumable, nothing lost: real ``cartguard bulk`` processes killed with SIGKILL at several points
(driven by what the run has written to disk), then started again with the same arguments, end with
exactly one result per patient, equal to an uninterrupted run's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from cartguard.bulk import LatestJob, run_bulk
from cartguard.bulk.store import JournalEntry, ResultsFolder
from cartguard.errors import InputError
from cartguard.synth_bulk import write_bulk_export

PATIENTS = 40
ARGS = ["--chunk-mb", "0.5", "--memory-mb", "16", "--no-progress"]


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    write_bulk_export(folder, PATIENTS, seed=3, days=14, unrelated_per_relevant=6)
    return folder


@pytest.fixture(scope="module")
def reference(export, tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("reference")
    run_bulk(export, out, workers=1, chunk_mb=0.5, memory_mb=16)
    return _lines(out)


def _lines(out: Path) -> dict[str, bytes]:
    raw = (out / "results.ndjson").read_bytes().splitlines()
    by_patient = {orjson.loads(line)["patient"]: line for line in raw}
    assert len(by_patient) == len(raw), "a patient has more than one result line"
    return by_patient


def _start(export: Path, out: Path, workers: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "cartguard.bulk.command", str(export), "--out", str(out), "--workers", str(workers),
           *ARGS]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def _kill_when(proc: subprocess.Popen[bytes], condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
    """SIGKILL the run's whole process group as soon as ``condition`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            _, err = proc.communicate()
            pytest.fail(f"the run ended (exit {proc.returncode}) before {what}: {err.decode()[-2000:]}")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.003)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL


def _state(out: Path) -> dict[str, Any]:
    try:
        return orjson.loads((out / ".cartguard-bulk" / "state.json").read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}


def _committed_chunks(out: Path) -> int:
    spill = out / ".cartguard-bulk" / "spill"
    return len(list(spill.glob("*.json"))) if spill.exists() else 0


def _journal(out: Path) -> int:
    path = out / ".cartguard-bulk" / "journal.ndjson"
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _finish(export: Path, out: Path, workers: int) -> str:
    proc = _start(export, out, workers)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()[-3000:]
    return err.decode()


@pytest.mark.parametrize("workers", [1, 2])
def test_killed_in_partition_and_in_evaluation_then_resumed(export, reference, tmp_path, workers):
    out = tmp_path / "out"
    # 1. killed while phase 1 is partitioning: some chunks committed, no bucket plan yet
    proc = _start(export, out, workers)
    _kill_when(proc, lambda: _committed_chunks(out) >= 3, "three chunks were committed")
    assert _state(out).get("plan") is None and not (out / "summary.json").exists()
    chunks_before = _committed_chunks(out)
    # 2. resumed, and killed again once phase 2 has committed some buckets
    proc = _start(export, out, workers)
    _kill_when(proc, lambda: _journal(out) >= 2, "two buckets were committed")
    state = _state(out)
    assert state["plan"] is not None and _journal(out) < len(state["plan"])
    # 3. resumed to the end
    text = _finish(export, out, workers)
    assert "resumed" in text
    summary = orjson.loads((out / "summary.json").read_bytes())
    assert summary["resumed"] and summary["reused_buckets"] >= 2 and summary["reused_chunks"] >= 1
    assert chunks_before >= 3
    assert _lines(out) == reference
    assert summary["patients"] == PATIENTS and summary["ok"] == PATIENTS
    assert not (out / ".cartguard-bulk" / "spill").exists()


def test_killed_right_after_the_first_results_are_written(export, reference, tmp_path):
    out = tmp_path / "out"
    proc = _start(export, out, 1)
    results = out / "results.ndjson"
    _kill_when(proc, lambda: results.exists() and results.stat().st_size > 0, "results were written")
    _finish(export, out, 1)
    assert _lines(out) == reference


def test_a_torn_line_and_uncommitted_lines_are_cut_on_resume(export, reference, tmp_path):
    out = tmp_path / "out"
    proc = _start(export, out, 1)
    _kill_when(proc, lambda: _journal(out) >= 3, "three buckets were committed")
    # What a kill in the middle of a write leaves: lines of a bucket not yet in the journal, a line
    # cut short, and a journal line cut short.
    with (out / "results.ndjson").open("ab") as fh:
        fh.write(next(iter(reference.values())) + b"\n" + b'{"patient": "Patient/torn", "sta')
    with (out / ".cartguard-bulk" / "journal.ndjson").open("ab") as fh:
        fh.write(b'{"bucket": 99, "end": 12')
    (out / "results.parquet.4242.tmp").write_bytes(b"PAR1 half written")
    _finish(export, out, 1)
    assert _lines(out) == reference
    assert sorted(p.name for p in out.iterdir()) == [".cartguard-bulk", "results.ndjson", "results.parquet",
                                                     "summary.json", "warnings.ndjson"]


def test_completed_run_is_not_redone(export, reference, tmp_path):
    first = run_bulk(export, tmp_path, workers=1, chunk_mb=0.5, memory_mb=16)
    stamp = (tmp_path / "results.ndjson").stat().st_mtime_ns
    again = run_bulk(export, tmp_path, workers=1, chunk_mb=0.5, memory_mb=16)
    assert again == first and (tmp_path / "results.ndjson").stat().st_mtime_ns == stamp
    assert _lines(tmp_path) == reference


def test_other_arguments_or_changed_inputs_are_a_clear_error(export, tmp_path):
    run_bulk(export, tmp_path / "out", workers=1)
    with pytest.raises(InputError, match="the job was"):
        run_bulk(export, tmp_path / "out", workers=1, job=LatestJob(scales="all"))
    copy = tmp_path / "export"
    copy.mkdir()
    for f in export.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    run_bulk(copy, tmp_path / "out2", workers=1)
    patient_file = copy / "Patient.000.ndjson"
    patient_file.write_bytes(patient_file.read_bytes() + b"\n")
    with pytest.raises(InputError, match="files changed"):
        run_bulk(copy, tmp_path / "out2", workers=1)
    summary = run_bulk(copy, tmp_path / "out2", workers=1, restart=True)
    assert not summary.resumed and summary.patients == PATIENTS


def test_results_without_a_run_state_are_not_overwritten(export, tmp_path):
    (tmp_path / "results.ndjson").write_bytes(b'{"patient": "Patient/x"}\n')
    with pytest.raises(InputError, match="not its run state"):
        run_bulk(export, tmp_path, workers=1)
    assert (tmp_path / "results.ndjson").read_bytes() == b'{"patient": "Patient/x"}\n'


def test_two_runs_cannot_share_a_results_folder(tmp_path):
    first = ResultsFolder(tmp_path)
    first.lock()
    try:
        with pytest.raises(InputError, match="another cartguard bulk run"):
            ResultsFolder(tmp_path).lock()
    finally:
        first.close()
    second = ResultsFolder(tmp_path)
    second.lock()  # released with the first
    second.close()


def test_journal_commits_and_truncation(tmp_path):
    folder = ResultsFolder(tmp_path)
    folder.lock()
    folder.commit(b'{"patient": "a"}\n', JournalEntry(bucket=0, end=0, patients=1))
    folder.commit(b'{"patient": "b"}\n{"patient": "c"}\n', JournalEntry(bucket=3, end=0, patients=2))
    folder.close()
    with (tmp_path / "results.ndjson").open("ab") as fh:
        fh.write(b'{"patient": "d"}\n{"pat')
    entries = ResultsFolder(tmp_path).committed()
    assert [(e.bucket, e.patients) for e in entries] == [(0, 1), (3, 2)]
    assert (tmp_path / "results.ndjson").read_bytes() == b'{"patient": "a"}\n{"patient": "b"}\n{"patient": "c"}\n'
    (tmp_path / "results.ndjson").write_bytes(b"")
    with pytest.raises(InputError, match="changed outside cartguard"):
        ResultsFolder(tmp_path).committed()
