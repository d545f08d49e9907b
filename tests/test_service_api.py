"""The CDS Hooks service over real HTTP: uvicorn on loopback, httpx as the EHR, RSA-signed JWTs."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi")

from service_helpers import (  # noqa: E402
    EXAMPLE_PATIENT,
    ISSUER,
    ORDER_SELECT,
    PATIENT_VIEW,
    Signer,
    example_resources,
    fhir_stub,
    free_port,
    hook_request,
    patient_view_request,
    prefetch_of,
    serve,
)

from cartguard.service import Settings, create_app  # noqa: E402
from cartguard.service.audit import AuditLog  # noqa: E402


class Svc:
    def __init__(self, base: str, signer: Signer, audit: AuditLog, tmp: Path) -> None:
        self.base, self.signer, self.audit, self.tmp = base, signer, audit, tmp
        self.aud = f"{base}/cds-services"
        self.client = httpx.Client(base_url=base, timeout=30)

    def auth(self, **kw: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.signer.token(kw.pop('aud', self.aud), **kw)}"}

    def post(self, service: str, body: Any, **kw: Any) -> httpx.Response:
        return self.client.post(f"/cds-services/{service}", json=body, headers=self.auth(**kw))


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Svc]:
    tmp = tmp_path_factory.mktemp("service")
    signer = Signer()
    port = free_port()
    settings = Settings(service_url=f"http://127.0.0.1:{port}/cds-services", audit_db=f"sqlite:///{tmp / 'audit.db'}",
                        issuers=[{"iss": ISSUER, "jwks_file": signer.write_jwks(tmp / "jwks.json")}],
                        max_body_bytes=5 * 1024 * 1024, time_limit_s=20)
    app = create_app(settings)
    with serve(app, port) as base:
        s = Svc(base, signer, app.state.cartguard.audit, tmp)
        yield s
        s.client.close()


@pytest.fixture(scope="module")
def example_prefetch() -> dict[str, Any]:
    return prefetch_of(example_resources())


def _row(svc: Svc, response: httpx.Response) -> dict[str, Any]:
    rows = svc.audit.rows(request_id=response.headers["x-request-id"])
    assert len(rows) == 1, rows
    return rows[0]


# -- discovery --------------------------------------------------------------------------------
def test_discovery_lists_both_services_with_bound_prefetch_templates(svc: Svc) -> None:
    r = svc.client.get("/cds-services")
    assert r.status_code == 200
    services = {s["id"]: s for s in r.json()["services"]}
    assert services[PATIENT_VIEW]["hook"] == "patient-view"
    assert services[ORDER_SELECT]["hook"] == "order-select"
    pv = services[PATIENT_VIEW]["prefetch"]
    assert pv["patient"] == "Patient/{{context.patientId}}"
    assert "http://loinc.org|29463-7" in pv["observations"]  # body weight, bound in terminology.core
    assert pv["observations"].endswith("&date=ge{{today() - 14 days}}")
    assert pv["medications"] == "MedicationAdministration?patient={{context.patientId}}"
    assert set(pv) >= {"conditions", "questionnaires"}
    assert "/cds-services/{service_id}" in svc.client.get("/openapi.json").json()["paths"]


# -- patient-view -------------------------------------------------------------------------------
def test_patient_view_with_the_example_prefetch_shows_grades_score_and_guidance(
        svc: Svc, example_prefetch: dict[str, Any]) -> None:
    r = svc.post(PATIENT_VIEW, patient_view_request(prefetch=example_prefetch))
    assert r.status_code == 200, r.text
    cards = r.json()["cards"]
    summaries = [c["summary"] for c in cards]
    assert "CRS grade 3 (ASTCT 2019)" in summaries
    assert "ICANS grade 2 (ASTCT 2019)" in summaries
    assert any(s.startswith("ISTH overt DIC score 7") for s in summaries)
    assert any("Tocilizumab (guideline)" in s for s in summaries)  # guidance
    crs = next(c for c in cards if c["summary"] == "CRS grade 3 (ASTCT 2019)")
    assert crs["indicator"] == "critical" and "**Why**" in crs["detail"] and crs["source"]["label"]
    assert all(len(c["summary"]) < 140 for c in cards)


def test_a_card_shown_traces_back_to_its_audit_row_and_input(svc: Svc, example_prefetch: dict[str, Any]) -> None:
    from cartguard.service.audit import input_sha256

    body = patient_view_request(prefetch=example_prefetch)
    r = svc.post(PATIENT_VIEW, body)
    card = r.json()["cards"][0]
    row = next(x for x in svc.audit.rows(hook_instance=body["hookInstance"]) if card["uuid"] in x["card_uuids"])
    resources = [res for v in example_prefetch.values() for res in
                 ([e["resource"] for e in v["entry"]] if v.get("resourceType") == "Bundle" else [v])]
    assert row["input_sha256"] == input_sha256("patient-view", body["context"], resources[::-1])
    assert row["status"] == 200 and row["patient"] == f"Patient/{EXAMPLE_PATIENT}"
    assert row["jwt_iss"] == ISSUER and row["jwt_jti"]
    assert any(p.startswith("crs.astct2019@") for p in row["packs"])
    assert row["result"]["assessments"]["crs.astct2019"] == {"value": 3.0, "status": "graded"}


def test_patient_view_without_prefetch_or_fhir_server_is_412(svc: Svc, example_prefetch: dict[str, Any]) -> None:
    partial = {k: v for k, v in example_prefetch.items() if k != "observations"}
    r = svc.post(PATIENT_VIEW, patient_view_request(prefetch=partial))
    assert r.status_code == 412 and "observations" in r.json()["error"]
    assert _row(svc, r)["status"] == 412


def test_missing_prefetch_is_fetched_from_fhir_server_with_the_bearer_token(svc: Svc) -> None:
    seen: list[dict[str, str]] = []
    with serve(fhir_stub(example_resources(), seen)) as fhir:
        body = patient_view_request(prefetch={"patient": None}, fhirServer=f"{fhir}/fhir",
                                    fhirAuthorization={"access_token": "ehr-access-token-42", "token_type": "Bearer",
                                                       "expires_in": 300, "scope": "patient/*.read",
                                                       "subject": "cartguard"})
        r = svc.post(PATIENT_VIEW, body)
    assert r.status_code == 200, r.text
    assert "CRS grade 3 (ASTCT 2019)" in [c["summary"] for c in r.json()["cards"]]
    assert seen and all(s["authorization"] == "Bearer ehr-access-token-42" for s in seen)
    assert {s["path"] for s in seen} >= {"/fhir/Patient/cart-example-001", "/fhir/Observation"}
    assert any("_page=1" in s["query"] for s in seen)  # paging followed
    assert set(_row(svc, r)["result"]["fetched"]) >= {"patient", "observations", "medications"}


def test_an_unreachable_fhir_server_is_a_clean_5xx_not_a_crash(svc: Svc) -> None:
    body = patient_view_request(prefetch={}, fhirServer=f"http://127.0.0.1:{free_port()}/fhir",
                                fhirAuthorization={"access_token": "t", "token_type": "Bearer"})
    r = svc.post(PATIENT_VIEW, body)
    assert r.status_code == 502 and _row(svc, r)["status"] == 502


# -- order-select -----------------------------------------------------------------------------------
NOW = datetime.now(UTC)


def _iso(hours_ago: float) -> str:
    return (NOW - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _toci_patient(pid: str, doses_hours_ago: list[float], weight: float | None = 70.0) -> list[dict[str, Any]]:
    subject = {"reference": f"Patient/{pid}"}
    out: list[dict[str, Any]] = [{"resourceType": "Patient", "id": pid, "birthDate": "1980-01-01"}]
    if weight is not None:
        out.append({"resourceType": "Observation", "id": f"{pid}-wt", "status": "final", "subject": subject,
                    "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]},
                    "effectiveDateTime": _iso(48),
                    "valueQuantity": {"value": weight, "unit": "kg", "system": "http://unitsofmeasure.org",
                                      "code": "kg"}})
    for i, h in enumerate(doses_hours_ago):
        out.append({"resourceType": "MedicationAdministration", "id": f"{pid}-toci-{i}", "status": "completed",
                    "subject": subject, "effectiveDateTime": _iso(h),
                    "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                                              "code": "612865"}]},
                    "dosage": {"dose": {"value": 560, "unit": "mg", "system": "http://unitsofmeasure.org",
                                        "code": "mg"}}})
    return out


def _order(pid: str, mg: float, unit: str = "mg") -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
        "resourceType": "MedicationRequest", "id": "draft-toci", "status": "draft", "intent": "order",
        "subject": {"reference": f"Patient/{pid}"},
        "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                                  "code": "612865", "display": "tocilizumab"}]},
        "dosageInstruction": [{"doseAndRate": [{"doseQuantity": {"value": mg, "unit": unit,
                                                                 "system": "http://unitsofmeasure.org",
                                                                 "code": unit}}]}]}}]}


def _order_select(svc: Svc, pid: str, mg: float, doses: list[float], unit: str = "mg",
                  weight: float | None = 70.0) -> tuple[httpx.Response, list[dict[str, Any]]]:
    ctx = {"userId": "Practitioner/dr-1", "patientId": pid, "selections": ["MedicationRequest/draft-toci"],
           "draftOrders": _order(pid, mg, unit)}
    body = hook_request("order-select", ctx, prefetch_of(_toci_patient(pid, doses, weight),
                                                         keys=("patient", "observations", "medications")))
    r = svc.post(ORDER_SELECT, body)
    assert r.status_code == 200, r.text
    return r, r.json()["cards"]


def test_order_select_900_mg_is_critical_for_label_and_guideline_separately(svc: Svc) -> None:
    r, cards = _order_select(svc, "toci-900", 900, [])
    critical = [c for c in cards if c["indicator"] == "critical"]
    assert {c["source"]["topic"]["code"] for c in critical} == {"toci.label.max_dose", "toci.guideline.max_dose"}
    assert all("800 mg" in c["summary"] for c in critical)
    assert "toci.label.weight_dose" in {c["source"]["topic"]["code"] for c in cards}  # 8 mg/kg x 70 kg = 560
    assert _row(svc, r)["card_uuids"] == [c["uuid"] for c in cards]


def test_order_select_fourth_dose_in_24_hours_is_critical_by_the_guideline_only(svc: Svc) -> None:
    _, cards = _order_select(svc, "toci-4th", 560, [23, 15, 8.5])
    codes = {c["source"]["topic"]["code"]: c["indicator"] for c in cards}
    assert codes == {"toci.guideline.24h": "critical"}  # label: no 24-h cap, 4 in total allowed, >= 8 h apart


def test_order_select_fifth_dose_breaks_both_totals(svc: Svc) -> None:
    _, cards = _order_select(svc, "toci-5th", 560, [200, 100, 60, 30])
    codes = {c["source"]["topic"]["code"]: c["indicator"] for c in cards}
    assert codes == {"toci.label.total": "critical", "toci.guideline.total": "critical"}


def test_order_select_clean_order_and_mg_per_kg(svc: Svc) -> None:
    _, cards = _order_select(svc, "toci-ok", 560, [30])
    assert [(c["indicator"], c["source"]["topic"]["code"]) for c in cards] == [("info", "toci.within_limits")]
    _, cards = _order_select(svc, "toci-kg", 8, [], unit="mg/kg")
    assert [c["indicator"] for c in cards] == ["info"] and "560 mg" in cards[0]["summary"]


def test_order_select_short_interval_and_unknown_weight_are_warnings(svc: Svc) -> None:
    _, cards = _order_select(svc, "toci-gap", 560, [4], weight=None)
    codes = {c["source"]["topic"]["code"]: c["indicator"] for c in cards}
    assert codes == {"toci.label.interval": "warning", "toci.weight.unknown": "warning"}


def test_order_select_without_tocilizumab_gives_no_cards(svc: Svc) -> None:
    order = _order("x", 500)
    order["entry"][0]["resource"]["medicationCodeableConcept"]["coding"][0]["code"] = "3264"  # dexamethasone
    body = hook_request("order-select", {"userId": "u", "patientId": "x", "draftOrders": order})
    r = svc.post(ORDER_SELECT, body)
    assert r.status_code == 200 and r.json() == {"cards": []}


# -- feedback ---------------------------------------------------------------------------------------
def test_feedback_is_audited(svc: Svc) -> None:
    card = str(uuid.uuid4())
    r = svc.client.post(f"/cds-services/{PATIENT_VIEW}/feedback", headers=svc.auth(),
                        json={"feedback": [{"card": card, "outcome": "accepted",
                                            "outcomeTimestamp": "2026-03-17T08:05:00Z"}]})
    assert r.status_code == 200
    row = _row(svc, r)
    assert row["kind"] == "feedback" and row["card_uuids"] == [card] and row["result"] == {"outcomes": ["accepted"]}


# -- security and limits -------------------------------------------------------------------------------
def _refused(svc: Svc, headers: dict[str, str]) -> httpx.Response:
    r = svc.client.post(f"/cds-services/{PATIENT_VIEW}", headers=headers, json=patient_view_request(prefetch={}))
    assert r.status_code == 401 and r.content == b""
    row = _row(svc, r)
    assert row["status"] == 401 and row["kind"] == "refused" and row["patient"] is None
    return r


def test_unsigned_token_is_401(svc: Svc) -> None:
    import jwt

    token = jwt.encode({"iss": ISSUER, "aud": svc.aud, "exp": 9999999999, "iat": 1, "jti": "x"}, None,
                       algorithm="none")
    _refused(svc, {"Authorization": f"Bearer {token}"})
    _refused(svc, {})


def test_expired_wrong_audience_unknown_issuer_future_iat_are_401(svc: Svc) -> None:
    _refused(svc, svc.auth(exp_in=-120))
    _refused(svc, svc.auth(aud="https://elsewhere.example/cds-services"))
    _refused(svc, svc.auth(iss="https://unknown-ehr.example"))
    _refused(svc, svc.auth(iat_shift=600))
    other = Signer(kid=svc.signer.kid)  # same issuer and kid, another key
    _refused(svc, {"Authorization": f"Bearer {other.token(svc.aud)}"})


def test_replayed_token_is_401(svc: Svc) -> None:
    headers = svc.auth()
    first = svc.client.post(f"/cds-services/{PATIENT_VIEW}/feedback", headers=headers,
                            json={"feedback": [{"card": "c", "outcome": "accepted", "outcomeTimestamp": "x"}]})
    assert first.status_code == 200
    _refused(svc, headers)


def test_audience_may_name_the_service_endpoint(svc: Svc, example_prefetch: dict[str, Any]) -> None:
    r = svc.post(PATIENT_VIEW, patient_view_request(prefetch=example_prefetch), aud=f"{svc.aud}/{PATIENT_VIEW}")
    assert r.status_code == 200


def test_oversize_body_is_413(svc: Svc) -> None:
    big = b'{"hook": "patient-view", "pad": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    r = svc.client.post(f"/cds-services/{PATIENT_VIEW}", headers={**svc.auth(), "Content-Type": "application/json"},
                        content=big)
    assert r.status_code == 413 and r.json()["limit_bytes"] == 5 * 1024 * 1024
    assert _row(svc, r)["status"] == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        yield big[: len(big) // 2]
        yield big[len(big) // 2:]

    r = svc.client.post(f"/cds-services/{PATIENT_VIEW}", headers={**svc.auth(), "Content-Type": "application/json"},
                        content=chunks())
    assert r.status_code == 413


def test_malformed_and_non_cds_bodies_are_400_and_422(svc: Svc) -> None:
    r = svc.client.post(f"/cds-services/{PATIENT_VIEW}", headers={**svc.auth(), "Content-Type": "application/json"},
                        content=b'{"hook": ')
    assert r.status_code == 400 and r.json() == {"error": "malformed JSON body"}
    r = svc.post(PATIENT_VIEW, {"hello": "world"})
    assert r.status_code == 422 and r.json()["error"] == "not a valid CDS Hooks request"
    r = svc.post(PATIENT_VIEW, hook_request("order-select", {"userId": "u", "patientId": "p"}))
    assert r.status_code == 422 and "patient-view" in r.json()["error"]
    r = svc.post(PATIENT_VIEW, hook_request("patient-view", {"userId": "u", "patientId": "../../etc"}))
    assert r.status_code == 422 and "patientId" in r.json()["error"]
    r = svc.post("no-such-service", patient_view_request(prefetch={}))
    assert r.status_code == 404


def test_application_log_holds_no_patient_data(svc: Svc, example_prefetch: dict[str, Any],
                                               caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        r = svc.post(PATIENT_VIEW, patient_view_request(prefetch=example_prefetch))
        svc.post(PATIENT_VIEW, patient_view_request(prefetch={"patient": None}))
    assert r.status_code == 200
    text = "\n".join(rec.getMessage() for rec in caplog.records)
    assert r.headers["x-request-id"] in text
    for secret in (EXAMPLE_PATIENT, "Example-Patient", "1994-05-17", "CRS grade"):
        assert secret not in text


def test_every_request_has_exactly_one_audit_row(svc: Svc) -> None:
    rows = svc.audit.rows()
    ids = [r["request_id"] for r in rows]
    assert len(ids) == len(set(ids)) and len(rows) >= 20
    assert json.dumps([r["status"] for r in rows])


def test_an_issuer_whose_keys_are_at_a_jwks_url_is_verified_and_a_foreign_key_refused(
        tmp_path: Path, example_prefetch: dict[str, Any]) -> None:
    """The EHR publishes its JWKS over HTTP (a real server on loopback); the service fetches it."""
    from fastapi import FastAPI

    ehr = Signer(iss="https://ehr-with-url.example", kid="ehr-url-key")
    keys = FastAPI()
    fetched: list[str] = []

    @keys.get("/.well-known/jwks.json")
    def jwks() -> dict[str, Any]:
        fetched.append("jwks")
        return ehr.jwks()

    with serve(keys) as key_base:
        port = free_port()
        settings = Settings(service_url=f"http://127.0.0.1:{port}/cds-services",
                            audit_db=f"sqlite:///{tmp_path / 'audit.db'}",
                            issuers=[{"iss": ehr.iss, "jwks_url": f"{key_base}/.well-known/jwks.json"}],
                            time_limit_s=20)
        with serve(create_app(settings), port) as base, httpx.Client(base_url=base, timeout=30) as client:
            aud = f"{base}/cds-services"
            ok = client.post(f"/cds-services/{PATIENT_VIEW}", json=patient_view_request(prefetch=example_prefetch),
                             headers={"Authorization": f"Bearer {ehr.token(aud)}"})
            assert ok.status_code == 200, ok.text
            assert fetched, "the JWKS URL was never fetched"
            impostor = Signer(iss=ehr.iss, kid="ehr-url-key")  # same iss and kid, another private key
            bad = client.post(f"/cds-services/{PATIENT_VIEW}", json=patient_view_request(prefetch=example_prefetch),
                              headers={"Authorization": f"Bearer {impostor.token(aud)}"})
            assert (bad.status_code, bad.content) == (401, b"")
