"""The one place that names the FHIR version cartguard reads.

EHRs send FHIR R4 (4.0.1). fhir.resources 8 ships R5 as its default package and R4B
(4.3.0) as the closest to R4; for the resources cartguard reads (Observation,
MedicationAdministration, Procedure, Condition, Patient, Bundle) R4B and R4 are the same.
Every module imports its models from here, so moving to another package is one edit.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

FHIR_VERSION = "4.0.1"
"""The FHIR version cartguard accepts (R4)."""

MODELS_PACKAGE = "fhir.resources.R4B"
"""The fhir.resources package whose models validate R4 input (R4B, see module docstring)."""


@cache
def model_class(resource_type: str) -> Any:
    """Return the fhir.resources model class for ``resource_type`` (e.g. ``"Observation"``)."""
    module = importlib.import_module(f"{MODELS_PACKAGE}.{resource_type.lower()}")
    return getattr(module, resource_type)
