"""cartguard: cited CRS grades, ISTH DIC scores and escalation guidance from FHIR R4 data.

The public API is this module. The repository's root folders are installed as subpackages:
``fhir_adapters/`` → :mod:`cartguard.fhir_adapters`, ``engine/`` → :mod:`cartguard.engine`,
``rules/`` → :mod:`cartguard.rules`.

Output is decision support for clinicians, not a prescription.
"""

from cartguard.errors import (
    CartguardError,
    EngineError,
    InputError,
    PackError,
)

__version__ = "0.1.0"

__all__ = [
    "CartguardError",
    "EngineError",
    "InputError",
    "PackError",
    "__version__",
    "evaluate_path",
    "Evaluator",
]


def __getattr__(name: str):  # lazy: importing cartguard must not compile C rulesets
    if name in ("evaluate_path", "Evaluator"):
        from cartguard import api

        return getattr(api, name)
    raise AttributeError(name)
