"""Validate the resources the packs use with fhir.resources (R4B models, see fhir_version).

Only resources whose codes a pack binds are validated: validation costs ~60x parsing. A
resource that fails becomes a warning naming it and is not used; it never crashes the run.
fhir.resources does not check value-set bindings (``status="bogus"`` passes), so the mappers
check the status codes they rely on themselves.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from cartguard.fhir_version import model_class


def validate(resource: dict[str, Any]) -> str | None:
    """Return None when ``resource`` is valid FHIR, else a one-line reason."""
    try:
        model_class(resource["resourceType"]).model_validate(resource)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"] if p != "__root__")
        return f"invalid {resource['resourceType']}: {loc or 'resource'}: {err['msg']}"
    except (ImportError, AttributeError):
        return f"unknown resource type {resource.get('resourceType')!r}"
    except Exception as exc:  # fhir.resources may raise non-pydantic errors on odd input
        return f"invalid {resource['resourceType']}: {type(exc).__name__}: {exc}"
    return None
