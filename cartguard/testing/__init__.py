"""Helpers for testing packs: build real FHIR R4 resources on an infusion-day timeline.

Used by cartguard's own Gherkin steps and tests; meant to become the reusable step library a
site pack's features use. Every builder returns a plain dict that validates against the R4B
models (``tests/test_testing_builders.py`` checks it).
"""

from cartguard.testing.fhir import PatientBuilder
from cartguard.testing.plugins import PackFiles

__all__ = ["PackFiles", "PatientBuilder"]
