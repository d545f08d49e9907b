"""cartguard's own Gherkin suite (features/, pytest-bdd 9).

The step definitions and fixtures are NOT here: they are cartguard's reusable step library,
:mod:`cartguard.testing.steps`, a pytest plugin registered through the ``pytest11`` entry point
(``cartguard = "cartguard.testing.steps"`` in pyproject.toml). Every pytest run in an environment
where cartguard is installed has them, exactly as a site's pack features do, so this suite tests
the library a site uses. Defining or importing steps here would register them a second time.

If the plugin is not loaded (cartguard not installed, or ``PYTEST_DISABLE_PLUGIN_AUTOLOAD`` set
without ``-p cartguard``), every scenario would fail with "step definition not found": say so
up front instead.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    import cartguard.testing.steps as steps

    if not config.pluginmanager.is_registered(steps):
        raise pytest.UsageError(
            "the cartguard step library (cartguard.testing.steps) is not loaded: install cartguard "
            "(pip install -e .) so its pytest11 entry point registers it, or pass -p pytest-bdd -p cartguard")
