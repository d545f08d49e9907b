"""cartguard/testing/fhir.py: every PatientBuilder resource is valid FHIR R4 (R4B models)."""

from __future__ import annotations

import pytest

from cartguard.fhir_adapters.validation import validate
from cartguard.fhir_version import model_class
from cartguard.testing import PatientBuilder
from cartguard.testing.fhir import DEVICE_CODES, RXNORM_CODES


def _everything() -> PatientBuilder:
    b = PatientBuilder("builder-check")
    b.observation("8310-5", 38.4, "Cel", day=1, hour=8)
    b.observation("8310-5", 101.3, "[degF]", day=1, hour=12)
    b.observation("777-3", 20, "10*9/L", day=6, hour=6, comparator="<")
    b.observation("5902-2", 18.5, "s", day=6, hour=6, ref_high=13.5)
    b.observation("3255-7", None, "g/L", day=6, hour=7, absent_reason="error")
    b.blood_pressure(84, 50, day=3, hour=8)
    for i, device in enumerate(DEVICE_CODES):
        b.oxygen_device(device, day=4, hour=i % 24, flow=4)
    for i, drug in enumerate(RXNORM_CODES):
        b.medication(drug, day=5, hour=i % 24, dose_mg=10)
    b.medication("norepinephrine", day=5, hour=8, in_progress=True)
    b.medication("vasopressin", day=6, hour=0, until_day=8, until_hour=12)
    b.condition("C91.00")
    b.condition("D65", day=7, until_day=12)
    b.procedure("371907003", day=3, hour=8, until_day=5)
    b.procedure("40617009", day=6, in_progress=True, used_device="cpap")
    return b


@pytest.mark.parametrize("index", range(len(_everything().resources)))
def test_every_built_resource_validates(index):
    res = _everything().resources[index]
    assert validate(res) is None, res


def test_the_bundle_validates_and_loads():
    b = _everything()
    model_class("Bundle").model_validate(b.bundle())
    lr = b.load()
    assert list(lr.patients) == ["Patient/builder-check"]
    assert len(lr.patients["Patient/builder-check"].resources) == len(b.resources)


def test_times_follow_the_infusion_day_convention():
    b = PatientBuilder("t")
    assert b.time(0, 10) == "2026-03-10T10:00:00Z"
    assert b.time(7, 6) == "2026-03-17T06:00:00Z"
    assert b.time(-1) == "2026-03-09T08:00:00Z"
