"""Text and JSON renderings of results: a compact table a clinician can read at 3 a.m."""

from __future__ import annotations

import orjson

from cartguard import side_by_side
from cartguard.engine.results import Assessment, PatientResult


def to_json(results: list[PatientResult]) -> bytes:
    payload = [r.model_dump(mode="json") for r in results]
    return orjson.dumps(payload[0] if len(payload) == 1 else payload, option=orjson.OPT_INDENT_2)


def _fmt(x: float | None) -> str:
    return "?" if x is None else f"{x:g}"


def _value(a: Assessment) -> str:
    if a.status == "not_applicable":
        return "n/a"
    if a.value is not None:
        return _fmt(a.value)
    return f"{_fmt(a.range[0])}-{_fmt(a.range[1])}"


def _fact_line(f) -> str:
    orig = f"{f.original_value} {f.original_unit}" if f.original_value and f.original_unit else (f.original_value or "")
    unit = "" if f.unit in (None, "1") else f" {f.unit}"  # a score has no unit to print
    norm = f"{f.comparator or ''}{_fmt(f.value)}{unit}" if f.value is not None else (f.category or "")
    show = norm if not orig or orig.replace(" ", "") == norm.replace(" ", "") else f"{norm} (sent as {orig})"
    day = f" day {f.day:+d}" if f.day is not None else ""
    return f"{f.source} {show} at {f.time.isoformat()}{day}"


def to_text(results: list[PatientResult], verbose: bool = True) -> str:
    lines: list[str] = []
    for r in results:
        day = f"day {r.infusion_day:+d}" if r.infusion_day is not None else "infusion day unknown"
        lines.append(f"{r.patient}  at {r.at.isoformat()}  ({day})")
        lines.append("-" * 78)
        width = max([18, *(len(aid) + 2 for aid in r.assessments)])
        lines.append(f"{'assessment':<{width}}{'value':<8}{'status':<15}interpretation / missing")
        for aid, a in r.assessments.items():
            interp = a.interpretation.label if a.interpretation else ""
            if a.missing:
                interp = (interp + "; " if interp else "") + "missing: " + ", ".join(m.label for m in a.missing)
            lines.append(f"{aid:<{width}}{_value(a):<8}{a.status:<15}{interp}")
        for aid, a in r.assessments.items():
            lines.append("")
            lines.append(f"{aid} - {a.title} [{a.scale}]")
            for c in a.components.values():
                val = _fmt(c.value) if c.value is not None else f"{_fmt(c.range[0])}-{_fmt(c.range[1])}"
                lines.append(f"  {c.title:<52} {val:>5}  {', '.join(c.rule_ids)}")
            if verbose:
                for f in a.explanation:
                    # Show what raised the grade: definite findings, and of component bands only non-zero ones.
                    if f.certainty != "definite" or (f.component is not None and not f.value):
                        continue
                    lines.append(f"    {f.rule_id}: {f.text}  [{f.citation}]")
                    for inp in f.inputs:
                        for fact in inp.facts[-3:]:
                            lines.append(f"      {inp.label}: {_fact_line(fact)}")
                        if len(inp.facts) > 3:
                            lines.append(f"      {inp.label}: ... and {len(inp.facts) - 3} earlier")
                        if inp.note and not inp.facts:
                            lines.append(f"      {inp.label}: {inp.note}")
                    for p in f.parameters:
                        lines.append(f"      parameter {p.name} = {p.value} ({p.source})")
            for assumption in a.assumptions:
                lines.append(f"  assumed: {assumption}")
        side = side_by_side.to_text(r)
        if side:
            lines.append("")
            lines.extend(side)
        lines.append("")
        lines.append("Guidance (decision support, not a prescription)")
        if not r.recommendations:
            lines.append("  none")
        for rec in r.recommendations:
            tag = "" if rec.certainty == "definite" else f" [IF {'; '.join(rec.unknown) or 'confirmed'}]"
            lines.append(f"  [{rec.priority}]{tag} {rec.text}")
            if rec.dose:
                lines.append(f"      dose: {rec.dose.text}")
            lines.append(f"      {rec.id}; source: {rec.citation_text.split('.')[0]} ({rec.citation})")
        if r.warnings:
            lines.append("")
            lines.append(f"Warnings ({len(r.warnings)})")
            for w in r.warnings:
                lines.append(f"  {w.code}: {w.message}")
        lines.append("")
        lines.append("Packs: " + ", ".join(f"{p.id}@{p.version} ({p.sha256[:12]})" for p in r.packs))
        lines.append(r.disclaimer)
        lines.append("")
    return "\n".join(lines)
