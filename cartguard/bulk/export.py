"""Find the files of a FHIR Bulk Data export and cut them into chunks that can be read in parallel.

An export folder holds one or more NDJSON files per resource type (``Observation.000.ndjson``,
optionally gzip-compressed ``.ndjson.gz``) and, usually, the Bulk Data complete-status response
(``manifest.json`` or any ``*.json`` with ``transactionTime`` and an ``output`` list) naming every
file and its type. With a manifest its files are read and its types are trusted: a file whose type
the packs never read is counted, not parsed. Without one, every ``*.ndjson`` / ``*.ndjson.gz`` of
the folder (not its subfolders) is read and each line says its own type.

Files are taken in path order (as :func:`cartguard.fhir_adapters.loading.load_path` takes them),
so a patient's resources reach the mapper in the same order either way. Plain files are cut into
byte ranges at line boundaries; a gzip file is one chunk (it cannot be entered in the middle).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import orjson
from pydantic import BaseModel, ConfigDict

from cartguard.bulk.relevance import READ_TYPES
from cartguard.errors import InputError

NDJSON_SUFFIXES = (".ndjson", ".ndjson.gz")


class ExportFile(BaseModel):
    """One NDJSON file of the export."""

    model_config = ConfigDict(frozen=True)

    path: str
    name: str
    """The path relative to the export folder (how warnings and the summary name it)."""
    size: int
    mtime_ns: int
    gzip: bool
    manifest_type: str | None = None
    """The resource type the manifest gives for the file, if there is a manifest."""

    @property
    def parse(self) -> bool:
        """Whether the file must be parsed: no manifest type, or a type the packs read."""
        return self.manifest_type is None or self.manifest_type in READ_TYPES


class Chunk(BaseModel):
    """A byte range of one file: the lines that *start* in ``[start, end)`` (the whole file if gzip)."""

    model_config = ConfigDict(frozen=True)

    cid: str
    file_index: int
    file: ExportFile
    start: int
    end: int


class Export(BaseModel):
    """The files of an export, in reading order, and where the list came from."""

    model_config = ConfigDict(frozen=True)

    folder: str
    files: list[ExportFile]
    manifest: str | None = None

    def fingerprint(self) -> str:
        """A digest of every input file's name, size and modification time (a changed input changes it)."""
        h = hashlib.sha256()
        for f in self.files:
            h.update(orjson.dumps([f.name, f.size, f.mtime_ns, f.manifest_type]))
        if self.manifest:
            m = Path(self.manifest).stat()
            h.update(orjson.dumps([Path(self.manifest).name, m.st_size, m.st_mtime_ns]))
        return h.hexdigest()

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    def chunks(self, chunk_bytes: int) -> list[Chunk]:
        """The chunks to read, in order; ``chunk_bytes`` bounds a plain file's chunk."""
        out: list[Chunk] = []
        for i, f in enumerate(self.files):
            if f.gzip or not f.parse or f.size <= chunk_bytes:
                out.append(Chunk(cid=f"{i:04d}-00000", file_index=i, file=f, start=0, end=f.size))
                continue
            for k, start in enumerate(range(0, f.size, chunk_bytes)):
                out.append(Chunk(cid=f"{i:04d}-{k:05d}", file_index=i, file=f, start=start,
                                 end=min(start + chunk_bytes, f.size)))
        return out


def _is_manifest(doc: Any) -> bool:
    return (isinstance(doc, dict) and "resourceType" not in doc and isinstance(doc.get("output"), list)
            and "transactionTime" in doc)


def _file(folder: Path, path: Path, manifest_type: str | None) -> ExportFile:
    try:
        st = path.stat()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=str(path)) from None
    try:
        name = str(path.relative_to(folder))
    except ValueError:
        name = str(path)
    return ExportFile(path=str(path), name=name, size=st.st_size, mtime_ns=st.st_mtime_ns,
                      gzip=path.name.endswith(".gz"), manifest_type=manifest_type)


def _manifest_files(folder: Path, manifest: Path, doc: dict[str, Any]) -> list[ExportFile]:
    files: list[ExportFile] = []
    for n, entry in enumerate(doc["output"]):
        where = f"{manifest}: output[{n}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str) or not entry["url"]:
            raise InputError("expected an object with a 'url' (and a 'type')", source=where)
        url = urlparse(entry["url"])
        # The file of that name beside the manifest (an export downloaded from the server's URLs, or
        # copied elsewhere), else a file:// URL's own path.
        path = folder / Path(unquote(url.path)).name
        if not path.exists() and url.scheme in ("file", "") and Path(unquote(url.path)).is_absolute():
            path = Path(unquote(url.path))
        if not path.exists():
            raise InputError(f"the manifest names {entry['url']!r}, which is not in the export folder "
                             f"(expected {path})", source=where)
        rtype = entry.get("type")
        files.append(_file(folder, path, rtype if isinstance(rtype, str) and rtype else None))
    return files


def find_export(folder: str | Path) -> Export:
    """The files of the export in ``folder`` (see the module docstring)."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError("expected a folder holding a FHIR Bulk Data export (NDJSON files)", source=str(root))
    manifest: Path | None = None
    doc: Any = None
    for candidate in sorted(root.glob("*.json")):
        try:
            parsed = orjson.loads(candidate.read_bytes())
        except (orjson.JSONDecodeError, OSError):
            continue
        if _is_manifest(parsed):
            manifest, doc = candidate, parsed
            break
    if manifest is not None:
        files = _manifest_files(root, manifest, doc)
    else:
        files = [_file(root, p, None) for p in root.iterdir()
                 if p.is_file() and p.name.endswith(NDJSON_SUFFIXES)]
    files.sort(key=lambda f: Path(f.path))
    seen: set[str] = set()
    unique = []
    for f in files:
        if f.path not in seen:
            seen.add(f.path)
            unique.append(f)
    if not unique:
        raise InputError("the folder holds no .ndjson or .ndjson.gz files and no Bulk Data manifest naming any",
                         source=str(root))
    return Export(folder=str(root.resolve()), files=unique, manifest=str(manifest) if manifest else None)
