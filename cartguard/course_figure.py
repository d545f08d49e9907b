"""The course of one patient as a figure for the ward board (``cartguard timeline --format png``).

A hematologist reads a CAR-T course on one time axis: the CRS grade, the ICANS grade and the DIC
score as the :func:`~cartguard.trajectory.trajectory` computed them (every point on what was known
then), beneath them the laboratory values the scores rest on, and the treatments given. This
module draws exactly that, from the :class:`~cartguard.trajectory.Trajectory` (the grades) and the
patient's :class:`~cartguard.fhir_adapters.facts.PatientFacts` (labs and treatments as charted,
unit-normalised by the adapters). It grades nothing itself.

* **x axis**: days relative to the CAR-T infusion, shared by every panel. Day ``d`` spans 00:00 to
  24:00 (UTC, or the infusion record's offset) of the calendar day ``d`` after day 0, the same
  calendar days as ``infusion_day`` in the tables; a time point at 20:00 of day +1 sits at x=1.83.
* **Grades and scores** are steps: a point holds its value over the ``every_hours`` it covers. An
  indeterminate point is a hatched band over the whole range still possible, never a value.
* **Labs** are the measured values (censored ones, ``<10``, as open triangles at the bound) with
  the thresholds the packs score them by (fever, the ISTH platelet, fibrinogen, PT and D-dimer bands).
* **Treatments** are a lane each, recognised by the classes the bindings give a concept
  (``rules/terminology/core.yaml``): vasopressors, oxygen devices, tocilizumab, corticosteroids,
  transfusions (no core codes: a site binds them with class ``transfusion``) and anticoagulants.

Drawn on a :class:`matplotlib.figure.Figure` with the Agg canvas: no pyplot, no global state.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator, NullFormatter

from cartguard.engine.combine import evaluate_expr
from cartguard.engine.results import WarningReport
from cartguard.errors import InputError
from cartguard.fhir_adapters.facts import Fact, PatientFacts
from cartguard.fhir_adapters.validation import validate
from cartguard.trajectory import Summary, TimePoint, Trajectory

if TYPE_CHECKING:
    from cartguard.engine.packset import PackSet
    from cartguard.fhir_adapters.loading import PatientResources

PAGE_INCHES = (11.69, 8.27)
"""A4 landscape."""
DPI = 150
DISCLAIMER = "Decision support, not a prescription"
NO_LOOK_AHEAD = ("No look-ahead: each grade and score uses only the data charted at or before its time point. "
                 "Labs and treatments as charted.")
FAMILIES = (("crs", "CRS", "grade"), ("icans", "ICANS", "grade"), ("dic", "DIC", "score"))
"""Score panels, top to bottom: (scale id prefix, panel name, what its value is)."""

COLOURS = {"crs": "#c0392b", "icans": "#7d3c98", "dic": "#1f618d", "lab": "#222222", "threshold": "#b03a2e",
           "uln": "#566573", "infusion": "#117a65"}
_UNIT_TEXT = {"10*9/L": "10⁹/L", "Cel": "°C", "1": ""}


# -- what is drawn -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LabPanel:
    """One laboratory panel: the concepts it draws (each its own series, never merged)."""

    key: str
    name: str
    concepts: tuple[str, ...]
    first_present_only: bool = False
    """Draw only the first concept that has values (PT: seconds, else ratio, else INR)."""


LAB_PANELS = (
    LabPanel("platelets", "Platelets", ("platelets",)),
    LabPanel("fibrinogen", "Fibrinogen", ("fibrinogen",)),
    LabPanel("d_dimer", "D-dimer", ("d_dimer_feu", "d_dimer_ddu")),
    LabPanel("pt", "PT", ("pt", "pt_ratio", "inr"), first_present_only=True),
    LabPanel("temperature", "Temperature", ("body_temperature",)),
)
SERIES_LABEL = {"platelets": "Platelets", "fibrinogen": "Fibrinogen", "d_dimer_feu": "D-dimer (FEU)",
                "d_dimer_ddu": "D-dimer (DDU)", "pt": "PT", "pt_ratio": "PT ratio", "inr": "INR",
                "body_temperature": "Temperature"}


@dataclass(frozen=True, slots=True)
class Lane:
    """One treatment lane: the binding classes (or oxygen records) it recognises."""

    key: str
    name: str
    classes: tuple[str, ...]
    palette: tuple[str, ...]
    """One colour per agent, in the order the agents first appear."""
    empty_text: str = "none recorded"


LANES = (
    Lane("vasopressors", "Vasopressors", ("vasopressor", "vasopressin"), ("#922b21", "#e67e22", "#641e16", "#f1948a")),
    Lane("oxygen", "Oxygen", (), ("#2874a6",)),
    Lane("tocilizumab", "Tocilizumab", ("tocilizumab",), ("#b9770e",)),
    Lane("corticosteroids", "Corticosteroids", ("corticosteroid",), ("#1e8449", "#82e0aa", "#145a32")),
    Lane("transfusions", "Transfusions", ("transfusion",), ("#943126", "#d98880", "#512e5f", "#c39bd3"),
         "none recognised: transfusion codes are site-specific (bind them with class 'transfusion')"),
    Lane("anticoagulants", "Anticoagulants", ("anticoagulant",), ("#5b2c6f", "#a569bd", "#2e4053")),
)
INSTANT_HOURS = 6.0
"""A period shorter than this (a 1 h tocilizumab infusion) is drawn as one dose, not as a bar."""
O2_TIERS = {"nasal_cannula": ("low-flow O2 (nasal cannula, blow-by)", "#85c1e9"),
            "blow_by": ("low-flow O2 (nasal cannula, blow-by)", "#85c1e9"),
            "hfnc": ("high-flow O2 / mask", "#2e86c1"), "mask": ("high-flow O2 / mask", "#2e86c1"),
            "positive_pressure": ("positive pressure (CPAP, BiPAP, ventilation)", "#1b2631")}
O2_UNMAPPED = ("O2 device not mapped to a tier", "#aab7b8")
O2_FLOW_ONLY = ("O2 flow > 0, no device charted", "#aab7b8")


@dataclass(frozen=True, slots=True)
class Measurement:
    x: float
    value: float | None
    """None for a censored result: then ``bound`` and ``comparator`` say what is known."""
    bound: float | None
    comparator: str | None
    ref_high: float | None
    source: str


@dataclass(frozen=True, slots=True)
class Series:
    concept: str
    label: str
    unit: str
    points: tuple[Measurement, ...]


@dataclass(frozen=True, slots=True)
class Mark:
    """One treatment: a period (``end`` set, or ``running``) or a single dose (``instant``)."""

    lane: str
    what: str
    start: float
    end: float | None
    running: bool
    instant: bool
    """Drawn as one marker: no period, or one shorter than :data:`INSTANT_HOURS`."""
    source: str
    colour: str
    legend: str
    dose: str | None = None


@dataclass(slots=True)
class ChartData:
    """Everything the figure draws besides the trajectory, in x (day) coordinates."""

    origin: datetime
    """x = 0: 00:00 of day 0 (or of the first data's day when day 0 is unknown)."""
    day0_known: bool
    x_range: tuple[float, float]
    labs: dict[str, list[Series]]
    marks: dict[str, list[Mark]]
    reference_lines: dict[str, list[tuple[float, str]]]
    """Lab panel key -> (value, label) of the horizontal threshold lines."""
    infusion_x: float | None
    left_out: list[WarningReport] = field(default_factory=list)
    """Resources found invalid while drawing: not drawn, named here (and on the page's warnings)."""


def display_name(pr: PatientResources) -> str | None:
    """The Patient resource's name as charted (``name[0].text``, else given and family), if any."""
    for res in pr.resources:
        if res.get("resourceType") != "Patient":
            continue
        for name in res.get("name") or ():
            if not isinstance(name, dict):
                continue
            if isinstance(name.get("text"), str) and name["text"].strip():
                return str(name["text"]).strip()
            given = [g for g in name.get("given") or () if isinstance(g, str)]
            family = name.get("family") if isinstance(name.get("family"), str) else None
            text = " ".join([*given, *([family] if family else [])]).strip()
            if text:
                return text
    return None


@functools.cache
def installed_packset() -> PackSet:
    from cartguard.plugins import default_packset

    return default_packset()


def scale_span(packset: PackSet, sid: str) -> tuple[float, float] | None:
    """Lowest and highest value the scale can take: its value expression over every band's value."""
    cp = packset.compiled.get(sid)
    if cp is None:
        return None
    comps: dict[str, tuple[float, float]] = {}
    for r in cp.rules:
        if r.kind == "component" and r.component and r.value is not None:
            lo, hi = comps.get(r.component, (r.value, r.value))
            comps[r.component] = (min(lo, r.value), max(hi, r.value))
    try:
        return evaluate_expr(cp.pack.value, comps)
    except Exception:  # a value expression this reading cannot follow: fall back to the data's extent
        return None


def positive_cutoff(packset: PackSet, sid: str) -> float | None:
    """The value at or above which the scale's verdict is positive, when that is one unconditional number.

    Scales whose positive verdict depends on more than the total (CDSS: haematological malignancy
    or not) get no line; their positive points are still marked from the verdict itself.
    """
    cp = packset.compiled.get(sid)
    if cp is None:
        return None
    positive = {i.id for i in cp.pack.interpretation if i.verdict == "positive"}
    cutoffs = set()
    for r in cp.rules:
        if r.kind != "interpretation" or r.id not in positive:
            continue
        if len(r.groups) != 1 or len(r.groups[0]) != 1:
            return None
        atom = r.groups[0][0]
        if atom.input != "value" or atom.op != "gte":
            return None
        cutoffs.add(float(atom.operand))
    return cutoffs.pop() if len(cutoffs) == 1 else None


def _origin(traj: Trajectory) -> tuple[datetime, bool]:
    if traj.infusion_date:
        tz = traj.infusion_time.tzinfo if traj.infusion_time and traj.infusion_time.tzinfo else UTC
        return datetime.combine(date.fromisoformat(traj.infusion_date), time.min, tzinfo=tz), True
    first = traj.points[0].at - timedelta(hours=traj.points[0].covers_hours) if traj.points else traj.start
    return datetime.combine(first.date(), time.min, tzinfo=first.tzinfo or UTC), False


def _days(t: datetime, origin: datetime) -> float:
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return (t - origin).total_seconds() / 86400


def _unit_text(unit: str | None, marker_type: str | None = None) -> str:
    text = _UNIT_TEXT.get(unit or "1", unit or "")
    return f"{text} {marker_type}" if marker_type else text


def _lane_of(f: Fact) -> str | None:
    if f.kind == "procedure" and f.category is not None:
        return "oxygen" if f.category != "room_air" else None
    if f.kind == "observation" and f.concept == "o2_device" and f.category != "room_air":
        return "oxygen"
    if f.kind in ("medication", "procedure"):
        for lane in LANES:
            if set(lane.classes) & set(f.classes):
                return lane.key
    return None


def _o2_style(f: Fact) -> tuple[str, str]:
    if f.category is None:
        return O2_UNMAPPED
    return O2_TIERS.get(f.category, O2_UNMAPPED)


def _drawable(facts: Iterable[Fact], pf: PatientFacts, traj: Trajectory) -> tuple[list[Fact], list[WarningReport]]:
    """The facts minus invalid resources: known from the trajectory, or validated now (never mutating ``pf``)."""
    known_bad = {w.source for w in traj.warnings if w.code == "invalid" and w.source}
    verdicts: dict[str, str | None] = {}
    left_out: list[WarningReport] = []
    kept = []
    for f in facts:
        if f.source in known_bad:
            continue
        if f.source in pf.unvalidated and f.source not in verdicts:
            verdicts[f.source] = validate(pf.unvalidated[f.source])
            if verdicts[f.source]:
                left_out.append(WarningReport(code="invalid", source=f.source,
                                              message=f"{f.source}: {verdicts[f.source]}; not drawn"))
        if verdicts.get(f.source):
            continue
        kept.append(f)
    return kept, left_out


def chart_data(traj: Trajectory, facts: PatientFacts, packset: PackSet | None = None) -> ChartData:
    """The labs, treatments and threshold lines of the figure, on the figure's day axis."""
    ps = packset or installed_packset()
    origin, known = _origin(traj)
    first = min(traj.start, traj.points[0].at) if traj.points else traj.start
    x0, x1 = _days(first, origin), _days(traj.end, origin)
    end = traj.end if traj.end.tzinfo else traj.end.replace(tzinfo=UTC)
    lab_concepts = {c for p in LAB_PANELS for c in p.concepts}
    wanted = [f for f in facts.facts if f.time <= end and (f.concept in lab_concepts or _lane_of(f) is not None
                                                            or f.concept == "o2_flow")]
    kept, left_out = _drawable(wanted, facts, traj)

    labs: dict[str, list[Series]] = {}
    for panel in LAB_PANELS:
        series = []
        for concept in panel.concepts:
            rows = [f for f in kept if f.concept == concept and (f.value is not None or f.comparator)]
            if not rows:
                continue
            pts = tuple(Measurement(x=_days(f.time, origin), value=f.value,
                                    bound=f.value if f.value is not None else (f.lo if f.lo is not None else f.hi),
                                    comparator=f.comparator, ref_high=f.ref_high, source=f.source) for f in rows)
            series.append(Series(concept, SERIES_LABEL.get(concept, concept), _unit_text(rows[0].unit,
                                 rows[0].marker_type if concept.startswith("d_dimer") else None), pts))
            if panel.first_present_only:
                break
        labs[panel.key] = series

    marks: dict[str, list[Mark]] = {lane.key: [] for lane in LANES}
    agents: dict[str, list[str]] = {lane.key: [] for lane in LANES}
    device_times = set()
    for f in kept:
        lane_key = _lane_of(f)
        if lane_key is None:
            continue
        lane = next(ln for ln in LANES if ln.key == lane_key)
        stop = f.end if f.end is not None and f.end <= end else None
        running = f.open_ended or (f.end is not None and f.end > end)
        instant = not running and (stop is None or (stop - f.time) < timedelta(hours=INSTANT_HOURS))
        if lane_key == "oxygen":
            device_times.add(f.time)
            legend, colour = _o2_style(f)
            what = (f.category or "unmapped device").replace("_", " ")
        else:
            what = f.concept.replace("_", " ")
            if what not in agents[lane_key]:
                agents[lane_key].append(what)
            colour = lane.palette[agents[lane_key].index(what) % len(lane.palette)]
            legend = lane.name if what.lower() == lane.name.lower() else f"{lane.name}: {what}"
        dose = f"{f.value:g} mg" if lane_key == "tocilizumab" and f.value is not None else None
        marks[lane_key].append(Mark(lane_key, what, _days(f.time, origin),
                                    _days(stop, origin) if stop is not None else None, running, instant, f.source,
                                    colour, legend, dose))
    for f in kept:  # oxygen flow with no device charted at that time: oxygen on an unrecorded device
        if f.concept == "o2_flow" and f.time not in device_times and (f.hi is None or f.hi > 0):
            marks["oxygen"].append(Mark("oxygen", "O2 flow", _days(f.time, origin), None, False, True, f.source,
                                        O2_FLOW_ONLY[1], O2_FLOW_ONLY[0]))

    infusion_x = _days(traj.infusion_time, origin) if traj.infusion_time else (0.0 if known else None)
    return ChartData(origin=origin, day0_known=known, x_range=(x0, x1), labs=labs, marks=marks,
                     reference_lines=_reference_lines(traj, ps, labs), infusion_x=infusion_x, left_out=left_out)


def _single_uln(series: Sequence[Series]) -> float | None:
    values = {m.ref_high for s in series for m in s.points if m.ref_high is not None}
    return values.pop() if len(values) == 1 else None


def _reference_lines(traj: Trajectory, ps: PackSet, labs: dict[str, list[Series]]
                     ) -> dict[str, list[tuple[float, str]]]:
    """Threshold lines from the packs' parameters; the ISTH bands only when the course follows ISTH."""
    p = ps.params
    out: dict[str, list[tuple[float, str]]] = {k.key: [] for k in LAB_PANELS}

    def add(panel: str, name: str, text: str, offset: float = 0.0, factor: float = 1.0) -> None:
        v = p.get(name)
        if isinstance(v, int | float) and not isinstance(v, bool):
            out[panel].append((offset + factor * float(v), text.format(v=v)))

    add("temperature", "crs.fever_c_gte", "fever ≥ {v:g} °C")
    if "dic.isth2001" in traj.scales:
        add("platelets", "isth_overt.platelets_points0_gte", "ISTH: < {v:g} scores 1")
        add("platelets", "isth_overt.platelets_points1_gte", "ISTH: < {v:g} scores 2")
        add("fibrinogen", "isth_overt.fibrinogen_points0_gte_g_l", "ISTH: < {v:g} g/L scores 1")
        pt = [s for s in labs["pt"] if s.concept == "pt"]
        uln = _single_uln(pt)
        if uln is not None:
            add("pt", "isth_overt.pt_points0_lt_s", "ISTH: ≥ ULN + {v:g} s scores 1", offset=uln)
            add("pt", "isth_overt.pt_points1_lt_s", "ISTH: ≥ ULN + {v:g} s scores 2", offset=uln)
        uln = _single_uln(labs["d_dimer"]) if len(labs["d_dimer"]) == 1 else None
        if uln is not None and p.get("isth_overt.fibrin_marker_profile") == "uln_2x_4x":
            add("d_dimer", "isth_overt.marker_moderate_x_uln_gte", "ISTH: ≥ {v:g}× ULN scores 2", factor=uln)
            add("d_dimer", "isth_overt.marker_strong_x_uln_gt", "ISTH: > {v:g}× ULN scores 3", factor=uln)
    return out


# -- drawing ---------------------------------------------------------------------------------------
def _family_scale(traj: Trajectory, prefix: str) -> str | None:
    """The first scale of a family in the trajectory (the default scales lead ``--scales all``)."""
    return next((s for s in traj.scales if s.startswith(prefix + ".")), None)


def _day_label(day: int | None) -> str:
    return "?" if day is None else ("0" if day == 0 else f"{day:+d}")


def _legend(ax: Axes, handles: list[Any], title: str | None = None) -> None:
    if not handles:
        return
    leg = ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=7, frameon=False,
                    title=title, title_fontsize=7.5, handlelength=1.8, borderaxespad=0.2, labelspacing=0.25)
    leg._legend_box.align = "left"  # type: ignore[attr-defined]  # title flush left, as the entries


def _pale(colour: str, strength: float = 0.15) -> tuple[float, float, float]:
    """``colour`` mixed into white: a light, opaque tint."""
    return tuple(strength * c + (1 - strength) for c in to_rgb(colour))  # type: ignore[return-value]


def _steps(points: list[TimePoint], data: ChartData) -> list[tuple[float, float]]:
    """Where each point's value is drawn: from its time to the next point (the last: a short stub).

    What was known at a time point holds until the next evaluation: nothing is drawn before the
    time it was known (no look-ahead in the picture either).
    """
    xs = [_days(p.at, data.origin) for p in points]
    stub = min(points[-1].covers_hours / 24, 0.3) if points else 0.0
    return [(x, xs[i + 1] if i + 1 < len(xs) else x + stub) for i, x in enumerate(xs)]


def _draw_score(ax: Axes, traj: Trajectory, sid: str, family: str, name: str, what: str, data: ChartData,
                ps: PackSet) -> None:
    colour = COLOURS[family]
    summary: Summary = traj.summaries[sid]
    rows = [(p, p.assessments[sid]) for p in traj.points if sid in p.assessments]
    steps = _steps([p for p, _ in rows], data)
    handles: list[Any] = []
    if rows:
        xs = [a for a, _ in steps] + [steps[-1][1]]
        ys = [a.value if a.value is not None and a.status == "graded" else float("nan") for _, a in rows]
        (line,) = ax.step(xs, [*ys, ys[-1]], where="post", color=colour, lw=2.0, zorder=3,
                          label=f"{what} at each time point")
        line.set_gid(f"score:{sid}")
        dots = ax.scatter(xs[:-1], ys, s=6, color=colour, zorder=3)
        dots.set_gid(f"points:{sid}")
        if any(a.status == "graded" for _, a in rows):
            handles.append(line)
    # Indeterminate and not-applicable runs: bands, never a value.
    runs: list[tuple[str, float, float, tuple[float, float]]] = []
    for (_p, a), (x_a, x_b) in zip(rows, steps, strict=True):
        if a.status == "graded":
            continue
        key = (a.range[0], a.range[1]) if a.status == "indeterminate" else (0.0, 0.0)
        if runs and runs[-1][0] == a.status and runs[-1][3] == key and abs(runs[-1][2] - x_a) < 1e-9:
            runs[-1] = (a.status, runs[-1][1], x_b, key)
        else:
            runs.append((a.status, x_a, x_b, key))
    span = scale_span(ps, sid)
    hi_data = max([1.0, *(a.value for _, a in rows if a.value is not None), *(a.range[1] for _, a in rows)])
    top = max(span[1] if span else hi_data, hi_data)
    bottom = min([span[0] if span else 0.0, *(a.range[0] for _, a in rows)])
    shown: set[str] = set()
    for status, x_a, x_b, (lo, hi) in runs:
        if status == "indeterminate":
            # An opaque pale face (no alpha: the SVG backend would apply it to the hatch twice).
            rect = Rectangle((x_a, lo), x_b - x_a, hi - lo, facecolor=_pale(colour), hatch="////",
                             edgecolor=_pale(colour, 0.6), lw=0.6, zorder=2, label="indeterminate (range hatched)")
            rect.set_gid(f"indeterminate:{sid}")
        else:
            rect = Rectangle((x_a, bottom), x_b - x_a, top - bottom, facecolor=_pale("#888888", 0.35), lw=0,
                             zorder=1, label="not applicable (grey)")
            rect.set_gid(f"not-applicable:{sid}")
        ax.add_patch(rect)
        if status not in shown:
            handles.append(rect)
            shown.add(status)
    cutoff = positive_cutoff(ps, sid) if family == "dic" else None
    if cutoff is not None:
        handles.append(ax.axhline(cutoff, color=COLOURS["threshold"], ls="--", lw=1.0, zorder=2,
                                  label=f"positive ≥ {cutoff:g}"))
    positive = [(x_a, a.value) for (_, a), (x_a, _) in zip(rows, steps, strict=True)
                if a.verdict == "positive" and a.value is not None]
    if positive and family == "dic":
        pts = ax.scatter([x for x, _ in positive], [v for _, v in positive], s=24 if len(rows) <= 40 else 10,
                         color=COLOURS["threshold"],
                         zorder=4, label="positive verdict")
        pts.set_gid(f"positive:{sid}")
        handles.append(pts)
    if summary.onset_at is not None:
        handles.append(ax.axvline(_days(summary.onset_at, data.origin), color=colour, ls="--", lw=1.0, zorder=2,
                                  label=f"onset: day {_day_label(summary.onset_day)}"))
    if summary.possible_earlier_onset and summary.possible_onset_at is not None:
        when = "earlier onset" if summary.onset_at is not None else "onset"
        handles.append(ax.axvline(_days(summary.possible_onset_at, data.origin), color=colour, ls=":", lw=1.0,
                                  zorder=2, label=f"possible {when}: day {_day_label(summary.possible_onset_day)}"))
    if summary.peak_value is not None and summary.peak_at is not None:
        verdict = f", {summary.peak_verdict}" if summary.peak_verdict else ""
        star = ax.scatter([_days(summary.peak_at, data.origin)], [summary.peak_value], marker="*", s=110,
                          color=colour, edgecolor="black", linewidths=0.5, zorder=5,
                          label=f"peak {summary.peak_value:g}{verdict}: from day {_day_label(summary.peak_day)}")
        star.set_gid(f"peak:{sid}")
        handles.append(star)
        if summary.possible_higher_peak and summary.peak_upper_bound is not None:
            handles.append(Line2D([], [], ls="none", label=f"(up to {summary.peak_upper_bound:g} possible "
                                                           "where indeterminate)"))
    ax.set_ylim(bottom - 0.4, top + 0.6)
    ax.yaxis.set_major_locator(MultipleLocator(1 if top - bottom <= 5 else 2))
    ax.set_ylabel(f"{name}\n{what}", rotation=0, ha="right", va="center", fontsize=9, fontweight="bold")
    _legend(ax, handles, summary.title)


def _units_text(units: list[str]) -> str:
    """One unit line for a panel: 'mg/L FEU' and 'mg/L DDU' together read 'mg/L FEU/DDU'."""
    units = list(dict.fromkeys(u for u in units if u))
    bases = {u.split(" ", 1)[0] for u in units}
    if len(units) > 1 and len(bases) == 1:
        return f"{bases.pop()} " + "/".join(u.split(" ", 1)[1] for u in units if " " in u)
    return " / ".join(units)


def _draw_lab(ax: Axes, panel: LabPanel, data: ChartData) -> None:
    series = data.labs.get(panel.key, [])
    ax.set_ymargin(0.15)
    handles: list[Any] = []
    styles = [("o", "-", COLOURS["lab"]), ("s", "--", "#7b7d7d")]
    for s, (marker, ls, colour) in zip(series, styles, strict=False):
        exact = [(m.x, m.value) for m in s.points if m.value is not None]
        (line,) = ax.plot([x for x, _ in exact], [v for _, v in exact], marker=marker, ls=ls, lw=1.0, ms=3,
                          color=colour, zorder=3, label=f"{s.label}, measured" if len(series) == 1 else s.label)
        line.set_gid(f"lab:{s.concept}")
        handles.append(line)
        for cmp_marker, comparators, word in (("v", ("<", "<="), "below"), ("^", (">", ">="), "above")):
            cens = [(m.x, m.bound) for m in s.points
                    if m.value is None and m.comparator in comparators and m.bound is not None]
            if cens:
                c = ax.scatter([x for x, _ in cens], [b for _, b in cens], marker=cmp_marker, s=24,
                               facecolors="none", edgecolors=colour, zorder=3, label=f"{word} the bound shown")
                c.set_gid(f"lab-censored:{s.concept}")
                handles.append(c)
        ulns = [(m.x, m.ref_high) for m in s.points if m.ref_high is not None]
        if ulns and s.concept in ("pt", "d_dimer_feu", "d_dimer_ddu"):
            whose = "" if len(series) == 1 else f", {s.unit.split(' ', 1)[1]}" if " " in s.unit else f", {s.label}"
            uln_colour = COLOURS["uln"] if len(series) == 1 else colour
            if len({u for _, u in ulns}) == 1:
                handles.append(ax.axhline(ulns[0][1], color=uln_colour, ls=":", lw=1.0,
                                          label=f"ULN {ulns[0][1]:g} (lab{whose})"))
            else:
                handles.append(ax.plot([x for x, _ in ulns], [u for _, u in ulns], drawstyle="steps-post",
                                       color=uln_colour, ls=":", lw=1.0, label=f"ULN (lab{whose}; varies)")[0])
    for value, text in data.reference_lines.get(panel.key, []) if series else []:
        handles.append(ax.axhline(value, color=COLOURS["threshold"], ls="--", lw=0.8, alpha=0.8, label=text))
    if not series:
        ax.text(0.01, 0.5, "no results recorded", transform=ax.transAxes, fontsize=7.5, color="#7f8c8d",
                style="italic", va="center")
        ax.set_yticks([])
    name = series[0].label if len(series) == 1 and series[0].concept != panel.concepts[0] else panel.name
    unit = _units_text([s.unit for s in series])
    ax.set_ylabel(f"{name}\n{unit}" if unit else name, rotation=0, ha="right", va="center", fontsize=8.5)
    if series:
        ax.yaxis.set_major_locator(MaxNLocator(nbins=3, min_n_ticks=2))
    if panel.key in ("platelets", "fibrinogen", "d_dimer") and series:
        ax.set_ylim(bottom=0)
    _legend(ax, handles)


def _label_doses(ax: Axes, doses: list[Mark], y: float, inch: float) -> None:
    """Dose labels right of the doses; doses closer than a label's width share one ('2 × 560 mg')."""
    groups: list[list[Mark]] = []
    for m in sorted(doses, key=lambda m: m.start):
        if groups and (m.start - groups[-1][-1].start) / inch < 0.45:
            groups[-1].append(m)
        else:
            groups.append([m])
    for group in groups:
        texts = [m.dose for m in group if m.dose]
        text = texts[0] if len(set(texts)) == 1 else " + ".join(texts)
        if len(group) > 1 and len(set(texts)) == 1:
            text = f"{len(group)} × {text}"
        ax.annotate(text, (group[-1].start, y), xytext=(6, 0), textcoords="offset points", fontsize=6.5,
                    ha="left", va="center", color=group[-1].colour)


def _draw_lanes(ax: Axes, data: ChartData) -> None:
    n = len(LANES)
    x0, x1 = data.x_range
    handles: dict[str, Any] = {}
    inch = (x1 - x0 + 0.5) / (ax.get_position().width * PAGE_INCHES[0])
    # days per inch of the axis, to keep dose labels apart
    for i, lane in enumerate(LANES):
        y = n - 1 - i
        marks = data.marks.get(lane.key, [])
        if not marks:
            ax.text(x0 + 0.1, y, lane.empty_text, fontsize=7, color="#7f8c8d", style="italic", va="center")
            continue
        agents = list(dict.fromkeys(m.what for m in sorted(marks, key=lambda m: m.start)))
        rows = len(agents) if lane.key != "oxygen" else 1
        height = 0.8 / rows
        for m in marks:
            row = agents.index(m.what) if rows > 1 else 0
            y_mid = y + 0.4 - height * (row + 0.5)
            artist: Any
            if m.instant:
                shape, size = ("o", 3.5) if lane.key == "oxygen" else ("D", 4.5)
                (artist,) = ax.plot([m.start], [y_mid], marker=shape, ls="none", ms=size, color=m.colour, zorder=4)
                legend_handle: Any = Line2D([], [], marker=shape, ls="none", color=m.colour, label=m.legend)
            else:
                stop = m.end if m.end is not None else x1
                artist = ax.broken_barh([(m.start, stop - m.start)], (y_mid - height * 0.4, height * 0.8),
                                        facecolors=m.colour, edgecolors="none", zorder=3)
                if m.running:
                    ax.plot([stop], [y_mid], marker=">", color=m.colour, ms=5, zorder=4)
                legend_handle = Patch(facecolor=m.colour, label=m.legend)
            artist.set_gid(f"intervention:{lane.key}")
            handles.setdefault(m.legend, legend_handle)
        _label_doses(ax, [m for m in marks if m.dose], y, inch)
    ax.set_yticks(range(n), [lane.name for lane in reversed(LANES)], fontsize=8)
    ax.set_ylim(-0.6, n - 0.4)
    for y in range(n):
        ax.axhline(y - 0.5, color="#e5e7e9", lw=0.6, zorder=0)
    legend = list(handles.values())
    if data.infusion_x is not None:
        legend.append(Line2D([], [], color=COLOURS["infusion"], lw=1.2, label="CAR-T infusion (first)"))
    if any(m.running for ms in data.marks.values() for m in ms):
        legend.append(Line2D([], [], marker=">", ls="none", color="#555555", label="still running at the end"))
    _legend(ax, legend, "Treatments (bars: periods)")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _title(fig: Figure, traj: Trajectory, data: ChartData, patient_name: str | None) -> None:
    who = f"{_shorten(patient_name, 40)}  ({_shorten(traj.patient, 40)})" if patient_name else \
        _shorten(traj.patient, 60)
    fig.text(0.012, 0.978, f"CAR-T toxicity course: {who}", fontsize=13, fontweight="bold", va="top",
             parse_math=False)
    if traj.infusion_date:
        at = f" {traj.infusion_time.strftime('%H:%M %Z').strip()}" if traj.infusion_time else ""
        day0 = f"Day 0 (first CAR-T infusion): {traj.infusion_date}{at}"
    else:
        day0 = "Day 0 unknown (no CAR-T administration recorded)"
    fig.text(0.012, 0.945, f"{day0}   ·   data to {traj.end.strftime('%Y-%m-%d %H:%M')}   ·   graded every "
             f"{traj.every_hours:g} h ({len(traj.points)} time points)", fontsize=9.5, va="top", parse_math=False)
    fig.text(0.012, 0.92, NO_LOOK_AHEAD, fontsize=8.5, va="top", color="#34495e", style="italic")
    fig.text(0.988, 0.978, DISCLAIMER.replace(", ", ",\n"), fontsize=12, fontweight="bold", color="#b03a2e",
             ha="right", va="top", linespacing=1.1)
    fig.text(0.988, 0.918, "Check every value against the chart.", fontsize=8, ha="right", va="top",
             color="#b03a2e")


def _footer(fig: Figure, traj: Trajectory, data: ChartData, drawn: list[str]) -> None:
    from cartguard import __version__

    parts = [f"cartguard {__version__}", "scales drawn: " + ", ".join(drawn)]
    others = [s for s in traj.scales if s not in drawn]
    if others:
        parts.append("also followed (in the tables): " + ", ".join(others) if len(others) <= 3 else
                     f"{len(others)} more scales followed (in the tables)")
    if data.left_out:
        parts.append(f"{len(data.left_out)} invalid resource(s) not drawn (see warnings)")
    if traj.warnings:
        parts.append(f"{len(traj.warnings)} warning(s) on the input (listed with the text course)")
    fig.text(0.012, 0.01, _shorten("   ·   ".join(parts), 230), fontsize=7, color="#566573", va="bottom",
             parse_math=False)


def course_figure(traj: Trajectory, facts: PatientFacts, *, packset: PackSet | None = None,
                  patient_name: str | None = None) -> Figure:
    """The ward-board figure of one course: score panels, lab panels and a treatment lane, one day axis.

    ``facts``: the patient's mapped facts (:func:`cartguard.trajectory.trajectory_with_facts`);
    ``packset``: the pack set the trajectory was computed with (default: the installed packs), for
    the scales' ranges and the threshold lines; ``patient_name``: shown beside the patient reference.
    """
    ps = packset or installed_packset()
    return draw_course(traj, chart_data(traj, facts, ps), ps, patient_name=patient_name)


def draw_course(traj: Trajectory, data: ChartData, packset: PackSet, *, patient_name: str | None = None) -> Figure:
    """Draw from already gathered :class:`ChartData` (the HTML page gathers once for figure and tables)."""
    fig = Figure(figsize=PAGE_INCHES, dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    scales = [(prefix, name, what, sid) for prefix, name, what in FAMILIES
              if (sid := _family_scale(traj, prefix)) is not None]
    ratios = [1.0 if prefix != "icans" else 0.8 for prefix, *_ in scales] + [0.62] * len(LAB_PANELS) + [1.45]
    axes = fig.subplots(len(ratios), 1, sharex=True, gridspec_kw={"height_ratios": ratios, "hspace": 0.12,
                                                                  "left": 0.108, "right": 0.775, "top": 0.87,
                                                                  "bottom": 0.075})
    for ax in axes:
        ax.tick_params(labelsize=7.5)
        ax.grid(axis="x", which="major", color="#d5d8dc", lw=0.6)
        ax.set_axisbelow(True)
        if data.infusion_x is not None:
            ax.axvline(data.infusion_x, color=COLOURS["infusion"], lw=1.2, alpha=0.8, zorder=1)
    for ax, (prefix, name, what, sid) in zip(axes, scales, strict=False):
        ax.set_label(prefix)
        _draw_score(ax, traj, sid, prefix, name, what, data, packset)
    for ax, panel in zip(axes[len(scales):], LAB_PANELS, strict=False):
        ax.set_label(panel.key)
        _draw_lab(ax, panel, data)
    lanes_ax = axes[-1]
    lanes_ax.set_label("interventions")
    x0, x1 = data.x_range
    lanes_ax.set_xlim(x0 - 0.1, x1 + 0.3)
    _draw_lanes(lanes_ax, data)
    # Grid lines at midnight, each label in the middle of its calendar day (a 20:00 point of day +1
    # sits in the band labelled +1); long courses label every 7th or 28th day.
    step = 1 if x1 - x0 <= 45 else 7 if x1 - x0 <= 200 else 28
    lanes_ax.xaxis.set_major_locator(MultipleLocator(step))
    lanes_ax.xaxis.set_major_formatter(NullFormatter())
    lanes_ax.xaxis.set_minor_locator(MultipleLocator(step, offset=0.5))
    lanes_ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _pos: _day_label(math.floor(v))))
    for ax in axes:
        ax.tick_params(axis="x", which="minor", length=0, labelsize=7.5)
    axes[0].tick_params(axis="x", which="minor", labeltop=True)
    if data.day0_known:
        lanes_ax.set_xlabel(f"Day relative to the CAR-T infusion (day 0 = {traj.infusion_date}; each day from "
                            f"00:00 {data.origin.strftime('%Z') or 'UTC'})", fontsize=8.5)
    else:
        lanes_ax.set_xlabel(f"Days from the first data ({data.origin.date().isoformat()}); day 0 unknown",
                            fontsize=8.5)
    _title(fig, traj, data, patient_name)
    _footer(fig, traj, data, [sid for *_, sid in scales])
    return fig


def figure_paths(out: Path, patients: list[str], suffix: str) -> dict[str, Path]:
    """Where each patient's figure or page goes.

    One patient: ``out`` itself, unless it is an existing folder or has no suffix (then a file in
    it). Several: ``out`` is a folder, one ``<patient id>.<suffix>`` each, the id reduced to safe
    characters (``A-Z a-z 0-9 . _ -``) and, when any was replaced, a short hash of the id added so
    two patients never share a file.
    """
    if len(patients) == 1 and out.suffix and not out.is_dir():
        out.parent.mkdir(parents=True, exist_ok=True)
        return {patients[0]: out}
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: expected a folder for {len(patients)} patients (one file each), "
                         "found an existing file")
    if out.suffix.lower() in (".png", ".html", ".htm", ".svg"):
        raise InputError(f"--out {out}: expected a folder for {len(patients)} patients (one file each), "
                         f"found a {out.suffix} file name")
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for pid in patients:
        raw = pid.removeprefix("Patient/")
        name = re.sub(r"[^A-Za-z0-9._-]", "_", raw).lstrip(".")[:80] or "patient"
        if name != raw:
            name += "-" + hashlib.sha256(pid.encode()).hexdigest()[:8]
        paths[pid] = out / f"{name}.{suffix}"
    return paths


def write_png(traj: Trajectory, facts: PatientFacts, path: str | Path, *, packset: PackSet | None = None,
              patient_name: str | None = None) -> Path:
    """Write the figure as a PNG (A4 landscape at 150 dpi) and return the path."""
    target = Path(path)
    fig = course_figure(traj, facts, packset=packset, patient_name=patient_name)
    fig.savefig(target, format="png", dpi=DPI)
    return target
