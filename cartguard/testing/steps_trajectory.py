"""Gherkin steps for a patient's course (:mod:`cartguard.trajectory`): onset, peak, duration,
indeterminate points and the no-look-ahead rule. A pytest plugin like the other step modules;
the patient is built with the generic steps of :mod:`cartguard.testing.steps`.

Steps::

    When the course is evaluated every N hours from day +A to day +B
    Then the SCALE onset is on day +N
    Then the SCALE has no onset
    Then the SCALE has a possible earlier onset on day +N
    Then the SCALE has no possible earlier onset
    Then the SCALE peak is VALUE on day +N
    Then the SCALE was at or above its threshold for N hours
    Then the SCALE was indeterminate on days D1, D2, ...
    Then the SCALE on day +N is VALUE
    Then the SCALE on day +N is indeterminate between LO and HI
    Then the SCALE on days D1, D2, ... is the same as without the resources charted after day +N

SCALE is a pack id (``crs.astct2019``); time points are at 08:00 (the evaluation hour of the
generic steps). The last step evaluates the course again on the patient without the resources
charted after that day and compares the given days.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import pytest
from pytest_bdd import then, when

from cartguard.testing.steps import EVAL_HOUR, World, p

if TYPE_CHECKING:
    from cartguard.engine.evaluate import Evaluator
    from cartguard.trajectory import PointAssessment, Summary, Trajectory


class CourseWorld:
    def __init__(self) -> None:
        self.course: Trajectory | None = None
        self.args: dict = {}

    @property
    def t(self) -> Trajectory:
        assert self.course is not None, "the course has not been evaluated ('When the course is evaluated ...')"
        return self.course

    def summary(self, sid: str) -> Summary:
        assert sid in self.t.summaries, f"{sid} not in {sorted(self.t.summaries)}"
        return self.t.summaries[sid]

    def point(self, sid: str, day: int) -> PointAssessment:
        hits = [pt for pt in self.t.points if pt.infusion_day == day]
        assert len(hits) == 1, f"{len(hits)} time points on day {day:+d}"
        return hits[0].assessments[sid]


@pytest.fixture
def cartguard_course() -> CourseWorld:
    return CourseWorld()


def _days(text: str) -> list[int]:
    return [int(x.strip()) for x in text.split(",")]


def _run(world: World, evaluator: Evaluator, resources: list[dict] | None = None, **args) -> Trajectory:
    import orjson

    from cartguard.fhir_adapters.loading import load_bytes
    from cartguard.trajectory import trajectory

    bundle = world.b.bundle()
    if resources is not None:
        bundle = {**bundle, "entry": [{"resource": r} for r in resources]}
    return trajectory(load_bytes(orjson.dumps(bundle)), evaluator, scales="all", **args)


@when(p("the course is evaluated every {hours:g} hours from day {a:d} to day {b:d}"))
def evaluate_course(cartguard_world: World, cartguard_course: CourseWorld, cartguard_evaluator: Evaluator,
                    hours: float, a: int, b: int) -> None:
    w = cartguard_world
    cartguard_course.args = {"every_hours": hours, "start": w.clock(a, EVAL_HOUR), "end": w.clock(b, EVAL_HOUR)}
    cartguard_course.course = _run(w, cartguard_evaluator, **cartguard_course.args)


@then(p("the {sid:S} onset is on day {day:d}"))
def onset(cartguard_course: CourseWorld, sid: str, day: int) -> None:
    s = cartguard_course.summary(sid)
    assert s.onset_day == day, s


@then(p("the {sid:S} has no onset"))
def no_onset(cartguard_course: CourseWorld, sid: str) -> None:
    s = cartguard_course.summary(sid)
    assert s.onset_at is None, s


@then(p("the {sid:S} has a possible earlier onset on day {day:d}"))
def possible_onset(cartguard_course: CourseWorld, sid: str, day: int) -> None:
    s = cartguard_course.summary(sid)
    assert s.possible_earlier_onset and s.possible_onset_day == day, s


@then(p("the {sid:S} has no possible earlier onset"))
def no_possible_onset(cartguard_course: CourseWorld, sid: str) -> None:
    s = cartguard_course.summary(sid)
    assert not s.possible_earlier_onset, s


@then(p("the {sid:S} peak is {value:g} on day {day:d}"))
def peak(cartguard_course: CourseWorld, sid: str, value: float, day: int) -> None:
    s = cartguard_course.summary(sid)
    assert (s.peak_value, s.peak_day) == (value, day), s


@then(p("the {sid:S} was at or above its threshold for {hours:g} hours"))
def duration(cartguard_course: CourseWorld, sid: str, hours: float) -> None:
    s = cartguard_course.summary(sid)
    assert s.duration_hours == hours, s


@then(p("the {sid:S} was indeterminate on days {days}"))
def indeterminate_days(cartguard_course: CourseWorld, sid: str, days: str) -> None:
    s = cartguard_course.summary(sid)
    assert s.indeterminate_days == _days(days), s


@then(p("the {sid:S} on day {day:d} is indeterminate between {lo:g} and {hi:g}"))
def point_range(cartguard_course: CourseWorld, sid: str, day: int, lo: float, hi: float) -> None:
    a = cartguard_course.point(sid, day)
    assert (a.status, a.range) == ("indeterminate", (lo, hi)), a


@then(p("the {sid:S} on day {day:d} is {value:g}"))
def point_value(cartguard_course: CourseWorld, sid: str, day: int, value: float) -> None:
    a = cartguard_course.point(sid, day)
    assert (a.status, a.value) == ("graded", value), a


@then(p("the {sid:S} on days {days} is the same as without the resources charted after day {cut:d}"))
def no_look_ahead(cartguard_world: World, cartguard_course: CourseWorld, cartguard_evaluator: Evaluator,
                  sid: str, days: str, cut: int) -> None:
    from cartguard.fhir_adapters.timeparse import parse_datetime

    limit = cartguard_world.clock(cut + 1, 0)

    def charted(r: dict) -> datetime | None:
        return parse_datetime(r.get("effectiveDateTime") or (r.get("effectivePeriod") or {}).get("start"))

    kept = [r for r in cartguard_world.b.resources if (charted(r) or limit) < limit]
    assert len(kept) < len(cartguard_world.b.resources), f"no resource charted after day {cut:+d}"
    before = _run(cartguard_world, cartguard_evaluator, kept, **cartguard_course.args)
    full = cartguard_course.t
    for day in _days(days):
        got = [pt.assessments[sid] for pt in full.points if pt.infusion_day == day]
        want = [pt.assessments[sid] for pt in before.points if pt.infusion_day == day]
        assert got and got == want, (day, got, want)
