"""Results for an EHR: CDS Hooks 2.0 cards and validated FHIR R4 resources.

cartguard's JSON result is its own contract; an EHR speaks CDS Hooks (cards shown when a hook
fires) and FHIR (resources it can store). This package turns a
:class:`~cartguard.engine.results.PatientResult` into both, and adds nothing clinical: every grade,
text, citation and dose comes from the result; only the wording of a one-line summary and the
severity mapping are decided here (:mod:`cartguard.outputs.triage`, docs/outputs.md).

Modules, one job each: :mod:`~cartguard.outputs.triage` (how serious, in one line),
:mod:`~cartguard.outputs.trace` (deterministic ids, code systems, tags),
:mod:`~cartguard.outputs.cards` (CDS Hooks), :mod:`~cartguard.outputs.fhir_resources` (FHIR),
:mod:`~cartguard.outputs.data_requirements` (what would settle an indeterminate result).

Pass ``loaded`` (the :class:`~cartguard.fhir_adapters.loading.LoadResult` that was evaluated) so a
patient whose input was tagged HTEST gets HTEST on everything generated for them, and ``packset``
(the PackSet of the evaluator) so missing inputs become FHIR DataRequirements.

Decision support for clinicians, not a prescription.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import orjson

from cartguard.engine.results import PatientResult
from cartguard.fhir_adapters.loading import LoadResult
from cartguard.outputs import cards as _cards
from cartguard.outputs import fhir_resources as _fhir
from cartguard.outputs.cards import Card
from cartguard.outputs.trace import htest_patients

if TYPE_CHECKING:  # type-only: importing the pack machinery costs ~0.2 s
    from cartguard.engine.packset import PackSet

__all__ = [
    "Card",
    "cards",
    "cds_hooks_response",
    "fhir_bundle",
    "fhir_resources",
    "htest_patients",
    "to_cards_json",
    "to_fhir_json",
]


def cards(result: PatientResult, *, loaded: LoadResult | None = None) -> list[Card]:
    """The CDS Hooks cards of one patient, critical first (pydantic models)."""
    return _cards.patient_cards(result, htest_patients(loaded))


def cds_hooks_response(result: PatientResult, *, loaded: LoadResult | None = None) -> dict[str, Any]:
    """A CDS Hooks service response ``{"cards": [...], "extension": {...}}`` for one patient, JSON-ready."""
    return _cards.response(result, htest_patients(loaded))


def fhir_resources(result: PatientResult, *, loaded: LoadResult | None = None,
                   packset: PackSet | None = None) -> list[dict[str, Any]]:
    """The validated FHIR resources of one patient (Observation, RiskAssessment, DetectedIssue ...)."""
    return _fhir.patient_resources(result, tested=htest_patients(loaded), packset=packset)


def fhir_bundle(results: Iterable[PatientResult], *, loaded: LoadResult | None = None,
                packset: PackSet | None = None) -> dict[str, Any]:
    """One validated FHIR Bundle (type collection) for one or many patients, JSON-ready."""
    return _fhir.bundle(results, tested=htest_patients(loaded), packset=packset)


def to_cards_json(results: list[PatientResult], *, loaded: LoadResult | None = None) -> bytes:
    """CDS Hooks JSON: one response for one patient, a list of responses (one each) for several,
    as :func:`cartguard.render.to_json` does for results."""
    tested = htest_patients(loaded)
    payload = _cards.responses(results, tested)
    return orjson.dumps(payload[0] if len(payload) == 1 else payload, option=orjson.OPT_INDENT_2)


def to_fhir_json(results: list[PatientResult], *, loaded: LoadResult | None = None,
                 packset: PackSet | None = None) -> bytes:
    """One FHIR Bundle (collection) as JSON, whatever the number of patients."""
    return orjson.dumps(fhir_bundle(results, loaded=loaded, packset=packset), option=orjson.OPT_INDENT_2)
