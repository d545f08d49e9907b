"""The append-only audit log: one row per evaluation, feedback call or refused request.

SQLAlchemy Core over any URL (SQLite file by default; ``postgresql+psycopg://...`` with psycopg
installed). Rows are written before the response is sent, so a card an EHR shows always has its row:
card uuid -> row -> SHA-256 of the canonical input, packs and versions, result summary.
"""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, create_engine, event, insert, select
from sqlalchemy.engine import Engine

metadata = MetaData()

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("time", DateTime(timezone=True), nullable=False),
    Column("request_id", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # evaluation | feedback | refused
    Column("hook", String(64)),
    Column("hook_instance", String(128)),
    Column("service_id", String(64)),
    Column("patient", String(256)),
    Column("input_sha256", String(64)),
    Column("packs", JSON),  # ["id@version#sha256", ...]
    Column("result", JSON),  # summary: grades per assessment, findings, card count
    Column("card_uuids", JSON),
    Column("jwt_iss", String(512)),
    Column("jwt_jti", String(256)),
    Column("status", Integer, nullable=False),
    Column("duration_ms", Integer),
)


def canonical_json(payload: Any) -> bytes:
    """``payload`` as canonical JSON (keys sorted, no whitespace, UTF-8); integers beyond 64 bits,
    which orjson refuses, go through the standard library."""
    try:
        return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_sha256(payload: Any) -> str:
    """SHA-256 of ``payload`` as canonical JSON."""
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def input_sha256(hook: str, context: Any, resources: list[dict[str, Any]]) -> str:
    """SHA-256 of the canonical input of an evaluation: hook, context and the resources evaluated, as
    canonical JSON with the resources in sorted order (so prefetched and fetched data hash alike)."""
    ordered = sorted(canonical_json(r) for r in resources)
    head = canonical_json({"hook": hook, "context": context})
    return hashlib.sha256(head + b"\n" + b"\n".join(ordered)).hexdigest()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


class AuditLog:
    """Appends rows; reads are for tests and operators (``rows``)."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        metadata.create_all(self.engine)
        self._lock = threading.Lock()

    def append(self, **row: Any) -> None:
        row.setdefault("time", datetime.now(UTC))
        with self._lock, self.engine.begin() as conn:
            conn.execute(insert(audit_log).values(**row))

    def rows(self, **where: Any) -> list[dict[str, Any]]:
        q = select(audit_log).order_by(audit_log.c.id)
        for key, value in where.items():
            q = q.where(audit_log.c[key] == value)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def close(self) -> None:
        self.engine.dispose()
