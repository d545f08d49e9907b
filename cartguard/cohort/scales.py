"""The three scales a cohort analysis follows, checked against the installed packs and described.

A cohort table names its scales (id, version) beside every number: grades from different scales are
never compared (domain README rule 5). The DIC scale must have a positive verdict (that is what "DIC
yes" means); its threshold(s) are read from the pack's interpretation rules, for the figure's line.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from cartguard.cohort.params import CohortParams
from cartguard.engine.compile import CompiledPack
from cartguard.engine.packset import PackSet
from cartguard.errors import InputError


class PositiveThreshold(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: float
    """The score at or above which the interpretation is positive."""
    label: str


class ScaleInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    scale: str | None
    version: str
    positive: list[PositiveThreshold] = []
    """DIC scale only: total >= value gives the positive verdict (one per arm, e.g. CDSS)."""


def _enabled(when: Any, params: dict[str, Any]) -> bool:
    conditions = when if isinstance(when, list) else [when] if when else []
    return all(params.get(str(c.get("param"))) == c.get("equals") for c in conditions if isinstance(c, dict))


def _gte(clause: Any, params: dict[str, Any]) -> float | None:
    if not (isinstance(clause, dict) and isinstance(clause.get("value"), dict)):
        return None
    bound = clause["value"].get("gte")
    if isinstance(bound, str) and bound.startswith("$"):
        bound = params.get(bound[1:])
    return float(bound) if isinstance(bound, int | float) and not isinstance(bound, bool) else None


def positive_thresholds(cp: CompiledPack) -> list[PositiveThreshold]:
    """``total >= N`` of every enabled positive interpretation of ``cp`` (as the pack states it)."""
    out = []
    for interp in cp.pack.interpretation:
        if interp.verdict != "positive" or not _enabled(interp.enabled_when, cp.params):
            continue
        for clause in interp.when:
            value = _gte(clause, cp.params)
            if value is not None:
                out.append(PositiveThreshold(value=value, label=interp.label))
    return out


def _info(cp: CompiledPack, with_thresholds: bool = False) -> ScaleInfo:
    p = cp.pack
    return ScaleInfo(id=p.id, title=p.title, scale=p.scale, version=p.version,
                     positive=positive_thresholds(cp) if with_thresholds else [])


def check_scales(packset: PackSet, params: CohortParams) -> dict[str, ScaleInfo]:
    """The CRS, DIC and ICANS scales of ``params`` as installed; an :class:`InputError` if one is not
    installed, is of the wrong family, or (DIC) has no positive verdict."""
    installed = {cp.pack.id: cp for cp in packset.assessment_packs()}
    out: dict[str, ScaleInfo] = {}
    for role, sid, family in (("crs", params.crs_scale, "crs."), ("dic", params.dic_scale, "dic."),
                              ("icans", params.icans_scale, "icans.")):
        ids = sorted(i for i in installed if i.startswith(family))
        if sid not in installed or not sid.startswith(family):
            raise InputError(f"--{role}-scale: expected an installed {role.upper()} scale ({', '.join(ids)}), "
                             f"got {sid!r}")
        out[role] = _info(installed[sid], with_thresholds=role == "dic")
    if not any(i.verdict == "positive" for i in installed[params.dic_scale].pack.interpretation):
        raise InputError(f"--dic-scale: {params.dic_scale} has no positive verdict, so 'DIC yes' is undefined; "
                         "choose a scale with a DIC threshold")
    return out
