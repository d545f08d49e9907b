"""The pluggy host: discovers rule-pack plugins and builds the :class:`PackSet` they describe.

Wired in one place (:func:`get_plugin_manager`), like pluggy's eggsample host.
"""

from __future__ import annotations

from typing import Any, cast

import pluggy

from cartguard import hookspecs
from cartguard.engine.packs import load_pack_file
from cartguard.engine.packset import PackSet
from cartguard.errors import PackError

ENTRY_POINT_GROUP = "cartguard.packs"


def get_plugin_manager(load_entry_points: bool = True, plugins: list[Any] | None = None) -> pluggy.PluginManager:
    """A plugin manager with the hookspecs, entry-point plugins and any ``plugins`` given."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    if load_entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for p in plugins or ():
        name = getattr(p, "__name__", None) or type(p).__name__
        pm.register(p, name=name if pm.get_plugin(name) is None else None)
    pm.check_pending()  # a misspelled hook implementation fails here instead of being ignored
    return pm


def _plugin_name(pm: pluggy.PluginManager, plugin: Any) -> str:
    name = pm.get_name(plugin) or repr(plugin)
    for p, dist in pm.list_plugin_distinfo():
        if p is plugin:
            return f"{dist.project_name} {dist.version}"
    return name


def build_packset(pm: pluggy.PluginManager) -> PackSet:
    """Load every plugin's packs and overrides into one deterministic :class:`PackSet`."""
    loaded = []
    for impl in pm.hook.cartguard_pack_paths.get_hookimpls():
        who = _plugin_name(pm, impl.plugin)
        paths = cast(list[Any], impl.function() or [])
        for path in paths:
            loaded.append(load_pack_file(path, plugin=who))
    overrides: dict[str, tuple[Any, str]] = {}
    for impl in pm.hook.cartguard_parameter_overrides.get_hookimpls():
        who = _plugin_name(pm, impl.plugin)
        values = cast(dict[str, Any], impl.function() or {})
        for name, value in values.items():
            if name in overrides:
                raise PackError(f"parameter {name} is overridden by both {overrides[name][1]} and {who}")
            overrides[name] = (value, f"override by {who}")
    return PackSet(loaded, overrides)


def default_packset() -> PackSet:
    """The pack set of every installed plugin (entry points), as the CLI uses it."""
    return build_packset(get_plugin_manager())
