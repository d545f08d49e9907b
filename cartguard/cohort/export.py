"""Write a cohort run to files: CSV (one row per patient) and JSON (rows, summary, parameters).

CSV with the standard library's :mod:`csv` (quoting handled, opens in any spreadsheet): columns are
:class:`CohortRow`'s fields in order; lists are joined with `` | ``, booleans are ``true``/``false``,
an unknown number is an empty cell. JSON with orjson: the rows and the summary as their models dump
them, the pack parameter overrides of the run and the input warnings, so the table can be redone.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from cartguard.cohort.row import CohortRow
from cartguard.cohort.summary import CohortSummary
from cartguard.fhir_adapters.facts import Warning_

COLUMNS = list(CohortRow.model_fields)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return " | ".join(str(x) for x in v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def write_csv(rows: Sequence[CohortRow], path: str | Path) -> None:
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for r in rows:
            writer.writerow([_cell(getattr(r, c)) for c in COLUMNS])


def to_json(rows: Sequence[CohortRow], summary: CohortSummary, *, overrides: dict[str, Any] | None = None,
            warnings: Sequence[Warning_] = ()) -> bytes:
    doc = {
        "summary": summary.model_dump(mode="json"),
        "rows": [r.model_dump(mode="json") for r in rows],
        "parameter_overrides": dict(overrides or {}),
        "input_warnings": [{"code": w.code, "message": w.message, "source": w.source} for w in warnings],
        "disclaimer": summary.disclaimer,
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2)


def write_json(rows: Sequence[CohortRow], summary: CohortSummary, path: str | Path, *,
               overrides: dict[str, Any] | None = None, warnings: Sequence[Warning_] = ()) -> None:
    Path(path).write_bytes(to_json(rows, summary, overrides=overrides, warnings=warnings) + b"\n")
