"""Gherkin steps for the older CRS scales (Lee 2014, CTCAE v5.0): FiO2, vasopressor doses, clinician-stated severity.

Loaded by :mod:`cartguard.testing.steps` (``pytest_plugins``), so the shared fixtures
(``cartguard_world`` ...) and parse types (:func:`cartguard.testing.steps.p`) are available.
"""

from __future__ import annotations
