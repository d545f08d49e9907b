"""Map one patient's FHIR resources onto typed, unit-normalised facts.

Rules the mapping keeps (each also stated in the README):

* Observations count only with status ``final``, ``amended`` or ``corrected``; ``entered-in-error``
  and ``cancelled`` never count, ``preliminary`` is not used. Every skipped resource is a warning.
* ``dataAbsentReason`` means the value is missing, never zero.
* Censored values keep their comparator: ``<x``/``<=x`` give the interval (unbounded, x];
  ``>x``/``>=x`` give [x, unbounded). Treating the bound as closed can only widen a grade's
  possible range, never narrow it.
* A unit that is missing, unknown or incompatible with the concept's canonical unit is a warning
  naming the resource, and the value is not used.
* A D-dimer's type (FEU or DDU) comes from its LOINC code; a unit annotation that contradicts the
  code rejects the value. There is no silent FEU↔DDU conversion.
* Day 0 is the first CAR-T infusion (``--infusion-date`` wins over product administrations).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from cartguard.fhir_adapters.bindings import Bindings, Concept
from cartguard.fhir_adapters.facts import Fact, PatientFacts, Warning_
from cartguard.fhir_adapters.loading import PatientResources
from cartguard.fhir_adapters.questionnaire import map_questionnaire_response
from cartguard.fhir_adapters.timeparse import parse_date, parse_datetime
from cartguard.fhir_adapters.units import UnitError, to_canonical
from cartguard.fhir_adapters.validation import validate

OBS_OK = {"final", "amended", "corrected"}
OBS_NEVER = {"entered-in-error", "cancelled"}
MED_OK = {"completed", "in-progress", "stopped"}
PROC_OK = {"completed", "in-progress", "stopped"}
COND_ACTIVE = {"active", "recurrence", "relapse"}
COND_PAST = {"inactive", "remission", "resolved"}
UNIT_SYSTEMS = {None, "http://unitsofmeasure.org"}
Warn = Callable[[str, str, str], None]


def _ref(res: dict[str, Any]) -> str:
    return f"{res.get('resourceType')}/{res.get('id', '?')}"


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    except InvalidOperation:
        return None


def _quantity(
    q: Any, concept: Concept, source: str, warn: Warn
) -> tuple[float | None, float | None, float | None, str | None, str | None, str | None] | None:
    """(value, lo, hi, comparator, original value, original unit) normalised, or None with a warning."""
    if not isinstance(q, dict):
        return None
    value_in = q.get("value")
    if (isinstance(value_in, int | float) and not isinstance(value_in, bool) and q.get("code") == concept.unit
            and concept.unit not in ("Cel", "[degF]") and not q.get("comparator")
            and q.get("system") in UNIT_SYSTEMS):
        # Fast path: already in the canonical unit, so no conversion (and no Decimal) is needed.
        v = float(value_in)
        return v, v, v, None, repr(value_in) if type(value_in) is float else str(value_in), concept.unit
    raw = _decimal(value_in)
    if raw is None:
        warn("no-value", f"{concept.label}: quantity has no numeric value; not used", source)
        return None
    unit_code = q.get("code")
    if q.get("system") not in UNIT_SYSTEMS:
        warn("unit", f"{concept.label}: unit system {q.get('system')!r} is not UCUM; value not used", source)
        return None
    try:
        value, note = to_canonical(raw, unit_code, concept.unit or "1")
    except UnitError as exc:
        got = unit_code if unit_code else f"no code (unit text {q.get('unit')!r})"
        warn("unit", f"{concept.label}: expected a unit convertible to {concept.unit!r}, got {got} ({exc});"
             " value not used", source)
        return None
    if concept.marker_type and note and note.upper() in ("FEU", "DDU") and note.upper() != concept.marker_type:
        warn("ddimer-type", f"{concept.label}: unit annotation {{{note}}} contradicts the code's type "
             f"{concept.marker_type}; value not used (FEU and DDU are never converted silently)", source)
        return None
    v = float(value)
    comparator = q.get("comparator")
    orig = (str(raw), unit_code)
    if comparator in ("<", "<="):
        return None, None, v, comparator, *orig
    if comparator in (">", ">="):
        return None, v, None, comparator, *orig
    if comparator:
        warn("comparator", f"{concept.label}: unknown comparator {comparator!r}; value not used", source)
        return None
    return v, v, v, None, *orig


def _ref_high(obs: dict[str, Any], concept: Concept, source: str, warn: Warn) -> float | None:
    for rr in obs.get("referenceRange") or ():
        high = rr.get("high") if isinstance(rr, dict) else None
        if not isinstance(high, dict) or high.get("value") is None:
            continue
        raw = _decimal(high.get("value"))
        try:
            value, _ = to_canonical(raw, high.get("code") or (obs.get("valueQuantity") or {}).get("code"),
                                    concept.unit or "1")
        except (UnitError, TypeError):
            warn("unit", f"{concept.label}: reference range high has an unusable unit; ULN not used", source)
            return None
        return float(value)
    return None


def _obs_time(obs: dict[str, Any]) -> datetime | None:
    t = parse_datetime(obs.get("effectiveDateTime")) or parse_datetime(obs.get("effectiveInstant"))
    if t is None and isinstance(obs.get("effectivePeriod"), dict):
        t = parse_datetime(obs["effectivePeriod"].get("end")) or parse_datetime(obs["effectivePeriod"].get("start"))
    return t or parse_datetime(obs.get("issued"))


class _Mapper:
    def __init__(self, bindings: Bindings, pr: PatientResources, validate_resources: bool | str) -> None:
        self.b = bindings
        self.pr = pr
        self.validate = validate_resources
        self.out = PatientFacts(patient=pr.patient)
        self.cart_times: list[tuple[datetime, str]] = []

    def warn(self, code: str, message: str, source: str) -> None:
        self.out.warnings.append(Warning_(code, f"{source}: {message}", source))

    def ok(self, res: dict[str, Any]) -> bool:
        if self.validate == "lazy":
            self.out.unvalidated[_ref(res)] = res
            return True
        if not self.validate:
            return True
        reason = validate(res)
        if reason:
            self.warn("invalid", f"{reason}; resource not used", _ref(res))
            return False
        return True

    # -- Observation ------------------------------------------------------------------------
    def observation(self, obs: dict[str, Any]) -> None:
        src = _ref(obs)
        main = self.b.match(obs.get("code"), "observations")
        comps = []
        for comp in obs.get("component") or ():
            if isinstance(comp, dict):
                hit = self.b.match(comp.get("code"), "observations")
                if hit:
                    comps.append((comp, hit))
        if not main and not comps:
            return
        status = obs.get("status")
        if status in OBS_NEVER:
            self.warn("status", f"status {status}: never counts; not used", src)
            return
        if status not in OBS_OK:
            self.warn("status", f"status {status!r} is not final/amended/corrected; not used", src)
            return
        if not self.ok(obs):
            return
        t = _obs_time(obs)
        if t is None:
            self.warn("no-time", "no effective time; not used", src)
            return
        if main:
            self._obs_value(obs, main, src, t)
        for comp, hit in comps:
            self._obs_value(comp, hit, src, t, parent=obs)

    def _obs_value(self, holder: dict[str, Any], hit: tuple[Concept, str], src: str, t: datetime,
                   parent: dict[str, Any] | None = None) -> None:
        concept, code = hit
        if concept.reject:
            self.warn("rejected", f"{concept.label}: {concept.reject}", src)
            return
        if holder.get("dataAbsentReason") is not None:
            dar = holder["dataAbsentReason"]
            why = dar.get("text") or ",".join(c.get("code", "") for c in dar.get("coding") or ()) \
                if isinstance(dar, dict) else "?"
            self.warn("absent", f"{concept.label}: no value (dataAbsentReason {why}); missing, never zero", src)
            if concept.absent_supersedes:
                self.out.absences.append(Fact("observation", concept.name, src, t, code=code,
                                              original_value=f"dataAbsentReason {why}"))
            return
        if concept.value_set:
            vcc = holder.get("valueCodeableConcept")
            member, first = self.b.value_set_member(concept.value_set, vcc)
            if member is None:
                self.warn("unmapped-code", f"{concept.label}: code {first} is not in value set "
                          f"{concept.value_set}; treated as unknown", src)
            self.out.facts.append(Fact("observation", concept.name, src, t, category=member,
                                       code=code, original_value=first))
            return
        q = holder.get("valueQuantity")
        if q is None:
            kinds = [k for k in holder if k.startswith("value")]
            self.warn("no-value", f"{concept.label}: no valueQuantity ({', '.join(kinds) or 'no value'}); "
                      "not used", src)
            return
        if not isinstance(q, dict):
            self.warn("no-value", f"{concept.label}: valueQuantity is not a Quantity ({type(q).__name__}); not used",
                      src)
            return
        parsed = _quantity(q, concept, src, self.warn)
        if parsed is None:
            return
        value, lo, hi, comparator, orig_v, orig_u = parsed
        ref_high = _ref_high(parent or holder, concept, src, self.warn) if concept.reference_range else None
        ref_source = None
        if ref_high is None and code in self.b.assay_uln:
            ref_high, site = self.b.assay_uln[code]  # the site's declared ULN for this local assay
            ref_source = f"assay ULN declared by {site}"
        self.out.facts.append(Fact(
            "observation", concept.name, src, t, value=value, lo=lo, hi=hi, unit=concept.unit,
            comparator=comparator, original_value=orig_v, original_unit=orig_u, code=code,
            ref_high=ref_high, ref_high_source=ref_source, marker_type=concept.marker_type, classes=concept.classes,
        ))

    def _counted_span(self, res: dict[str, Any], src: str, ok_status: set[str], field: str, what: str
                      ) -> tuple[str, datetime, datetime | None] | None:
        """(status, start, end) of an administration or procedure that counts, else None with a warning.

        ``field`` is ``effective`` (MedicationAdministration) or ``performed`` (Procedure): the
        time is ``<field>DateTime`` or ``<field>Period``.
        """
        status = res.get("status")
        if status not in ok_status:
            self.warn("status", f"status {status!r}: {what} not counted", src)
            return None
        if not self.ok(res):
            return None
        raw_period = res.get(f"{field}Period")
        period: dict[str, Any] = raw_period if isinstance(raw_period, dict) else {}
        start = parse_datetime(res.get(f"{field}DateTime")) or parse_datetime(period.get("start"))
        if start is None:
            self.warn("no-time", f"no {field} time; {what} not counted", src)
            return None
        return status, start, parse_datetime(period.get("end")) if period else None

    # -- MedicationAdministration -------------------------------------------------------------
    def _medication_code(self, ma: dict[str, Any]) -> Any:
        if ma.get("medicationCodeableConcept"):
            return ma["medicationCodeableConcept"]
        mref = ma.get("medicationReference")
        ref = mref.get("reference") if isinstance(mref, dict) else None
        if isinstance(ref, str):
            if ref.startswith("#"):
                for c in ma.get("contained") or ():
                    if isinstance(c, dict) and c.get("id") == ref[1:]:
                        return c.get("code")
            target = self.pr.index.get(ref)
            if target:
                return target.get("code")
            # Never drop an administration silently: it may be the vasopressor that sets the grade.
            self.warn("unresolved-reference", f"medicationReference {ref!r} is not in the input; the drug "
                      "cannot be identified and the administration is not counted", _ref(ma))
        return None

    def medication(self, ma: dict[str, Any]) -> None:
        src = _ref(ma)
        code = self._medication_code(ma)
        is_cart = self.b.is_cart_product(code)
        hit = self.b.match(code, "medications")
        if not hit and not is_cart:
            return
        timing = self._counted_span(ma, src, MED_OK, "effective", "administration")
        if timing is None:
            return
        status, start, end = timing
        if is_cart:
            self.cart_times.append((start, src))
            if not hit:
                return
        concept, matched = hit  # type: ignore[misc]
        dose_mg = None
        dosage: dict[str, Any] = ma["dosage"] if isinstance(ma.get("dosage"), dict) else {}
        dose = dosage.get("dose")
        if isinstance(dose, dict) and dose.get("value") is not None:
            try:
                dose_mg = float(to_canonical(_decimal(dose.get("value")), dose.get("code"), "mg")[0])
            except (UnitError, TypeError):
                self.warn("unit", f"{concept.label}: dose unit {dose.get('code')!r} is not a mass; dose not used",
                          src)
        rate, rate_unit = self._rate(dosage, concept, src)
        self.out.facts.append(Fact(
            "medication", concept.name, src, start, end=end,
            open_ended=(status == "in-progress" and end is None),
            value=dose_mg, lo=dose_mg, hi=dose_mg, unit="mg" if dose_mg is not None else None,
            original_value=str(dose.get("value")) if isinstance(dose, dict) else None,
            original_unit=dose.get("code") if isinstance(dose, dict) else None,
            code=matched, classes=concept.classes, rate=rate, rate_unit=rate_unit,
        ))

    RATE_UNITS = ("ug/min", "ug/kg/min", "U/min", "[iU]/min")
    """Mass rates (vasopressors) and unit rates (vasopressin is dosed in units per minute)."""

    def _rate(self, dosage: dict[str, Any], concept: Concept, src: str) -> tuple[float | None, str | None]:
        """An infusion rate in ug/min, ug/kg/min or U/min (``dosage.rateQuantity`` or ``rateRatio``), else None.

        Any UCUM mass-per-time (mg/h, ug/min) or mass-per-mass-per-time (ug/kg/min, ug/kg/h) unit
        is accepted; anything else is a warning naming the resource and the rate is not used.
        """
        q = dosage.get("rateQuantity")
        unit = None
        value = None
        if isinstance(q, dict) and q.get("value") is not None:
            value, unit = _decimal(q.get("value")), q.get("code")
        ratio = dosage.get("rateRatio")
        if value is None and isinstance(ratio, dict):
            num, den = ratio.get("numerator") or {}, ratio.get("denominator") or {}
            if isinstance(num, dict) and isinstance(den, dict) and num.get("value") is not None:
                n, d = _decimal(num.get("value")), _decimal(den.get("value", 1))
                if n is not None and d:
                    value, unit = n / d, f"{num.get('code')}/{den.get('code') or 'min'}"
        if value is None:
            return None, None
        for target in self.RATE_UNITS:
            try:
                return round(float(to_canonical(value, unit, target)[0]), 4), target
            except (UnitError, TypeError):
                continue
        self.warn("unit", f"{concept.label}: rate unit {unit!r} is not a mass per time (ug/min), per kg "
                  "(ug/kg/min) or units per time (U/min); rate not used", src)
        return None, None

    # -- Procedure ------------------------------------------------------------------------
    def procedure(self, proc: dict[str, Any]) -> None:
        src = _ref(proc)
        hit = self.b.match(proc.get("code"), "procedures")
        device = hit[0].o2_device if hit else None
        matched = hit[1] if hit else None
        for used in proc.get("usedCode") or ():
            member, code = self.b.value_set_member("o2_devices", used)
            if member:
                device, matched = member, code  # the device is more specific than the procedure
        if not hit and device is None:
            return
        timing = self._counted_span(proc, src, PROC_OK, "performed", "procedure")
        if timing is None:
            return
        status, start, end = timing
        concept = hit[0] if hit else None
        self.out.facts.append(Fact(
            "procedure", concept.name if concept and not device else "o2_support", src, start, end=end,
            open_ended=(status == "in-progress" and end is None), category=device, code=matched,
            classes=concept.classes if concept else ("o2_support",),
        ))

    # -- Condition ------------------------------------------------------------------------
    def condition(self, cond: dict[str, Any]) -> None:
        src = _ref(cond)
        hit = self.b.match(cond.get("code"), "conditions")
        if not hit:
            return
        verification = _first_code(cond.get("verificationStatus"))
        if verification == "entered-in-error":
            self.warn("status", f"verification {verification}: condition not counted", src)
            return
        if verification == "refuted":
            # A documented absence ("no bleeding"): a fact that the item is known to be absent.
            if not self.ok(cond):
                return
            when = parse_datetime(cond.get("recordedDate")) or parse_datetime(cond.get("onsetDateTime"))
            if when is None:
                self.warn("no-time", "refuted condition without recordedDate: not used", src)
                return
            concept, matched = hit
            self.out.facts.append(Fact("condition", concept.name, src, when, code=matched,
                                       category="refuted", classes=concept.classes))
            return
        clinical = _first_code(cond.get("clinicalStatus"))
        if not self.ok(cond):
            return
        onset = parse_datetime(cond.get("onsetDateTime")) or parse_datetime(
            (cond.get("onsetPeriod") or {}).get("start")) or parse_datetime(cond.get("recordedDate"))
        abatement = parse_datetime(cond.get("abatementDateTime")) or parse_datetime(
            (cond.get("abatementPeriod") or {}).get("end"))
        if clinical in COND_PAST and abatement is None:
            self.warn("status", f"clinical status {clinical} with no abatement date: not counted as current", src)
            return
        if clinical not in COND_ACTIVE | COND_PAST:
            self.warn("status", f"clinical status {clinical!r}: condition not counted", src)
            return
        if onset is None:
            self.warn("no-time", "no onset or recorded date: taken as present since before the data", src)
            onset = datetime(1900, 1, 1, tzinfo=abatement.tzinfo if abatement else None) \
                if abatement else parse_datetime("1900-01-01")
        concept, matched = hit
        self.out.facts.append(Fact("condition", concept.name, src, onset, end=abatement,
                                   open_ended=abatement is None, code=matched, classes=concept.classes))

    # -- QuestionnaireResponse (ICE, CAPD ...: fhir_adapters/questionnaire.py) ------------------
    def questionnaire_response(self, qr: dict[str, Any]) -> None:
        self.out.facts.extend(map_questionnaire_response(qr, self.b, self.warn, self.ok))

    # -- Patient --------------------------------------------------------------------------
    def patient(self, pat: dict[str, Any]) -> None:
        self.out.birth_date = parse_date(pat.get("birthDate"))


def _first_code(codeable: Any) -> str | None:
    if isinstance(codeable, dict):
        for c in codeable.get("coding") or ():
            if isinstance(c, dict) and c.get("code"):
                return c["code"]
    return None


def map_patient(
    pr: PatientResources,
    bindings: Bindings,
    *,
    infusion_date: date | None = None,
    validate_resources: bool | str = True,
) -> PatientFacts:
    """Turn one patient's raw resources into :class:`PatientFacts` (facts sorted by time).

    ``validate_resources``: True validates every mapped resource with fhir.resources now;
    ``"lazy"`` defers it to :meth:`PatientFacts.validate_sources`, which the evaluator calls for the
    resources its inputs rest on (validation costs ~60x parsing); False never validates
    (benchmark comparison only).
    """
    m = _Mapper(bindings, pr, validate_resources)
    handlers = {
        "Observation": m.observation,
        "MedicationAdministration": m.medication,
        "Procedure": m.procedure,
        "Condition": m.condition,
        "QuestionnaireResponse": m.questionnaire_response,
        "Patient": m.patient,
    }
    for res in pr.resources:
        handler = handlers.get(res.get("resourceType", ""))
        if handler is None:
            continue
        before = (len(m.out.facts), len(m.cart_times), len(m.out.warnings), len(m.out.absences))
        try:
            handler(res)
        except (TypeError, AttributeError, ValueError, KeyError) as exc:
            # Malformed beyond what the checks above expect: a warning naming it, never a crash.
            m.warn("malformed", f"cannot read ({type(exc).__name__}: {exc}); resource not used", _ref(res))
            m.out.unvalidated.pop(_ref(res), None)
            del m.out.facts[before[0]:]
            del m.cart_times[before[1]:]
            del m.out.absences[before[3]:]
            continue
        if validate_resources == "lazy" and _ref(res) in m.out.unvalidated:
            if len(m.cart_times) > before[1] or len(m.out.facts) == before[0]:
                # No fact to validate later (a day-0 anchor, or a bound resource that mapped to
                # nothing): validate now so an invalid resource is named as invalid.
                reason = validate(m.out.unvalidated.pop(_ref(res)))
                if reason:  # the invalid reason supersedes what the mapper said of it (as in eager mode)
                    del m.out.warnings[before[2]:]
                    m.warn("invalid", f"{reason}; resource not used", _ref(res))
                    if len(m.cart_times) > before[1]:
                        m.cart_times.pop()
                    del m.out.facts[before[0]:]
                    del m.out.absences[before[3]:]
    out = m.out
    if infusion_date is not None:
        out.infusion_date = infusion_date
        out.infusion_source = "--infusion-date"
    elif m.cart_times:
        first, src = min(m.cart_times)
        out.infusion_time, out.infusion_date, out.infusion_source = first, first.date(), src
    out.facts.sort(key=lambda f: (f.time, f.source))
    if out.facts:
        out.latest_time = max((f.end if f.end and not f.open_ended else f.time) for f in out.facts)
    if out.infusion_date is not None:
        d0 = out.infusion_date
        for f in out.facts:
            # Facts are frozen for everyone else; the day is set once here, before anyone reads them
            # (dataclasses.replace per fact cost ~5 ms for a 230-resource patient).
            object.__setattr__(f, "day", (f.time.date() - d0).days)
    return out
