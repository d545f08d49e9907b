"""Rule packs: the declarative data a clinician reads beside the published table.

A pack is a YAML file (see ``rules/``). This module holds its schema (pydantic models), loads
and checks it, resolves named parameters (defaults, then site overrides) and computes the
content hash that every result carries. Nothing here evaluates a rule: the compiled form runs
in durable-rules (:mod:`cartguard.engine.durable_backend`) and in the plain-Python reference
evaluator (:mod:`cartguard.engine.reference`).

Condition syntax (inside ``when:``), every item ANDed::

    - platelets: {gte: $isth_overt.platelets_points0_gte}   # $name = a named parameter
    - o2_device: {in: [nasal_cannula, hfnc]}
    - o2_flow: {absent: true}
    - any: [ {vasopressin: {eq: 0}}, ... ]                  # OR group of atoms
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cartguard.errors import PackError

NUMERIC_OPS = ("lt", "lte", "gt", "gte", "eq")
CATEGORY_OPS = ("in", "eq")
Evidence = Literal["P", "S", "A", "U", "C"]
"""Evidence tags of ``shared/domain/README.md``; ``C`` marks a cartguard project convention."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Citation(_Strict):
    text: str
    evidence: Evidence = "S"
    note: str | None = None


class Parameter(_Strict):
    """A named threshold or setting; every threshold in a pack is one, so a site may override it."""

    default: Any
    doc: str
    citation: str
    evidence: Evidence = "S"
    unit: str | None = None
    choices: list[Any] | None = None


class InputSpec(_Strict):
    """How one input of a pack is reduced from the patient's facts at the evaluation time.

    ``reduce`` names a reducer in :mod:`cartguard.engine.inputs`; the other fields are its
    arguments. Numbers given as ``$name`` are parameters.
    """

    reduce: str
    doc: str = ""
    analytes: list[str] = Field(default_factory=list)
    classes: list[str] = Field(default_factory=list)
    window_hours: float | str | None = None
    assessment: str | None = None
    inputs: list[str] = Field(default_factory=list)
    assume_when_absent: Any = None
    unknown_when_absent: bool | str = False
    """No record means unknown (reported missing) rather than absent; may be a ``$parameter``."""
    gap_minutes: float | str | None = None
    label: str | None = None
    unit: str | None = None
    params: dict[str, str | float] = Field(default_factory=dict)
    requires_param: str | None = None
    """A parameter that must be set (not null) for this input to be read; unset, the input is unknown
    and says which site setting is missing (e.g. CDSS's D-dimer type, which no source states)."""
    not_before_input: str | None = None
    """Use only facts no older than the fact behind this (earlier-declared) input, less ``gap_minutes``:
    an O2 flow describes the device recorded with or after it, not an earlier one."""
    """Named parameters a reducer needs beyond its window (e.g. the age-specific SBP threshold)."""


class Rule(_Strict):
    id: str
    when: list[dict[str, Any]]
    citation: str
    value: float | None = None
    text: str | None = None
    enabled_when: dict[str, Any] | list[dict[str, Any]] | None = None


class Component(_Strict):
    title: str
    rules: list[Rule]


class Interpretation(_Strict):
    id: str
    when: list[dict[str, Any]]
    citation: str
    label: str
    text: str | None = None
    enabled_when: dict[str, Any] | list[dict[str, Any]] | None = None
    """Parameters that switch this interpretation on (e.g. the threshold of the arm a site fixed)."""
    verdict: Literal["positive", "suspected", "negative"] | None = None
    """The scale's own conclusion in a word (DIC by this scale: positive / suspected / negative), so
    scales can be lined up by their verdicts without converting one score into another."""


class Dose(_Strict):
    drug: str
    mg_per_kg: str | float
    cap_mg: str | float
    weight_input: str
    route: str = "IV"


class Recommendation(_Strict):
    id: str
    when: list[dict[str, Any]]
    citation: str
    category: str
    priority: Literal["info", "routine", "urgent", "critical"] = "routine"
    text: str
    dose: Dose | None = None
    enabled_when: dict[str, Any] | list[dict[str, Any]] | None = None


class Override(_Strict):
    """A site's change of another pack's named parameter, with the reason it is recorded under."""

    value: Any
    reason: str


class Disable(_Strict):
    """A rule of another pack switched off, with the recorded reason."""

    rule: str
    reason: str


class Pack(_Strict):
    """One rule pack as written in its YAML file."""

    id: str
    version: str
    title: str
    kind: Literal["assessment", "guidance", "terminology", "site"]
    priority: int = 0
    """Order among packs of the same dependency level (higher later); never decides a conflict."""
    features: str | None = None
    """Folder of this pack's Gherkin features, relative to the pack file (``cartguard packs test``)."""
    overrides: dict[str, Override] = Field(default_factory=dict)
    disable: list[Disable] = Field(default_factory=list)
    scale: str | None = None
    default_enabled: bool = True
    """Whether this scale is reported when no scales are asked for (unless a pack sets default_scales)."""
    default_scales: list[str] | None = None
    """A site's choice of the scales reported by default (pack ids), replacing every ``default_enabled``;
    at most one installed pack may set it."""
    requires: list[str] = Field(default_factory=list)
    citations: dict[str, Citation] = Field(default_factory=dict)
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    bindings: dict[str, Any] = Field(default_factory=dict)
    inputs: dict[str, InputSpec] = Field(default_factory=dict)
    components: dict[str, Component] = Field(default_factory=dict)
    value: Any = None
    prerequisite: str | None = None
    interpretation: list[Interpretation] = Field(default_factory=list)
    recommendations: list[Recommendation] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _dotted(cls, v: str) -> str:
        if not v.replace(".", "").replace("_", "").isalnum() or "." not in v:
            raise ValueError(f"pack id must be dotted lower-case words, got {v!r}")
        return v


class LoadedPack(BaseModel):
    """A pack plus where it came from and its content hash (provenance in every result)."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    pack: Pack
    path: str
    sha256: str
    plugin: str
    lines: dict[str, int] = Field(default_factory=dict)
    """Line of each top-level key and of its direct children ("overrides.x", "inputs.y", "disable.0")."""

    def where(self, *path: Any) -> str:
        """``file:line`` of the deepest known key along ``path`` (for errors found across packs)."""
        line = 1
        for depth in range(len(path), 0, -1):
            key = ".".join(str(p) for p in path[:depth])
            if key in self.lines:
                line = self.lines[key]
                break
        return f"{self.path}:{line}"


def _key_lines(node: Any) -> dict[str, int]:
    lines: dict[str, int] = {}
    if not isinstance(node, yaml.MappingNode):
        return lines
    for k, v in node.value:
        lines[str(k.value)] = k.start_mark.line + 1
        if isinstance(v, yaml.MappingNode):
            for kk, _ in v.value:
                lines[f"{k.value}.{kk.value}"] = kk.start_mark.line + 1
        elif isinstance(v, yaml.SequenceNode):
            for i, item in enumerate(v.value):
                lines[f"{k.value}.{i}"] = item.start_mark.line + 1
    return lines


def load_pack_file(path: str | Path, plugin: str = "core") -> LoadedPack:
    """Read, parse and check one pack file; raise :class:`PackError` naming the file."""
    path = Path(path)
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise PackError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(raw_bytes)
        node = yaml.compose(raw_bytes, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise PackError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, dict):
        raise PackError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    try:
        pack = Pack.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        where = f"{path}:{line_of(node, first['loc'])}"
        raise PackError(f"{where}: {loc}: {first['msg']}", pack=data.get("id")) from None
    check_pack(pack, str(path), node)
    return LoadedPack(pack=pack, path=str(path), sha256=hashlib.sha256(raw_bytes).hexdigest(), plugin=plugin,
                      lines=_key_lines(node))


def line_of(node: Any, loc: tuple[Any, ...] | list[Any]) -> int:
    """1-based line of the deepest YAML node reachable along ``loc`` (keys and list indexes)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if getattr(k, "value", None) == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            nxt = node.value[part]
        else:
            nxt = None
        if nxt is None:
            break
        node = nxt
        line = node.start_mark.line + 1
    return line


def param_ref(value: Any) -> str | None:
    """Return the parameter name if ``value`` is a ``$name`` reference, else None."""
    if isinstance(value, str) and value.startswith("$"):
        return value[1:]
    return None


def iter_atoms(when: list[dict[str, Any]]):
    """Yield ``(input, op, operand)`` for every atom in a ``when`` list (OR groups included)."""
    for item in when:
        if "any" in item:
            if len(item) != 1:
                raise PackError(f"an 'any' group must stand alone, got {item}")
            yield from iter_atoms(item["any"])
            continue
        if len(item) != 1:
            raise PackError(f"each condition names exactly one input, got {item}")
        ((name, test),) = item.items()
        if not isinstance(test, dict) or len(test) != 1:
            raise PackError(f"condition on {name!r} must be one {{op: value}}, got {test!r}")
        ((op, operand),) = test.items()
        yield name, op, operand


def _expr_names(expr: Any) -> list[str]:
    if isinstance(expr, str):
        return [expr]
    if isinstance(expr, dict):
        return [n for args in expr.values() if isinstance(args, list) for a in args for n in _expr_names(a)]
    return []


def check_pack(pack: Pack, where: str, node: Any = None) -> None:
    """Cross-reference checks pydantic cannot do: citations, parameters, inputs, operators.

    Each failure names the file and line (from the composed YAML ``node``) of what it is about.
    """
    here: tuple[Any, ...] = ()

    def fail(msg: str, at: tuple[Any, ...] | None = None) -> None:
        raise PackError(f"{where}:{line_of(node, here if at is None else at)}: {msg}", pack=pack.id)

    known_inputs = set(pack.inputs) | ({"value"} if pack.kind == "assessment" else set())
    seen_ids: set[str] = set()

    def check_rule(rule_id: str, when: list[dict[str, Any]], citation: str, inputs: set[str],
                   at: tuple[Any, ...]) -> None:
        nonlocal here
        here = at
        if rule_id in seen_ids:
            fail(f"rule id {rule_id!r} is used twice")
        seen_ids.add(rule_id)
        if citation.split("#")[0] not in pack.citations:
            fail(f"rule {rule_id}: citation {citation!r} is not in the pack's citations")
        if not when:
            fail(f"rule {rule_id}: no conditions (a rule that always fires is not allowed)")
        try:
            atoms = list(iter_atoms(when))
        except PackError as exc:
            fail(f"rule {rule_id}: {exc}")
        for name, op, operand in atoms:
            if name not in inputs:
                fail(f"rule {rule_id}: unknown input {name!r} (declared: {sorted(inputs)})")
            if op not in (*NUMERIC_OPS, "in", "absent"):
                fail(f"rule {rule_id}: unknown operator {op!r} on {name!r}")
            ref = param_ref(operand)
            if ref is not None and ref not in pack.parameters:
                fail(f"rule {rule_id}: unknown parameter ${ref}")

    for cname, comp in pack.components.items():
        for i, rule in enumerate(comp.rules):
            check_rule(rule.id, rule.when, rule.citation, known_inputs - {"value"}, ("components", cname, "rules", i))
            if rule.value is None:
                fail(f"rule {rule.id} in component {cname!r} has no value")
    for i, interp in enumerate(pack.interpretation):
        check_rule(interp.id, interp.when, interp.citation, known_inputs, ("interpretation", i))
    for i, rec in enumerate(pack.recommendations):
        check_rule(rec.id, rec.when, rec.citation, known_inputs, ("recommendations", i))
    for name, param in pack.parameters.items():
        here = ("parameters", name)
        if param.citation.split("#")[0] not in pack.citations:
            fail(f"parameter {name}: citation {param.citation!r} is not in the pack's citations")
        if param.choices is not None and param.default not in param.choices:
            fail(f"parameter {name}: default {param.default!r} is not one of {param.choices}")
    for name, spec in pack.inputs.items():
        from cartguard.engine.inputs import REDUCERS  # late: inputs imports this module

        here = ("inputs", name)
        if spec.reduce not in REDUCERS and spec.reduce != "first_available":
            fail(f"input {name}: unknown reducer {spec.reduce!r} (known: {sorted([*REDUCERS, 'first_available'])})")
        for v in (spec.window_hours, spec.gap_minutes, spec.unknown_when_absent, *spec.params.values()):
            ref = param_ref(v)
            if ref is not None and ref not in pack.parameters:
                fail(f"input {name}: unknown parameter ${ref}")
        if spec.requires_param is not None and spec.requires_param not in pack.parameters:
            fail(f"input {name}: requires_param names unknown parameter {spec.requires_param!r}")
    here = ("value",)
    if pack.kind == "assessment":
        for comp_name in _expr_names(pack.value):
            if comp_name not in pack.components:
                fail(f"value expression names unknown component {comp_name!r} (components: {sorted(pack.components)})")
        if not pack.components:
            fail("an assessment pack needs components")
        if pack.value is None:
            fail("an assessment pack needs a 'value' expression over its components")
        if pack.prerequisite and pack.prerequisite not in pack.components:
            fail(f"prerequisite {pack.prerequisite!r} is not a component", ("prerequisite",))
