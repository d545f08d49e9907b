"""Step definitions shared by every cartguard feature (pytest-bdd 9).

Every scenario builds a synthetic patient as real FHIR R4 resources (``PatientBuilder``), loads
them through the FHIR adapters and evaluates them with the installed packs on BOTH backends
(durable-rules and the plain-Python reference evaluator: any disagreement raises EngineError and
fails the scenario). No rule is ever called directly.

Timeline conventions (``PatientBuilder.time``): day 0 is the CAR-T infusion (2026-03-10); a step
on day +N at HH:MM is charted at that clock time (UTC). Unless a step says otherwise, data are
charted at 06:00 of the patient's current day and the patient is evaluated at 08:00 that day, so
the look-back windows are predictable (temperature/SBP 24 h, O2 support 12 h, labs 36 h).

Placeholders are captured with ``parsers.parse`` and typed (``{value:g}``, ``{day:d}`` and the
custom types below): Scenario Outline placeholders are substituted into the step text before it
is matched, they are not fixtures. ``:g`` is used for numbers because ``:f`` rejects integers
such as a platelet count of 100.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import parse
import pytest
from pytest_bdd import given, parsers, then, when

from cartguard.api import evaluate_loaded
from cartguard.engine.evaluate import Evaluator
from cartguard.engine.results import Assessment, PatientResult, Recommendation
from cartguard.plugins import default_packset
from cartguard.testing import PatientBuilder
from cartguard.testing.fhir import DEVICE_CODES, RXNORM_CODES

DATA_HOUR = 6.0
"""Default charting time of a step without a time (06:00)."""
EVAL_HOUR = 8.0
"""Default evaluation time (08:00 of the patient's current day)."""

CRS = "crs.astct2019"
ISTH = "dic.isth2001"

# -- vocabularies --------------------------------------------------------------------------------
# Measurements, by the words a clinician uses; the key without its article names the resource.
LABS: dict[str, str] = {
    "a temperature": "8310-5",
    "a body weight": "29463-7",
    "a platelet count": "777-3",
    "a fibrinogen level": "3255-7",
    "a prothrombin time": "5902-2",
    "an INR": "6301-6",
    "an APTT": "14979-9",
    "an FEU D-dimer": "48065-7",
    "a DDU D-dimer": "48066-5",
    "an untyped D-dimer": "30240-6",
    "an FDP": "30226-5",
    "an O2 flow": "3151-8",
}
ISTH_ITEMS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    # item: (resource keys that count as "recorded", normal result to add when none is)
    "platelets": (("platelet count",), {"code": "777-3", "value": 250, "unit": "10*9/L"}),
    "marker": (("FEU D-dimer", "DDU D-dimer", "untyped D-dimer", "FDP"),
               {"code": "48065-7", "value": 0.4, "unit": "mg/L", "ref_high": 0.5}),
    "pt": (("prothrombin time", "INR"), {"code": "5902-2", "value": 12.0, "unit": "s", "ref_high": 13.0}),
    "fibrinogen": (("fibrinogen level",), {"code": "3255-7", "value": 3.0, "unit": "g/L"}),
}
DIAGNOSES = {
    "acute lymphoblastic leukaemia": "C91.00",
    "diffuse large B-cell lymphoma": "C83.30",
    "multiple myeloma": "C90.00",
    "gastrointestinal haemorrhage": "K92.2",
    "pulmonary embolism": "I26.99",
}
SCALES = {"CRS": CRS, "ISTH": ISTH}
CRS_COMPONENTS = {"fever": "fever", "hypotension": "hypotension", "hypoxia": "hypoxia",
                  "masked fever": "fever_masked"}
ISTH_COMPONENTS = {"platelet": "platelets", "fibrin marker": "fibrin_marker", "PT": "pt",
                   "fibrinogen": "fibrinogen"}
MISSING = {
    # clinical name -> the pack input reported under ``missing``
    "body temperature": "temp_max",
    "O2 flow": "o2_flow",
    "oxygen delivery": "o2_device",
    "platelet count": "platelets",
    "fibrinogen level": "fibrinogen",
    "PT prolongation": "pt_prolongation",
    "fibrin-related marker": "marker_x_uln",
}
INTERPRETATIONS = {"overt DIC": "dic.isth2001.overt", "not overt DIC": "dic.isth2001.not_overt"}
RECOMMENDATIONS = {
    "CRS work-up": "guidance.crs.all.workup",
    "grade 1 supportive care": "guidance.crs.g1.supportive",
    "grade 2 supportive care": "guidance.crs.g2.supportive",
    "telemetry and pulse oximetry": "guidance.crs.g2.monitoring",
    "ICU admission": "guidance.crs.g3.icu",
    "dexamethasone": "guidance.crs.g3.dexamethasone",
    "high-dose methylprednisolone": "guidance.crs.g4.methylprednisolone",
    "inotrope review": "guidance.crs.inotrope_review",
    "tocilizumab 8 mg/kg (label)": "guidance.toci.label.dose_ge30kg",
    "tocilizumab 12 mg/kg (label)": "guidance.toci.label.dose_lt30kg",
    "tocilizumab too soon (label)": "guidance.toci.label.too_soon",
    "tocilizumab 4-dose limit (label)": "guidance.toci.label.limit_reached",
    "tocilizumab 8 mg/kg (guideline)": "guidance.toci.guideline.dose",
    "tocilizumab 3-doses-in-24-h limit (guideline)": "guidance.toci.guideline.limit_24h",
    "tocilizumab 4-dose limit (guideline)": "guidance.toci.guideline.limit_total",
    "treat the cause of overt DIC": "guidance.dic.treat_cause",
    "coagulation panel due": "guidance.monitor.coag_panel_due",
    "platelets for bleeding": "guidance.dic.platelets_bleeding",
    "fibrinogen replacement for bleeding": "guidance.dic.fibrinogen",
    "FFP for bleeding": "guidance.dic.ffp",
    "heparin where thrombosis predominates": "guidance.dic.heparin_thrombosis",
    "VTE prophylaxis in non-bleeding DIC": "guidance.dic.vte_prophylaxis",
    "no routine antifibrinolytics": "guidance.dic.no_routine_antifibrinolytics",
}


def _alternation(words: list[str]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


def _clock(text: str) -> float:
    hh, mm = text.split(":")
    return int(hh) + int(mm) / 60


@parse.with_pattern(r"(?: at \d{2}:\d{2}| on day [+-]?\d+(?: at \d{2}:\d{2})?)?")
def _when(text: str) -> tuple[int | None, float | None]:
    """'' | ' at HH:MM' | ' on day +N' | ' on day +N at HH:MM' -> (day or None, hour or None)."""
    m = re.fullmatch(r"(?: on day ([+-]?\d+))?(?: at (\d{2}:\d{2}))?", text)
    assert m is not None, text
    return (int(m.group(1)) if m.group(1) else None, _clock(m.group(2)) if m.group(2) else None)


@parse.with_pattern(r"\d{2}:\d{2}")
def _clock_type(text: str) -> float:
    return _clock(text)


@parse.with_pattern(r"(?: with an upper reference limit of [-+]?\d+(?:\.\d+)?(?: \S+)?)?")
def _uln(text: str) -> tuple[float, str | None] | None:
    m = re.fullmatch(r" with an upper reference limit of ([-+]?\d+(?:\.\d+)?)(?: (\S+))?", text)
    return (float(m.group(1)), m.group(2)) if m else None


@parse.with_pattern(r"(?: with status [a-z-]+)?")
def _status(text: str) -> str:
    return text.removeprefix(" with status ") or "final"


def _choice(mapping: dict[str, Any]):
    @parse.with_pattern(_alternation(list(mapping)))
    def convert(text: str) -> Any:
        return mapping[text]
    return convert


@parse.with_pattern(_alternation(list(LABS)))
def _lab(text: str) -> tuple[str, str]:
    """'a platelet count' -> ('platelet count', LOINC code)."""
    return text.split(" ", 1)[1], LABS[text]


@parse.with_pattern(_alternation([d for d in RXNORM_CODES]))
def _drug(text: str) -> str:
    return text


TYPES = {
    "When": _when, "Clock": _clock_type, "Uln": _uln, "Status": _status, "Lab": _lab, "Drug": _drug,
    "Scale": _choice(SCALES), "CrsComp": _choice(CRS_COMPONENTS), "DicComp": _choice(ISTH_COMPONENTS),
    "Missing": _choice(MISSING), "Interp": _choice({**INTERPRETATIONS, "undecided": None}),
    "Certainty": _choice({"definite": "definite", "possible": "possible"}),
}


def p(fmt: str) -> parsers.parse:
    """A typed ``parsers.parse`` step pattern with this suite's custom types."""
    return parsers.parse(fmt, extra_types=TYPES)


# -- the world of one scenario -------------------------------------------------------------------
@dataclass
class World:
    """The patient under construction, the evaluation time and the result."""

    builder: PatientBuilder | None = None
    day: int = 0
    resources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Resources created under each clinical name ('platelet count', 'oxygen device' ...)."""
    at: datetime | None = None
    result: PatientResult | None = None

    @property
    def b(self) -> PatientBuilder:
        assert self.builder is not None, "start the scenario with 'Given a CAR-T patient on day +N'"
        return self.builder

    def slot(self, when: tuple[int | None, float | None] = (None, None), hour: float = DATA_HOUR
             ) -> tuple[int, float]:
        day, h = when
        return (self.day if day is None else day), (hour if h is None else h)

    def clock(self, day: int, hour: float) -> datetime:
        return datetime.fromisoformat(self.b.time(day, hour).replace("Z", "+00:00"))

    def keep(self, key: str, resource: dict[str, Any]) -> dict[str, Any]:
        self.resources.setdefault(key, []).append(resource)
        return resource

    def refs(self, key: str) -> list[str]:
        """``ResourceType/id`` of every resource the scenario created under ``key``."""
        assert key in self.resources, f"no {key!r} resource in this scenario (have {sorted(self.resources)})"
        return [f"{r['resourceType']}/{r['id']}" for r in self.resources[key]]

    @property
    def res(self) -> PatientResult:
        assert self.result is not None, "the patient has not been evaluated ('When the patient is evaluated')"
        return self.result

    def assessment(self, pack_id: str) -> Assessment:
        assert pack_id in self.res.assessments, f"{pack_id} not in {sorted(self.res.assessments)}"
        return self.res.assessments[pack_id]

    def recommendation(self, name: str) -> Recommendation | None:
        rec_id = RECOMMENDATIONS.get(name, name)
        assert rec_id.startswith("guidance."), f"unknown recommendation {name!r}"
        hits = [r for r in self.res.recommendations if r.id == rec_id]
        assert len(hits) <= 1, f"{rec_id} recommended {len(hits)} times"
        return hits[0] if hits else None


@pytest.fixture(scope="session")
def evaluator() -> Evaluator:
    """Installed packs (entry points), evaluated on durable-rules AND the reference evaluator."""
    return Evaluator(default_packset(), "both")


@pytest.fixture
def world() -> World:
    return World()


def _describe(a: Assessment) -> str:
    comps = {k: (c.value, c.range) for k, c in a.components.items()}
    return (f"{a.id}: value={a.value} range={a.range} status={a.status} "
            f"interpretation={a.interpretation and a.interpretation.id} "
            f"missing={[m.input for m in a.missing]} components={comps}")


# -- Given: the patient --------------------------------------------------------------------------
@given(p("a CAR-T patient on day {day:d}"))
def cart_patient(world: World, day: int) -> None:
    world.builder = PatientBuilder("p1")
    world.day = day


@given(p("a CAR-T patient aged {age:d} years on day {day:d}"))
def cart_patient_aged(world: World, age: int, day: int) -> None:
    probe = PatientBuilder("probe", birth_date=None, record_infusion=False)
    evaluation_date = date.fromisoformat(probe.time(day, EVAL_HOUR)[:10])
    # Born on 1 January: the patient has had this year's birthday by the evaluation date (March).
    birth = date(evaluation_date.year - age, 1, 1)
    world.builder = PatientBuilder("p1", birth_date=birth.isoformat())
    world.day = day


@given(p("a patient with no recorded CAR-T infusion on study day {day:d}"))
def patient_without_infusion(world: World, day: int) -> None:
    world.builder = PatientBuilder("p1", record_infusion=False)
    world.day = day


@given(p("a diagnosis of {diagnosis}"))
def diagnosis(world: World, diagnosis: str) -> None:
    assert diagnosis in DIAGNOSES, f"unknown diagnosis {diagnosis!r} (known: {sorted(DIAGNOSES)})"
    world.keep(diagnosis, world.b.condition(DIAGNOSES[diagnosis], day=-100))


# -- Given: measurements -------------------------------------------------------------------------
@given(p("{lab:Lab} of {value:g} {unit:S}{ref:Uln}{status:Status}{when:When}"))
def measurement(world: World, lab: tuple[str, str], value: float, unit: str,
                ref: tuple[float, str | None] | None, status: str, when: tuple[int | None, float | None]) -> None:
    key, code = lab
    day, hour = world.slot(when)
    kw: dict[str, Any] = {}
    if ref is not None:
        kw = {"ref_high": ref[0], "ref_unit": ref[1]}
    world.keep(key, world.b.observation(code, value, unit, day=day, hour=hour, status=status, **kw))


@given(p('{lab:Lab} result with data absent reason "{reason}"{when:When}'))
def measurement_absent(world: World, lab: tuple[str, str], reason: str,
                       when: tuple[int | None, float | None]) -> None:
    key, code = lab
    day, hour = world.slot(when)
    world.keep(key, world.b.observation(code, None, None, day=day, hour=hour, absent_reason=reason))


@given(p("a systolic blood pressure of {sbp:g} mmHg{when:When}"))
def systolic_bp(world: World, sbp: float, when: tuple[int | None, float | None]) -> None:
    day, hour = world.slot(when)
    world.keep("blood pressure", world.b.blood_pressure(sbp, day=day, hour=hour))


@given("no temperature is recorded")
def no_temperature(world: World) -> None:
    temps = [r for r in world.b.resources if r["resourceType"] == "Observation"
             and r["code"]["coding"][0]["code"] == "8310-5"]
    assert not temps, "the scenario says no temperature, yet one is recorded"


@given("no oxygen support is recorded")
def no_oxygen(world: World) -> None:
    o2 = [r for r in world.b.resources if r["resourceType"] in ("Observation", "Procedure")
          and r["code"]["coding"][0]["code"] in ("107117-4", "3151-8", "428311008")]
    assert not o2, "the scenario says no oxygen support, yet a record exists"


@given("the other ISTH laboratory results are normal")
def other_isth_labs_normal(world: World) -> None:
    """Add a normal result (0 points) for each ISTH item the scenario has not recorded."""
    for keys, normal in ISTH_ITEMS.values():
        if any(k in world.resources for k in keys):
            continue
        normal = dict(normal)
        code, value, unit = normal.pop("code"), normal.pop("value"), normal.pop("unit")
        world.b.observation(code, value, unit, day=world.day, hour=DATA_HOUR, **normal)


# -- Given: drugs --------------------------------------------------------------------------------
def _start_drip(world: World, drug: str, when: tuple[int | None, float | None]) -> None:
    day, hour = world.slot(when)
    world.keep(f"{drug} infusion", world.b.medication(drug, day=day, hour=hour, in_progress=True))


@given(p("a {drug:Drug} infusion running{when:When}"))
def infusion_running(world: World, drug: str, when: tuple[int | None, float | None]) -> None:
    """An infusion in progress (no end yet), started at 06:00 unless a time is given."""
    _start_drip(world, drug, when)


@given(p("vasopressors running: {drugs}"))
def vasopressors_running(world: World, drugs: str) -> None:
    """'none' | 'norepinephrine' | 'norepinephrine and vasopressin' | 'a, b and c'."""
    if drugs.strip() == "none":
        return
    for drug in re.split(r",\s*|\s+and\s+", drugs.strip()):
        assert drug in RXNORM_CODES, f"unknown drug {drug!r}"
        _start_drip(world, drug, (None, None))


@given(p("a {drug:Drug} infusion from {start:Clock} to {end:Clock}"))
def infusion_period(world: World, drug: str, start: float, end: float) -> None:
    world.keep(f"{drug} infusion", world.b.medication(drug, day=world.day, hour=start, until_day=world.day,
                                                      until_hour=end))


@given(p("a dose of {drug:Drug}{when:When}"))
def single_dose(world: World, drug: str, when: tuple[int | None, float | None]) -> None:
    day, hour = world.slot(when)
    world.keep(f"{drug} dose", world.b.medication(drug, day=day, hour=hour))


# -- Given: oxygen support -----------------------------------------------------------------------
_DEVICE = _alternation(list(DEVICE_CODES))


@given(p("the oxygen support is {support}{when:When}"))
def oxygen_support(world: World, support: str, when: tuple[int | None, float | None]) -> None:
    """'room air' | '<device>' | '<device> at N L/min' | '<device> with no flow recorded' |
    'non-invasive ventilation' (a Procedure)."""
    day, hour = world.slot(when)
    if support == "non-invasive ventilation":
        world.keep("procedure", world.b.procedure("428311008", day=day, hour=hour, until_day=day + 1))
        return
    m = re.fullmatch(rf"({_DEVICE})(?: at (\d+(?:\.\d+)?) L/min| with no flow recorded)?", support)
    assert m is not None, f"unknown oxygen support {support!r} (devices: {sorted(DEVICE_CODES)})"
    flow = float(m.group(2)) if m.group(2) else None
    world.keep("oxygen device", world.b.oxygen_device(m.group(1), day=day, hour=hour, flow=flow))


@given(p("non-invasive ventilation from {start:Clock} to {end:Clock}"))
def niv_period(world: World, start: float, end: float) -> None:
    """A non-invasive ventilation Procedure with an explicit performedPeriod on the current day."""
    proc = world.b.procedure("428311008", day=world.day, hour=start, until_day=world.day)
    proc["performedPeriod"]["end"] = world.b.time(world.day, end)
    world.keep("procedure", proc)


@given(p("a {drug:Drug} infusion from {start:Clock} to {end:Clock} recorded with status {status:S}"))
def infusion_period_status(world: World, drug: str, start: float, end: float, status: str) -> None:
    world.keep(f"{drug} infusion", world.b.medication(drug, day=world.day, hour=start, until_day=world.day,
                                                      until_hour=end, status=status))


# -- When ----------------------------------------------------------------------------------------
@when(p("the patient is evaluated{when:When}"))
def evaluate(world: World, evaluator: Evaluator, when: tuple[int | None, float | None]) -> None:
    day, hour = world.slot(when, hour=EVAL_HOUR)
    world.at = world.clock(day, hour)
    results = evaluate_loaded(world.b.load(), evaluator, at=world.at)
    assert len(results) == 1, f"expected one patient, got {len(results)}"
    world.result = results[0]
    assert world.result.at == world.at


# -- Then: CRS -----------------------------------------------------------------------------------
@then(p("the ASTCT CRS grade is {grade:d}"))
def crs_grade(world: World, grade: int) -> None:
    a = world.assessment(CRS)
    assert (a.value, a.range, a.status) == (grade, (grade, grade), "graded"), _describe(a)


@then(p("the ASTCT CRS grade is indeterminate between {lo:d} and {hi:d}"))
def crs_grade_range(world: World, lo: int, hi: int) -> None:
    a = world.assessment(CRS)
    assert (a.value, a.range, a.status) == (None, (lo, hi), "indeterminate"), _describe(a)


@then(p("the ASTCT CRS grade may be {grade:d}"))
def crs_grade_may_be(world: World, grade: int) -> None:
    """The grade is not settled below ``grade``: ``grade`` lies within the reported range."""
    a = world.assessment(CRS)
    assert a.range[0] <= grade <= a.range[1], _describe(a)


@then(p("the {comp:CrsComp} tier is {n:d}"))
def crs_tier(world: World, comp: str, n: int) -> None:
    a = world.assessment(CRS)
    c = a.components[comp]
    assert (c.value, c.range, c.status) == (n, (n, n), "graded"), _describe(a)


@then(p("the {comp:CrsComp} tier is indeterminate between {lo:d} and {hi:d}"))
def crs_tier_range(world: World, comp: str, lo: int, hi: int) -> None:
    a = world.assessment(CRS)
    c = a.components[comp]
    assert (c.value, c.range, c.status) == (None, (lo, hi), "indeterminate"), _describe(a)


@then("fever masking applies")
def masking_applies(world: World) -> None:
    a = world.assessment(CRS)
    c = a.components["fever_masked"]
    assert (c.value, c.rule_ids) == (1, ["crs.astct2019.masking.applies"]), _describe(a)


@then("fever masking does not apply")
def masking_does_not_apply(world: World) -> None:
    a = world.assessment(CRS)
    c = a.components["fever_masked"]
    assert c.value == 0 and c.status == "graded", _describe(a)


# -- Then: ISTH ----------------------------------------------------------------------------------
@then(p("the ISTH overt DIC score is {score:d}"))
def isth_score(world: World, score: int) -> None:
    a = world.assessment(ISTH)
    assert (a.value, a.range, a.status) == (score, (score, score), "graded"), _describe(a)


@then(p("the ISTH score is unknown between {lo:d} and {hi:d}"))
def isth_score_range(world: World, lo: int, hi: int) -> None:
    a = world.assessment(ISTH)
    assert (a.value, a.range) == (None, (lo, hi)), _describe(a)


@then("the ISTH score does not apply")
def isth_not_applicable(world: World) -> None:
    a = world.assessment(ISTH)
    assert (a.value, a.status, a.interpretation) == (None, "not_applicable", None), _describe(a)


@then(p("the ISTH {comp:DicComp} points are {n:d}"))
def isth_points(world: World, comp: str, n: int) -> None:
    a = world.assessment(ISTH)
    c = a.components[comp]
    assert (c.value, c.range, c.status) == (n, (n, n), "graded"), _describe(a)


@then(p("the ISTH {comp:DicComp} points are unknown between {lo:d} and {hi:d}"))
def isth_points_range(world: World, comp: str, lo: int, hi: int) -> None:
    a = world.assessment(ISTH)
    c = a.components[comp]
    assert (c.value, c.range, c.status) == (None, (lo, hi), "indeterminate"), _describe(a)


@then(p("the ISTH interpretation is {interp:Interp}"))
def isth_interpretation(world: World, interp: str | None) -> None:
    a = world.assessment(ISTH)
    if interp is None:
        assert a.interpretation is None and a.status == "indeterminate", _describe(a)
        assert a.missing, "an undecided score must say which inputs are missing"
    else:
        assert a.interpretation is not None and a.interpretation.id == interp, _describe(a)
        assert a.status == "graded", _describe(a)


# -- Then: either assessment ---------------------------------------------------------------------
@then(p("the {scale:Scale} assessment reports the {what:Missing} as missing"))
def reports_missing(world: World, scale: str, what: str) -> None:
    a = world.assessment(scale)
    hits = [m for m in a.missing if m.input == what]
    assert hits and hits[0].label and hits[0].reason, _describe(a)


@then(p("the {scale:Scale} assessment reports nothing missing"))
def reports_nothing_missing(world: World, scale: str) -> None:
    a = world.assessment(scale)
    assert a.missing == [], _describe(a)


@then(p('the {scale:Scale} result rests on rule "{rule}"'))
def rests_on_rule(world: World, scale: str, rule: str) -> None:
    a = world.assessment(scale)
    definite = [f.rule_id for f in a.explanation if f.certainty == "definite"]
    assert rule in definite, f"{rule} not among the definite findings {definite}"


@then(p('the {scale:Scale} assessment states the assumption "{text}"'))
def states_assumption(world: World, scale: str, text: str) -> None:
    a = world.assessment(scale)
    assert any(text in x for x in a.assumptions), a.assumptions


def _facts(a: Assessment, sources: list[str]) -> list[Any]:
    return [f for finding in a.explanation for i in finding.inputs for f in i.facts if f.source in sources]


@then(p("the {scale:Scale} explanation cites the {key} resource"))
def explanation_cites(world: World, scale: str, key: str) -> None:
    a = world.assessment(scale)
    assert _facts(a, world.refs(key)), f"none of {world.refs(key)} cited: {_describe(a)}"


@then(p("the {scale:Scale} explanation reads the {key} as {value:g} {unit:S}"))
def explanation_reads(world: World, scale: str, key: str, value: float, unit: str) -> None:
    """A cited fact from a {key} resource carries this value in this (canonical) unit."""
    a = world.assessment(scale)
    facts = _facts(a, world.refs(key))
    assert facts, f"none of {world.refs(key)} cited: {_describe(a)}"
    read = [(f.source, f.value, f.unit, f.original_value, f.original_unit) for f in facts]
    assert any(f.unit == unit and f.value is not None and math.isclose(f.value, value, rel_tol=1e-9, abs_tol=1e-9)
               for f in facts), f"read as (source, value, unit, original value, original unit): {read}"


# -- Then: warnings ------------------------------------------------------------------------------
def _warnings_about(world: World, key: str) -> list[Any]:
    refs = world.refs(key)
    return [w for w in world.res.warnings if w.source in refs or any(r in w.message for r in refs)]


@then(p('a "{code}" warning names the {key} resource'))
@then(p('an "{code}" warning names the {key} resource'))
def warning_names(world: World, code: str, key: str) -> None:
    """A warning of this code whose source is a {key} resource and whose message names it."""
    hits = [w for w in _warnings_about(world, key) if w.code == code]
    assert hits, f"no {code!r} warning for {world.refs(key)}: {[(w.code, w.message) for w in world.res.warnings]}"
    assert all(w.source in world.refs(key) and w.source in w.message for w in hits), hits


@then(p("no warning names the {key} resource"))
def no_warning_names(world: World, key: str) -> None:
    hits = _warnings_about(world, key)
    assert not hits, hits


# -- Then: guidance ------------------------------------------------------------------------------
@then(p('the "{name}" recommendation is {certainty:Certainty}'))
def recommendation_made(world: World, name: str, certainty: str) -> None:
    rec = world.recommendation(name)
    assert rec is not None, f"{name!r} not recommended: {[(r.id, r.certainty) for r in world.res.recommendations]}"
    assert rec.certainty == certainty, (rec.id, rec.certainty, rec.unknown)
    if certainty == "definite":
        assert rec.unknown == [], rec.unknown


@then(p('the "{name}" recommendation is not made'))
def recommendation_not_made(world: World, name: str) -> None:
    rec = world.recommendation(name)
    assert rec is None, f"{rec.id} is recommended ({rec.certainty}; unknown: {rec.unknown})"


@then(p('the "{name}" dose is {mg:g} mg'))
def dose_mg(world: World, name: str, mg: float) -> None:
    rec = world.recommendation(name)
    assert rec is not None and rec.dose is not None, f"no dose for {name!r}"
    assert rec.dose.mg == mg and not rec.dose.capped, rec.dose


@then(p('the "{name}" dose is capped at {mg:g} mg'))
def dose_capped(world: World, name: str, mg: float) -> None:
    rec = world.recommendation(name)
    assert rec is not None and rec.dose is not None, f"no dose for {name!r}"
    assert rec.dose.mg == mg and rec.dose.capped and rec.dose.cap_mg == mg, rec.dose


@then(p('the "{name}" dose needs a body weight'))
def dose_needs_weight(world: World, name: str) -> None:
    rec = world.recommendation(name)
    assert rec is not None and rec.dose is not None, f"no dose for {name!r}"
    assert rec.dose.mg is None and rec.dose.weight_kg is None and "body weight" in rec.dose.text, rec.dose
