"""FHIR R4 in, typed facts out.

:func:`load_path` reads a Bundle, an NDJSON file, a single resource or a folder of these;
:func:`map_patient` turns one patient's resources into unit-normalised :class:`Fact` objects,
each linked to the resource it came from and placed on the infusion-day timeline. Which codes
mean what is not written here: the rule packs declare it (:class:`Bindings`).
"""

from cartguard.fhir_adapters.bindings import Bindings
from cartguard.fhir_adapters.facts import Fact, PatientFacts, Warning_
from cartguard.fhir_adapters.loading import PatientResources, load_bytes, load_path
from cartguard.fhir_adapters.mapper import map_patient

__all__ = [
    "Bindings",
    "Fact",
    "PatientFacts",
    "PatientResources",
    "Warning_",
    "load_bytes",
    "load_path",
    "map_patient",
]
