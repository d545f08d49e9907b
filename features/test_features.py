"""Bind every Gherkin feature under features/ to pytest (pytest-bdd 9).

Paths are relative to ``bdd_features_base_dir`` (pyproject.toml: ``features``). The step
definitions come from the ``cartguard`` pytest plugin, :mod:`cartguard.testing.steps`.
"""

from pytest_bdd import scenarios

scenarios("crs", "dic", "adapters", "guidance", "icans", "trajectory")
