"""order-select: check a draft tocilizumab order against the label and the guideline, separately.

Every limit is a parameter of the guidance pack (``toci.*`` in rules/guidance/core.yaml, site
overridable), never a constant here. Findings:

* label: weight-based dose (``toci.label.mg_per_kg_*`` split at ``toci.label.weight_split_kg``),
  per-dose maximum, doses in total in the episode window, hours since the last dose;
* guideline: weight-based dose, per-dose maximum, doses in 24 h, doses in total.

Exceeding a maximum (dose, doses in 24 h, doses in total) is critical; a dose above the weight-based
dose, too short an interval or an unknown weight is a warning; an order within every limit gets one
info card. Prior doses are the patient's tocilizumab MedicationAdministrations (not
entered-in-error, not-done) up to the request time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from cartguard.engine.packset import PackSet
from cartguard.fhir_adapters.facts import PatientFacts
from cartguard.fhir_adapters.units import UnitError, to_canonical

CLASS = "tocilizumab"
WEIGHT = "body_weight"
_NS = uuid.UUID("5b0f3c1e-7a53-4c55-9a3e-3f6c2b1f0e11")


@dataclass(frozen=True)
class Finding:
    id: str
    indicator: str  # info | warning | critical
    basis: str  # label | guideline | both
    summary: str
    detail: str


def tocilizumab_orders(packset: PackSet, draft_orders: Any, selections: list[str] | None) -> list[dict[str, Any]]:
    """The draft MedicationRequests for a drug of class tocilizumab (restricted to ``selections`` if given)."""
    entries = draft_orders.get("entry") if isinstance(draft_orders, dict) else None
    out = []
    for e in entries if isinstance(entries, list) else []:
        res = e.get("resource") if isinstance(e, dict) else None
        if not isinstance(res, dict) or res.get("resourceType") != "MedicationRequest":
            continue
        if selections and f"MedicationRequest/{res.get('id')}" not in selections:
            continue
        hit = packset.bindings.match(res.get("medicationCodeableConcept"), "medications")
        if hit and CLASS in hit[0].classes:
            out.append(res)
    return out


def _ordered_dose(order: dict[str, Any], weight_kg: float | None) -> tuple[float | None, str]:
    """(dose in mg or None, how it was read)."""
    for di in order.get("dosageInstruction") or []:
        for dr in (di.get("doseAndRate") or []) if isinstance(di, dict) else []:
            q = dr.get("doseQuantity") if isinstance(dr, dict) else None
            if not isinstance(q, dict) or q.get("value") is None:
                continue
            unit = q.get("code") or q.get("unit")
            try:
                value = Decimal(str(q["value"]))
                if unit == "mg/kg":
                    if weight_kg is None:
                        return None, f"{value} mg/kg ordered and no body weight known"
                    return float(value) * weight_kg, f"{value} mg/kg x {weight_kg:g} kg"
                return float(to_canonical(value, unit, "mg")[0]), f"{value} {unit}"
            except (InvalidOperation, UnitError, TypeError, ValueError):
                return None, f"dose unit {unit!r} is not a mass"
    return None, "no doseQuantity in the order"


def check(order: dict[str, Any], pf: PatientFacts, packset: PackSet, now: datetime) -> list[Finding]:
    """The findings of one draft tocilizumab order for the patient ``pf`` at ``now``."""
    p = packset.params
    rule_set = p.get("toci.rule_set", "both")
    use_label, use_guideline = rule_set in ("label", "both"), rule_set in ("guideline", "both")
    facts = [f for f in pf.facts if f.time <= now]
    weights = [f for f in facts if f.concept == WEIGHT and f.value is not None]
    weight = weights[-1].value if weights else None
    weight_src = f" ({weights[-1].source}, {weights[-1].time:%Y-%m-%d})" if weights else ""
    episode = timedelta(hours=float(p["toci.episode_window_hours"]))
    doses = sorted(f.time for f in facts if f.kind == "medication" and CLASS in f.classes and f.time > now - episode)
    in_24h = sum(1 for t in doses if t > now - timedelta(hours=24))
    since = (now - doses[-1]).total_seconds() / 3600 if doses else None
    mg, read_as = _ordered_dose(order, weight)
    ref = f"MedicationRequest/{order.get('id', '?')}"
    out: list[Finding] = []

    def add(fid: str, indicator: str, basis: str, summary: str, detail: str) -> None:
        out.append(Finding(fid, indicator, basis, summary, f"{detail}\n\nOrder `{ref}`: {read_as}."))

    if weight is None:
        add("weight.unknown", "warning", "both", "Tocilizumab: no body weight recorded - weight-based dose not checked",
            "No body weight Observation at or before the order: the mg/kg dose cannot be checked.")
    if mg is None:
        add("dose.unread", "warning", "both", "Tocilizumab: the ordered dose could not be read",
            "The per-dose maximum and the weight-based dose were not checked.")
    for basis, on, max_key, per_kg in (
        ("label", use_label, "toci.label.max_mg_per_dose", None),
        ("guideline", use_guideline, "toci.guideline.max_mg_per_dose", "toci.guideline.mg_per_kg"),
    ):
        if not on or mg is None:
            continue
        cap = float(p[max_key])
        if mg > cap:
            add(f"{basis}.max_dose", "critical", basis,
                f"Tocilizumab {mg:g} mg exceeds the {basis} maximum of {cap:g} mg per dose",
                f"The {basis} limit is {cap:g} mg per dose (`{max_key}`).")
        if weight is not None:
            if per_kg is None:
                split = float(p["toci.label.weight_split_kg"])
                key = "toci.label.mg_per_kg_ge_split" if weight >= split else "toci.label.mg_per_kg_lt_split"
            else:
                key = per_kg
            rate = float(p[key])
            expected = min(rate * weight, cap)
            if mg > expected + 0.5:
                add(f"{basis}.weight_dose", "warning", basis,
                    f"Tocilizumab {mg:g} mg is above the {basis} dose of {expected:g} mg for {weight:g} kg",
                    f"{basis.capitalize()}: {rate:g} mg/kg (`{key}`) x {weight:g} kg{weight_src}, "
                    f"at most {cap:g} mg = {expected:g} mg.")
    if use_label:
        total_max = int(p["toci.label.max_doses_total"])
        if len(doses) + 1 > total_max:
            add("label.total", "critical", "label",
                f"Tocilizumab: this would be dose {len(doses) + 1}; the label allows {total_max} in total",
                f"{len(doses)} doses given in the last {episode.total_seconds() / 3600:g} h "
                f"(`toci.episode_window_hours`); label limit `toci.label.max_doses_total` = {total_max}.")
        min_gap = float(p["toci.min_hours_between_doses"])
        if since is not None and since < min_gap:
            add("label.interval", "warning", "label",
                f"Tocilizumab: last dose {since:.1f} h ago; the label asks for at least {min_gap:g} h between doses",
                f"`toci.min_hours_between_doses` = {min_gap:g} h.")
    if use_guideline:
        max_24h = int(p["toci.guideline.max_doses_24h"])
        if in_24h + 1 > max_24h:
            add("guideline.24h", "critical", "guideline",
                f"Tocilizumab: this would be dose {in_24h + 1} in 24 h; the guideline allows {max_24h}",
                f"{in_24h} doses in the last 24 h; `toci.guideline.max_doses_24h` = {max_24h}.")
        total_max = int(p["toci.guideline.max_doses_total"])
        if len(doses) + 1 > total_max:
            add("guideline.total", "critical", "guideline",
                f"Tocilizumab: this would be dose {len(doses) + 1}; the guideline allows {total_max} in total",
                f"{len(doses)} doses in the episode window; `toci.guideline.max_doses_total` = {total_max}.")
    if not out:
        add("within_limits", "info", "both",
            f"Tocilizumab {mg:g} mg: within the label and guideline limits",
            f"Weight {weight:g} kg{weight_src}; {in_24h} doses in the last 24 h, {len(doses)} in the episode window.")
    return out


def cards(findings: list[Finding], packset: PackSet, input_sha256: str) -> list[dict[str, Any]]:
    """CDS Hooks cards, critical first; each uuid derives from the input hash and the finding."""
    guidance = next((lp.pack for lp in packset.loaded if "toci.label.max_mg_per_dose" in lp.pack.parameters), None)
    citations = guidance.citations if guidance is not None else {}
    labels = {"label": "actemra_label", "guideline": "asco2021"}
    rank = {"critical": 0, "warning": 1, "info": 2}
    out = []
    for f in sorted(findings, key=lambda f: rank[f.indicator]):
        cite_ids = [labels[f.basis]] if f.basis in labels else list(labels.values())
        texts = [getattr(citations.get(c), "text", None) for c in cite_ids]
        detail = f.detail + "".join(f"\n\n> {t}" for t in texts if t)
        out.append({
            "uuid": str(uuid.uuid5(_NS, f"{input_sha256}:{f.id}")),
            "summary": f.summary[:139],
            "indicator": f.indicator,
            "detail": detail,
            "source": {"label": f"cartguard: tocilizumab {f.basis} limits" if f.basis != "both"
                       else "cartguard: tocilizumab limits",
                       "topic": {"system": "https://cartguard.example/finding", "code": f"toci.{f.id}",
                                 "display": f"tocilizumab {f.id.replace('.', ' ')}"}},
        })
    return out
