"""Combine rule outcomes into component values and a pack's value, as intervals.

A component is a set of bands (rules with a value). If a band is definitely true, that is the
component's value (two definite bands that disagree are a pack error, never a coin toss). If
none is definite, the values of the bands still possible give its range. If no band is even
possible the inputs fell through every band: a pack gap, raised as an error (``shared/domain``
README rule 4: never leave a value that falls through every band).

The pack's ``value`` is an expression over components (``sum``, ``max``, ``min``, ``mul``),
evaluated on intervals, so a missing input yields the lowest and highest score still possible.
"""

from __future__ import annotations

from typing import Any

from cartguard.engine.compile import CompiledRule
from cartguard.errors import EngineError, PackError

Interval = tuple[float, float]


def component_value(pack_id: str, name: str, rules: list[CompiledRule], truths: dict[str, str]
                    ) -> tuple[Interval, list[CompiledRule], bool]:
    """(range, rules behind it, exact?) of one component."""
    definite = [r for r in rules if truths.get(r.id) == "true"]
    if definite:
        values = {r.value for r in definite}
        if len(values) > 1:
            raise EngineError(f"{pack_id}: component {name}: bands {[r.id for r in definite]} are all "
                              f"true but give different values {sorted(values)} (overlapping bands)")
        v = float(definite[0].value)  # type: ignore[arg-type]
        return (v, v), definite, True
    possible = [r for r in rules if truths.get(r.id) == "unknown"]
    if not possible:
        raise EngineError(f"{pack_id}: component {name}: the inputs fall through every band "
                          f"({[r.id for r in rules]}); the pack leaves a gap")
    possible_values = [float(r.value) for r in possible if r.value is not None]
    lo, hi = min(possible_values), max(possible_values)
    return (lo, hi), possible, lo == hi


def evaluate_expr(expr: Any, comps: dict[str, Interval]) -> Interval:
    """Interval value of a pack's ``value`` expression."""
    if isinstance(expr, bool):
        raise PackError(f"value expression: booleans are not numbers ({expr!r})")
    if isinstance(expr, int | float):
        return float(expr), float(expr)
    if isinstance(expr, str):
        if expr not in comps:
            raise PackError(f"value expression names unknown component {expr!r}")
        return comps[expr]
    if isinstance(expr, dict) and len(expr) == 1:
        ((op, args),) = expr.items()
        parts = [evaluate_expr(a, comps) for a in args]
        if not parts:
            raise PackError(f"value expression {op}: no arguments")
        if op == "sum":
            return sum(p[0] for p in parts), sum(p[1] for p in parts)
        if op == "max":
            return max(p[0] for p in parts), max(p[1] for p in parts)
        if op == "min":
            return min(p[0] for p in parts), min(p[1] for p in parts)
        if op == "mul":
            if any(p[0] < 0 for p in parts):
                raise PackError("value expression mul: only non-negative components may be multiplied")
            lo = hi = 1.0
            for p in parts:
                lo, hi = lo * p[0], hi * p[1]
            return lo, hi
        raise PackError(f"value expression: unknown operator {op!r} (sum, max, min, mul)")
    raise PackError(f"value expression: cannot read {expr!r}")
