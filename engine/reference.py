"""The plain-Python reference evaluator of compiled packs.

It gives, for every compiled rule, whether its conditions are definitely true, possibly true
(some input unknown) or false, reading the same encoded fact the durable-rules backend asserts.
It exists because durable-rules is unmaintained and has silent failure modes: every test runs
both evaluators and fails on any difference. It is also the readable statement of what the
three-valued semantics are.
"""

from __future__ import annotations

from typing import Any

from cartguard.engine.compile import Atom, CompiledRule


def _atom(a: Atom, fact: dict[str, Any]) -> tuple[bool, bool]:
    """(definitely true, possibly true) of one atom against an encoded fact."""
    known = f"{a.input}__k" in fact
    if a.op == "absent":
        truth = (not known) if a.operand else known
        return truth, truth
    if a.op == "in":
        if not known:
            return False, True
        hit = fact.get(a.input) in a.operand
        return hit, hit
    lo = fact.get(f"{a.input}__lo")
    hi = fact.get(f"{a.input}__hi")
    t = a.operand
    if a.op == "gte":
        return lo is not None and lo >= t, hi is None or hi >= t
    if a.op == "gt":
        return lo is not None and lo > t, hi is None or hi > t
    if a.op == "lt":
        return hi is not None and hi < t, lo is None or lo < t
    if a.op == "lte":
        return hi is not None and hi <= t, lo is None or lo <= t
    if a.op == "eq":
        return (lo is not None and hi is not None and lo == t and hi == t,
                (lo is None or lo <= t) and (hi is None or hi >= t))
    raise ValueError(f"unknown operator {a.op}")


def rule_truth(rule: CompiledRule, fact: dict[str, Any]) -> tuple[bool, bool]:
    """Kleene AND over groups of Kleene OR over atoms: (definitely true, possibly true)."""
    definite = possible = True
    for group in rule.groups:
        g_def = g_pos = False
        for a in group:
            d, p = _atom(a, fact)
            g_def |= d
            g_pos |= p
        definite &= g_def
        possible &= g_pos
    return definite, possible


def evaluate(rules: list[CompiledRule], stage: str, fact: dict[str, Any]) -> dict[str, str]:
    """Map rule id → ``"true"`` / ``"unknown"`` for the rules of ``stage`` that are not false."""
    out: dict[str, str] = {}
    for r in rules:
        if r.stage != stage:
            continue
        d, p = rule_truth(r, fact)
        if d:
            out[r.id] = "true"
        elif p:
            out[r.id] = "unknown"
    return out
