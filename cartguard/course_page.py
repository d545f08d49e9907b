"""The course of one patient as a self-contained HTML page (``cartguard timeline --format html``).

One file a clinician can open anywhere, offline: the summaries per scale, the ward-board figure
(:mod:`cartguard.course_figure`, inlined as SVG), every time point day by day and the warnings.
It makes no network request at all - inline CSS, no script, no external font or image, and a
Content-Security-Policy that forbids loading anything - so it can be mailed, archived or opened
from a shared drive without leaking that it was opened.

Every string from the data (patient name and id, warnings, scale titles) goes through Jinja2 with
autoescaping: a name like ``<script>`` is shown as text, never run. Indeterminate and threshold
states are written in words, not only in colour.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import matplotlib
from markupsafe import Markup, escape

from cartguard.course_figure import (
    NO_LOOK_AHEAD,
    ChartData,
    chart_data,
    draw_course,
    installed_packset,
)
from cartguard.engine.results import WarningReport
from cartguard.trajectory import PointAssessment, Summary, Trajectory

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from cartguard.engine.packset import PackSet
    from cartguard.fhir_adapters.facts import PatientFacts

SHORT = {"crs": "CRS", "icans": "ICANS", "dic": "DIC", "sirs": "SIRS"}

_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>CAR-T course: {{ who }} - cartguard</title>
<style>
  body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 0;
         color: #1b2631; background: #fff; }
  header, main, footer { max-width: 1400px; margin: 0 auto; padding: 0 1.25rem; }
  h1 { font-size: 1.6rem; margin: 1rem 0 0.2rem; }
  h2 { font-size: 1.2rem; margin: 1.6rem 0 0.5rem; border-bottom: 1px solid #d5d8dc; }
  .meta { margin: 0.2rem 0; color: #34495e; }
  .disclaimer { border: 2px solid #b03a2e; background: #fdedec; color: #78281f; padding: 0.5rem 0.8rem;
                margin: 0.8rem 0; font-weight: 600; }
  .note { color: #34495e; font-style: italic; }
  table { border-collapse: collapse; margin: 0.4rem 0 1rem; font-size: 0.92rem; }
  caption { text-align: left; color: #566573; padding: 0.2rem 0; caption-side: top; }
  th, td { border: 1px solid #d5d8dc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
  thead th { background: #f4f6f6; position: sticky; top: 0; }
  tbody th { font-weight: 600; background: #fbfcfc; }
  td.meets-yes { background: #fadbd8; font-weight: 600; }
  td.meets-possible { background: #fdebd0; }
  td.indeterminate { background: repeating-linear-gradient(135deg, #f4ecf7 0 6px, #ffffff 6px 12px); }
  td.not-applicable { color: #7f8c8d; }
  .state { font-size: 0.82em; color: #4d5656; font-weight: normal; }
  figure { margin: 0.5rem 0 1rem; }
  figure svg { width: 100%; height: auto; display: block; border: 1px solid #e5e7e9; }
  figcaption { color: #566573; font-size: 0.9rem; margin-top: 0.3rem; }
  code { font-size: 0.85em; color: #4d5656; }
  footer { color: #566573; font-size: 0.85rem; margin: 2rem auto 1.5rem; }
  @media print { thead th { position: static; } h2 { break-after: avoid; } }
</style>
</head>
<body>
<header id="page-header">
<h1 id="page-title">CAR-T toxicity course: {{ who }}</h1>
<p class="meta">Patient <code>{{ traj.patient }}</code>{% if name %} ({{ name }}){% endif %} · {{ day0 }}</p>
<p class="meta">Data {{ traj.start.strftime('%Y-%m-%d %H:%M') }} to {{ traj.end.strftime('%Y-%m-%d %H:%M') }};
graded every {{ '%g' % traj.every_hours }} h ({{ traj.points | length }} time points).</p>
<p class="disclaimer" role="note" id="disclaimer">{{ traj.disclaimer }}
Check every value against the patient's chart before acting.</p>
<p class="note">{{ no_look_ahead }}</p>
</header>
<main>
<section aria-labelledby="summary-heading">
<h2 id="summary-heading">Summary per scale</h2>
<table id="summary">
<caption>Onset and last time point at or above each scale's threshold, peak, time at or above it, and the time points
left indeterminate. Days are relative to day 0.</caption>
<thead><tr>
<th scope="col">Scale</th><th scope="col">Threshold</th><th scope="col">Onset</th><th scope="col">Peak</th>
<th scope="col">Duration at or above (h)</th><th scope="col">Episodes</th><th scope="col">Indeterminate days</th>
<th scope="col">Possible earlier onset</th>
</tr></thead>
<tbody>
{% for row in summary_rows %}<tr>
<th scope="row">{{ row.title }} <code>{{ row.sid }}</code></th>
<td>{{ row.threshold }}</td><td>{{ row.onset }}</td><td>{{ row.peak }}</td><td>{{ row.duration }}</td>
<td>{{ row.episodes }}</td><td>{{ row.indeterminate }}</td><td>{{ row.earlier }}</td>
</tr>
{% endfor %}</tbody>
</table>
</section>
<section aria-labelledby="figure-heading">
<h2 id="figure-heading">Course figure</h2>
<figure id="course-figure" aria-labelledby="figure-caption">
{{ svg }}
<figcaption id="figure-caption">{{ caption }}</figcaption>
</figure>
</section>
<section aria-labelledby="points-heading">
<h2 id="points-heading">Day by day</h2>
<table id="points">
<caption>Every time point, each using only the data charted at or before it. A cell gives the grade or score, or
the range still possible when indeterminate; "at or above" marks the scale's threshold.</caption>
<thead><tr>
<th scope="col">Day</th><th scope="col">Time point (UTC)</th><th scope="col">Hours from infusion</th>
{% for sid in traj.scales %}<th scope="col">{{ column_names[sid] }}</th>{% endfor %}
</tr></thead>
<tbody>
{% for row in point_rows %}<tr>
<th scope="row">{{ row.day }}</th><td>{{ row.at }}</td><td>{{ row.hours }}</td>
{% for cell in row.cells %}<td class="{{ cell.css }}">{{ cell.value }}
{%- if cell.state %} <span class="state">{{ cell.state }}</span>{% endif %}</td>{% endfor %}
</tr>
{% endfor %}</tbody>
</table>
</section>
<section aria-labelledby="warnings-heading">
<h2 id="warnings-heading">Warnings on the input ({{ warnings | length }})</h2>
{% if warnings %}<ul id="warnings">
{% for w in warnings %}<li><strong>{{ w.code }}</strong>: {{ w.message }}</li>
{% endfor %}</ul>{% else %}<p id="warnings">None.</p>{% endif %}
</section>
</main>
<footer>
<p>{{ traj.disclaimer }} Generated by cartguard {{ version }} from the FHIR record;
scales {{ traj.scales | join(', ') }}. Definitions: docs/trajectory.md.</p>
</footer>
</body>
</html>
"""

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=False)


@dataclass(frozen=True, slots=True)
class Cell:
    value: str
    state: str
    css: str


def _day(d: int | None) -> str:
    return "?" if d is None else ("0" if d == 0 else f"{d:+d}")


def _days_text(days: list[int]) -> str:
    """Consecutive days as ranges: [-11, -10, ..., 0, 3] -> '-11 to 0, +3'."""
    if not days:
        return "none"
    runs: list[list[int]] = []
    for d in sorted(days):
        if runs and d == runs[-1][-1] + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    return ", ".join(_day(r[0]) if len(r) == 1 else f"{_day(r[0])} to {_day(r[-1])}" for r in runs)


def _column_name(sid: str) -> str:
    family = sid.split(".", 1)[0]
    return f"{SHORT.get(family, family.upper())} ({sid.split('.', 1)[1] if '.' in sid else sid})"


def summary_row(s: Summary) -> dict[str, str]:
    """The summary of one scale as the page's table shows it (plain text; escaped by the template)."""
    onset = "none" if s.onset_at is None else f"day {_day(s.onset_day)} ({s.onset_at.strftime('%Y-%m-%d %H:%M')})"
    if s.peak_value is None:
        peak = "none graded exactly"
    else:
        verdict = f", {s.peak_verdict}" if s.peak_verdict else ""
        peak = f"{s.peak_value:g}{verdict} from day {_day(s.peak_day)}"
    if s.possible_higher_peak and s.peak_upper_bound is not None:
        peak += f"; up to {s.peak_upper_bound:g} possible where indeterminate"
    duration = f"{s.duration_hours:g} h ({s.duration_days:g} d)"
    if s.possible_hours:
        duration += f"; {s.possible_hours:g} h possibly"
    indeterminate = _days_text(s.indeterminate_days)
    if s.indeterminate_points:
        indeterminate += f" ({s.indeterminate_points} of {s.points} points)"
    earlier = f"yes, from day {_day(s.possible_onset_day)}" if s.possible_earlier_onset else "no"
    return {"sid": s.assessment, "title": s.title, "threshold": s.threshold.text, "onset": onset, "peak": peak,
            "duration": duration, "episodes": str(s.episodes), "indeterminate": indeterminate, "earlier": earlier}


def point_cell(a: PointAssessment | None) -> Cell:
    """One time point of one scale, in words as well as colour."""
    if a is None:
        return Cell("-", "not evaluated", "")
    if a.status == "not_applicable":
        return Cell("n/a", "not applicable", "not-applicable")
    if a.status == "indeterminate" or a.value is None:
        state = "indeterminate" + ("; possibly at or above" if a.meets == "possible" else "")
        if a.meets == "yes":
            state = "indeterminate; at or above"
        return Cell(f"{a.range[0]:g}-{a.range[1]:g}", state, "indeterminate")
    verdict = f", {a.verdict}" if a.verdict else ""
    if a.meets == "yes":
        return Cell(f"{a.value:g}{verdict}", "at or above", "meets-yes")
    return Cell(f"{a.value:g}{verdict}", "", "")


def figure_svg(fig: Figure, title: str, description: str) -> Markup:
    """``fig`` as an SVG element to inline in HTML: scalable, titled for screen readers, nothing external.

    Text is drawn as paths (no font is fetched); the XML prolog, DOCTYPE and RDF metadata (with
    their URLs) are dropped.
    """
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "cartguard-course", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, count=1, flags=re.S)
    head_end = svg.index(">")
    head = svg[:head_end]
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    head += ' role="img" aria-labelledby="figure-svg-title figure-svg-desc" preserveAspectRatio="xMidYMid meet"'
    inner = (f'<title id="figure-svg-title">{escape(title)}</title>'
             f'<desc id="figure-svg-desc">{escape(description)}</desc>')
    return Markup(head + ">" + inner + svg[head_end + 1:])


def _description(traj: Trajectory, data: ChartData) -> str:
    """The figure in one paragraph of words, for its caption and screen readers."""
    parts = []
    for sid in traj.scales:
        s = traj.summaries[sid]
        onset = f"onset day {_day(s.onset_day)}" if s.onset_at is not None else "no onset"
        peak = f"peak {s.peak_value:g} from day {_day(s.peak_day)}" if s.peak_value is not None else "no exact peak"
        parts.append(f"{s.title}: {onset}, {peak}")
    labs = [s.label for series in data.labs.values() for s in series]
    lanes = [f"{lane} ({len(marks)})" for lane, marks in data.marks.items() if marks]
    return ("; ".join(parts) + ". Panels beneath, as charted: " + (", ".join(labs) or "no laboratory values")
            + ". Treatments: " + (", ".join(lanes) or "none recorded") + ".")


def course_page(traj: Trajectory, facts: PatientFacts, *, packset: PackSet | None = None,
                patient_name: str | None = None) -> str:
    """The HTML page of one course (a complete document, UTF-8 text)."""
    from cartguard import __version__

    ps = packset or installed_packset()
    data = chart_data(traj, facts, ps)
    fig = draw_course(traj, data, ps, patient_name=patient_name)
    who = patient_name or traj.patient
    description = _description(traj, data)
    svg = figure_svg(fig, f"Course figure of {who}", description)
    if traj.infusion_date:
        at = f" {traj.infusion_time.strftime('%H:%M %Z').strip()}" if traj.infusion_time else ""
        day0 = f"day 0 (first CAR-T infusion): {traj.infusion_date}{at}"
    else:
        day0 = "day 0 unknown (no CAR-T administration recorded)"
    point_rows = [{"day": _day(p.infusion_day), "at": p.at.strftime("%Y-%m-%d %H:%M"),
                   "hours": "?" if p.hours_from_infusion is None else f"{p.hours_from_infusion:+g}",
                   "cells": [point_cell(p.assessments.get(sid)) for sid in traj.scales]} for p in traj.points]
    warnings: list[WarningReport] = [*traj.warnings, *data.left_out]
    return _ENV.from_string(_TEMPLATE).render(
        traj=traj, who=who, name=patient_name, day0=day0, no_look_ahead=NO_LOOK_AHEAD,
        summary_rows=[summary_row(traj.summaries[sid]) for sid in traj.scales],
        column_names={sid: _column_name(sid) for sid in traj.scales}, point_rows=point_rows, svg=svg,
        caption=description, warnings=warnings, version=__version__)


def write_html(traj: Trajectory, facts: PatientFacts, path: str | Path, *, packset: PackSet | None = None,
               patient_name: str | None = None) -> Path:
    """Write the page (UTF-8) and return the path."""
    target = Path(path)
    target.write_text(course_page(traj, facts, packset=packset, patient_name=patient_name), encoding="utf-8")
    return target
