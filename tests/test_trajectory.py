"""The course of one patient (cartguard.trajectory): grid, no look-ahead, lazy validation, summaries."""

from __future__ import annotations

import copy
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from cartguard import timeline_render
from cartguard.engine.results import Assessment, Interpretation
from cartguard.fhir_adapters.loading import PatientResources, load_path
from cartguard.fhir_adapters.mapper import map_patient
from cartguard.fhir_adapters.timeparse import parse_datetime
from cartguard.testing.fhir import PatientBuilder
from cartguard.trajectory import (
    PointAssessment,
    Threshold,
    TimePoint,
    meets,
    summarize,
    time_grid,
    trajectory,
    view_at,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "patient-cart-example.json"
GRADE = Threshold(kind="value_at_least", value=1.0, text="grade >= 1")
VERDICT = Threshold(kind="verdict_positive", text="positive")
T0 = datetime(2026, 3, 10, 20, tzinfo=UTC)


@pytest.fixture(scope="module")
def example_course(example_course_facts):
    return example_course_facts[0]


def _pt(k: int, value: float | None, lo: float, hi: float, th: Threshold = GRADE, status: str | None = None,
        verdict: str | None = None) -> TimePoint:
    st = status or ("graded" if value is not None else "indeterminate")
    a = Assessment(id="x", title="x", scale="x", version="1", value=value, range=(lo, hi), status=st,  # type: ignore[arg-type]
                   interpretation=Interpretation(id="i", label="i", citation="c", verdict=verdict)  # type: ignore[arg-type]
                   if verdict else None)
    pa = PointAssessment(value=value, range=(lo, hi), status=a.status,
                         verdict=a.interpretation.verdict if a.interpretation else None, meets=meets(a, th))
    return TimePoint(at=T0 + timedelta(days=k), infusion_day=k, hours_from_infusion=24.0 * k + 10, covers_hours=24,
                     assessments={"x": pa})


# -- grid and thresholds -------------------------------------------------------------------------
def test_grid_is_anchored_at_the_end_and_never_before_the_start():
    start, end = datetime(2026, 3, 1, 6, tzinfo=UTC), datetime(2026, 3, 4, 20, tzinfo=UTC)
    g = time_grid(start, end, 24)
    assert g[-1] == end and g[0] == datetime(2026, 3, 1, 20, tzinfo=UTC) and len(g) == 4
    assert all(b - a == timedelta(hours=24) for a, b in zip(g, g[1:], strict=False))
    assert len(time_grid(start, end, 6)) == 15 and time_grid(end, end, 24) == [end]


def test_meets_is_never_taken_from_an_upper_bound():
    def a(value, lo, hi, status="graded", verdict=None):
        interp = Interpretation(id="i", label="i", citation="c", verdict=verdict) if verdict else None
        return Assessment(id="x", title="x", scale="x", version="1", value=value, range=(lo, hi), status=status,
                          interpretation=interp)

    assert meets(a(None, 0, 4, "indeterminate"), GRADE) == "possible"
    assert meets(a(None, 2, 3, "indeterminate"), GRADE) == "yes"  # the lower bound already reaches it
    assert meets(a(0, 0, 0), GRADE) == "no"
    assert meets(a(None, 0, 0, "not_applicable"), GRADE) == "no"
    assert meets(a(None, 6, 7, "graded", "positive"), VERDICT) == "yes"
    assert meets(a(4, 4, 4, "graded", "negative"), VERDICT) == "no"
    assert meets(a(None, 3, 6, "indeterminate"), VERDICT) == "possible"


def test_default_thresholds_per_scale_family(example_course):
    th = {s: x.threshold for s, x in example_course.summaries.items()}
    assert th["crs.astct2019"].kind == th["icans.astct2019"].kind == "value_at_least"
    assert th["crs.astct2019"].value == 1.0
    assert th["dic.isth2001"].kind == "verdict_positive"


# -- summaries -----------------------------------------------------------------------------------
def test_onset_peak_duration_from_definite_points_only():
    pts = [_pt(0, None, 0, 3), _pt(1, 0, 0, 0), _pt(2, 1, 1, 1), _pt(3, None, 1, 4), _pt(4, 2, 2, 2),
           _pt(5, 0, 0, 0), _pt(6, 1, 1, 1)]
    s = summarize("x", "x", GRADE, pts)
    assert (s.onset_day, s.last_day) == (2, 6)
    assert s.possible_earlier_onset and s.possible_onset_day == 0
    assert s.duration_hours == 4 * 24 and s.episodes == 2  # days 2, 3 (range 1-4: certainly >= 1), 4, and 6
    assert s.first_to_last_hours == 5 * 24  # from the start of day 2's span to day 6, the gap included
    assert (s.peak_value, s.peak_day) == (2, 4)  # not 4, the upper bound of day 3's range
    assert s.peak_lower_bound == 2 and s.possible_higher_peak and s.peak_upper_bound == 4
    assert s.indeterminate_points == 2 and s.indeterminate_days == [0, 3] and s.indeterminate_hours == 48


def test_no_onset_but_a_possible_one():
    s = summarize("x", "x", GRADE, [_pt(0, 0, 0, 0), _pt(1, None, 0, 2)])
    assert s.onset_at is None and s.duration_hours == 0 and s.possible_earlier_onset
    assert s.possible_onset_day == 1 and s.possible_hours == 24 and s.peak_value == 0


def test_verdict_threshold_summary():
    pts = [_pt(0, 3, 3, 3, VERDICT, verdict="negative"), _pt(1, None, 5, 7, VERDICT, status="graded",
                                                             verdict="positive"),
           _pt(2, 6, 6, 6, VERDICT, verdict="positive"), _pt(3, 4, 4, 4, VERDICT, verdict="negative")]
    s = summarize("x", "x", VERDICT, pts)
    assert (s.onset_day, s.last_day, s.duration_hours) == (1, 2, 48)
    assert (s.peak_value, s.peak_day, s.peak_verdict) == (6, 2, "positive") and not s.possible_earlier_onset


# -- the example patient, end to end -------------------------------------------------------------
def test_example_patient_course(example_input, evaluator, example_course):
    t = example_course
    assert len(t.points) == 26 and t.points[0].infusion_day == -11 and t.points[-1].infusion_day == 14
    assert t.end == datetime(2026, 3, 24, 20, tzinfo=UTC) and t.infusion_date == "2026-03-10"
    crs, dic, icans = (t.summaries[s] for s in ("crs.astct2019", "dic.isth2001", "icans.astct2019"))
    assert (crs.onset_day, crs.peak_value, crs.peak_day, crs.last_day, crs.duration_days) == (1, 3, 5, 10, 10)
    assert [p.assessments["crs.astct2019"].value for p in t.points if p.infusion_day in (6, 7, 8)] == [3, 3, 3]
    assert (dic.onset_day, dic.peak_value, dic.peak_day, dic.last_day, dic.duration_days) == (6, 7, 7, 9, 4)
    assert (icans.onset_day, icans.peak_value, icans.peak_day, icans.last_day, icans.duration_days) == (5, 2, 6, 8, 4)
    # Before the infusion no ICE score exists: ICANS is indeterminate there, a possible earlier onset.
    assert icans.indeterminate_days == list(range(-11, 1)) and icans.possible_earlier_onset
    assert crs.indeterminate_points == 0 and not crs.possible_earlier_onset


def test_example_point_equals_evaluate_at_that_time(example_input, evaluator, example_course):
    from cartguard.api import evaluate_loaded

    p = next(p for p in example_course.points if p.infusion_day == 7)
    direct = evaluate_loaded(example_input, evaluator, at=p.at)[0]
    for sid, a in direct.assessments.items():
        got = p.assessments[sid]
        assert (got.value, got.range, got.status) == (a.value, a.range, a.status)


def test_example_daily_course_takes_a_few_seconds_at_most(example_input, packset):
    from cartguard.engine.evaluate import Evaluator

    ev = Evaluator(packset, "durable")
    t0 = time.perf_counter()
    t = trajectory(example_input, ev)
    elapsed = time.perf_counter() - t0
    assert len(t.points) == 26 and elapsed < 5, f"{elapsed:.2f} s for 26 points"


# -- no look-ahead -------------------------------------------------------------------------------
def _start(r: dict) -> datetime | None:
    rt = r.get("resourceType")
    if rt == "Condition":
        keys = [r.get("onsetDateTime"), (r.get("onsetPeriod") or {}).get("start"), r.get("recordedDate")]
        if ((r.get("verificationStatus") or {}).get("coding") or [{}])[0].get("code") == "refuted":
            keys = [r.get("recordedDate"), r.get("onsetDateTime")]
    else:
        keys = [r.get("effectiveDateTime"), (r.get("effectivePeriod") or {}).get("start"), r.get("performedDateTime"),
                (r.get("performedPeriod") or {}).get("start"), r.get("authored")]
    return next((t for t in map(parse_datetime, [k for k in keys if k]) if t is not None), None)


def _as_known_at(resources: list[dict], at: datetime) -> list[dict]:
    """The record as it stood at ``at``: nothing later; a period ending later is still in progress."""
    out = []
    for r in resources:
        t = _start(r)
        if t is not None and t > at:
            continue
        r = copy.deepcopy(r)
        for key in ("effectivePeriod", "performedPeriod"):
            end = parse_datetime((r.get(key) or {}).get("end"))
            if end is not None and end > at:
                del r[key]["end"]
                r["status"] = "in-progress"
        end = parse_datetime(r.get("abatementDateTime"))
        if r.get("resourceType") == "Condition" and end is not None and end > at:
            del r["abatementDateTime"]
            r["clinicalStatus"]["coding"][0]["code"] = "active"
        out.append(r)
    return out


def test_every_point_equals_the_record_truncated_at_that_time(example_input, evaluator, example_course):
    """The strongest no-look-ahead check: at each point, grading the full record (as the trajectory
    does) gives exactly what grading only the resources that existed then gives."""
    pr = next(iter(example_input.patients.values()))
    full = trajectory(example_input, evaluator, scales="all")
    assert full.infusion_date is not None and full.points[0].infusion_day == -11
    for p in full.points:
        known = PatientResources(pr.patient, _as_known_at(pr.resources, p.at), pr.index)
        pf = map_patient(known, evaluator.packset.bindings, infusion_date=date.fromisoformat(full.infusion_date),
                         validate_resources="lazy")
        res = evaluator.evaluate(pf, at=p.at, scales="all")
        for sid, a in res.assessments.items():
            got = p.assessments[sid]
            assert (got.value, got.range, got.status) == (a.value, a.range, a.status), (p.at, sid)


def _course(b: PatientBuilder, evaluator, **kw):
    return trajectory(b.load(), evaluator, start=datetime(2026, 3, 10, 8, tzinfo=UTC),
                      end=datetime(2026, 3, 16, 8, tzinfo=UTC), **kw)


def _base() -> PatientBuilder:
    b = PatientBuilder("p1")
    for d in range(0, 7):
        b.observation("8310-5", 37.0, "Cel", day=d, hour=6)
        b.blood_pressure(118, day=d, hour=6)
    b.observation("8310-5", 38.9, "Cel", day=2, hour=6)
    return b


def _values(t, sid="crs.astct2019"):
    return [(p.at, p.assessments[sid].value, p.assessments[sid].range, p.assessments[sid].status) for p in t.points]


def test_a_later_resource_never_changes_an_earlier_point(evaluator):
    plain = _course(_base(), evaluator)
    b = _base()
    b.observation("8310-5", 40.1, "Cel", day=4, hour=6)
    b.medication("norepinephrine", day=4, hour=6, until_day=5, until_hour=6)
    b.blood_pressure(80, day=4, hour=6)
    later = _course(b, evaluator)
    cut = datetime(2026, 3, 14, 6, tzinfo=UTC)
    assert [v for v in _values(later) if v[0] < cut] == [v for v in _values(plain) if v[0] < cut]
    assert _values(later) != _values(plain)  # and it does change the points after it
    assert later.summaries["crs.astct2019"].peak_day == 4 and plain.summaries["crs.astct2019"].peak_day == 2


def test_the_end_of_a_period_after_the_point_does_not_matter(evaluator):
    def with_vaso(until_day: int):
        b = _base()
        for d in (3, 4, 5):
            b.observation("8310-5", 39.0, "Cel", day=d, hour=7)
            b.blood_pressure(82, day=d, hour=7)
        b.medication("norepinephrine", day=3, hour=6, until_day=until_day, until_hour=6)
        return _course(b, evaluator)

    short, long_ = with_vaso(4), with_vaso(6)
    cut = datetime(2026, 3, 14, 6, tzinfo=UTC)  # the earlier of the two ends
    assert [v for v in _values(long_) if v[0] < cut] == [v for v in _values(short) if v[0] < cut]
    assert [v for v in _values(long_) if v[0] >= cut] != [v for v in _values(short) if v[0] >= cut]


def test_view_hides_later_facts_and_open_periods(bindings):
    b = _base()
    b.medication("norepinephrine", day=3, hour=6, until_day=5, until_hour=6)
    pf = map_patient(b.load().patients["Patient/p1"], bindings, validate_resources="lazy")
    at = datetime(2026, 3, 14, 8, tzinfo=UTC)
    v = view_at(pf, at)
    assert all(f.time <= at for f in v.facts) and all(f.end is None or f.end <= at for f in v.facts)
    nor = [f for f in v.facts if f.concept == "norepinephrine"]
    assert len(nor) == 1 and nor[0].open_ended and nor[0].end is None
    assert any(f.concept == "norepinephrine" and f.end is not None for f in pf.facts)  # pf itself untouched
    assert set(v.unvalidated) <= {f.source for f in v.facts}


# -- lazy validation across points ---------------------------------------------------------------
def _with_invalid_fever() -> tuple[PatientBuilder, dict]:
    b = _base()
    bad = b.observation("8310-5", 39.5, "Cel", day=3, hour=6)
    bad["issued"] = "not a date"  # the mapper does not read it; FHIR validation rejects it
    return b, bad


def test_an_invalid_resource_is_dropped_at_its_time_and_never_used_later(evaluator, bindings):
    b, bad = _with_invalid_fever()
    src = f"Observation/{bad['id']}"
    pf = map_patient(b.load().patients["Patient/p1"], bindings, validate_resources="lazy")
    before = (len(pf.facts), dict(pf.unvalidated), len(pf.warnings))
    lazy = trajectory(pf, evaluator, start=datetime(2026, 3, 10, 8, tzinfo=UTC), end=datetime(2026, 3, 16, 8,
                                                                                               tzinfo=UTC))
    assert (len(pf.facts), dict(pf.unvalidated), len(pf.warnings)) == before, "the caller's PatientFacts changed"
    eager_pf = map_patient(b.load().patients["Patient/p1"], bindings, validate_resources=True)
    eager = trajectory(eager_pf, evaluator, start=datetime(2026, 3, 10, 8, tzinfo=UTC),
                       end=datetime(2026, 3, 16, 8, tzinfo=UTC))
    assert _values(lazy) == _values(eager)
    assert [p.assessments["crs.astct2019"].value for p in lazy.points] == [0, 0, 1, 0, 0, 0, 0]
    assert [w.code for w in lazy.warnings if w.source == src] == ["invalid"]  # named once, not per point
    # The same patient with the resource valid: day +3 differs, so the drop did happen there.
    del bad["issued"]
    valid = trajectory(b.load(), evaluator, start=datetime(2026, 3, 10, 8, tzinfo=UTC),
                       end=datetime(2026, 3, 16, 8, tzinfo=UTC))
    assert [p.assessments["crs.astct2019"].value for p in valid.points] == [0, 0, 1, 1, 0, 0, 0]


def test_every_hours_and_scales(evaluator):
    t = _course(_base(), evaluator, every_hours=6, scales=["crs.astct2019"])
    assert len(t.points) == 25 and t.scales == ["crs.astct2019"] and list(t.summaries) == ["crs.astct2019"]
    s = t.summaries["crs.astct2019"]
    # Fever at day +2 06:00 counts for 24 h (the temperature look-back): points 06:00..+24 h.
    assert s.onset_at == datetime(2026, 3, 12, 8, tzinfo=UTC) and s.duration_hours == 24


def test_thresholds_override_and_multi_patient_input(evaluator):
    t = _course(_base(), evaluator, thresholds={"crs.astct2019": 2})
    assert t.summaries["crs.astct2019"].onset_at is None and t.summaries["crs.astct2019"].threshold.value == 2
    two = PatientBuilder("p2").resources
    lr = load_path(EXAMPLE)
    lr.patients["Patient/p2"] = PatientResources("Patient/p2", two, {})
    from cartguard.errors import InputError

    with pytest.raises(InputError, match="2 patients"):
        trajectory(lr, evaluator)


# -- renderings ----------------------------------------------------------------------------------
def test_text_and_json_renderings(example_course):
    text = timeline_render.to_text(example_course)
    lines = text.splitlines()
    assert lines[3].split() == ["day", "at", "(UTC)", "h", "CRS", "ISTH", "ICANS"]
    row = next(line for line in lines if line.strip().startswith("+7 "))
    assert row.split()[-3:] == ["3*", "7*", "2*"]
    assert next(line for line in lines if line.strip().startswith("-11 ")).split()[-1] == "0-4?"
    assert "possible earlier onset from day -11" in text and "onset:    day +6" in text
    data = orjson.loads(timeline_render.to_json(example_course))
    assert set(data) >= {"patient", "points", "summaries", "scales", "every_hours", "warnings"}
    assert data["summaries"]["dic.isth2001"]["peak_value"] == 7 and len(data["points"]) == 26
    assert data["points"][0]["assessments"]["icans.astct2019"] == {
        "value": None, "range": [0.0, 4.0], "status": "indeterminate", "verdict": None, "interpretation": None,
        "meets": "possible"}
