"""Run an installed rule pack's own Gherkin features (``cartguard packs test PACK``).

A pack declares ``features: <folder>`` (relative to its YAML file). :func:`run_pack_features`
finds the pack in the installed pack set, and runs pytest on every ``*.feature`` file under that
folder with cartguard's step library (:mod:`cartguard.testing.steps`) against that same pack set:
the site writes feature files only, no test module and no conftest.

How: a throw-away folder gets a ``pytest.ini`` (so neither the current directory's nor cartguard's
own pytest settings apply; the rootdir is that folder) and one test module calling
``pytest_bdd.scenarios(<features folder>)``. Tags used in the features are registered as markers,
so ``-m TAG`` selects scenarios. Steps beyond the library's belong in a pytest plugin of the
site's own distribution (a ``pytest11`` entry point), which pytest loads like cartguard's.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cartguard.errors import PackError
from cartguard.testing.steps import CARTGUARD_PACKSET

if TYPE_CHECKING:
    from cartguard.engine.packs import LoadedPack
    from cartguard.engine.packset import PackSet

_TAG = re.compile(r"(?<!\S)@([^\s@]+)")


def features_folder(loaded: LoadedPack) -> Path:
    """The absolute features folder a loaded pack declares; PackError if none or not a folder."""
    pack = loaded.pack
    if not pack.features:
        raise PackError(f"declares no features (add 'features: <folder>' to {loaded.path})", pack=pack.id)
    folder = (Path(loaded.path).parent / pack.features).resolve()
    if not folder.is_dir():
        raise PackError(f"features folder {folder} (features: {pack.features!r} in {loaded.path}) does not exist",
                        pack=pack.id)
    return folder


def _tags(folder: Path) -> list[str]:
    tags: set[str] = set()
    for path in folder.rglob("*.feature"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith("@"):
                tags.update(_TAG.findall(line))
    return sorted(tags)


class _PackRun:
    """The plugin object of one run: pins the pack set and registers the features' tags."""

    def __init__(self, packset: PackSet, pack_id: str, tags: list[str]) -> None:
        self.packset = packset
        self.pack_id = pack_id
        self.tags = tags

    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[CARTGUARD_PACKSET] = self.packset
        for tag in self.tags:
            config.addinivalue_line("markers", f"{tag}: tag in the features of pack {self.pack_id}")


def _forget_parsed_features(folder: Path) -> None:
    """Drop pytest-bdd's cached parse of the folder's files: an earlier run in this process must not
    stand in for the files as they are now (pytest-bdd caches features by path, process-wide)."""
    from pytest_bdd import feature as bdd_feature

    cache = getattr(bdd_feature, "features", {})
    for name in [n for n in cache if Path(n).is_relative_to(folder)]:
        del cache[name]


def _module_name(pack_id: str) -> str:
    return "test_" + re.sub(r"\W", "_", pack_id) + "_features"


def run_pack_features(pack_id: str, extra_args: Sequence[str] = (), *, packset: PackSet | None = None) -> int:
    """Run the features of installed pack ``pack_id``; return pytest's exit code (0: all passed).

    ``extra_args`` go to pytest as given (``-v``, ``-k NAME``, ``-m TAG``, ``-x`` ...). ``packset``
    defaults to the installed one (:func:`cartguard.plugins.default_packset`); the scenarios are
    evaluated with the pack set the pack was found in. A folder without any scenario is a failure
    (exit code 1 and a message), never a pass. Raises PackError if the pack is not installed or
    declares no (existing) features folder.
    """
    if packset is None:
        from cartguard.plugins import default_packset

        packset = default_packset()
    by_id = {lp.pack.id: lp for lp in packset.loaded}
    if pack_id not in by_id:
        raise PackError(f"no installed pack {pack_id!r} (installed: {', '.join(sorted(by_id)) or 'none'})")
    folder = features_folder(by_id[pack_id])
    if _count_scenarios(folder) == 0:
        return _nothing_to_run(pack_id, folder)

    with tempfile.TemporaryDirectory(prefix="cartguard-packtest-") as tmp:
        root = Path(tmp)
        ini = root / "pytest.ini"
        # cartguard is imported before pytest starts (it found the pack): pytest cannot rewrite its
        # asserts (the steps' assertions carry their own messages) and need not warn about it.
        ini.write_text(f"[pytest]\nbdd_features_base_dir = {folder}\nfilterwarnings =\n"
                       "    ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning\n",
                       encoding="utf-8")
        module = root / f"{_module_name(pack_id)}.py"
        module.write_text(
            f'"""The features of pack {pack_id} ({folder})."""\n\n'
            "from pytest_bdd import scenarios\n\n"
            f"scenarios({str(folder)!r}, features_base_dir={str(folder)!r})\n",
            encoding="utf-8")
        args = ["-c", str(ini), "--rootdir", str(root), "-p", "no:cacheprovider", "--import-mode=importlib"]
        if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):  # load the two plugins the run needs
            args += ["-p", "pytest-bdd", "-p", "cartguard"]
        try:
            code = pytest.main([*args, *extra_args, str(module)], plugins=[_PackRun(packset, pack_id, _tags(folder))])
        finally:
            # The generated module lives in a deleted folder: never let a later run reuse it.
            for name, mod in list(sys.modules.items()):
                if (getattr(mod, "__file__", None) or "").startswith(str(root) + os.sep):
                    del sys.modules[name]
            _forget_parsed_features(folder)
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:  # e.g. -k or -m selected none
        return _nothing_to_run(pack_id, folder, "selected ")
    return int(code)


def _count_scenarios(folder: Path) -> int | None:
    """Scenarios in the folder's feature files; None if one does not parse (pytest will say where)."""
    from pytest_bdd.exceptions import GherkinParseError
    from pytest_bdd.feature import get_features

    _forget_parsed_features(folder)
    try:
        return sum(len(f.scenarios) for f in get_features([str(folder)]))
    except GherkinParseError:
        return None
    finally:
        _forget_parsed_features(folder)


def _nothing_to_run(pack_id: str, folder: Path, what: str = "") -> int:
    """No scenario is a failure, never a pass: a pack's features must test something."""
    print(f"cartguard: pack {pack_id}: no scenario {what}in {folder} (*.feature files, searched recursively)",
          file=sys.stderr)
    return int(pytest.ExitCode.TESTS_FAILED)
