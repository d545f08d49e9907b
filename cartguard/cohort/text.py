"""The cohort summary as a plain-text table in the seed study's form, for a terminal or a report.

Two columns of numbers: this cohort's, and the seed study's as published (labelled as such, never
computed here). Every line names its denominator and how many unknowns it leaves out.
"""

from __future__ import annotations

import textwrap

from cartguard.cohort.summary import CohortSummary, Correlation, Proportion

WIDTH = 118


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


def proportion_text(p: Proportion, confidence: float = 0.95) -> str:
    """``k/n (pct%; 95% CI lo-hi)`` plus the unknowns left out."""
    if p.n == 0:
        text = f"{p.k}/0 (no patient with a known answer)"
    else:
        text = f"{p.k}/{p.n} ({_pct(p.pct)}%; {confidence:.0%} CI {_pct(p.ci_low)}-{_pct(p.ci_high)})"
    return text + (f" [{p.unknown} unknown, not in n]" if p.unknown else "")


def p_value_text(p: float) -> str:
    return f"{p:.2g}" if p < 0.001 else f"{p:.3f}"


def correlation_text(c: Correlation) -> str:
    if c.rho is None or c.p_value is None:
        return c.note or "not computed"
    return f"Spearman rho = {c.rho:.2f}, p = {p_value_text(c.p_value)} (n = {c.n_used})"


def to_text(s: CohortSummary) -> str:
    """The summary table (this cohort beside the published seed study) and its footnotes."""
    published = {f.item: f.text for f in s.published}
    crs, dic, icans = s.scales["crs"], s.scales["dic"], s.scales["icans"]
    positive = "; ".join(f"total >= {t.value:g}" for t in dic.positive) or "its positive verdict"
    p = s.params

    def prop(x: Proportion) -> str:
        return proportion_text(x, p.confidence)

    lines: list[tuple[str, str, str]] = [("", "This cohort", "Jiang 2019 (published)")]
    lines.append((f"Maximum CRS grade ({crs.id})", "", ""))
    for g in s.crs_distribution:
        label = f"  grade {g.grade}" if g.grade != "indeterminate" else "  indeterminate (max not certain)"
        lines.append((label, f"{g.n} ({_pct(g.pct)}%)", ""))
    lines += [
        ("CRS grade 3-4", prop(s.crs_grade_3_4), published.get("crs_grade_3_4", "")),
        ("Coagulopathy (definition below)", prop(s.coagulopathy), published.get("coagulopathy", "")),
        (f"DIC ({dic.id}: {positive})", prop(s.dic), published.get("dic", "")),
        ("  DIC among coagulopathic", prop(s.dic_among_coagulopathic),
         published.get("dic_among_coagulopathic", "")),
        ("  DIC without coagulopathy", str(s.dic_without_coagulopathy), ""),
        (f"Recovered from DIC (>= {p.recovery_hours:g} h not positive)", prop(s.dic_recovered),
         published.get("dic_recovered", "")),
        (f"ICANS grade >= 2 ({icans.id})", prop(s.icans_grade_2_plus),
         published.get("icans_grade_2_plus", "")),
        ("Max CRS grade vs max DIC score", correlation_text(s.correlation), published.get("correlation", "")),
    ]
    if s.correlation.excluded:
        excluded = ", ".join(f"{n} {why}" for why, n in s.correlation.excluded.items())
        lines.append(("  excluded from the correlation", excluded, ""))
    w0 = max(len(a) for a, _, _ in lines)
    w1 = max(len(b) for _, b, _ in lines)
    table = [f"{a:<{w0}}  {b:<{w1}}  {c}".rstrip() for a, b, c in lines]
    head = [
        "cartguard cohort: CRS, ICANS and coagulopathy after CAR-T, in the form of the seed study",
        f"Patients: {s.patients} ({s.evaluated} evaluated, {s.errors} could not be evaluated); "
        f"input warnings: {s.input_warnings}",
        f"Scales: CRS {crs.id} ({crs.title} v{crs.version}); DIC {dic.id} ({dic.title} v{dic.version}); "
        f"ICANS {icans.id} ({icans.title} v{icans.version})",
        f"Course: evaluated every {p.every_hours:g} h from day 0 (first CAR-T infusion) to day {p.window_days} "
        "or the end of the data, each point with no look-ahead",
        "",
    ]
    ci = s.crs_grade_3_4.method or "binomial"
    foot = [
        "",
        f"Intervals: {ci}. Denominators exclude patients whose answer is unknown (never counted as no) and "
        "patients that could not be evaluated.",
        f"Coagulopathy: {s.coagulopathy_definition}.",
        f"Correlation: {s.correlation.method}, over patients with both maxima certain.",
        f"Published column: {s.published_source}. The publication's numbers, not computed from this input"
        + "".join(f"; {f.item}: {f.note}" for f in s.published if f.note) + ".",
        s.disclaimer,
    ]
    wrapped = [textwrap.fill(line, WIDTH, subsequent_indent="  ") if line else line for line in foot]
    return "\n".join([*head, *table, *wrapped])
