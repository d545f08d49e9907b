"""Patient isolation: results never depend on, or mention, another patient in the same input."""

from __future__ import annotations

import itertools

import orjson
import pytest
from _cg import at_day, bundle_of

from cartguard.api import evaluate_loaded
from cartguard.engine.durable_host import fnv1_32
from cartguard.fhir_adapters.loading import load_bytes
from cartguard.fhir_adapters.mapper import map_patient
from cartguard.testing import PatientBuilder

AT = at_day(6, 12)


def _sick(pid: str) -> PatientBuilder:
    """Grade 4 CRS (two vasopressors), overt DIC."""
    b = PatientBuilder(pid)
    b.observation("8310-5", 39.6, "Cel", day=6, hour=8)
    b.blood_pressure(78, 40, day=6, hour=6)
    b.medication("norepinephrine", day=5, in_progress=True)
    b.medication("phenylephrine", day=6, hour=2, in_progress=True)
    b.oxygen_device("non-rebreather mask", day=6, hour=10, flow=12)
    b.observation("777-3", 31, "10*9/L", day=6, hour=6)
    b.observation("5902-2", 21.0, "s", day=6, hour=6, ref_high=13.5)
    b.observation("3255-7", 0.7, "g/L", day=6, hour=6)
    b.observation("48065-7", 6.5, "mg/L{FEU}", day=6, hour=6, ref_high=0.5)
    b.observation("29463-7", 72, "kg", day=5, hour=8)
    b.condition("R58", day=6)  # bleeding
    return b


def _well(pid: str) -> PatientBuilder:
    """Grade 0 CRS, ISTH 0."""
    b = PatientBuilder(pid)
    b.observation("8310-5", 36.8, "Cel", day=6, hour=8)
    b.blood_pressure(124, 78, day=6, hour=8)
    b.observation("777-3", 210, "10*9/L", day=6, hour=6)
    b.observation("5902-2", 12.1, "s", day=6, hour=6, ref_high=13.5)
    b.observation("3255-7", 3.1, "g/L", day=6, hour=6)
    b.observation("48065-7", 0.3, "mg/L{FEU}", day=6, hour=6, ref_high=0.5)
    return b


def _alone(b: PatientBuilder, evaluator):
    return evaluate_loaded(b.load(), evaluator, at=AT)[0]


def _dump(result) -> bytes:
    return orjson.dumps(result.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)


@pytest.fixture(scope="module")
def pair(evaluator):
    sick, well = _sick("alice"), _well("bob")
    loaded = load_bytes(orjson.dumps(bundle_of(sick, well)), "two.json")
    return sick, well, loaded


def test_the_two_patients_are_what_they_were_built_to_be(pair, evaluator):
    sick, well, _ = pair
    a, b = _alone(sick, evaluator), _alone(well, evaluator)
    assert a.assessments["crs.astct2019"].value == 4.0
    assert a.assessments["dic.isth2001"].value == 8.0
    assert b.assessments["crs.astct2019"].value == 0.0
    assert b.assessments["dic.isth2001"].value == 0.0


def test_one_bundle_gives_the_same_results_as_each_alone(pair, evaluator):
    sick, well, loaded = pair
    together = {r.patient: _dump(r) for r in evaluate_loaded(loaded, evaluator, at=AT)}
    assert together == {"Patient/alice": _dump(_alone(sick, evaluator)),
                        "Patient/bob": _dump(_alone(well, evaluator))}


@pytest.mark.parametrize("order", ["AB", "BA", "ABAB", "BBAA", "ABBA", "BAAB"])
def test_order_and_interleaving_do_not_matter(pair, evaluator, packset, order):
    sick, well, loaded = pair
    expected = {"A": _dump(_alone(sick, evaluator)), "B": _dump(_alone(well, evaluator))}
    pid = {"A": "Patient/alice", "B": "Patient/bob"}
    for who in order:
        pf = map_patient(loaded.patients[pid[who]], packset.bindings, validate_resources="lazy")
        assert _dump(evaluator.evaluate(pf, at=AT)) == expected[who], f"{who} in order {order}"


def test_same_patient_facts_evaluated_twice_give_the_same_result(pair, evaluator, packset):
    _, _, loaded = pair
    pf = map_patient(loaded.patients["Patient/alice"], packset.bindings, validate_resources="lazy")
    first = _dump(evaluator.evaluate(pf, at=AT))
    evaluator.evaluate(map_patient(loaded.patients["Patient/bob"], packset.bindings), at=AT)
    assert _dump(evaluator.evaluate(pf, at=AT)) == first


def test_a_result_never_mentions_another_patients_resources(pair, evaluator):
    _, _, loaded = pair
    results = {r.patient: orjson.dumps(r.model_dump(mode="json")).decode()
               for r in evaluate_loaded(loaded, evaluator, at=AT)}
    ids = {"Patient/alice": {f"{r['resourceType']}/{r['id']}" for r in loaded.patients["Patient/alice"].resources},
           "Patient/bob": {f"{r['resourceType']}/{r['id']}" for r in loaded.patients["Patient/bob"].resources}}
    for me, other in itertools.permutations(results, 2):
        text = results[me]
        assert other not in text
        assert not [ref for ref in ids[other] if ref in text]
        assert other.split("/")[1] not in text
        # and its own evidence is there
        assert any(ref in text for ref in ids[me] if ref.startswith("Observation/"))


def test_every_fact_reference_in_a_result_belongs_to_that_patient(pair, evaluator):
    _, _, loaded = pair
    for r in evaluate_loaded(loaded, evaluator, at=AT):
        own = {f"{x['resourceType']}/{x['id']}" for x in loaded.patients[r.patient].resources}
        refs = set()
        for a in r.assessments.values():
            for f in a.explanation:
                for i in f.inputs:
                    refs.update(fr.source for fr in i.facts)
        for rec in r.recommendations:
            for i in rec.explanation.inputs:
                refs.update(fr.source for fr in i.facts)
        refs.update(w.source for w in r.warnings if w.source)
        assert refs, r.patient
        assert refs <= own, refs - own


def test_patient_ids_that_collide_in_durable_rules_stay_isolated(evaluator):
    """Two ids with the same 32-bit session hash (see test_durable_host): never used as sids."""
    a_id, b_id = "p2039599", "p2222382"
    assert fnv1_32(a_id) == fnv1_32(b_id)
    sick, well = _sick(a_id), _well(b_id)
    loaded = load_bytes(orjson.dumps(bundle_of(sick, well)))
    got = {r.patient: r for r in evaluate_loaded(loaded, evaluator, at=AT)}
    assert got[f"Patient/{a_id}"].assessments["crs.astct2019"].value == 4.0
    assert got[f"Patient/{b_id}"].assessments["crs.astct2019"].value == 0.0
    assert _dump(got[f"Patient/{a_id}"]) == _dump(_alone(sick, evaluator))
    assert _dump(got[f"Patient/{b_id}"]) == _dump(_alone(well, evaluator))


def test_a_patient_named_like_a_session_slot_is_just_a_patient(evaluator):
    b = _sick("cg-slot-0")
    r = _alone(b, evaluator)
    assert r.patient == "Patient/cg-slot-0"
    assert r.assessments["crs.astct2019"].value == 4.0


def test_many_patients_in_one_bundle(evaluator):
    builders = [(_sick if i % 3 == 0 else _well)(f"pt{i:02d}") for i in range(12)]
    loaded = load_bytes(orjson.dumps(bundle_of(*builders)))
    results = evaluate_loaded(loaded, evaluator, at=AT)
    assert [r.patient for r in results] == [f"Patient/pt{i:02d}" for i in range(12)]
    for i, r in enumerate(results):
        assert r.assessments["crs.astct2019"].value == (4.0 if i % 3 == 0 else 0.0)
