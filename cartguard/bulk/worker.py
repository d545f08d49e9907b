"""The task functions every executor runs, and the per-process engine they share.

durable-rules keeps one host per process and is not thread-safe, so each worker process (a local
pool worker, a Dask worker, or the main process when running alone) builds its pack set, its
:class:`~cartguard.engine.evaluate.Evaluator` and its relevance test once, on first use, and keeps
them in a module-level cache keyed by the :class:`EngineSpec`. Evaluations in one process are
serialised by a lock (a Dask worker may run tasks in several threads).

Every task carries the pack fingerprint the run started with and checks it against the packs its
process loaded: a cluster worker with other packs installed fails loudly instead of mixing results.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import hashlib
import pickle
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from cartguard.bulk.buckets import load_bucket, load_shared
from cartguard.bulk.export import Chunk
from cartguard.bulk.jobs import BulkJob
from cartguard.bulk.partition import ChunkMeta, partition_chunk
from cartguard.bulk.relevance import Relevance
from cartguard.errors import CartguardError, PackError

if TYPE_CHECKING:
    from cartguard.engine.evaluate import Evaluator
    from cartguard.engine.packset import PackSet


def _default_packset() -> PackSet:
    from cartguard.plugins import default_packset

    return default_packset()


@dataclasses.dataclass(frozen=True)
class EngineSpec:
    """How a worker builds its engine: a picklable pack-set factory (module-level function or
    ``functools.partial`` of one) and the evaluator backend."""

    packset_factory: Callable[[], PackSet] = _default_packset
    backend: str = "durable"


@dataclasses.dataclass(frozen=True)
class PackIdentity:
    fingerprint: str
    """Digest of every loaded pack's id, version and content hash, and of the resolved parameters."""
    versions: dict[str, str]
    """Pack id -> version, as written on every result line."""


class _Engine:
    def __init__(self, spec: EngineSpec) -> None:
        self.packset = spec.packset_factory()
        self.backend = spec.backend
        self.relevance = Relevance(self.packset.bindings)
        self._evaluator: Evaluator | None = None
        packs = [[lp.pack.id, lp.pack.version, lp.sha256] for lp in self.packset.loaded]
        params = {name: repr(value) for name, value in sorted(self.packset.params.items())}
        digest = hashlib.sha256(orjson.dumps({"packs": packs, "params": params})).hexdigest()
        self.identity = PackIdentity(digest, {lp.pack.id: lp.pack.version for lp in self.packset.loaded})
        self.shared_key: tuple[str, tuple[str, ...]] | None = None
        self.shared: dict[str, dict[str, Any]] = {}

    @property
    def evaluator(self) -> Evaluator:
        if self._evaluator is None:
            from cartguard.engine.evaluate import Evaluator

            self._evaluator = Evaluator(self.packset, self.backend)  # type: ignore[arg-type]
        return self._evaluator

    def check(self, fingerprint: str) -> None:
        if fingerprint != self.identity.fingerprint:
            raise PackError(f"this worker's packs (fingerprint {self.identity.fingerprint[:12]}) differ from the "
                            f"run's ({fingerprint[:12]}): install the same packs and versions on every worker")

    def shared_index(self, spill: Path, cids: tuple[str, ...]) -> dict[str, dict[str, Any]]:
        key = (str(spill), cids)
        if self.shared_key != key:
            self.shared, self.shared_key = load_shared(spill, cids), key
        return self.shared


_ENGINES: dict[bytes, _Engine] = {}
_LOCK = threading.RLock()


def engine(spec: EngineSpec) -> _Engine:
    """This process's engine for ``spec`` (built on first use).

    Once built, everything alive is moved out of the cyclic garbage collector's reach
    (``gc.freeze``): the compiled packs live as long as the process, and a bucket's thousands of
    parsed resources would otherwise make each collection walk them again.
    """
    key = pickle.dumps(spec)
    with _LOCK:
        found = _ENGINES.get(key)
        if found is None:
            found = _ENGINES[key] = _Engine(spec)
            found.evaluator  # noqa: B018 - built now, so it is frozen with the rest
            gc.freeze()
        return found


def pack_identity(spec: EngineSpec) -> PackIdentity:
    """The fingerprint and versions of the packs a worker loads for ``spec`` (the run's reference)."""
    return engine(spec).identity


def warm_up(spec: EngineSpec) -> None:
    """Build the engine now (a pool initializer: workers load packs while the main process plans)."""
    engine(spec)


# -- phase 1 -------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class PartitionTask:
    chunk: Chunk
    spill: str
    run_bytes: int
    spec: EngineSpec
    fingerprint: str


def partition_task(task: PartitionTask) -> ChunkMeta:
    e = engine(task.spec)
    e.check(task.fingerprint)
    return partition_chunk(task.chunk, Path(task.spill), e.relevance, task.run_bytes)


# -- phase 2 -------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class BucketTask:
    bucket: int
    lo: int
    hi: int
    spill: str
    chunks: tuple[tuple[str, int], ...]
    """(chunk id, runs) of the chunks that kept patient lines."""
    shared: tuple[str, ...]
    """Chunk ids whose shared (Medication) lines form the shared index."""
    job: BulkJob
    spec: EngineSpec
    fingerprint: str


@dataclasses.dataclass(frozen=True)
class BucketOutput:
    bucket: int
    lines: bytes
    """One result line per patient of the bucket, sorted by patient."""
    patients: int
    errors: dict[str, int]
    """Error lines by exception type."""
    warnings: dict[str, int]
    """The patients' warnings by code."""


def result_line(patient: str, job: BulkJob, versions: dict[str, str], run: Callable[[], dict[str, Any]]
                ) -> tuple[bytes, str | None, list[str]]:
    """One NDJSON result line, the error type if the job failed for this patient, and its warning codes."""
    line: dict[str, Any] = {"patient": patient, "status": "ok", "job": job.name, "job_version": job.version}
    error = None
    warnings: list[Any] = []
    try:
        result = run()
        if isinstance(result.get("warnings"), list):
            warnings = result.pop("warnings")
        line.update(result=result, warnings=warnings)
    except Exception as exc:  # one patient's failure is a result line, never the end of a population run
        error = type(exc).__name__
        line.update(status="error", error={"type": error, "message": str(exc),
                                           "expected": isinstance(exc, CartguardError)}, warnings=[])
    line["packs"] = versions
    codes = [str(w.get("code")) if isinstance(w, dict) else "?" for w in warnings]
    return orjson.dumps(line) + b"\n", error, codes


def bucket_task(task: BucketTask) -> BucketOutput:
    with _LOCK:  # one evaluation at a time per process (durable-rules is not thread-safe)
        e = engine(task.spec)
        e.check(task.fingerprint)
        spill = Path(task.spill)
        patients = load_bucket(spill, task.chunks, task.lo, task.hi, e.shared_index(spill, task.shared))
        evaluator = e.evaluator
        lines: list[bytes] = []
        errors: Counter[str] = Counter()
        warnings: Counter[str] = Counter()
        for pid in sorted(patients):
            line, error, codes = result_line(pid, task.job, e.identity.versions,
                                             functools.partial(task.job.run, patients.pop(pid), evaluator))
            lines.append(line)
            warnings.update(codes)
            if error:
                errors[error] += 1
        return BucketOutput(task.bucket, b"".join(lines), len(lines), dict(errors), dict(warnings))
