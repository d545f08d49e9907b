"""Cohort analysis: many patients as one row each and a summary in the seed study's form.

``cartguard cohort PATH`` (:mod:`cartguard.cohort.command`) reads a folder of Bundles or an NDJSON
file, follows every patient's course from day 0 (:func:`cartguard.trajectory.trajectory`), builds
one :class:`CohortRow` per patient (:func:`cohort_row`, picklable, for parallel pipelines) and
summarises the cohort like Jiang 2019: CRS grade distribution, grade 3-4, coagulopathy, DIC and
recovery with confidence intervals, and the rank correlation of maximum CRS grade with maximum DIC
score. Definitions and citations: ``docs/cohort.md``.

Modules, one job each: ``params`` (what the analysis is), ``coagulopathy`` (the cited definition),
``row`` (one patient's row), ``pipeline`` (raw resources to row), ``source`` (patients of an input),
``run`` (all patients, serial or in processes), ``scales`` (the scales, checked), ``summary`` (the
statistics), ``published`` (the seed study's figures), ``text``, ``figure``, ``export`` (outputs).
"""

from cartguard.cohort.params import CoagulopathyDefinition, CohortParams
from cartguard.cohort.pipeline import patient_row
from cartguard.cohort.row import CohortRow, cohort_row
from cartguard.cohort.run import CohortRun, run_cohort
from cartguard.cohort.source import iter_patients
from cartguard.cohort.summary import CohortSummary, summarize_cohort

__all__ = [
    "CoagulopathyDefinition",
    "CohortParams",
    "CohortRow",
    "CohortRun",
    "CohortSummary",
    "cohort_row",
    "iter_patients",
    "patient_row",
    "run_cohort",
    "summarize_cohort",
]
