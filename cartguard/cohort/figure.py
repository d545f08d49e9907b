"""The figure of the cohort: maximum DIC score by maximum CRS grade (one point per patient).

Box (quartiles) and jittered points per CRS grade, the median as a bar, the DIC scale's positive
threshold(s) as dashed lines, n per grade under each grade, Spearman's rho and p in the title.
Only patients with both maxima certain are drawn (the same patients as the correlation).
Object-oriented matplotlib on the Agg canvas: no pyplot, no global state, safe in any process.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cartguard.cohort.row import CohortRow
from cartguard.cohort.summary import CohortSummary
from cartguard.cohort.text import correlation_text

JITTER = 0.12


def dic_by_crs_figure(rows: Sequence[CohortRow], summary: CohortSummary) -> Figure:
    """The figure (not yet saved): see the module docstring."""
    import numpy as np

    by_grade: dict[int, list[float]] = {}
    for r in rows:
        if r.status == "ok" and r.crs_max_certain and r.dic_max_certain and r.crs_max is not None \
                and r.dic_max_score is not None:
            by_grade.setdefault(r.crs_max, []).append(r.dic_max_score)
    grades = sorted({0, 1, 2, 3, 4, *by_grade})
    fig = Figure(figsize=(7.5, 5.2), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    rng = np.random.default_rng(0)  # the same jitter on every run
    present = [g for g in grades if by_grade.get(g)]
    if present:
        ax.boxplot([by_grade[g] for g in present], positions=present, widths=0.5, showfliers=False,
                   medianprops={"color": "black", "linewidth": 2}, boxprops={"color": "0.55"},
                   whiskerprops={"color": "0.55"}, capprops={"color": "0.55"})
    for g in present:
        ys = np.asarray(by_grade[g], dtype=float)
        ax.scatter(g + rng.uniform(-JITTER, JITTER, len(ys)), ys, s=22, alpha=0.75, color="tab:red",
                   edgecolors="none", zorder=3)
    dic = summary.scales["dic"]
    for i, t in enumerate(dic.positive):
        color = "tab:blue" if i == 0 else "tab:purple"
        ax.axhline(t.value, linestyle="--", color=color, linewidth=1.2)
        ax.annotate(f"positive: total >= {t.value:g} ({t.label})", xy=(1, t.value), xycoords=("axes fraction", "data"),
                    xytext=(-4, 3), textcoords="offset points", ha="right", va="bottom", fontsize=7, color=color)
    values = [v for vs in by_grade.values() for v in vs] + [t.value for t in dic.positive]
    ax.set_ylim(min([0.0, *values]) - 0.5, max([1.0, *values]) + 1.0)
    ax.set_xticks(grades, [f"{g}\nn={len(by_grade.get(g, []))}" for g in grades])
    ax.set_xlim(min(grades) - 0.6, max(grades) + 0.6)
    ax.set_xlabel(f"maximum CRS grade ({summary.scales['crs'].id})")
    ax.set_ylabel(f"maximum DIC score ({dic.id})")
    ax.set_title(f"Maximum DIC score by maximum CRS grade\n{correlation_text(summary.correlation)}", fontsize=11)
    ax.grid(axis="y", alpha=0.3)
    left_out = sum(summary.correlation.excluded.values())
    fig.text(0.01, 0.01, f"cartguard cohort: {summary.correlation.n_used} patients with both maxima certain"
             + (f" ({left_out} left out)" if left_out else "")
             + f". {summary.disclaimer}", fontsize=7, color="0.35")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def save_figure(fig: Figure, path: str | Path) -> None:
    """Write ``fig`` as PNG (or the format ``path``'s suffix names, e.g. .svg)."""
    fig.savefig(path)
