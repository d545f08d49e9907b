"""Build one synthetic patient's FHIR R4 resources, timed relative to CAR-T infusion day 0."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from cartguard.fhir_adapters.loading import LoadResult, load_bytes

LOINC = "http://loinc.org"
SCT = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
CART = "http://cartguard.example/fhir/CodeSystem/cart-product"
NEURO = "http://cartguard.example/fhir/CodeSystem/neuro"
"""Local code system of the ICANS pack (rules/icans/astct2019.yaml: ICE/CAPD scores, consciousness, findings)."""
ICE_QUESTIONNAIRE = "http://cartguard.example/fhir/Questionnaire/icans-ice"
CAPD_QUESTIONNAIRE = "http://cartguard.example/fhir/Questionnaire/icans-capd"

RXNORM_CODES = {
    "norepinephrine": "7512", "epinephrine": "3992", "phenylephrine": "8163", "dopamine": "3628",
    "vasopressin": "11149", "dobutamine": "3616", "tocilizumab": "612865", "dexamethasone": "3264",
    "methylprednisolone": "6902", "acetaminophen": "161", "ibuprofen": "5640", "heparin": "5224",
    "anakinra": "72435",
}
DEVICE_CODES = {
    "room air": (LOINC, "LA11849-9"), "nasal cannula": (SCT, "336623009"),
    "high-flow nasal cannula": (SCT, "426854004"), "blow-by": (SCT, "425478008"),
    "facemask": (SCT, "336602003"), "non-rebreather mask": (SCT, "427591007"),
    "venturi mask": (SCT, "428285009"), "cpap": (SCT, "706226000"), "bipap": (SCT, "706226000"),
    "mechanical ventilator": (SCT, "449071006"), "endotracheal tube": (SCT, "26412008"),
    "face tent": (SCT, "0000000"),
}
TAG = [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HTEST"}]


class PatientBuilder:
    """Accumulates resources for one patient; times are ``day`` (relative to infusion) + ``hour``."""

    def __init__(self, patient_id: str = "p1", *, infusion: datetime | None = None,
                 birth_date: str | None = "1980-01-01", record_infusion: bool = True) -> None:
        self.patient_id = patient_id
        self.subject = {"reference": f"Patient/{patient_id}"}
        self.day0 = infusion or datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
        self.resources: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        patient: dict[str, Any] = {"resourceType": "Patient", "id": patient_id, "meta": {"tag": TAG}}
        if birth_date:
            patient["birthDate"] = birth_date
        self.resources.append(patient)
        if record_infusion:
            self.medication("car-t", day=0, hour=self.day0.hour, coding=(CART, "anti-cd19-car-t"))

    # -- time ---------------------------------------------------------------------------
    def time(self, day: float, hour: float | None = None) -> str:
        base = datetime.combine((self.day0 + timedelta(days=day)).date(), datetime.min.time(), tzinfo=UTC)
        t = base + timedelta(hours=8 if hour is None else hour) if float(day).is_integer() else \
            self.day0 + timedelta(days=day)
        return t.isoformat().replace("+00:00", "Z")

    def _id(self, prefix: str) -> str:
        return f"{self.patient_id}-{prefix}-{next(self._ids)}"

    # -- observations ---------------------------------------------------------------------
    def observation(self, code: str, value: float | None, unit: str | None, *, day: float = 0,
                    hour: float | None = None, system: str = LOINC, status: str = "final",
                    comparator: str | None = None, ref_high: float | None = None, ref_unit: str | None = None,
                    absent_reason: str | None = None, unit_system: str | None = UCUM,
                    components: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        obs: dict[str, Any] = {
            "resourceType": "Observation", "id": self._id("obs"), "meta": {"tag": TAG}, "status": status,
            "code": {"coding": [{"system": system, "code": code}]}, "subject": self.subject,
            "effectiveDateTime": self.time(day, hour),
        }
        if absent_reason:
            obs["dataAbsentReason"] = {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": absent_reason}]}
        elif value is not None:
            q: dict[str, Any] = {"value": value}
            if unit is not None:
                q.update({"unit": unit, "code": unit})
                if unit_system:
                    q["system"] = unit_system
            if comparator:
                q["comparator"] = comparator
            obs["valueQuantity"] = q
        if ref_high is not None:
            u = ref_unit or unit
            obs["referenceRange"] = [{"high": {"value": ref_high, "unit": u, "system": UCUM, "code": u}}]
        if components:
            obs["component"] = components
        self.resources.append(obs)
        return obs

    def blood_pressure(self, systolic: float, diastolic: float = 60, *, day: float = 0,
                       hour: float | None = None, status: str = "final") -> dict[str, Any]:
        def comp(code: str, v: float) -> dict[str, Any]:
            return {"code": {"coding": [{"system": LOINC, "code": code}]},
                    "valueQuantity": {"value": v, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]"}}

        obs = self.observation("85354-9", None, None, day=day, hour=hour, status=status,
                               components=[comp("8480-6", systolic), comp("8462-4", diastolic)])
        return obs

    def oxygen_device(self, device: str, *, day: float = 0, hour: float | None = None,
                      flow: float | None = None) -> dict[str, Any]:
        system, code = DEVICE_CODES[device.lower()]
        obs = {
            "resourceType": "Observation", "id": self._id("o2dev"), "meta": {"tag": TAG}, "status": "final",
            "code": {"coding": [{"system": LOINC, "code": "107117-4"}]}, "subject": self.subject,
            "effectiveDateTime": self.time(day, hour),
            "valueCodeableConcept": {"coding": [{"system": system, "code": code}], "text": device},
        }
        self.resources.append(obs)
        if flow is not None:
            self.observation("3151-8", flow, "L/min", day=day, hour=hour)
        return obs

    # -- medications ----------------------------------------------------------------------
    def medication(self, drug: str, *, day: float = 0, hour: float | None = None, until_day: float | None = None,
                   until_hour: float | None = None, dose_mg: float | None = None, status: str = "completed",
                   coding: tuple[str, str] | None = None, in_progress: bool = False,
                   rate: tuple[float, str] | None = None) -> dict[str, Any]:
        """One administration; ``rate`` = (value, UCUM unit) is written as ``dosage.rateQuantity``."""
        system, code = coding or (RXNORM, RXNORM_CODES[drug])
        ma: dict[str, Any] = {
            "resourceType": "MedicationAdministration", "id": self._id("ma"), "meta": {"tag": TAG},
            "status": "in-progress" if in_progress else status,
            "medicationCodeableConcept": {"coding": [{"system": system, "code": code}], "text": drug},
            "subject": self.subject,
        }
        start = self.time(day, hour)
        if until_day is not None or in_progress:
            period = {"start": start}
            if until_day is not None:
                period["end"] = self.time(until_day, until_hour)
            ma["effectivePeriod"] = period
        else:
            ma["effectiveDateTime"] = start
        if dose_mg is not None:
            ma["dosage"] = {"dose": {"value": dose_mg, "unit": "mg", "system": UCUM, "code": "mg"}}
        if rate is not None:
            ma.setdefault("dosage", {})["rateQuantity"] = {"value": rate[0], "unit": rate[1], "system": UCUM,
                                                           "code": rate[1]}
        self.resources.append(ma)
        return ma

    # -- conditions and procedures --------------------------------------------------------
    def condition(self, code: str, *, system: str = ICD10, day: float = -100, until_day: float | None = None,
                  verification: str = "confirmed", recorded_day: float | None = None,
                  recorded_hour: float | None = None) -> dict[str, Any]:
        """An active (or, with ``until_day``, resolved) Condition; ``verification="refuted"`` with
        ``recorded_day`` documents that the condition is absent as of that time."""
        cond: dict[str, Any] = {
            "resourceType": "Condition", "id": self._id("cond"), "meta": {"tag": TAG},
            "clinicalStatus": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                "code": "resolved" if until_day is not None else "active"}]},
            "verificationStatus": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": verification}]},
            "code": {"coding": [{"system": system, "code": code}]}, "subject": self.subject,
            "onsetDateTime": self.time(day, 0),
        }
        if until_day is not None:
            cond["abatementDateTime"] = self.time(until_day, 0)
        if recorded_day is not None:
            cond["recordedDate"] = self.time(recorded_day, recorded_hour)
        self.resources.append(cond)
        return cond

    def procedure(self, code: str, *, system: str = SCT, day: float = 0, hour: float | None = None,
                  until_day: float | None = None, in_progress: bool = False,
                  used_device: str | None = None) -> dict[str, Any]:
        proc: dict[str, Any] = {
            "resourceType": "Procedure", "id": self._id("proc"), "meta": {"tag": TAG},
            "status": "in-progress" if in_progress else "completed",
            "code": {"coding": [{"system": system, "code": code}]}, "subject": self.subject,
        }
        if until_day is not None or in_progress:
            proc["performedPeriod"] = {"start": self.time(day, hour)}
            if until_day is not None:
                proc["performedPeriod"]["end"] = self.time(until_day, hour)
        else:
            proc["performedDateTime"] = self.time(day, hour)
        if used_device:
            s, c = DEVICE_CODES[used_device.lower()]
            proc["usedCode"] = [{"coding": [{"system": s, "code": c}]}]
        self.resources.append(proc)
        return proc

    # -- questionnaire responses -----------------------------------------------------------
    def questionnaire_response(self, questionnaire: str, answers: dict[str, Any], *, day: float = 0,
                               hour: float | None = None, status: str = "completed", total: Any = None,
                               total_link_id: str = "total", authored: bool = True) -> dict[str, Any]:
        """A QuestionnaireResponse of ``questionnaire`` (canonical URL) with one item per ``answers`` entry.

        An answer is written by its Python type: ``int`` → valueInteger, ``float`` → valueDecimal,
        ``str`` → valueString, ``bool`` → valueBoolean, ``None`` → the item with no answer, a ``list``
        → several answers, a ``dict`` → that answer as given. ``total`` (any of these) adds the
        stated-total item ``total_link_id``; ``authored=False`` leaves out the time.
        """
        def answer(v: Any) -> dict[str, Any]:
            if isinstance(v, dict):
                return v
            if isinstance(v, bool):
                return {"valueBoolean": v}
            if isinstance(v, int):
                return {"valueInteger": v}
            if isinstance(v, float):
                return {"valueDecimal": v}
            return {"valueString": str(v)}

        def item(link_id: str, v: Any) -> dict[str, Any]:
            it: dict[str, Any] = {"linkId": link_id}
            if v is not None:
                it["answer"] = [answer(x) for x in v] if isinstance(v, list) else [answer(v)]
            return it

        items = [item(k, v) for k, v in answers.items()]
        if total is not None:
            items.append(item(total_link_id, total))
        qr: dict[str, Any] = {
            "resourceType": "QuestionnaireResponse", "id": self._id("qr"), "meta": {"tag": TAG},
            "questionnaire": questionnaire, "status": status, "subject": self.subject,
        }
        if authored:
            qr["authored"] = self.time(day, hour)
        if items:
            qr["item"] = items
        self.resources.append(qr)
        return qr

    # -- output -------------------------------------------------------------------------
    def bundle(self) -> dict[str, Any]:
        return {"resourceType": "Bundle", "type": "collection", "meta": {"tag": TAG},
                "entry": [{"fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, self.patient_id + str(i))}",
                           "resource": r}
                          for i, r in enumerate(self.resources)]}

    def bundle_bytes(self) -> bytes:
        return orjson.dumps(self.bundle())

    def load(self) -> LoadResult:
        return load_bytes(self.bundle_bytes(), f"<builder {self.patient_id}>")
