"""engine/evaluate.py: validation of exactly the resources the inputs rest on, and re-evaluation."""

from __future__ import annotations

from datetime import UTC, datetime

from cartguard.api import evaluate_loaded
from cartguard.testing import PatientBuilder

AT = datetime(2026, 3, 16, 8, tzinfo=UTC)  # day +6 08:00


def _isth(res):
    return res.assessments["dic.isth2001"]


def test_an_invalid_latest_value_is_dropped_and_the_previous_valid_one_used(evaluator):
    b = PatientBuilder("p1")
    b.observation("777-3", 80, "10*9/L", day=5, hour=20)            # valid, 12 h earlier: 1 point
    bad = b.observation("777-3", 30, "10*9/L", day=6, hour=6)       # latest: would score 2 points
    bad["issued"] = "not-a-date"                                     # ... but is invalid FHIR
    res = evaluate_loaded(b.load(), evaluator, at=AT)[0]
    platelets = _isth(res).components["platelets"]
    assert platelets.value == 1.0, platelets
    msgs = [w for w in res.warnings if w.code == "invalid"]
    assert [w.source for w in msgs] == [f"Observation/{bad['id']}"]


def test_an_invalid_resource_that_no_input_rests_on_is_not_validated_now(evaluator):
    b = PatientBuilder("p1")
    old = b.observation("777-3", 30, "10*9/L", day=1, hour=6)       # outside every window at day +6
    old["issued"] = "not-a-date"
    b.observation("777-3", 150, "10*9/L", day=6, hour=6)
    res = evaluate_loaded(b.load(), evaluator, at=AT)[0]
    assert _isth(res).components["platelets"].value == 0.0
    assert not [w for w in res.warnings if w.code == "invalid"]
    # ... and is validated (and named) as soon as an evaluation uses it.
    res_then = evaluate_loaded(b.load(), evaluator, at=datetime(2026, 3, 11, 8, tzinfo=UTC))[0]
    assert [w.source for w in res_then.warnings if w.code == "invalid"] == [f"Observation/{old['id']}"]


def test_without_guidance_only_the_selected_scales_are_graded_and_their_grades_do_not_change(evaluator, monkeypatch):
    from cartguard.engine.evaluate import Evaluator
    from cartguard.fhir_adapters.mapper import map_patient

    b = PatientBuilder("p1")
    b.observation("8310-5", 39.0, "Cel", day=6, hour=6)
    b.observation("777-3", 42, "10*9/L", day=6, hour=6)
    pf = map_patient(b.load().patients["Patient/p1"], evaluator.packset.bindings)
    graded: list[str] = []
    original = Evaluator.assess
    monkeypatch.setattr(Evaluator, "assess", lambda self, cp, ctx: graded.append(cp.pack.id) or original(self, cp, ctx))
    full = evaluator.evaluate(pf, at=AT, scales=["crs.astct2019"])
    assert "icans.astct2019" in graded and full.recommendations  # the guidance reads ICANS
    graded.clear()
    bare = evaluator.evaluate(pf, at=AT, scales=["crs.astct2019"], guidance=False)
    assert graded == ["crs.astct2019"] and bare.recommendations == []
    assert bare.assessments == full.assessments
