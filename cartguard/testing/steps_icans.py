"""Gherkin steps for ICANS (ICE and CAPD scores, level of consciousness, seizures, motor findings, raised ICP) for the icans.astct2019 pack.

Loaded by :mod:`cartguard.testing.steps` (``pytest_plugins``), so the shared fixtures
(``cartguard_world`` ...) and parse types (:func:`cartguard.testing.steps.p`) are available.
"""

from __future__ import annotations
