"""cartguard bulk on a real Dask cluster: a ``dask scheduler`` and two ``dask worker`` processes on
loopback, started here; the cluster's results equal the single-process results patient by patient."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from cartguard.bulk import run_bulk
from cartguard.bulk.executors import DaskExecutor
from cartguard.bulk.worker import EngineSpec, engine
from cartguard.errors import EngineError, PackError
from cartguard.synth_bulk import write_bulk_export

PATIENTS = 8


def _dask(*args: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as fh:
        return subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[str]:
    """The scheduler's tcp://127.0.0.1 address, with two single-threaded workers connected."""
    folder = tmp_path_factory.mktemp("dask")
    info = folder / "scheduler.json"
    procs = [_dask("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(info),
                   log=folder / "scheduler.log")]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() or not info.read_bytes().strip():
            assert time.monotonic() < deadline, (folder / "scheduler.log").read_text()
            time.sleep(0.05)
        address = orjson.loads(info.read_bytes())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for n in range(2):
            procs.append(_dask("worker", "--scheduler-file", str(info), "--host", "127.0.0.1", "--nthreads", "1",
                               "--no-nanny", "--no-dashboard", "--memory-limit", "0", "--name", f"w{n}",
                               "--local-directory", str(folder / f"w{n}"), log=folder / f"worker{n}.log"))
        deadline = time.monotonic() + 60
        while sum(b"Registered to" in (folder / f"worker{n}.log").read_bytes() for n in range(2)) < 2:
            assert time.monotonic() < deadline, (folder / "worker0.log").read_text()
            time.sleep(0.05)
        yield address
    finally:
        for proc in reversed(procs):
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    write_bulk_export(folder, PATIENTS, seed=21, days=10, unrelated_per_relevant=4, lines_per_file=2_000)
    return folder


def _lines(out: Path) -> dict[str, dict]:
    raw = (out / "results.ndjson").read_bytes().splitlines()
    lines = {orjson.loads(line)["patient"]: orjson.loads(line) for line in raw}
    assert len(lines) == len(raw)
    return lines


def test_cluster_results_equal_single_process_results(cluster, export, tmp_path):
    single = run_bulk(export, tmp_path / "single", workers=1, chunk_mb=0.25, memory_mb=16)
    on_cluster = run_bulk(export, tmp_path / "cluster", scheduler=cluster, chunk_mb=0.25, memory_mb=16)
    assert on_cluster.executor == "dask cluster" and on_cluster.workers == 2 and on_cluster.scheduler == cluster
    assert single.patients == on_cluster.patients == PATIENTS
    assert on_cluster.buckets > 2 and on_cluster.chunks > 2
    assert _lines(tmp_path / "cluster") == _lines(tmp_path / "single")


def test_cluster_run_resumes_a_local_run(cluster, export, tmp_path):
    """Same arguments, another executor: a resumed run reuses what the first one committed."""
    out = tmp_path / "out"
    run_bulk(export, out, workers=1, chunk_mb=0.25, memory_mb=16)
    state = out / ".cartguard-bulk" / "state.json"
    doc = orjson.loads(state.read_bytes())
    state.write_bytes(orjson.dumps({**doc, "phase": "evaluate"}))  # as if killed before the end
    journal = out / ".cartguard-bulk" / "journal.ndjson"
    kept = journal.read_bytes().splitlines()[:2]
    journal.write_bytes(b"\n".join(kept) + b"\n")
    reference = _lines(out)
    summary = run_bulk(export, out, scheduler=cluster)
    assert summary.resumed and summary.reused_buckets == 2
    assert _lines(out) == reference


def test_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(EngineError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        DaskExecutor("tcp://127.0.0.1:9", timeout=2)


def test_a_worker_with_other_packs_refuses_the_tasks():
    with pytest.raises(PackError, match="differ from the run's"):
        engine(EngineSpec()).check("0" * 64)
