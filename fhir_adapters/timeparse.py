"""FHIR date/dateTime/instant strings to aware datetimes (UTC when no offset is given)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any


def parse_datetime(value: Any) -> datetime | None:
    """Parse a FHIR dateTime; partial dates become midnight UTC; None for anything unreadable."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    try:
        if len(text) == 4:
            return datetime(int(text), 1, 1, tzinfo=UTC)
        if len(text) == 7:
            return datetime(int(text[:4]), int(text[5:7]), 1, tzinfo=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def parse_date(value: Any) -> date | None:
    dt = parse_datetime(value)
    return dt.date() if dt else None

