"""Run the cohort pipeline over every patient of an input: serially or in worker processes.

durable-rules keeps one host per process and is not thread-safe, so parallelism is processes
(``workers > 1``): each worker builds its own :class:`Evaluator` once, in its initializer, and
returns rows; the parent only reads input and collects rows. Rows come back sorted by patient
whatever the order of completion, so a run is deterministic. A progress bar (tqdm, on stderr)
shows patients done, the rate and the errors so far.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cartguard.cohort.params import CohortParams
from cartguard.cohort.pipeline import patient_row
from cartguard.cohort.row import CohortRow
from cartguard.cohort.scales import ScaleInfo, check_scales
from cartguard.cohort.source import UNREADABLE, iter_patients
from cartguard.engine.evaluate import Backend, Evaluator
from cartguard.engine.packset import PackSet
from cartguard.fhir_adapters.facts import Warning_
from cartguard.fhir_adapters.loading import PatientResources
from cartguard.hookspecs import hookimpl

IN_FLIGHT_PER_WORKER = 4
"""Patients queued per worker: enough to keep workers busy, few enough to bound the parent's memory."""


class ParameterOverrides:
    """Pack parameter overrides given for one run (``cartguard cohort --param``), as a pluggy plugin, so
    they are recorded with their source like a site pack's (``override by cartguard cohort --param``)."""

    __name__ = "cartguard cohort --param"

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = dict(values)

    @hookimpl
    def cartguard_parameter_overrides(self) -> dict[str, Any]:
        return dict(self.values)


def cohort_packset(overrides: dict[str, Any] | None = None) -> PackSet:
    """The installed packs (as the CLI loads them), with ``overrides`` of pack parameters."""
    from cartguard.plugins import build_packset, get_plugin_manager

    plugins = [ParameterOverrides(overrides)] if overrides else []
    return build_packset(get_plugin_manager(plugins=plugins))


@dataclass
class CohortRun:
    rows: list[CohortRow]
    """One per patient (and one ``error`` row per unreadable file), sorted by patient."""
    scales: dict[str, ScaleInfo]
    warnings: list[Warning_] = field(default_factory=list)
    """Input-level warnings (resources without a subject, unreadable files)."""
    overrides: dict[str, Any] = field(default_factory=dict)


# -- worker processes -----------------------------------------------------------------------------
_WORKER: tuple[Evaluator, CohortParams] | None = None


def _init_worker(overrides: dict[str, Any], params: CohortParams, backend: Backend) -> None:
    global _WORKER
    _WORKER = (Evaluator(cohort_packset(overrides), backend), params)


def _worker_row(pr: PatientResources) -> CohortRow:
    assert _WORKER is not None, "worker not initialised"
    evaluator, params = _WORKER
    return patient_row(pr, evaluator, params)


def _parallel(patients: Iterable[PatientResources], workers: int, overrides: dict[str, Any],
              params: CohortParams, backend: Backend) -> Iterator[CohortRow]:
    # spawn: a worker starts clean (no copied durable-rules C state, no inherited threads).
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(overrides, params, backend)) as pool:
        pending: set[Future[CohortRow]] = set()
        for pr in patients:
            pending.add(pool.submit(_worker_row, pr))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (f.result() for f in done)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from (f.result() for f in done)


# -- the run ----------------------------------------------------------------------------------------
def run_cohort(path: str | Path, params: CohortParams | None = None, *, overrides: dict[str, Any] | None = None,
               workers: int = 1, progress: bool = False, backend: Backend = "durable",
               evaluator: Evaluator | None = None) -> CohortRun:
    """Every patient of ``path`` (folder of Bundles, or an NDJSON/Bundle file) as a cohort row.

    ``overrides``: pack parameters for this run (e.g. ``{"cdss.ddimer_type": "FEU"}``); ``evaluator``:
    an already built one to reuse (serial runs only; its pack set must hold the overrides already).
    ``progress``: show a tqdm bar on stderr.
    """
    from tqdm import tqdm

    params = params or CohortParams()
    overrides = dict(overrides or {})
    if evaluator is None or workers > 1:
        packset = cohort_packset(overrides)
    else:
        packset = evaluator.packset
    scales = check_scales(packset, params)  # fail before reading any data
    warnings: list[Warning_] = []
    patients = iter_patients(path, warnings)
    if workers > 1:
        rows_iter = _parallel(patients, workers, overrides, params, backend)
    else:
        ev = evaluator or Evaluator(packset, backend)
        rows_iter = (patient_row(pr, ev, params) for pr in patients)
    rows: list[CohortRow] = []
    errors = 0
    with tqdm(desc="cohort", unit=" patients", file=sys.stderr, disable=not progress, dynamic_ncols=True) as bar:
        for row in rows_iter:
            rows.append(row)
            errors += row.status == "error"
            bar.update(1)
            if errors:
                bar.set_postfix(errors=errors, refresh=False)
    rows.extend(CohortRow(patient=w.source or "?", status="error", error=f"unreadable input file: {w.message}")
                for w in warnings if w.code == UNREADABLE)
    rows.sort(key=lambda r: r.patient)
    return CohortRun(rows=rows, scales=scales, warnings=warnings, overrides=overrides)
