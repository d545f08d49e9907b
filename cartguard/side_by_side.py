"""Several scales of one syndrome lined up for one patient, and why they differ.

Grades from different scales are never converted into one another (domain README rule 5):
each scale is shown with its own value, its own verdict and the findings that set them. What
this module adds is the reading aid a researcher regrading a cohort needs: for each syndrome
(CRS, ICANS, DIC ...) the scales in a column, and, where they disagree, the rules and inputs
that drive each one, so the term that makes the difference is named.

Two scales *disagree* when their values differ (grades of one syndrome on 0-4 scales) or when
their own verdicts differ (DIC by this scale or not), each read off the scale itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from cartguard.engine.results import Assessment, Finding, PatientResult

SYNDROMES = {"crs": "CRS", "icans": "ICANS", "dic": "DIC / coagulopathy", "sirs": "SIRS"}


def syndrome_of(assessment_id: str) -> str:
    """The syndrome a scale grades: the first segment of its pack id (``dic.jaam`` -> ``dic``)."""
    return assessment_id.split(".", 1)[0]


@dataclass(frozen=True)
class Disagreement:
    """Two scales of one syndrome whose values or verdicts differ, with what drives each."""

    syndrome: str
    first: str
    second: str
    what: str
    """``value`` or ``verdict``."""
    drivers: dict[str, list[Finding]]


def _shown_value(a: Assessment) -> str:
    if a.status == "not_applicable":
        return "n/a"
    if a.value is not None:
        return f"{a.value:g}"
    return f"{a.range[0]:g}-{a.range[1]:g}"


def drivers(a: Assessment) -> list[Finding]:
    """The definite findings that set a scale's value, then its verdict.

    A grade that is the most severe of its components (CRS, ICANS) is set by the component(s) at
    that grade: only those are the term that makes the difference. A score that is a sum is set by
    every non-zero item.
    """
    bands = [f for f in a.explanation if f.certainty == "definite" and f.component is not None and f.value]
    at_grade = [f for f in bands if a.value is not None and f.value == a.value]
    out = at_grade or bands
    out.extend(f for f in a.explanation if f.certainty == "definite" and f.component is None)
    return out


def grouped(result: PatientResult) -> dict[str, list[Assessment]]:
    """Assessments by syndrome, in the order they appear in the result."""
    out: dict[str, list[Assessment]] = {}
    for aid, a in result.assessments.items():
        out.setdefault(syndrome_of(aid), []).append(a)
    return out


def disagreements(result: PatientResult) -> list[Disagreement]:
    """Every pair of scales of one syndrome that disagree (values, or verdicts where both have one)."""
    found: list[Disagreement] = []
    for syndrome, scales in grouped(result).items():
        for i, a in enumerate(scales):
            for b in scales[i + 1:]:
                if "not_applicable" in (a.status, b.status):
                    continue
                va = a.interpretation.verdict if a.interpretation else None
                vb = b.interpretation.verdict if b.interpretation else None
                if va and vb:
                    what = "verdict" if va != vb else None
                elif a.value is not None and b.value is not None and syndrome in ("crs", "icans"):
                    what = "value" if a.value != b.value else None
                else:
                    what = None  # a range or a score without a verdict: nothing to line up
                if what:
                    found.append(Disagreement(syndrome, a.id, b.id, what, {a.id: drivers(a), b.id: drivers(b)}))
    return found


def _finding_line(f: Finding) -> str:
    shown = []
    for inp in f.inputs:
        if inp.value is not None:
            shown.append(f"{inp.label} {inp.value:g}{' ' + inp.unit if inp.unit else ''}")
        elif inp.category is not None:
            shown.append(f"{inp.label} {inp.category}")
    facts = f" ({'; '.join(shown)})" if shown else ""
    return f"{f.rule_id}: {f.text or ''}{facts}"


def to_text(result: PatientResult) -> list[str]:
    """The side-by-side block of the text report (empty when no syndrome has two scales)."""
    groups = {s: scales for s, scales in grouped(result).items() if len(scales) > 1}
    if not groups:
        return []
    lines = ["Scales side by side (each on its own terms; grades are never converted between scales)"]
    for syndrome, scales in groups.items():
        lines.append(f"  {SYNDROMES.get(syndrome, syndrome)}")
        for a in scales:
            verdict = a.interpretation.label if a.interpretation else ""
            if a.missing and a.status == "indeterminate":
                verdict = (verdict + "; " if verdict else "") + "missing: " + ", ".join(m.label for m in a.missing)
            lines.append(f"    {a.id:<24}{(a.scale or ''):<20}{_shown_value(a):>6}  {a.status:<14}{verdict}")
    found = disagreements(result)
    if found:
        lines.append("  Where they disagree, and what drives each:")
    for d in found:
        a, b = result.assessments[d.first], result.assessments[d.second]
        if d.what == "verdict":
            head = (f"{d.first} says {a.interpretation.verdict if a.interpretation else '?'}, "
                    f"{d.second} says {b.interpretation.verdict if b.interpretation else '?'}")
        else:
            head = f"{d.first} = {_shown_value(a)}, {d.second} = {_shown_value(b)}"
        lines.append(f"    {head}")
        for aid in (d.first, d.second):
            for f in d.drivers[aid]:
                lines.append(f"      {aid}: {_finding_line(f)}")
    return lines
