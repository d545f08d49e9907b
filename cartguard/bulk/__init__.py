"""Population runs over FHIR Bulk Data exports (``cartguard bulk``, docs/bulk.md).

A whole export - NDJSON per resource type, larger than memory, a patient's resources scattered
over its files - is streamed once, its relevant resources partitioned by patient on disk, and every
patient evaluated in bounded memory by a pluggable job, in this process, in local worker processes
or on a Dask cluster, with results that survive a kill and resume where they stopped.
"""

from __future__ import annotations

from typing import Any

__all__ = ["JOBS", "BulkJob", "BulkSummary", "EngineSpec", "LatestJob", "TrajectoryJob", "run_bulk"]

_HOMES = {"JOBS": "jobs", "BulkJob": "jobs", "LatestJob": "jobs", "TrajectoryJob": "jobs", "run_bulk": "run",
          "BulkSummary": "summary", "EngineSpec": "worker"}


def __getattr__(name: str) -> Any:  # lazy: the CLI imports cartguard.bulk.command on every invocation
    if name in _HOMES:
        from importlib import import_module

        return getattr(import_module(f"cartguard.bulk.{_HOMES[name]}"), name)
    raise AttributeError(name)
