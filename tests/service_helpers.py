"""Helpers for the service tests and the load benchmark: keys and tokens, a real uvicorn server on
loopback in a thread, the example patient as a CDS Hooks prefetch, and a tiny FHIR server stub."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import jwt
import orjson
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from cartguard.fhir_adapters.timeparse import parse_datetime

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "patient-cart-example.json"
EXAMPLE_AT = "2026-03-17T08:00:00Z"
EXAMPLE_PATIENT = "cart-example-001"
PATIENT_VIEW = "cartguard-patient-view"
ORDER_SELECT = "cartguard-tocilizumab-order-select"
ISSUER = "https://ehr.example.org"


class Signer:
    """An EHR's RSA key pair: writes its JWKS and signs CDS Hooks tokens."""

    def __init__(self, iss: str = ISSUER, kid: str | None = None) -> None:
        self.iss = iss
        self.kid = kid or uuid.uuid4().hex[:8]
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS384"})
        return {"keys": [jwk]}

    def write_jwks(self, path: Path) -> Path:
        path.write_text(json.dumps(self.jwks()), encoding="utf-8")
        return path

    def token(self, aud: str, *, iss: str | None = None, exp_in: float = 300, iat_shift: float = 0,
              jti: str | None = None, **extra: Any) -> str:
        now = int(time.time())
        claims = {"iss": iss or self.iss, "aud": aud, "exp": now + int(exp_in), "iat": now + int(iat_shift),
                  "jti": jti or uuid.uuid4().hex, **extra}
        return jwt.encode(claims, self.key, algorithm="RS384", headers={"kid": self.kid})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: Any, port: int | None = None) -> Iterator[str]:
    """Run ``app`` under a real uvicorn server on 127.0.0.1 in a thread; yields its base URL."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                            lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


# -- the example patient as the EHR would have it at EXAMPLE_AT --------------------------------
_TIME_FIELDS = ("effectiveDateTime", "effectiveInstant", "issued", "authored", "performedDateTime",
                "onsetDateTime", "recordedDate")
_PERIODS = ("effectivePeriod", "performedPeriod")


def _time_of(res: dict[str, Any]) -> datetime | None:
    for f in _TIME_FIELDS:
        if res.get(f):
            return parse_datetime(res[f])
    for f in _PERIODS:
        if isinstance(res.get(f), dict) and res[f].get("start"):
            return parse_datetime(res[f]["start"])
    return None


def example_resources(at: str = EXAMPLE_AT) -> list[dict[str, Any]]:
    """The example's resources that existed at ``at``: later ones dropped, later ends cut off."""
    cutoff = parse_datetime(at)
    assert cutoff is not None
    out = []
    for e in orjson.loads(EXAMPLE.read_bytes())["entry"]:
        res = e["resource"]
        t = _time_of(res)
        if t is not None and t > cutoff:
            continue
        res = dict(res)
        end = parse_datetime(res.get("abatementDateTime")) if res.get("abatementDateTime") else None
        if end is not None and end > cutoff:
            del res["abatementDateTime"]
            res["clinicalStatus"] = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                                 "code": "active"}]}
        for f in _PERIODS:
            p = res.get(f)
            if isinstance(p, dict) and p.get("end") and (parse_datetime(p["end"]) or cutoff) > cutoff:
                res[f] = {k: v for k, v in p.items() if k != "end"}
                if res.get("status") == "completed":
                    res["status"] = "in-progress"
        out.append(res)
    return out


_KEYS = {"Patient": "patient", "Observation": "observations", "MedicationAdministration": "medications",
         "Condition": "conditions", "Procedure": "procedures", "QuestionnaireResponse": "questionnaires"}


def searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "entry": [{"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": r, "search": {"mode": "match"}}
                      for r in resources]}


def prefetch_of(resources: list[dict[str, Any]], keys: tuple[str, ...] | None = None) -> dict[str, Any]:
    """A CDS Hooks prefetch: the Patient read, a searchset Bundle per other template."""
    by_key: dict[str, list[dict[str, Any]]] = {k: [] for k in _KEYS.values()}
    for r in resources:
        key = _KEYS.get(r["resourceType"])
        if key:
            by_key[key].append(r)
    out: dict[str, Any] = {k: searchset(v) for k, v in by_key.items() if k != "patient"}
    out["patient"] = by_key["patient"][0] if by_key["patient"] else None
    return {k: v for k, v in out.items() if keys is None or k in keys}


def hook_request(hook: str, context: dict[str, Any], prefetch: dict[str, Any] | None = None,
                 **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"hook": hook, "hookInstance": str(uuid.uuid4()), "context": context, **extra}
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body


def patient_view_request(patient: str = EXAMPLE_PATIENT, prefetch: dict[str, Any] | None = None,
                         **extra: Any) -> dict[str, Any]:
    return hook_request("patient-view", {"userId": "Practitioner/dr-1", "patientId": patient}, prefetch, **extra)


# -- a FHIR server stub ---------------------------------------------------------------------------
def fhir_stub(resources: list[dict[str, Any]], seen: list[dict[str, str]]) -> Any:
    """A tiny FHIR server: reads by type/id and searches by patient (paged in 2), recording each request."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def handle(request: Request) -> JSONResponse:
        seen.append({"path": request.url.path, "query": request.url.query,
                     "authorization": request.headers.get("authorization", "")})
        rtype, rid = request.path_params["rtype"], request.path_params.get("rid")
        if rid is not None:
            hit = [r for r in resources if r["resourceType"] == rtype and r.get("id") == rid]
            return JSONResponse(hit[0]) if hit else JSONResponse({"resourceType": "OperationOutcome"}, 404)
        patient = request.query_params.get("patient", "")
        found = [r for r in resources if r["resourceType"] == rtype and
                 (r.get("subject") or r.get("patient") or {}).get("reference") == f"Patient/{patient}"]
        page = int(request.query_params.get("_page", "0"))
        half = (len(found) + 1) // 2
        chunk = found[:half] if page == 0 else found[half:]
        bundle = searchset(chunk)
        if page == 0 and len(found) > 1:
            bundle["link"] = [{"relation": "next", "url": f"{request.url.remove_query_params('_page')}&_page=1"}]
        return JSONResponse(bundle)

    return Starlette(routes=[Route("/fhir/{rtype}/{rid}", handle), Route("/fhir/{rtype}", handle)])
