"""fhir_adapters/questionnaire.py: a QuestionnaireResponse of the ICE (or CAPD) items becomes one fact.

The items are the score; unanswered or unusable items are never scored 0 (the total becomes an
interval), and every problem is a warning naming the resource, never a crash.
"""

from __future__ import annotations

from typing import Any

import pytest
from _cg import at_day, real_warnings

from cartguard.api import evaluate_loaded
from cartguard.errors import PackError
from cartguard.fhir_adapters.bindings import Bindings
from cartguard.fhir_adapters.mapper import map_patient
from cartguard.testing import PatientBuilder
from cartguard.testing.fhir import CAPD_QUESTIONNAIRE, ICE_QUESTIONNAIRE, NEURO

FULL = {"orientation": 4, "naming": 3, "commands": 1, "writing": 1, "attention": 1}
SEVEN = {"orientation": 4, "naming": 2, "commands": 1, "writing": 0, "attention": 0}


def _map(b: PatientBuilder, bindings: Bindings, **kw: Any):
    lr = b.load()
    return map_patient(lr.patients[f"Patient/{b.patient_id}"], bindings, **kw)


def _ice(pf) -> list[Any]:
    return [f for f in pf.facts if f.concept == "ice_score"]


def _ref(res: dict[str, Any]) -> str:
    return f"{res['resourceType']}/{res['id']}"


def _warned(pf, res: dict[str, Any]) -> list[tuple[str, str]]:
    """(code, message) of every warning about ``res``; each must name it in its message too."""
    out = [(w.code, w.message) for w in pf.warnings if w.source == _ref(res)]
    assert all(_ref(res) in m for _, m in out), out
    return out


def _codes(pf, res: dict[str, Any]) -> list[str]:
    return [c for c, _ in _warned(pf, res)]


def _qr(answers: dict[str, Any], url: str = ICE_QUESTIONNAIRE, **kw: Any) -> tuple[PatientBuilder, dict[str, Any]]:
    b = PatientBuilder("p1")
    qr = b.questionnaire_response(url, answers, day=3, hour=6, **kw)
    return b, qr


# -- a complete response ---------------------------------------------------------------------------
def test_complete_response_is_the_sum_of_its_items(bindings):
    b, qr = _qr(SEVEN, total=7)
    pf = _map(b, bindings)
    [f] = _ice(pf)
    assert (f.value, f.lo, f.hi, f.unit, f.source) == (7.0, 7.0, 7.0, "1", _ref(qr))
    assert f.time.isoformat() == "2026-03-13T06:00:00+00:00"
    assert f.code == ICE_QUESTIONNAIRE
    assert _warned(pf, qr) == []


def test_canonical_with_a_version_is_the_same_questionnaire(bindings):
    b, qr = _qr(FULL, url=f"{ICE_QUESTIONNAIRE}|1.0.0")
    [f] = _ice(_map(b, bindings))
    assert f.value == 10.0


def test_nested_items_are_found(bindings):
    b, qr = _qr({})
    qr["item"] = [{"linkId": "orientation-group", "item": [{"linkId": "orientation", "answer": [{"valueInteger": 3}]}]},
                  {"linkId": "naming", "answer": [{"valueInteger": 3,
                                                   "item": [{"linkId": "commands", "answer": [{"valueInteger": 1}]}]}]},
                  {"linkId": "writing", "answer": [{"valueInteger": 1}]},
                  {"linkId": "attention", "answer": [{"valueInteger": 0}]}]
    [f] = _ice(_map(b, bindings))
    assert f.value == 8.0


def test_integral_decimal_answers_are_accepted(bindings):
    b, qr = _qr({**SEVEN, "orientation": 4.0})
    pf = _map(b, bindings)
    assert _ice(pf)[0].value == 7.0
    assert _warned(pf, qr) == []


def test_capd_questionnaire_scores_its_own_concept(bindings):
    items = {"eye-contact": 1, "purposeful-actions": 1, "aware-of-surroundings": 1, "communicates-needs": 1,
             "restless": 2, "inconsolable": 1, "underactive": 1, "slow-response": 1}
    b, qr = _qr(items, url=CAPD_QUESTIONNAIRE)
    pf = _map(b, bindings)
    [f] = [f for f in pf.facts if f.concept == "capd_score"]
    assert f.value == 9.0 and _ice(pf) == []


# -- not ours ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["http://example.org/Questionnaire/phq-9", None, ""])
def test_a_response_to_another_questionnaire_is_not_read(bindings, url):
    b, qr = _qr(FULL)
    if url is None:
        del qr["questionnaire"]
    else:
        qr["questionnaire"] = url
    pf = _map(b, bindings)
    assert _ice(pf) == [] and _warned(pf, qr) == []


def test_the_ice_url_with_items_of_another_form_is_unknown_not_zero(bindings):
    """A response claiming to be the ICE but holding none of its items: total unknown (0-10), warned."""
    b, qr = _qr({"q1": 2, "q2": 3})
    pf = _map(b, bindings)
    [f] = _ice(pf)
    assert (f.value, f.lo, f.hi) == (None, 0.0, 10.0)
    assert _codes(pf, qr) == ["questionnaire-incomplete"]
    assert "no scored item answered" in _warned(pf, qr)[0][1]


# -- bad answers: a warning naming the resource, the item counted as unanswered ---------------------------
@pytest.mark.parametrize(("answer", "what"), [
    ("three", "valueString 'three'"),
    (2.5, "valueDecimal 2.5"),
    (True, "valueBoolean True"),
    ({"valueCoding": {"code": "2"}}, "valueCoding"),
    ({}, "no value"),
])
def test_non_integer_answers_are_unanswered(bindings, answer, what):
    b, qr = _qr({**SEVEN, "naming": answer})
    pf = _map(b, bindings)
    [f] = _ice(pf)
    assert (f.value, f.lo, f.hi) == (None, 5.0, 8.0)  # 4 + 1 + 0 + 0, naming 0-3 open
    codes = _codes(pf, qr)
    assert codes == ["questionnaire-answer", "questionnaire-incomplete"]
    msg = _warned(pf, qr)[0][1]
    assert "'naming'" in msg and "not an integer" in msg and what in msg


@pytest.mark.parametrize("points", [4, 5, -1])
def test_points_outside_the_item_range_are_unanswered(bindings, points):
    b, qr = _qr({**FULL, "naming": points})
    pf = _map(b, bindings)
    [f] = _ice(pf)
    assert (f.lo, f.hi) == (7.0, 10.0)
    [(code, msg), _] = _warned(pf, qr)
    assert code == "questionnaire-answer" and f"{points} points" in msg and "0-3" in msg


def test_several_answers_to_one_item_are_unanswered(bindings):
    b, qr = _qr({**FULL, "commands": [1, 0]})
    pf = _map(b, bindings)
    assert (_ice(pf)[0].lo, _ice(pf)[0].hi) == (9.0, 10.0)
    assert "2 answers" in _warned(pf, qr)[0][1]


def test_an_item_answered_twice_is_unanswered(bindings):
    b, qr = _qr(FULL)
    qr["item"].append({"linkId": "attention", "answer": [{"valueInteger": 0}]})
    pf = _map(b, bindings)
    assert (_ice(pf)[0].lo, _ice(pf)[0].hi) == (9.0, 10.0)
    assert "appears 2 times" in _warned(pf, qr)[0][1]


# -- missing items: an interval, never 0 ------------------------------------------------------------------
def test_missing_items_give_an_interval(bindings):
    b, qr = _qr({"orientation": 3, "naming": 2, "commands": 1})
    pf = _map(b, bindings)
    [f] = _ice(pf)
    assert (f.value, f.lo, f.hi, f.original_value) == (None, 6.0, 8.0, "6-8")  # + writing 0-1 + attention 0-1
    [(code, msg)] = _warned(pf, qr)
    assert code == "questionnaire-incomplete" and "writing, attention" in msg and "6-8" in msg


def test_an_item_present_without_an_answer_is_missing(bindings):
    b, qr = _qr({**SEVEN, "orientation": None})
    [f] = _ice(_map(b, bindings))
    assert (f.lo, f.hi) == (3.0, 7.0)


def test_no_answer_at_all_is_the_whole_range(bindings):
    b, qr = _qr({})
    pf = _map(b, bindings)
    [f] = _ice(pf)
    assert (f.lo, f.hi) == (0.0, 10.0)
    assert _codes(pf, qr) == ["questionnaire-incomplete"]


# -- the stated total ---------------------------------------------------------------------------------------
def test_a_total_alone_is_accepted(bindings):
    b, qr = _qr({}, total=6)
    pf = _map(b, bindings)
    assert _ice(pf)[0].value == 6.0 and _warned(pf, qr) == []


def test_a_stated_total_that_disagrees_with_complete_items_is_warned_and_the_items_used(bindings):
    b, qr = _qr(SEVEN, total=9)
    pf = _map(b, bindings)
    assert _ice(pf)[0].value == 7.0
    [(code, msg)] = _warned(pf, qr)
    assert code == "questionnaire-total" and "stated total 9" in msg and "(7)" in msg


def test_a_stated_total_outside_the_interval_of_incomplete_items_is_warned(bindings):
    b, qr = _qr({"orientation": 4, "naming": 3, "commands": 1}, total=5)
    pf = _map(b, bindings)
    assert (_ice(pf)[0].lo, _ice(pf)[0].hi) == (8.0, 10.0)
    assert _codes(pf, qr) == ["questionnaire-incomplete", "questionnaire-total"]


def test_a_stated_total_inside_the_interval_does_not_close_it(bindings):
    """Blank items summed as 0 by a form would give exactly the lower bound: never trusted as the score."""
    b, qr = _qr({"orientation": 4, "naming": 3, "commands": 1}, total=8)
    pf = _map(b, bindings)
    assert (_ice(pf)[0].lo, _ice(pf)[0].hi) == (8.0, 10.0)
    assert _codes(pf, qr) == ["questionnaire-incomplete"]


@pytest.mark.parametrize("total", [11, -1, "seven", 6.5])
def test_an_unusable_total_alone_is_warned_and_the_total_unknown(bindings, total):
    b, qr = _qr({}, total=total)
    pf = _map(b, bindings)
    assert (_ice(pf)[0].lo, _ice(pf)[0].hi) == (0.0, 10.0)
    assert _codes(pf, qr)[0] == "questionnaire-answer"


# -- status and time ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", ["in-progress", "entered-in-error", "bogus"])
def test_statuses_that_do_not_count(bindings, status):
    b, qr = _qr(FULL, status=status)
    pf = _map(b, bindings)
    assert _ice(pf) == []
    [(code, msg)] = _warned(pf, qr)
    assert code == "status" and status in msg


def test_amended_counts(bindings):
    b, qr = _qr(FULL, status="amended")
    assert _ice(_map(b, bindings))[0].value == 10.0


def test_stopped_counts_with_its_answers_only(bindings):
    b, qr = _qr({"orientation": 4, "naming": 3}, status="stopped")
    pf = _map(b, bindings)
    assert (_ice(pf)[0].lo, _ice(pf)[0].hi) == (7.0, 10.0)
    assert _codes(pf, qr) == ["questionnaire-incomplete", "questionnaire-incomplete"]


def test_no_authored_time_is_not_used(bindings):
    b, qr = _qr(FULL, authored=False)
    pf = _map(b, bindings)
    assert _ice(pf) == [] and _codes(pf, qr) == ["no-time"]


# -- malformed: never a crash ---------------------------------------------------------------------------------
@pytest.mark.parametrize("items", [
    "orientation 4",
    [None, 3, "x"],
    [{"linkId": "orientation", "answer": "four"}],
    [{"linkId": "orientation", "answer": [None]}],
    [{"linkId": 7, "answer": [{"valueInteger": 4}]}],
    [{"linkId": "orientation", "answer": [{"valueInteger": 4}], "item": "nested"}],
])
def test_malformed_items_never_crash(bindings, items):
    b, qr = _qr({})
    qr["item"] = items
    pf = _map(b, bindings, validate_resources=False)
    facts = _ice(pf)
    assert len(facts) <= 1
    if facts:
        assert facts[0].lo is not None and facts[0].hi is not None and facts[0].lo <= facts[0].hi


def test_a_response_that_is_not_valid_fhir_is_warned_and_not_used(bindings):
    b, qr = _qr(FULL)
    qr["item"][0]["answer"] = [{"valueInteger": "four"}]
    pf = _map(b, bindings)
    assert _ice(pf) == [] and _codes(pf, qr) == ["invalid"]


# -- through the public path (lazy validation) -----------------------------------------------------------------
def test_evaluation_reads_an_incomplete_response_as_missing_ice(evaluator):
    b = PatientBuilder("p1")
    qr = b.questionnaire_response(ICE_QUESTIONNAIRE, {"orientation": 4, "naming": 3, "commands": 1}, day=3, hour=6)
    obs = b.observation("level-of-consciousness", None, None, system=NEURO, day=3, hour=6)
    obs["valueCodeableConcept"] = {"coding": [{"system": NEURO, "code": "alert"}]}
    res = evaluate_loaded(b.load(), evaluator, at=at_day(3, 8))[0]
    a = res.assessments["icans.astct2019"]
    assert (a.value, a.range, a.status) == (None, (0.0, 1.0), "indeterminate")
    assert [m.input for m in a.missing] == ["ice"]
    assert [(w.code, w.source) for w in real_warnings(res)] == [("questionnaire-incomplete", _ref(qr))]


def test_evaluation_drops_an_invalid_response_it_would_use(evaluator):
    b = PatientBuilder("p1")
    qr = b.questionnaire_response(ICE_QUESTIONNAIRE, FULL, day=3, hour=6)
    qr["item"][0]["text"] = {"not": "a string"}  # invalid FHIR, found when the ICE is read
    b.observation("ice-score", 4, "{score}", system=NEURO, day=3, hour=2)
    res = evaluate_loaded(b.load(), evaluator, at=at_day(3, 8))[0]
    assert res.assessments["icans.astct2019"].components["ice"].value == 2  # the 02:00 Observation
    assert ("invalid", _ref(qr)) in {(w.code, w.source) for w in res.warnings}


# -- the binding section -----------------------------------------------------------------------------------------
BASE: dict[str, Any] = {
    "systems": {"x": "http://example.org/cs"},
    "observations": {"score": {"codes": ["x|score"], "unit": "1"},
                     "category": {"codes": ["x|cat"], "value_set": "vs"}},
}


def _bind(q: dict[str, Any]) -> Bindings:
    b = Bindings()
    b.add_pack("test.pack", {**BASE, "questionnaires": q})
    return b


def test_a_site_binds_its_own_questionnaire(bindings):
    b = _bind({"site_ice": {"url": "http://hospital.example/Questionnaire/ice", "concept": "score",
                            "items": {"q1": 4, "q2": 6}, "total": "sum"}})
    qb = b.questionnaire("http://hospital.example/Questionnaire/ice|2")
    assert qb is not None and qb.max_total == 10 and qb.total == "sum" and qb.pack == "test.pack"


@pytest.mark.parametrize(("spec", "error"), [
    ({"url": "http://q", "concept": "nosuch", "items": {"a": 1}}, "not a bound observations concept"),
    ({"url": "http://q", "concept": "category", "items": {"a": 1}}, "categorical"),
    ({"url": "http://q", "concept": "score", "items": {}}, "items must map"),
    ({"url": "http://q", "concept": "score", "items": {"a": 0}}, "positive integer"),
    ({"url": "http://q", "concept": "score", "items": {"a": "4"}}, "positive integer"),
    ({"url": "http://q", "concept": "score", "items": {"a": True}}, "positive integer"),
    ({"url": "http://q", "concept": "score", "items": {"a": 1}, "total": "a"}, "stated-total"),
    ({"url": "http://q|1", "concept": "score", "items": {"a": 1}}, "no |version"),
    ({"url": "http://q", "concept": "score", "items": {"a": 1}, "extra": 1}, "unknown keys"),
    ("http://q", "expected a mapping"),
])
def test_bad_questionnaire_bindings_are_pack_errors(spec, error):
    with pytest.raises(PackError, match=error.replace("|", r"\|")):
        _bind({"q": spec})


def test_a_questionnaire_bound_twice_is_a_pack_error():
    b = _bind({"q": {"url": "http://q", "concept": "score", "items": {"a": 1}}})
    with pytest.raises(PackError, match="already bound by test.pack"):
        b.add_pack("other.pack", {"questionnaires": {"q2": {"url": "http://q", "concept": "score",
                                                            "items": {"a": 1}}}})
