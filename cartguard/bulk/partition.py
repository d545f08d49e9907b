"""Phase 1: stream one chunk of the export and spill its relevant lines, partitioned by patient.

Each line is parsed once with orjson and judged by :class:`~cartguard.bulk.relevance.Relevance`.
A kept line is stored as the bytes it arrived as (never re-serialised) in one of :data:`SLOTS`
slots chosen by a stable hash (CRC-32) of its patient reference, so every resource of a patient
lands in the same slot whatever file or chunk it came from. Slots are written in order, so a
contiguous range of slots - a *bucket* of phase 2 - is one contiguous byte range of every chunk's
spill file: phase 2 reads a bucket with one seek per chunk and run.

Files written for chunk ``cid`` in the spill folder (each written under a temporary name and
renamed, the ``.json`` last: its presence commits the chunk, so a killed run redoes only chunks
without it, and a chunk finished twice by two processes is the same bytes twice):

* ``cid.data``: the kept lines, slot by slot, in one or more *runs* (a run is flushed when the
  buffered lines reach ``run_bytes``, which bounds the memory of this phase);
* ``cid.offsets``: per run, ``SLOTS + 1`` little-endian int64 byte offsets into ``cid.data``;
* ``cid.shared``: Medications (whole when bound, else an id-only stub) for the shared index;
* ``cid.warnings``: one JSON line per unreadable line (chunk-local line numbers);
* ``cid.json``: the :class:`ChunkMeta` (counts per resource type, lines, runs).
"""

from __future__ import annotations

import gc
import gzip
import os
import sys
import uuid
import zlib
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import orjson
from pydantic import BaseModel

from cartguard.bulk.export import Chunk
from cartguard.bulk.relevance import Relevance, Verdict
from cartguard.errors import InputError
from cartguard.fhir_adapters.loading import subject_of

SLOTS = 4096
"""Hash slots of the patient partitioning; a bucket is a contiguous range of them. A slot holds about
1/4096 of the relevant bytes, so even a 1 TB export's slot stays far below a bucket's budget."""
_MASK = SLOTS - 1
_BLOCK = 1 << 20


class ChunkMeta(BaseModel):
    """What one chunk held (the commit record of phase 1 for that chunk)."""

    cid: str
    file: str
    lines: int
    bytes: int
    runs: int = 0
    kept_bytes: int = 0
    read: dict[str, int]
    """Resources per type (lines of a file counted, not parsed, under its manifest type)."""
    kept: dict[str, int]
    skipped: dict[str, int]
    shared: int = 0
    warnings: dict[str, int]
    parsed: bool = True


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Parse without the cyclic garbage collector: parsed JSON (dicts, lists, strings) holds no
    reference cycles, so reference counting frees all of it, while the collector would run every few
    hundred resources for nothing (about a quarter of the parsing time)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def slot_of(patient: str) -> int:
    """The slot of a patient reference (stable across processes, runs and machines)."""
    return zlib.crc32(patient.encode()) & _MASK


def committed(spill: Path, cid: str) -> ChunkMeta | None:
    """The chunk's meta if phase 1 finished it (and its files are all there), else None."""
    try:
        meta = ChunkMeta.model_validate_json((spill / f"{cid}.json").read_bytes())
    except (OSError, ValueError):
        return None
    if not all((spill / f"{cid}.{ext}").exists() for ext in ("data", "offsets", "shared", "warnings")):
        return None
    return meta


def _atomic_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")


def _batches(chunk: Chunk) -> Iterator[list[bytes]]:
    """The lines (without their newline) that start inside the chunk's byte range - all lines of a
    gzip file - in batches: the file is read in blocks and split in C, not line by line."""
    f = chunk.file
    opener: Any = gzip.open if f.gzip else open
    with opener(f.path, "rb") as fh:
        remaining = -1  # a gzip file is read to its end
        if not f.gzip:
            pos = chunk.start
            if pos > 0:
                fh.seek(pos - 1)
                pos += len(fh.readline()) - 1  # the rest of the line that began in the previous chunk
            remaining = chunk.end - pos
            if remaining <= 0:
                return
        carry = b""
        while remaining:
            block = fh.read(_BLOCK if remaining < 0 else min(_BLOCK, remaining))
            if not block:
                break
            if remaining > 0:
                remaining -= len(block)
            lines = (carry + block if carry else block).split(b"\n")
            carry = lines.pop()
            yield lines
        if carry:  # the last line began inside the range: read it to its end
            yield [carry + fh.readline().rstrip(b"\n")] if remaining == 0 else [carry]


def _count_lines(chunk: Chunk) -> int:
    opener: Any = gzip.open if chunk.file.gzip else open
    n, last = 0, b"\n"
    with opener(chunk.file.path, "rb") as fh:
        while block := fh.read(_BLOCK):
            n += block.count(b"\n")
            last = block[-1:]
    return n + (last != b"\n")


class _Spill:
    """The kept lines of one chunk, buffered by slot and flushed in runs."""

    def __init__(self, data: IO[bytes], run_bytes: int) -> None:
        self.data = data
        self.run_bytes = run_bytes
        self.offsets = array("q")
        self.slots: defaultdict[int, list[bytes]] = defaultdict(list)
        self.buffered = 0
        self.written = 0

    def add(self, slot: int, line: bytes) -> None:
        self.slots[slot].append(line)
        self.buffered += len(line)
        if self.buffered >= self.run_bytes:
            self.flush()

    def flush(self) -> None:
        if not self.buffered and self.offsets:
            return
        run = array("q", bytes(8 * (SLOTS + 1)))
        for s in range(SLOTS):
            run[s] = self.written
            lines = self.slots.get(s)
            if lines:
                block = b"".join(lines)
                self.data.write(block)
                self.written += len(block)
        run[SLOTS] = self.written
        self.offsets.extend(run)
        self.slots.clear()
        self.buffered = 0

    @property
    def runs(self) -> int:
        return len(self.offsets) // (SLOTS + 1)


def partition_chunk(chunk: Chunk, spill: Path, relevance: Relevance, run_bytes: int) -> ChunkMeta:
    """Read ``chunk`` and write its spill files (see the module docstring); return its meta.

    A file that cannot be read to its end (a truncated or corrupt gzip download, an I/O error) is an
    :class:`InputError` naming it: the export is damaged, and results on part of it would be wrong.
    """
    try:
        with cyclic_gc_paused():
            return _partition(chunk, spill, relevance, run_bytes)
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise InputError(f"cannot read the file to its end ({type(exc).__name__}: {exc}); the export is damaged",
                         source=chunk.file.path) from None


def _partition(chunk: Chunk, spill: Path, relevance: Relevance, run_bytes: int) -> ChunkMeta:
    spill.mkdir(parents=True, exist_ok=True)
    final = {ext: spill / f"{chunk.cid}.{ext}" for ext in ("data", "offsets", "shared", "warnings")}
    temp = {ext: _atomic_path(p) for ext, p in final.items()}
    kept: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    warned: Counter[str] = Counter()
    lines = shared = 0
    parsed = chunk.file.parse
    with (temp["data"].open("wb") as data, temp["shared"].open("wb") as shared_fh,
          temp["warnings"].open("wb") as warn_fh):
        out = _Spill(data, run_bytes)

        def warn(code: str, message: str, line: int, resource: str | None = None) -> None:
            warned[code] += 1
            warn_fh.write(orjson.dumps({"code": code, "message": message, "line": line, "resource": resource})
                          + b"\n")

        if not parsed:
            lines = _count_lines(chunk)
            skipped[chunk.file.manifest_type or "?"] += lines
        else:
            loads, verdict, decode_error = orjson.loads, relevance.verdict, orjson.JSONDecodeError
            skip, keep = Verdict.SKIP, Verdict.PATIENT
            for batch in _batches(chunk):
                for line in batch:
                    lines += 1
                    try:
                        res = loads(line)
                        rtype = res["resourceType"]
                        if rtype.__class__ is not str:
                            raise TypeError
                    except decode_error as exc:
                        if line.strip():
                            warn("not-json", f"not valid JSON ({exc})", lines)
                        continue
                    except (TypeError, KeyError, IndexError):
                        warn("not-a-resource", "a JSON value without a 'resourceType' string; not a FHIR resource",
                             lines)
                        continue
                    v = verdict(res) if rtype != "Bundle" else None
                    if v is skip:
                        skipped[rtype] += 1
                    elif v is keep:
                        subject = subject_of(res)
                        if subject is None:
                            skipped[rtype] += 1
                            warn("no-subject", f"{rtype} has no subject/patient reference; ignored", lines,
                                 f"{rtype}/{res.get('id', '?')}")
                        else:
                            kept[rtype] += 1
                            out.add(slot_of(subject), line + b"\n")
                    elif v is None:
                        skipped[rtype] += 1
                        warn("bundle", "a Bundle line: a Bulk Data export holds one resource per line; not read",
                             lines, f"Bundle/{res.get('id', '?')}")
                    else:
                        shared += 1
                        kept[rtype] += 1
                        if v is Verdict.SHARED:
                            shared_fh.write(line + b"\n")
                        else:  # an id-only stub: a reference to it resolves to "no bound code", as when loaded whole
                            stub = {"resourceType": rtype, **({"id": res["id"]} if "id" in res else {})}
                            shared_fh.write(orjson.dumps(stub) + b"\n")
        out.flush()
    temp["offsets"].write_bytes(out.offsets.tobytes() if sys.byteorder == "little" else _swapped(out.offsets))
    meta = ChunkMeta(cid=chunk.cid, file=chunk.file.name, lines=lines, bytes=chunk.end - chunk.start,
                     runs=out.runs, kept_bytes=out.written, read=dict(kept + skipped), kept=dict(kept),
                     skipped=dict(skipped), shared=shared, warnings=dict(warned), parsed=parsed)
    for ext, path in temp.items():
        os.replace(path, final[ext])
    meta_tmp = _atomic_path(spill / f"{chunk.cid}.json")
    meta_tmp.write_bytes(meta.model_dump_json().encode())
    os.replace(meta_tmp, spill / f"{chunk.cid}.json")
    return meta


def _swapped(a: array) -> bytes:
    b = array("q", a)
    b.byteswap()
    return b.tobytes()


def read_offsets(spill: Path, cid: str, run: int, lo_slot: int, hi_slot: int) -> tuple[int, int]:
    """Byte range in ``cid.data`` of slots ``[lo_slot, hi_slot)`` in run ``run``."""
    with (spill / f"{cid}.offsets").open("rb") as fh:
        base = run * (SLOTS + 1)
        fh.seek(8 * (base + lo_slot))
        lo = int.from_bytes(fh.read(8), "little", signed=True)
        fh.seek(8 * (base + hi_slot))
        hi = int.from_bytes(fh.read(8), "little", signed=True)
    return lo, hi


def slot_sizes(spill: Path, metas: list[ChunkMeta]) -> list[int]:
    """Kept bytes per slot over every chunk and run (what phase 2 plans its buckets from)."""
    sizes = [0] * SLOTS
    for meta in metas:
        raw = (spill / f"{meta.cid}.offsets").read_bytes()
        offsets = array("q")
        offsets.frombytes(raw)
        if sys.byteorder != "little":
            offsets.byteswap()
        for r in range(meta.runs):
            base = r * (SLOTS + 1)
            for s in range(SLOTS):
                sizes[s] += offsets[base + s + 1] - offsets[base + s]
    return sizes
