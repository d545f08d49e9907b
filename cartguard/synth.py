"""Synthetic CAR-T cohort generator (demos, tests, benchmarks).

Writes one FHIR R4 Bundle (type ``collection``) per synthetic patient, following the seed study's
protocol timeline (Jiang 2019, ``seed-study.md``): leukapheresis day -11, fludarabine +
cyclophosphamide day -7 to -5, split anti-CD19 CAR-T infusions day 0 to 2, B-ALL (ICD-10-CM C91.00).
Every resource and the Bundle carry ``meta.tag`` HTEST and the Patient's name starts "SYNTHETIC".

INDEPENDENCE FROM THE GRADING LOGIC: this module imports nothing from ``cartguard.engine``,
``cartguard.rules`` or ``cartguard.fhir_adapters`` and computes no grade or score. It samples a
*latent* severity course (intended CRS severity 0-4, intended coagulopathy / DIC, intended
neurotoxicity) and writes raw observations and interventions consistent with it. The latent truth is
returned only by :func:`generate_with_truth`, so tests can compare the engine's grades with the
intended course statistically; the engine's results on this output are a test, not a tautology.

Deterministic for a given ``seed`` and ``params``. Rates default to the published figures: CRS
grade 3-4 in 19/53, coagulation disorder 30/53 (about half DIC), neurotoxicity grade 2-3 in 8/53,
coagulation abnormalities mostly day 6-20, coagulopathy rising with CRS severity.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

__all__ = ["SynthParams", "generate", "generate_with_truth"]

HTEST = {"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HTEST",
         "display": "test health data"}
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
CART_SYSTEM = "http://cartguard.example/fhir/CodeSystem/cart-product"
NEURO_SYSTEM = "http://cartguard.example/fhir/CodeSystem/neuro"
IV = {"coding": [{"system": SNOMED, "code": "47625008", "display": "Intravenous route"}], "text": "IV"}


class SynthParams(BaseModel):
    """Rates and timing of the latent course. Defaults follow the seed study (n = 53)."""

    crs_severity_probs: list[float] = Field(
        default=[0.15, 0.25, 0.24, 0.26, 0.10], min_length=5, max_length=5,
        description="P(intended CRS severity 0..4); 3+4 = 0.36 ~ 19/53")
    coag_prob_by_crs: list[float] = Field(
        default=[0.20, 0.35, 0.60, 0.85, 0.95], min_length=5, max_length=5,
        description="P(coagulation disorder | CRS severity); overall ~ 30/53")
    dic_prob_given_coag_by_crs: list[float] = Field(
        default=[0.0, 0.10, 0.30, 0.65, 0.85], min_length=5, max_length=5,
        description="P(DIC | coagulation disorder, CRS severity); overall ~ 15/53")
    neuro_prob_by_crs: list[float] = Field(
        default=[0.0, 0.03, 0.10, 0.30, 0.45], min_length=5, max_length=5,
        description="P(neurotoxicity grade 2-3 | CRS severity); overall ~ 8/53")
    crs_onset_days: tuple[int, int] = (1, 4)
    crs_peak_after_onset_days: tuple[int, int] = (1, 3)
    crs_peak_duration_days: tuple[int, int] = (2, 3)
    coag_onset_days: tuple[int, int] = (6, 12)
    coag_duration_days: tuple[int, int] = (4, 8)
    tocilizumab_from_severity: int = Field(default=2, ge=1, le=4)
    follow_up_days: int = Field(default=21, ge=8, le=60)
    start_date: date = date(2026, 3, 1)
    stagger_days: int = Field(default=3, ge=0, description="day 0 of patient i is start_date + i * stagger_days")


def _dt(day0: date, day: int, hour: int, minute: int = 0) -> str:
    t = datetime(day0.year, day0.month, day0.day, hour, minute, tzinfo=UTC) + timedelta(days=day)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _qty(value: float, code: str, unit: str | None = None) -> dict[str, Any]:
    return {"value": value, "unit": unit or code, "system": UCUM, "code": code}


def _cc(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


class _Writer:
    """Collects the resources of one patient."""

    def __init__(self, pid: str, day0: date) -> None:
        self.pid = pid
        self.day0 = day0
        self.resources: list[dict[str, Any]] = []

    def _base(self, rtype: str, rid: str) -> dict[str, Any]:
        return {"resourceType": rtype, "id": f"{self.pid}-{rid}", "meta": {"tag": [dict(HTEST)]},
                "subject": {"reference": f"Patient/{self.pid}"}}

    @staticmethod
    def _dlabel(day: int) -> str:
        return f"{'m' if day < 0 else 'p'}{abs(day):02d}"

    def obs(self, rid: str, day: int, hour: int, category: str, code: str, display: str, *,
            value: dict[str, Any] | None = None, concept: dict[str, Any] | None = None,
            high: dict[str, Any] | None = None, components: list[dict[str, Any]] | None = None,
            system: str = LOINC) -> None:
        r = self._base("Observation", f"{rid}-{self._dlabel(day)}-{hour:02d}00")
        r.update({"status": "final",
                  "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                            "code": category}]}],
                  "code": _cc(system, code, display), "effectiveDateTime": _dt(self.day0, day, hour)})
        if category == "laboratory":
            r["issued"] = _dt(self.day0, day, hour + 1, 30)
        if value is not None:
            r["valueQuantity"] = value
        if concept is not None:
            r["valueCodeableConcept"] = concept
        if high is not None:
            r["referenceRange"] = [{"high": high}]
        if components is not None:
            r["component"] = components
        self.resources.append(r)

    def med(self, rid: str, code: str, display: str, system: str, *, start: str, end: str | None = None,
            dose: dict[str, Any] | None = None, rate: dict[str, Any] | None = None, text: str) -> None:
        r = self._base("MedicationAdministration", rid)
        r.update({"status": "completed", "medicationCodeableConcept": _cc(system, code, display)})
        if end is None:
            r["effectiveDateTime"] = start
        else:
            r["effectivePeriod"] = {"start": start, "end": end}
        dosage: dict[str, Any] = {"text": text, "route": IV}
        if dose is not None:
            dosage["dose"] = dose
        if rate is not None:
            dosage["rateQuantity"] = rate
        r["dosage"] = dosage
        self.resources.append(r)


def _severity_on(day: int, course: dict[str, Any]) -> int:
    """Intended CRS severity on ``day`` (latent, a step course: onset -> peak -> recovery)."""
    sev = int(course["crs_severity"])
    if sev == 0:
        return 0
    onset, peak, peak_end = course["crs_onset_day"], course["crs_peak_day"], course["crs_peak_end_day"]
    if day < onset:
        return 0
    if day < peak:
        return min(sev, 1 if peak - day > 1 else max(1, sev - 1))
    if day <= peak_end:
        return sev
    return max(0, sev - 1 - (day - peak_end - 1)) if day - peak_end <= sev else 0


def _sample_course(rng: random.Random, p: SynthParams) -> dict[str, Any]:
    sev = rng.choices(range(5), weights=p.crs_severity_probs)[0]
    onset = rng.randint(*p.crs_onset_days)
    peak = onset + rng.randint(*p.crs_peak_after_onset_days) if sev >= 2 else onset
    peak_end = peak + rng.randint(*p.crs_peak_duration_days) - 1
    coag = rng.random() < p.coag_prob_by_crs[sev]
    dic = coag and rng.random() < p.dic_prob_given_coag_by_crs[sev]
    coag_onset = max(rng.randint(*p.coag_onset_days), peak) if coag else None
    coag_end = coag_onset + rng.randint(*p.coag_duration_days) if coag_onset is not None else None
    neuro = rng.choices([0, 2, 3], weights=[1 - p.neuro_prob_by_crs[sev], 0.6 * p.neuro_prob_by_crs[sev],
                                             0.4 * p.neuro_prob_by_crs[sev]])[0]
    return {"crs_severity": sev, "crs_onset_day": onset if sev else None, "crs_peak_day": peak if sev else None,
            "crs_peak_end_day": peak_end if sev else None, "coagulopathy": coag, "dic": dic,
            "coag_onset_day": coag_onset, "coag_end_day": coag_end, "neurotoxicity": neuro,
            "neuro_day": (peak + 1) if neuro else None}


def _patient(i: int, rng: random.Random, p: SynthParams) -> tuple[dict[str, Any], dict[str, Any]]:
    pid = f"synth-{i + 1:04d}"
    day0 = p.start_date + timedelta(days=i * p.stagger_days)
    course = _sample_course(rng, p)
    sev = course["crs_severity"]
    w = _Writer(pid, day0)
    age = rng.randint(10, 61)
    weight = round(rng.uniform(30, 55) if age < 16 else rng.uniform(48, 95), 1)
    bsa = round(((weight * (120 + 1.2 * min(age, 18) * 3)) / 3600) ** 0.5, 2)
    w.resources.append({
        "resourceType": "Patient", "id": pid, "meta": {"tag": [dict(HTEST)]}, "active": True,
        "name": [{"text": f"SYNTHETIC Patient {i + 1:04d}"}], "gender": rng.choice(["female", "male"]),
        "birthDate": date(day0.year - age, rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
        "text": {"status": "generated",
                 "div": '<div xmlns="http://www.w3.org/1999/xhtml">SYNTHETIC patient generated by cartguard.synth. '
                        "Not a real person.</div>"}})
    cond = w._base("Condition", "cond-ball")
    cond.update({
        "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                       "code": "active"}]},
        "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                                           "code": "confirmed"}]},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "C91.00",
                             "display": "Acute lymphoblastic leukemia not having achieved remission"}],
                 "text": "Relapsed/refractory B-cell acute lymphoblastic leukaemia"},
        "onsetDateTime": (day0 - timedelta(days=rng.randint(120, 900))).isoformat()})
    w.resources.append(cond)
    proc = w._base("Procedure", "proc-leukapheresis")
    proc.update({"status": "completed", "code": _cc(SNOMED, "127788007", "Leukapheresis"),
                 "performedDateTime": _dt(day0, -11, 9)})
    w.resources.append(proc)
    for d in (-7, -6, -5):
        flu = round(30 * bsa)
        cy = round(500 * bsa) if d == -7 else round(250 * bsa)
        w.med(f"ma-fludarabine-{w._dlabel(d)}", "24698", "fludarabine", RXNORM, start=_dt(day0, d, 10),
              dose=_qty(flu, "mg"), text=f"30 mg/m2 IV (BSA {bsa} m2), lymphodepletion")
        w.med(f"ma-cyclophosphamide-{w._dlabel(d)}", "3002", "cyclophosphamide", RXNORM, start=_dt(day0, d, 12),
              dose=_qty(cy, "mg"), text=f"cyclophosphamide IV (BSA {bsa} m2), lymphodepletion")
    split = [0.1, 0.3, 0.6]
    for k, d in enumerate((0, 1, 2)):
        w.med(f"ma-cart-{w._dlabel(d)}", "anti-cd19-car-t", "Anti-CD19 CAR-T cell product", CART_SYSTEM,
              start=_dt(day0, d, 10), text=f"Split infusion {k + 1} of 3 ({int(split[k] * 100)}% of dose)")
    w.obs("weight", -11, 8, "vital-signs", "29463-7", "Body weight", value=_qty(weight, "kg"))
    w.obs("weight", 0, 8, "vital-signs", "29463-7", "Body weight", value=_qty(round(weight - 0.4, 1), "kg"))

    base_plt = rng.uniform(90, 220)
    norepi_start: int | None = None
    toci_given = 0
    for d in range(-11, p.follow_up_days + 1):
        s = _severity_on(d, course) if d >= 0 else 0
        # temperature: fever with any CRS; tocilizumab does not mask it on the day it is given (at 10:00)
        temp = round(rng.uniform(36.3, 37.3), 1) if s == 0 else round(rng.uniform(38.2, 38.6) + 0.3 * s, 1)
        w.obs("temp", d, 8, "vital-signs", "8310-5", "Body temperature", value=_qty(temp, "Cel", "C"))
        if s:
            w.obs("temp", d, 20, "vital-signs", "8310-5", "Body temperature",
                  value=_qty(round(temp + rng.uniform(-0.2, 0.2), 1), "Cel", "C"))
        # blood pressure: hypotension from severity 2 (responsive to fluids at 2; on pressor at 3-4)
        sbp = rng.randint(108, 132) if s < 2 else rng.randint(78, 88) if s == 2 else rng.randint(92, 104)
        dbp = rng.randint(60, 78) if s < 2 else rng.randint(42, 52)
        w.obs("bp", d, 8, "vital-signs", "85354-9", "Blood pressure panel with all children optional", components=[
            {"code": _cc(LOINC, "8480-6", "Systolic blood pressure"), "valueQuantity": _qty(sbp, "mm[Hg]", "mmHg")},
            {"code": _cc(LOINC, "8462-4", "Diastolic blood pressure"), "valueQuantity": _qty(dbp, "mm[Hg]", "mmHg")},
        ])
        # oxygen: none at 0-1; nasal cannula at 2 only if the latent 2 is "hypoxic" (alternate by day)
        device: tuple[str, str, float] | None = None
        if s == 2 and course.get("crs_peak_day", 0) % 2 == 0:
            device = ("336623009", "Oxygen nasal cannula", float(rng.randint(2, 4)))
        elif s == 3:
            device = ("426854004", "High flow oxygen nasal cannula", float(rng.randint(20, 40)))
        elif s == 4:
            device = ("706226000", "Continuous positive airway pressure ventilation system", 12.0)
        if device is not None:
            w.obs("o2device", d, 8, "vital-signs", "107117-4", "Method of oxygen delivery",
                  concept=_cc(SNOMED, device[0], device[1]))
            w.obs("o2flow", d, 8, "vital-signs", "3151-8", "Inhaled oxygen flow rate",
                  value=_qty(device[2], "L/min"))
        if s >= 3 and norepi_start is None:
            norepi_start = d
        if s >= (p.tocilizumab_from_severity) and toci_given < 2 and d >= 0:
            toci_given += 1
            mg = min(800, round(8 * weight))
            w.med(f"ma-tocilizumab-{w._dlabel(d)}", "612865", "tocilizumab", RXNORM, start=_dt(day0, d, 10),
                  end=_dt(day0, d, 11), dose=_qty(mg, "mg"), text=f"8 mg/kg IV over 1 h ({mg} mg)")
        # labs: baseline days -11, -7, -1, then daily from day 0
        if d in (-11, -7, -1) or d >= 0:
            _labs(w, d, rng, course, base_plt, s)
        if course["neurotoxicity"] and d >= 0:
            nd = course["neuro_day"]
            ice = 10 if not (nd <= d < nd + 3) else (rng.randint(3, 6) if course["neurotoxicity"] == 2
                                                     else rng.randint(0, 2))
            w.obs("ice", d, 7, "survey", "ice-score", "Immune effector cell-associated encephalopathy (ICE) score",
                  value=_qty(ice, "{score}", "score"), system=NEURO_SYSTEM)
    if norepi_start is not None:
        end_day = course["crs_peak_end_day"]
        w.med(f"ma-norepinephrine-{w._dlabel(norepi_start)}", "7512", "norepinephrine", RXNORM,
              start=_dt(day0, norepi_start, 6), end=_dt(day0, end_day, 20),
              rate=_qty(0.1 if sev == 3 else 0.25, "ug/kg/min"), text="Continuous IV infusion")
        if sev == 4:
            w.med(f"ma-vasopressin-{w._dlabel(norepi_start)}", "11149", "vasopressin", RXNORM,
                  start=_dt(day0, norepi_start, 6), end=_dt(day0, end_day, 20),
                  rate=_qty(0.03, "U/min"), text="Continuous IV infusion 0.03 U/min")
    bundle = {"resourceType": "Bundle", "id": f"{pid}-bundle", "meta": {"tag": [dict(HTEST)]}, "type": "collection",
              "timestamp": _dt(day0, p.follow_up_days, 23),
              "entry": [{"fullUrl": f"urn:uuid:{_uuid(rng)}", "resource": r} for r in w.resources]}
    truth = {"patient_id": pid, "day0": day0.isoformat(),
             "peak_time": _dt(day0, course["crs_peak_day"] if sev else 7, 8),
             "coag_time": _dt(day0, course["coag_onset_day"] + 1 if course["coagulopathy"] else 10, 8), **course}
    return bundle, truth


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _labs(w: _Writer, d: int, rng: random.Random, course: dict[str, Any], base_plt: float, s: int) -> None:
    in_coag = bool(course["coagulopathy"]) and course["coag_onset_day"] <= d <= course["coag_end_day"]
    nadir = 1.0 if d < -5 else max(0.45, 1 - 0.08 * min(d + 5, 7))  # lymphodepletion-related fall
    plt = base_plt * nadir * rng.uniform(0.9, 1.1)
    pt, aptt, fib, ddim = rng.uniform(11.5, 13.2), rng.uniform(27, 34), rng.uniform(2.4, 3.8), rng.uniform(0.2, 0.45)
    if s >= 2:
        fib = max(fib, rng.uniform(3.8, 5.0))  # acute-phase rise
        ddim = rng.uniform(0.5, 1.5)
    if in_coag:
        if course["dic"]:
            plt = min(plt, rng.uniform(22, 45))
            pt, aptt = rng.uniform(19.5, 23), rng.uniform(45, 60)
            fib, ddim = rng.uniform(0.55, 0.95), rng.uniform(12, 35)
        else:
            pt, aptt = rng.uniform(13.8, 15.5), rng.uniform(36, 42)
            fib, ddim = rng.uniform(1.3, 1.9), rng.uniform(1.5, 4.5)
    w.obs("plt", d, 6, "laboratory", "777-3", "Platelets [#/volume] in Blood by Automated count",
          value=_qty(round(plt), "10*9/L", "10^9/L"))
    w.obs("pt", d, 6, "laboratory", "5902-2", "Prothrombin time (PT)", value=_qty(round(pt, 1), "s"),
          high=_qty(13.5, "s"))
    w.obs("aptt", d, 6, "laboratory", "14979-9", "aPTT in Platelet poor plasma by Coagulation assay",
          value=_qty(round(aptt, 1), "s"), high=_qty(36, "s"))
    w.obs("fib", d, 6, "laboratory", "3255-7", "Fibrinogen [Mass/volume] in Platelet poor plasma by Coagulation assay",
          value=_qty(round(fib, 2), "g/L"))
    w.obs("ddimer", d, 6, "laboratory", "48065-7", "Fibrin D-dimer FEU [Mass/volume] in Platelet poor plasma",
          value=_qty(round(ddim, 2), "mg/L{FEU}", "mg/L FEU"), high=_qty(0.5, "mg/L{FEU}", "mg/L FEU"))


def generate_with_truth(patients: int, seed: int, params: SynthParams | None = None
                        ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Yield ``(bundle, truth)`` per patient; ``truth`` is the latent intended course, never in the Bundle."""
    p = params or SynthParams()
    rng = random.Random(seed)
    for i in range(patients):
        yield _patient(i, random.Random(rng.getrandbits(64)), p)


def generate(patients: int, seed: int, params: SynthParams | None = None) -> Iterator[dict[str, Any]]:
    """Yield one synthetic FHIR R4 Bundle (type collection) per patient. Deterministic for ``seed``."""
    for bundle, _truth in generate_with_truth(patients, seed, params):
        yield bundle
