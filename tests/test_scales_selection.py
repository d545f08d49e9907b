"""Which scales are evaluated and reported, and how several scales of one syndrome are lined up.

Uses two small packs of its own ("crs.alpha" grading fever only, "dic.beta" with a verdict) beside
the core packs, so these tests do not depend on any particular optional scale being installed.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from _cg import at_day

from cartguard import render, side_by_side
from cartguard.api import evaluate_loaded
from cartguard.engine.evaluate import Evaluator
from cartguard.engine.packset import PackSet
from cartguard.errors import PackError
from cartguard.rules import PACK_DIR
from cartguard.testing import PatientBuilder

CORE = [PACK_DIR / "terminology" / "core.yaml", PACK_DIR / "crs" / "astct2019.yaml",
        PACK_DIR / "dic" / "isth2001.yaml", PACK_DIR / "guidance" / "core.yaml"]

ALPHA: dict[str, Any] = {
    "id": "crs.alpha", "version": "0.1.0", "title": "Alpha CRS", "kind": "assessment", "scale": "alpha",
    "default_enabled": False, "requires": ["terminology.core"],
    "citations": {"src": {"text": "A test source."}},
    "parameters": {"alpha.fever_gte": {"default": 38.0, "doc": "fever", "citation": "src"}},
    "inputs": {"temp": {"reduce": "max", "analytes": ["body_temperature"], "window_hours": 24,
                        "label": "highest temperature", "unit": "Cel"}},
    "components": {"fever": {"title": "Fever", "rules": [
        {"id": "crs.alpha.fever.0", "when": [{"temp": {"lt": "$alpha.fever_gte"}}], "value": 0, "citation": "src",
         "text": "no fever"},
        {"id": "crs.alpha.fever.2", "when": [{"temp": {"gte": "$alpha.fever_gte"}}], "value": 2, "citation": "src",
         "text": "fever scores 2 on alpha"},
    ]}},
    "value": {"sum": ["fever"]},
}
BETA: dict[str, Any] = {
    "id": "dic.beta", "version": "0.1.0", "title": "Beta DIC", "kind": "assessment", "scale": "beta",
    "default_enabled": False, "requires": ["terminology.core"],
    "citations": {"src": {"text": "A test source."}},
    "parameters": {"beta.plt_lt": {"default": 20, "doc": "platelets", "citation": "src"}},
    "inputs": {"platelets": {"reduce": "latest", "analytes": ["platelets"], "window_hours": 36,
                             "label": "platelets", "unit": "10*9/L"}},
    "components": {"plt": {"title": "Platelets", "rules": [
        {"id": "dic.beta.plt.0", "when": [{"platelets": {"gte": "$beta.plt_lt"}}], "value": 0, "citation": "src"},
        {"id": "dic.beta.plt.1", "when": [{"platelets": {"lt": "$beta.plt_lt"}}], "value": 1, "citation": "src"},
    ]}},
    "value": {"sum": ["plt"]},
    "interpretation": [
        {"id": "dic.beta.yes", "when": [{"value": {"gte": 1}}], "label": "DIC by beta", "citation": "src",
         "verdict": "positive"},
        {"id": "dic.beta.no", "when": [{"value": {"lt": 1}}], "label": "no DIC by beta", "citation": "src",
         "verdict": "negative"},
    ],
}


def _write(tmp_path: Path, pack: dict[str, Any]) -> Path:
    path = tmp_path / f"{pack['id']}.yaml"
    path.write_text(yaml.safe_dump(pack, sort_keys=False))
    return path


def _packset(tmp_path: Path, *extra: dict[str, Any]) -> PackSet:
    return PackSet.from_paths([*CORE, *(_write(tmp_path, p) for p in extra)])


def _patient() -> PatientBuilder:
    b = PatientBuilder("p1")
    b.observation("8310-5", 38.6, "Cel", day=6, hour=6)     # fever: ASTCT 1, alpha 2
    b.blood_pressure(120, day=6, hour=6)
    b.observation("777-3", 15, "10*9/L", day=6, hour=6)     # ISTH 2 (not overt), beta positive
    b.observation("48065-7", 0.4, "mg/L", day=6, hour=6, ref_high=0.5)
    b.observation("5902-2", 12, "s", day=6, hour=6, ref_high=13)
    b.observation("3255-7", 3.0, "g/L", day=6, hour=6)
    return b


def _evaluate(ps: PackSet, scales: Any = None):
    return evaluate_loaded(_patient().load(), Evaluator(ps, "both"), at=at_day(6, 8), scales=scales)[0]


def test_optional_scales_are_neither_reported_nor_evaluated_by_default(tmp_path, monkeypatch):
    ps = _packset(tmp_path, ALPHA, BETA)
    evaluated: list[str] = []
    original = Evaluator.assess

    def spy(self, cp, ctx):
        evaluated.append(cp.pack.id)
        return original(self, cp, ctx)

    monkeypatch.setattr(Evaluator, "assess", spy)
    r = _evaluate(ps)
    assert list(r.assessments) == ["crs.astct2019", "dic.isth2001"]
    assert sorted(evaluated) == ["crs.astct2019", "dic.isth2001"]
    evaluated.clear()
    r = _evaluate(ps, "all")
    assert list(r.assessments) == ["crs.astct2019", "dic.isth2001", "crs.alpha", "dic.beta"]  # defaults lead
    assert sorted(evaluated) == sorted(r.assessments)


def test_unverified_notices_only_for_scales_evaluated(tmp_path):
    alpha = copy.deepcopy(ALPHA)
    alpha["parameters"]["alpha.fever_gte"]["evidence"] = "U"
    ps = _packset(tmp_path, alpha)
    notice = [w for w in _evaluate(ps).warnings if "alpha.fever_gte" in w.message]
    assert notice == []
    notice = [w for w in _evaluate(ps, "all").warnings if "alpha.fever_gte" in w.message]
    assert len(notice) == 1 and notice[0].code == "unverified-parameter"


def test_a_site_chooses_the_default_scales(tmp_path):
    site = {"id": "site.scales", "version": "1.0.0", "title": "Site scale choice", "kind": "site",
            "requires": ["crs.alpha"], "default_scales": ["crs.alpha", "dic.isth2001"]}
    ps = _packset(tmp_path, ALPHA, BETA, site)
    assert list(_evaluate(ps).assessments) == ["crs.alpha", "dic.isth2001"]  # in the site's order
    assert set(_evaluate(ps, "all").assessments) == {"crs.astct2019", "dic.isth2001", "crs.alpha", "dic.beta"}


def test_default_scales_naming_an_unknown_scale_fails_at_load_with_file_and_line(tmp_path):
    site = {"id": "site.scales", "version": "1.0.0", "title": "Site scale choice", "kind": "site",
            "requires": ["terminology.core"], "default_scales": ["crs.astct2019", "crs.lee2041"]}
    with pytest.raises(PackError, match=r"site\.scales\.yaml:\d+: default_scales names unknown scale\(s\) "
                                        r"\['crs\.lee2041'\]"):
        _packset(tmp_path, site)


def test_default_scales_set_twice_is_refused(tmp_path):
    a = {"id": "site.one", "version": "1.0.0", "title": "One", "kind": "site", "requires": ["terminology.core"],
         "default_scales": ["crs.astct2019"]}
    b = {**a, "id": "site.two", "title": "Two"}
    with pytest.raises(PackError, match="only one pack may choose the default scales"):
        _packset(tmp_path, a, b)


def test_side_by_side_names_what_drives_each_scale_where_they_disagree(tmp_path):
    ps = _packset(tmp_path, ALPHA, BETA)
    r = _evaluate(ps, "all")
    assert (r.assessments["crs.astct2019"].value, r.assessments["crs.alpha"].value) == (1, 2)
    assert r.assessments["dic.isth2001"].interpretation.verdict == "negative"
    assert r.assessments["dic.beta"].interpretation.verdict == "positive"
    found = {(d.syndrome, d.first, d.second, d.what) for d in side_by_side.disagreements(r)}
    assert found == {("crs", "crs.astct2019", "crs.alpha", "value"), ("dic", "dic.isth2001", "dic.beta", "verdict")}
    crs = next(d for d in side_by_side.disagreements(r) if d.syndrome == "crs")
    assert [f.rule_id for f in crs.drivers["crs.alpha"]] == ["crs.alpha.fever.2"]
    assert "crs.astct2019.fever.present" in [f.rule_id for f in crs.drivers["crs.astct2019"]]
    text = render.to_text([r])
    block = text.split("Scales side by side", 1)[1].split("Guidance", 1)[0]
    assert "crs.astct2019 = 1, crs.alpha = 2" in block
    assert "dic.isth2001 says negative, dic.beta says positive" in block
    assert "crs.alpha: crs.alpha.fever.2: fever scores 2 on alpha (highest temperature 38.6 Cel)" in block
    assert "dic.beta: dic.beta.plt.1" in block and "platelets 15 10*9/L" in block


def test_no_side_by_side_block_with_one_scale_per_syndrome(tmp_path):
    r = _evaluate(_packset(tmp_path, ALPHA, BETA))
    assert side_by_side.to_text(r) == [] and "Scales side by side" not in render.to_text([r])


def test_agreeing_scales_are_lined_up_without_a_disagreement(tmp_path):
    alpha = copy.deepcopy(ALPHA)
    alpha["components"]["fever"]["rules"][1]["value"] = 1
    r = _evaluate(_packset(tmp_path, alpha), "all")
    assert [d for d in side_by_side.disagreements(r) if d.syndrome == "crs"] == []
    block = render.to_text([r]).split("Scales side by side", 1)[1]
    assert "crs.alpha" in block and "Where they disagree" not in block.split("Guidance", 1)[0]
