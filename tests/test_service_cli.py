"""``cartguard serve``: refuses to start without a trusted issuer or with unpaired --issuer/--jwks."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

pytest.importorskip("fastapi")

from cartguard.cli import main  # noqa: E402


def test_serve_without_an_issuer_refuses_to_start() -> None:
    r = CliRunner().invoke(main, ["serve", "--port", "1"])
    assert r.exit_code == 2 and "no trusted issuer" in r.output


def test_serve_needs_one_jwks_per_issuer() -> None:
    r = CliRunner().invoke(main, ["serve", "--issuer", "https://a.example", "--issuer", "https://b.example",
                                  "--jwks", "keys.json"])
    assert r.exit_code == 2 and "one --jwks for each --issuer" in r.output


def test_settings_from_env_reads_issuers_json() -> None:
    from cartguard.service import Settings

    s = Settings.from_env({"CARTGUARD_ISSUERS": '[{"iss": "https://a.example", "jwks_url": "https://a.example/k"}]',
                           "CARTGUARD_AUDIT_DB": "sqlite://"})
    assert s.issuers[0].iss == "https://a.example" and s.audit_db == "sqlite://"
    with pytest.raises(ValueError, match="exactly one of jwks_url and jwks_file"):
        Settings.from_env({"CARTGUARD_ISSUERS": '[{"iss": "x"}]'})
