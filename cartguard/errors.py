"""One exception hierarchy for cartguard, rooted in :class:`CartguardError`.

Lower-layer errors (orjson's, pydantic's, fhir.resources', durable-rules' bare codes) are
translated into these at the boundary and never leaked. Messages say what was expected, what
was found and where (file and line, or resource type and id).
"""

from __future__ import annotations


class CartguardError(Exception):
    """Base of every error cartguard raises on purpose."""


class InputError(CartguardError):
    """Input that cannot be read as FHIR R4 data (not JSON, not FHIR, invalid resource)."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


class PackError(CartguardError):
    """A rule pack that is malformed, inconsistent or references something that does not exist."""

    def __init__(self, message: str, *, pack: str | None = None) -> None:
        self.pack = pack
        super().__init__(f"pack {pack}: {message}" if pack else message)


class EngineError(CartguardError):
    """The rule engine failed, or its answer disagrees with what the pack allows.

    Raised, never swallowed: a failing rule must not look like "no finding".
    """
