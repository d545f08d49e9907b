"""benchmarks/bench_bulk.py runs end to end at a small size (a smoke test: no timing is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_bulk.py"


def test_bulk_benchmark_runs_every_executor_and_compares_results(tmp_path):
    report = tmp_path / "report.json"
    proc = subprocess.run([sys.executable, str(BENCH), "--patients", "12", "--days", "8", "--unrelated", "2",
                           "--dir", str(tmp_path / "work"), "--json", str(report)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "results identical patient by patient across executors: yes" in proc.stdout
    for row in ("orjson floor", "single", "local x2", "dask x2"):
        assert row in proc.stdout
    doc = orjson.loads(report.read_bytes())
    assert [r["executor"] for r in doc["rows"]] == ["orjson floor", "single", "local x2", "dask x2"]
    assert all(r["patients"] == 12 and r["peak"] > 0 for r in doc["rows"][1:])
    assert set(doc["targets"]) == {"single >= 25% of orjson floor", "local x2 >= 1.6x single",
                                   "peak RSS < 1 GB (every executor)"}
    assert not list((tmp_path / "work").glob("out-*"))  # results removed; exports too (no --keep)
    assert not list((tmp_path / "work").glob("export-*"))
