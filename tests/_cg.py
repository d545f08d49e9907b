"""Helpers shared by the test modules (imported as ``_cg``; tests/ is on sys.path under pytest)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "patient-cart-example.json"
EXAMPLE_AT = datetime(2026, 3, 17, 8, tzinfo=UTC)
"""Day +7 08:00: the example grades CRS 3, ICANS 2, ISTH 7 (overt DIC)."""
SHARED = Path(__file__).resolve().parents[2] / "shared"
FHIR_EXAMPLES = SHARED / "fhir-examples"

DAY0 = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
"""The PatientBuilder's default day-0 reference time (first CAR-T infusion)."""


def at_day(day: int, hour: float = 12.0) -> datetime:
    """``hour`` o'clock UTC on infusion day ``day`` (the PatientBuilder's calendar-day convention)."""
    return datetime(2026, 3, 10, tzinfo=UTC) + timedelta(days=day, hours=hour)


def bundle_of(*builders: Any) -> dict[str, Any]:
    """One collection Bundle holding the resources of several PatientBuilders."""
    entries = []
    for b in builders:
        entries.extend(b.bundle()["entry"])
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def real_warnings(result: Any) -> list[Any]:
    """A result's warnings without the standing [U]-parameter notices."""
    return [w for w in result.warnings if w.code != "unverified-parameter"]
