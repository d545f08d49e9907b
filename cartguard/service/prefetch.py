"""Prefetch templates built from the loaded packs' bindings, and what to do when data is missing.

The Observation template asks only for the codes the pack set binds (LOINC and any site-local code,
exact codes only: a code family ``loinc|123*`` cannot be searched) dated within the look-back
(``{{today() - N days}}``, CDS Hooks 2.0 FHIRPath token; ``Settings.observation_lookback_days``).
A key the EHR did not prefetch (absent or null) is fetched from ``fhirServer`` with the given bearer
token and a bounded timeout; with no ``fhirServer`` the request cannot be answered: 412.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from cartguard.engine.packset import PackSet
from cartguard.fhir_adapters.bindings import Bindings


class PrefetchMissing(Exception):
    """Data the service needs is neither prefetched nor fetchable (412)."""


class FetchFailed(Exception):
    """The EHR's FHIR server did not answer usably (502 or, on timeout, the time limit)."""


def _codes(bindings: Bindings, kind: str) -> list[str]:
    exact: dict[tuple[str, str], tuple[Any, str]] = bindings._exact  # the merged exact-code index
    return sorted(f"{system}|{code}" for (system, code), (concept, _) in exact.items() if concept.kind == kind)


def templates(packset: PackSet, lookback_days: int, hook: str) -> dict[str, str]:
    """The prefetch templates of one service (``hook`` patient-view or order-select)."""
    p = "{{context.patientId}}"
    obs = ",".join(_codes(packset.bindings, "observations"))
    out = {
        "patient": f"Patient/{p}",
        "observations": f"Observation?patient={p}&code={obs}&date=ge{{{{today() - {lookback_days} days}}}}",
        "medications": f"MedicationAdministration?patient={p}",
    }
    if hook == "patient-view":
        questionnaires = ",".join(sorted(packset.bindings.questionnaires))
        out["conditions"] = f"Condition?patient={p}"
        out["procedures"] = f"Procedure?patient={p}"
        out["questionnaires"] = f"QuestionnaireResponse?patient={p}" + (
            f"&questionnaire={questionnaires}" if questionnaires else "")
    return out


_TOKEN = re.compile(r"\{\{\s*([^}]+?)\s*\}\}")
_TODAY = re.compile(r"today\(\)\s*(?:-\s*(\d+)\s*days?)?")


def resolve(template: str, context: dict[str, Any], today: datetime | None = None) -> str:
    """Fill ``{{context.x}}`` and ``{{today() - N days}}`` tokens; an unknown token raises PrefetchMissing."""
    day = (today or datetime.now(UTC)).date()

    def sub(m: re.Match[str]) -> str:
        expr = m.group(1)
        if expr.startswith("context."):
            value = context.get(expr.removeprefix("context."))
            if not isinstance(value, str) or not value:
                raise PrefetchMissing(f"context.{expr.removeprefix('context.')} is needed to fetch data")
            return value
        t = _TODAY.fullmatch(expr)
        if t:
            return (day - timedelta(days=int(t.group(1) or 0))).isoformat()
        raise PrefetchMissing(f"unsupported prefetch token {expr!r}")

    return _TOKEN.sub(sub, template)


def resources_of(value: Any) -> list[dict[str, Any]]:
    """The resources of one prefetch value: a resource, or a Bundle (searchset) of them."""
    if not isinstance(value, dict):
        return []
    if value.get("resourceType") == "Bundle":
        entries = value.get("entry")
        return [e["resource"] for e in entries if isinstance(e, dict) and isinstance(e.get("resource"), dict)] \
            if isinstance(entries, list) else []
    return [value] if isinstance(value.get("resourceType"), str) else []


async def gather(templates_: dict[str, str], prefetch: dict[str, Any] | None, context: dict[str, Any],
                 fhir_server: str | None, access_token: str | None, client: httpx.AsyncClient,
                 max_pages: int) -> tuple[list[dict[str, Any]], list[str]]:
    """Every resource of every template: prefetched, or fetched from ``fhir_server``.

    Returns (resources, keys fetched). Raises PrefetchMissing (412) or FetchFailed (502)."""
    prefetch = prefetch or {}
    out: list[dict[str, Any]] = []
    fetched: list[str] = []
    for key, template in templates_.items():
        value = prefetch.get(key)
        if value is not None:
            out.extend(resources_of(value))
            continue
        if not fhir_server:
            raise PrefetchMissing(f"prefetch {key!r} is missing and no fhirServer was given")
        out.extend(await _fetch(resolve(template, context), fhir_server, access_token, client, max_pages))
        fetched.append(key)
    return out, fetched


async def _fetch(query: str, server: str, token: str | None, client: httpx.AsyncClient,
                 max_pages: int) -> list[dict[str, Any]]:
    headers = {"Accept": "application/fhir+json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    url: str | None = f"{server.rstrip('/')}/{query}"
    out: list[dict[str, Any]] = []
    for _ in range(max_pages):
        if url is None:
            break
        try:
            resp = await client.get(url, headers=headers)
        except httpx.TimeoutException:
            raise
        except httpx.HTTPError as exc:
            raise FetchFailed(f"fhirServer unreachable ({type(exc).__name__})") from None
        if resp.status_code == 404 and "?" not in query:
            return out  # a read of a resource that does not exist
        if resp.status_code != 200:
            raise FetchFailed(f"fhirServer answered {resp.status_code}")
        try:
            body = resp.json()
        except ValueError:
            raise FetchFailed("fhirServer answered with something that is not JSON") from None
        out.extend(resources_of(body))
        url = None
        if isinstance(body, dict) and body.get("resourceType") == "Bundle":
            for link in body.get("link") or []:
                nxt = link.get("url") if isinstance(link, dict) and link.get("relation") == "next" else None
                # the token goes only to the EHR's own server, never to a host a response names
                if isinstance(nxt, str) and nxt.startswith(server.rstrip("/") + "/"):
                    url = nxt
    return out
