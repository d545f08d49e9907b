"""``run_bulk``: a Bulk Data export in, one result line per patient out, resumable at any point.

The run is two phases over an executor (this process, local worker processes, or a Dask cluster):

1. **partition** - every chunk of the export is streamed, and its relevant lines spilled to disk by
   patient hash slot (:mod:`cartguard.bulk.partition`); finished chunks are reused by a resumed run;
2. **evaluate** - buckets of slots are planned from the spilled sizes within the memory budget,
   each bucket is read back, grouped by patient and evaluated by the job
   (:mod:`cartguard.bulk.buckets`, :mod:`cartguard.bulk.worker`); the main process appends each
   bucket's lines and commits them (:mod:`cartguard.bulk.store`).

Then ``results.parquet``, ``warnings.ndjson`` and ``summary.json`` are written and the spill folder
removed. See ``docs/bulk.md``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from cartguard.bulk.buckets import EXPANSION, plan_buckets
from cartguard.bulk.executors import Executor, make_executor
from cartguard.bulk.export import Export, find_export
from cartguard.bulk.jobs import BulkJob, LatestJob
from cartguard.bulk.partition import ChunkMeta, committed, slot_sizes
from cartguard.bulk.store import JournalEntry, ResultsFolder, RunState
from cartguard.bulk.summary import BulkSummary, TypeCounts
from cartguard.bulk.worker import (
    BucketTask,
    EngineSpec,
    PackIdentity,
    PartitionTask,
    bucket_task,
    pack_identity,
    partition_task,
)
from cartguard.errors import InputError

if TYPE_CHECKING:
    from cartguard.engine.packset import PackSet

MiB = 1 << 20
DEFAULT_MEMORY_MB = 128
DEFAULT_CHUNK_MB = 64.0
EXAMPLES = 5


def _progress(progress: bool | None, **kwargs: Any) -> Any:
    from tqdm import tqdm

    return tqdm(disable=None if progress is None else not progress, leave=False, dynamic_ncols=True, **kwargs)


def _plain(doc: Any) -> Any:
    return orjson.loads(orjson.dumps(doc))


class _Run:
    def __init__(self, export: Export, folder: ResultsFolder, job: BulkJob, executor: Executor, spec: EngineSpec,
                 *, scheduler: str | None, work_dir: str | Path | None, memory_mb: int, chunk_bytes: int,
                 restart: bool, progress: bool | None, parquet: bool) -> None:
        self.export, self.folder, self.job, self.executor, self.spec = export, folder, job, executor, spec
        self.scheduler, self.work_dir, self.memory_mb, self.chunk_bytes = scheduler, work_dir, memory_mb, chunk_bytes
        self.restart, self.progress, self.parquet = restart, progress, parquet
        self.seconds: dict[str, float] = {}
        self.resumed = False
        self.reused_chunks = self.reused_buckets = 0

    # -- state ---------------------------------------------------------------------------------------
    def state(self, identity: PackIdentity) -> RunState:
        folder = self.folder
        if self.restart:
            old = folder.load_state() if folder.state_path.exists() else None
            if old is not None:
                shutil.rmtree(old.spill, ignore_errors=True)
            folder.reset()
        state = folder.load_state()
        if state is None:
            if folder.has_results():
                raise InputError("the folder holds results of an earlier bulk run but not its run state; "
                                 "use --restart to start over, or another --out", source=str(folder.out))
            spill = folder.default_spill
            if self.work_dir is not None:  # one subfolder per results folder: work dirs may be shared
                tag = hashlib.sha256(str(folder.out.resolve()).encode()).hexdigest()[:12]
                spill = Path(self.work_dir) / f"cartguard-bulk-{tag}"
            state = RunState(export=self.export.folder, inputs=self.export.fingerprint(),
                             job=_plain(self.job.identity()), packs=identity.fingerprint, chunk_bytes=self.chunk_bytes,
                             run_bytes=max(self.chunk_bytes, 16 * MiB), memory_mb=self.memory_mb,
                             spill=str(spill.resolve()))
            folder.save_state(state)
            return state
        diffs = []
        if state.export != self.export.folder:
            diffs.append(f"the export was {state.export}, now {self.export.folder}")
        if state.inputs != self.export.fingerprint():
            diffs.append("the export's files changed (names, sizes or modification times)")
        if state.job != _plain(self.job.identity()):
            diffs.append(f"the job was {state.job}, now {_plain(self.job.identity())}")
        if state.packs != identity.fingerprint:
            diffs.append("the installed packs or their parameters changed")
        if diffs:
            raise InputError("cannot resume the earlier run in this folder: " + "; ".join(diffs)
                             + ". Use --restart to start over, or another --out", source=str(folder.out))
        self.resumed = True
        return state

    # -- phase 1 -------------------------------------------------------------------------------------
    def partition(self, state: RunState, identity: PackIdentity) -> list[ChunkMeta]:
        spill = Path(state.spill)
        chunks = self.export.chunks(state.chunk_bytes)
        metas: dict[str, ChunkMeta] = {}
        todo = []
        for chunk in chunks:
            meta = committed(spill, chunk.cid)
            if meta is None:
                todo.append(chunk)
            else:
                metas[chunk.cid] = meta
        self.reused_chunks = len(metas)
        tasks = [PartitionTask(c, str(spill), state.run_bytes, self.spec, identity.fingerprint) for c in todo]
        with _progress(self.progress, total=self.export.total_bytes, initial=sum(m.bytes for m in metas.values()),
                       unit="B", unit_scale=True, desc="partition") as bar:
            for meta in self.executor.map_unordered(partition_task, tasks):
                metas[meta.cid] = meta
                bar.update(meta.bytes)
        return [metas[c.cid] for c in chunks]

    def write_warnings(self, state: RunState, metas: list[ChunkMeta]) -> list[dict[str, Any]]:
        """warnings.ndjson: every unreadable line as file:line, in export order; return the first few."""
        spill = Path(state.spill)
        examples: list[dict[str, Any]] = []
        tmp = self.folder.warnings.with_name(f"{self.folder.warnings.name}.{os.getpid()}.tmp")
        before: Counter[str] = Counter()  # lines of each file in the chunks before this one
        with tmp.open("wb") as out:
            for meta in metas:
                if meta.warnings:
                    with (spill / f"{meta.cid}.warnings").open("rb") as fh:
                        for raw in fh:
                            w = orjson.loads(raw)
                            doc = {"code": w["code"], "message": w["message"],
                                   "source": f"{meta.file}:{before[meta.file] + w['line']}", "resource": w["resource"]}
                            out.write(orjson.dumps(doc) + b"\n")
                            if len(examples) < EXAMPLES:
                                examples.append(doc)
                before[meta.file] += meta.lines
        os.replace(tmp, self.folder.warnings)
        return examples

    # -- phase 2 -------------------------------------------------------------------------------------
    def plan(self, state: RunState, metas: list[ChunkMeta]) -> RunState:
        if state.plan is None:
            sizes = slot_sizes(Path(state.spill), metas)
            plan = plan_buckets(sizes, state.memory_mb * MiB // EXPANSION)
            state = state.model_copy(update={"plan": [(lo, hi, sum(sizes[lo:hi])) for lo, hi in plan],
                                             "phase": "evaluate"})
            self.folder.save_state(state)
        return state

    def evaluate(self, state: RunState, metas: list[ChunkMeta], identity: PackIdentity) -> list[JournalEntry]:
        assert state.plan is not None
        entries = self.folder.committed()
        done = {e.bucket for e in entries}
        self.reused_buckets = len(done)
        chunks = tuple((m.cid, m.runs) for m in metas if m.kept_bytes)
        shared = tuple(m.cid for m in metas if m.shared)
        tasks = [BucketTask(i, lo, hi, state.spill, chunks, shared, self.job, self.spec, identity.fingerprint)
                 for i, (lo, hi, _size) in enumerate(state.plan) if i not in done]
        sizes = [size for _lo, _hi, size in state.plan]
        patients = sum(e.patients for e in entries)
        errors = sum(sum(e.errors.values()) for e in entries)
        with _progress(self.progress, total=sum(sizes), initial=sum(sizes[i] for i in done), unit="B",
                       unit_scale=True, desc="evaluate") as bar:
            bar.set_postfix(patients=patients, errors=errors)
            for out in self.executor.map_unordered(bucket_task, tasks):
                entry = self.folder.commit(out.lines, JournalEntry(bucket=out.bucket, end=0, patients=out.patients,
                                                                   errors=out.errors, warnings=out.warnings))
                entries.append(entry)
                patients += out.patients
                errors += sum(out.errors.values())
                bar.set_postfix(patients=patients, errors=errors, refresh=False)
                bar.update(sizes[out.bucket])
        return entries

    # -- the whole run -------------------------------------------------------------------------------
    def run(self) -> BulkSummary:
        t0 = time.perf_counter()
        identity = self.executor.call(pack_identity, self.spec)
        state = self.state(identity)
        if state.phase == "complete" and self.folder.summary.exists():
            shutil.rmtree(state.spill, ignore_errors=True)  # in case the run was killed while cleaning up
            return BulkSummary.model_validate_json(self.folder.summary.read_bytes())
        metas = self.partition(state, identity)
        examples = self.write_warnings(state, metas)
        state = self.plan(state, metas)
        t1 = time.perf_counter()
        entries = self.evaluate(state, metas, identity)
        t2 = time.perf_counter()
        parquet = None
        if self.parquet:
            from cartguard.bulk.parquet import write_parquet

            write_parquet(self.folder.results, self.folder.parquet, self.job)
            parquet = str(self.folder.parquet)
        t3 = time.perf_counter()
        self.seconds = {"partition": t1 - t0, "evaluate": t2 - t1, "parquet": t3 - t2, "total": t3 - t0}
        summary = self.summary(state, metas, entries, examples, parquet)
        self.folder.write_json(self.folder.summary, summary.model_dump(mode="json"))
        self.folder.save_state(state.model_copy(update={"phase": "complete"}))
        shutil.rmtree(state.spill, ignore_errors=True)
        return summary

    def summary(self, state: RunState, metas: list[ChunkMeta], entries: list[JournalEntry],
                examples: list[dict[str, Any]], parquet: str | None) -> BulkSummary:
        by_type: dict[str, TypeCounts] = {}
        reading: Counter[str] = Counter()
        for m in metas:
            for rtype, n in m.read.items():
                c = by_type.setdefault(rtype, TypeCounts())
                c.read += n
                c.kept += m.kept.get(rtype, 0)
                c.skipped += m.skipped.get(rtype, 0)
            reading.update(m.warnings)
        errors: Counter[str] = Counter()
        warnings: Counter[str] = Counter()
        for e in entries:
            errors.update(e.errors)
            warnings.update(e.warnings)
        resources = sum(c.read for c in by_type.values())
        patients = sum(e.patients for e in entries)
        total = self.seconds.get("total") or 1e-9
        return BulkSummary(
            export=self.export.folder, out=str(self.folder.out), job=state.job, executor=self.executor.name,
            workers=self.executor.workers, scheduler=self.scheduler, files=len(self.export.files),
            input_bytes=self.export.total_bytes, chunks=len(metas), buckets=len(state.plan or ()),
            resources=resources, kept=sum(c.kept for c in by_type.values()), by_type=by_type, patients=patients,
            ok=patients - sum(errors.values()), errors=dict(errors), reading_warnings=dict(reading),
            warning_examples=examples, patient_warnings=dict(warnings), resumed=self.resumed,
            reused_chunks=self.reused_chunks, reused_buckets=self.reused_buckets,
            seconds={k: round(v, 3) for k, v in self.seconds.items()},
            resources_per_second=round(resources / total, 1), patients_per_second=round(patients / total, 2),
            results=str(self.folder.results), parquet=parquet, warnings_file=str(self.folder.warnings))


def run_bulk(export_dir: str | Path, out: str | Path, *, job: BulkJob | None = None, workers: int | None = None,
             scheduler: str | None = None, work_dir: str | Path | None = None, memory_mb: int = DEFAULT_MEMORY_MB,
             restart: bool = False, progress: bool | None = None, parquet: bool = True,
             packset_factory: Callable[[], PackSet] | None = None, backend: str = "durable",
             chunk_mb: float = DEFAULT_CHUNK_MB) -> BulkSummary:
    """Evaluate every patient of the Bulk Data export in ``export_dir``; results in the folder ``out``.

    ``job``: what to do per patient (default :class:`LatestJob`). ``workers``: local processes
    (default: one per CPU; 1 runs everything in this process). ``scheduler``: a Dask scheduler
    address (``tcp://HOST:PORT``) to run on instead - the export and ``work_dir`` must be on a
    filesystem the cluster shares. ``work_dir``: where phase 1 spills (default ``out/.cartguard-bulk``).
    ``memory_mb``: the parsed size a bucket may take in one worker. ``restart``: forget an earlier
    run in ``out`` instead of resuming it. ``progress``: tqdm bars on stderr (None: when a terminal).
    ``packset_factory``: a picklable function returning the :class:`PackSet` (default: the
    installed packs). ``chunk_mb``: the byte range of a plain file one phase-1 task reads.
    """
    if memory_mb < 16:
        raise InputError(f"--memory-mb must be at least 16, got {memory_mb}")
    if chunk_mb <= 0:
        raise InputError(f"chunk size must be positive, got {chunk_mb} MB")
    job = job or LatestJob()
    export = find_export(export_dir)
    folder = ResultsFolder(out)
    folder.lock()
    folder.remove_temporary()
    try:
        spec = EngineSpec(packset_factory, backend) if packset_factory else EngineSpec(backend=backend)
        executor = make_executor(workers or os.cpu_count() or 1, scheduler, spec)
        try:
            return _Run(export, folder, job, executor, spec, scheduler=scheduler, work_dir=work_dir,
                        memory_mb=memory_mb, chunk_bytes=max(1, int(chunk_mb * MiB)), restart=restart,
                        progress=progress, parquet=parquet).run()
        finally:
            executor.close()
    finally:
        folder.close()
