"""Shared fixtures for the unit, isolation and property tests.

Every evaluation in this suite runs with ``backend="both"``: durable-rules and the plain-Python
reference evaluator, any disagreement raising :class:`~cartguard.errors.EngineError`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

from cartguard.engine.evaluate import Evaluator
from cartguard.engine.packset import PackSet
from cartguard.plugins import default_packset

# Never write into the repository: no example database, and Hypothesis' own caches (it writes
# .hypothesis/ in the working directory even without a database) go to the system temp folder.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "cartguard-tests-hypothesis")
settings.register_profile("cartguard", database=None, deadline=None, print_blob=True)
settings.load_profile("cartguard")


@pytest.fixture(scope="session")
def packset() -> PackSet:
    return default_packset()


@pytest.fixture(scope="session")
def evaluator(packset: PackSet) -> Evaluator:
    return Evaluator(packset, "both")


@pytest.fixture(scope="session")
def bindings(packset: PackSet):
    return packset.bindings


@pytest.fixture(scope="session")
def example_input():
    """The shipped example patient, loaded (examples/patient-cart-example.json)."""
    from _cg import EXAMPLE

    from cartguard.fhir_adapters.loading import load_path

    return load_path(EXAMPLE)


@pytest.fixture(scope="session")
def example_course_facts(example_input, evaluator):
    """The example's daily course and the facts it was computed from (figure and page tests)."""
    from cartguard.trajectory import trajectory_with_facts

    return trajectory_with_facts(example_input, evaluator)


@pytest.fixture(scope="session")
def durable(packset: PackSet) -> Evaluator:
    """The durable-rules backend alone, as the CLI and the service run (output tests)."""
    return Evaluator(packset, "durable")


@pytest.fixture(scope="session")
def example(example_input, durable):
    """The example loaded and evaluated at day +7 08:00 on durable-rules: ``(LoadResult, PatientResult)``."""
    from _cg import EXAMPLE_AT

    from cartguard.api import evaluate_loaded

    return example_input, evaluate_loaded(example_input, durable, at=EXAMPLE_AT)[0]
