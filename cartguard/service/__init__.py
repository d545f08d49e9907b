"""The CDS Hooks service (``pip install cartguard[service]``, ``cartguard serve``; docs/service.md)."""

from cartguard.service.app import create_app
from cartguard.service.settings import Issuer, Settings

__all__ = ["Issuer", "Settings", "create_app"]
