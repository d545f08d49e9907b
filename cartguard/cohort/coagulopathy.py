"""Coagulopathy yes / no / unknown for one patient, by a documented, cited definition.

The seed study (Jiang 2019) counts a "coagulation disorder" in 30/53 patients without saying what
made one; this module applies the published "abnormal coagulation" thresholds of a related CAR-T
cohort (Xu 2021, :class:`~cartguard.cohort.params.CoagulopathyDefinition`) to the patient's
normalised facts from day 0 to the end of the analysis window.

Unknown is never reported as no: a result that cannot be placed on one side of its threshold (a
censored value across it, a PT/APTT without a reference range to measure the prolongation from)
or a required test with no result at all leaves the answer unknown unless another result already
meets a criterion.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from cartguard.cohort.params import CoagTest, CoagulopathyDefinition
from cartguard.fhir_adapters.facts import Fact

YesNoUnknown = Literal["yes", "no", "unknown"]
LABELS: dict[CoagTest, str] = {"pt": "PT", "aptt": "APTT", "fibrinogen": "fibrinogen", "fdp": "FDP",
                               "d_dimer": "D-dimer"}


class CoagulopathyFinding(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: YesNoUnknown
    onset_at: datetime | None = None
    """Time of the first result meeting a criterion."""
    onset_day: int | None = None
    criteria_met: list[str] = []
    """Each criterion met, with its first result (value, resource, day)."""
    unresolved: list[str] = []
    """Why the answer is not ``no`` when nothing was met: tests with no usable result, results
    undetermined against their threshold."""
    rests_on: list[str] = []
    """The resources the answer rests on (the caller validates these, as the evaluator does its
    inputs): the results meeting a criterion; else the undetermined results and the first result of
    each required test. Dropping any other resource could not change the answer."""


def concepts_of(definition: CoagulopathyDefinition) -> dict[str, CoagTest]:
    """The fact concepts the definition reads, mapped to its tests."""
    out: dict[str, CoagTest] = {"pt": "pt", "aptt": "aptt", "fibrinogen": "fibrinogen", "fdp": "fdp"}
    if definition.d_dimer_type is not None:
        out[f"d_dimer_{definition.d_dimer_type.lower()}"] = "d_dimer"
    return out


def _bounds(f: Fact) -> tuple[float | None, float | None]:
    if f.lo is None and f.hi is None and f.value is not None:
        return f.value, f.value
    return f.lo, f.hi


def _judge(test: CoagTest, f: Fact, d: CoagulopathyDefinition) -> tuple[bool | None, str]:
    """(True: meets, False: certainly does not, None: undetermined) and the criterion in words."""
    lo, hi = _bounds(f)
    if test in ("pt", "aptt"):
        limit = d.pt_prolonged_gt_s if test == "pt" else d.aptt_prolonged_gt_s
        text = f"{LABELS[test]} prolonged > {limit:g} s above ULN"
        if f.ref_high is None:
            return None, text + " (no reference range on the result)"
        if lo is not None and lo - f.ref_high > limit:
            return True, text
        if hi is not None and hi - f.ref_high <= limit:
            return False, text
        return None, text
    if test == "fibrinogen":
        text = f"fibrinogen < {d.fibrinogen_lt_g_l:g} g/L"
        if hi is not None and hi < d.fibrinogen_lt_g_l:
            return True, text
        if lo is not None and lo >= d.fibrinogen_lt_g_l:
            return False, text
        return None, text
    limit = d.fdp_gt_mg_l if test == "fdp" else d.d_dimer_gt_mg_l
    text = f"{LABELS[test]} > {limit:g} mg/L" + (f" {d.d_dimer_type}" if test == "d_dimer" else "")
    if lo is not None and lo > limit:
        return True, text
    if hi is not None and hi <= limit:
        return False, text
    return None, text


def _shown(f: Fact) -> str:
    value = f"{f.comparator or ''}{f.original_value or f.value}"
    return f"{value} {f.original_unit or f.unit or ''}".strip()


def assess_coagulopathy(facts: Iterable[Fact], start: datetime, end: datetime,
                        definition: CoagulopathyDefinition) -> CoagulopathyFinding:
    """Apply ``definition`` to the (already validated) ``facts`` timed in ``[start, end]``."""
    wanted = concepts_of(definition)
    met: dict[CoagTest, tuple[Fact, str]] = {}
    first_seen: dict[CoagTest, Fact] = {}
    undetermined: dict[CoagTest, list[tuple[Fact, str]]] = {}
    for f in sorted(facts, key=lambda f: (f.time, f.source)):
        test = wanted.get(f.concept)
        if test is None or not (start <= f.time <= end):
            continue
        first_seen.setdefault(test, f)
        verdict, text = _judge(test, f, definition)
        if verdict is True and test not in met:
            met[test] = (f, text)
        elif verdict is None:
            undetermined.setdefault(test, []).append((f, f"{f.source} ({_shown(f)}): undetermined against {text}"))
    if met:
        hits = sorted(met.values(), key=lambda ft: (ft[0].time, ft[0].source))
        return CoagulopathyFinding(
            status="yes", onset_at=hits[0][0].time, onset_day=hits[0][0].day,
            criteria_met=[f"{text}: {_shown(f)} in {f.source}, day {f.day}" for f, text in hits],
            rests_on=[f.source for f, _ in hits])
    unresolved = [f"{LABELS[t]}: no usable result from day 0 to the end of the window"
                  for t in definition.required if t not in first_seen]
    unresolved.extend(reason for t in sorted(undetermined) for _, reason in undetermined[t])
    rests_on = [first_seen[t].source for t in definition.required if t in first_seen]
    rests_on.extend(f.source for t in sorted(undetermined) for f, _ in undetermined[t])
    return CoagulopathyFinding(status="unknown" if unresolved else "no", unresolved=unresolved,
                               rests_on=list(dict.fromkeys(rests_on)))
