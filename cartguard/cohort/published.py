"""The seed study's published figures, for the comparison row of the cohort table.

Jiang H et al., Ann Hematol 2019 (NCT02965092), as reported in the abstract and the precursor ASH
abstract (``shared/domain/seed-study.md`` section 1, evidence [A]). These are the publication's
numbers, never computed here and never mixed with a cohort's own: the table prints them in their
own column, labelled as published.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

SOURCE = ("Jiang H et al., 'Improving the safety of CAR-T cell therapy by controlling CRS-related coagulopathy', "
          "Ann Hematol 2019 (NCT02965092; abstract, n = 53)")


class PublishedFigure(BaseModel):
    model_config = ConfigDict(frozen=True)

    item: str
    """The summary line it stands beside (``crs_grade_3_4``, ``coagulopathy``, ``dic`` ...)."""
    text: str
    """The figure as published."""
    note: str | None = None
    """The publication's own caveat (what it does not say)."""
    k: int | None = None
    n: int | None = None


JIANG_2019: list[PublishedFigure] = [
    PublishedFigure(item="crs_grade_3_4", text="19/53 (35.8%)", note="CRS scale not named (Lee 2014 plausible)",
                    k=19, n=53),
    PublishedFigure(item="coagulopathy", text="30/53 (56.6%)", note="'coagulation disorder': definition not given",
                    k=30, n=53),
    PublishedFigure(item="dic", text="~15/53 (about half of 30)", note="DIC by CDSS per the precursor abstract",
                    k=15, n=53),
    PublishedFigure(item="dic_among_coagulopathic", text="~15/30 (about half)", k=15, n=30),
    PublishedFigure(item="dic_recovered", text="14 of ~15", note="after replacement and anticoagulant therapy",
                    k=14, n=15),
    PublishedFigure(item="icans_grade_2_plus", text="8/53 grade 2-3",
                    note="'neurological toxicities' (pre-ICANS terminology, scale not named)", k=8, n=53),
    PublishedFigure(item="correlation", text="positive (no coefficient)",
                    note="coagulopathy severity positively correlated with CRS grade"),
]
