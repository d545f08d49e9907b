"""cartguard/bulk/export.py, partition.py, buckets.py: byte ranges, slots and buckets."""

from __future__ import annotations

from pathlib import Path

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from cartguard.bulk.buckets import load_bucket, plan_buckets
from cartguard.bulk.export import find_export
from cartguard.bulk.partition import SLOTS, _batches, partition_chunk, slot_of, slot_sizes
from cartguard.bulk.relevance import Relevance
from cartguard.fhir_adapters.loading import load_path
from cartguard.synth_bulk import write_bulk_export


def test_slots_are_stable_across_processes_and_machines():
    # CRC-32, not Python's salted hash(): a resumed run, a worker and a cluster node agree.
    assert [slot_of(f"Patient/{p}") for p in ("a", "synth-0001", "12345")] == [3701, 1156, 2023]


@settings(max_examples=60)
@given(st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), min_size=1, max_size=40),
       st.integers(min_value=1, max_value=120), st.booleans())
def test_byte_ranges_read_every_line_exactly_once(tmp_path_factory, lines, chunk_bytes, trailing_newline):
    folder = tmp_path_factory.mktemp("ranges")
    data = b"\n".join(lines) + (b"\n" if trailing_newline else b"")
    (folder / "X.ndjson").write_bytes(data)
    export = find_export(folder)
    read = [line for chunk in export.chunks(chunk_bytes) for batch in _batches(chunk) for line in batch]
    expected = data.split(b"\n")
    if expected[-1] == b"":
        expected.pop()  # a final newline ends the last line, it does not start another
    assert read == expected


@given(st.lists(st.integers(min_value=0, max_value=5_000), min_size=SLOTS, max_size=SLOTS),
       st.integers(min_value=1, max_value=200_000))
def test_bucket_plan_covers_every_slot_once_within_the_budget(sizes, budget):
    plan = plan_buckets(sizes, budget)
    assert plan[0][0] == 0 and plan[-1][1] == SLOTS
    assert all(a[1] == b[0] for a, b in zip(plan, plan[1:], strict=False))
    for lo, hi in plan:
        assert lo < hi
        assert sum(sizes[lo:hi]) <= budget or hi - lo == 1 or sum(sizes[lo:hi - 1]) == 0 or \
            sum(sizes[lo + 1:hi]) == 0
    assert len(plan) >= min(64, sum(1 for s in sizes if s))  # spread: at least 64 buckets when data allows


def test_a_bucket_holds_whole_patients_in_export_order(tmp_path, packset):
    folder = tmp_path / "export"
    write_bulk_export(folder, 6, seed=9, days=8, unrelated_per_relevant=1, lines_per_file=300)
    export = find_export(folder)
    spill = tmp_path / "spill"
    rel = Relevance(packset.bindings)
    metas = [partition_chunk(c, spill, rel, run_bytes=5_000) for c in export.chunks(40_000)]
    assert any(m.runs > 1 for m in metas)  # small runs: a chunk flushed several times
    sizes = slot_sizes(spill, metas)
    assert sum(sizes) == sum(m.kept_bytes for m in metas)
    chunks = [(m.cid, m.runs) for m in metas if m.kept_bytes]
    whole = load_path(folder)
    seen: dict[str, list[str]] = {}
    for lo, hi in plan_buckets(sizes, 10_000):
        for pid, pr in load_bucket(spill, chunks, lo, hi, {}).items():
            assert pid not in seen and lo <= slot_of(pid) < hi
            seen[pid] = [f"{r['resourceType']}/{r['id']}" for r in pr.resources]
    assert sorted(seen) == sorted(whole.patients)
    for pid, refs in seen.items():
        expected = [f"{r['resourceType']}/{r['id']}" for r in whole.patients[pid].resources
                    if rel.verdict(r).value == "patient"]
        assert refs == expected  # the kept resources, in the order a folder load gives them


def test_a_file_of_a_type_no_pack_reads_is_counted_not_parsed(tmp_path, packset):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Encounter.000.ndjson").write_bytes(b"not even json\n" * 5)
    (folder / "manifest.json").write_bytes(orjson.dumps({
        "transactionTime": "2026-03-01T00:00:00Z", "request": "x", "requiresAccessToken": False, "error": [],
        "output": [{"type": "Encounter", "url": "https://ehr.example/files/Encounter.000.ndjson"}]}))
    export = find_export(folder)
    [chunk] = export.chunks(1 << 20)
    meta = partition_chunk(chunk, tmp_path / "spill", Relevance(packset.bindings), 1 << 20)
    assert not meta.parsed and meta.read == {"Encounter": 5} and meta.skipped == {"Encounter": 5}
    assert meta.warnings == {}


def test_manifest_naming_a_missing_file_is_a_clear_error(tmp_path):
    (tmp_path / "manifest.json").write_bytes(orjson.dumps({
        "transactionTime": "2026-03-01T00:00:00Z", "output": [{"type": "Patient", "url": "file:///nowhere/P.ndjson"}]}))
    try:
        find_export(tmp_path)
    except Exception as exc:
        assert type(exc).__name__ == "InputError" and "not in the export folder" in str(exc)
    else:
        raise AssertionError("expected an InputError")


def test_export_folder_must_exist(tmp_path: Path):
    from cartguard.errors import InputError

    try:
        find_export(tmp_path / "missing")
    except InputError as exc:
        assert "expected a folder" in str(exc)
    else:
        raise AssertionError("expected an InputError")
