"""One patient, from raw resources to its cohort row: map, follow the course, build the row.

The course is the patient's :func:`~cartguard.trajectory.trajectory` from day 0 (the first CAR-T
infusion) to the end of the analysis window, evaluated every ``every_hours`` with no look-ahead.
A patient whose data raises :class:`InputError` or :class:`EngineError` becomes a row with status
``error`` and the message: one bad record never ends the run.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cartguard.cohort.params import CohortParams
from cartguard.cohort.row import CohortRow, cohort_row
from cartguard.engine.evaluate import Evaluator
from cartguard.errors import EngineError, InputError
from cartguard.fhir_adapters.facts import PatientFacts
from cartguard.fhir_adapters.loading import PatientResources
from cartguard.fhir_adapters.mapper import map_patient
from cartguard.trajectory import Trajectory, trajectory


def _utc(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def course_of(pf: PatientFacts, evaluator: Evaluator, params: CohortParams) -> Trajectory:
    """The patient's course over the analysis window (day 0 .. ``window_days`` x 24 h later)."""
    if pf.infusion_time is not None:
        day0 = _utc(pf.infusion_time)
    elif pf.infusion_date is not None:
        day0 = datetime.combine(pf.infusion_date, datetime.min.time(), tzinfo=UTC)
    else:
        raise InputError("no CAR-T infusion (day 0) in the data: the cohort analysis starts at day 0",
                         source=pf.patient)
    if pf.latest_time is None or _utc(pf.latest_time) < day0:
        raise InputError(f"no data at or after day 0 ({day0.isoformat()}): nothing to follow", source=pf.patient)
    end = min(_utc(pf.latest_time), day0 + timedelta(days=params.window_days))
    return trajectory(pf, evaluator, every_hours=params.every_hours, start=day0, end=end, scales=params.scales)


def patient_row(pr: PatientResources, evaluator: Evaluator, params: CohortParams) -> CohortRow:
    """The cohort row of one patient, or an ``error`` row naming what was wrong with its data."""
    try:
        pf = map_patient(pr, evaluator.packset.bindings, validate_resources="lazy")
        return cohort_row(course_of(pf, evaluator, params), pf, params)
    except (InputError, EngineError) as exc:
        return CohortRow.failed(pr.patient, exc)
