"""What ``cartguard bulk`` does with each patient: a small, picklable job.

A job turns one patient's resources (:class:`~cartguard.fhir_adapters.loading.PatientResources`,
exactly as :func:`~cartguard.fhir_adapters.loading.load_path` would group them) and the worker's
:class:`~cartguard.engine.evaluate.Evaluator` into a JSON-ready dict. It travels to worker
processes (and Dask workers) by pickle, so it is a frozen dataclass of plain values, and its
``name``, ``version`` and :meth:`~BulkJob.params` are part of the resume check: results written
by one job are never mixed with another's. A top-level ``warnings`` list in a job's result is
moved to the result line's ``warnings``. :meth:`~BulkJob.columns` flattens a result into the
Parquet file's columns.

Built in: :class:`LatestJob` (the :class:`~cartguard.engine.results.PatientResult` at the latest
data time, as ``cartguard evaluate``) and :class:`TrajectoryJob` (the course with its summaries,
as ``cartguard timeline``). Any other job subclasses :class:`BulkJob`, e.g.::

    @dataclass(frozen=True)
    class CohortJob(BulkJob):
        name: ClassVar[str] = "cohort"
        version: ClassVar[str] = "1"
        params: CohortParams

        def run(self, patient, evaluator):
            return patient_row(patient, evaluator, self.params).model_dump(mode="json")
"""

from __future__ import annotations

import abc
import dataclasses
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel

if TYPE_CHECKING:
    from cartguard.engine.evaluate import Evaluator
    from cartguard.fhir_adapters.loading import PatientResources

Scalar = str | int | float | bool | None


def _plain(value: Any) -> Any:
    """A JSON-ready form of a job parameter (for the resume check and the summary)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def flat_scalars(prefix: str, values: dict[str, Any]) -> dict[str, Scalar]:
    """``{prefix}{key}`` -> value for every scalar of ``values``; lists of scalars joined with commas."""
    out: dict[str, Scalar] = {}
    for key, value in values.items():
        if isinstance(value, str | int | float | bool) or value is None:
            out[f"{prefix}{key}"] = value
        elif isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
            out[f"{prefix}{key}"] = ",".join(str(v) for v in value)
    return out


@dataclasses.dataclass(frozen=True)
class BulkJob(abc.ABC):
    """The per-patient work of a bulk run (subclass it and define :meth:`run`; see the module docstring)."""

    name: ClassVar[str] = "job"
    version: ClassVar[str] = "0"

    def params(self) -> dict[str, Any]:
        """The job's parameters, JSON-ready (its dataclass fields)."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def identity(self) -> dict[str, Any]:
        """Name, version and parameters: what the resume check compares."""
        return {"name": self.name, "version": self.version, "params": self.params()}

    @abc.abstractmethod
    def run(self, patient: PatientResources, evaluator: Evaluator) -> dict[str, Any]:
        """The result for one patient (JSON-ready). Raise to record an error line for the patient."""

    def columns(self, result: dict[str, Any]) -> dict[str, Scalar]:
        """Flat columns of one result for the Parquet file (default: its top-level scalars)."""
        return flat_scalars("", result)


@dataclasses.dataclass(frozen=True)
class LatestJob(BulkJob):
    """Every assessment and the guidance at one time, as ``cartguard evaluate --format json``."""

    name: ClassVar[str] = "latest"
    version: ClassVar[str] = "1"
    at: datetime | None = None
    """Evaluation time; None: each patient's latest data time."""
    scales: str | tuple[str, ...] | None = None
    """Pack ids, ``"all"``, or None for the default scales."""

    def run(self, patient: PatientResources, evaluator: Evaluator) -> dict[str, Any]:
        from cartguard.fhir_adapters.mapper import map_patient

        pf = map_patient(patient, evaluator.packset.bindings, validate_resources="lazy")
        scales = list(self.scales) if isinstance(self.scales, tuple) else self.scales
        result = evaluator.evaluate(pf, at=self.at, scales=scales)  # type: ignore[arg-type]
        return result.model_dump(mode="json")

    def columns(self, result: dict[str, Any]) -> dict[str, Scalar]:
        out: dict[str, Scalar] = {key: result.get(key) for key in ("at", "infusion_day", "infusion_date")}
        out["recommendations"] = len(result.get("recommendations") or ())
        for sid, a in (result.get("assessments") or {}).items():
            lo, hi = a.get("range") or (None, None)
            interpretation = a.get("interpretation") or {}
            out.update({f"{sid}.value": a.get("value"), f"{sid}.lo": lo, f"{sid}.hi": hi,
                        f"{sid}.status": a.get("status"), f"{sid}.interpretation": interpretation.get("id"),
                        f"{sid}.verdict": interpretation.get("verdict"),
                        f"{sid}.missing": len(a.get("missing") or ())})
        return out


@dataclasses.dataclass(frozen=True)
class TrajectoryJob(BulkJob):
    """The course at every ``every_hours`` with no look-ahead, and its summaries, as ``cartguard timeline``."""

    name: ClassVar[str] = "trajectory"
    version: ClassVar[str] = "1"
    every_hours: float = 24.0
    scales: str | tuple[str, ...] | None = None

    def run(self, patient: PatientResources, evaluator: Evaluator) -> dict[str, Any]:
        from cartguard.trajectory import trajectory

        scales = list(self.scales) if isinstance(self.scales, tuple) else self.scales
        return trajectory(patient, evaluator, every_hours=self.every_hours, scales=scales).model_dump(mode="json")

    def columns(self, result: dict[str, Any]) -> dict[str, Scalar]:
        out: dict[str, Scalar] = {key: result.get(key) for key in ("infusion_date", "start", "end", "every_hours")}
        out["points"] = len(result.get("points") or ())
        for sid, summary in (result.get("summaries") or {}).items():
            out[f"{sid}.threshold"] = (summary.get("threshold") or {}).get("text")
            out.update(flat_scalars(f"{sid}.", {k: v for k, v in summary.items() if k not in ("assessment", "title")}))
        return out


JOBS: dict[str, type[BulkJob]] = {"latest": LatestJob, "trajectory": TrajectoryJob}
"""The jobs ``cartguard bulk --job`` offers, by name."""
