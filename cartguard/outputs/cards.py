"""CDS Hooks 2.0 cards from a result: what an EHR shows in the chart when a hook fires.

One card per assessment worth showing (not "not applicable", not exactly 0) and one per
recommendation. Not grouped: each card's ``source.topic`` names exactly one rule, so a card a
clinician acted on traces back to one rule of one pack version (its ``uuid`` is a uuid5 of
patient, time, packs and rule id: :mod:`cartguard.outputs.trace`). Cards are ordered critical,
warning, info; within a level assessments first, then recommendations in the result's order.

The detail (GitHub-flavoured Markdown) carries what the JSON result carries: the rules that fired
with their texts and citations, the facts behind them (resource, value, unit, time, infusion day),
what is missing and what was assumed. Recommendation texts are quoted, never reworded. The only
suggestion is a MedicationRequest *draft* where the guidance computed a dose (drug, mg/kg, weight,
cap all from the packs and the chart); nothing else is turned into an order.

Decision support for clinicians, not a prescription.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cartguard.engine.results import Assessment, FactRef, Finding, InputReport, PatientResult, Recommendation
from cartguard.outputs import triage
from cartguard.outputs.fhir_resources import medication_request
from cartguard.outputs.trace import iso, rule_coding, trace_uuid

TRACE_EXTENSION = "example.cartguard.trace"
"""CDS Hooks extension key (reverse-domain, as the spec asks) holding what a card was computed from."""


# -- the CDS Hooks 2.0 card model -----------------------------------------------------------
class _Cds(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Coding(_Cds):
    system: str
    code: str
    display: str | None = None


class Source(_Cds):
    label: str
    url: str | None = None
    topic: Coding | None = None


class Action(_Cds):
    type: Literal["create", "update", "delete"]
    description: str
    resource: dict[str, Any] | None = None
    resourceId: str | None = None


class Suggestion(_Cds):
    label: str
    uuid: str | None = None
    isRecommended: bool | None = None
    actions: list[Action] = Field(default_factory=list)


class Link(_Cds):
    label: str
    url: str
    type: Literal["absolute", "smart"]
    appContext: str | None = None


class Card(_Cds):
    """A CDS Hooks 2.0 card; the model enforces the spec's rules (summary < 140, selectionBehavior)."""

    uuid: str
    summary: str = Field(max_length=triage.SUMMARY_MAX)
    detail: str | None = None
    indicator: triage.Indicator
    source: Source
    suggestions: list[Suggestion] | None = None
    selectionBehavior: Literal["at-most-one", "any"] | None = None
    links: list[Link] | None = None
    extension: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _selection(self) -> Card:
        if self.suggestions and self.selectionBehavior is None:
            raise ValueError("a card with suggestions needs selectionBehavior (CDS Hooks cds-resp-6)")
        if self.selectionBehavior == "at-most-one" and sum(bool(s.isRecommended) for s in self.suggestions or []) > 1:
            raise ValueError("at-most-one allows one recommended suggestion at most (CDS Hooks cds-resp-1)")
        return self


# -- Markdown ---------------------------------------------------------------------------------
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~#"})


def md(text: str) -> str:
    """Text safe inside GitHub-flavoured Markdown (``10*9/L`` must not start italics)."""
    return " ".join(str(text).split()).translate(_MD_SPECIAL)


def _code(text: str) -> str:
    return f"`{text}`"


def _fact(f: FactRef) -> str:
    if f.value is not None:
        shown = f"{f.comparator or ''}{triage.num(f.value)}" + (f" {f.unit}" if f.unit else "")
    else:
        shown = f.category or f.original_value or "recorded"
    sent = f"{f.original_value or ''} {f.original_unit or ''}".strip()
    if sent and sent.replace(" ", "") != shown.replace(" ", ""):
        shown += f" (sent as {sent})"
    day = f", day {f.day:+d}" if f.day is not None else ""
    return f"{_code(f.source)}: {md(shown)} at {iso(f.time)}{day}"


def _input(inp: InputReport, indent: str) -> list[str]:
    if inp.value is not None:
        value = triage.num(inp.value) + (f" {inp.unit}" if inp.unit else "")
    elif inp.range is not None:
        value = triage.range_text(*inp.range)
    else:
        value = inp.category or ("" if inp.known else "unknown")
    line = f"{indent}- {md(inp.label)}" + (f": {md(value)}" if value else "")
    line += " (assumed)" if inp.assumed else ""
    line += f" ({md(inp.note)})" if inp.note else ""
    return [line, *(f"{indent}  - {_fact(f)}" for f in inp.facts)]


def _finding(f: Finding) -> list[str]:
    text = f" {md(f.text)}" if f.text else ""
    lines = [f"- {_code(f.rule_id)}{text} ({_code(f.citation)})"]
    for inp in f.inputs:
        lines.extend(_input(inp, "  "))
    lines.extend(f"  - parameter {_code(p.name)} = {md(repr(p.value))} ({md(p.source)})" for p in f.parameters)
    return lines


def _footer(result: PatientResult) -> list[str]:
    day = f", infusion day {result.infusion_day:+d}" if result.infusion_day is not None else ""
    return ["", f"Evaluated at {iso(result.at)}{day} for {_code(result.patient)}. _{md(result.disclaimer)}_"]


def assessment_detail(a: Assessment, result: PatientResult) -> str:
    """Markdown: value, components, the findings with their facts, what is missing and assumed, sources."""
    status = {"graded": "graded", "indeterminate": "indeterminate: the range is still possible",
              "not_applicable": "not applicable"}[a.status]
    lines = [f"**{md(a.title)}**: **{triage.range_text(*a.range)}** ({status}). "
             f"Assessment {_code(a.id)} {md(a.version)}, scale {_code(a.scale or a.id)}."]
    if a.interpretation:
        lines += ["", f"Interpretation: {md(a.interpretation.label)} ({_code(a.interpretation.citation)})"]
    if a.components:
        lines += ["", "| Component | Value | Rules |", "|---|---|---|"]
        for c in a.components.values():
            value = triage.num(c.value) if c.value is not None else triage.range_text(*c.range)
            lines.append(f"| {md(c.title)} | {value} | {', '.join(_code(r) for r in c.rule_ids)} |")
    definite = [f for f in a.explanation if f.certainty == "definite"]
    possible = [f for f in a.explanation if f.certainty == "possible"]
    if definite:
        lines += ["", "**Why** (rules that hold, with the facts they read)", ""]
        for f in definite:
            lines += _finding(f)
    if possible:
        lines += ["", "**Still possible** (rules that depend on missing data)", ""]
        for f in possible:
            lines += _finding(f)
    if a.missing:
        lines += ["", "**Missing**", ""]
        lines += [f"- {md(m.label)} ({_code(m.input)}): {md(m.reason)}" for m in a.missing]
    if a.assumptions:
        lines += ["", "**Assumed**", ""]
        lines += [f"- {md(x)}" for x in a.assumptions]
    if a.citations:
        lines += ["", "**Sources**", ""]
        lines += [f"- {_code(k)}: {md(v)}" for k, v in a.citations.items()]
    return "\n".join(lines + _footer(result))


def recommendation_detail(rec: Recommendation, result: PatientResult) -> str:
    """Markdown: the recommendation quoted, when it applies, the computed dose, what it rests on, its source."""
    lines = [f"> {md(rec.text)}", "",
             f"Priority **{rec.priority}**, {rec.certainty}, {md(rec.category)}. "
             f"Rule {_code(rec.id)} of pack {_code(rec.pack)}."]
    if rec.certainty == "possible":
        lines += ["", "**Applies only if**: " + ("; ".join(md(u) for u in rec.unknown) or "confirmed")]
    if rec.dose:
        d = rec.dose
        cap = f"capped at {triage.num(d.cap_mg)} mg" if d.capped else f"cap {triage.num(d.cap_mg)} mg"
        lines += ["", f"**Computed dose**: {md(d.text)} ({cap}). A draft for the prescriber to check, not an order."]
    lines += ["", "**Based on**", ""]
    for inp in rec.explanation.inputs:
        lines += _input(inp, "")
    lines += [f"- parameter {_code(p.name)} = {md(repr(p.value))} ({md(p.source)})" for p in rec.explanation.parameters]
    lines += ["", f"**Source** ({_code(rec.citation)}): {md(rec.citation_text)}"]
    return "\n".join(lines + _footer(result))


# -- cards ------------------------------------------------------------------------------------
def _primary_citation(a: Assessment) -> str:
    return next(iter(a.citations.values()), a.title)


def assessment_card(a: Assessment, result: PatientResult) -> Card:
    return Card(
        uuid=trace_uuid(result, a.id),
        summary=triage.assessment_summary(a),
        detail=assessment_detail(a, result),
        indicator=triage.assessment_indicator(a),
        source=Source(label=_primary_citation(a), topic=Coding(**rule_coding(a.id, a.title))),
        extension={TRACE_EXTENSION: {"rule": a.id, "kind": "assessment"}},
    )


def recommendation_card(rec: Recommendation, result: PatientResult, tested: frozenset[str] = frozenset()) -> Card:
    suggestions = None
    order = medication_request(result, rec, tested)
    if order is not None and rec.dose is not None:
        suggestions = [Suggestion(
            label=triage.fit(f"Draft order for review: {rec.dose.drug} {triage.num(rec.dose.mg)} mg "
                             f"{rec.dose.route} (computed dose)"),
            uuid=trace_uuid(result, rec.id, "suggestion"),
            actions=[Action(type="create", resource=order,
                            description=f"Create a draft MedicationRequest (intent proposal): {rec.dose.text}")],
        )]
    return Card(
        uuid=trace_uuid(result, rec.id),
        summary=triage.recommendation_summary(rec),
        detail=recommendation_detail(rec, result),
        indicator=triage.recommendation_indicator(rec),
        source=Source(label=rec.citation_text, topic=Coding(**rule_coding(rec.id, rec.text))),
        suggestions=suggestions,
        selectionBehavior="at-most-one" if suggestions else None,
        extension={TRACE_EXTENSION: {"rule": rec.id, "kind": "recommendation"}},
    )


def patient_cards(result: PatientResult, tested: frozenset[str] = frozenset()) -> list[Card]:
    """Every card of one patient, critical first. ``tested``: patients whose input was tagged HTEST
    (their draft orders carry the tag too; see :func:`cartguard.outputs.trace.htest_patients`)."""
    cards = [assessment_card(a, result) for a in result.assessments.values() if triage.worth_a_card(a)]
    cards += [recommendation_card(r, result, tested) for r in result.recommendations]
    return sorted(cards, key=lambda c: -triage.RANK[c.indicator])  # stable: assessments, then guidance


def response(result: PatientResult, tested: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A CDS Hooks service response ``{"cards": [...], "extension": {...}}`` for one patient, JSON-ready.

    The response extension names what every card's uuid was derived from (patient, time, packs); each
    card's own extension adds its rule id.
    """
    trace = {"patient": result.patient, "at": iso(result.at),
             "packs": sorted(f"{p.id}@{p.version}#{p.sha256}" for p in result.packs)}
    return {"cards": [c.model_dump(mode="json", exclude_none=True) for c in patient_cards(result, tested)],
            "extension": {TRACE_EXTENSION: trace}}


def responses(results: Iterable[PatientResult], tested: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """One CDS Hooks response per patient, in the results' order."""
    return [response(r, tested) for r in results]
