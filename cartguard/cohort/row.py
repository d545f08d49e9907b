"""One patient's row of the cohort table, built from the patient's course (:class:`Trajectory`).

:func:`cohort_row` is a plain top-level function of picklable arguments, so a parallel pipeline can
run it in its workers and send back rows, not trajectories. Definitions (``docs/cohort.md``):

* **Maximum** of a scale: the highest *exactly* graded value over the course (``*_max``), never a
  range's bound. ``*_max_certain`` says whether it is the maximum: false when an indeterminate point
  could have been higher; ``*_max_at_least`` / ``*_max_at_most`` bound the true maximum then.
* **Onset day**: infusion day of the first point certainly at or above the threshold (CRS/ICANS
  grade >= 1, DIC the scale's positive verdict).
* **DIC** yes / no / unknown: positive verdict at some point / certainly not at every point /
  otherwise. **Recovered** (DIC patients only): not positive at the last point and at every point
  covering at least ``recovery_hours`` before the end of follow-up.
* **Coagulopathy**: :mod:`cartguard.cohort.coagulopathy`. Unknown is never reported as no.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cartguard.cohort.coagulopathy import CoagulopathyFinding, YesNoUnknown, assess_coagulopathy, concepts_of
from cartguard.cohort.params import CohortParams
from cartguard.errors import EngineError, InputError
from cartguard.fhir_adapters.facts import PatientFacts
from cartguard.fhir_adapters.validation import validate
from cartguard.trajectory import Summary, Trajectory

Recovered = Literal["yes", "no", "unknown", "not_applicable"]


class CohortRow(BaseModel):
    """One patient. Every column is defined in ``docs/cohort.md``."""

    model_config = ConfigDict(frozen=True)

    patient: str
    status: Literal["ok", "error"] = "ok"
    error: str | None = None
    """Why the patient could not be evaluated (status ``error``): the InputError/EngineError message."""
    infusion_date: str | None = None
    last_day: int | None = None
    """Infusion day of the last evaluated point (end of follow-up in the window)."""
    points: int = 0

    crs_max: int | None = None
    crs_max_certain: bool = False
    crs_max_at_least: float | None = None
    crs_max_at_most: float | None = None
    crs_grade_3_4: YesNoUnknown = "unknown"
    crs_onset_day: int | None = None
    crs_onset_possibly_earlier: bool = False
    crs_indeterminate_days: int = 0

    icans_max: int | None = None
    icans_max_certain: bool = False
    icans_max_at_least: float | None = None
    icans_max_at_most: float | None = None
    icans_grade_2_plus: YesNoUnknown = "unknown"
    icans_onset_day: int | None = None
    icans_indeterminate_days: int = 0

    dic_max_score: float | None = None
    dic_max_certain: bool = False
    dic_max_at_least: float | None = None
    dic_max_at_most: float | None = None
    dic: YesNoUnknown = "unknown"
    dic_onset_day: int | None = None
    dic_last_positive_day: int | None = None
    dic_recovered: Recovered = "not_applicable"
    dic_indeterminate_days: int = 0

    coagulopathy: YesNoUnknown = "unknown"
    coagulopathy_onset_day: int | None = None
    coagulopathy_criteria: list[str] = Field(default_factory=list)
    coagulopathy_unresolved: list[str] = Field(default_factory=list)

    warnings: int = 0
    """Input warnings for this patient (mapping, invalid resources)."""

    @classmethod
    def failed(cls, patient: str, exc: Exception) -> CohortRow:
        return cls(patient=patient, status="error", error=str(exc))


class _Max(BaseModel):
    value: float | None = None
    certain: bool = False
    at_least: float | None = None
    at_most: float | None = None


def _maximum(s: Summary) -> _Max:
    """The exact peak, whether it is the maximum, and the bounds of the true maximum."""
    if s.peak_lower_bound is None:  # no applicable point
        return _Max()
    lower = s.peak_lower_bound
    upper = s.peak_upper_bound if s.possible_higher_peak and s.peak_upper_bound is not None else lower
    certain = s.peak_value is not None and s.peak_value == lower == upper
    return _Max(value=s.peak_value, certain=certain, at_least=lower, at_most=upper)


def _reaches(m: _Max, value: float) -> YesNoUnknown:
    """Whether the true maximum is at least ``value``: from its bounds, never from the upper bound alone."""
    if m.at_least is not None and m.at_least >= value:
        return "yes"
    return "no" if m.at_most is not None and m.at_most < value else "unknown"


def _grade(v: float | None) -> int | None:
    return None if v is None else int(v)


def _summary(course: Trajectory, scale: str) -> Summary:
    s = course.summaries.get(scale)
    if s is None:
        raise EngineError(f"{course.patient}: the trajectory has no {scale} (it followed {course.scales}); "
                          "evaluate it with the cohort's scales")
    return s


def _dic_status(course: Trajectory, scale: str, s: Summary) -> YesNoUnknown:
    if s.onset_at is not None:
        return "yes"
    meets = [p.assessments[scale].meets for p in course.points if scale in p.assessments]
    return "no" if meets and all(m == "no" for m in meets) else "unknown"


def _recovered(course: Trajectory, scale: str, dic: YesNoUnknown, recovery_hours: float) -> Recovered:
    """Not positive at the end: the trailing run of certain "no" points covers ``recovery_hours``."""
    if dic != "yes":
        return "not_applicable"
    covered = 0.0
    for p in reversed(course.points):
        a = p.assessments.get(scale)
        if a is None:
            continue
        if a.meets != "no":
            return "no" if a.meets == "yes" else "unknown"
        covered += p.covers_hours
        if covered >= recovery_hours:
            return "yes"
    return "no"  # unreachable for a DIC patient: a positive point ends the walk


def _day0(course: Trajectory) -> datetime:
    if course.infusion_time is not None:
        return course.infusion_time
    if course.infusion_date is not None:
        return datetime.fromisoformat(course.infusion_date).replace(tzinfo=UTC)
    raise InputError("no CAR-T infusion (day 0) in the data: a cohort row needs day 0 (give --infusion-date "
                     "or record the CAR-T administration)", source=course.patient)


def _coagulopathy(course: Trajectory, facts: PatientFacts, day0: datetime, params: CohortParams
                  ) -> tuple[CoagulopathyFinding, int]:
    """The coagulopathy finding on valid results only, and how many invalid resources it found.

    Like the evaluator, it validates only the resources the answer rests on (validation costs ~60x
    parsing), drops an invalid one and decides again; resources the course already found invalid
    are never used. ``facts`` is not changed.
    """
    known_bad = {w.source for w in course.warnings if w.code == "invalid" and w.source}
    wanted = concepts_of(params.coagulopathy)
    candidates = [f for f in facts.facts if f.concept in wanted and f.source not in known_bad]
    valid: dict[str, bool] = {}
    while True:
        usable = [f for f in candidates if valid.get(f.source, True)]
        finding = assess_coagulopathy(usable, day0, course.end, params.coagulopathy)
        unchecked = [s for s in finding.rests_on if s not in valid]
        for source in unchecked:
            raw = facts.unvalidated.get(source)
            valid[source] = raw is None or validate(raw) is None
        if all(valid[s] for s in unchecked):
            return finding, sum(1 for ok in valid.values() if not ok)


def cohort_row(trajectory: Trajectory, facts: PatientFacts, params: CohortParams) -> CohortRow:
    """The row of one patient from its course (evaluated with ``params.scales``) and its mapped facts.

    ``facts`` is read, never changed: the coagulation results the coagulopathy answer rests on are
    validated here (lazy validation, as the evaluator does), and an invalid one is left out and
    counted in ``warnings``. Raises :class:`InputError` when the course has no day 0 and
    :class:`EngineError` when it lacks one of the cohort's scales.
    """
    course = trajectory
    day0 = _day0(course)
    crs, dic, icans = (_summary(course, s) for s in (params.crs_scale, params.dic_scale, params.icans_scale))
    crs_max, icans_max, dic_max = _maximum(crs), _maximum(icans), _maximum(dic)
    dic_status = _dic_status(course, params.dic_scale, dic)

    coag, found_invalid = _coagulopathy(course, facts, day0, params)
    return CohortRow(
        patient=course.patient, infusion_date=course.infusion_date,
        last_day=course.points[-1].infusion_day if course.points else None, points=len(course.points),
        crs_max=_grade(crs_max.value), crs_max_certain=crs_max.certain, crs_max_at_least=crs_max.at_least,
        crs_max_at_most=crs_max.at_most, crs_grade_3_4=_reaches(crs_max, 3), crs_onset_day=crs.onset_day,
        crs_onset_possibly_earlier=crs.possible_earlier_onset, crs_indeterminate_days=len(crs.indeterminate_days),
        icans_max=_grade(icans_max.value), icans_max_certain=icans_max.certain, icans_max_at_least=icans_max.at_least,
        icans_max_at_most=icans_max.at_most, icans_grade_2_plus=_reaches(icans_max, 2), icans_onset_day=icans.onset_day,
        icans_indeterminate_days=len(icans.indeterminate_days),
        dic_max_score=dic_max.value, dic_max_certain=dic_max.certain, dic_max_at_least=dic_max.at_least,
        dic_max_at_most=dic_max.at_most, dic=dic_status, dic_onset_day=dic.onset_day,
        dic_last_positive_day=dic.last_day,
        dic_recovered=_recovered(course, params.dic_scale, dic_status, params.recovery_hours),
        dic_indeterminate_days=len(dic.indeterminate_days),
        coagulopathy=coag.status, coagulopathy_onset_day=coag.onset_day, coagulopathy_criteria=coag.criteria_met,
        coagulopathy_unresolved=coag.unresolved,
        warnings=len(course.warnings) + found_invalid)
