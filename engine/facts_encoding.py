"""How reduced inputs are written into the one fact each evaluation asserts.

Shared by both evaluators so they see exactly the same numbers. A numeric input ``x`` becomes
``x__lo`` / ``x__hi`` (either may be absent when unbounded) plus ``x__k`` (present when known);
a categorical input becomes ``x``; an unknown input writes nothing. Numbers are rounded to 4
decimals because durable-rules crashes on exponent notation.
"""

from __future__ import annotations

from typing import Any

from cartguard.engine.compile import number
from cartguard.engine.inputs import InputValue

KIND_FIELD = "cg_kind"


def encode(stage: str, inputs: dict[str, InputValue]) -> dict[str, Any]:
    fact: dict[str, Any] = {KIND_FIELD: stage}
    for name, v in inputs.items():
        if not v.known:
            continue
        fact[f"{name}__k"] = 1
        if v.category is not None:
            fact[name] = v.category
            continue
        if v.lo is not None:
            fact[f"{name}__lo"] = number(v.lo)
        if v.hi is not None:
            fact[f"{name}__hi"] = number(v.hi)
    return fact
