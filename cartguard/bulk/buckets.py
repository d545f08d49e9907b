"""Phase 2's unit of work: a bucket (a contiguous range of hash slots), read back and grouped by patient.

Buckets are planned once phase 1 is done, from the kept bytes per slot: as many slots as fit the
memory budget (and at least :data:`MIN_BUCKETS` buckets, so the work spreads over the workers and
a killed run loses little). The plan is stored in the run state, so a resumed run uses the same
buckets whatever its number of workers. A bucket's memory is its kept bytes parsed - the budget
divided by :data:`EXPANSION` - never the export's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from cartguard.bulk.partition import SLOTS, cyclic_gc_paused, read_offsets
from cartguard.fhir_adapters.loading import PatientResources, subject_of

MIN_BUCKETS = 64
EXPANSION = 8
"""Parsed Python objects, facts and results take about this many times a resource's JSON bytes."""


def plan_buckets(sizes: Sequence[int], budget_bytes: int, min_buckets: int = MIN_BUCKETS) -> list[tuple[int, int]]:
    """Contiguous slot ranges ``[lo, hi)`` covering every slot, each holding at most ``budget_bytes``
    of kept lines unless a single slot is larger on its own."""
    total = sum(sizes)
    target = max(1, min(budget_bytes, -(-total // min_buckets)))
    plan: list[tuple[int, int]] = []
    lo, acc = 0, 0
    for s, size in enumerate(sizes):
        if acc and acc + size > target:
            plan.append((lo, s))
            lo, acc = s, 0
        acc += size
    if acc or not plan:
        plan.append((lo, len(sizes)))
    else:  # trailing empty slots join the last bucket
        plan[-1] = (plan[-1][0], len(sizes))
    return plan


def load_shared(spill: Path, cids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The shared index (``Medication/id`` -> resource) from every chunk, later lines winning as in a folder load."""
    index: dict[str, dict[str, Any]] = {}
    for cid in cids:
        for line in (spill / f"{cid}.shared").read_bytes().split(b"\n"):
            if line:
                res = orjson.loads(line)
                index[f"{res.get('resourceType')}/{res.get('id', '?')}"] = res
    return index


def load_bucket(spill: Path, chunks: Sequence[tuple[str, int]], lo: int, hi: int,
                index: dict[str, dict[str, Any]]) -> dict[str, PatientResources]:
    """Every patient of slots ``[lo, hi)`` with their resources in export order.

    ``chunks``: (chunk id, runs) of every chunk that kept something, in export order.
    """
    if not 0 <= lo < hi <= SLOTS:
        raise ValueError(f"a bucket is a slot range within [0, {SLOTS}), got [{lo}, {hi})")
    with cyclic_gc_paused():
        return _group(spill, chunks, lo, hi, index)


def _group(spill: Path, chunks: Sequence[tuple[str, int]], lo: int, hi: int, index: dict[str, dict[str, Any]]
           ) -> dict[str, PatientResources]:
    patients: dict[str, PatientResources] = {}
    loads = orjson.loads
    for cid, runs in chunks:
        with (spill / f"{cid}.data").open("rb") as fh:
            for run in range(runs):
                start, end = read_offsets(spill, cid, run, lo, hi)
                if end <= start:
                    continue
                fh.seek(start)
                for line in fh.read(end - start).split(b"\n"):
                    if not line:
                        continue
                    res = loads(line)
                    subject = subject_of(res)
                    if subject is None:  # phase 1 keeps only lines naming their patient
                        continue
                    pr = patients.get(subject)
                    if pr is None:
                        pr = patients[subject] = PatientResources(patient=subject, index=index)
                    pr.resources.append(res)
    return patients
