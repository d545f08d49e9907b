"""Where the cohort's patients come from: one function, :func:`iter_patients`, over a path.

A folder of Bundles is read one file at a time when no patient's resources span files (the usual
export: one Bundle per patient), so memory holds one file; otherwise, and for a single file (an
NDJSON export), the whole input is loaded with :func:`~cartguard.fhir_adapters.loading.load_path`
semantics. This is the seam where the bounded-memory grouping of ``cartguard bulk`` plugs in.

Each yielded :class:`PatientResources` carries only its own part of the reference index (its
resources plus the shared, subject-less ones such as Medication), so it can be sent to a worker
process without the whole file's index.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cartguard.errors import InputError
from cartguard.fhir_adapters.facts import Warning_
from cartguard.fhir_adapters.loading import SUFFIXES, LoadResult, PatientResources, load_bytes, load_path

UNREADABLE = "unreadable-file"
"""Warning code of a file that could not be read as FHIR: its patients cannot be counted or evaluated."""


def _read(file: Path, warnings: list[Warning_]) -> LoadResult | None:
    try:
        return load_bytes(file.read_bytes(), str(file))
    except OSError as exc:
        warnings.append(Warning_(UNREADABLE, f"{file}: cannot read: {exc.strerror}", str(file)))
    except InputError as exc:
        warnings.append(Warning_(UNREADABLE, str(exc), str(file)))
    return None


def _own_index(loaded: LoadResult) -> dict[str, PatientResources]:
    """Each patient with an index of only its own resources and the shared (subject-less) ones."""
    owner: dict[int, str] = {id(r): pid for pid, pr in loaded.patients.items() for r in pr.resources}
    shared: dict[str, dict[str, Any]] = {}
    own: dict[str, dict[str, dict[str, Any]]] = {pid: {} for pid in loaded.patients}
    seen: set[int] = set()
    for pr in loaded.patients.values():
        if id(pr.index) in seen:
            continue
        seen.add(id(pr.index))
        for key, res in pr.index.items():
            pid = owner.get(id(res))
            if pid is None:
                shared[key] = res
            else:
                own[pid][key] = res
    return {pid: PatientResources(patient=pid, resources=pr.resources, index={**shared, **own[pid]})
            for pid, pr in loaded.patients.items()}


def _files(path: Path) -> list[Path]:
    if not path.exists():
        raise InputError("no such file or folder", source=str(path))
    if not path.is_dir():
        return [path]
    files = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES)
    if not files:
        raise InputError("folder holds no .json or .ndjson files", source=str(path))
    return files


def iter_patients(path: str | Path, warnings: list[Warning_] | None = None) -> Iterator[PatientResources]:
    """Yield every patient in ``path`` (a folder of Bundles/NDJSON, or one file), one at a time.

    Input warnings (resources without a subject, files that cannot be read) are appended to
    ``warnings``. A single unreadable file of a folder is a warning naming it (code
    ``unreadable-file``), not the end of the run; an unreadable single-file input raises
    :class:`InputError`, as there is nothing else to read.
    """
    out = warnings if warnings is not None else []
    files = _files(Path(path))
    if len(files) == 1 and not Path(path).is_dir():
        loaded = load_path(files[0])
        out.extend(loaded.warnings)
        slim = _own_index(loaded)
        for pid in sorted(slim):
            yield slim[pid]
        return
    # First pass: which patients each file holds (parsing is ~60x cheaper than validating, and far
    # cheaper than evaluating), so a patient split over files is never evaluated in pieces.
    holder: dict[str, Path] = {}
    spans = False
    readable: list[Path] = []
    for file in files:
        loaded_file = _read(file, out)
        if loaded_file is None:
            continue
        readable.append(file)
        for pid in loaded_file.patients:
            spans = spans or (pid in holder and holder[pid] != file)
            holder.setdefault(pid, file)
    if spans:
        index: dict[str, dict[str, Any]] = {}
        merged: dict[str, PatientResources] = {}
        for file in readable:
            loaded_file = _read(file, out)
            if loaded_file is None:
                continue
            out.extend(loaded_file.warnings)
            for pr in {id(pr.index): pr for pr in loaded_file.patients.values()}.values():
                index.update(pr.index)  # one index per file, shared by the file's patients
            for pid, pr in loaded_file.patients.items():
                merged.setdefault(pid, PatientResources(patient=pid, index=index)).resources.extend(pr.resources)
        slim = _own_index(LoadResult(patients=merged, warnings=[]))
        for pid in sorted(slim):
            yield slim[pid]
        return
    for file in readable:
        loaded_file = _read(file, out)
        if loaded_file is None:
            continue
        out.extend(loaded_file.warnings)
        slim = _own_index(loaded_file)
        for pid in sorted(slim):
            yield slim[pid]
