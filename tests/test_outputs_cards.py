"""cartguard/outputs/cards.py and triage.py: CDS Hooks 2.0 cards from real evaluations.

Patients are built with PatientBuilder and evaluated on the durable-rules backend, as the CLI does;
the shipped example patient at day +7 (CRS grade 3, ISTH 7 = overt DIC) is the reference case.
The builders here are shared with tests/test_outputs_fhir.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest
from _cg import EXAMPLE, EXAMPLE_AT

from cartguard import outputs
from cartguard.api import evaluate_loaded
from cartguard.engine.evaluate import Evaluator
from cartguard.engine.results import Interpretation, PatientResult
from cartguard.fhir_adapters.loading import LoadResult, load_path
from cartguard.fhir_version import model_class
from cartguard.outputs import triage
from cartguard.outputs.cards import Card, Source
from cartguard.outputs.trace import RULE_SYSTEM, trace_uuid
from cartguard.testing import PatientBuilder
from cartguard.testing.fhir import NEURO

AT = datetime(2026, 3, 16, 12, tzinfo=UTC)  # day +6 12:00 for the built patients


# -- patients (shared with test_outputs_fhir.py) -----------------------------------------------------
def built_patient(pid: str, *, temp: float = 36.8, sbp: float = 120, device: str = "room air",
                  flow: float | None = None, neuro: bool = True, tagged: bool = True) -> PatientBuilder:
    """A patient on day +6 with every default input recorded (ISTH labs normal, ICE 10 and alert),
    varied by the vitals given; ``neuro=False`` leaves out ICE and consciousness (ICANS 0-4)."""
    b = PatientBuilder(pid)
    b.condition("C83.30")
    b.observation("29463-7", 70, "kg", day=6, hour=8)
    for code, value, unit, ref in [("777-3", 250, "10*9/L", None), ("48065-7", 0.4, "mg/L", 0.5),
                                   ("5902-2", 12.0, "s", 13.0), ("3255-7", 3.0, "g/L", None),
                                   ("14979-9", 30.0, "s", 35.0)]:
        b.observation(code, value, unit, day=6, hour=8, ref_high=ref)
    b.observation("8310-5", temp, "Cel", day=6, hour=8)
    b.blood_pressure(sbp, day=6, hour=8)
    b.oxygen_device(device, day=6, hour=8, flow=flow)
    if neuro:
        b.observation("ice-score", 10, "{score}", system=NEURO, day=6, hour=8)
        alert = b.observation("level-of-consciousness", None, None, system=NEURO, day=6, hour=8)
        alert["valueCodeableConcept"] = {"coding": [{"system": NEURO, "code": "alert"}]}
    if not tagged:
        for r in b.resources:
            r.pop("meta", None)
    return b


def healthy() -> PatientBuilder:
    return built_patient("well")


def crs_grade_2() -> PatientBuilder:
    return built_patient("crs2", temp=38.6, device="nasal cannula", flow=2)


def icans_unknown() -> PatientBuilder:
    """Fever (CRS grade 1) and no neurological assessment: ICANS indeterminate 0-4."""
    return built_patient("icq", temp=38.6, neuro=False)


def run(durable: Evaluator, b: PatientBuilder, **kw) -> tuple[LoadResult, PatientResult]:
    loaded = b.load()
    return loaded, evaluate_loaded(loaded, durable, at=AT, **kw)[0]


# -- the mapping, restated independently of cartguard.outputs.triage -----------------------------------
REC_INDICATOR = {("critical", "definite"): "critical", ("critical", "possible"): "warning",
                 ("urgent", "definite"): "warning", ("urgent", "possible"): "warning",
                 ("routine", "definite"): "info", ("routine", "possible"): "info",
                 ("info", "definite"): "info", ("info", "possible"): "info"}


def _by_rule(cards: list[Card]) -> dict[str, Card]:
    return {c.source.topic.code: c for c in cards if c.source.topic}


# -- the example patient -------------------------------------------------------------------------------
def test_example_headlines_indicators_and_summary_length(example):
    loaded, res = example
    cards = outputs.cards(res, loaded=loaded)
    by_rule = _by_rule(cards)
    assert by_rule["crs.astct2019"].summary == "CRS grade 3 (ASTCT 2019)"
    assert by_rule["crs.astct2019"].indicator == "critical"
    assert by_rule["dic.isth2001"].summary == "ISTH overt DIC score 7: compatible with overt DIC"
    assert by_rule["dic.isth2001"].indicator == "critical"
    assert all(len(c.summary) < 140 for c in cards)
    # one card per recommendation (not grouped), each naming its rule in source.topic
    assert {r.id for r in res.recommendations} <= set(by_rule)
    assert len(cards) == len({c.source.topic.code for c in cards if c.source.topic})
    for rec in res.recommendations:
        card = by_rule[rec.id]
        assert card.indicator == REC_INDICATOR[(rec.priority, rec.certainty)], rec.id
        assert card.source.label == rec.citation_text
        assert card.source.topic is not None and card.source.topic.system == RULE_SYSTEM
    ranks = [triage.RANK[c.indicator] for c in cards]
    assert ranks == sorted(ranks, reverse=True), "critical cards come first"


def test_card_uuids_are_deterministic_distinct_and_traceable(example, durable):
    loaded, res = example
    again = evaluate_loaded(load_path(EXAMPLE), durable, at=EXAMPLE_AT)[0]
    first = [c.uuid for c in outputs.cards(res)]
    assert first == [c.uuid for c in outputs.cards(again)]
    assert len(set(first)) == len(first)
    for card in outputs.cards(res):
        rule = card.extension["example.cartguard.trace"]["rule"]
        assert card.uuid == trace_uuid(res, rule)
    # another time, or another pack version, is another card
    later = res.model_copy(update={"at": datetime(2026, 3, 17, 9, tzinfo=UTC)})
    assert not set(first) & {c.uuid for c in outputs.cards(later)}
    bumped = res.model_copy(update={"packs": [p.model_copy(update={"version": p.version + ".1"}) if i == 0 else p
                                              for i, p in enumerate(res.packs)]})
    assert not set(first) & {c.uuid for c in outputs.cards(bumped)}
    response = outputs.cds_hooks_response(res)
    trace = response["extension"]["example.cartguard.trace"]
    assert trace["patient"] == res.patient and trace["at"] == "2026-03-17T08:00:00Z"
    assert len(trace["packs"]) == len(res.packs)


def test_details_name_rule_ids_citations_and_source_resources(example):
    _, res = example
    by_rule = _by_rule(outputs.cards(res))
    for aid, a in res.assessments.items():
        if not triage.worth_a_card(a):
            continue
        detail = by_rule[aid].detail
        for f in a.explanation:
            assert f"`{f.rule_id}`" in detail and f"`{f.citation}`" in detail
            for inp in f.inputs:
                for fact in inp.facts:
                    assert f"`{fact.source}`" in detail, (aid, fact.source)
        for key in a.citations:
            assert f"`{key}`" in detail
    for rec in res.recommendations:
        detail = by_rule[rec.id].detail
        assert f"`{rec.id}`" in detail and f"`{rec.citation}`" in detail
        for inp in rec.explanation.inputs:
            for fact in inp.facts:
                assert f"`{fact.source}`" in detail, (rec.id, fact.source)
    isth = by_rule["dic.isth2001"].detail
    assert "32 10\\*9/L" in isth, "units are escaped: 10*9/L must not open italics"
    assert "day +7" in isth and "2026-03-17T06:00:00Z" in isth


def test_a_computed_dose_is_suggested_as_a_valid_draft_order_and_nothing_else_is(example):
    loaded, res = example
    by_rule = _by_rule(outputs.cards(res, loaded=loaded))
    dosed = [r for r in res.recommendations if r.dose is not None and r.dose.mg is not None]
    assert dosed, "the example patient gets a tocilizumab dose"
    for rec in res.recommendations:
        card = by_rule[rec.id]
        if rec not in dosed:
            assert card.suggestions is None and card.selectionBehavior is None
            continue
        assert card.selectionBehavior == "at-most-one"
        (suggestion,) = card.suggestions
        (action,) = suggestion.actions
        assert action.type == "create"
        order = action.resource
        model_class("MedicationRequest").model_validate(order)
        assert (order["status"], order["intent"]) == ("draft", "proposal")
        assert order["subject"] == {"reference": res.patient}
        dose = order["dosageInstruction"][0]
        assert dose["doseAndRate"][0]["doseQuantity"]["value"] == rec.dose.mg
        assert dose["text"] == rec.dose.text
        assert rec.text in order["note"][0]["text"]
        assert {"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HTEST",
                "display": "test health data"} in order["meta"]["tag"]
        assert card.suggestions[0].uuid != card.uuid


# -- the mapping on other patients -------------------------------------------------------------------
def test_a_patient_with_nothing_wrong_gets_no_card(durable):
    """Grades and scores of exactly 0 raise no card (documented in docs/outputs.md): nothing to show."""
    _, res = run(durable, healthy())
    assert {a.status for a in res.assessments.values()} == {"graded"}
    assert all(a.value == 0 for a in res.assessments.values())
    assert outputs.cards(res) == []
    assert outputs.cds_hooks_response(res)["cards"] == []


def test_crs_grade_2_is_a_warning(durable):
    _, res = run(durable, crs_grade_2())
    card = _by_rule(outputs.cards(res))["crs.astct2019"]
    assert (card.summary, card.indicator) == ("CRS grade 2 (ASTCT 2019)", "warning")


def test_an_indeterminate_grade_that_could_be_3_is_a_warning_naming_what_is_missing(durable):
    _, res = run(durable, icans_unknown())
    icans = res.assessments["icans.astct2019"]
    assert icans.status == "indeterminate" and icans.range == (0.0, 4.0)
    by_rule = _by_rule(outputs.cards(res))
    card = by_rule["icans.astct2019"]
    assert card.indicator == "warning"
    assert card.summary.startswith("ICANS grade indeterminate (0-4, ASTCT 2019): missing ICE score")
    assert "**Missing**" in card.detail and "level of consciousness" in card.detail
    assert "**Still possible**" in card.detail
    assert by_rule["crs.astct2019"].indicator == "info"  # CRS grade 1
    possible = [r for r in res.recommendations if r.certainty == "possible" and r.priority == "critical"]
    assert possible and all(by_rule[r.id].indicator == "warning" for r in possible)
    assert all(by_rule[r.id].summary.startswith("Possible: ") for r in possible)
    assert all(r.unknown[0] in by_rule[r.id].detail.replace("\\", "") for r in possible)


@pytest.mark.parametrize(("assessment", "update", "indicator"), [
    ("crs.astct2019", {"value": 4.0, "range": (4.0, 4.0)}, "critical"),
    ("crs.astct2019", {"value": 1.0, "range": (1.0, 1.0)}, "info"),
    ("crs.astct2019", {"value": None, "range": (3.0, 4.0), "status": "indeterminate"}, "critical"),
    ("crs.astct2019", {"value": None, "range": (2.0, 3.0), "status": "indeterminate"}, "warning"),
    ("crs.astct2019", {"value": None, "range": (0.0, 2.0), "status": "indeterminate"}, "info"),
    ("icans.astct2019", {"value": 3.0, "range": (3.0, 3.0)}, "critical"),
    ("icans.astct2019", {"value": 2.0, "range": (2.0, 2.0)}, "warning"),
    ("dic.isth2001", {"value": None, "range": (3.0, 6.0), "status": "indeterminate", "interpretation": None},
     "warning"),
    ("dic.isth2001", {"value": 3.0, "range": (3.0, 3.0), "interpretation": Interpretation(
        id="dic.isth2001.not_overt", label="not overt DIC", citation="taylor2001", verdict="negative")}, "info"),
    ("dic.isth2001", {"interpretation": Interpretation(
        id="x.suspected", label="suspected DIC", citation="taylor2001", verdict="suspected")}, "warning"),
])
def test_assessment_indicator_mapping(example, assessment, update, indicator):
    """Variants of the example's real assessments, for the rows the example does not reach."""
    a = example[1].assessments[assessment].model_copy(update=update)
    assert triage.assessment_indicator(a) == indicator
    assert len(triage.assessment_summary(a)) < 140


def test_scales_without_cutoff_and_other_scales_stay_info(durable):
    _, res = run(durable, healthy(), scales="all")
    nonovert, sirs = res.assessments["dic.isth2001.nonovert"], res.assessments["sirs.bone1992"]
    assert nonovert.status == sirs.status == "indeterminate"
    assert triage.assessment_indicator(nonovert) == triage.assessment_indicator(sirs) == "info"
    by_rule = _by_rule(outputs.cards(res))
    assert "dic.sic" not in by_rule, "a not-applicable scale gets no card"
    assert all(len(c.summary) < 140 for c in by_rule.values())
    assert by_rule["dic.isth2001.nonovert"].summary.startswith("ISTH non-overt DIC score indeterminate (-4 to 9")


# -- wording, models, JSON ----------------------------------------------------------------------------
def test_fit_cuts_at_a_clause_and_marks_the_cut():
    short = "CRS grade >= 3: admit to ICU."
    assert triage.fit(short) == short
    long = "Grade 3: tocilizumab if the 24-h maximum is not reached, plus dexamethasone 10 mg IV every 6 h; " \
           "rapid taper on improvement; refractory: manage as grade 4 and call the ICU team at once."
    cut = triage.fit(long)
    assert len(cut) < 140 and cut.endswith("…") and long.startswith(cut[:-1])
    assert triage.range_text(-4, 9) == "-4 to 9" and triage.range_text(0, 3) == "0-3"


def test_the_card_model_enforces_the_spec():
    source = Source(label="x")
    with pytest.raises(ValueError, match="140|at most"):
        Card(uuid="u", summary="x" * 140, indicator="info", source=source)
    with pytest.raises(ValueError, match="selectionBehavior"):
        Card(uuid="u", summary="s", indicator="info", source=source,
             suggestions=[{"label": "l", "actions": [{"type": "create", "description": "d"}]}])
    with pytest.raises(ValueError):
        Card(uuid="u", summary="s", indicator="severe", source=source)


def test_cards_json_is_one_response_per_patient(example, durable):
    loaded, res = example
    one = orjson.loads(outputs.to_cards_json([res], loaded=loaded))
    assert set(one) == {"cards", "extension"}
    assert one == orjson.loads(orjson.dumps(outputs.cds_hooks_response(res, loaded=loaded)))
    card = one["cards"][0]
    assert {"uuid", "summary", "detail", "indicator", "source"} <= set(card)
    assert "suggestions" not in card and "links" not in card, "absent fields are left out, not null"
    _, other = run(durable, crs_grade_2())
    both = orjson.loads(outputs.to_cards_json([res, other]))
    assert [r["extension"]["example.cartguard.trace"]["patient"] for r in both] == [res.patient, other.patient]
    assert not {c["uuid"] for c in both[0]["cards"]} & {c["uuid"] for c in both[1]["cards"]}
