"""``results.parquet``: the analysts' flat table, derived from ``results.ndjson`` at the end of a run.

The NDJSON file is the record; the Parquet file is rebuilt from it, so the two always agree. It is
streamed in two passes (bounded memory whatever the number of patients): the first finds every
column and its type, the second writes row groups. One row per result line, in the same order:
``patient``, ``status``, ``job``, ``job_version``, ``error_type``, ``error_message``, ``warnings``
(how many), ``warning_codes`` (distinct, comma-separated), then the job's columns
(:meth:`cartguard.bulk.jobs.BulkJob.columns`, e.g. ``crs.astct2019.value``). A column whose values
mix numbers and text is written as text.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from cartguard.bulk.jobs import BulkJob, Scalar

BATCH_ROWS = 2_000


def _rows(results: Path, job: BulkJob) -> Iterator[dict[str, Scalar]]:
    with results.open("rb") as fh:
        for raw in fh:
            line = orjson.loads(raw)
            error = line.get("error") or {}
            warnings = line.get("warnings") or []
            row: dict[str, Scalar] = {
                "patient": line["patient"], "status": line["status"], "job": line["job"],
                "job_version": line.get("job_version"), "error_type": error.get("type"),
                "error_message": error.get("message"), "warnings": len(warnings),
                "warning_codes": ",".join(sorted({str(w.get("code")) for w in warnings})) or None,
            }
            if line["status"] == "ok":
                row.update(job.columns(line["result"]))
            yield row


def _arrow_type(kinds: set[type]) -> Any:
    import pyarrow as pa

    kinds = kinds - {type(None)}
    if kinds == {bool}:
        return pa.bool_()
    if kinds == {int}:
        return pa.int64()
    if kinds and kinds <= {int, float}:
        return pa.float64()
    return pa.string()


def _cell(value: Scalar, arrow_type: Any) -> Any:
    import pyarrow as pa

    if value is None:
        return None
    if arrow_type == pa.string() and not isinstance(value, str):
        return orjson.dumps(value).decode()
    if arrow_type == pa.float64():
        return float(value)
    return value


def write_parquet(results: Path, target: Path, job: BulkJob) -> int:
    """Write ``target`` from ``results``; return the number of rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    kinds: dict[str, set[type]] = {}
    for row in _rows(results, job):
        for key, value in row.items():
            kinds.setdefault(key, set()).add(type(value))
    schema = pa.schema([(name, _arrow_type(k)) for name, k in kinds.items()])
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    rows = 0
    with pq.ParquetWriter(tmp, schema) as writer:
        batch: list[dict[str, Scalar]] = []

        def flush() -> None:
            columns = {f.name: [_cell(r.get(f.name), f.type) for r in batch] for f in schema}
            writer.write_table(pa.Table.from_pydict(columns, schema=schema))
            batch.clear()

        for row in _rows(results, job):
            batch.append(row)
            rows += 1
            if len(batch) >= BATCH_ROWS:
                flush()
        if batch or rows == 0:
            flush()
    os.replace(tmp, target)
    return rows
