"""The parameters of a cohort analysis: which scales, which window, which definitions.

Everything a row or the summary depends on is here, named, with its default and where the default
comes from, so a cohort table can always be reproduced from its parameters (they are written into the
JSON output). The definitions themselves are documented in ``docs/cohort.md``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

CoagTest = Literal["pt", "aptt", "fibrinogen", "d_dimer", "fdp"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CoagulopathyDefinition(_Model):
    """"Abnormal coagulation" after CAR-T as defined by Xu QW et al. 2021 (single Chinese centre, 46
    patients; seed-study.md §2, evidence [A]: abstract only, so each threshold is a named parameter).

    A patient is coagulopathic when at least one result taken from day 0 to the end of the analysis
    window meets one threshold (all strict, as printed: ``>`` and ``<``). Prolongations are seconds
    above the upper limit of the same result's reference range (Xu does not say above what; ULN is
    the project's convention, as ``cdss.prolongation_reference = "uln"``).
    """

    citation: str = ("Xu QW et al. 2021, single-centre Chinese CAR-T cohort (46 patients): 'abnormal' = D-dimer "
                     ">5 mg/L, APTT prolonged >10 s, fibrinogen <1.5 g/L, PT prolonged >3 s, FDP >20 mg/L "
                     "(abstract; shared/domain/seed-study.md section 2)")
    pt_prolonged_gt_s: float = 3.0
    """PT more than this many seconds above the result's ULN."""
    aptt_prolonged_gt_s: float = 10.0
    """APTT more than this many seconds above the result's ULN."""
    fibrinogen_lt_g_l: float = 1.5
    """Fibrinogen below this (g/L)."""
    fdp_gt_mg_l: float = 20.0
    """FDP above this (mg/L)."""
    d_dimer_gt_mg_l: float = 5.0
    """D-dimer above this (mg/L), of the type ``d_dimer_type``."""
    d_dimer_type: Literal["FEU", "DDU"] | None = None
    """The D-dimer type the 5 mg/L cut-off refers to. Xu 2021 does not state it (FEU is about twice
    DDU) and a D-dimer is never converted between types, so by default the D-dimer criterion is off;
    a site that knows its assay's type sets it (``--coag-ddimer-type``)."""
    required: tuple[CoagTest, ...] = ("pt", "aptt", "fibrinogen")
    """Tests that must have a usable result in the window before a patient can be called
    *not* coagulopathic (the routine coagulation panel; FDP and D-dimer count when present)."""

    @model_validator(mode="after")
    def _d_dimer_type_known(self) -> CoagulopathyDefinition:
        if "d_dimer" in self.required and self.d_dimer_type is None:
            raise ValueError("coagulopathy: D-dimer is required but d_dimer_type is not set (FEU or DDU): the "
                             "5 mg/L cut-off cannot be applied to a D-dimer of unstated type")
        return self


class CohortParams(_Model):
    """One cohort analysis: scales, time grid, window and definitions."""

    crs_scale: str = "crs.astct2019"
    """CRS scale whose maximum grade is reported (the seed study's scale is not named; Lee 2014 is plausible)."""
    dic_scale: str = "dic.isth2001"
    """DIC scale: maximum score, and DIC = its positive verdict. The seed study most likely used the
    Chinese DIC Scoring System (``dic.cdss2017``), which needs the site setting ``cdss.ddimer_type``."""
    icans_scale: str = "icans.astct2019"
    every_hours: float = Field(default=24.0, gt=0)
    """Spacing of the trajectory's time points (one evaluation a day by default: the DIC scores are daily)."""
    window_days: int = Field(default=30, ge=1)
    """The analysis covers day 0 (first CAR-T infusion) to this many days after it, or the end of the
    data if earlier: coagulation surveillance to about day 30 (seed-study.md section 3.4)."""
    recovery_hours: float = Field(default=48.0, gt=0)
    """Recovered from DIC: the DIC scale certainly not positive at the last point and at every point
    covering at least this many hours before the end of follow-up."""
    coagulopathy: CoagulopathyDefinition = Field(default_factory=CoagulopathyDefinition)
    confidence: float = Field(default=0.95, gt=0, lt=1)
    ci_method: Literal["exact", "wilson"] = "exact"
    """Binomial confidence interval: ``exact`` (Clopper-Pearson, coverage at least the nominal level)
    or ``wilson`` (score interval); both from ``scipy.stats.binomtest(...).proportion_ci``."""

    @property
    def scales(self) -> list[str]:
        return [self.crs_scale, self.dic_scale, self.icans_scale]
