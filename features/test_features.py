"""Bind every Gherkin feature under features/ to pytest (pytest-bdd 9).

Paths are relative to ``bdd_features_base_dir`` (pyproject.toml: ``features``). Step definitions
live in ``features/conftest.py``.
"""

from pytest_bdd import scenarios

scenarios("crs", "dic", "adapters", "guidance")
