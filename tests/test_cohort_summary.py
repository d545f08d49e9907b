"""The cohort summary's statistics (cartguard.cohort.summary), text table and figure.

Checked against scipy directly and against values computed by hand for a tiny cohort.
"""

from __future__ import annotations

import ast
import inspect
import math
import random

import pytest
from scipy.stats import binomtest, spearmanr

from cartguard.cohort import CohortParams, CohortRow, summarize_cohort
from cartguard.cohort import figure as figure_module
from cartguard.cohort.figure import dic_by_crs_figure, save_figure
from cartguard.cohort.scales import PositiveThreshold, ScaleInfo
from cartguard.cohort.summary import correlation, proportion
from cartguard.cohort.text import to_text

SCALES = {
    "crs": ScaleInfo(id="crs.astct2019", title="CRS", scale="astct2019", version="1"),
    "dic": ScaleInfo(id="dic.isth2001", title="ISTH", scale="isth_overt_2001", version="1",
                     positive=[PositiveThreshold(value=5, label="overt DIC")]),
    "icans": ScaleInfo(id="icans.astct2019", title="ICANS", scale="astct2019", version="1"),
}


def r(pid: str, crs: int | None, dic: float | None, **kw) -> CohortRow:
    """A row with certain maxima (unless said otherwise); CRS 3-4 follows the grade."""
    fields = dict(patient=pid, crs_max=crs, crs_max_certain=crs is not None,
                  crs_max_at_least=crs, crs_max_at_most=crs,
                  crs_grade_3_4="unknown" if crs is None else "yes" if crs >= 3 else "no",
                  dic_max_score=dic, dic_max_certain=dic is not None, dic_max_at_least=dic, dic_max_at_most=dic,
                  dic="unknown" if dic is None else "yes" if dic >= 5 else "no")
    fields.update(kw)
    return CohortRow(**fields)


# -- confidence intervals ---------------------------------------------------------------------------------
def test_clopper_pearson_matches_hand_values_and_scipy():
    p = CohortParams()
    zero = proportion(0, 5, 0, p)
    assert zero.ci_low == 0.0
    assert zero.ci_high == pytest.approx(100 * (1 - 0.025 ** (1 / 5)), abs=1e-9)  # 52.18%
    full = proportion(5, 5, 0, p)
    assert full.ci_low == pytest.approx(100 * 0.025 ** (1 / 5), abs=1e-9) and full.ci_high == 100.0
    seed = proportion(19, 53, 2, p)
    ci = binomtest(19, 53).proportion_ci(method="exact")
    assert (seed.ci_low, seed.ci_high) == pytest.approx((100 * ci.low, 100 * ci.high))
    assert seed.pct == pytest.approx(100 * 19 / 53) and seed.unknown == 2
    assert "Clopper-Pearson" in seed.method and "95%" in seed.method


def test_wilson_matches_the_formula():
    k, n, z = 19, 53, 1.959963984540054
    ph = k / n
    centre = (ph + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    w = proportion(k, n, 0, CohortParams(ci_method="wilson"))
    assert (w.ci_low, w.ci_high) == pytest.approx((100 * (centre - half), 100 * (centre + half)), abs=1e-6)
    assert "Wilson" in w.method


def test_no_known_answer_has_no_interval():
    p = proportion(0, 0, 4, CohortParams())
    assert (p.pct, p.ci_low, p.ci_high, p.unknown) == (None, None, None, 4)


# -- rank correlation -------------------------------------------------------------------------------------
def test_spearman_by_hand_on_a_tiny_cohort():
    # ranks x 1 2 3 4, y 2 1 4 3: sum d^2 = 4, rho = 1 - 6*4 / (4*15) = 0.6; t = 0.6*sqrt(2/0.64) with 2 df,
    # and the t cdf with 2 df is 1/2 + t / (2 sqrt(2 + t^2)) = 0.8, so the two-sided p is 0.4.
    rows = [r("a", 0, 2), r("b", 1, 1), r("c", 2, 4), r("d", 3, 3),
            r("e", 2, None), r("f", None, 1, crs_max_at_least=1.0, crs_max_at_most=3.0),
            CohortRow(patient="g", status="error", error="boom")]
    c = correlation(rows, SCALES)
    assert c.rho == pytest.approx(0.6) and c.p_value == pytest.approx(0.4)
    assert c.n_used == 4
    assert c.excluded == {"could not be evaluated (error)": 1, "maximum CRS grade not certain": 1,
                          "maximum DIC score not certain": 1}


def test_spearman_matches_scipy_with_ties():
    rng = random.Random(7)
    rows = []
    for i in range(60):
        g = rng.randint(0, 4)
        rows.append(r(f"p{i:02d}", g, float(min(8, max(0, g + rng.randint(-2, 3))))))
    c = correlation(rows, SCALES)
    ref = spearmanr([x.crs_max for x in rows], [x.dic_max_score for x in rows])
    assert c.rho == pytest.approx(ref.statistic) and c.p_value == pytest.approx(ref.pvalue) and c.n_used == 60


def test_a_constant_variable_or_too_few_patients_gives_a_note_not_a_warning():
    flat = correlation([r("a", 1, 2), r("b", 1, 5), r("c", 1, 7)], SCALES)
    assert flat.rho is None and "maximum CRS grade is the same (1)" in (flat.note or "")
    few = correlation([r("a", 1, 2), r("b", 2, 5)], SCALES)
    assert few.rho is None and "need 3" in (few.note or "")


# -- the summary of a tiny cohort, by hand -----------------------------------------------------------------
@pytest.fixture()
def tiny() -> list[CohortRow]:
    return [
        r("p1", 0, 1, coagulopathy="no"),
        r("p2", 1, 3, coagulopathy="yes"),
        r("p3", 3, 8, coagulopathy="yes", dic_recovered="yes"),
        r("p4", 4, 6, coagulopathy="yes", dic_recovered="no"),
        r("p5", 2, 5, coagulopathy="no", dic_recovered="unknown"),  # DIC by the scale, not coagulopathic
        r("p6", 2, None, crs_max_certain=False, crs_max_at_least=2.0, crs_max_at_most=3.0, crs_grade_3_4="unknown",
          coagulopathy="unknown"),
        CohortRow(patient="p7", status="error", error="Patient/p7: no CAR-T infusion (day 0)"),
    ]


def test_summary_of_a_tiny_cohort(tiny):
    s = summarize_cohort(tiny, SCALES, CohortParams(), input_warnings=1)
    assert (s.patients, s.evaluated, s.errors, s.input_warnings) == (7, 6, 1, 1)
    dist = {g.grade: g.n for g in s.crs_distribution}
    assert dist == {"0": 1, "1": 1, "2": 1, "3": 1, "4": 1, "indeterminate": 1}
    assert {g.grade: g.pct for g in s.crs_distribution}["0"] == pytest.approx(100 / 6)
    assert (s.crs_grade_3_4.k, s.crs_grade_3_4.n, s.crs_grade_3_4.unknown) == (2, 5, 1)
    assert (s.coagulopathy.k, s.coagulopathy.n, s.coagulopathy.unknown) == (3, 5, 1)
    assert (s.dic.k, s.dic.n, s.dic.unknown) == (3, 5, 1)
    assert (s.dic_among_coagulopathic.k, s.dic_among_coagulopathic.n) == (2, 3)
    assert s.dic_without_coagulopathy == 1
    assert (s.dic_recovered.k, s.dic_recovered.n, s.dic_recovered.unknown) == (1, 2, 1)
    ci = binomtest(3, 5).proportion_ci(method="exact")
    assert (s.dic.ci_low, s.dic.ci_high) == pytest.approx((100 * ci.low, 100 * ci.high))
    assert s.correlation.n_used == 5 and s.correlation.rho == pytest.approx(
        spearmanr([0, 1, 3, 4, 2], [1, 3, 8, 6, 5]).statistic)
    assert "Xu QW et al. 2021" in s.coagulopathy_definition and "D-dimer criterion off" in s.coagulopathy_definition


def test_text_table(tiny):
    text = to_text(summarize_cohort(tiny, SCALES, CohortParams()))
    assert "Patients: 7 (6 evaluated, 1 could not be evaluated)" in text
    assert "2/5 (40.0%; 95% CI" in text and "[1 unknown, not in n]" in text
    assert "Jiang 2019 (published)" in text and "19/53 (35.8%)" in text
    assert "The publication's numbers, not computed from this input" in " ".join(text.split())  # wrapped
    assert "Spearman rho = " in text and "(n = 5)" in text
    assert "dic.isth2001: total >= 5" in text
    assert text.rstrip().endswith("Decision support for clinicians, not a prescription.")


def test_figure_is_a_png_drawn_without_pyplot(tiny, tmp_path):
    s = summarize_cohort(tiny, SCALES, CohortParams())
    fig = dic_by_crs_figure(tiny, s)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0\nn=1", "1\nn=1", "2\nn=1", "3\nn=1", "4\nn=1"]
    assert "Spearman rho" in ax.get_title()
    assert any(line.get_ydata()[0] == 5 for line in ax.get_lines() if line.get_linestyle() == "--")
    out = tmp_path / "f.png"
    save_figure(fig, out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    imported = [n.module for n in ast.walk(ast.parse(inspect.getsource(figure_module)))
                if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(ast.parse(inspect.getsource(figure_module)))
                 if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m and "pyplot" in m]
