"""Gherkin steps for the other DIC scores (ISTH non-overt, JAAM, JMHW, JSTH 2017, SIC, CDSS 2017).

Loaded by :mod:`cartguard.testing.steps` (``pytest_plugins``), so the shared fixtures
(``cartguard_world`` ...) and parse types (:func:`cartguard.testing.steps.p`) are available.
"""

from __future__ import annotations
