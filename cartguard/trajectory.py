"""A patient's course: the assessments at every time point, each using only what was known then.

:func:`trajectory` maps the patient once and evaluates it at a grid of time points (every 24 h by
default, or every N hours) from the first data to the end of the data, relative to CAR-T day 0.
For each reported assessment it summarises onset, peak, duration at or above a threshold and the
time points left indeterminate. The definitions are in ``docs/trajectory.md``; in short:

* **Grid.** Anchored at ``end`` (default: the latest data time, the time ``cartguard evaluate``
  uses by default) and stepping back every ``every_hours`` while the point is not before
  ``start`` (default: the first Observation, administration or procedure - a Condition's onset is
  history, e.g. the diagnosis months earlier, not the start of the monitored course). Each point
  *covers* the ``every_hours`` that end at it.
* **No look-ahead.** Each point is evaluated on a fresh view of the patient holding only the facts
  whose time is at or before the point; a period that ends after the point is seen as still
  running (in progress, no end), as a record written at that time would show it. The shared
  :class:`PatientFacts` is never mutated (see :func:`view_at`).
* **Threshold** per scale family: CRS and ICANS grades ``>= 1``; every other scale (DIC scores,
  SIRS) its own positive verdict (``interpretation.verdict == "positive"``); a scale with no
  interpretation falls back to value ``>= 1``. ``thresholds={"crs.astct2019": 3}`` overrides.
* **Meets.** A point meets the threshold ``yes`` when it is certain (the range's *lower* bound
  reaches it, or the verdict is positive), ``no`` when it certainly does not (upper bound below,
  another verdict, or not applicable) and ``possible`` otherwise. Onset, duration and the last
  point use ``yes`` only; a ``possible`` point before the onset is reported as a possible earlier
  onset, never as the onset.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from cartguard.engine.results import Assessment, WarningReport
from cartguard.errors import EngineError, InputError
from cartguard.fhir_adapters.facts import PatientFacts, Warning_
from cartguard.fhir_adapters.loading import LoadResult, PatientResources

if TYPE_CHECKING:
    from cartguard.engine.evaluate import Evaluator

Meets = Literal["yes", "no", "possible"]
GRADE_FAMILIES = ("crs.", "icans.")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Threshold(_Model):
    kind: Literal["value_at_least", "verdict_positive"]
    value: float | None = None
    """The grade or score for ``value_at_least``; None for ``verdict_positive``."""
    text: str


class PointAssessment(_Model):
    """One assessment at one time point (the fields of the result contract a course needs)."""

    value: float | None
    range: tuple[float, float]
    status: Literal["graded", "indeterminate", "not_applicable"]
    verdict: Literal["positive", "suspected", "negative"] | None = None
    interpretation: str | None = None
    """The interpretation's id (e.g. ``isth-overt-dic``), when one is definite."""
    meets: Meets
    """Whether the point is at or above the scale's threshold: yes, no, or possible (a range spans it)."""


class TimePoint(_Model):
    at: datetime
    infusion_day: int | None
    """Calendar day relative to day 0 (as ``PatientResult.infusion_day``)."""
    hours_from_infusion: float | None
    """Hours since the first CAR-T administration (or since 00:00 of ``--infusion-date``)."""
    covers_hours: float
    """The span of time this point stands for: the ``every_hours`` that end at it."""
    assessments: dict[str, PointAssessment]


class Summary(_Model):
    """The course of one assessment over the time points."""

    assessment: str
    title: str
    threshold: Threshold
    points: int
    onset_at: datetime | None = None
    """First time point certainly at or above the threshold."""
    onset_day: int | None = None
    onset_hours_from_infusion: float | None = None
    possible_earlier_onset: bool = False
    """A point before the onset (or with no onset at all) whose range could reach the threshold."""
    possible_onset_at: datetime | None = None
    possible_onset_day: int | None = None
    last_at: datetime | None = None
    """Last time point certainly at or above the threshold."""
    last_day: int | None = None
    duration_hours: float = 0.0
    """Sum of ``covers_hours`` of the points certainly at or above the threshold."""
    duration_days: float = 0.0
    first_to_last_hours: float | None = None
    """From the start of the onset point's span to the last point at or above (gaps included)."""
    possible_hours: float = 0.0
    """Sum of ``covers_hours`` of the points that possibly meet the threshold (ranges spanning it)."""
    episodes: int = 0
    """Runs of consecutive points at or above the threshold."""
    peak_value: float | None = None
    """Highest exactly graded value; never a range's bound."""
    peak_at: datetime | None = None
    """First time point at which ``peak_value`` was graded."""
    peak_day: int | None = None
    peak_verdict: str | None = None
    peak_lower_bound: float | None = None
    """Highest value certainly reached: the maximum of exact values and ranges' lower bounds."""
    peak_upper_bound: float | None = None
    """Highest value an indeterminate point could have had, when above ``peak_lower_bound``."""
    possible_higher_peak: bool = False
    indeterminate_points: int = 0
    indeterminate_hours: float = 0.0
    indeterminate_days: list[int] = Field(default_factory=list)
    """Distinct infusion days with at least one indeterminate time point."""
    not_applicable_points: int = 0


class Trajectory(_Model):
    patient: str
    infusion_date: str | None
    infusion_time: datetime | None = None
    start: datetime
    end: datetime
    every_hours: float
    scales: list[str]
    points: list[TimePoint]
    summaries: dict[str, Summary]
    warnings: list[WarningReport] = Field(default_factory=list)
    """Mapping warnings of the whole record, and every resource found invalid at some point."""
    no_look_ahead: str = ("each time point uses only the facts at or before it; periods ending later are seen "
                          "as running")
    disclaimer: str = "Decision support for clinicians, not a prescription."


# -- the patient at one time ------------------------------------------------------------------
def view_at(pf: PatientFacts, at: datetime, *, invalid: frozenset[str] | set[str] = frozenset(),
            validated: frozenset[str] | set[str] = frozenset()) -> PatientFacts:
    """A fresh :class:`PatientFacts` holding only what was known at ``at``; ``pf`` is not touched.

    Facts (and absences) after ``at`` are left out; a fact whose period ends after ``at`` is seen as
    running (``open_ended``, no end), as a record written at ``at`` would show it. ``invalid``:
    sources already found invalid at an earlier point (left out: an invalid resource is invalid at
    every time); ``validated``: sources already found valid (not validated again).
    """
    facts = []
    for f in pf.facts:
        if f.time > at or f.source in invalid:
            continue
        if f.end is not None and f.end > at:
            f = dataclasses.replace(f, end=None, open_ended=True)
        facts.append(f)
    kept = {f.source for f in facts}
    latest = max((f.end if f.end and not f.open_ended else f.time for f in facts), default=None)
    return PatientFacts(
        patient=pf.patient, facts=facts, warnings=list(pf.warnings),
        infusion_time=pf.infusion_time, infusion_date=pf.infusion_date, infusion_source=pf.infusion_source,
        birth_date=pf.birth_date, latest_time=latest,
        absences=[a for a in pf.absences if a.time <= at and a.source not in invalid],
        unvalidated={s: r for s, r in pf.unvalidated.items() if s in kept and s not in validated})


# -- thresholds -------------------------------------------------------------------------------
def default_threshold(scale: str, evaluator: Evaluator, override: float | None = None) -> Threshold:
    """CRS/ICANS: grade >= 1; any other scale: its own positive verdict (value >= 1 if it has none)."""
    if override is not None:
        return Threshold(kind="value_at_least", value=float(override), text=f">= {override:g} (set by caller)")
    if scale.startswith(GRADE_FAMILIES):
        return Threshold(kind="value_at_least", value=1.0, text="grade >= 1")
    cp = evaluator.packset.compiled.get(scale)
    if cp is not None and any(i.verdict == "positive" for i in cp.pack.interpretation):
        return Threshold(kind="verdict_positive", text="the scale's positive verdict")
    return Threshold(kind="value_at_least", value=1.0, text="value >= 1 (scale has no positive verdict)")


def meets(a: Assessment, th: Threshold) -> Meets:
    """Whether ``a`` is at or above ``th``: never from a range's upper bound alone."""
    if a.status == "not_applicable":
        return "no"
    if th.kind == "verdict_positive":
        verdict = a.interpretation.verdict if a.interpretation else None
        if verdict == "positive":
            return "yes"
        if a.interpretation is not None:
            return "no"
        return "possible" if a.status == "indeterminate" else "no"
    assert th.value is not None
    lo, hi = a.range
    if lo >= th.value:
        return "yes"
    if hi < th.value:
        return "no"
    return "possible"


# -- the course -------------------------------------------------------------------------------
def _facts_of(patient: LoadResult | PatientResources | PatientFacts, evaluator: Evaluator,
              infusion_date: date | None, patient_id: str | None) -> tuple[PatientFacts, list[Warning_]]:
    from cartguard.fhir_adapters.mapper import map_patient

    if isinstance(patient, PatientFacts):
        return patient, []
    extra: list[Warning_] = []
    if isinstance(patient, LoadResult):
        extra = list(patient.warnings)
        if patient_id is None:
            if len(patient.patients) != 1:
                raise InputError(f"{len(patient.patients)} patients in the input: a trajectory is for one "
                                 "patient (name it)")
            patient_id = next(iter(patient.patients))
        if patient_id not in patient.patients:
            raise InputError(f"no patient {patient_id!r} in the input")
        patient = patient.patients[patient_id]
    return map_patient(patient, evaluator.packset.bindings, infusion_date=infusion_date,
                       validate_resources="lazy"), extra


def _utc(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def time_grid(start: datetime, end: datetime, every_hours: float) -> list[datetime]:
    """``end``, ``end - every_hours``, ... back to the first point not before ``start`` (ascending)."""
    if every_hours <= 0:
        raise InputError(f"every_hours must be positive, got {every_hours}")
    if end < start:
        raise InputError(f"end {end.isoformat()} is before start {start.isoformat()}")
    step = timedelta(hours=every_hours)
    n = int((end - start) / step)
    return [end - k * step for k in range(n, -1, -1)]


def trajectory(patient: LoadResult | PatientResources | PatientFacts, evaluator: Evaluator, *,
               every_hours: float = 24, start: datetime | None = None, end: datetime | None = None,
               scales: list[str] | str | None = None, infusion_date: date | None = None,
               patient_id: str | None = None, thresholds: dict[str, float] | None = None) -> Trajectory:
    """Evaluate one patient at every ``every_hours`` from ``start`` to ``end``, with no look-ahead.

    ``patient``: a :class:`LoadResult` of one patient (or ``patient_id``), its
    :class:`PatientResources`, or already mapped :class:`PatientFacts` (left unchanged: every point
    is evaluated on a fresh :func:`view_at`). ``scales`` as in ``cartguard evaluate``.
    """
    return trajectory_with_facts(patient, evaluator, every_hours=every_hours, start=start, end=end, scales=scales,
                                 infusion_date=infusion_date, patient_id=patient_id, thresholds=thresholds)[0]


def trajectory_with_facts(patient: LoadResult | PatientResources | PatientFacts, evaluator: Evaluator, *,
                          every_hours: float = 24, start: datetime | None = None, end: datetime | None = None,
                          scales: list[str] | str | None = None, infusion_date: date | None = None,
                          patient_id: str | None = None, thresholds: dict[str, float] | None = None
                          ) -> tuple[Trajectory, PatientFacts]:
    """:func:`trajectory`, and the patient's facts it was computed from (mapped once, never mutated).

    The facts are what the course figure draws beside the grades (measured labs, interventions):
    unit-normalised, lazily validated (``unvalidated`` still holds the resources no point needed).
    """
    pf, load_warnings = _facts_of(patient, evaluator, infusion_date, patient_id)
    monitored = [f.time for f in pf.facts if f.kind != "condition"] or [f.time for f in pf.facts]
    if end is None:
        end = pf.latest_time
    if start is None:
        start = min(monitored) if monitored else None
    if start is None or end is None:
        raise EngineError(f"{pf.patient}: no dated data for a trajectory and no start/end given")
    start, end = _utc(start), _utc(end)
    grid = time_grid(start, end, every_hours)
    selected = evaluator.packset.select(scales)
    ths = {s: default_threshold(s, evaluator, (thresholds or {}).get(s)) for s in selected}
    anchor = pf.infusion_time or (datetime.combine(pf.infusion_date, datetime.min.time(), tzinfo=UTC)
                                  if pf.infusion_date else None)

    invalid: set[str] = set()
    validated: set[str] = set()
    invalid_warnings: list[Warning_] = []
    points: list[TimePoint] = []
    for at in grid:
        view = view_at(pf, at, invalid=invalid, validated=validated)
        pending, n_warn = set(view.unvalidated), len(view.warnings)
        result = evaluator.evaluate(view, at=at, scales=selected, guidance=False)  # grades only
        # What this point's lazy validation learned, so no later point validates a resource again.
        new_bad = {w.source for w in view.warnings[n_warn:] if w.code == "invalid" and w.source}
        invalid_warnings.extend(w for w in view.warnings[n_warn:] if w.code == "invalid")
        invalid |= new_bad
        validated |= (pending - set(view.unvalidated)) - new_bad
        points.append(TimePoint(
            at=at, infusion_day=result.infusion_day,
            hours_from_infusion=round((at - anchor).total_seconds() / 3600, 2) if anchor else None,
            covers_hours=float(every_hours),
            assessments={sid: PointAssessment(
                value=a.value, range=a.range, status=a.status,
                verdict=a.interpretation.verdict if a.interpretation else None,
                interpretation=a.interpretation.id if a.interpretation else None,
                meets=meets(a, ths[sid])) for sid, a in result.assessments.items()}))
    titles = {sid: evaluator.packset.compiled[sid].pack.title for sid in selected}
    warnings = [WarningReport(code=w.code, message=w.message, source=w.source)
                for w in [*load_warnings, *pf.warnings, *invalid_warnings]]
    course = Trajectory(
        patient=pf.patient, infusion_date=pf.infusion_date.isoformat() if pf.infusion_date else None,
        infusion_time=pf.infusion_time, start=start, end=end, every_hours=float(every_hours),
        scales=list(selected), points=points,
        summaries={sid: summarize(sid, titles[sid], ths[sid], points) for sid in selected},
        warnings=warnings)
    return course, pf


def summarize(sid: str, title: str, th: Threshold, points: list[TimePoint]) -> Summary:
    """Onset, peak, duration and indeterminate points of one assessment over ``points``."""
    rows = [(p, p.assessments[sid]) for p in points if sid in p.assessments]
    yes = [(p, a) for p, a in rows if a.meets == "yes"]
    out: dict[str, object] = {"assessment": sid, "title": title, "threshold": th, "points": len(rows)}
    onset = yes[0][0] if yes else None
    if onset is not None:
        last = yes[-1][0]
        out.update(onset_at=onset.at, onset_day=onset.infusion_day, onset_hours_from_infusion=onset.hours_from_infusion,
                   last_at=last.at, last_day=last.infusion_day,
                   first_to_last_hours=round((last.at - onset.at).total_seconds() / 3600 + onset.covers_hours, 2))
    earlier = [p for p, a in rows if a.meets == "possible" and (onset is None or p.at < onset.at)]
    if earlier:
        out.update(possible_earlier_onset=True, possible_onset_at=earlier[0].at,
                   possible_onset_day=earlier[0].infusion_day)
    duration = sum(p.covers_hours for p, _ in yes)
    out.update(duration_hours=duration, duration_days=round(duration / 24, 2),
               possible_hours=sum(p.covers_hours for p, a in rows if a.meets == "possible"))
    out["episodes"] = sum(1 for i, (_, a) in enumerate(rows)
                          if a.meets == "yes" and (i == 0 or rows[i - 1][1].meets != "yes"))
    exact = [(p, a) for p, a in rows if a.value is not None and a.status != "not_applicable"]
    if exact:
        p, a = max(exact, key=lambda pa: (pa[1].value, -pa[0].at.timestamp()))  # highest, first reached
        out.update(peak_value=a.value, peak_at=p.at, peak_day=p.infusion_day, peak_verdict=a.verdict)
    applicable = [a for _, a in rows if a.status != "not_applicable"]
    if applicable:
        lower = max(a.range[0] for a in applicable)
        out["peak_lower_bound"] = lower
        upper = max((a.range[1] for a in applicable if a.value is None), default=None)
        if upper is not None and upper > lower:
            out.update(peak_upper_bound=upper, possible_higher_peak=True)
    undetermined = [p for p, a in rows if a.status == "indeterminate"]
    out.update(indeterminate_points=len(undetermined),
               indeterminate_hours=sum(p.covers_hours for p in undetermined),
               indeterminate_days=sorted({p.infusion_day for p in undetermined if p.infusion_day is not None}),
               not_applicable_points=sum(1 for _, a in rows if a.status == "not_applicable"))
    return Summary.model_validate(out)
