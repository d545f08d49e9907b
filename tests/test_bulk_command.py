"""cartguard/bulk/command.py: the ``bulk`` click command (added to ``cartguard`` by the CLI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from cartguard.bulk.command import bulk
from cartguard.synth_bulk import write_bulk_export


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    write_bulk_export(folder, 3, seed=5, days=8, unrelated_per_relevant=2)
    return folder


def test_bulk_writes_results_and_prints_a_summary(export, tmp_path):
    result = CliRunner().invoke(bulk, [str(export), "--out", str(tmp_path), "--workers", "1", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "cartguard bulk: 3 patients (3 ok, 0 errors), job latest, single process" in result.stderr
    assert "Observation" in result.stderr and "Decision support for clinicians, not a prescription." in result.stderr
    assert result.stdout == ""
    lines = (tmp_path / "results.ndjson").read_bytes().splitlines()
    assert len(lines) == 3 and {orjson.loads(line)["status"] for line in lines} == {"ok"}
    assert (tmp_path / "results.parquet").exists() and (tmp_path / "summary.json").exists()


def test_trajectory_job_and_no_parquet(export, tmp_path):
    result = CliRunner().invoke(bulk, [str(export), "--out", str(tmp_path), "--workers", "1", "--job", "trajectory",
                                       "--every-hours", "48", "--scales", "crs.astct2019", "--no-parquet"])
    assert result.exit_code == 0, result.output
    line = orjson.loads((tmp_path / "results.ndjson").read_bytes().splitlines()[0])
    assert line["job"] == "trajectory" and list(line["result"]["summaries"]) == ["crs.astct2019"]
    assert line["result"]["every_hours"] == 48.0
    assert not (tmp_path / "results.parquet").exists()


def test_latest_at_a_given_time(export, tmp_path):
    result = CliRunner().invoke(bulk, [str(export), "--out", str(tmp_path), "--workers", "1",
                                       "--at", "2026-03-05T12:00:00Z"])
    assert result.exit_code == 0, result.output
    line = orjson.loads((tmp_path / "results.ndjson").read_bytes().splitlines()[0])
    assert line["result"]["at"] == "2026-03-05T12:00:00Z"


@pytest.mark.parametrize(("args", "message"), [
    (["--at", "yesterday"], "expected an ISO-8601 date-time"),
    (["--memory-mb", "4"], "4 is not in the range x>=16"),
])
def test_bad_options_are_usage_errors(export, tmp_path, args, message):
    result = CliRunner().invoke(bulk, [str(export), "--out", str(tmp_path), "--workers", "1", *args])
    assert result.exit_code == 2 and message in result.output


def test_not_an_export_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    result = CliRunner().invoke(bulk, [str(tmp_path), "--out", str(tmp_path / "out"), "--workers", "1"])
    assert result.exit_code == 2
    assert "cartguard: error:" in result.stderr and "no .ndjson or .ndjson.gz files" in result.stderr


def test_the_command_module_imports_only_click():
    code = ("import sys, cartguard.bulk.command; "
            "heavy = [m for m in ('orjson', 'pydantic', 'cartguard.bulk.run', 'distributed', 'pyarrow') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
