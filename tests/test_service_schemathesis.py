"""Property-based API tests generated from the service's own OpenAPI schema (schemathesis).

Bounded: a few dozen examples per operation, every request with a fresh valid token (a reused one
would be a replay), against a real uvicorn server; no input may produce a 5xx.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("schemathesis")

import schemathesis  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from service_helpers import ISSUER, ORDER_SELECT, PATIENT_VIEW, Signer, free_port, serve  # noqa: E402

from cartguard.service import Settings, create_app  # noqa: E402


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Signer, Any]]:
    tmp = tmp_path_factory.mktemp("fuzz")
    signer = Signer()
    port = free_port()
    app = create_app(Settings(service_url=f"http://127.0.0.1:{port}/cds-services",
                              audit_db=f"sqlite:///{tmp / 'audit.db'}", time_limit_s=20,
                              issuers=[{"iss": ISSUER, "jwks_file": signer.write_jwks(tmp / "jwks.json")}]))
    with serve(app, port) as base:
        yield base, signer, schemathesis.openapi.from_url(f"{base}/openapi.json")


OPERATIONS = [("/cds-services", "GET"), ("/cds-services/{service_id}", "POST"),
              ("/cds-services/{service_id}/feedback", "POST")]


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_no_input_makes_the_service_fail(api: tuple[str, Signer, Any], path: str, method: str) -> None:
    base, signer, schema = api
    strategy = schema[path][method].as_strategy()

    @settings(max_examples=40, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(case=strategy, service=st.sampled_from([PATIENT_VIEW, ORDER_SELECT, None]))
    def check(case: Any, service: str | None) -> None:
        if service is not None and "service_id" in (case.path_parameters or {}):
            case.path_parameters["service_id"] = service
        token = signer.token(f"{base}/cds-services")
        response = case.call(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert response.status_code < 500, (response.status_code, response.text[:500])
        if response.status_code == 401:
            raise AssertionError("a valid token was refused")

    check()
