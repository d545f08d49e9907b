"""Service settings: a plain pydantic model, built from keyword arguments, env vars or CLI options.

pydantic-settings is deliberately not a dependency: :meth:`Settings.from_env` reads the few
``CARTGUARD_*`` variables itself (docs/service.md lists them).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Issuer(BaseModel):
    """One EHR allowed to call the service: its ``iss`` and where its public keys are (exactly one of
    ``jwks_url`` and ``jwks_file``)."""

    model_config = ConfigDict(extra="forbid")

    iss: str
    jwks_url: str | None = None
    jwks_file: Path | None = None

    @model_validator(mode="after")
    def _one_key_source(self) -> Issuer:
        if (self.jwks_url is None) == (self.jwks_file is None):
            raise ValueError(f"issuer {self.iss}: give exactly one of jwks_url and jwks_file")
        return self


class Settings(BaseModel):
    """Everything the service needs; every limit has a documented default."""

    model_config = ConfigDict(extra="forbid")

    service_url: str = "http://127.0.0.1:8000/cds-services"
    """The expected JWT ``aud``: the URL the EHR calls, discovery endpoint included (CDS Hooks 2.0)."""
    issuers: list[Issuer] = Field(default_factory=list)
    audit_db: str = "sqlite:///cartguard-audit.sqlite3"
    """A SQLAlchemy URL; e.g. ``postgresql+psycopg://user@host/cartguard`` (install psycopg)."""
    max_body_bytes: int = 5 * 1024 * 1024
    """Larger request bodies get 413 before they are read in full."""
    time_limit_s: float = 5.0
    """Per-request limit for prefetch fetching plus evaluation; beyond it: 503 with Retry-After."""
    fetch_timeout_s: float = 3.0
    """Timeout of each request to the EHR's fhirServer (connect and read)."""
    fetch_max_pages: int = 20
    """Search result pages followed per prefetch query (Bundle link next)."""
    observation_lookback_days: int = 14
    """Observations prefetched: those dated within this many days before today."""
    jwt_leeway_s: int = 60
    """Clock skew tolerated for ``exp`` and ``iat``."""
    jti_cache_size: int = 100_000
    """Replay cache: at most this many token ids remembered, each until its token expires."""
    max_token_age_s: int = 3600
    """A token whose ``exp`` is further ahead than this is refused (CDS Hooks: short-lived tokens)."""
    evaluation_time: Literal["latest-data", "now"] = "latest-data"
    """patient-view evaluates at the latest data time (the CLI's default) or at the request time."""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from ``CARTGUARD_SERVICE_URL``, ``CARTGUARD_AUDIT_DB``, ``CARTGUARD_ISSUERS`` (a JSON
        list of ``{"iss", "jwks_url" | "jwks_file"}`` or a path to such a JSON file), then ``overrides``."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        if env.get("CARTGUARD_SERVICE_URL"):
            values["service_url"] = env["CARTGUARD_SERVICE_URL"]
        if env.get("CARTGUARD_AUDIT_DB"):
            values["audit_db"] = env["CARTGUARD_AUDIT_DB"]
        if env.get("CARTGUARD_ISSUERS"):
            values["issuers"] = load_issuers(env["CARTGUARD_ISSUERS"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)


def load_issuers(value: str) -> list[dict[str, object]]:
    """Issuers from inline JSON or a JSON file path."""
    text = value if value.lstrip().startswith("[") else Path(value).read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, list):
        raise ValueError("issuers: expected a JSON list of {iss, jwks_url | jwks_file}")
    return data
