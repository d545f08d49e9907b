"""One patient's cohort row (cartguard.cohort.row, .coagulopathy, .pipeline) on hand-built patients.

Boundaries of the coagulopathy definition (Xu 2021 thresholds, all strict), unknown versus no,
recovered from DIC versus not, and a maximum that is never a range's bound.
"""

from __future__ import annotations

import pickle

import pytest

from cartguard.cohort import CohortParams, CohortRow, cohort_row, patient_row
from cartguard.cohort.params import CoagulopathyDefinition
from cartguard.cohort.pipeline import course_of
from cartguard.fhir_adapters.mapper import map_patient
from cartguard.testing import PatientBuilder

NORMAL = {"plt": 150.0, "pt": 12.5, "aptt": 30.0, "fib": 3.0, "dd": 0.3}
DIC = {"plt": 30.0, "pt": 21.0, "aptt": 50.0, "fib": 0.8, "dd": 12.0}
"""ISTH overt: platelets < 50 (2) + PT 7.5 s above ULN (2) + fibrinogen < 1.0 (1) + D-dimer 24 x ULN (3) = 8."""


def labs(b: PatientBuilder, day: int, *, hour: float = 12, skip: tuple[str, ...] = (), **values: float) -> None:
    """One coagulation panel (normal unless given), with reference ranges on PT, APTT and D-dimer."""
    v = {**NORMAL, **values}
    if "plt" not in skip:
        b.observation("777-3", v["plt"], "10*9/L", day=day, hour=hour)
    if "pt" not in skip:
        b.observation("5902-2", v["pt"], "s", day=day, hour=hour, ref_high=13.5)
    if "aptt" not in skip:
        b.observation("14979-9", v["aptt"], "s", day=day, hour=hour, ref_high=36)
    if "fib" not in skip:
        b.observation("3255-7", v["fib"], "g/L", day=day, hour=hour)
    if "dd" not in skip:
        b.observation("48065-7", v["dd"], "mg/L{FEU}", day=day, hour=hour, ref_high=0.5)


def patient(days: int = 3, **day1: float) -> PatientBuilder:
    """A CAR-T patient (infused day 0 at 10:00) with afebrile vitals and normal labs daily from day 0 (08:00,
    before the infusion) and on days 1..days at 12:00; ``day1`` changes day 1's labs."""
    b = PatientBuilder("p1")
    baseline(b)
    for d in range(1, days + 1):
        b.observation("8310-5", 37.0, "Cel", day=d, hour=12)
        b.blood_pressure(120, day=d, hour=12)
        labs(b, d, **(day1 if d == 1 else {}))
    return b


def baseline(b: PatientBuilder) -> None:
    """Day 0 before the infusion: what the first point of the course (day 0, after the infusion) knows."""
    b.observation("8310-5", 37.0, "Cel", day=0, hour=8)
    b.blood_pressure(120, day=0, hour=8)
    labs(b, 0, hour=8)


def row(b: PatientBuilder, evaluator, params: CohortParams | None = None) -> CohortRow:
    (pr,) = b.load().patients.values()
    return patient_row(pr, evaluator, params or CohortParams())


# -- coagulopathy: the boundaries of each threshold ---------------------------------------------
@pytest.mark.parametrize(("day1", "expected"), [
    ({"fib": 1.5}, "no"), ({"fib": 1.49}, "yes"),                  # fibrinogen < 1.5 g/L
    ({"pt": 16.5}, "no"), ({"pt": 16.6}, "yes"),                   # PT > 3 s above ULN 13.5
    ({"aptt": 46.0}, "no"), ({"aptt": 46.1}, "yes"),               # APTT > 10 s above ULN 36
])
def test_coagulopathy_thresholds_are_strict(evaluator, day1, expected):
    r = row(patient(**day1), evaluator)
    assert r.status == "ok" and r.coagulopathy == expected
    if expected == "yes":
        assert r.coagulopathy_onset_day == 1 and len(r.coagulopathy_criteria) == 1
        assert "day 1" in r.coagulopathy_criteria[0]
    else:
        assert r.coagulopathy_criteria == [] and r.coagulopathy_unresolved == []


@pytest.mark.parametrize(("fdp", "expected"), [(20.0, "no"), (20.1, "yes")])
def test_fdp_threshold(evaluator, fdp, expected):
    b = patient()
    b.observation("30226-5", fdp, "mg/L", day=2, hour=12, ref_high=5)
    r = row(b, evaluator)
    assert r.coagulopathy == expected
    assert r.coagulopathy_onset_day == (2 if expected == "yes" else None)


def test_d_dimer_counts_only_when_its_type_is_set(evaluator):
    b = patient(dd=5.1)
    assert row(b, evaluator).coagulopathy == "no"  # default: the D-dimer criterion is off
    feu = CohortParams(coagulopathy=CoagulopathyDefinition(d_dimer_type="FEU"))
    ddu = CohortParams(coagulopathy=CoagulopathyDefinition(d_dimer_type="DDU"))
    r = row(b, evaluator, feu)
    assert r.coagulopathy == "yes" and "D-dimer > 5 mg/L FEU" in r.coagulopathy_criteria[0]
    assert row(patient(dd=5.0), evaluator, feu).coagulopathy == "no"  # strict: 5.0 is not above 5
    assert row(b, evaluator, ddu).coagulopathy == "no"  # an FEU result is never read as DDU


def test_a_required_d_dimer_needs_its_type():
    with pytest.raises(ValueError, match="d_dimer_type"):
        CoagulopathyDefinition(required=("pt", "d_dimer"))


def test_abnormal_before_day_0_does_not_count(evaluator):
    b = patient()
    labs(b, -3, fib=0.9, pt=20)  # lymphodepletion-time abnormality: not after CAR-T
    assert row(b, evaluator).coagulopathy == "no"


# -- unknown is never no ----------------------------------------------------------------------------
def test_a_missing_required_test_is_unknown(evaluator):
    b = PatientBuilder("p1")
    for d in (1, 2, 3):
        b.observation("8310-5", 37.0, "Cel", day=d, hour=12)
        labs(b, d, skip=("aptt",))
    r = row(b, evaluator)
    assert r.coagulopathy == "unknown"
    assert any(u.startswith("APTT: no usable result") for u in r.coagulopathy_unresolved)


def test_a_pt_without_reference_range_is_unknown(evaluator):
    b = patient()
    b.observation("5902-2", 14.0, "s", day=2, hour=13)  # no ULN: its prolongation cannot be known
    r = row(b, evaluator)
    assert r.coagulopathy == "unknown"
    assert any("no reference range" in u for u in r.coagulopathy_unresolved)


def test_censored_values(evaluator):
    straddles = patient()
    straddles.observation("3255-7", 2.0, "g/L", day=2, hour=13, comparator="<")  # could be below 1.5
    assert row(straddles, evaluator).coagulopathy == "unknown"
    below = patient()
    below.observation("3255-7", 1.0, "g/L", day=2, hour=13, comparator="<")  # certainly below 1.5
    assert row(below, evaluator).coagulopathy == "yes"


def test_a_met_criterion_wins_over_unknown_tests(evaluator):
    b = PatientBuilder("p1")
    b.observation("8310-5", 37.0, "Cel", day=1, hour=12)
    b.observation("3255-7", 1.2, "g/L", day=1, hour=12)  # no PT or APTT at all
    assert row(b, evaluator).coagulopathy == "yes"


def test_an_invalid_resource_is_not_used_and_is_counted(evaluator):
    b = patient()
    bad = b.observation("3255-7", 0.9, "g/L", day=2, hour=13)
    bad["issued"] = "not a date"  # invalid FHIR: the low fibrinogen must not count
    r = row(b, evaluator)
    assert r.coagulopathy == "no" and r.warnings >= 1


# -- DIC, onset and recovery -------------------------------------------------------------------------
def dic_patient(positive_days: range, last_day: int) -> PatientBuilder:
    b = PatientBuilder("p1")
    baseline(b)
    for d in range(1, last_day + 1):
        b.observation("8310-5", 37.0, "Cel", day=d, hour=12)
        labs(b, d, **(DIC if d in positive_days else {}))
    return b


def test_recovered_after_48_hours_not_positive(evaluator):
    r = row(dic_patient(range(3, 6), last_day=9), evaluator)
    assert (r.dic, r.dic_onset_day, r.dic_last_positive_day, r.dic_recovered) == ("yes", 3, 5, "yes")
    assert (r.dic_max_score, r.dic_max_certain) == (8.0, True)
    assert r.coagulopathy == "yes" and r.coagulopathy_onset_day == 3


def test_not_recovered_when_positive_at_the_end_or_too_briefly_negative(evaluator):
    assert row(dic_patient(range(3, 8), last_day=7), evaluator).dic_recovered == "no"
    assert row(dic_patient(range(3, 7), last_day=7), evaluator).dic_recovered == "no"  # 24 h < 48 h
    assert row(dic_patient(range(3, 6), last_day=7), evaluator).dic_recovered == "yes"  # exactly 48 h


def test_recovery_is_unknown_when_the_end_is_indeterminate(evaluator):
    b = dic_patient(range(3, 5), last_day=4)
    for d in range(5, 10):  # no more labs: the DIC score cannot be known at the end
        b.observation("8310-5", 37.0, "Cel", day=d, hour=12)
    r = row(b, evaluator)
    assert r.dic == "yes" and r.dic_recovered == "unknown" and r.dic_indeterminate_days >= 3
    assert r.dic_max_score == 8.0 and r.dic_max_certain  # 8 is the top of the scale: nothing can exceed it


def test_no_dic_is_no_and_recovery_not_applicable(evaluator):
    r = row(patient(days=4), evaluator)
    assert (r.dic, r.dic_recovered, r.dic_onset_day) == ("no", "not_applicable", None)
    assert r.icans_grade_2_plus == "unknown" and r.icans_max is None  # no ICE score charted: never "no"


def test_dic_unknown_is_never_no(evaluator):
    b = PatientBuilder("p1")
    for d in range(1, 4):
        b.observation("8310-5", 37.0, "Cel", day=d, hour=12)
        b.observation("777-3", 150, "10*9/L", day=d, hour=12)  # platelets only: score 0..6
    r = row(b, evaluator)
    assert r.dic == "unknown" and r.dic_max_score is None and r.dic_max_at_most is not None


# -- the maximum is never a range's bound --------------------------------------------------------------
def test_crs_maximum_is_exact_and_flagged_when_an_indeterminate_point_could_exceed_it(evaluator):
    b = patient(days=4)
    b.observation("8310-5", 38.6, "Cel", day=2, hour=12)  # fever: grade 1 exactly
    b.observation("8310-5", 38.9, "Cel", day=3, hour=12)
    b.oxygen_device("nasal cannula", day=3, hour=12)  # flow unknown: grade 2 or 3 (ASTCT-F4)
    r = row(b, evaluator)
    assert r.crs_max == 1 and not r.crs_max_certain
    assert (r.crs_max_at_least, r.crs_max_at_most) == (2.0, 3.0)
    assert r.crs_grade_3_4 == "unknown" and r.crs_onset_day == 2 and r.crs_indeterminate_days >= 1


def test_crs_grade_3_from_a_lower_bound(evaluator):
    b = patient(days=4)
    b.observation("8310-5", 39.0, "Cel", day=2, hour=12)
    b.medication("norepinephrine", day=2, hour=11, until_day=2, until_hour=14)
    b.oxygen_device("high-flow nasal cannula", day=2, hour=12, flow=30)
    r = row(b, evaluator)
    assert r.crs_max == 3 and r.crs_max_certain and r.crs_grade_3_4 == "yes"


# -- errors and the picklable row builder ------------------------------------------------------------
def test_a_patient_without_day_0_is_an_error_row(evaluator):
    b = PatientBuilder("p1", record_infusion=False)
    b.observation("8310-5", 37.0, "Cel", day=1, hour=12)
    r = row(b, evaluator)
    assert r.status == "error" and "day 0" in (r.error or "") and "Patient/p1" in (r.error or "")


def test_no_data_after_day_0_is_an_error_row(evaluator):
    b = PatientBuilder("p1", record_infusion=False)
    b.observation("8310-5", 37.0, "Cel", day=-3, hour=12)
    b.medication("car-t", day=0, hour=10, coding=("http://cartguard.example/fhir/CodeSystem/cart-product",
                                                 "anti-cd19-car-t"))
    r = row(b, evaluator)
    assert r.status == "error" and "no data at or after day 0" in (r.error or "")


def test_cohort_row_is_top_level_picklable_and_leaves_the_facts_unchanged(evaluator):
    b = dic_patient(range(3, 6), last_day=8)
    (pr,) = b.load().patients.values()
    pf = map_patient(pr, evaluator.packset.bindings, validate_resources="lazy")
    params = CohortParams()
    course = course_of(pf, evaluator, params)
    before = (list(pf.facts), dict(pf.unvalidated), list(pf.warnings))
    r = cohort_row(course, pf, params)
    assert (list(pf.facts), dict(pf.unvalidated), list(pf.warnings)) == before
    assert pickle.loads(pickle.dumps(cohort_row)) is cohort_row
    again = pickle.loads(pickle.dumps((course, pf, params)))
    assert cohort_row(*again) == r


def test_a_trajectory_without_the_cohort_scales_is_refused(evaluator):
    (pr,) = patient().load().patients.values()
    pf = map_patient(pr, evaluator.packset.bindings, validate_resources="lazy")
    course = course_of(pf, evaluator, CohortParams())
    with pytest.raises(Exception, match="dic.cdss2017"):
        cohort_row(course, pf, CohortParams(dic_scale="dic.cdss2017"))
