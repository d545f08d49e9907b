"""Text and JSON renderings of a :class:`~cartguard.trajectory.Trajectory`.

Text: a compact day-by-day table (one row per time point, one column per scale) and the
per-assessment summaries. A cell is the exact value (``3``), or the range still possible when
indeterminate (``0-4``), or ``n/a``; ``*`` marks a point certainly at or above the scale's
threshold and ``?`` one that possibly is.
"""

from __future__ import annotations

from datetime import datetime

import orjson

from cartguard.trajectory import PointAssessment, Summary, Trajectory

SHORT = {"crs.astct2019": "CRS", "icans.astct2019": "ICANS", "dic.isth2001": "ISTH"}
MARK = {"yes": "*", "possible": "?", "no": ""}


def to_json(traj: Trajectory | list[Trajectory]) -> bytes:
    """The trajectory contract (``Trajectory.model_dump``), or a list of them, as indented JSON."""
    if isinstance(traj, list):
        return orjson.dumps([t.model_dump(mode="json") for t in traj], option=orjson.OPT_INDENT_2)
    return orjson.dumps(traj.model_dump(mode="json"), option=orjson.OPT_INDENT_2)


def _g(x: float | None) -> str:
    return "?" if x is None else f"{x:g}"


def cell(a: PointAssessment | None) -> str:
    if a is None:
        return "-"
    if a.status == "not_applicable":
        return "n/a"
    v = _g(a.value) if a.value is not None else f"{_g(a.range[0])}-{_g(a.range[1])}"
    return v + MARK[a.meets]


def _day(d: int | None) -> str:
    return "?" if d is None else f"{d:+d}"


def _when(t: datetime | None, day: int | None) -> str:
    return "-" if t is None else f"day {_day(day)} ({t.strftime('%Y-%m-%d %H:%M')})"


def summary_lines(s: Summary, every_hours: float) -> list[str]:
    lines = [f"{s.assessment} - {s.title}  [threshold: {s.threshold.text}]"]
    if s.onset_at is None:
        lines.append("  onset:    none (never certainly at or above the threshold)")
    else:
        lines.append(f"  onset:    {_when(s.onset_at, s.onset_day)}; last {_when(s.last_at, s.last_day)}")
    if s.possible_earlier_onset:
        when = "earlier onset" if s.onset_at is not None else "onset"
        lines.append(f"  possible {when} from {_when(s.possible_onset_at, s.possible_onset_day)} "
                     "(a range there could reach the threshold)")
    if s.peak_value is not None:
        verdict = f", {s.peak_verdict}" if s.peak_verdict else ""
        lines.append(f"  peak:     {_g(s.peak_value)}{verdict} first at {_when(s.peak_at, s.peak_day)}")
    else:
        lines.append("  peak:     none graded exactly")
    if s.possible_higher_peak:
        lines.append(f"            certainly reached {_g(s.peak_lower_bound)}; up to {_g(s.peak_upper_bound)} "
                     "possible where indeterminate")
    span = f"; onset to last {s.first_to_last_hours:g} h" if s.first_to_last_hours is not None else ""
    lines.append(f"  duration: {s.duration_hours:g} h ({s.duration_days:g} d) at or above, in {s.episodes} "
                 f"episode(s){span}" + (f"; {s.possible_hours:g} h possibly" if s.possible_hours else ""))
    days = ", ".join(_day(d) for d in s.indeterminate_days) or "none"
    lines.append(f"  indeterminate: {s.indeterminate_points} of {s.points} points "
                 f"({s.indeterminate_hours:g} h); days {days}"
                 + (f"; not applicable at {s.not_applicable_points}" if s.not_applicable_points else ""))
    return lines


def to_text(traj: Trajectory, *, summaries: bool = True) -> str:
    day0 = f"day 0 = {traj.infusion_date}" if traj.infusion_date else "infusion day unknown"
    lines = [f"{traj.patient}  course {traj.start.isoformat()} .. {traj.end.isoformat()}  ({day0}; "
             f"every {traj.every_hours:g} h, {len(traj.points)} points)",
             "each point uses only the data at or before it (no look-ahead); "
             "* at/above threshold, ? possibly, lo-hi indeterminate",
             "-" * 78]
    names = [SHORT.get(s, s) for s in traj.scales]
    widths = [max(7, len(n) + 1) for n in names]
    head = "".join(f"{n:<{w}}" for n, w in zip(names, widths, strict=True))
    lines.append(f"{'day':>4}  {'at (UTC)':<16}  {'h':>6}  {head}".rstrip())
    for p in traj.points:
        h = f"{p.hours_from_infusion:+g}" if p.hours_from_infusion is not None else "?"
        cells = "".join(f"{cell(p.assessments.get(s)):<{w}}" for s, w in zip(traj.scales, widths, strict=True))
        lines.append(f"{_day(p.infusion_day):>4}  {p.at.strftime('%Y-%m-%d %H:%M'):<16}  {h:>6}  {cells}".rstrip())
    if summaries:
        for sid in traj.scales:
            lines.append("")
            lines.extend(summary_lines(traj.summaries[sid], traj.every_hours))
    if traj.warnings:
        lines.append("")
        lines.append(f"warnings ({len(traj.warnings)}):")
        lines.extend(f"  {w.code}: {w.message}" for w in traj.warnings)
    lines.append("")
    lines.append(traj.disclaimer)
    return "\n".join(lines)
