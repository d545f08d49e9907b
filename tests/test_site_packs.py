"""Site packs (docs/site-packs.md): what they may change, what they may not, and proof of both."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cartguard.api import evaluate_loaded
from cartguard.engine.evaluate import Evaluator
from cartguard.engine.packset import PackSet
from cartguard.errors import PackError
from cartguard.plugins import build_packset, get_plugin_manager
from cartguard.rules import CORE_PACK_FILES
from cartguard.testing import PatientBuilder

ROOT = Path(__file__).resolve().parents[1]
SITE_DIR = ROOT / "examples" / "site-pack-example"
SITE_YAML = SITE_DIR / "cartguard_site_example" / "site_example.yaml"
AT = datetime(2026, 3, 16, 8, tzinfo=UTC)  # day +6 08:00
LOCAL = "http://lab.example-university-hospital.org/codes"


def _site_plugin():
    sys.path.insert(0, str(SITE_DIR))
    try:
        from cartguard_site_example import plugin
    finally:
        sys.path.remove(str(SITE_DIR))
    return plugin


def _packsets():
    core = build_packset(get_plugin_manager(load_entry_points=False, plugins=[_core_plugin()]))
    site = build_packset(get_plugin_manager(load_entry_points=False, plugins=[_core_plugin(), _site_plugin()]))
    return core, site


def _core_plugin():
    from cartguard.rules import core_plugin

    return core_plugin


def _patient() -> PatientBuilder:
    """CRS grade 3 (norepinephrine), overt DIC through the LOCAL codes only, last panel 14 h old."""
    b = PatientBuilder("p1")
    b.observation("8310-5", 39.0, "Cel", day=6, hour=6)
    b.medication("norepinephrine", day=5, hour=20, until_day=6, until_hour=12)
    b.observation("PLT-A", 30, "10*9/L", day=5, hour=18, system=LOCAL)              # 2 points
    b.observation("DDIM-F", 3.0, "mg/L", day=5, hour=18, system=LOCAL)              # 3.0/0.55 > 4x: 3
    b.observation("5902-2", 17.0, "s", day=5, hour=18, ref_high=13.5)               # +3.5 s: 1
    b.observation("3255-7", 2.0, "g/L", day=5, hour=18)                             # 0
    return b


def _evaluate(ps: PackSet):
    return evaluate_loaded(_patient().load(), Evaluator(ps, "both"), at=AT)[0]


def test_the_site_pack_changes_results_in_the_documented_way():
    core, site = _packsets()
    before, after = _evaluate(core), _evaluate(site)
    # Local codes: unknown to the core packs (missing), scored by the site's bindings.
    assert before.assessments["dic.isth2001"].status == "indeterminate"
    assert after.assessments["dic.isth2001"].value == 6.0
    marker = after.assessments["dic.isth2001"].explanation
    notes = [i.note for f in marker for i in f.inputs if i.name == "marker_x_uln"]
    assert any("assay ULN declared by site.example" in (n or "") for n in notes), notes
    # The lowered guidance threshold: a 14-h-old panel is due at the site (12 h), not in core (24 h).
    core_recs = {r.id for r in before.recommendations}
    site_recs = {r.id: r for r in after.recommendations}
    assert "guidance.monitor.coag_panel_due" not in core_recs
    assert site_recs["guidance.monitor.coag_panel_due"].certainty == "definite"
    params = site_recs["guidance.monitor.coag_panel_due"].explanation.parameters
    source = next(p.source for p in params if p.name == "monitor.coag_due_after_hours")
    assert source.startswith("override by site.example@1.0.0 (SOP HAEM-CART-07")
    # The local rule.
    page = site_recs["site.example.page_coagulation_team"]
    assert page.certainty == "definite" and page.priority == "critical" and page.pack == "site.example"
    # Provenance.
    assert {p.name: p.value for p in after.overridden_parameters} == {
        "isth_overt.fibrin_marker_profile": "uln_2x_4x", "monitor.coag_due_after_hours": 12}
    assert before.overridden_parameters == []
    info = next(p for p in after.packs if p.id == "site.example")
    assert info.overrides == {"isth_overt.fibrin_marker_profile": "uln_2x_4x", "monitor.coag_due_after_hours": 12}
    assert len(info.sha256) == 64


def test_a_disabled_rule_is_gone_and_recorded(tmp_path: Path):
    text = SITE_YAML.read_text() + (
        "disable:\n"
        "  - {rule: guidance.crs.g3.dexamethasone, reason: 'local protocol uses its own steroid order set'}\n")
    path = tmp_path / "site.yaml"
    path.write_text(text)
    ps = PackSet.from_paths([*CORE_PACK_FILES, path])
    res = _evaluate(ps)
    assert "guidance.crs.g3.dexamethasone" not in {r.id for r in res.recommendations}
    assert "guidance.crs.g3.icu" in {r.id for r in res.recommendations}
    info = next(p for p in res.packs if p.id == "site.example")
    assert info.disabled == {"guidance.crs.g3.dexamethasone": "local protocol uses its own steroid order set"}


# -- the catalogue of broken packs: each fails at load, with its own message ---------------------
BROKEN = {  # case: (text, replacement, message, what the reported line holds)
    "bad schema": ("kind: site\n", "kind: sight\n", r"kind: Input should be", "kind: sight"),
    "unknown parameter": ("monitor.coag_due_after_hours:\n", "monitor.coag_due_after_hour:\n",
                          r"override of unknown parameter 'monitor.coag_due_after_hour'",
                          "monitor.coag_due_after_hour:"),
    "wrong type": ("    value: 12\n", "    value: twelve\n", r"expected a number", "monitor.coag_due_after_hours:"),
    "missing citation": ("    citation: local_sop\n", "    citation: local_soap\n",
                         r"citation 'local_soap' is not in the pack's citations",
                         "- id: site.example.page_coagulation_team"),
    "missing pack": ("requires: [terminology.core,", "requires: [terminology.core, dic.jsth2099,",
                     r"requires 'dic.jsth2099', which is not installed", "requires:"),
    "unknown input": ("when: [{crs_grade: {gte: 2}}", "when: [{crs_grde: {gte: 2}}", r"unknown input 'crs_grde'",
                      "- id: site.example.page_coagulation_team"),
    "unit mistake": ("    platelets:\n      codes:", "    platelets:\n      unit: 'K/uL'\n      codes:",
                     r"unit 'K/uL' (is not UCUM|conflicts)", "bindings:"),
    "bad assay ULN": ("assay_uln: 0.55", "assay_uln: -1", r"assay_uln must be a positive number", "bindings:"),
    "unknown disabled rule": ("\ninputs:", "\ndisable:\n  - {rule: guidance.crs.g9, reason: x}\ninputs:",
                              r"disable names unknown rule 'guidance.crs.g9'", "- {rule: guidance.crs.g9"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_site_packs_fail_at_load_with_their_own_message(tmp_path: Path, case: str):
    old, new, message, line_has = BROKEN[case]
    text = SITE_YAML.read_text()
    assert old in text, case
    path = tmp_path / "site.yaml"
    broken = text.replace(old, new, 1)
    path.write_text(broken)
    with pytest.raises(PackError, match=message) as info:
        PackSet.from_paths([*CORE_PACK_FILES, path])
    # ... and names the file and the line of what is wrong, as 'cartguard packs validate' prints it.
    found = re.search(rf"{re.escape(str(path))}:(\d+)", str(info.value))
    assert found, str(info.value)
    assert line_has in broken.splitlines()[int(found.group(1)) - 1], (case, str(info.value))


def test_conflicting_overrides_from_two_packs_are_refused(tmp_path: Path):
    other = tmp_path / "other.yaml"
    other.write_text(
        "id: site.other\nversion: '1'\ntitle: Other\nkind: site\ncitations: {c: {text: c, evidence: C}}\n"
        "overrides:\n  monitor.coag_due_after_hours: {value: 6, reason: other SOP}\n")
    with pytest.raises(PackError, match=r"overridden by both .*site\.(example|other).*site\.(example|other)"):
        PackSet.from_paths([*CORE_PACK_FILES, SITE_YAML, other])


def test_a_rule_reading_a_fact_nobody_binds_is_refused(tmp_path: Path):
    path = tmp_path / "site.yaml"
    path.write_text(SITE_YAML.read_text().replace(
        "  isth_total: {reduce: assessment",
        "  lactate: {reduce: latest, analytes: [lactate], window_hours: 24}\n  isth_total: {reduce: assessment"))
    with pytest.raises(PackError, match=r"analyte 'lactate' has no code binding"):
        PackSet.from_paths([*CORE_PACK_FILES, path])


# -- the real thing: pip install changes results, pip uninstall restores them --------------------
def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cartguard.cli", *args], capture_output=True, text=True,
                          timeout=120)


def _pip(*args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_installing_the_example_changes_results_and_uninstalling_restores_them(tmp_path: Path):
    bundle = tmp_path / "patient.json"
    bundle.write_bytes(_patient().bundle_bytes())
    args = ("evaluate", str(bundle), "--at", AT.isoformat(), "--format", "json")

    def state() -> tuple[list[str], float | None, set[str]]:
        packs = _cli("packs")
        assert packs.returncode == 0, packs.stderr
        out = _cli(*args)
        assert out.returncode == 0, out.stderr
        res = json.loads(out.stdout)
        return ([line.split()[0] for line in packs.stdout.splitlines() if line and not line.startswith(" ")],
                res["assessments"]["dic.isth2001"]["value"], {r["id"] for r in res["recommendations"]})

    before = state()
    assert "site.example" not in before[0]
    try:
        _pip("install", "--no-deps", "--no-build-isolation", "--no-index", str(SITE_DIR))
        installed = state()
        assert "site.example" in installed[0]
        assert installed[1] == 6.0 and before[1] is None
        assert "site.example.page_coagulation_team" in installed[2]
        assert "site.example.page_coagulation_team" not in before[2]
        run = _cli("packs", "test", "site.example")
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    finally:
        _pip("uninstall", "-y", "cartguard-site-example")
    assert state() == before
