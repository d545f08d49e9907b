"""Unit normalisation: UCUM through ucumvert, plus curated, cited analyte conversions.

Why two layers: ucumvert parses UCUM correctly ("10*3/uL" is 10^3 per microlitre; plain pint
reads it as 30/uL) but drops annotations, so ``mg/L{FEU}`` and ``ng/mL{DDU}`` look alike to it
although FEU is about twice DDU. Annotations are therefore split off here and checked against
the D-dimer type that the LOINC code carries; they never take part in a conversion.

Temperature is an offset unit: it is converted with exact decimal arithmetic and rounded to
0.01 °C, so 100.4 [degF] is exactly 38.0 Cel (a float conversion gives 38.00000000000001).

The curated table below lists the conversions that clinical thresholds depend on, each with
its source (``shared/domain/fhir-data-dictionary.md`` §5); ``tests/test_units.py`` checks that
ucumvert agrees with every one of them.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from cartguard.errors import CartguardError


class UnitError(CartguardError):
    """A unit that is missing, unknown, or not convertible to the analyte's canonical unit."""


_ANNOTATION = re.compile(r"\{([^}]*)\}")

CURATED: dict[tuple[str, str], tuple[Decimal, str]] = {
    # (from, to): (factor, citation)
    ("mg/dL", "g/L"): (Decimal("0.01"), "fibrinogen: 1 g/L = 100 mg/dL (fhir-data-dictionary §5)"),
    ("g/L", "g/L"): (Decimal(1), "identity"),
    ("10*3/uL", "10*9/L"): (Decimal(1), "platelets: 10^3/uL = 10^9/L (fhir-data-dictionary §5)"),
    ("/uL", "10*9/L"): (Decimal("0.001"), "platelets: 1/uL = 10^6/L = 0.001 x 10^9/L (UCUM)"),
    ("10*4/uL", "10*9/L"): (Decimal(10), "platelets, Japanese x10^4/uL x 10 = x10^9/L (fhir-data-dictionary §5)"),
    ("ug/mL", "mg/L"): (Decimal(1), "D-dimer/FDP: 1 ug/mL = 1 mg/L (fhir-data-dictionary §5)"),
    ("ng/mL", "mg/L"): (Decimal("0.001"), "D-dimer/FDP: 1 mg/L = 1,000 ng/mL (fhir-data-dictionary §5)"),
    ("ug/L", "mg/L"): (Decimal("0.001"), "D-dimer/FDP: 1 mg/L = 1,000 ug/L (fhir-data-dictionary §5)"),
    ("mg/dL", "mg/L"): (Decimal(10), "CRP: 1 mg/dL = 10 mg/L (fhir-data-dictionary §5)"),
}

_TEMPERATURE = {"Cel", "[degF]"}


def split_annotation(unit: str) -> tuple[str, str | None]:
    """``'mg/L{FEU}'`` → ``('mg/L', 'FEU')``; annotations never take part in a conversion."""
    notes = _ANNOTATION.findall(unit)
    bare = _ANNOTATION.sub("", unit).strip()
    return (bare or "1"), (notes[0] if notes else None)


@lru_cache(maxsize=1)
def _registry():
    from ucumvert import PintUcumRegistry

    return PintUcumRegistry()


@lru_cache(maxsize=4096)
def ucum_factor(unit: str, target: str) -> Decimal:
    """Multiplicative factor from ``unit`` to ``target`` per ucumvert; cached (~1 ms uncached).

    Raises :class:`UnitError` when either unit is not UCUM or the two are not commensurable.
    """
    try:
        reg = _registry()
    except Exception as exc:  # a broken unit library must say so, not look like a bad resource
        raise UnitError(f"the UCUM unit library failed to load ({type(exc).__name__}: {exc})") from None
    try:
        src = reg.from_ucum(unit)
        dst = reg.from_ucum(target)
        factor = (1 * src).to(dst).magnitude
    except Exception as exc:  # ucumvert/lark/pint raise many types; translate at the boundary
        raise UnitError(f"cannot convert {unit!r} to {target!r} ({type(exc).__name__})") from None
    return Decimal(repr(float(factor)))


def check_unit(unit: str) -> None:
    """Raise :class:`UnitError` unless ``unit`` is a UCUM unit (annotations allowed)."""
    bare, _ = split_annotation(unit)
    if bare in _TEMPERATURE or bare == "1":
        return
    ucum_factor(bare, bare)


def to_canonical(value: Decimal, unit: str | None, target: str) -> tuple[Decimal, str | None]:
    """Convert ``value`` in UCUM ``unit`` to ``target``; return (value, annotation).

    Raises :class:`UnitError` for a missing, unknown or incompatible unit.
    """
    if unit is None or not str(unit).strip():
        raise UnitError(f"no UCUM unit code (expected something convertible to {target!r})")
    bare, note = split_annotation(str(unit).strip())
    if target in _TEMPERATURE or bare in _TEMPERATURE:
        return _temperature(value, bare, target), note
    if bare == target:
        return value, note
    curated = CURATED.get((bare, target))
    factor = curated[0] if curated else ucum_factor(bare, target)
    return value * factor, note


def _temperature(value: Decimal, unit: str, target: str) -> Decimal:
    if target != "Cel":
        raise UnitError(f"temperature target must be 'Cel', got {target!r}")
    if unit == "Cel":
        return value
    if unit == "[degF]":
        celsius = (value - 32) * 5 / Decimal(9)
        return celsius.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    if unit == "K":
        return value - Decimal("273.15")
    raise UnitError(f"expected a temperature unit (Cel, [degF]), got {unit!r}")
