"""``cartguard cohort`` (cartguard.cohort.command), invoked directly with click's CliRunner.

On a generated 53-patient cohort it prints the seed-study table and the correlation and writes CSV,
JSON and PNG; its rows are compared with the generator's intended course (tolerances as in
tests/test_synth.py). Smaller inputs cover workers, NDJSON, errors and options.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner, Result

from cartguard.cohort.command import cohort
from cartguard.cohort.export import COLUMNS
from cartguard.synth import generate, generate_with_truth
from cartguard.testing import PatientBuilder

SEED = 2026


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cohort, [*args], catch_exceptions=False)


def write_folder(folder: Path, bundles: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for b in bundles:
        (folder / f"{b['entry'][0]['resource']['id']}.json").write_bytes(orjson.dumps(b))
    return folder


@pytest.fixture(scope="module")
def seed_cohort(tmp_path_factory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("cohort53")
    pairs = list(generate_with_truth(53, seed=SEED))
    folder = write_folder(tmp / "bundles", [b for b, _ in pairs])
    out = {k: tmp / f"out.{k}" for k in ("csv", "json", "png")}
    result = invoke(str(folder), "--csv", str(out["csv"]), "--json", str(out["json"]), "--figure", str(out["png"]),
                    "--no-progress")
    return {"result": result, "out": out, "truth": {f"Patient/{t['patient_id']}": t for _, t in pairs}}


def test_prints_the_seed_study_table_and_the_correlation(seed_cohort):
    result = seed_cohort["result"]
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Patients: 53 (53 evaluated, 0 could not be evaluated)" in text
    for line in ("Maximum CRS grade (crs.astct2019)", "CRS grade 3-4", "Coagulopathy", "DIC (dic.isth2001",
                 "DIC among coagulopathic", "Recovered from DIC", "Max CRS grade vs max DIC score",
                 "Jiang 2019 (published)", "19/53 (35.8%)", "30/53 (56.6%)"):
        assert line in text
    assert "Spearman rho = " in text and "(n = " in text
    assert "Decision support for clinicians, not a prescription." in text


def test_writes_csv_json_and_png(seed_cohort):
    out = seed_cohort["out"]
    with out["csv"].open(newline="") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 53 and list(table[0]) == COLUMNS
    assert [r["patient"] for r in table] == sorted(seed_cohort["truth"])
    assert {r["status"] for r in table} == {"ok"}
    doc = orjson.loads(out["json"].read_bytes())
    assert len(doc["rows"]) == 53 and doc["summary"]["patients"] == 53
    assert doc["summary"]["params"]["crs_scale"] == "crs.astct2019"
    assert doc["summary"]["correlation"]["rho"] is not None and doc["disclaimer"]
    assert out["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_rows_agree_with_the_intended_course(seed_cohort):
    rows = orjson.loads(seed_cohort["out"]["json"].read_bytes())["rows"]
    truth = seed_cohort["truth"]
    intended_severe = sum(t["crs_severity"] >= 3 for t in truth.values())
    engine_severe = sum(r["crs_grade_3_4"] == "yes" for r in rows)
    assert 19 - 10 <= intended_severe <= 19 + 10
    assert abs(engine_severe - intended_severe) <= 6
    assert sum(r["crs_grade_3_4"] == "unknown" for r in rows) <= 0.1 * len(rows)
    intended_dic = sum(bool(t["dic"]) for t in truth.values())
    engine_dic = sum(r["dic"] == "yes" for r in rows)
    assert 5 <= intended_dic <= 25
    assert abs(engine_dic - intended_dic) <= 6
    assert sum(r["dic"] == "yes" for r in rows if truth[r["patient"]]["dic"]) >= 0.7 * intended_dic
    intended_coag = sum(bool(t["coagulopathy"]) for t in truth.values())
    assert abs(sum(r["coagulopathy"] == "yes" for r in rows) - intended_coag) <= 6
    # the generator makes coagulopathy rise with CRS severity: the association must show
    summary = orjson.loads(seed_cohort["out"]["json"].read_bytes())["summary"]
    assert summary["correlation"]["rho"] > 0 and summary["correlation"]["p_value"] < 0.05


def test_workers_ndjson_and_serial_give_the_same_rows(tmp_path):
    bundles = list(generate(5, seed=11))
    folder = write_folder(tmp_path / "bundles", bundles)
    ndjson = tmp_path / "all.ndjson"
    ndjson.write_bytes(b"\n".join(orjson.dumps(e["resource"]) for b in bundles for e in b["entry"]))
    docs = []
    for args in ([str(folder)], [str(folder), "--workers", "2"], [str(ndjson)]):
        out = tmp_path / f"{len(docs)}.json"
        result = invoke(*args, "--json", str(out), "--no-progress")
        assert result.exit_code == 0, result.output
        docs.append(orjson.loads(out.read_bytes())["rows"])
    assert docs[0] == docs[1] == docs[2]
    assert [r["patient"] for r in docs[1]] == sorted(r["patient"] for r in docs[1])


def test_a_bad_patient_or_file_is_an_error_row_not_a_crash(tmp_path):
    folder = write_folder(tmp_path / "in", list(generate(2, seed=3)))
    no_day0 = PatientBuilder("no-infusion", record_infusion=False)
    no_day0.observation("8310-5", 37.0, "Cel", day=1, hour=12)
    (folder / "no-infusion.json").write_bytes(no_day0.bundle_bytes())
    (folder / "broken.json").write_text("{ not json")
    out = tmp_path / "rows.csv"
    result = invoke(str(folder), "--csv", str(out), "--no-progress")
    assert result.exit_code == 0, result.output
    assert "Patients: 4 (2 evaluated, 2 could not be evaluated)" in result.stdout
    with out.open(newline="") as fh:
        errors = {r["patient"]: r["error"] for r in csv.DictReader(fh) if r["status"] == "error"}
    assert "day 0" in errors["Patient/no-infusion"]
    assert "unreadable input file" in errors[str(folder / "broken.json")]


def test_progress_bar_when_forced(tmp_path):
    folder = write_folder(tmp_path / "in", list(generate(2, seed=5)))
    result = invoke(str(folder), "--progress")
    assert result.exit_code == 0 and "cohort: " in result.stderr and "2 patients" in result.stderr
    quiet = invoke(str(folder), "--no-progress")
    assert "patients/s" not in quiet.stderr


def test_cdss_is_selectable_with_its_site_setting(tmp_path):
    folder = write_folder(tmp_path / "in", list(generate(3, seed=9)))
    out = tmp_path / "cdss.json"
    result = invoke(str(folder), "--dic-scale", "dic.cdss2017", "--param", "cdss.ddimer_type=FEU",
                    "--param", "cdss.unrecorded_clinical_items_unknown=false", "--json", str(out), "--no-progress")
    assert result.exit_code == 0, result.output
    assert "DIC (dic.cdss2017: total >= 6" in result.stdout
    doc = orjson.loads(out.read_bytes())
    assert doc["parameter_overrides"] == {"cdss.ddimer_type": "FEU", "cdss.unrecorded_clinical_items_unknown": False}
    assert doc["summary"]["scales"]["dic"]["id"] == "dic.cdss2017"
    assert all(r["dic"] in ("yes", "no") for r in doc["rows"])  # configured: every course is decided


@pytest.mark.parametrize(("args", "message"), [
    (["--crs-scale", "dic.isth2001"], "--crs-scale: expected an installed CRS scale"),
    (["--dic-scale", "dic.nonexistent"], "--dic-scale: expected an installed DIC scale"),
    (["--param", "nonsense"], "expected NAME=VALUE"),
    (["--param", "no.such.parameter=1"], "unknown parameter 'no.such.parameter'"),
])
def test_bad_options_exit_2_with_a_message(tmp_path, args, message):
    folder = write_folder(tmp_path / "in", list(generate(1, seed=1)))
    result = invoke(str(folder), *args)
    assert result.exit_code == 2 and message in result.stderr


def test_missing_input_exits_2(tmp_path):
    result = invoke(str(tmp_path / "nothing"))
    assert result.exit_code == 2 and "no such file or folder" in result.stderr
