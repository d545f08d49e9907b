"""Plugin objects for tests: register pack files without installing a distribution."""

from __future__ import annotations

from pathlib import Path

from cartguard.hookspecs import hookimpl


class PackFiles:
    """A plugin that provides the given pack files, as an installed site pack's entry point would.

    ``get_plugin_manager(plugins=[PackFiles(path)])`` then builds the pack set with them.
    """

    def __init__(self, *paths: str | Path) -> None:
        self.paths = [Path(p) for p in paths]

    @hookimpl
    def cartguard_pack_paths(self) -> list[Path]:
        return self.paths
