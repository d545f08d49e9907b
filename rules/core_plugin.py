"""The core packs' plugin: registered through the ``cartguard.packs`` entry point like any site pack."""

from __future__ import annotations

from cartguard.hookspecs import hookimpl
from cartguard.rules import CORE_PACK_FILES


@hookimpl
def cartguard_pack_paths():
    """The core pack files shipped in this package."""
    return list(CORE_PACK_FILES)
