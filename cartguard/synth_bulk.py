"""Synthetic FHIR Bulk Data export: the synthetic cohort written as a real export would arrive.

A Bulk Data ``$export`` (FHIR Bulk Data Access IG, "complete status" response) delivers one or more
NDJSON files per resource type plus a manifest listing them. A patient's resources are scattered
over those files, and most of what an EHR exports is irrelevant to CAR-T grading. This module turns
:func:`cartguard.synth.generate` into that shape, so ``cartguard bulk`` and its benchmark are
exercised on the layout they meet in production:

* one ``<Type>.<nnn>.ndjson`` (or ``.ndjson.gz``) series per resource type, split every
  ``lines_per_file`` lines, and a ``manifest.json`` in the Bulk Data status format;
* patients interleaved: each chunk of ``chunk_patients`` patients is written in time order, as an
  export ordered by last update would be, not patient by patient;
* **unrelated Observations** - ``unrelated_per_relevant`` for each Observation the generator wrote
  (about nine in a real export), with common chemistry and blood-count LOINC codes that no
  cartguard pack binds (sodium, creatinine, haemoglobin ...), and one Encounter per patient;
* shared ``Medication`` resources: administrations of drugs listed in ``MEDICATION_REFERENCES``
  name their drug through ``medicationReference`` to ``Medication.000.ndjson``, as many EHRs
  export them, so the reader must resolve references across files.

Like :mod:`cartguard.synth`, it imports nothing from the grading code: it only reshapes the
generator's output and adds noise the packs must ignore. Deterministic for ``seed``.
"""

from __future__ import annotations

import gzip as gzip_module
import random
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from cartguard.synth import HTEST, LOINC, RXNORM, UCUM, SynthParams, generate

__all__ = ["UNRELATED_LABS", "MEDICATION_REFERENCES", "write_bulk_export"]

UNRELATED_LABS: tuple[tuple[str, str, str, float, float], ...] = (
    # (LOINC, display, UCUM unit, low, high): routine results an export carries beside the coagulation panel.
    ("2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", 132, 146),
    ("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", 3.3, 5.2),
    ("2075-0", "Chloride [Moles/volume] in Serum or Plasma", "mmol/L", 96, 110),
    ("1963-8", "Bicarbonate [Moles/volume] in Serum or Plasma", "mmol/L", 19, 29),
    ("2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", 70, 180),
    ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.5, 1.6),
    ("3094-0", "Urea nitrogen [Mass/volume] in Serum or Plasma", "mg/dL", 7, 30),
    ("17861-6", "Calcium [Mass/volume] in Serum or Plasma", "mg/dL", 8.2, 10.4),
    ("19123-9", "Magnesium [Mass/volume] in Serum or Plasma", "mg/dL", 1.6, 2.6),
    ("2777-1", "Phosphate [Mass/volume] in Serum or Plasma", "mg/dL", 2.4, 4.8),
    ("1751-7", "Albumin [Mass/volume] in Serum or Plasma", "g/dL", 2.8, 4.8),
    ("1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 8, 80),
    ("1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 10, 80),
    ("1975-2", "Bilirubin.total [Mass/volume] in Serum or Plasma", "mg/dL", 0.2, 1.6),
    ("2532-0", "Lactate dehydrogenase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 140, 600),
    ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 7.5, 13.5),
    ("4544-3", "Hematocrit [Volume Fraction] of Blood by Automated count", "%", 22, 40),
    ("787-2", "MCV [Entitic volume] by Automated count", "fL", 80, 100),
    ("751-8", "Neutrophils [#/volume] in Blood by Automated count", "10*9/L", 0.1, 6),
    ("731-0", "Lymphocytes [#/volume] in Blood by Automated count", "10*9/L", 0.05, 2),
    ("3084-1", "Urate [Mass/volume] in Serum or Plasma", "mg/dL", 2.5, 8),
)
"""Routine results that no cartguard pack binds (a test checks that against the installed packs)."""

MEDICATION_REFERENCES = frozenset({"612865", "7512", "11149"})
"""RxNorm codes (tocilizumab, norepinephrine, vasopressin) exported by reference to a Medication."""

_TIME_KEYS = ("effectiveDateTime", "performedDateTime", "onsetDateTime")


def _time_of(resource: dict[str, Any]) -> str:
    for key in _TIME_KEYS:
        if isinstance(resource.get(key), str):
            return str(resource[key])
    period = resource.get("effectivePeriod") or resource.get("period") or {}
    return str(period.get("start", ""))


def _unrelated(obs: dict[str, Any], n: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    """``n`` unbound routine results drawn at the time of ``obs`` for the same patient."""
    for k in range(n):
        code, display, unit, lo, hi = rng.choice(UNRELATED_LABS)
        yield {"resourceType": "Observation", "id": f"{obs['id']}-x{k}", "meta": {"tag": [dict(HTEST)]},
               "status": "final",
               "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                         "code": "laboratory"}]}],
               "code": {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display},
               "subject": obs["subject"], "effectiveDateTime": _time_of(obs),
               "valueQuantity": {"value": round(rng.uniform(lo, hi), 2), "unit": unit, "system": UCUM, "code": unit}}


def _encounter(patient: dict[str, Any], start: str, end: str) -> dict[str, Any]:
    return {"resourceType": "Encounter", "id": f"{patient['id']}-enc", "meta": {"tag": [dict(HTEST)]},
            "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP",
                      "display": "inpatient encounter"},
            "subject": {"reference": f"Patient/{patient['id']}"}, "period": {"start": start, "end": end}}


def _by_reference(ma: dict[str, Any], medications: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Rewrite an administration of a listed drug to name it through a shared Medication."""
    concept = ma.get("medicationCodeableConcept") or {}
    coding = (concept.get("coding") or [{}])[0]
    if coding.get("system") != RXNORM or coding.get("code") not in MEDICATION_REFERENCES:
        return ma
    mid = f"med-rxnorm-{coding['code']}"
    medications.setdefault(mid, {"resourceType": "Medication", "id": mid, "meta": {"tag": [dict(HTEST)]},
                                 "code": concept})
    out = {k: v for k, v in ma.items() if k != "medicationCodeableConcept"}
    out["medicationReference"] = {"reference": f"Medication/{mid}", "display": coding.get("display")}
    return out


class _Series:
    """The ``<Type>.<nnn>.ndjson[.gz]`` files of one resource type, split every ``limit`` lines."""

    def __init__(self, folder: Path, rtype: str, limit: int, gz: bool) -> None:
        self.folder, self.rtype, self.limit, self.gz = folder, rtype, limit, gz
        self.files: list[tuple[Path, int]] = []
        self._fh: IO[bytes] | None = None
        self._lines = 0

    def write(self, resource: dict[str, Any]) -> None:
        if self._fh is None or self._lines >= self.limit:
            self._close()
            path = self.folder / f"{self.rtype}.{len(self.files):03d}.ndjson{'.gz' if self.gz else ''}"
            fh: IO[bytes] = (gzip_module.open(path, "wb", compresslevel=1) if self.gz  # type: ignore[assignment]
                             else path.open("wb"))
            self._fh = fh
            self.files.append((path, 0))
            self._lines = 0
        else:
            fh = self._fh
        fh.write(orjson.dumps(resource) + b"\n")
        self._lines += 1
        path, _ = self.files[-1]
        self.files[-1] = (path, self._lines)

    def _close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def close(self) -> None:
        self._close()


def write_bulk_export(out_dir: str | Path, patients: int, seed: int, *, unrelated_per_relevant: int = 9,
                      days: int = 30, gzip: bool = False, lines_per_file: int = 200_000, chunk_patients: int = 50,
                      params: SynthParams | None = None) -> dict[str, Any]:
    """Write a synthetic Bulk Data export of ``patients`` to ``out_dir``; return its manifest.

    ``days``: follow-up after day 0 (the generator's ``follow_up_days``). The manifest
    (``manifest.json``) follows the Bulk Data complete-status response: ``transactionTime``,
    ``request``, ``requiresAccessToken``, ``output`` (``type``, ``url`` as a ``file://`` URL,
    ``count``) and ``error``. Counts of relevant and unrelated resources are added under
    ``extension`` so a benchmark can report both.
    """
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    p = (params or SynthParams()).model_copy(update={"follow_up_days": days})
    rng = random.Random(seed ^ 0x5EED_B01C)
    series: dict[str, _Series] = {}
    medications: dict[str, dict[str, Any]] = {}
    counts = {"relevant_observations": 0, "unrelated_observations": 0, "resources": 0}

    def emit(resource: dict[str, Any]) -> None:
        rtype = resource["resourceType"]
        if rtype not in series:
            series[rtype] = _Series(folder, rtype, lines_per_file, gzip)
        series[rtype].write(resource)
        counts["resources"] += 1

    chunk: list[tuple[str, dict[str, Any]]] = []

    def flush() -> None:
        # Time order within the chunk interleaves the patients, as an export by last update would.
        for _t, resource in sorted(chunk, key=lambda item: item[0]):
            emit(resource)
        chunk.clear()

    for n, bundle in enumerate(generate(patients, seed, p), 1):
        resources = [e["resource"] for e in bundle["entry"]]
        patient = resources[0]
        emit(patient)
        times = sorted(t for t in (_time_of(r) for r in resources[1:]) if t)
        chunk.append((times[0], _encounter(patient, times[0], times[-1])))
        for r in resources[1:]:
            if r["resourceType"] == "MedicationAdministration":
                r = _by_reference(r, medications)
            chunk.append((_time_of(r), r))
            if r["resourceType"] == "Observation":
                counts["relevant_observations"] += 1
                for u in _unrelated(r, unrelated_per_relevant, rng):
                    counts["unrelated_observations"] += 1
                    chunk.append((_time_of(u), u))
        if n % chunk_patients == 0:
            flush()
    flush()
    for medication in medications.values():
        emit(medication)
    for s in series.values():
        s.close()
    manifest = {
        "transactionTime": f"{p.start_date.isoformat()}T00:00:00Z",
        "request": "[base]/Group/cartguard-synthetic/$export?_type=Patient,Observation,MedicationAdministration,"
                   "Procedure,Condition,Encounter,Medication",
        "requiresAccessToken": False,
        "output": [{"type": rtype, "url": path.resolve().as_uri(), "count": count}
                   for rtype in sorted(series) for path, count in series[rtype].files],
        "error": [],
        "extension": {"synthetic": True, "patients": patients, "seed": seed, "days": days,
                      "unrelated_per_relevant": unrelated_per_relevant, **counts},
    }
    (folder / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return manifest
