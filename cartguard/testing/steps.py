"""cartguard's Gherkin step library: a pytest plugin (pytest-bdd 9) for testing rule packs.

Installing cartguard registers this module with pytest through the ``pytest11`` entry point
(``cartguard = "cartguard.testing.steps"``), so every pytest run in that environment has these
steps and fixtures; nothing needs importing and no conftest is needed. A site's feature files
can therefore test its pack without writing Python, e.g.::

    Feature: Our laboratory's platelet code feeds the ISTH score
      Scenario: A local platelet count of 42 scores 2 ISTH points
        Given a CAR-T patient on day +6
        And an Observation http://hospital.example/fhir/CodeSystem/lab|PLT of 42 10*9/L on day +6
        When the patient is evaluated
        Then the assessment dic.isth2001 component platelets is 2
        And no warning names the Observation

``cartguard packs test PACK`` (:func:`cartguard.testing.packtest.run_pack_features`) runs the
features folder a pack declares (``features: <folder>`` in its YAML) with no test module to write.
In a project of one's own, bind the features as usual: ``scenarios("features")`` in a test module.

What every scenario does: build one synthetic patient as real FHIR R4 resources
(:class:`~cartguard.testing.PatientBuilder`), load them through the FHIR adapters and evaluate
them with the *installed* packs (the ``cartguard.packs`` entry points: core and site packs alike)
on BOTH backends, durable-rules and the plain-Python reference evaluator (any disagreement raises
EngineError and fails the scenario). No rule is called directly.

Timeline: day 0 is the CAR-T infusion (2026-03-10); a step on day +N at HH:MM is charted at that
clock time (UTC). A step without a day uses the patient's current day (``Given a CAR-T patient on
day +N``); without a time it is charted at 06:00, and the patient is evaluated at 08:00, so the
packs' look-back windows are predictable (temperature/SBP 24 h, O2 support 12 h, labs 36 h).

Generic steps (no cartguard vocabulary). ``[...]`` is optional; ``<coding>`` is ``code`` (LOINC)
or ``system|code`` (any code system); ``<when>`` is `` on day +N``, `` at HH:MM`` or both; ``<uln>``
is `` with an upper reference limit of X`` or `` with an upper reference limit of X UNIT``::

    Given a CAR-T patient on day +N
    Given a CAR-T patient aged A years on day +N
    Given a patient with no recorded CAR-T infusion on study day +N
    Given an Observation <coding> of VALUE UNIT[<uln>][ with status S][<when>]
    Given an Observation <coding> with data absent reason "REASON"[<when>]
    Given a MedicationAdministration of DRUG[ with status S][<when>]
    Given a MedicationAdministration of DRUG running[<when>]
    Given a MedicationAdministration of DRUG running from MOMENT to MOMENT[ with status S]
    Given a Condition <condition coding>[ since day +N]
    Given the site parameter NAME is VALUE          (YAML value: "FEU", 12, true, null)
    When the patient is evaluated[<when>]
    Then the assessment PACK_ID is VALUE
    Then the assessment PACK_ID is indeterminate between LO and HI
    Then the assessment PACK_ID status is graded|indeterminate|not applicable
    Then the assessment PACK_ID component NAME is VALUE
    Then the assessment PACK_ID component NAME is indeterminate between LO and HI
    Then the assessment PACK_ID interpretation is INTERPRETATION_ID
    Then the assessment PACK_ID has no interpretation
    Then the assessment PACK_ID reports INPUT as missing
    Then the assessment PACK_ID reports nothing missing
    Then the recommendation RECOMMENDATION_ID is definite|possible
    Then the recommendation RECOMMENDATION_ID is not made
    Then a warning CODE names the Observation[ <coding>]
    Then no warning names the Observation[ <coding>]

DRUG is an RxNorm ingredient name cartguard knows (``tocilizumab``, ``norepinephrine``, ... see
``cartguard.testing.fhir.RXNORM_CODES``), a bare RxNorm code, or ``system|code``. MOMENT is
``HH:MM`` (current day), ``day +N`` (06:00) or ``day +N at HH:MM``. A Condition's bare code is
ICD-10-CM. "the Observation" is the one Observation the scenario gave with the generic step (name
its coding when there are several). Recommendation ids are checked against the installed packs, so
a misspelt id fails instead of passing "is not made".

The remaining steps speak cartguard's clinical vocabulary ("a platelet count of 42 10*9/L", "the
ASTCT CRS grade is 2", 'the "ICU admission" recommendation is definite'); they are what
cartguard's own ``features/`` use and any site may use them too.

Fixtures: ``cartguard_packset`` and ``cartguard_evaluator`` (session scope: the installed pack set,
evaluated with ``backend="both"``) and ``cartguard_world`` (one scenario's patient and result).
A site may override ``cartguard_packset`` or ``cartguard_evaluator`` in its conftest.py, and may
add its own steps next to these (a conftest step that matches the same text wins over this one).

Placeholders are captured with ``parsers.parse`` and typed (``{value:g}``, ``{day:d}`` and the
custom types below): Scenario Outline placeholders are substituted into the step text before it
is matched, they are not fixtures. ``:g`` is used for numbers because ``:f`` rejects integers
such as a platelet count of 100.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import parse
import pytest
from pytest_bdd import given, parsers, then, when

from cartguard.testing.fhir import DEVICE_CODES, ICD10, LOINC, RXNORM, RXNORM_CODES, PatientBuilder

if TYPE_CHECKING:  # the engine is imported when a step first needs it: pytest starts fast
    from cartguard.engine.evaluate import Evaluator
    from cartguard.engine.packset import PackSet
    from cartguard.engine.results import Assessment, PatientResult, Recommendation

pytest_plugins = [
    # Scale-specific vocabularies, each a plugin module of its own; pytest loads them with this one.
    "cartguard.testing.steps_icans",
    "cartguard.testing.steps_crs_scales",
    "cartguard.testing.steps_dic_japanese",
    "cartguard.testing.steps_dic_other",
    "cartguard.testing.steps_trajectory",
]

DATA_HOUR = 6.0
"""Default charting time of a step without a time (06:00)."""
EVAL_HOUR = 8.0
"""Default evaluation time (08:00 of the patient's current day)."""

CRS = "crs.astct2019"
ISTH = "dic.isth2001"

CARTGUARD_PACKSET: pytest.StashKey[PackSet] = pytest.StashKey()
"""``config.stash`` key: a pack set pinned for this run (``run_pack_features`` sets it), used by
``cartguard_packset`` instead of building the installed one again."""

LAB = "http://cartguard.example/fhir/CodeSystem/lab"
CLIN = "http://cartguard.example/fhir/CodeSystem/clinical"

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
    "an FiO2": "3150-0",
    "a PT ratio": "5894-1",
    "a heart rate": "8867-4",
    "a respiratory rate": "9279-1",
    "a PaCO2": "2019-8",
    "a white cell count": "6690-2",
    "a band neutrophil fraction": "764-1",
    # local codes (no confirmed LOINC code; rules/terminology/core.yaml binds them)
    "an antithrombin activity": f"{LAB}|antithrombin-activity",
    "a protein C activity": f"{LAB}|protein-c-activity",
    "a TAT": f"{LAB}|tat",
    "a soluble fibrin": f"{LAB}|soluble-fibrin",
    "a prothrombin fragment 1+2": f"{LAB}|prothrombin-fragment-1-2",
    "a SOFA respiratory subscore": f"{CLIN}|sofa-respiratory",
    "a SOFA cardiovascular subscore": f"{CLIN}|sofa-cardiovascular",
    "a SOFA hepatic subscore": f"{CLIN}|sofa-hepatic",
    "a SOFA renal subscore": f"{CLIN}|sofa-renal",
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
    "sepsis": "A41.9",
    "septic shock": "R65.21",
    "shock": "R57.9",
    "acute kidney failure": "N17.9",
    "acute respiratory failure": "J96.00",
    "hepatic failure": "K72.90",
    "haemorrhage": "R58",
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
    # ICANS (rules/guidance/icans.yaml)
    "ICANS monitoring": "guidance.icans.all.monitoring",
    "consider seizure prophylaxis": "guidance.icans.all.seizure_prophylaxis",
    "neuroimaging and EEG": "guidance.icans.g2.imaging_eeg",
    "lumbar puncture and repeat imaging": "guidance.icans.g3.lp_repeat_imaging",
    "no tocilizumab for isolated ICANS": "guidance.icans.isolated.no_tocilizumab",
    "ICU admission for ICANS": "guidance.icans.icu",
    "consider ICU for ICANS with CRS": "guidance.icans.consider_icu",
    "ICANS grade 1 without CRS": "guidance.icans.g1.no_crs",
    "ICANS grade 2 without CRS: dexamethasone": "guidance.icans.g2.no_crs",
    "ICANS grade 3 without CRS: steroids": "guidance.icans.g3.no_crs",
    "ICANS grade 4": "guidance.icans.g4",
    "ICANS grade 1 with CRS: tocilizumab": "guidance.icans.g1.with_crs",
    "ICANS grade 2 with CRS: tocilizumab": "guidance.icans.g2.with_crs",
    "ICANS grade 3 with CRS: tocilizumab": "guidance.icans.g3.with_crs",
}


# -- parse types ---------------------------------------------------------------------------------
def _alternation(words: list[str]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


def _clock(text: str) -> float:
    hh, mm = text.split(":")
    return int(hh) + int(mm) / 60


When = tuple[int | None, float | None]
"""(day or None, hour or None): None means the scenario's current day / the step's default hour."""


@parse.with_pattern(r"(?: at \d{2}:\d{2}| on day [+-]?\d+(?: at \d{2}:\d{2})?)?")
def _when(text: str) -> When:
    """'' | ' at HH:MM' | ' on day +N' | ' on day +N at HH:MM' -> (day or None, hour or None)."""
    m = re.fullmatch(r"(?: on day ([+-]?\d+))?(?: at (\d{2}:\d{2}))?", text)
    assert m is not None, text
    return (int(m.group(1)) if m.group(1) else None, _clock(m.group(2)) if m.group(2) else None)


@parse.with_pattern(r"\d{2}:\d{2}|day [+-]?\d+(?: at \d{2}:\d{2})?")
def _moment(text: str) -> When:
    """'HH:MM' | 'day +N' | 'day +N at HH:MM' -> (day or None, hour or None)."""
    m = re.fullmatch(r"(?:day ([+-]?\d+))?(?: at )?(\d{2}:\d{2})?", text)
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


@parse.with_pattern(r"(?: with status [a-z-]+)?")
def _med_status(text: str) -> str:
    return text.removeprefix(" with status ") or "completed"


@parse.with_pattern(r"(?: since day [+-]?\d+)?")
def _since(text: str) -> int:
    return int(text.removeprefix(" since day ")) if text else -100


def _choice(mapping: dict[str, Any]):
    @parse.with_pattern(_alternation(list(mapping)))
    def convert(text: str) -> Any:
        return mapping[text]
    return convert


def _coding(default_system: str):
    """'code' (``default_system``) | 'system|code' -> (system, code)."""
    @parse.with_pattern(r"[^\s|]+(?:\|[^\s|]+)?")
    def convert(text: str) -> tuple[str, str]:
        system, _, code = text.rpartition("|")
        return (system or default_system, code)
    return convert


@parse.with_pattern(_alternation(list(RXNORM_CODES)) + r"|\d+|[^\s|]+\|[^\s|]+")
def _medication(text: str) -> tuple[str, tuple[str, str]]:
    """A known drug name | an RxNorm code | 'system|code' -> (text, (system, code))."""
    if text in RXNORM_CODES:
        return text, (RXNORM, RXNORM_CODES[text])
    system, _, code = text.rpartition("|")
    return text, (system or RXNORM, code)


@parse.with_pattern(r'"[^"]+"|[^\s"]+')
def _warning_code(text: str) -> str:
    return text.strip('"')


@parse.with_pattern(_alternation(list(LABS)))
def _lab(text: str) -> tuple[str, str]:
    """'a platelet count' -> ('platelet count', LOINC code)."""
    return text.split(" ", 1)[1], LABS[text]


@parse.with_pattern(_alternation(list(RXNORM_CODES)))
def _drug(text: str) -> str:
    return text


TYPES = {
    "When": _when, "Moment": _moment, "Clock": _clock_type, "Uln": _uln, "Status": _status,
    "MedStatus": _med_status, "Since": _since, "Lab": _lab, "Drug": _drug, "Medication": _medication,
    "Loinc": _coding(LOINC), "Icd10": _coding(ICD10), "WarningCode": _warning_code,
    "Scale": _choice(SCALES), "CrsComp": _choice(CRS_COMPONENTS), "DicComp": _choice(ISTH_COMPONENTS),
    "Missing": _choice(MISSING), "Interp": _choice({**INTERPRETATIONS, "undecided": None}),
    "Certainty": _choice({"definite": "definite", "possible": "possible"}),
    "AssessmentStatus": _choice({"graded": "graded", "indeterminate": "indeterminate",
                                 "not applicable": "not_applicable", "not_applicable": "not_applicable"}),
}


def p(fmt: str) -> parsers.parse:
    """A typed ``parsers.parse`` step pattern with this library's custom types."""
    return parsers.parse(fmt, extra_types=TYPES)


# -- the world of one scenario -------------------------------------------------------------------
@dataclass
class World:
    """The patient under construction, the evaluation time and the result."""

    builder: PatientBuilder | None = None
    day: int = 0
    resources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Resources created under each name ('platelet count', 'Observation', 'Observation sys|code' ...)."""
    at: datetime | None = None
    result: PatientResult | None = None
    evaluator: Evaluator | None = None
    site_parameters: dict[str, Any] = field(default_factory=dict)
    """Parameters this scenario overrides as a site would (``Given the site parameter X is V``)."""

    @property
    def b(self) -> PatientBuilder:
        assert self.builder is not None, "start the scenario with 'Given a CAR-T patient on day +N'"
        return self.builder

    def slot(self, when: When = (None, None), hour: float = DATA_HOUR) -> tuple[int, float]:
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
        """The recommendation a vocabulary name ('ICU admission') or a ``guidance.`` id stands for."""
        rec_id = RECOMMENDATIONS.get(name, name)
        assert rec_id.startswith("guidance."), f"unknown recommendation {name!r}"
        return self.recommendation_by_id(rec_id)

    def recommendation_by_id(self, rec_id: str) -> Recommendation | None:
        hits = [r for r in self.res.recommendations if r.id == rec_id]
        assert len(hits) <= 1, f"{rec_id} recommended {len(hits)} times"
        return hits[0] if hits else None

    def known_recommendation(self, rec_id: str) -> None:
        """Fail unless some evaluated pack declares ``rec_id`` (a typo must not pass 'is not made')."""
        assert self.evaluator is not None, "the patient has not been evaluated ('When the patient is evaluated')"
        known = sorted({r.id for lp in self.evaluator.packset.loaded for r in lp.pack.recommendations})
        close = difflib.get_close_matches(rec_id, known, n=3)
        assert rec_id in known, (f"no installed pack declares a recommendation {rec_id!r}"
                                 + (f" (did you mean {', '.join(close)}?)" if close else ""))


def _describe(a: Assessment) -> str:
    comps = {k: (c.value, c.range) for k, c in a.components.items()}
    return (f"{a.id}: value={a.value} range={a.range} status={a.status} "
            f"interpretation={a.interpretation and a.interpretation.id} "
            f"missing={[m.input for m in a.missing]} components={comps}")


def _same(x: float | None, y: float) -> bool:
    return x is not None and math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)


# -- assertions shared by every scale's vocabulary (the scale modules call these) ----------------
def _assert_nothing_missing(world: World, pack_id: str) -> None:
    a = world.assessment(pack_id)
    assert a.missing == [], _describe(a)


def _assert_rests_on(world: World, pack_id: str, rule: str) -> None:
    """The assessment's definite findings include this rule id."""
    a = world.assessment(pack_id)
    definite = [f.rule_id for f in a.explanation if f.certainty == "definite"]
    assert rule in definite, f"{rule} not among the definite findings of {pack_id}: {definite}"


def _assert_assumption(world: World, pack_id: str, text: str) -> None:
    a = world.assessment(pack_id)
    assert any(text in x for x in a.assumptions), a.assumptions


# -- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def cartguard_packset(request: pytest.FixtureRequest) -> PackSet:
    """The installed pack set: every ``cartguard.packs`` entry point, core and site packs alike.

    A run may pin another one in ``config.stash[CARTGUARD_PACKSET]`` (``run_pack_features`` does);
    a site may override this fixture in its conftest.py.
    """
    pinned = request.config.stash.get(CARTGUARD_PACKSET, None)
    if pinned is not None:
        return pinned
    from cartguard.plugins import default_packset

    return default_packset()


@pytest.fixture(scope="session")
def cartguard_evaluator(cartguard_packset: PackSet) -> Evaluator:
    """The pack set evaluated on durable-rules AND the reference evaluator (a disagreement fails)."""
    from cartguard.engine.evaluate import Evaluator

    return Evaluator(cartguard_packset, "both")


@pytest.fixture
def cartguard_world() -> World:
    """One scenario's patient, evaluation time and result."""
    return World()


# -- Given: the patient --------------------------------------------------------------------------
@given(p("a CAR-T patient on day {day:d}"))
def cart_patient(cartguard_world: World, day: int) -> None:
    cartguard_world.builder = PatientBuilder("p1")
    cartguard_world.day = day


@given(p("a CAR-T patient aged {age:d} years on day {day:d}"))
def cart_patient_aged(cartguard_world: World, age: int, day: int) -> None:
    probe = PatientBuilder("probe", birth_date=None, record_infusion=False)
    evaluation_date = date.fromisoformat(probe.time(day, EVAL_HOUR)[:10])
    # Born on 1 January: the patient has had this year's birthday by the evaluation date (March).
    birth = date(evaluation_date.year - age, 1, 1)
    cartguard_world.builder = PatientBuilder("p1", birth_date=birth.isoformat())
    cartguard_world.day = day


@given(p("a patient with no recorded CAR-T infusion on study day {day:d}"))
def patient_without_infusion(cartguard_world: World, day: int) -> None:
    cartguard_world.builder = PatientBuilder("p1", record_infusion=False)
    cartguard_world.day = day


@given(p("a diagnosis of {diagnosis}{since:Since}"))
def diagnosis(cartguard_world: World, diagnosis: str, since: int) -> None:
    assert diagnosis in DIAGNOSES, f"unknown diagnosis {diagnosis!r} (known: {sorted(DIAGNOSES)})"
    cartguard_world.keep(diagnosis, cartguard_world.b.condition(DIAGNOSES[diagnosis], day=since))


@given(p("it is documented that there is no {diagnosis}{when:When}"))
def documented_absent(cartguard_world: World, diagnosis: str, when: When) -> None:
    """A refuted Condition recorded at that time: the item is known to be absent (not assumed)."""
    assert diagnosis in DIAGNOSES, f"unknown diagnosis {diagnosis!r} (known: {sorted(DIAGNOSES)})"
    day, hour = cartguard_world.slot(when)
    cartguard_world.keep(f"no {diagnosis}", cartguard_world.b.condition(
        DIAGNOSES[diagnosis], day=day, verification="refuted", recorded_day=day, recorded_hour=hour))


# -- Given: generic FHIR resources ---------------------------------------------------------------
def _keep_observation(world: World, coding: tuple[str, str], obs: dict[str, Any]) -> None:
    world.keep("Observation", obs)
    world.keep(f"Observation {coding[0]}|{coding[1]}", obs)


@given(p("an Observation {coding:Loinc} of {value:g} {unit:S}{ref:Uln}{status:Status}{when:When}"))
def generic_observation(cartguard_world: World, coding: tuple[str, str], value: float, unit: str,
                        ref: tuple[float, str | None] | None, status: str, when: When) -> None:
    """An Observation with a valueQuantity (UCUM unit); a bare code is LOINC."""
    day, hour = cartguard_world.slot(when)
    kw: dict[str, Any] = {} if ref is None else {"ref_high": ref[0], "ref_unit": ref[1]}
    obs = cartguard_world.b.observation(coding[1], value, unit, system=coding[0], day=day, hour=hour,
                                        status=status, **kw)
    _keep_observation(cartguard_world, coding, obs)


@given(p('an Observation {coding:Loinc} with data absent reason "{reason}"{when:When}'))
def generic_observation_absent(cartguard_world: World, coding: tuple[str, str], reason: str, when: When) -> None:
    day, hour = cartguard_world.slot(when)
    obs = cartguard_world.b.observation(coding[1], None, None, system=coding[0], day=day, hour=hour,
                                        absent_reason=reason)
    _keep_observation(cartguard_world, coding, obs)


@given(p("a MedicationAdministration of {drug:Medication}{status:MedStatus}{when:When}"))
def generic_medication(cartguard_world: World, drug: tuple[str, tuple[str, str]], status: str, when: When) -> None:
    """A single administration at one time (effectiveDateTime)."""
    day, hour = cartguard_world.slot(when)
    cartguard_world.keep("MedicationAdministration", cartguard_world.b.medication(
        drug[0], coding=drug[1], day=day, hour=hour, status=status))


@given(p("a MedicationAdministration of {drug:Medication} running{when:When}"))
def generic_medication_running(cartguard_world: World, drug: tuple[str, tuple[str, str]], when: When) -> None:
    """An administration in progress (status in-progress, a period with a start and no end)."""
    day, hour = cartguard_world.slot(when)
    cartguard_world.keep("MedicationAdministration", cartguard_world.b.medication(
        drug[0], coding=drug[1], day=day, hour=hour, in_progress=True))


@given(p("a MedicationAdministration of {drug:Medication} running from {start:Moment} to {end:Moment}"
         "{status:MedStatus}"))
def generic_medication_period(cartguard_world: World, drug: tuple[str, tuple[str, str]], start: When, end: When,
                              status: str) -> None:
    """An administration over a period (effectivePeriod start and end)."""
    d0, h0 = cartguard_world.slot(start)
    d1, h1 = cartguard_world.slot(end)
    cartguard_world.keep("MedicationAdministration", cartguard_world.b.medication(
        drug[0], coding=drug[1], day=d0, hour=h0, until_day=d1, until_hour=h1, status=status))


@given(p("a MedicationAdministration of {drug:Medication} at {rate:g} {unit:S} running from {start:Moment} "
         "to {end:Moment}"))
def generic_medication_rate_period(cartguard_world: World, drug: tuple[str, tuple[str, str]], rate: float,
                                   unit: str, start: When, end: When) -> None:
    """An infusion at a rate (``dosage.rateQuantity``, UCUM unit such as ug/min or ug/kg/min) over a period."""
    d0, h0 = cartguard_world.slot(start)
    d1, h1 = cartguard_world.slot(end)
    cartguard_world.keep("MedicationAdministration", cartguard_world.b.medication(
        drug[0], coding=drug[1], day=d0, hour=h0, until_day=d1, until_hour=h1, rate=(rate, unit)))


@given(p("a MedicationAdministration of {drug:Medication} at {rate:g} {unit:S} running since {start:Moment}"))
def generic_medication_rate_running(cartguard_world: World, drug: tuple[str, tuple[str, str]], rate: float,
                                    unit: str, start: When) -> None:
    """An infusion in progress at a rate since ``start`` (no end)."""
    d0, h0 = cartguard_world.slot(start)
    cartguard_world.keep("MedicationAdministration", cartguard_world.b.medication(
        drug[0], coding=drug[1], day=d0, hour=h0, in_progress=True, rate=(rate, unit)))


@given(p("a Condition {coding:Icd10}{since:Since}"))
def generic_condition(cartguard_world: World, coding: tuple[str, str], since: int) -> None:
    """An active, confirmed Condition (onset day -100 unless 'since day N'); a bare code is ICD-10-CM."""
    cartguard_world.keep("Condition", cartguard_world.b.condition(coding[1], system=coding[0], day=since))


# -- Given: measurements -------------------------------------------------------------------------
@given(p("{lab:Lab} of {value:g} {unit:S}{ref:Uln}{status:Status}{when:When}"))
def measurement(cartguard_world: World, lab: tuple[str, str], value: float, unit: str,
                ref: tuple[float, str | None] | None, status: str, when: When) -> None:
    key, coding = lab
    system, _, code = coding.rpartition("|")
    day, hour = cartguard_world.slot(when)
    kw: dict[str, Any] = {}
    if ref is not None:
        kw = {"ref_high": ref[0], "ref_unit": ref[1]}
    cartguard_world.keep(key, cartguard_world.b.observation(code, value, unit, system=system or LOINC, day=day,
                                                            hour=hour, status=status, **kw))


@given(p('{lab:Lab} result with data absent reason "{reason}"{when:When}'))
def measurement_absent(cartguard_world: World, lab: tuple[str, str], reason: str, when: When) -> None:
    key, coding = lab
    system, _, code = coding.rpartition("|")
    day, hour = cartguard_world.slot(when)
    cartguard_world.keep(key, cartguard_world.b.observation(code, None, None, system=system or LOINC, day=day,
                                                            hour=hour, absent_reason=reason))


@given(p("a systolic blood pressure of {sbp:g} mmHg{when:When}"))
def systolic_bp(cartguard_world: World, sbp: float, when: When) -> None:
    day, hour = cartguard_world.slot(when)
    cartguard_world.keep("blood pressure", cartguard_world.b.blood_pressure(sbp, day=day, hour=hour))


@given("no temperature is recorded")
def no_temperature(cartguard_world: World) -> None:
    temps = [r for r in cartguard_world.b.resources if r["resourceType"] == "Observation"
             and r["code"]["coding"][0]["code"] == "8310-5"]
    assert not temps, "the scenario says no temperature, yet one is recorded"


@given("no oxygen support is recorded")
def no_oxygen(cartguard_world: World) -> None:
    o2 = [r for r in cartguard_world.b.resources if r["resourceType"] in ("Observation", "Procedure")
          and r["code"]["coding"][0]["code"] in ("107117-4", "3151-8", "428311008")]
    assert not o2, "the scenario says no oxygen support, yet a record exists"


@given("the other ISTH laboratory results are normal")
def other_isth_labs_normal(cartguard_world: World) -> None:
    """Add a normal result (0 points) for each ISTH item the scenario has not recorded."""
    for keys, normal in ISTH_ITEMS.values():
        if any(k in cartguard_world.resources for k in keys):
            continue
        normal = dict(normal)
        code, value, unit = normal.pop("code"), normal.pop("value"), normal.pop("unit")
        cartguard_world.b.observation(code, value, unit, day=cartguard_world.day, hour=DATA_HOUR, **normal)


# -- Given: drugs --------------------------------------------------------------------------------
def _start_drip(world: World, drug: str, when: When) -> None:
    day, hour = world.slot(when)
    world.keep(f"{drug} infusion", world.b.medication(drug, day=day, hour=hour, in_progress=True))


@given(p("a {drug:Drug} infusion running{when:When}"))
def infusion_running(cartguard_world: World, drug: str, when: When) -> None:
    """An infusion in progress (no end yet), started at 06:00 unless a time is given."""
    _start_drip(cartguard_world, drug, when)


@given(p("vasopressors running: {drugs}"))
def vasopressors_running(cartguard_world: World, drugs: str) -> None:
    """'none' | 'norepinephrine' | 'norepinephrine and vasopressin' | 'a, b and c'."""
    if drugs.strip() == "none":
        return
    for drug in re.split(r",\s*|\s+and\s+", drugs.strip()):
        assert drug in RXNORM_CODES, f"unknown drug {drug!r}"
        _start_drip(cartguard_world, drug, (None, None))


@given(p("a {drug:Drug} infusion from {start:Clock} to {end:Clock}"))
def infusion_period(cartguard_world: World, drug: str, start: float, end: float) -> None:
    w = cartguard_world
    w.keep(f"{drug} infusion", w.b.medication(drug, day=w.day, hour=start, until_day=w.day, until_hour=end))


@given(p("a dose of {drug:Drug}{when:When}"))
def single_dose(cartguard_world: World, drug: str, when: When) -> None:
    day, hour = cartguard_world.slot(when)
    cartguard_world.keep(f"{drug} dose", cartguard_world.b.medication(drug, day=day, hour=hour))


# -- Given: oxygen support -----------------------------------------------------------------------
_DEVICE = _alternation(list(DEVICE_CODES))


@given(p("the oxygen support is {support}{when:When}"))
def oxygen_support(cartguard_world: World, support: str, when: When) -> None:
    """'room air' | '<device>' | '<device> at N L/min' | '<device> with no flow recorded' |
    'non-invasive ventilation' (a Procedure)."""
    w = cartguard_world
    day, hour = w.slot(when)
    if support == "non-invasive ventilation":
        w.keep("procedure", w.b.procedure("428311008", day=day, hour=hour, until_day=day + 1))
        return
    m = re.fullmatch(rf"({_DEVICE})(?: at (\d+(?:\.\d+)?) L/min| with no flow recorded)?", support)
    assert m is not None, f"unknown oxygen support {support!r} (devices: {sorted(DEVICE_CODES)})"
    flow = float(m.group(2)) if m.group(2) else None
    w.keep("oxygen device", w.b.oxygen_device(m.group(1), day=day, hour=hour, flow=flow))


@given(p("non-invasive ventilation from {start:Clock} to {end:Clock}"))
def niv_period(cartguard_world: World, start: float, end: float) -> None:
    """A non-invasive ventilation Procedure with an explicit performedPeriod on the current day."""
    w = cartguard_world
    proc = w.b.procedure("428311008", day=w.day, hour=start, until_day=w.day)
    proc["performedPeriod"]["end"] = w.b.time(w.day, end)
    w.keep("procedure", proc)


@given(p("a {drug:Drug} infusion from {start:Clock} to {end:Clock} recorded with status {status:S}"))
def infusion_period_status(cartguard_world: World, drug: str, start: float, end: float, status: str) -> None:
    w = cartguard_world
    w.keep(f"{drug} infusion", w.b.medication(drug, day=w.day, hour=start, until_day=w.day, until_hour=end,
                                              status=status))


# -- When ----------------------------------------------------------------------------------------
_OVERRIDDEN: dict[tuple[int, tuple[tuple[str, str], ...]], Evaluator] = {}
"""Evaluators of the installed packs with a scenario's site parameters, built once per combination."""


def _evaluator_with(base: Evaluator, overrides: dict[str, Any]) -> Evaluator:
    from cartguard.engine.evaluate import Evaluator
    from cartguard.engine.packset import PackSet

    key = (id(base), tuple(sorted((k, repr(v)) for k, v in overrides.items())))
    if key not in _OVERRIDDEN:
        ps = PackSet(base.packset.loaded, {k: (v, "scenario site parameter") for k, v in overrides.items()})
        _OVERRIDDEN[key] = Evaluator(ps, base.backend_mode)
    return _OVERRIDDEN[key]


@given(p('the site parameter {name:S} is {value}'))
def site_parameter(cartguard_world: World, name: str, value: str) -> None:
    """Override a pack parameter as a site pack would; VALUE is YAML (``"FEU"``, ``12``, ``true``, ``null``)."""
    import yaml

    cartguard_world.site_parameters[name] = yaml.safe_load(value)


@when(p("the patient is evaluated{when:When}"))
def evaluate(cartguard_world: World, cartguard_evaluator: Evaluator, when: When) -> None:
    from cartguard.api import evaluate_loaded

    w = cartguard_world
    day, hour = w.slot(when, hour=EVAL_HOUR)
    w.at = w.clock(day, hour)
    if w.site_parameters:
        cartguard_evaluator = _evaluator_with(cartguard_evaluator, w.site_parameters)
    w.evaluator = cartguard_evaluator
    # Every installed scale is reported (not only the default ones), so any scale can be asserted on.
    results = evaluate_loaded(w.b.load(), cartguard_evaluator, at=w.at, scales="all")
    assert len(results) == 1, f"expected one patient, got {len(results)}"
    w.result = results[0]
    assert w.result.at == w.at


# -- Then: any assessment, by pack id ------------------------------------------------------------
@then(p("the assessment {pack_id:S} is {value:g}"))
def generic_assessment_value(cartguard_world: World, pack_id: str, value: float) -> None:
    """Graded exactly: value, range (value, value), status graded."""
    a = cartguard_world.assessment(pack_id)
    assert a.status == "graded" and _same(a.value, value) and a.range == (a.value, a.value), _describe(a)


@then(p("the assessment {pack_id:S} is indeterminate between {lo:g} and {hi:g}"))
def generic_assessment_range(cartguard_world: World, pack_id: str, lo: float, hi: float) -> None:
    a = cartguard_world.assessment(pack_id)
    assert (a.value, a.status) == (None, "indeterminate"), _describe(a)
    assert _same(a.range[0], lo) and _same(a.range[1], hi), _describe(a)


@then(p("the assessment {pack_id:S} status is {status:AssessmentStatus}"))
def generic_assessment_status(cartguard_world: World, pack_id: str, status: str) -> None:
    a = cartguard_world.assessment(pack_id)
    assert a.status == status, _describe(a)


def _component(world: World, pack_id: str, name: str) -> tuple[Assessment, Any]:
    a = world.assessment(pack_id)
    assert name in a.components, f"{pack_id} has no component {name!r} (components: {sorted(a.components)})"
    return a, a.components[name]


def _assert_component_value(world: World, pack_id: str, component: str, value: float) -> None:
    a, c = _component(world, pack_id, component)
    assert c.status == "graded" and _same(c.value, value) and c.range == (c.value, c.value), _describe(a)


def _assert_component_range(world: World, pack_id: str, component: str, lo: float, hi: float) -> None:
    a, c = _component(world, pack_id, component)
    assert (c.value, c.status) == (None, "indeterminate"), _describe(a)
    assert _same(c.range[0], lo) and _same(c.range[1], hi), _describe(a)


@then(p("the assessment {pack_id:S} component {component:S} is {value:g}"))
def generic_component_value(cartguard_world: World, pack_id: str, component: str, value: float) -> None:
    _assert_component_value(cartguard_world, pack_id, component, value)


@then(p("the assessment {pack_id:S} component {component:S} is indeterminate between {lo:g} and {hi:g}"))
def generic_component_range(cartguard_world: World, pack_id: str, component: str, lo: float, hi: float) -> None:
    _assert_component_range(cartguard_world, pack_id, component, lo, hi)


@then(p("the assessment {pack_id:S} interpretation is {interp:S}"))
def generic_interpretation(cartguard_world: World, pack_id: str, interp: str) -> None:
    a = cartguard_world.assessment(pack_id)
    assert a.interpretation is not None and a.interpretation.id == interp, _describe(a)


@then(p("the assessment {pack_id:S} has no interpretation"))
def generic_no_interpretation(cartguard_world: World, pack_id: str) -> None:
    a = cartguard_world.assessment(pack_id)
    assert a.interpretation is None, _describe(a)


@then(p("the assessment {pack_id:S} reports {input:S} as missing"))
def generic_reports_missing(cartguard_world: World, pack_id: str, input: str) -> None:
    a = cartguard_world.assessment(pack_id)
    assert any(m.input == input for m in a.missing), _describe(a)


@then(p("the assessment {pack_id:S} reports nothing missing"))
def generic_reports_nothing_missing(cartguard_world: World, pack_id: str) -> None:
    _assert_nothing_missing(cartguard_world, pack_id)


# -- Then: any recommendation, by id -------------------------------------------------------------
@then(p("the recommendation {rec_id:S} is {certainty:Certainty}"))
def generic_recommendation_made(cartguard_world: World, rec_id: str, certainty: str) -> None:
    w = cartguard_world
    w.known_recommendation(rec_id)
    rec = w.recommendation_by_id(rec_id)
    assert rec is not None, f"{rec_id} not recommended: {[(r.id, r.certainty) for r in w.res.recommendations]}"
    assert rec.certainty == certainty, (rec.id, rec.certainty, rec.unknown)
    if certainty == "definite":
        assert rec.unknown == [], rec.unknown


@then(p("the recommendation {rec_id:S} is not made"))
def generic_recommendation_not_made(cartguard_world: World, rec_id: str) -> None:
    w = cartguard_world
    w.known_recommendation(rec_id)
    rec = w.recommendation_by_id(rec_id)
    assert rec is None, f"{rec.id} is recommended ({rec.certainty}; unknown: {rec.unknown})"


# -- Then: warnings about the generic Observation ------------------------------------------------
def _observation_key(world: World, coding: tuple[str, str] | None) -> str:
    if coding is not None:
        return f"Observation {coding[0]}|{coding[1]}"
    n = len(world.resources.get("Observation", []))
    assert n == 1, (f"'the Observation' needs exactly one Observation given with 'Given an Observation ...' "
                    f"(this scenario has {n}): name it, e.g. 'names the Observation 777-3'")
    return "Observation"


def _warning_named(world: World, code: str, key: str) -> None:
    refs = world.refs(key)
    hits = [w for w in world.res.warnings if w.code == code and w.source in refs]
    about = [(w.code, w.source, w.message) for w in world.res.warnings if w.source]
    assert hits, f"no {code!r} warning for {refs}; the warnings about resources: {about}"
    assert all(w.source in w.message for w in hits), hits


def _no_warning_named(world: World, key: str) -> None:
    refs = world.refs(key)
    hits = [w for w in world.res.warnings if w.source in refs or any(r in w.message for r in refs)]
    assert not hits, hits


@then(p("a warning {code:WarningCode} names the Observation"))
def generic_warning(cartguard_world: World, code: str) -> None:
    _warning_named(cartguard_world, code, _observation_key(cartguard_world, None))


@then(p("a warning {code:WarningCode} names the Observation {coding:Loinc}"))
def generic_warning_coded(cartguard_world: World, code: str, coding: tuple[str, str]) -> None:
    _warning_named(cartguard_world, code, _observation_key(cartguard_world, coding))


@then("no warning names the Observation")
def generic_no_warning(cartguard_world: World) -> None:
    _no_warning_named(cartguard_world, _observation_key(cartguard_world, None))


@then(p("no warning names the Observation {coding:Loinc}"))
def generic_no_warning_coded(cartguard_world: World, coding: tuple[str, str]) -> None:
    _no_warning_named(cartguard_world, _observation_key(cartguard_world, coding))


# -- Then: CRS -----------------------------------------------------------------------------------
@then(p("the ASTCT CRS grade is {grade:d}"))
def crs_grade(cartguard_world: World, grade: int) -> None:
    a = cartguard_world.assessment(CRS)
    assert (a.value, a.range, a.status) == (grade, (grade, grade), "graded"), _describe(a)


@then(p("the ASTCT CRS grade is indeterminate between {lo:d} and {hi:d}"))
def crs_grade_range(cartguard_world: World, lo: int, hi: int) -> None:
    a = cartguard_world.assessment(CRS)
    assert (a.value, a.range, a.status) == (None, (lo, hi), "indeterminate"), _describe(a)


@then(p("the ASTCT CRS grade may be {grade:d}"))
def crs_grade_may_be(cartguard_world: World, grade: int) -> None:
    """The grade is not settled below ``grade``: ``grade`` lies within the reported range."""
    a = cartguard_world.assessment(CRS)
    assert a.range[0] <= grade <= a.range[1], _describe(a)


@then(p("the {comp:CrsComp} tier is {n:d}"))
def crs_tier(cartguard_world: World, comp: str, n: int) -> None:
    _assert_component_value(cartguard_world, CRS, comp, n)


@then(p("the {comp:CrsComp} tier is indeterminate between {lo:d} and {hi:d}"))
def crs_tier_range(cartguard_world: World, comp: str, lo: int, hi: int) -> None:
    _assert_component_range(cartguard_world, CRS, comp, lo, hi)


@then("fever masking applies")
def masking_applies(cartguard_world: World) -> None:
    a = cartguard_world.assessment(CRS)
    c = a.components["fever_masked"]
    assert (c.value, c.rule_ids) == (1, ["crs.astct2019.masking.applies"]), _describe(a)


@then("fever masking does not apply")
def masking_does_not_apply(cartguard_world: World) -> None:
    a = cartguard_world.assessment(CRS)
    c = a.components["fever_masked"]
    assert c.value == 0 and c.status == "graded", _describe(a)


# -- Then: ISTH ----------------------------------------------------------------------------------
@then(p("the ISTH overt DIC score is {score:d}"))
def isth_score(cartguard_world: World, score: int) -> None:
    a = cartguard_world.assessment(ISTH)
    assert (a.value, a.range, a.status) == (score, (score, score), "graded"), _describe(a)


@then(p("the ISTH score is unknown between {lo:d} and {hi:d}"))
def isth_score_range(cartguard_world: World, lo: int, hi: int) -> None:
    a = cartguard_world.assessment(ISTH)
    assert (a.value, a.range) == (None, (lo, hi)), _describe(a)


@then("the ISTH score does not apply")
def isth_not_applicable(cartguard_world: World) -> None:
    a = cartguard_world.assessment(ISTH)
    assert (a.value, a.status, a.interpretation) == (None, "not_applicable", None), _describe(a)


@then(p("the ISTH {comp:DicComp} points are {n:d}"))
def isth_points(cartguard_world: World, comp: str, n: int) -> None:
    _assert_component_value(cartguard_world, ISTH, comp, n)


@then(p("the ISTH {comp:DicComp} points are unknown between {lo:d} and {hi:d}"))
def isth_points_range(cartguard_world: World, comp: str, lo: int, hi: int) -> None:
    _assert_component_range(cartguard_world, ISTH, comp, lo, hi)


@then(p("the ISTH interpretation is {interp:Interp}"))
def isth_interpretation(cartguard_world: World, interp: str | None) -> None:
    a = cartguard_world.assessment(ISTH)
    if interp is None:
        assert a.interpretation is None and a.status == "indeterminate", _describe(a)
        assert a.missing, "an undecided score must say which inputs are missing"
    else:
        assert a.interpretation is not None and a.interpretation.id == interp, _describe(a)
        assert a.status == "graded", _describe(a)


# -- Then: either assessment ---------------------------------------------------------------------
@then(p("the {scale:Scale} assessment reports the {what:Missing} as missing"))
def reports_missing(cartguard_world: World, scale: str, what: str) -> None:
    a = cartguard_world.assessment(scale)
    hits = [m for m in a.missing if m.input == what]
    assert hits and hits[0].label and hits[0].reason, _describe(a)


@then(p("the {scale:Scale} assessment reports nothing missing"))
def reports_nothing_missing(cartguard_world: World, scale: str) -> None:
    _assert_nothing_missing(cartguard_world, scale)


@then(p('the {scale:Scale} result rests on rule "{rule}"'))
def rests_on_rule(cartguard_world: World, scale: str, rule: str) -> None:
    _assert_rests_on(cartguard_world, scale, rule)


@then(p('the {scale:Scale} assessment states the assumption "{text}"'))
def states_assumption(cartguard_world: World, scale: str, text: str) -> None:
    _assert_assumption(cartguard_world, scale, text)


def _facts(a: Assessment, sources: list[str]) -> list[Any]:
    return [f for finding in a.explanation for i in finding.inputs for f in i.facts if f.source in sources]


@then(p("the {scale:Scale} explanation cites the {key} resource"))
def explanation_cites(cartguard_world: World, scale: str, key: str) -> None:
    a = cartguard_world.assessment(scale)
    assert _facts(a, cartguard_world.refs(key)), f"none of {cartguard_world.refs(key)} cited: {_describe(a)}"


@then(p("the {scale:Scale} explanation reads the {key} as {value:g} {unit:S}"))
def explanation_reads(cartguard_world: World, scale: str, key: str, value: float, unit: str) -> None:
    """A cited fact from a {key} resource carries this value in this (canonical) unit."""
    a = cartguard_world.assessment(scale)
    refs = cartguard_world.refs(key)
    facts = _facts(a, refs)
    assert facts, f"none of {refs} cited: {_describe(a)}"
    read = [(f.source, f.value, f.unit, f.original_value, f.original_unit) for f in facts]
    assert any(f.unit == unit and _same(f.value, value) for f in facts), \
        f"read as (source, value, unit, original value, original unit): {read}"


# -- Then: warnings ------------------------------------------------------------------------------
def _warnings_about(world: World, key: str) -> list[Any]:
    refs = world.refs(key)
    return [w for w in world.res.warnings if w.source in refs or any(r in w.message for r in refs)]


@then(p('a "{code}" warning names the {key} resource'))
@then(p('an "{code}" warning names the {key} resource'))
def warning_names(cartguard_world: World, code: str, key: str) -> None:
    """A warning of this code whose source is a {key} resource and whose message names it."""
    w = cartguard_world
    hits = [x for x in _warnings_about(w, key) if x.code == code]
    assert hits, f"no {code!r} warning for {w.refs(key)}: {[(x.code, x.message) for x in w.res.warnings]}"
    assert all(x.source in w.refs(key) and x.source in x.message for x in hits), hits


@then(p("no warning names the {key} resource"))
def no_warning_names(cartguard_world: World, key: str) -> None:
    hits = _warnings_about(cartguard_world, key)
    assert not hits, hits


# -- Then: guidance ------------------------------------------------------------------------------
@then(p('the "{name}" recommendation is {certainty:Certainty}'))
def recommendation_made(cartguard_world: World, name: str, certainty: str) -> None:
    w = cartguard_world
    rec = w.recommendation(name)
    assert rec is not None, f"{name!r} not recommended: {[(r.id, r.certainty) for r in w.res.recommendations]}"
    assert rec.certainty == certainty, (rec.id, rec.certainty, rec.unknown)
    if certainty == "definite":
        assert rec.unknown == [], rec.unknown


@then(p('the "{name}" recommendation is not made'))
def recommendation_not_made(cartguard_world: World, name: str) -> None:
    rec = cartguard_world.recommendation(name)
    assert rec is None, f"{rec.id} is recommended ({rec.certainty}; unknown: {rec.unknown})"


@then(p('the "{name}" dose is {mg:g} mg'))
def dose_mg(cartguard_world: World, name: str, mg: float) -> None:
    rec = cartguard_world.recommendation(name)
    assert rec is not None and rec.dose is not None, f"no dose for {name!r}"
    assert rec.dose.mg == mg and not rec.dose.capped, rec.dose


@then(p('the "{name}" dose is capped at {mg:g} mg'))
def dose_capped(cartguard_world: World, name: str, mg: float) -> None:
    rec = cartguard_world.recommendation(name)
    assert rec is not None and rec.dose is not None, f"no dose for {name!r}"
    assert rec.dose.mg == mg and rec.dose.capped and rec.dose.cap_mg == mg, rec.dose


@then(p('the "{name}" dose needs a body weight'))
def dose_needs_weight(cartguard_world: World, name: str) -> None:
    rec = cartguard_world.recommendation(name)
    assert rec is not None and rec.dose is not None, f"no dose for {name!r}"
    assert rec.dose.mg is None and rec.dose.weight_kg is None and "body weight" in rec.dose.text, rec.dose
