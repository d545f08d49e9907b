#!/usr/bin/env python3
"""Generate examples/patient-cart-example.json.

*** SYNTHETIC DATA. NOT A REAL PERSON. ***

Builds a FHIR R4 Bundle (type "collection") for ONE invented patient,
"SYNTHETIC Example-Patient" (Patient/cart-example-001), who receives split
anti-CD19 CAR-T infusions for B-ALL and develops cytokine release syndrome
(peak ASTCT grade 3) with a consumptive coagulopathy that meets ISTH overt
DIC criteria. Every resource carries the HL7 "HTEST" (test health data)
meta tag. The clinical course is described day by day in examples/README.md.

Stdlib only. Deterministic: noise comes from random.Random(SEED) (and, for
the resources added later, random.Random(SEED_EXTRA)) and
the output is byte-identical on every run.

Usage (from the repository root):

    python examples/make_example_patient.py
"""

import json
import random
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

OUT_PATH = Path(__file__).resolve().parent / "patient-cart-example.json"
SEED = 20260310
SEED_EXTRA = 20260317   # noise of the resources added later (see build())

# --------------------------------------------------------------------------
# Code systems and fixed identifiers
# --------------------------------------------------------------------------
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
COND_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
COND_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
COND_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
CART_PRODUCT = "http://cartguard.example/fhir/CodeSystem/cart-product"
# Local code systems bound by the rule packs (rules/terminology/core.yaml,
# rules/icans/astct2019.yaml): inputs with no confirmed LOINC code.
CG_LAB = "http://cartguard.example/fhir/CodeSystem/lab"
CG_NEURO = "http://cartguard.example/fhir/CodeSystem/neuro"
ICE_QUESTIONNAIRE = "http://cartguard.example/fhir/Questionnaire/icans-ice"

PATIENT_ID = "cart-example-001"
PATIENT_REF = {"reference": "Patient/" + PATIENT_ID}
ID_PREFIX = "cart-ex1-"
HTEST_TAG = [{
    "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
    "code": "HTEST",
    "display": "test health data",
}]
# Namespace for the uuid5 fullUrls (stable across runs and machines).
UUID_NS = uuid.uuid5(uuid.NAMESPACE_URL,
                     "http://cartguard.example/examples/patient-cart-example")

# Day 0 = start of the first CAR-T infusion. "Day N" below means the UTC
# calendar date 2026-03-10 + N days (so labs at 06:00Z on day N are drawn
# 4 h *before* the day-N 10:00Z reference time).
DAY0 = datetime(2026, 3, 10, 10, 0, 0, tzinfo=timezone.utc)
DAY0_MIDNIGHT = DAY0.replace(hour=0, minute=0)
FIRST_DAY, LAST_DAY = -11, 14

ROUTE_IV = {"coding": [{"system": SNOMED, "code": "47625008",
                        "display": "Intravenous route"}],
            "text": "IV"}
ROUTE_PO = {"coding": [{"system": SNOMED, "code": "26643006",
                        "display": "Oral route"}],
            "text": "PO"}


def at(day, hour, minute=0):
    """UTC datetime for study day `day` at hh:mm."""
    return DAY0_MIDNIGHT + timedelta(days=day, hours=hour, minutes=minute)


def iso(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def stamp(dt):
    """Compact id fragment for a time, e.g. day +3 08:00 -> 'p03-0800'."""
    day = (dt - DAY0_MIDNIGHT).days
    sign = "p" if day >= 0 else "m"
    return "%s%02d-%02d%02d" % (sign, abs(day), dt.hour, dt.minute)


def qty(value, unit, code):
    return {"value": value, "unit": unit, "system": UCUM, "code": code}


def cc(system, code, display, text=None):
    out = {"coding": [{"system": system, "code": code, "display": display}]}
    if text:
        out["text"] = text
    return out


def rnd(value, ndigits):
    """Round; integers come out as int so the JSON has no trailing '.0'."""
    if ndigits == 0:
        return int(round(value))
    return round(value, ndigits)


# --------------------------------------------------------------------------
# Resource collection
# --------------------------------------------------------------------------
RESOURCES = []


def add(resource):
    resource["meta"] = {"tag": [dict(t) for t in HTEST_TAG]}
    RESOURCES.append(resource)
    return resource


def patient():
    add({
        "resourceType": "Patient",
        "id": PATIENT_ID,
        "text": {
            "status": "generated",
            "div": '<div xmlns="http://www.w3.org/1999/xhtml">SYNTHETIC '
                   "test patient for cartguard. Not a real person.</div>",
        },
        "active": True,
        "name": [{"text": "SYNTHETIC Example-Patient"}],
        "gender": "female",
        "birthDate": "1994-05-17",
    })


def conditions():
    add({
        "resourceType": "Condition",
        "id": ID_PREFIX + "cond-ball",
        "clinicalStatus": cc(COND_CLINICAL, "active", "Active"),
        "verificationStatus": cc(COND_VERIFICATION, "confirmed", "Confirmed"),
        "category": [cc(COND_CATEGORY, "problem-list-item",
                        "Problem List Item")],
        "code": cc(ICD10CM, "C91.00",
                   "Acute lymphoblastic leukemia not having achieved remission",
                   "Relapsed/refractory B-cell acute lymphoblastic leukaemia"),
        "subject": PATIENT_REF,
        "onsetDateTime": "2025-09-01",
    })
    # DIC: diagnosed day +7, resolved day +12. The bundle is a snapshot taken
    # after day +14, so clinicalStatus is "resolved" (FHIR invariant con-4
    # forbids abatement[x] together with clinicalStatus "active").
    add({
        "resourceType": "Condition",
        "id": ID_PREFIX + "cond-dic",
        "clinicalStatus": cc(COND_CLINICAL, "resolved", "Resolved"),
        "verificationStatus": cc(COND_VERIFICATION, "confirmed", "Confirmed"),
        "category": [cc(COND_CATEGORY, "encounter-diagnosis",
                        "Encounter Diagnosis")],
        "code": {
            "coding": [
                {"system": SNOMED, "code": "67406007",
                 "display": "Disseminated intravascular coagulation"},
                {"system": ICD10CM, "code": "D65",
                 "display": "Disseminated intravascular coagulation "
                            "[defibrination syndrome]"},
            ],
            "text": "Disseminated intravascular coagulation",
        },
        "subject": PATIENT_REF,
        "onsetDateTime": iso(at(7, 6)),
        "abatementDateTime": iso(at(12, 6)),
        "recordedDate": iso(at(7, 9)),
    })


def procedures():
    add({
        "resourceType": "Procedure",
        "id": ID_PREFIX + "proc-leukapheresis",
        "status": "completed",
        "code": cc(SNOMED, "127788007", "Leukapheresis", "Leukapheresis"),
        "subject": PATIENT_REF,
        "performedDateTime": iso(at(-11, 9)),
    })
    add({
        "resourceType": "Procedure",
        "id": ID_PREFIX + "proc-cryo-p07",
        "status": "completed",
        "code": cc(SNOMED, "180208003", "Transfusion of cryoprecipitate",
                   "Transfusion of cryoprecipitate"),
        "subject": PATIENT_REF,
        "performedDateTime": iso(at(7, 10)),
        "note": [{"text": "SYNTHETIC record: pooled cryoprecipitate for "
                          "fibrinogen 0.8 g/L (illustrative, not a dosing "
                          "recommendation)."}],
    })


# --------------------------------------------------------------------------
# Medication administrations
# --------------------------------------------------------------------------
def med(res_id, code, display, effective, dosage, system=RXNORM, text=None):
    r = {
        "resourceType": "MedicationAdministration",
        "id": ID_PREFIX + res_id,
        "status": "completed",
        "medicationCodeableConcept": cc(system, code, display,
                                        text or display),
        "subject": PATIENT_REF,
    }
    if isinstance(effective, tuple):
        r["effectivePeriod"] = {"start": iso(effective[0]),
                                "end": iso(effective[1])}
    else:
        r["effectiveDateTime"] = iso(effective)
    r["dosage"] = dosage
    return add(r)


def medications():
    # Lymphodepletion, days -7 to -5. Doses are illustrative only
    # (30 mg/m2 fludarabine, 500 mg/m2 cyclophosphamide, BSA 1.79 m2).
    for day in (-7, -6, -5):
        t = at(day, 10)
        med("ma-fludarabine-" + stamp(t), "24698", "fludarabine", t,
            {"text": "30 mg/m2 IV (BSA 1.79 m2), lymphodepletion",
             "route": ROUTE_IV, "dose": qty(54, "mg", "mg")})
        t = at(day, 12)
        med("ma-cyclophosphamide-" + stamp(t), "3002", "cyclophosphamide", t,
            {"text": "500 mg/m2 IV (BSA 1.79 m2), lymphodepletion",
             "route": ROUTE_IV, "dose": qty(895, "mg", "mg")})

    # CAR-T split infusions, days 0, 1, 2 at 10:00Z.
    for i, day in enumerate((0, 1, 2), start=1):
        t = at(day, 10)
        med("ma-cart-" + stamp(t), "anti-cd19-car-t",
            "Anti-CD19 CAR-T cell product", t,
            {"text": "Split infusion %d of 3" % i, "route": ROUTE_IV},
            system=CART_PRODUCT)

    # Acetaminophen for grade-1 CRS fever.
    for t in (at(1, 14), at(2, 2)):
        med("ma-acetaminophen-" + stamp(t), "161", "acetaminophen", t,
            {"text": "1000 mg PO", "route": ROUTE_PO,
             "dose": qty(1000, "mg", "mg")})

    # Tocilizumab x2.
    for start in (at(3, 12), at(5, 9)):
        med("ma-tocilizumab-" + stamp(start), "612865", "tocilizumab",
            (start, start + timedelta(hours=1)),
            {"text": "560 mg IV over 1 h", "route": ROUTE_IV,
             "dose": qty(560, "mg", "mg")})

    # Norepinephrine infusion day +5 08:00Z to day +8 20:00Z.
    start = at(5, 8)
    med("ma-norepinephrine-" + stamp(start), "7512", "norepinephrine",
        (start, at(8, 20)),
        {"text": "Continuous IV infusion 0.1 ug/kg/min", "route": ROUTE_IV,
         "rateQuantity": qty(0.1, "ug/kg/min", "ug/kg/min")})

    # Vasopressin infusion day +6 00:00Z to day +8 12:00Z.
    start = at(6, 0)
    med("ma-vasopressin-" + stamp(start), "11149", "vasopressin",
        (start, at(8, 12)),
        {"text": "Continuous IV infusion 0.03 U/min", "route": ROUTE_IV,
         "rateQuantity": qty(0.03, "U/min", "U/min")})

    # Dexamethasone 10 mg IV q6h, day +5 10:00Z through day +8 04:00Z.
    t = at(5, 10)
    while t <= at(8, 4):
        med("ma-dexamethasone-" + stamp(t), "3264", "dexamethasone", t,
            {"text": "10 mg IV every 6 h", "route": ROUTE_IV,
             "dose": qty(10, "mg", "mg")})
        t += timedelta(hours=6)


# --------------------------------------------------------------------------
# Observations
# --------------------------------------------------------------------------
CATEGORY_DISPLAY = {"vital-signs": "Vital Signs", "laboratory": "Laboratory",
                    "survey": "Survey", "exam": "Exam"}


def obs(res_id, category, code, display, t, value=None, status="final",
        system=LOINC, **extra):
    r = {
        "resourceType": "Observation",
        "id": ID_PREFIX + res_id,
        "status": status,
        "category": [cc(OBS_CATEGORY, category, CATEGORY_DISPLAY[category])],
        "code": cc(system, code, display, display),
        "subject": PATIENT_REF,
        "effectiveDateTime": iso(t),
    }
    if category == "laboratory":
        # Result released 90 min after collection.
        r["issued"] = iso(t + timedelta(minutes=90))
    if value is not None:
        r["valueQuantity"] = value
    r.update(extra)
    return add(r)


def vital_times():
    """Once daily (08:00Z) on days -11..-2, every 4 h from day -1 on."""
    times = [at(d, 8) for d in range(FIRST_DAY, -1)]
    t = at(-1, 0)
    while t <= at(LAST_DAY, 20):
        times.append(t)
        t += timedelta(hours=4)
    return times


def vital_phase(t):
    """Ranges (lo, hi) for temp C, SBP, DBP, HR, SpO2 at time t."""
    if t < at(1, 8):            # baseline, afebrile, room air
        return (36.6, 37.2), (110, 125), (65, 80), (68, 84), (97, 99)
    if t < at(3, 0):            # CRS grade 1: fever only
        return (38.3, 39.2), (106, 118), (60, 72), (96, 112), (96, 98)
    if t < at(3, 8):            # fever, BP softening, still room air
        return (38.5, 39.8), (94, 104), (55, 64), (104, 116), (95, 97)
    if t <= at(5, 8):           # hypotension without vasopressor, O2 via NC
        # (the 08:00Z reading on day +5 is taken just before norepinephrine)
        return (38.5, 39.8), (82, 88), (44, 52), (112, 126), (92, 95)
    if t < at(6, 0):            # on norepinephrine, still febrile
        return (38.5, 39.8), (92, 100), (50, 58), (105, 120), (92, 95)
    if t <= at(8, 20):          # on vasopressor(s), fever masked
        return (37.0, 37.8), (92, 100), (50, 58), (98, 115), (92, 95)
    if t <= at(9, 8):           # off pressors, still on high-flow NC
        return (37.0, 37.8), (100, 112), (58, 68), (90, 102), (92, 95)
    if t <= at(11, 8):          # nasal cannula 2 L/min
        return (37.0, 37.6), (105, 118), (60, 72), (82, 96), (93, 95)
    return (37.0, 37.4), (108, 122), (62, 76), (74, 90), (95, 98)


def vitals(rng):
    temp_index = 0
    for t in vital_times():
        (tlo, thi), (slo, shi), (dlo, dhi), (hlo, hhi), (olo, ohi) = \
            vital_phase(t)
        temp_c = round(rng.uniform(tlo, thi), 1)
        sbp = rng.randint(slo, shi)
        dbp = rng.randint(dlo, dhi)
        hr = rng.randint(hlo, hhi)
        spo2 = rng.randint(olo, ohi)

        # About 10% of temperatures are charted in Fahrenheit.
        if temp_index % 10 == 7:
            tq = qty(round(temp_c * 9 / 5 + 32, 1), "F", "[degF]")
        else:
            tq = qty(temp_c, "C", "Cel")
        temp_index += 1
        s = stamp(t)
        obs("temp-" + s, "vital-signs", "8310-5", "Body temperature", t, tq)
        obs("bp-" + s, "vital-signs", "85354-9",
            "Blood pressure panel with all children optional", t,
            component=[
                {"code": cc(LOINC, "8480-6", "Systolic blood pressure",
                            "Systolic blood pressure"),
                 "valueQuantity": qty(sbp, "mmHg", "mm[Hg]")},
                {"code": cc(LOINC, "8462-4", "Diastolic blood pressure",
                            "Diastolic blood pressure"),
                 "valueQuantity": qty(dbp, "mmHg", "mm[Hg]")},
            ])
        obs("hr-" + s, "vital-signs", "8867-4", "Heart rate", t,
            qty(hr, "beats/minute", "/min"))
        obs("spo2-" + s, "vital-signs", "59408-5",
            "Oxygen saturation in Arterial blood by Pulse oximetry", t,
            qty(spo2, "%", "%"))

    # Data-quality case: a cancelled temperature on day +4 (probe error).
    t = at(4, 10)
    obs("temp-cancelled-" + stamp(t), "vital-signs", "8310-5",
        "Body temperature", t, qty(40.6, "C", "Cel"), status="cancelled",
        note=[{"text": "Measurement cancelled: probe error. Must not be "
                       "used for grading."}])


def weights():
    for t, kg in ((at(-11, 8), 70.0), (at(0, 8), 69.5), (at(7, 8), 69.5),
                  (at(14, 8), 69.5)):
        obs("weight-" + stamp(t), "vital-signs", "29463-7", "Body weight",
            t, qty(kg, "kg", "kg"))


NASAL_CANNULA = cc(SNOMED, "336623009", "Oxygen nasal cannula",
                   "Oxygen nasal cannula")
HIGH_FLOW_NC = cc(SNOMED, "426854004", "High flow oxygen nasal cannula",
                  "High flow oxygen nasal cannula")
ROOM_AIR = cc(LOINC, "LA11849-9", "Room air", "Room air")


def oxygen_schedule():
    """(time, device, flow L/min or None) every 4 h while on oxygen."""
    out = []
    t = at(3, 8)
    while t <= at(11, 8):
        if t <= at(6, 0):
            day = (t - DAY0_MIDNIGHT).days
            flow = {3: 3, 4: 4, 5: 5}.get(day, 5)
            out.append((t, NASAL_CANNULA, flow))
        elif t <= at(9, 8):
            out.append((t, HIGH_FLOW_NC, 40))
        else:
            out.append((t, NASAL_CANNULA, 2))
        t += timedelta(hours=4)
    out.append((at(11, 12), ROOM_AIR, None))
    return out


def oxygen():
    for t, device, flow in oxygen_schedule():
        s = stamp(t)
        obs("o2device-" + s, "vital-signs", "107117-4",
            "Method of oxygen delivery", t,
            valueCodeableConcept=json.loads(json.dumps(device)))
        if flow is not None:
            obs("o2flow-" + s, "vital-signs", "3151-8",
                "Inhaled oxygen flow rate", t, qty(flow, "L/min", "L/min"))


def series(anchors, rng, noise, ndigits, first=FIRST_DAY, last=LAST_DAY,
           days=None):
    """Daily values: linear interpolation between anchor days, with
    multiplicative noise (+/- noise) on non-anchor days only."""
    keys = sorted(anchors)
    out = {}
    for day in (days if days is not None else range(first, last + 1)):
        if day in anchors:
            out[day] = rnd(anchors[day], ndigits)
            continue
        lo = max(k for k in keys if k < day)
        hi = min(k for k in keys if k > day)
        frac = (day - lo) / (hi - lo)
        v = anchors[lo] + frac * (anchors[hi] - anchors[lo])
        v *= 1 + rng.uniform(-noise, noise)
        out[day] = rnd(v, ndigits)
    return out


ULN_RANGE = {
    "pt": [{"low": qty(11.0, "s", "s"), "high": qty(13.5, "s", "s")}],
    "aptt": [{"high": qty(36, "s", "s")}],
    "ddimer": [{"high": qty(0.5, "mg/L FEU", "mg/L{FEU}")}],
    "fdp": [{"high": qty(5, "mg/L", "mg/L")}],
}

PLATELET_ALT_UNIT_DAYS = {-9, 2, 6, 11}     # reported as 10*3/uL
FIBRINOGEN_MGDL_DAYS = {-10, 3, 8, 12}      # reported in mg/dL (x100)
IL6_DAYS = list(range(FIRST_DAY, LAST_DAY + 1, 2))  # odd days incl. +5


def labs(rng):
    plt = series({-11: 150, -7: 146, -5: 128, -3: 100, -1: 78, 0: 70, 3: 56,
                  5: 45, 6: 38, 7: 32, 8: 36, 10: 55, 14: 80}, rng, 0.03, 0)
    fib = series({-11: 3.0, 3: 3.0, 4: 2.5, 5: 2.0, 6: 1.4, 7: 0.8, 8: 1.2,
                  9: 1.6, 10: 1.8, 14: 2.4}, rng, 0.04, 2)
    pt = series({-11: 12.5, 4: 12.5, 5: 14.0, 6: 16.0, 7: 18.5, 8: 17.0,
                 9: 15.0, 12: 13.0, 14: 12.6}, rng, 0.015, 1)
    aptt = series({-11: 30.0, 3: 30.5, 4: 31.0, 5: 34.0, 6: 40.0, 7: 48.0,
                   8: 44.0, 9: 39.0, 10: 36.0, 12: 32.0, 14: 30.0},
                  rng, 0.02, 1)
    ddimer = series({-11: 0.3, 2: 0.3, 3: 0.4, 5: 1.8, 7: 6.5, 9: 4.0,
                     12: 1.2, 14: 0.8}, rng, 0.05, 2)
    fdp = series({-11: 3.0, 2: 3.0, 3: 3.5, 5: 12.0, 6: 24.0, 7: 35.0,
                  8: 28.0, 9: 20.0, 10: 14.0, 12: 8.0, 14: 5.5},
                 rng, 0.05, 1)
    crp = series({-11: 4, -7: 5, 0: 8, 1: 42, 2: 88, 3: 135, 4: 165, 5: 180,
                  6: 150, 7: 112, 8: 75, 9: 48, 10: 32, 12: 15, 14: 7},
                 rng, 0.04, 1)
    ferritin = series({-11: 480, 0: 560, 1: 950, 2: 1850, 3: 3900, 4: 7400,
                       5: 10400, 6: 12000, 7: 10900, 8: 9100, 9: 7300,
                       10: 5900, 12: 3900, 14: 2700}, rng, 0.04, 0)
    il6 = series({-11: 4.2, -1: 6.0, 1: 160.0, 3: 540.0, 5: 900.0, 7: 610.0,
                  9: 190.0, 11: 62.0, 13: 21.0}, rng, 0.05, 1, days=IL6_DAYS)

    for day in range(FIRST_DAY, LAST_DAY + 1):
        t = at(day, 6)
        s = stamp(t)
        if day in PLATELET_ALT_UNIT_DAYS:
            pq = qty(plt[day], "10^3/uL", "10*3/uL")
        else:
            pq = qty(plt[day], "10^9/L", "10*9/L")
        obs("plt-" + s, "laboratory", "777-3",
            "Platelets [#/volume] in Blood by Automated count", t, pq)
        obs("pt-" + s, "laboratory", "5902-2",
            "Prothrombin time (PT)", t, qty(pt[day], "s", "s"),
            referenceRange=ULN_RANGE["pt"])
        # INR derived assuming mean normal PT 12.0 s and ISI 1.0.
        obs("inr-" + s, "laboratory", "6301-6",
            "INR in Platelet poor plasma by Coagulation assay", t,
            qty(round(pt[day] / 12.0, 2), "INR", "{INR}"))
        obs("aptt-" + s, "laboratory", "14979-9",
            "aPTT in Platelet poor plasma by Coagulation assay", t,
            qty(aptt[day], "s", "s"), referenceRange=ULN_RANGE["aptt"])
        if day in FIBRINOGEN_MGDL_DAYS:
            fq = qty(rnd(fib[day] * 100, 0), "mg/dL", "mg/dL")
        else:
            fq = qty(fib[day], "g/L", "g/L")
        obs("fib-" + s, "laboratory", "3255-7",
            "Fibrinogen [Mass/volume] in Platelet poor plasma by "
            "Coagulation assay", t, fq)
        obs("ddimer-" + s, "laboratory", "48065-7",
            "Fibrin D-dimer FEU [Mass/volume] in Platelet poor plasma", t,
            qty(ddimer[day], "mg/L FEU", "mg/L{FEU}"),
            referenceRange=ULN_RANGE["ddimer"])
        obs("fdp-" + s, "laboratory", "30226-5",
            "Fibrin+Fibrinogen degradation products [Mass/volume] in "
            "Platelet poor plasma", t, qty(fdp[day], "mg/L", "mg/L"),
            referenceRange=ULN_RANGE["fdp"])
        obs("ferritin-" + s, "laboratory", "2276-4",
            "Ferritin [Mass/volume] in Serum or Plasma", t,
            qty(ferritin[day], "ug/L", "ug/L"))
        obs("crp-" + s, "laboratory", "1988-5",
            "C reactive protein [Mass/volume] in Serum or Plasma", t,
            qty(crp[day], "mg/L", "mg/L"))
        if day in il6:
            obs("il6-" + s, "laboratory", "26881-3",
                "Interleukin 6 [Mass/volume] in Serum or Plasma", t,
                qty(il6[day], "pg/mL", "pg/mL"))

    # Data-quality case: platelet count entered in error (day +8 14:00Z).
    t = at(8, 14)
    obs("plt-error-" + stamp(t), "laboratory", "777-3",
        "Platelets [#/volume] in Blood by Automated count", t,
        qty(5, "10^9/L", "10*9/L"), status="entered-in-error",
        note=[{"text": "Result retracted: clumped sample, wrong result "
                       "released. Must not be used."}])
    # Data-quality case: fibrinogen with no value (day +9 14:00Z).
    t = at(9, 14)
    obs("fib-absent-" + stamp(t), "laboratory", "3255-7",
        "Fibrinogen [Mass/volume] in Platelet poor plasma by "
        "Coagulation assay", t,
        dataAbsentReason={"coding": [{"system": DATA_ABSENT,
                                      "code": "error"}],
                          "text": "clotted sample"})
    # The daily PT series, for the PT ratio derived below.
    return {"pt": pt}


# --------------------------------------------------------------------------
# Inputs of the scales the first version gave no data for (ICANS; Lee 2014
# and CTCAE v5.0 FiO2; SIRS; ISTH non-overt, JAAM, JMHW, JSTH). They were
# added after the resources above and draw their noise from a second
# generator (SEED_EXTRA), so every earlier resource is byte-identical to the
# first version and comes first in the Bundle.
# --------------------------------------------------------------------------
def rr_range(t):
    """Respiratory rate range (/min) at time t, following vital_phase()."""
    if t < at(1, 8):            # baseline
        return 14, 18
    if t < at(3, 0):            # fever only
        return 18, 22
    if t < at(3, 8):            # fever, BP softening
        return 20, 24
    if t < at(6, 0):            # hypotension, nasal cannula
        return 22, 26
    if t <= at(8, 20):          # pressors, high-flow nasal cannula
        return 22, 28
    if t <= at(9, 8):           # off pressors, still on high-flow
        return 20, 24
    if t <= at(11, 8):          # nasal cannula 2 L/min
        return 18, 22
    return 14, 18


def respiratory_rates(rng):
    for t in vital_times():
        lo, hi = rr_range(t)
        obs("rr-" + stamp(t), "vital-signs", "9279-1", "Respiratory rate", t,
            qty(rng.randint(lo, hi), "breaths/minute", "/min"))


# Charted FiO2 (%): the nurse's estimate for a nasal cannula (by flow), the
# set FiO2 of the high-flow device (titrated to SpO2 92-95 %).
CANNULA_FIO2 = {2: 28, 3: 30, 4: 31, 5: 32}
HFNC_FIO2 = ((at(6, 12), 45), (at(7, 4), 50), (at(8, 0), 60), (at(8, 12), 55),
             (at(9, 0), 50), (at(9, 8), 45))


def fio2_pct(t, device, flow):
    if device["coding"][0]["code"] == NASAL_CANNULA["coding"][0]["code"]:
        return CANNULA_FIO2[flow]
    for before, pct in HFNC_FIO2:
        if t < before:
            return pct
    return 40                   # day +9 08:00, last high-flow record


def fio2():
    for t, device, flow in oxygen_schedule():
        if flow is None:        # room air: no oxygen given
            continue
        obs("fio2-" + stamp(t), "vital-signs", "3150-0",
            "Inhaled oxygen concentration", t,
            qty(fio2_pct(t, device, flow), "%", "%"))


TAT_RANGE = [{"high": qty(3.0, "ug/L", "ug/L")}]


def extra_labs(rng, lab_series):
    """PT ratio, white cells, antithrombin, protein C and TAT, daily 06:00Z."""
    wbc = series({-11: 4.6, -7: 4.1, -5: 2.4, -3: 0.9, -1: 0.5, 1: 0.4,
                  4: 0.6, 7: 1.1, 10: 1.4, 14: 2.6}, rng, 0.06, 2)
    antithrombin = series({-11: 98, 3: 96, 4: 88, 5: 78, 6: 64, 7: 52,
                           8: 58, 9: 66, 10: 72, 12: 84, 14: 92},
                          rng, 0.03, 0)
    protein_c = series({-11: 102, 3: 98, 4: 90, 5: 80, 6: 66, 7: 55,
                        8: 60, 9: 68, 10: 74, 12: 86, 14: 95},
                       rng, 0.03, 0)
    tat = series({-11: 2.0, 2: 2.2, 3: 3.6, 4: 7.5, 5: 14.0, 6: 24.0,
                  7: 32.0, 8: 21.0, 9: 13.0, 10: 8.5, 12: 4.2, 14: 2.6},
                 rng, 0.05, 1)
    for day in range(FIRST_DAY, LAST_DAY + 1):
        t = at(day, 6)
        s = stamp(t)
        # PT ratio = PT / mean normal PT 12.0 s (same reagent as the INR,
        # ISI 1.0, so the number equals the INR).
        obs("ptratio-" + s, "laboratory", "5894-1",
            "Prothrombin time (PT) actual/normal", t,
            qty(round(lab_series["pt"][day] / 12.0, 2), "ratio", "{ratio}"))
        obs("wbc-" + s, "laboratory", "6690-2",
            "Leukocytes [#/volume] in Blood by Automated count", t,
            qty(wbc[day], "10^9/L", "10*9/L"))
        obs("antithrombin-" + s, "laboratory", "antithrombin-activity",
            "Antithrombin activity", t, qty(antithrombin[day], "%", "%"),
            system=CG_LAB)
        obs("proteinc-" + s, "laboratory", "protein-c-activity",
            "Protein C activity", t, qty(protein_c[day], "%", "%"),
            system=CG_LAB)
        obs("tat-" + s, "laboratory", "tat",
            "Thrombin-antithrombin complex (TAT)", t,
            qty(tat[day], "ug/L", "ug/L"), system=CG_LAB,
            referenceRange=TAT_RANGE)


# ICANS: ICE score and level of consciousness at 08:00Z and 20:00Z from day
# +1. Everything not listed is ICE 10 and alert. (day, hour) ->
# (ICE, level of consciousness, ICE items or None). With items, the ICE is
# charted as a QuestionnaireResponse of the ICE form, otherwise as an
# Observation of the total.
LOC_DISPLAY = {
    "alert": "Alert",
    "awakens-spontaneously": "Awakens spontaneously",
    "awakens-to-voice": "Awakens to voice",
}
ICE_ITEMS = (("orientation", "Orientation: year, month, city, hospital (4)"),
             ("naming", "Naming: three objects (3)"),
             ("commands", "Following commands (1)"),
             ("writing", "Writing a standard sentence (1)"),
             ("attention", "Attention: count backwards from 100 by 10 (1)"))
NEURO_EPISODE = {
    (5, 20): (8, "alert", None),
    (6, 8): (6, "awakens-spontaneously", (3, 2, 1, 0, 0)),
    (6, 20): (5, "awakens-to-voice", (2, 2, 1, 0, 0)),
    (7, 8): (5, "awakens-to-voice", (2, 3, 0, 0, 0)),
    (7, 20): (6, "awakens-spontaneously", (3, 2, 1, 0, 0)),
    (8, 8): (7, "alert", None),
    (8, 20): (8, "alert", None),
    (9, 8): (9, "alert", None),
}


def ice_response(t, items):
    assert len(items) == len(ICE_ITEMS)
    answers = [{"linkId": link, "text": text,
                "answer": [{"valueInteger": items[i]}]}
               for i, (link, text) in enumerate(ICE_ITEMS)]
    answers.append({"linkId": "total", "text": "ICE score (0-10)",
                    "answer": [{"valueInteger": sum(items)}]})
    add({
        "resourceType": "QuestionnaireResponse",
        "id": ID_PREFIX + "iceqr-" + stamp(t),
        "questionnaire": ICE_QUESTIONNAIRE,
        "status": "completed",
        "subject": PATIENT_REF,
        "authored": iso(t),
        "item": answers,
    })


def neuro():
    for day in range(1, LAST_DAY + 1):
        for hour in (8, 20):
            t = at(day, hour)
            s = stamp(t)
            ice, loc, items = NEURO_EPISODE.get((day, hour),
                                                (10, "alert", None))
            if items is None:
                obs("ice-" + s, "survey", "ice-score",
                    "Immune effector cell-associated encephalopathy (ICE) "
                    "score", t, qty(ice, "score", "{score}"),
                    system=CG_NEURO)
            else:
                assert sum(items) == ice, (day, hour)
                ice_response(t, items)
            obs("loc-" + s, "exam", "level-of-consciousness",
                "Level of consciousness (ASTCT ICANS)", t, system=CG_NEURO,
                valueCodeableConcept=cc(CG_NEURO, loc, LOC_DISPLAY[loc]))


# --------------------------------------------------------------------------
# Bundle
# --------------------------------------------------------------------------
def build():
    RESOURCES.clear()
    rng = random.Random(SEED)
    patient()
    conditions()
    procedures()
    medications()
    vitals(rng)
    weights()
    oxygen()
    lab_series = labs(rng)
    # Added later, with their own noise (see SEED_EXTRA).
    rng_extra = random.Random(SEED_EXTRA)
    respiratory_rates(rng_extra)
    fio2()
    extra_labs(rng_extra, lab_series)
    neuro()

    ids = [(r["resourceType"], r["id"]) for r in RESOURCES]
    assert len(ids) == len(set(ids)), "duplicate resource ids"
    for r in RESOURCES:
        assert len(r["id"]) <= 64, r["id"]

    entries = []
    for r in RESOURCES:
        full_url = "urn:uuid:%s" % uuid.uuid5(
            UUID_NS, "%s/%s" % (r["resourceType"], r["id"]))
        entries.append({"fullUrl": full_url, "resource": r})
    bundle = {
        "resourceType": "Bundle",
        "id": ID_PREFIX + "bundle",
        "meta": {"tag": [dict(t) for t in HTEST_TAG]},
        "type": "collection",
        "timestamp": iso(at(LAST_DAY, 23, 59)),
        "entry": entries,
    }
    return bundle


def main():
    bundle = build()
    text = json.dumps(bundle, indent=1, sort_keys=True, ensure_ascii=True)
    with open(OUT_PATH, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text + "\n")

    counts = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    print("SYNTHETIC patient %s -> %s (%d bytes)"
          % (PATIENT_ID, OUT_PATH, len(text) + 1))
    for rtype in sorted(counts):
        print("  %-26s %4d" % (rtype, counts[rtype]))
    print("  %-26s %4d" % ("total", sum(counts.values())))


if __name__ == "__main__":
    main()
