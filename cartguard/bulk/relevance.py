"""Decide from the raw JSON, before any validation, whether a resource can matter to the packs.

A Bulk Data export is mostly resources no rule reads (routine chemistry, encounters, notes). The
mapper (:func:`cartguard.fhir_adapters.mapper.map_patient`) ignores them without a word, so they
can be dropped while the export is streamed, and only the rest is grouped, mapped and - lazily, as
always - validated with fhir.resources. The test is *conservative*: a resource is kept whenever the
mapper could draw a fact or a warning from it, and the decision uses the packs' own
:class:`~cartguard.fhir_adapters.bindings.Bindings` (exact codes, ``*`` code families, local
systems), never a copy of them:

* Patient: always kept (birth date; the patient exists even without data).
* Observation: its code or a component's code is bound as an observations concept.
* MedicationAdministration: ``medicationCodeableConcept`` bound as a medication or a CAR-T
  product; an administration naming its drug by reference is always kept (the Medication may be in
  another file, and the mapper must be able to say when it cannot be resolved).
* Procedure: its code is bound, or a ``usedCode`` is an oxygen device.
* Condition: its code is bound as a condition.
* QuestionnaireResponse: its Questionnaire is bound.
* Medication: shared, not owned by a patient; kept in full when its code is bound, else as an
  id-only stub, so that a reference to it still resolves exactly as when the folder is loaded whole.
* Everything else (Encounter, Device, DiagnosticReport ...): skipped and counted.

A resource whose shape makes the test itself fail is kept: the mapper then names it as malformed.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from cartguard.fhir_adapters.bindings import Bindings

MAPPED_TYPES = frozenset({"Patient", "Observation", "MedicationAdministration", "Procedure", "Condition",
                          "QuestionnaireResponse"})
"""Resource types the mapper reads (its handlers); a patient's resource of another type is never used."""
SHARED_MAPPED = "Medication"
"""The one shared (patient-less) type the mapper reads: through ``MedicationAdministration.medicationReference``."""
READ_TYPES = MAPPED_TYPES | {SHARED_MAPPED}
"""Types worth parsing at all: a manifest file of any other type is counted, not read."""
_CACHE_LIMIT = 200_000


class Verdict(Enum):
    """What to do with one resource of the export."""

    PATIENT = "patient"
    """Kept: grouped under its patient and evaluated."""
    SHARED = "shared"
    """A bound Medication, kept whole in the shared index."""
    STUB = "stub"
    """An unbound Medication: only its id is kept (references to it still resolve)."""
    SKIP = "skip"
    """Irrelevant to every loaded pack: counted and dropped."""


class Relevance:
    """The relevance test for one pack set's bindings (cheap: one dict lookup per coding once warm)."""

    def __init__(self, bindings: Bindings) -> None:
        self.bindings = bindings
        self._codings: dict[str, dict[tuple[str, str], bool]] = {
            kind: {} for kind in ("observations", "medications", "procedures", "conditions")}
        self._observation_codings = self._codings["observations"]

    def _bound(self, codeable: Any, kind: str) -> bool:
        """Whether :meth:`Bindings.match` finds a ``kind`` concept in ``codeable``.

        ``match`` returns the first coding that matches, so it matches the whole CodeableConcept
        exactly when it matches one of its codings alone; the answer per (system, code) is cached,
        because an export repeats a few hundred codes millions of times.
        """
        if not isinstance(codeable, dict):
            return False
        codings = codeable.get("coding")
        if not isinstance(codings, list):
            return False
        for coding in codings:
            if not isinstance(coding, dict):
                continue
            system, code = coding.get("system"), coding.get("code")
            if not isinstance(system, str) or not isinstance(code, str):
                if self.bindings.match({"coding": [coding]}, kind) is not None:
                    return True
                continue
            cache = self._codings[kind]
            hit = cache.get((system, code))
            if hit is None:
                if len(cache) >= _CACHE_LIMIT:
                    cache.clear()
                hit = cache[(system, code)] = self.bindings.match({"coding": [coding]}, kind) is not None
            if hit:
                return True
        return False

    def verdict(self, resource: dict[str, Any]) -> Verdict:
        """Keep, stub or skip ``resource`` (a parsed JSON object with a string ``resourceType``)."""
        rtype = resource["resourceType"]
        try:
            if rtype == "Observation":
                # The usual shape - one coding, already judged, no component - answered from the cache
                # that _bound fills (most of an export is Observations of a few hundred codes).
                try:
                    (coding,) = resource["code"]["coding"]
                    hit = self._observation_codings.get((coding["system"], coding["code"]))
                except (KeyError, TypeError, ValueError):
                    hit = None
                if hit is not None and (hit or not resource.get("component")):
                    return Verdict.PATIENT if hit else Verdict.SKIP
                return Verdict.PATIENT if self._observation(resource) else Verdict.SKIP
            if rtype == "Patient":
                return Verdict.PATIENT
            if rtype == "MedicationAdministration":
                return Verdict.PATIENT if self._administration(resource) else Verdict.SKIP
            if rtype == "Procedure":
                return Verdict.PATIENT if self._procedure(resource) else Verdict.SKIP
            if rtype == "Condition":
                return Verdict.PATIENT if self._bound(resource.get("code"), "conditions") else Verdict.SKIP
            if rtype == "QuestionnaireResponse":
                bound = self.bindings.questionnaire(resource.get("questionnaire")) is not None
                return Verdict.PATIENT if bound else Verdict.SKIP
            if rtype == SHARED_MAPPED:
                return Verdict.SHARED if self._medication_code(resource.get("code")) else Verdict.STUB
        except Exception:  # a shape the test cannot read: keep it, the mapper names it as malformed
            return Verdict.SHARED if rtype == SHARED_MAPPED else Verdict.PATIENT
        return Verdict.SKIP

    def _observation(self, obs: dict[str, Any]) -> bool:
        if self._bound(obs.get("code"), "observations"):
            return True
        components = obs.get("component")
        if not components:
            return False
        # Iterated as the mapper iterates it, so a malformed component fails here as it would there.
        return any(self._bound(comp.get("code"), "observations") for comp in components if isinstance(comp, dict))

    def _medication_code(self, code: Any) -> bool:
        return self.bindings.is_cart_product(code) or self._bound(code, "medications")

    def _administration(self, ma: dict[str, Any]) -> bool:
        concept = ma.get("medicationCodeableConcept")
        if concept:
            return self._medication_code(concept)
        reference = ma.get("medicationReference")
        return isinstance(reference, dict) and isinstance(reference.get("reference"), str)

    def _procedure(self, proc: dict[str, Any]) -> bool:
        if self._bound(proc.get("code"), "procedures"):
            return True
        return any(self.bindings.value_set_member("o2_devices", used)[0] is not None
                   for used in proc.get("usedCode") or ())
