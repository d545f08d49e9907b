"""The cohort summary in the seed study's form, with its statistics (scipy.stats, not hand-written).

* Proportions (CRS grade 3-4, coagulopathy, DIC, DIC among coagulopathic, recovered, ICANS grade
  >= 2): k/n with a binomial confidence interval from ``scipy.stats.binomtest(k, n).proportion_ci``
  (Clopper-Pearson by default, ``CohortParams.ci_method``). The denominator excludes patients whose
  answer is unknown and states how many they are; error rows are in no denominator.
* CRS grade distribution over the evaluated patients: grades 0-4 (any other exact grade seen too)
  and "indeterminate" (the maximum is not certain).
* Association between the maximum CRS grade and the maximum DIC score: Spearman's rank correlation
  (``scipy.stats.spearmanr``, two-sided p-value) over the patients with both maxima certain; the
  number used and the number excluded, by reason, are part of the result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from pydantic import BaseModel, ConfigDict, Field

from cartguard.cohort.params import CohortParams
from cartguard.cohort.published import JIANG_2019, SOURCE, PublishedFigure
from cartguard.cohort.row import CohortRow
from cartguard.cohort.scales import ScaleInfo


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Proportion(_Model):
    k: int
    """Patients with the finding."""
    n: int
    """Denominator: patients whose answer is known (yes or no)."""
    unknown: int = 0
    """Patients left out of the denominator because their answer is unknown."""
    pct: float | None = None
    ci_low: float | None = None
    """Lower bound of the confidence interval, as a percentage."""
    ci_high: float | None = None
    method: str = ""


class GradeCount(_Model):
    grade: str
    """``0`` .. ``4`` or ``indeterminate``."""
    n: int
    pct: float | None


class Correlation(_Model):
    method: str = "Spearman rank correlation (scipy.stats.spearmanr, two-sided p-value)"
    x: str
    y: str
    n_used: int
    rho: float | None = None
    p_value: float | None = None
    excluded: dict[str, int] = Field(default_factory=dict)
    """Patients left out, by reason."""
    note: str | None = None
    """Why no coefficient was computed (too few patients, a constant variable)."""


class CohortSummary(_Model):
    patients: int
    """Rows: evaluated patients plus errors (patients or files that could not be evaluated)."""
    evaluated: int
    errors: int
    scales: dict[str, ScaleInfo]
    crs_distribution: list[GradeCount]
    crs_grade_3_4: Proportion
    coagulopathy: Proportion
    dic: Proportion
    dic_among_coagulopathic: Proportion
    dic_without_coagulopathy: int
    """DIC by the scale while not coagulopathic by the definition (the two are independent definitions)."""
    dic_recovered: Proportion
    icans_grade_2_plus: Proportion
    correlation: Correlation
    coagulopathy_definition: str
    published: list[PublishedFigure] = Field(default_factory=lambda: list(JIANG_2019))
    published_source: str = SOURCE
    params: CohortParams
    input_warnings: int = 0
    disclaimer: str = "Decision support for clinicians, not a prescription."


def proportion(k: int, n: int, unknown: int, params: CohortParams) -> Proportion:
    """k/n with the binomial confidence interval of ``params`` (none when n is 0)."""
    method = {"exact": "Clopper-Pearson", "wilson": "Wilson score"}[params.ci_method]
    label = f"{params.confidence:.0%} CI, {method} (scipy.stats.binomtest)"
    if n == 0:
        return Proportion(k=k, n=n, unknown=unknown, method=label)
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=params.confidence, method=params.ci_method)
    return Proportion(k=k, n=n, unknown=unknown, pct=100.0 * k / n, ci_low=100.0 * float(ci.low),
                      ci_high=100.0 * float(ci.high), method=label)


def _count(rows: Sequence[CohortRow], answer: Callable[[CohortRow], str], params: CohortParams) -> Proportion:
    c = Counter(answer(r) for r in rows)
    return proportion(c["yes"], c["yes"] + c["no"], c["unknown"], params)


def correlation(rows: Sequence[CohortRow], scales: dict[str, ScaleInfo]) -> Correlation:
    """Spearman's rho between certain maximum CRS grades and certain maximum DIC scores."""
    excluded: Counter[str] = Counter()
    xs: list[float] = []
    ys: list[float] = []
    for r in rows:
        if r.status == "error":
            excluded["could not be evaluated (error)"] += 1
        elif not r.crs_max_certain or r.crs_max is None:
            excluded["maximum CRS grade not certain"] += 1
        elif not r.dic_max_certain or r.dic_max_score is None:
            excluded["maximum DIC score not certain"] += 1
        else:
            xs.append(float(r.crs_max))
            ys.append(r.dic_max_score)
    base = Correlation(x=f"maximum CRS grade ({scales['crs'].id})", y=f"maximum DIC score ({scales['dic'].id})",
                       n_used=len(xs), excluded=dict(sorted(excluded.items())))
    if len(xs) < 3:
        return base.model_copy(update={"note": f"not computed: {len(xs)} patient(s) with both maxima certain "
                                               "(need 3)"})
    for name, values in (("maximum CRS grade", xs), ("maximum DIC score", ys)):
        if len(set(values)) == 1:
            return base.model_copy(update={"note": f"not computed: the {name} is the same ({values[0]:g}) for "
                                                   "every patient used, so a rank correlation is undefined"})
    from scipy.stats import spearmanr

    result = spearmanr(xs, ys)
    return base.model_copy(update={"rho": float(result.statistic), "p_value": float(result.pvalue)})


def summarize_cohort(rows: Sequence[CohortRow], scales: dict[str, ScaleInfo], params: CohortParams,
                     input_warnings: int = 0) -> CohortSummary:
    """The seed-study-style summary of ``rows`` (see the module docstring for every definition)."""
    ok = [r for r in rows if r.status == "ok"]
    grades: Counter[str] = Counter(str(r.crs_max) if r.crs_max_certain else "indeterminate" for r in ok)
    shown = sorted({"0", "1", "2", "3", "4", *(g for g in grades if g != "indeterminate")}, key=int)
    distribution = [GradeCount(grade=g, n=grades[g], pct=100.0 * grades[g] / len(ok) if ok else None)
                    for g in [*shown, "indeterminate"]]
    coagulopathic = [r for r in ok if r.coagulopathy == "yes"]
    dic_patients = [r for r in ok if r.dic == "yes"]
    d = params.coagulopathy
    definition = (f"any of: PT > {d.pt_prolonged_gt_s:g} s above ULN, APTT > {d.aptt_prolonged_gt_s:g} s above ULN, "
                  f"fibrinogen < {d.fibrinogen_lt_g_l:g} g/L, FDP > {d.fdp_gt_mg_l:g} mg/L"
                  + (f", D-dimer > {d.d_dimer_gt_mg_l:g} mg/L {d.d_dimer_type}" if d.d_dimer_type else
                     " (D-dimer criterion off: its FEU/DDU type is not stated)")
                  + f", day 0 to day {params.window_days}; {d.citation}")
    return CohortSummary(
        patients=len(rows), evaluated=len(ok), errors=len(rows) - len(ok), scales=scales,
        crs_distribution=distribution,
        crs_grade_3_4=_count(ok, lambda r: r.crs_grade_3_4, params),
        coagulopathy=_count(ok, lambda r: r.coagulopathy, params),
        dic=_count(ok, lambda r: r.dic, params),
        dic_among_coagulopathic=_count(coagulopathic, lambda r: r.dic, params),
        dic_without_coagulopathy=sum(1 for r in dic_patients if r.coagulopathy == "no"),
        dic_recovered=_count(dic_patients, lambda r: r.dic_recovered, params),
        icans_grade_2_plus=_count(ok, lambda r: r.icans_grade_2_plus, params),
        correlation=correlation(rows, scales), coagulopathy_definition=definition, params=params,
        input_warnings=input_warnings)
