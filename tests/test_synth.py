"""Tests for the synthetic cohort generator (cartguard.synth)."""

from __future__ import annotations

import ast
import inspect
from datetime import datetime
from typing import Any

import orjson
import pytest

from cartguard import synth
from cartguard.fhir_version import model_class
from cartguard.synth import SynthParams, generate, generate_with_truth

Cohort = list[tuple[dict[str, Any], float | None, float | None]]
HTEST_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActReason"


def _at(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def test_deterministic_for_a_seed() -> None:
    a = orjson.dumps(list(generate(4, seed=7)))
    assert a == orjson.dumps(list(generate(4, seed=7)))
    assert a != orjson.dumps(list(generate(4, seed=8)))


def test_every_resource_validates_and_is_labelled_synthetic() -> None:
    for bundle in generate(4, seed=3):
        assert bundle["type"] == "collection"
        assert any(t["system"] == HTEST_SYSTEM and t["code"] == "HTEST" for t in bundle["meta"]["tag"])
        model_class("Bundle").model_validate(bundle)
        types = set()
        for entry in bundle["entry"]:
            res = entry["resource"]
            types.add(res["resourceType"])
            model_class(res["resourceType"]).model_validate(res)
            assert any(t["system"] == HTEST_SYSTEM and t["code"] == "HTEST" for t in res["meta"]["tag"]), res["id"]
            if res["resourceType"] == "Patient":
                assert res["name"][0]["text"].startswith("SYNTHETIC")
        assert {"Patient", "Condition", "Procedure", "MedicationAdministration", "Observation"} <= types


def test_protocol_timeline() -> None:
    bundle, truth = next(generate_with_truth(1, seed=5))
    day0 = _at(truth["day0"] + "T00:00:00Z")
    res = [e["resource"] for e in bundle["entry"]]
    days: dict[str, set[int]] = {}
    for r in res:
        if r["resourceType"] == "MedicationAdministration":
            code = r["medicationCodeableConcept"]["coding"][0]["code"]
            t = r.get("effectiveDateTime") or r["effectivePeriod"]["start"]
            days.setdefault(code, set()).add((_at(t) - day0).days)
    assert days["anti-cd19-car-t"] == {0, 1, 2}
    assert days["24698"] == days["3002"] == {-7, -6, -5}
    leuk = next(r for r in res if r["resourceType"] == "Procedure")
    assert (_at(leuk["performedDateTime"]) - day0).days == -11
    assert "crs_severity" not in orjson.dumps(bundle).decode()  # the latent truth is never in the Bundle


def test_no_engine_imports() -> None:
    tree = ast.parse(inspect.getsource(synth))
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported.append(node.module or "")
    forbidden = ("cartguard.engine", "cartguard.rules", "cartguard.fhir_adapters", "engine", "rules", "fhir_adapters")
    assert not [m for m in imported if m.startswith(forbidden) or m.startswith("cartguard")], imported


def test_params_change_rates() -> None:
    none = SynthParams(crs_severity_probs=[1, 0, 0, 0, 0])
    assert all(t["crs_severity"] == 0 for _, t in generate_with_truth(20, seed=1, params=none))


@pytest.fixture(scope="module")
def cohort_results() -> Cohort:
    from cartguard.api import evaluate_loaded
    from cartguard.engine.evaluate import Evaluator
    from cartguard.fhir_adapters.loading import load_bytes
    from cartguard.plugins import default_packset

    evaluator = Evaluator(default_packset(), "durable")
    out = []
    for bundle, truth in generate_with_truth(53, seed=2026):
        loaded = load_bytes(orjson.dumps(bundle))
        crs = evaluate_loaded(loaded, evaluator, at=_at(truth["peak_time"]))[0].assessments["crs.astct2019"].value
        isth = evaluate_loaded(loaded, evaluator, at=_at(truth["coag_time"]))[0].assessments["dic.isth2001"].value
        out.append((truth, crs, isth))
    return out


def test_engine_crs_matches_intended_course_statistically(cohort_results: Cohort) -> None:
    intended_severe = sum(t["crs_severity"] >= 3 for t, _, _ in cohort_results)
    engine_severe = sum((g or 0) >= 3 for _, g, _ in cohort_results)
    assert 19 - 10 <= intended_severe <= 19 + 10  # defaults follow 19/53
    assert abs(engine_severe - intended_severe) <= 6
    no_crs = [g for t, g, _ in cohort_results if t["crs_severity"] == 0]
    assert no_crs and sum(g is not None and g <= 1 for g in no_crs) >= 0.8 * len(no_crs)
    graded = [g for _, g, _ in cohort_results if g is not None]
    assert len(graded) >= 0.9 * len(cohort_results)


def test_engine_dic_matches_intended_course_statistically(cohort_results: Cohort) -> None:
    intended = sum(bool(t["dic"]) for t, _, _ in cohort_results)
    engine = sum((s or 0) >= 5 for _, _, s in cohort_results)
    assert 5 <= intended <= 25
    assert abs(engine - intended) <= 6
    # overt DIC scores concentrate on patients intended with DIC
    hits = sum((s or 0) >= 5 for t, _, s in cohort_results if t["dic"])
    assert hits >= 0.7 * intended
