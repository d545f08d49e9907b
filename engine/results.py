"""The public result contract (pydantic models). Keys here are stable: they are the JSON API.

Per patient::

    {"patient", "at", "infusion_day", "assessments": {"crs.astct2019": {...}, "dic.isth2001": {...}},
     "recommendations": [...], "packs": [...], "warnings": [...], "assumptions": [...]}
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class FactRef(_Model):
    """A fact behind a conclusion: which resource, which value, which unit, when."""

    source: str
    concept: str
    code: str | None = None
    value: float | None = None
    unit: str | None = None
    comparator: str | None = None
    original_value: str | None = None
    original_unit: str | None = None
    category: str | None = None
    reference_high: float | None = None
    time: datetime
    day: int | None = None


class InputReport(_Model):
    name: str
    label: str
    value: float | None = None
    range: tuple[float | None, float | None] | None = None
    category: str | None = None
    known: bool
    assumed: bool = False
    note: str | None = None
    unit: str | None = None
    facts: list[FactRef] = Field(default_factory=list)


class ParameterUse(_Model):
    name: str
    value: Any
    source: str
    """Which pack (and whether default or override) the value came from."""


class Finding(_Model):
    """One rule's conclusion, with the rule, parameters and facts behind it."""

    rule_id: str
    certainty: Literal["definite", "possible"]
    component: str | None = None
    value: float | None = None
    text: str | None = None
    citation: str
    parameters: list[ParameterUse] = Field(default_factory=list)
    inputs: list[InputReport] = Field(default_factory=list)


class Missing(_Model):
    input: str
    label: str
    reason: str


class ComponentResult(_Model):
    title: str
    value: float | None
    range: tuple[float, float]
    status: Literal["graded", "indeterminate"]
    rule_ids: list[str]


class Interpretation(_Model):
    id: str
    label: str
    citation: str
    verdict: Literal["positive", "suspected", "negative"] | None = None
    """The scale's own conclusion (e.g. DIC by this scale or not); never derived from another scale."""


class Assessment(_Model):
    id: str
    title: str
    scale: str | None
    version: str
    value: float | None
    """The grade or score when it is determined exactly, else null (see ``range``)."""
    range: tuple[float, float]
    """Lowest and highest value still possible given the missing inputs (equal when exact)."""
    status: Literal["graded", "indeterminate", "not_applicable"]
    interpretation: Interpretation | None = None
    missing: list[Missing] = Field(default_factory=list)
    components: dict[str, ComponentResult] = Field(default_factory=dict)
    explanation: list[Finding] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)
    citations: dict[str, str] = Field(default_factory=dict)


class Dose(_Model):
    drug: str
    mg: float | None
    mg_per_kg: float
    cap_mg: float
    weight_kg: float | None
    capped: bool
    route: str
    text: str


class Recommendation(_Model):
    id: str
    pack: str
    category: str
    priority: str
    certainty: Literal["definite", "possible"]
    """``possible``: applies if the unknown inputs listed in ``unknown`` turn out to meet it."""
    text: str
    citation: str
    citation_text: str
    unknown: list[str] = Field(default_factory=list)
    dose: Dose | None = None
    explanation: Finding


class PackInfo(_Model):
    """A pack behind a result: identity, content hash, and what it changed in other packs."""

    id: str
    version: str
    title: str
    sha256: str
    plugin: str
    path: str
    overrides: dict[str, Any] = Field(default_factory=dict)
    """Parameters of other packs this pack set (name → value); the reasons are in the parameter sources."""
    disabled: dict[str, str] = Field(default_factory=dict)
    """Rules this pack switched off (rule id → reason)."""


class WarningReport(_Model):
    code: str
    message: str
    source: str | None = None


class PatientResult(_Model):
    patient: str
    at: datetime
    infusion_day: int | None
    infusion_date: str | None = None
    assessments: dict[str, Assessment]
    recommendations: list[Recommendation]
    packs: list[PackInfo]
    overridden_parameters: list[ParameterUse] = Field(default_factory=list)
    """Every parameter whose value is not its pack's default, with the pack (or plugin) that set it and why."""
    warnings: list[WarningReport]
    assumptions: list[str] = Field(default_factory=list)
    disclaimer: str = "Decision support for clinicians, not a prescription."
