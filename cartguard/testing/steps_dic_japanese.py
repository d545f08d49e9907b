"""Gherkin steps for the Japanese DIC scores (JAAM 2006, JMHW 1988, JSTH 2017) and SIRS.

Loaded by :mod:`cartguard.testing.steps` (``pytest_plugins``), so the shared fixtures
(``cartguard_world`` ...) and parse types (:func:`cartguard.testing.steps.p`) are available.
"""

from __future__ import annotations
