"""The library entry points: load packs, read FHIR, evaluate every patient."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from cartguard.engine.evaluate import Backend, Evaluator
from cartguard.engine.packset import PackSet
from cartguard.engine.results import PatientResult, WarningReport
from cartguard.fhir_adapters.loading import LoadResult, load_path
from cartguard.fhir_adapters.mapper import map_patient


def evaluate_loaded(loaded: LoadResult, evaluator: Evaluator, *, at: datetime | None = None,
                    infusion_date: date | None = None, scales: list[str] | str | None = None
                    ) -> list[PatientResult]:
    """Evaluate every patient of an already-loaded input, each in isolation."""
    out = []
    for pid in sorted(loaded.patients):
        pf = map_patient(loaded.patients[pid], evaluator.packset.bindings, infusion_date=infusion_date,
                         validate_resources="lazy")
        result = evaluator.evaluate(pf, at=at, scales=scales)  # type: ignore[arg-type]
        if loaded.warnings:
            extra = [WarningReport(code=w.code, message=w.message, source=w.source) for w in loaded.warnings]
            result = result.model_copy(update={"warnings": [*extra, *result.warnings]})
        out.append(result)
    return out


def evaluate_path(path: str | Path, *, at: datetime | None = None, infusion_date: date | None = None,
                  scales: list[str] | str | None = None, packset: PackSet | None = None,
                  backend: Backend = "durable") -> list[PatientResult]:
    """Read FHIR data at ``path`` and evaluate every patient in it."""
    if packset is None:
        from cartguard.plugins import default_packset

        packset = default_packset()
    return evaluate_loaded(load_path(path), Evaluator(packset, backend), at=at, infusion_date=infusion_date,
                           scales=scales)
