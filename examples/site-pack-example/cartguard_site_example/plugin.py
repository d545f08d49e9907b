"""Registers the site pack with cartguard through the ``cartguard.packs`` entry point."""

from pathlib import Path

from cartguard.hookspecs import hookimpl


@hookimpl
def cartguard_pack_paths():
    """The site pack file shipped in this package."""
    return [Path(__file__).with_name("site_example.yaml")]
