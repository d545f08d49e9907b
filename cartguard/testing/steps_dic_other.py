"""Gherkin steps for ISTH non-overt DIC, sepsis-induced coagulopathy (SIC) and the Chinese DIC Scoring System (CDSS 2017).

Loaded by :mod:`cartguard.testing.steps` (``pytest_plugins``), so the shared fixtures
(``cartguard_world`` ...) and parse types (:func:`cartguard.testing.steps.p`) are available.
"""

from __future__ import annotations
