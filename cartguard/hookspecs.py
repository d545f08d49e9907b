"""Every hook a cartguard plugin (a rule pack distribution) may implement, documented here.

Plugins are discovered through the entry-point group ``cartguard.packs``; the core packs
(:mod:`cartguard.rules.core_plugin`) register through these same hooks, exactly as a site pack
would. Entry points must name a module or an instance, not a class (pluggy registers a class as
is). Grouped by lifecycle phase, as in pytest's ``hookspec.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pluggy

PROJECT = "cartguard"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

# -------------------------------------------------------------------------------------------
# Discovery and pack loading
# -------------------------------------------------------------------------------------------


@hookspec
def cartguard_pack_paths() -> list[str | Path]:
    """Return the paths of the rule-pack YAML files this plugin provides.

    Called once when a :class:`~cartguard.plugins.Host` builds its pack set. Every plugin's list
    is collected (not ``firstresult``); the packs are then ordered by their declared
    ``requires`` and id, never by plugin registration order, so precedence is deterministic.
    A pack id provided by two plugins is an error at load time.
    """


@hookspec
def cartguard_parameter_overrides() -> dict[str, Any]:
    """Return ``{parameter name: value}`` overrides of named pack parameters.

    Called once per pack-set build, after every pack is loaded. Each override is recorded with
    the plugin that made it and shows in every result's explanation (``ParameterUse.source``).
    Two plugins overriding the same parameter is an error at load time, not a coin toss; an
    override of a parameter no pack declares is an error too.
    """
