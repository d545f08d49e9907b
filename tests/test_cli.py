"""cartguard/cli.py, run as a user runs it: ``python -m cartguard.cli`` in a subprocess.

All invocations are started together (module fixture) so the suite pays for interpreter
start-up about once per core rather than once per command.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest
from _cg import EXAMPLE

from cartguard.plugins import default_packset
from cartguard.testing import PatientBuilder

AT = "2026-03-17T08:00:00Z"
CLI = [sys.executable, "-m", "cartguard.cli"]


def _malformed_bundle() -> dict:
    b = PatientBuilder("p1")
    b.observation("8310-5", 39, "Cel", day=6, hour=8)
    cond = b.condition("C91.00")
    cond["code"]["coding"][0]["code"] = 91  # a number where FHIR wants a string
    return b.bundle()


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, subprocess.CompletedProcess[str]]:
    tmp = tmp_path_factory.mktemp("cli")
    (tmp / "not-json.json").write_text("this is not JSON\n")
    (tmp / "not-fhir.json").write_text(json.dumps({"name": "a JSON file", "values": [1, 2, 3]}))
    (tmp / "orphans.json").write_text(json.dumps({"resourceType": "Observation", "id": "x", "status": "final",
                                                   "code": {"text": "t"}}))
    (tmp / "malformed.json").write_bytes(orjson.dumps(_malformed_bundle()))
    ex = str(EXAMPLE)
    commands = {
        "text": ["evaluate", ex, "--at", AT],
        "json": ["evaluate", ex, "--at", AT, "--format", "json"],
        "all": ["evaluate", ex, "--at", AT, "--format", "json", "--scales", "all"],
        "dic-only": ["evaluate", ex, "--at", AT, "--format", "json", "--scales", "dic.isth2001"],
        "fhir": ["evaluate", ex, "--at", AT, "--format", "fhir"],
        "timeline": ["timeline", ex, "--format", "json"],
        "timeline-text": ["timeline", ex, "--every-hours", "12"],
        "timeline-bad": ["timeline", ex, "--every-hours", "0"],
        "cards": ["evaluate", ex, "--at", AT, "--format", "cards"],
        "day3": ["evaluate", ex, "--at", "2026-03-13T16:00:00Z", "--format", "json"],
        "packs": ["packs"],
        "help": ["--help"],
        "version": ["--version"],
        "not-json": ["evaluate", str(tmp / "not-json.json")],
        "not-fhir": ["evaluate", str(tmp / "not-fhir.json")],
        "missing": ["evaluate", str(tmp / "does-not-exist.json")],
        "no-patient": ["evaluate", str(tmp / "orphans.json")],
        "bad-at": ["evaluate", ex, "--at", "next tuesday"],
        "bad-infusion-date": ["evaluate", ex, "--at", AT, "--infusion-date", "2026-13-45"],
        "bad-scale": ["evaluate", ex, "--at", AT, "--scales", "crs.lee2041"],
        "malformed": ["evaluate", str(tmp / "malformed.json"), "--at", "2026-03-16T12:00:00Z"],
    }

    def run(args: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120)

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(run, args) for name, args in commands.items()}
        return {name: f.result() for name, f in futures.items()}


def _ok(p: subprocess.CompletedProcess[str]) -> str:
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    return p.stdout


def test_module_entry_point_runs(runs):
    assert "evaluate" in _ok(runs["help"]) and "packs" in runs["help"].stdout
    assert "0.1.0" in _ok(runs["version"])


def test_text_output_shows_crs_grade_3_and_isth_7(runs):
    out = _ok(runs["text"])
    assert re.search(r"^crs\.astct2019\s+3\s+graded", out, re.M), out[:800]
    assert re.search(r"^dic\.isth2001\s+7\s+graded\s+compatible with overt DIC", out, re.M), out[:800]
    assert "Patient/cart-example-001" in out and "(day +7)" in out
    assert "not a prescription" in out


def test_json_output_contract(runs):
    doc = json.loads(_ok(runs["json"]))
    assert {"patient", "at", "infusion_day", "assessments", "recommendations", "packs", "warnings"} <= set(doc)
    assert doc["patient"] == "Patient/cart-example-001"
    assert doc["at"].startswith("2026-03-17T08:00:00")
    assert doc["infusion_day"] == 7
    crs = doc["assessments"]["crs.astct2019"]
    assert {"value", "status", "missing", "explanation"} <= set(crs)
    assert (crs["value"], crs["status"], crs["missing"]) == (3, "graded", [])
    assert {f["rule_id"] for f in crs["explanation"]} >= {"crs.astct2019.hypotension.one_vasopressor",
                                                         "crs.astct2019.hypoxia.high_flow"}
    dic = doc["assessments"]["dic.isth2001"]
    assert {"value", "status", "components", "interpretation"} <= set(dic)
    assert (dic["value"], dic["status"]) == (7, "graded")
    assert {k: c["value"] for k, c in dic["components"].items()} == {
        "underlying_disorder": 1, "platelets": 2, "fibrin_marker": 3, "pt": 1, "fibrinogen": 1}
    assert dic["interpretation"]["id"] == "dic.isth2001.overt"
    assert isinstance(doc["recommendations"], list) and doc["recommendations"]
    assert [p["id"] for p in doc["packs"]] == [lp.pack.id for lp in default_packset().loaded]
    assert all(len(p["sha256"]) == 64 for p in doc["packs"])
    sources = {w.get("source") for w in doc["warnings"]}
    assert {"Observation/cart-ex1-temp-cancelled-p04-1000", "Observation/cart-ex1-plt-error-p08-1400",
            "Observation/cart-ex1-fib-absent-p09-1400"} <= sources


def test_json_earlier_time_point(runs):
    doc = json.loads(_ok(runs["day3"]))
    assert doc["infusion_day"] == 3
    assert doc["assessments"]["crs.astct2019"]["value"] == 2  # SBP 82-88 without pressor, NC 3 L/min


def test_scales_all_and_one(runs):
    everything = json.loads(_ok(runs["all"]))
    ps = default_packset()
    installed = [lp.pack.id for lp in ps.loaded if lp.pack.kind == "assessment"]
    assert set(everything["assessments"]) == set(installed)
    defaults = ps.default_scales()
    assert {"crs.astct2019", "dic.isth2001"} <= set(defaults)
    assert list(everything["assessments"])[:len(defaults)] == defaults  # the default scales lead
    # every scale, new or core, has exactly the same contract
    new_ids = {"icans.astct2019", "crs.lee2014", "crs.ctcae5", "dic.isth2001.nonovert", "dic.jaam", "dic.jmhw",
               "dic.jsth2017", "dic.sic", "dic.cdss2017"}
    assert new_ids <= set(everything["assessments"])
    core_keys = set(everything["assessments"]["dic.isth2001"])
    assert core_keys == {"id", "title", "scale", "version", "value", "range", "status", "interpretation", "missing",
                         "components", "explanation", "assumptions", "citations"}
    for aid, a in everything["assessments"].items():
        assert set(a) == core_keys and a["id"] == aid and a["scale"], aid
        assert a["status"] in ("graded", "indeterminate", "not_applicable"), aid
        assert a["status"] != "graded" or a["interpretation"] is not None or a["value"] is not None, aid
    only = json.loads(_ok(runs["dic-only"]))
    assert set(only["assessments"]) == {"dic.isth2001"}
    assert only["assessments"]["dic.isth2001"]["value"] == 7


def test_packs_lists_every_installed_pack_and_marks_the_default_scales(runs):
    lines = [line for line in _ok(runs["packs"]).splitlines() if line.strip()]
    assert [line.split()[0] for line in lines] == [lp.pack.id for lp in default_packset().loaded]
    assert sorted(line.split()[0] for line in lines if " default " in line) == sorted(
        default_packset().default_scales())
    assert all(re.search(r"\b[0-9a-f]{12}\b", line) for line in lines)


@pytest.mark.parametrize(("name", "needle"), [
    ("not-json", "not valid JSON"),
    ("not-fhir", "resourceType"),
    ("missing", "no such file"),
    ("no-patient", "no patient"),
    ("bad-at", "next tuesday"),
    ("bad-infusion-date", "2026-13-45"),
    ("bad-scale", "crs.lee2041"),
])
def test_bad_input_is_one_line_on_stderr_and_a_nonzero_exit(runs, name, needle):
    p = runs[name]
    assert p.returncode != 0
    assert "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, f"{name}: expected one line on stderr, got:\n{p.stderr}"
    assert needle in lines[0]
    assert p.stdout == ""


def test_a_malformed_resource_never_gives_a_traceback(runs):
    p = runs["malformed"]
    assert "Traceback" not in p.stderr, p.stderr[-1500:]
    if p.returncode != 0:
        assert len(p.stderr.strip().splitlines()) == 1, p.stderr


def test_fhir_format_is_one_bundle_of_validated_resources_about_the_patient(runs):
    from cartguard.fhir_version import model_class

    bundle = json.loads(_ok(runs["fhir"]))
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    model_class("Bundle").model_validate(bundle)
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"RiskAssessment", "DetectedIssue", "GuidanceResponse", "RequestGroup"} <= kinds
    risks = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "RiskAssessment"]
    assert all(r["subject"]["reference"] == "Patient/cart-example-001" for r in risks)
    assert any(b["reference"].startswith("Observation/cart-ex1-") for r in risks for b in r.get("basis", []))


def test_cards_format_is_a_cds_hooks_response_with_the_grades(runs):
    doc = json.loads(_ok(runs["cards"]))
    summaries = {c["summary"]: c["indicator"] for c in doc["cards"]}
    assert summaries["CRS grade 3 (ASTCT 2019)"] == "critical"
    assert summaries["ISTH overt DIC score 7: compatible with overt DIC"] == "critical"
    assert all(len(c["summary"]) < 140 and c["source"]["label"] for c in doc["cards"])


def test_timeline_follows_the_example_course_without_look_ahead(runs):
    doc = json.loads(_ok(runs["timeline"]))
    text = json.dumps(doc)
    assert "crs.astct2019" in text and "dic.isth2001" in text
    out = _ok(runs["timeline-text"])
    assert "no look-ahead" in out and "onset:" in out and "peak:" in out
    bad = runs["timeline-bad"]
    assert bad.returncode == 2 and "every-hours" in bad.stderr and "Traceback" not in bad.stderr


def test_synth_writes_a_cohort_that_evaluate_reads_back(tmp_path):
    folder, ndjson = tmp_path / "cohort", tmp_path / "cohort.ndjson"
    for out in (folder, ndjson):
        p = subprocess.run([*CLI, "synth", "--patients", "3", "--seed", "7", "--out", str(out)],
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0 and "SYNTHETIC" in p.stderr, p.stderr
    assert len(list(folder.glob("*.json"))) == 3
    for out in (folder, ndjson):
        p = subprocess.run([*CLI, "evaluate", str(out), "--format", "json"], capture_output=True, text=True,
                           timeout=120)
        assert p.returncode == 0, p.stderr
        doc = json.loads(p.stdout)
        assert len(doc) == 3 and all("crs.astct2019" in r["assessments"] for r in doc)
