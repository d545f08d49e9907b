"""fhir_adapters/units.py: UCUM conversion, the curated table, temperature, annotations, errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cartguard.fhir_adapters.units import (
    CURATED,
    UnitError,
    split_annotation,
    to_canonical,
    ucum_factor,
)


@pytest.mark.parametrize(("pair", "entry"), sorted(CURATED.items()),
                         ids=[f"{a}->{b}" for (a, b) in sorted(CURATED)])
def test_every_curated_factor_agrees_with_ucumvert(pair, entry):
    unit, target = pair
    factor, citation = entry
    assert citation, f"curated conversion {unit} -> {target} carries no source"
    assert isinstance(factor, Decimal)
    assert ucum_factor(unit, target) == factor


def test_curated_table_is_not_empty_and_covers_the_threshold_analytes():
    targets = {t for (_, t) in CURATED}
    assert {"g/L", "10*9/L", "mg/L"} <= targets


@pytest.mark.parametrize(("value", "expected"), [
    ("100.4", Decimal("38.0")),
    ("101.3", Decimal("38.5")),
    ("98.6", Decimal("37.0")),
    ("32", Decimal("0")),
    ("212", Decimal("100")),
])
def test_fahrenheit_converts_exactly(value, expected):
    got, note = to_canonical(Decimal(value), "[degF]", "Cel")
    assert got == expected
    assert note is None


def test_100_4_degf_is_exactly_38_and_meets_the_fever_threshold():
    got, _ = to_canonical(Decimal("100.4"), "[degF]", "Cel")
    assert got == Decimal(38)
    assert float(got) == 38.0  # not 38.00000000000001, not 37.99999999999999
    assert float(got) >= 38.0


def test_101_3_degf_is_38_5_not_a_float_artifact():
    got, _ = to_canonical(Decimal("101.3"), "[degF]", "Cel")
    assert float(got) == 38.5


def test_celsius_is_identity():
    assert to_canonical(Decimal("38.0"), "Cel", "Cel") == (Decimal("38.0"), None)


def test_temperature_to_a_non_temperature_target_raises():
    with pytest.raises(UnitError):
        to_canonical(Decimal("100"), "[degF]", "mg/L")


def test_non_temperature_unit_for_temperature_raises():
    with pytest.raises(UnitError):
        to_canonical(Decimal("38"), "mg/dL", "Cel")


@given(st.decimals(min_value=Decimal("90.0"), max_value=Decimal("110.0"), places=1))
def test_fahrenheit_rounds_to_hundredths_of_the_exact_value(f):
    got, _ = to_canonical(f, "[degF]", "Cel")
    exact = (f - 32) * 5 / Decimal(9)
    assert abs(got - exact) <= Decimal("0.005")
    assert got == got.quantize(Decimal("0.01"))


def test_fibrinogen_mg_dl_to_g_l():
    assert to_canonical(Decimal("145"), "mg/dL", "g/L") == (Decimal("1.45"), None)


@pytest.mark.parametrize(("value", "unit", "expected"), [
    ("45", "10*3/uL", Decimal("45")),
    ("45000", "/uL", Decimal("45")),
    ("4.5", "10*4/uL", Decimal("45")),
    ("45", "10*9/L", Decimal("45")),
    ("45", "10^9/L", Decimal("45")),  # UCUM defines 10^ beside 10* (HL7 v2 compatibility)
])
def test_platelet_units(value, unit, expected):
    got, _ = to_canonical(Decimal(value), unit, "10*9/L")
    assert got == expected


def test_d_dimer_ng_ml_to_mg_l():
    got, _ = to_canonical(Decimal("650"), "ng/mL", "mg/L")
    assert got == Decimal("0.65")


def test_ucumvert_path_for_a_pair_outside_the_curated_table():
    assert ("g/dL", "g/L") not in CURATED
    got, _ = to_canonical(Decimal("1.5"), "g/dL", "g/L")
    assert float(got) == pytest.approx(15.0)


@pytest.mark.parametrize(("unit", "bare", "note"), [
    ("mg/L{FEU}", "mg/L", "FEU"),
    ("ng/mL{DDU}", "ng/mL", "DDU"),
    ("{score}", "1", "score"),
    ("mg/L", "mg/L", None),
])
def test_split_annotation(unit, bare, note):
    assert split_annotation(unit) == (bare, note)


def test_annotation_is_returned_and_never_changes_the_value():
    feu, note_f = to_canonical(Decimal("3"), "mg/L{FEU}", "mg/L")
    ddu, note_d = to_canonical(Decimal("3"), "mg/L{DDU}", "mg/L")
    assert (feu, note_f) == (Decimal("3"), "FEU")
    assert (ddu, note_d) == (Decimal("3"), "DDU")
    converted, note = to_canonical(Decimal("500"), "ug/L{FEU}", "mg/L")
    assert (converted, note) == (Decimal("0.5"), "FEU")


@pytest.mark.parametrize("unit", ["bananas/L", "K/ul", "x10*9/L", "10**9/L"])
def test_unknown_unit_raises(unit):
    with pytest.raises(UnitError):
        to_canonical(Decimal("1"), unit, "10*9/L")


@pytest.mark.parametrize("unit", [None, "", "   "])
def test_missing_unit_raises(unit):
    with pytest.raises(UnitError, match="no UCUM unit"):
        to_canonical(Decimal("1"), unit, "mg/L")


@pytest.mark.parametrize(("unit", "target"), [
    ("mg/dL", "10*9/L"),
    ("mm[Hg]", "g/L"),
    ("s", "mg/L"),
])
def test_incompatible_unit_raises(unit, target):
    with pytest.raises(UnitError):
        to_canonical(Decimal("1"), unit, target)


def test_unit_error_is_a_cartguard_error():
    from cartguard.errors import CartguardError

    assert issubclass(UnitError, CartguardError)
