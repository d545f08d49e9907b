"""What to fetch to settle an indeterminate result, as FHIR DataRequirements.

An indeterminate assessment names its missing inputs (``Assessment.missing``: pack input, label,
reason). An EHR can act on that only if it knows which resources and codes those inputs read, and
that lives in the packs, not in the result: a pack input reads concepts (``analytes``, or
condition/medication ``classes``), and the packs' bindings give each concept its FHIR resource type
and codes. Given the PackSet that produced the result, each missing input becomes one
DataRequirement per resource type, with the bound codes, the input's look-back window and, for an
input that reads the latest value, ``limit: 1``. Without the PackSet there are none; the missing
inputs are still named in the GuidanceResponse note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from cartguard.engine.results import PatientResult
from cartguard.fhir_adapters.bindings import CONCEPT_KINDS, Bindings, Concept

if TYPE_CHECKING:  # type-only: importing the pack machinery costs ~0.2 s
    from cartguard.engine.packs import InputSpec, Pack
    from cartguard.engine.packset import PackSet

UCUM = "http://unitsofmeasure.org"
RESOURCE_OF_KIND: dict[str, tuple[str, str, str | None]] = {
    # concept kind -> (resource type, code path, date path)
    "observations": ("Observation", "code", "effective"),
    "medications": ("MedicationAdministration", "medication", "effective"),
    "procedures": ("Procedure", "code", "performed"),
    "conditions": ("Condition", "code", "onset"),
}


def _codes_by_concept(bindings: Bindings) -> dict[str, list[tuple[str, str]]]:
    """Concept name -> its exact bound (system, code) pairs (code families ``C91.0*`` are left out)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for system, code in sorted(bindings.relevant_codes()):
        for kind in CONCEPT_KINDS:
            hit = bindings.match({"coding": [{"system": system, "code": code}]}, kind)
            if hit is not None:
                out.setdefault(hit[0].name, []).append((system, code))
                break
    return out


def _concepts(pack: Pack, spec: InputSpec, bindings: Bindings, seen: set[str] | None = None) -> list[Concept]:
    """The concepts an input reads, through the inputs it is derived from."""
    seen = set() if seen is None else seen
    out = [bindings.concepts[a] for a in spec.analytes if a in bindings.concepts]
    wanted = set(spec.classes)
    out += [c for c in bindings.concepts.values() if wanted & set(c.classes)]
    for name in spec.inputs:
        if name in pack.inputs and name not in seen:
            seen.add(name)
            out += _concepts(pack, pack.inputs[name], bindings, seen)
    return list({c.name: c for c in out}.values())


def _window_hours(spec: InputSpec, packset: PackSet) -> float | None:
    window: Any = spec.window_hours
    if isinstance(window, str) and window.startswith("$"):
        window = packset.params.get(window[1:])
    return float(window) if isinstance(window, int | float) and not isinstance(window, bool) else None


def data_requirements(result: PatientResult, packset: PackSet) -> list[dict[str, Any]]:
    """DataRequirements for every missing input of every indeterminate assessment (deduplicated)."""
    codes = _codes_by_concept(packset.bindings)
    out: dict[bytes, dict[str, Any]] = {}
    for a in result.assessments.values():
        cp = packset.compiled.get(a.id)
        if a.status != "indeterminate" or cp is None:
            continue
        for missing in a.missing:
            spec = cp.pack.inputs.get(missing.input)
            if spec is None:
                continue
            by_kind: dict[str, list[Concept]] = {}
            for concept in _concepts(cp.pack, spec, packset.bindings):
                by_kind.setdefault(concept.kind, []).append(concept)
            for kind, concepts in by_kind.items():
                rtype, code_path, date_path = RESOURCE_OF_KIND[kind]
                codings = [{"system": s, "code": c, "display": concept.label or concept.name}
                           for concept in concepts for s, c in codes.get(concept.name, [])]
                if not codings:
                    continue
                req: dict[str, Any] = {"type": rtype, "codeFilter": [{"path": code_path, "code": codings}]}
                hours = _window_hours(spec, packset)
                if hours is not None and date_path is not None:
                    req["dateFilter"] = [{"path": date_path, "valueDuration": {
                        "value": hours, "unit": "h", "system": UCUM, "code": "h"}}]
                if spec.reduce == "latest" and date_path is not None:
                    req["sort"] = [{"path": date_path, "direction": "descending"}]
                    req["limit"] = 1
                out.setdefault(orjson.dumps(req, option=orjson.OPT_SORT_KEYS), req)
    return list(out.values())
