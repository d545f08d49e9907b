"""How serious a result is and how to say it in one line: one mapping for cards and FHIR alike.

A CDS Hooks card's indicator, a DetectedIssue's severity and a RequestGroup action's priority all
say "how urgent"; they are derived here, in one place, so a card and the resource behind it never
disagree. The mapping (docs/outputs.md has the tables):

* CRS and ICANS grades (``crs.*``, ``icans.*``): grade >= 3 critical, grade 2 warning, grade 1 info;
  an indeterminate grade takes the indicator of its lowest possible grade, raised to warning when
  it could be >= 3.
* DIC scores (``dic.*``): the scale's own verdict, never a converted grade: positive critical,
  suspected warning, negative or none info; indeterminate warning (the verdict is open, so it could
  be DIC by this scale), except for scales with no diagnostic cut-off (ISTH non-overt).
* Other scales (``sirs.*``, site scales): info. They feed other scales; they raise no alarm alone.
* Recommendations: critical priority critical; urgent priority warning; a ``possible`` critical
  one (it applies only if the unknown inputs turn out to meet it) warning; routine and info info.
"""

from __future__ import annotations

from typing import Literal

from cartguard.engine.results import Assessment, Recommendation
from cartguard.side_by_side import syndrome_of

Indicator = Literal["info", "warning", "critical"]
Severity = Literal["high", "moderate", "low"]

SUMMARY_MAX = 139
"""CDS Hooks: a card summary is "<140 characters"."""
GRADED_SYNDROMES = frozenset({"crs", "icans"})
"""Syndromes graded 0-4 (grade 5, death, is never derived from data)."""
SCORED_SYNDROMES = frozenset({"dic"})
"""Syndromes scored with a verdict per scale (DIC by this scale: positive / suspected / negative)."""
NO_CUTOFF_SCALES = frozenset({"isth_nonovert_2001"})
"""Scales with no diagnostic cut-off: an open range leaves no verdict open."""
RANK: dict[str, int] = {"info": 0, "warning": 1, "critical": 2}

FHIR_PRIORITY: dict[str, str] = {"info": "routine", "routine": "routine", "urgent": "urgent", "critical": "stat"}
"""cartguard recommendation priority -> FHIR request-priority (``asap`` is not used)."""


# -- assessments ------------------------------------------------------------------------------
def _grade_indicator(lo: float, hi: float) -> Indicator:
    if lo >= 3:
        return "critical"
    if hi >= 3 or lo >= 2:
        return "warning"
    return "info"


def assessment_indicator(a: Assessment) -> Indicator:
    """The card indicator of an assessment (see the module docstring)."""
    syndrome = syndrome_of(a.id)
    if a.status == "not_applicable":
        return "info"
    if syndrome in GRADED_SYNDROMES:
        return _grade_indicator(*a.range)
    if syndrome in SCORED_SYNDROMES:
        verdict = a.interpretation.verdict if a.interpretation else None
        if verdict == "positive":
            return "critical"
        if verdict == "suspected":
            return "warning"
        if a.status == "indeterminate" and a.scale not in NO_CUTOFF_SCALES:
            return "warning"
    return "info"


def worth_a_card(a: Assessment) -> bool:
    """Whether an assessment gets a card: not when it does not apply, nor when it is exactly 0.

    A grade or score of exactly 0 is the normal state; a card for it on every patient would train
    clinicians to ignore cards. It is still in the FHIR output (an Observation), where it is data.
    """
    if a.status == "not_applicable":
        return False
    return not (a.status == "graded" and a.range == (0.0, 0.0))


def assessment_is_alert(a: Assessment) -> bool:
    """An assessment alert (a DetectedIssue): grade >= 3, or DIC by the scale's own verdict."""
    return assessment_indicator(a) == "critical"


# -- recommendations --------------------------------------------------------------------------
def recommendation_indicator(rec: Recommendation) -> Indicator:
    """The card indicator of a recommendation (see the module docstring)."""
    if rec.priority == "critical":
        return "critical" if rec.certainty == "definite" else "warning"
    if rec.priority == "urgent":
        return "warning"
    return "info"


def recommendation_is_alert(rec: Recommendation) -> bool:
    """A recommendation alert (a DetectedIssue): critical or urgent priority, definite or possible."""
    return rec.priority in ("critical", "urgent")


def recommendation_severity(rec: Recommendation) -> Severity:
    """DetectedIssue severity: critical definite high; critical possible or urgent definite moderate;
    urgent possible (and anything lower) low."""
    if rec.priority == "critical":
        return "high" if rec.certainty == "definite" else "moderate"
    if rec.priority == "urgent" and rec.certainty == "definite":
        return "moderate"
    return "low"


# -- one-line wording -------------------------------------------------------------------------
def num(x: float | None) -> str:
    """A grade or score as written by a clinician: 3, 2.5, ? for unknown."""
    return "?" if x is None else f"{x:g}"


def range_text(lo: float, hi: float) -> str:
    """``0-4``; ``-4 to 9`` when a bound is negative (a dash would read as a minus)."""
    if lo == hi:
        return num(lo)
    return f"{num(lo)}-{num(hi)}" if lo >= 0 else f"{num(lo)} to {num(hi)}"


def fit(text: str, limit: int = SUMMARY_MAX) -> str:
    """``text`` shortened to ``limit`` characters, cut at a clause (``;``, ``.``, ``,``) where one is
    late enough, else at a word, and marked with an ellipsis. The whole text is in the detail."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    at = max(cut.rfind("; "), cut.rfind(". "), cut.rfind(", "))
    if at < limit // 2:
        at = cut.rfind(" ")
    if at > 0:
        cut = cut[:at]
    return cut.rstrip(" ;,.:") + "…"


def _split_title(title: str) -> tuple[str, str | None]:
    """``"CRS grade (ASTCT 2019)"`` -> (``"CRS grade"``, ``"ASTCT 2019"``)."""
    if title.endswith(")") and " (" in title:
        head, _, paren = title.rpartition(" (")
        return head, paren[:-1]
    return title, None


def _listing(prefix: str, items: list[str], room: int) -> str:
    """``prefix`` + as many of ``items`` as fit in ``room`` characters, then ``and N more``."""
    shown: list[str] = []
    for i, item in enumerate(items):
        rest = len(items) - i - 1
        tail = f" and {rest} more" if rest else ""
        candidate = prefix + ", ".join([*shown, item]) + tail
        if len(candidate) > room and shown:
            return prefix + ", ".join(shown) + f" and {len(items) - len(shown)} more"
        shown.append(item)
    return prefix + ", ".join(shown)


def assessment_summary(a: Assessment) -> str:
    """One line under 140 characters: ``CRS grade 3 (ASTCT 2019)``, ``ISTH overt DIC score 7: compatible
    with overt DIC``, ``ICANS grade indeterminate (0-4, ASTCT 2019): missing ICE score, ...``."""
    head, paren = _split_title(a.title)
    if a.status == "not_applicable":
        return fit(f"{head} not applicable" + (f" ({paren})" if paren else ""))
    if a.status == "indeterminate":
        where = range_text(*a.range) + (f", {paren}" if paren else "")
        line = f"{head} indeterminate ({where})"
        if a.missing:
            line += _listing(": missing ", [m.label for m in a.missing], SUMMARY_MAX - len(line))
        return fit(line)
    line = f"{head} {range_text(*a.range)}" + (f" ({paren})" if paren else "")
    if a.interpretation:
        line += ": " + a.interpretation.label.split(":", 1)[0].strip()
    return fit(line)


def recommendation_summary(rec: Recommendation) -> str:
    """The recommendation's own text (quoted, never reworded), ``Possible:`` first when it applies only
    if the unknown inputs meet it; shortened at a clause when longer than a summary may be."""
    return fit(("Possible: " if rec.certainty == "possible" else "") + rec.text)
