"""The CDS Hooks 2.0 service: discovery, patient-view, order-select (tocilizumab), feedback.

``create_app(settings)`` wires everything: one :class:`~cartguard.runtime.Runtime` (durable-rules is
not thread-safe, so evaluations run one at a time in a single worker thread), the JWT verifier,
the audit log and an HTTP client for the EHR's FHIR server. The guard middleware runs before any
route: request id, JWT (401 with an empty body), body size (413), and one log line per request with
the request id, status and duration only - never patient data (that goes to the audit log).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import httpx
import orjson
from fastapi import FastAPI, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cartguard.errors import CartguardError, InputError
from cartguard.fhir_adapters.loading import LoadResult, load_bytes
from cartguard.fhir_adapters.mapper import map_patient
from cartguard.fhir_adapters.validation import validate
from cartguard.outputs import cds_hooks_response
from cartguard.runtime import Runtime
from cartguard.service import prefetch as _prefetch
from cartguard.service import tocilizumab as _toci
from cartguard.service.audit import AuditLog, canonical_sha256, input_sha256
from cartguard.service.security import Unauthorized, Verifier
from cartguard.service.settings import Settings

log = logging.getLogger("cartguard.service")

PATIENT_VIEW = "cartguard-patient-view"
ORDER_SELECT = "cartguard-tocilizumab-order-select"
SERVICES = {
    PATIENT_VIEW: ("patient-view", "cartguard: CAR-T toxicity (CRS, ICANS, DIC)",
                   "CRS and ICANS grades (ASTCT 2019), the ISTH overt-DIC score and escalation guidance, "
                   "each with its rule, facts and citation."),
    ORDER_SELECT: ("order-select", "cartguard: tocilizumab dose check",
                   "Checks a draft tocilizumab order against body weight, the per-dose maximum and the doses "
                   "in 24 h and in total; label and guideline limits as separate findings."),
}
# Documents the bearer scheme in the OpenAPI schema; the Guard middleware does the checking.
BearerToken = Annotated[Any, Security(HTTPBearer(auto_error=False,
                                                 description="A JWT signed by a configured EHR issuer."))]
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


# -- request models (CDS Hooks 2.0) ---------------------------------------------------------
class FhirAuthorization(BaseModel):
    model_config = ConfigDict(extra="allow")
    access_token: str
    token_type: str = "Bearer"
    expires_in: int | None = None
    scope: str | None = None
    subject: str | None = None


class HookRequest(BaseModel):
    """A CDS Hooks service request; ``context`` is checked per service."""

    model_config = ConfigDict(extra="allow")
    hook: str
    hookInstance: str
    fhirServer: str | None = None
    fhirAuthorization: FhirAuthorization | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None


class PatientViewContext(BaseModel):
    model_config = ConfigDict(extra="allow")
    userId: str
    patientId: str = Field(pattern=_FHIR_ID.pattern)
    encounterId: str | None = None


class OrderSelectContext(PatientViewContext):
    selections: list[str] = Field(default_factory=list)
    draftOrders: dict[str, Any]


class FeedbackItem(BaseModel):
    model_config = ConfigDict(extra="allow")
    card: str
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[dict[str, Any]] | None = None
    overrideReason: dict[str, Any] | None = None
    outcomeTimestamp: str


class FeedbackRequest(BaseModel):
    feedback: list[FeedbackItem] = Field(min_length=1)


class CdsResponse(BaseModel):
    cards: list[dict[str, Any]]


class _Problem(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self.status, self.message, self.headers = status, message, headers
        super().__init__(message)


def _service_of(path: str) -> str | None:
    parts = path.strip("/").split("/")
    return parts[1] if len(parts) >= 2 and parts[0] == "cds-services" else None


# -- guard middleware -------------------------------------------------------------------------
class Guard:
    """Request id, JWT check, body size limit and the one-line request log (pure ASGI)."""

    def __init__(self, app: ASGIApp, state: _State) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = uuid.uuid4().hex
        start = time.perf_counter()
        status = 500
        scope.setdefault("state", {})["request_id"] = rid

        too_large = False
        refused = False

        async def send_wrapped(message: Message) -> None:
            nonlocal status, refused
            if too_large:  # the body outgrew the limit while the app read it: answer 413 instead
                if not refused:
                    refused = True
                    await self._refuse(scope, rid, 413, send_wrapped_raw)
                return
            await send_wrapped_raw(message)

        async def send_wrapped_raw(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            refusal = await self._check(scope)
            if refusal is not None:
                await self._refuse(scope, rid, refusal, send_wrapped_raw)
                return
            limit = self.state.settings.max_body_bytes
            seen = 0

            async def receive_limited() -> Message:
                nonlocal seen, too_large
                if too_large:
                    return {"type": "http.request", "body": b"", "more_body": False}
                message = await receive()
                if message["type"] == "http.request":
                    seen += len(message.get("body", b""))
                    if seen > limit:
                        too_large = True
                        return {"type": "http.request", "body": b"", "more_body": False}
                return message

            await self.app(scope, receive_limited, send_wrapped)
        finally:
            log.info("%s %s %s %d %.1fms", rid, scope["method"], scope["path"], status,
                     (time.perf_counter() - start) * 1000)

    async def _check(self, scope: Scope) -> int | None:
        if scope["method"] != "POST":
            return None
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            claims = await run_in_threadpool(self.state.verifier.verify, headers.get("authorization"),
                                             _service_of(scope["path"]))
        except Unauthorized:
            return 401
        scope["state"]["claims"] = claims
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.state.settings.max_body_bytes):
            return 413
        return None

    async def _refuse(self, scope: Scope, rid: str, status: int, send: Send) -> None:
        claims = scope["state"].get("claims") or {}
        await self.state.write_audit(request_id=rid, kind="refused", service_id=_service_of(scope["path"]),
                                     status=status, jwt_iss=claims.get("iss"), jwt_jti=claims.get("jti"))
        body = b"" if status == 401 else orjson.dumps({"error": "request body too large",
                                                        "limit_bytes": self.state.settings.max_body_bytes})
        headers = [(b"content-length", str(len(body)).encode())]
        headers.append((b"www-authenticate", b"Bearer") if status == 401 else (b"content-type", b"application/json"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


# -- application state --------------------------------------------------------------------------
class _State:
    def __init__(self, settings: Settings, runtime: Runtime | None) -> None:
        self.settings = settings
        self.runtime = runtime or Runtime()
        self.verifier = Verifier(settings)
        self.audit = AuditLog(settings.audit_db)
        self.evaluator_thread = ThreadPoolExecutor(1, thread_name_prefix="cartguard-eval")
        self.audit_thread = ThreadPoolExecutor(1, thread_name_prefix="cartguard-audit")
        self.client: httpx.AsyncClient | None = None

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.evaluator_thread, fn, *args)

    async def write_audit(self, **row: Any) -> None:
        await asyncio.get_running_loop().run_in_executor(self.audit_thread, lambda: self.audit.append(**row))

    def close(self) -> None:
        self.evaluator_thread.shutdown(wait=True, cancel_futures=True)
        self.audit_thread.shutdown(wait=True)
        self.audit.close()


def _discovery(state: _State) -> dict[str, Any]:
    out = []
    for sid, (hook, title, description) in SERVICES.items():
        out.append({"hook": hook, "id": sid, "title": title, "description": description,
                    "prefetch": _prefetch.templates(state.runtime.packset, state.settings.observation_lookback_days,
                                                    hook)})
    return {"services": out}


def _bundle(resources: list[dict[str, Any]]) -> LoadResult:
    try:
        data = orjson.dumps({"resourceType": "Bundle", "type": "collection",
                             "entry": [{"resource": r} for r in resources]})
    except TypeError:  # an integer beyond 64 bits: no FHIR value is
        raise InputError("a number in the prefetched data is out of range", source="prefetch") from None
    return load_bytes(data, origin="prefetch")


def create_app(settings: Settings, *, runtime: Runtime | None = None) -> FastAPI:
    """The ASGI app. ``runtime`` defaults to the installed pack set (reload it with ``runtime.reload()``)."""
    state = _State(settings, runtime)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        timeout = httpx.Timeout(settings.fetch_timeout_s)
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            state.client = client
            try:
                yield
            finally:
                state.client = None
                state.close()

    app = FastAPI(title="cartguard CDS Hooks service", version="1.0.0", lifespan=lifespan,
                  description="CDS Hooks 2.0 services for CAR-T toxicity (docs/service.md). "
                              "Decision support for clinicians, not a prescription.")
    app.state.cartguard = state

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return JSONResponse({"error": "malformed JSON body"}, status_code=400)
        return JSONResponse({"error": "not a valid CDS Hooks request", "details": _safe(errors)}, status_code=422)

    @app.exception_handler(_Problem)
    async def _problem(request: Request, exc: _Problem) -> JSONResponse:
        return JSONResponse({"error": exc.message}, status_code=exc.status, headers=exc.headers)

    @app.get("/cds-services", summary="CDS Hooks discovery")
    async def discovery() -> dict[str, Any]:
        return _discovery(state)

    @app.post("/cds-services/{service_id}", summary="Call a CDS service", response_model=None,
              responses={200: {"model": CdsResponse}, 400: {}, 401: {}, 404: {}, 412: {}, 413: {}, 422: {},
                         502: {}, 503: {}, 504: {}})
    async def call(service_id: str, body: HookRequest, request: Request,
                   _token: BearerToken = None) -> Response:
        # orjson straight to bytes: FastAPI's jsonable_encoder walk would cost more than the cards
        return Response(orjson.dumps(await _handle(state, service_id, body, request)),
                        media_type="application/json")

    @app.post("/cds-services/{service_id}/feedback", summary="Feedback on cards shown", response_model=None,
              responses={200: {}, 401: {}, 404: {}, 413: {}, 422: {}})
    async def feedback(service_id: str, body: FeedbackRequest, request: Request,
                       _token: BearerToken = None) -> dict[str, Any]:
        if service_id not in SERVICES:
            raise _Problem(404, f"no service {service_id!r}")
        claims = request.state.claims
        await state.write_audit(
            request_id=request.state.request_id, kind="feedback", service_id=service_id, hook="feedback",
            input_sha256=canonical_sha256(body.model_dump(mode="json")),
            card_uuids=[f.card for f in body.feedback],
            result={"outcomes": [f.outcome for f in body.feedback]},
            jwt_iss=claims.get("iss"), jwt_jti=claims.get("jti"), status=200)
        return {}

    app.add_middleware(Guard, state=state)
    return app


def app_from_env() -> FastAPI:
    """uvicorn factory for several worker processes: settings from ``CARTGUARD_SERVICE_SETTINGS`` (JSON)."""
    import os

    return create_app(Settings.model_validate_json(os.environ["CARTGUARD_SERVICE_SETTINGS"]))


def _safe(errors: Any) -> list[dict[str, Any]]:
    """Validation errors without the offending input (it may be patient data)."""
    return [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in errors]


async def _handle(state: _State, service_id: str, body: HookRequest, request: Request) -> dict[str, Any]:
    rid, claims = request.state.request_id, request.state.claims
    started = time.perf_counter()
    row: dict[str, Any] = {"request_id": rid, "kind": "evaluation", "service_id": service_id, "hook": body.hook,
                           "hook_instance": body.hookInstance[:128], "jwt_iss": claims.get("iss"),
                           "jwt_jti": claims.get("jti")}
    try:
        if service_id not in SERVICES:
            raise _Problem(404, f"no service {service_id!r}")
        hook = SERVICES[service_id][0]
        if body.hook != hook:
            raise _Problem(422, f"service {service_id} answers the {hook} hook, not {body.hook!r}")
        ctx_model = PatientViewContext if hook == "patient-view" else OrderSelectContext
        try:
            ctx = ctx_model.model_validate(body.context)
        except ValidationError as exc:
            raise _Problem(422, "context is not a valid " + hook + " context: " + "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())) from None
        row["patient"] = f"Patient/{ctx.patientId}"
        work: Awaitable[dict[str, Any]] = (_patient_view(state, body, ctx, row) if hook == "patient-view"
                                           else _order_select(state, body, ctx, row))  # type: ignore[arg-type]
        try:
            response = await asyncio.wait_for(work, state.settings.time_limit_s)
        except TimeoutError:
            raise _Problem(503, f"no answer within the service's time limit ({state.settings.time_limit_s:g} s)",
                           {"Retry-After": "1"}) from None
        row["status"] = 200
        row["card_uuids"] = [c["uuid"] for c in response["cards"]]
        return response
    except _Problem as exc:
        row["status"] = exc.status
        row.setdefault("result", {"error": exc.message[:500]})
        raise
    finally:
        row.setdefault("status", 500)
        row["duration_ms"] = int((time.perf_counter() - started) * 1000)
        await state.write_audit(**row)


async def _resources(state: _State, body: HookRequest, hook: str, row: dict[str, Any]) -> list[dict[str, Any]]:
    templates = _prefetch.templates(state.runtime.packset, state.settings.observation_lookback_days, hook)
    assert state.client is not None
    token = body.fhirAuthorization.access_token if body.fhirAuthorization else None
    try:
        resources, fetched = await _prefetch.gather(templates, body.prefetch, body.context, body.fhirServer, token,
                                                    state.client, state.settings.fetch_max_pages)
    except _prefetch.PrefetchMissing as exc:
        raise _Problem(412, str(exc)) from None
    except _prefetch.FetchFailed as exc:
        raise _Problem(502, str(exc)) from None
    except httpx.TimeoutException:
        raise _Problem(504, f"fhirServer did not answer within {state.settings.fetch_timeout_s:g} s") from None
    row["result"] = {"fetched": fetched}
    return resources


async def _patient_view(state: _State, body: HookRequest, ctx: PatientViewContext, row: dict[str, Any]
                        ) -> dict[str, Any]:
    resources = await _resources(state, body, "patient-view", row)
    row["input_sha256"] = input_sha256(body.hook, body.context, resources)
    patient = f"Patient/{ctx.patientId}"
    at = datetime.now(UTC) if state.settings.evaluation_time == "now" else None

    def evaluate() -> tuple[Any, LoadResult | None]:
        loaded = _bundle(resources)
        own = LoadResult({patient: loaded.patients[patient]} if patient in loaded.patients else {}, loaded.warnings)
        if not own.patients:
            return None, loaded
        return state.runtime.evaluate(own, at=at)[0], own

    try:
        result, loaded = await state.run(evaluate)
    except CartguardError as exc:
        raise _Problem(422, f"the prefetched data cannot be evaluated: {exc}") from None
    if result is None:
        row["result"] = {**row.get("result", {}), "patient_found": False}
        return {"cards": []}
    row["packs"] = [f"{p.id}@{p.version}#{p.sha256}" for p in result.packs]
    row["result"] = {**row.get("result", {}), "at": result.at.isoformat(),
                     "assessments": {k: {"value": a.value, "status": a.status} for k, a in result.assessments.items()},
                     "recommendations": [r.id for r in result.recommendations]}
    return cds_hooks_response(result, loaded=loaded)


async def _order_select(state: _State, body: HookRequest, ctx: OrderSelectContext, row: dict[str, Any]
                        ) -> dict[str, Any]:
    packset = state.runtime.packset
    orders = _toci.tocilizumab_orders(packset, ctx.draftOrders, ctx.selections)
    row["input_sha256"] = input_sha256(body.hook, body.context, [])
    row["packs"] = [f"{p.id}@{p.version}#{p.sha256}" for p in packset.pack_infos()]
    if not orders:
        row["result"] = {"orders": 0}
        return {"cards": []}
    resources = await _resources(state, body, "order-select", row)
    row["input_sha256"] = input_sha256(body.hook, body.context, resources)
    patient = f"Patient/{ctx.patientId}"
    now = datetime.now(UTC)

    def check() -> list[_toci.Finding]:
        loaded = _bundle(resources)
        pr = loaded.patients.get(patient)
        if pr is None:
            from cartguard.fhir_adapters.loading import PatientResources

            pr = PatientResources(patient)
        pf = map_patient(pr, packset.bindings, validate_resources="lazy")
        used = {f.source for f in pf.facts if f.concept == _toci.WEIGHT or _toci.CLASS in f.classes}
        pf.validate_sources(used, validate)
        return [f for order in orders for f in _toci.check(order, pf, packset, now)]

    try:
        findings = await state.run(check)
    except CartguardError as exc:
        raise _Problem(422, f"the prefetched data cannot be evaluated: {exc}") from None
    row["result"] = {**row.get("result", {}), "orders": len(orders), "at": now.isoformat(),
                     "findings": [f"{f.indicator}:{f.id}" for f in findings]}
    return {"cards": _toci.cards(findings, packset, row["input_sha256"])}
