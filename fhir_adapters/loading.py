"""Read FHIR R4 input from disk or bytes and group the resources by patient.

Accepts a Bundle (any type), an NDJSON file (one resource per line), a single resource, or a
folder of these. Parsing uses orjson; full validation happens later and only for the resources
the packs use (see :mod:`cartguard.fhir_adapters.validation`), because validating every resource
costs ~60x parsing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from cartguard.errors import InputError
from cartguard.fhir_adapters.facts import Warning_

SUFFIXES = (".json", ".ndjson", ".jsonl")
SHARED_TYPES = frozenset({"Medication", "Device", "Practitioner", "Organization", "Encounter", "Location"})
"""Resource types that patients' resources reference but no patient owns: never grouped under one."""


@dataclass(slots=True)
class PatientResources:
    """The raw resources of one patient, with the Bundle-level index to resolve references."""

    patient: str
    resources: list[dict[str, Any]] = field(default_factory=list)
    index: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(slots=True)
class LoadResult:
    patients: dict[str, PatientResources]
    warnings: list[Warning_]


def _ref_of(resource: dict[str, Any]) -> str:
    return f"{resource.get('resourceType')}/{resource.get('id', '?')}"


def subject_of(resource: dict[str, Any]) -> str | None:
    """The patient reference a resource belongs to (a Patient's own ``Patient/id``), None if it names none."""
    if resource.get("resourceType") == "Patient":
        return f"Patient/{resource.get('id')}" if resource.get("id") else None
    for key in ("subject", "patient"):
        ref = resource.get(key)
        if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
            return ref["reference"]
    return None


def _flatten(obj: Any, origin: str, out: list[tuple[str, dict[str, Any], str | None]]) -> None:
    if not isinstance(obj, dict) or not isinstance(obj.get("resourceType"), str):
        raise InputError("not a FHIR resource (no 'resourceType')", source=origin)
    if obj["resourceType"] == "Bundle":
        entries = obj.get("entry") or []
        if not isinstance(entries, list):
            raise InputError("Bundle.entry is not a list", source=origin)
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or "resource" not in entry:
                continue
            _flatten_entry(entry, f"{origin}#entry[{i}]", out)
        return
    out.append((origin, obj, None))


def _flatten_entry(entry: dict[str, Any], origin: str, out: list[tuple[str, dict[str, Any], str | None]]) -> None:
    res = entry["resource"]
    if isinstance(res, dict) and res.get("resourceType") == "Bundle":
        _flatten(res, origin, out)
        return
    if not isinstance(res, dict) or not isinstance(res.get("resourceType"), str):
        raise InputError("Bundle entry holds no FHIR resource", source=origin)
    out.append((origin, res, entry.get("fullUrl")))


def load_bytes(data: bytes, origin: str = "<input>", index: dict[str, dict[str, Any]] | None = None) -> LoadResult:
    """Parse JSON or NDJSON bytes into resources grouped by patient (``index``: see :func:`_group`)."""
    items: list[tuple[str, dict[str, Any], str | None]] = []
    stripped = data.lstrip()
    if not stripped:
        raise InputError("empty input", source=origin)
    try:
        doc = orjson.loads(data)
        if _is_bulk_manifest(doc):
            return LoadResult(patients={}, warnings=[])  # lists the export's files; holds no resource
        _flatten(doc, origin, items)
    except orjson.JSONDecodeError:
        # Not one JSON document: try NDJSON, one resource per line.
        lines = data.splitlines()
        if len(lines) < 2 and not origin.endswith((".ndjson", ".jsonl")):
            raise InputError("not valid JSON", source=origin) from None
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise InputError(f"line {n}: not valid JSON ({exc})", source=origin) from None
            _flatten(obj, f"{origin}:{n}", items)
    return _group(items, index)


def _is_bulk_manifest(doc: Any) -> bool:
    """The Bulk Data complete-status response (``manifest.json`` beside an export's NDJSON files)."""
    return (isinstance(doc, dict) and "resourceType" not in doc and isinstance(doc.get("output"), list)
            and "transactionTime" in doc)


def _group(items: list[tuple[str, dict[str, Any], str | None]],
           index: dict[str, dict[str, Any]] | None = None) -> LoadResult:
    """Group by patient. ``index`` (shared across the files of a folder) resolves references to
    resources held in other files: a Bulk Data export keeps Medications in their own file."""
    patients: dict[str, PatientResources] = {}
    warnings: list[Warning_] = []
    index = {} if index is None else index
    for _origin, res, full_url in items:
        index[_ref_of(res)] = res
        if full_url:
            index[full_url] = res
    for origin, res, _ in items:
        rtype = res["resourceType"]
        if rtype in SHARED_TYPES:
            continue  # referenced, not owned by a patient
        subject = subject_of(res)
        if subject is None:
            warnings.append(
                Warning_("no-subject", f"{rtype} has no subject/patient reference; ignored ({origin})",
                         _ref_of(res))
            )
            continue
        # A subject given as a fullUrl (urn:uuid:...) resolves to the Patient it names.
        target = index.get(subject)
        if target is not None and target.get("resourceType") == "Patient" and target.get("id"):
            subject = f"Patient/{target['id']}"
        pr = patients.get(subject)
        if pr is None:
            pr = patients[subject] = PatientResources(patient=subject, index=index)
        pr.resources.append(res)
    return LoadResult(patients=patients, warnings=warnings)


def load_path(path: str | Path) -> LoadResult:
    """Read a file or a folder (recursively, ``*.json``/``*.ndjson``) into resources by patient."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file or folder", source=str(path))
    files = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES) if path.is_dir() else [path]
    if not files:
        raise InputError("folder holds no .json or .ndjson files", source=str(path))
    merged: dict[str, PatientResources] = {}
    warnings: list[Warning_] = []
    index: dict[str, dict[str, Any]] = {}  # one for the whole folder: references may cross files
    for file in files:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", source=str(file)) from None
        result = load_bytes(data, str(file), index)
        warnings.extend(result.warnings)
        for pid, pr in result.patients.items():
            if pid in merged:
                merged[pid].resources.extend(pr.resources)
            else:
                merged[pid] = pr
    return LoadResult(patients=merged, warnings=warnings)
