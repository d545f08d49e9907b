"""Compile a pack (with its resolved parameters) into a flat list of rules both evaluators run.

The compiled form is still data: each rule is a conjunction of groups, each group an OR of
atoms, each atom ``input op operand`` with parameters already replaced by their values. The
durable-rules backend turns it into Rete conditions; the reference evaluator interprets it in
plain Python. Rules switched off by a parameter (``enabled_when``) are dropped here.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

from cartguard.engine.packs import LoadedPack, Pack, param_ref
from cartguard.errors import PackError

STAGE_INPUTS = "inputs"
STAGE_RESULT = "result"


@dataclass(frozen=True, slots=True)
class Atom:
    input: str
    op: str
    operand: Any
    """A float for numeric ops, a tuple of strings for ``in``/categorical ``eq``, a bool for ``absent``."""
    param: str | None = None


@dataclass(frozen=True, slots=True)
class CompiledRule:
    id: str
    kind: str
    """``component``, ``interpretation`` or ``recommendation``."""
    stage: str
    groups: tuple[tuple[Atom, ...], ...]
    citation: str
    component: str | None = None
    value: float | None = None
    text: str | None = None

    def inputs(self) -> set[str]:
        return {a.input for g in self.groups for a in g}

    def params(self) -> dict[str, Any]:
        return {a.param: a.operand for g in self.groups for a in g if a.param}


@dataclass(slots=True)
class CompiledPack:
    loaded: LoadedPack
    params: dict[str, Any]
    param_sources: dict[str, str]
    rules: list[CompiledRule] = field(default_factory=list)
    ruleset_name: str = ""
    disabled: dict[str, str] = field(default_factory=dict)
    """Rules of this pack switched off by another pack: rule id → "pack@version: reason"."""

    @property
    def pack(self) -> Pack:
        return self.loaded.pack


def number(x: Any) -> float:
    """A number safe to hand to durable-rules (which crashes on exponent notation: 1e-05, 1e+16)."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise PackError(f"expected a number, got {x!r}")
    v = round(float(x), 4)
    if not math.isfinite(v) or abs(v) >= 1e12:
        raise PackError(f"number out of range for the engine: {x!r}")
    return v


def _atom(pack: Pack, params: dict[str, Any], name: str, op: str, operand: Any) -> Atom:
    ref = param_ref(operand)
    value = params[ref] if ref is not None else operand
    if value is None:
        raise PackError(f"parameter ${ref} has no value: the selected configuration needs a site to set it",
                        pack=pack.id)
    if op == "absent":
        return Atom(name, op, bool(value), ref)
    if op == "in" or (op == "eq" and isinstance(value, str)):
        values = (value,) if isinstance(value, str) else tuple(value)
        if not all(isinstance(v, str) and v.replace("_", "").isalnum() for v in values):
            raise PackError(f"categorical values must be identifiers, got {values!r}", pack=pack.id)
        return Atom(name, "in", values, ref)
    return Atom(name, op, number(value), ref)


def _groups(pack: Pack, params: dict[str, Any], when: list[dict[str, Any]]) -> tuple[tuple[Atom, ...], ...]:
    groups = []
    for item in when:
        members = item["any"] if "any" in item else [item]
        atoms = []
        for m in members:
            ((name, test),) = m.items()
            ((op, operand),) = test.items()
            atoms.append(_atom(pack, params, name, op, operand))
        groups.append(tuple(atoms))
    return tuple(groups)


def _enabled(pack: Pack, params: dict[str, Any], cond: dict[str, Any] | list[dict[str, Any]] | None) -> bool:
    """Whether a rule is switched on by its parameters (a list: every condition must hold)."""
    if not cond:
        return True
    if isinstance(cond, list):
        return all(_enabled(pack, params, c) for c in cond)
    name = cond.get("param")
    if name not in params:
        raise PackError(f"enabled_when names unknown parameter {name!r}", pack=pack.id)
    value = params[name]
    if "equals" in cond:
        return value == cond["equals"]
    if "in" in cond:
        return value in cond["in"]
    return bool(value) is not bool(cond.get("not", False))


def compile_pack(loaded: LoadedPack, params: dict[str, Any], param_sources: dict[str, str],
                 disabled: dict[str, str] | None = None) -> CompiledPack:
    pack = loaded.pack
    disabled = disabled or {}
    cp = CompiledPack(loaded=loaded, params=params, param_sources=param_sources,
                      disabled={k: v for k, v in disabled.items() if _owns(pack, k)})
    for cname, comp in pack.components.items():
        for r in comp.rules:
            if r.id not in disabled and _enabled(pack, params, r.enabled_when):
                cp.rules.append(CompiledRule(r.id, "component", STAGE_INPUTS, _groups(pack, params, r.when),
                                             r.citation, cname, number(r.value), r.text))
    for cname in pack.components:
        if not any(r.component == cname for r in cp.rules):
            raise PackError(f"{loaded.where('components', cname)}: component {cname!r} has no rule enabled under "
                            "the current parameters "
                            "(a profile needs a setting the site has not made?)", pack=pack.id)
    for i in pack.interpretation:
        if not _enabled(pack, params, i.enabled_when):
            continue
        cp.rules.append(CompiledRule(i.id, "interpretation", STAGE_RESULT, _groups(pack, params, i.when),
                                     i.citation, None, None, i.label))
    for rec in pack.recommendations:
        if rec.id not in disabled and _enabled(pack, params, rec.enabled_when):
            cp.rules.append(CompiledRule(rec.id, "recommendation", STAGE_INPUTS,
                                         _groups(pack, params, rec.when), rec.citation, None, None, rec.text))
    digest = hashlib.sha256(
        (loaded.sha256 + json.dumps(params, sort_keys=True, default=str) + json.dumps(sorted(cp.disabled))).encode()
    ).hexdigest()[:12]
    cp.ruleset_name = f"{pack.id}@{pack.version}#{digest}"
    return cp


def _owns(pack: Pack, rule_id: str) -> bool:
    return any(r.id == rule_id for c in pack.components.values() for r in c.rules) or \
        any(r.id == rule_id for r in pack.recommendations)


def resolve_params(packs: list[LoadedPack], overrides: dict[str, tuple[Any, str]] | None = None
                   ) -> tuple[dict[str, Any], dict[str, str]]:
    """Defaults from each pack, then overrides (value, source); an override of an unknown name is an error."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    declared: dict[str, Any] = {}
    for lp in packs:
        for name, p in lp.pack.parameters.items():
            if name in declared:
                raise PackError(f"parameter {name} is declared by two packs", pack=lp.pack.id)
            declared[name] = p
            values[name] = p.default
            sources[name] = f"{lp.pack.id}@{lp.pack.version} (default)"
    merged: dict[str, tuple[Any, str]] = {}
    where: dict[str, str] = {}
    for lp in packs:  # overrides written in packs (site packs), each with its recorded reason
        for name, ov in lp.pack.overrides.items():
            source = f"override by {lp.pack.id}@{lp.pack.version} ({ov.reason})"
            if name in merged:
                raise PackError(f"{lp.where('overrides', name)}: parameter {name} is overridden by both "
                                f"{merged[name][1]} and {source}: conflicting overrides are refused, "
                                "not resolved by order", pack=lp.pack.id)
            if name not in declared:
                raise PackError(f"{lp.where('overrides', name)}: override of unknown parameter {name!r}",
                                pack=lp.pack.id)
            merged[name] = (ov.value, source)
            where[name] = lp.where("overrides", name) + ": "
    for name, (value, source) in (overrides or {}).items():
        if name in merged:
            raise PackError(f"parameter {name} is overridden by both {merged[name][1]} and {source}")
        merged[name] = (value, source)
    for name, (value, source) in merged.items():
        at = where.get(name, "")
        if name not in declared:
            raise PackError(f"{at}override of unknown parameter {name!r} (from {source})")
        p = declared[name]
        if p.choices is not None and value not in p.choices:
            raise PackError(f"{at}parameter {name}: {value!r} is not one of {p.choices} (from {source})")
        if p.choices is None and isinstance(p.default, bool) is not isinstance(value, bool):
            raise PackError(f"{at}parameter {name}: expected {type(p.default).__name__}, got {value!r} "
                            f"(from {source})")
        if isinstance(p.default, int | float) and not isinstance(p.default, bool) and \
                (isinstance(value, bool) or not isinstance(value, int | float)):
            raise PackError(f"{at}parameter {name}: expected a number in {p.unit or 'its unit'}, got {value!r} "
                            f"(from {source})")
        values[name] = value
        sources[name] = source
    return values, sources


def resolve_disabled(packs: list[LoadedPack]) -> dict[str, str]:
    """rule id → "pack@version: reason" for every rule a pack switches off; unknown ids are an error."""
    known = {r.id for lp in packs for c in lp.pack.components.values() for r in c.rules}
    known |= {r.id for lp in packs for r in lp.pack.recommendations}
    known |= {i.id for lp in packs for i in lp.pack.interpretation}
    out: dict[str, str] = {}
    for lp in packs:
        for i, d in enumerate(lp.pack.disable):
            if d.rule not in known:
                raise PackError(f"{lp.where('disable', i)}: disable names unknown rule {d.rule!r}", pack=lp.pack.id)
            if d.rule in out:
                raise PackError(f"{lp.where('disable', i)}: rule {d.rule} is disabled twice ({out[d.rule]})",
                                pack=lp.pack.id)
            out[d.rule] = f"{lp.pack.id}@{lp.pack.version}: {d.reason}"
    return out
