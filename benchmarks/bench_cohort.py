"""Benchmark: ``cartguard cohort`` over a generated cohort, against two baselines measured in the same run.

Generates N synthetic patients (``cartguard.synth``, default 10,000) as a folder of Bundles or one
NDJSON file, then times, from the same files:

* cohort      - the cohort pipeline (``run_cohort``: read, map, the daily course of the CRS, DIC
                and ICANS scales from day 0 with no look-ahead, the row), with its progress bar
* (a) parse   - reading the files and ``orjson.loads`` only
* (b) latest  - reading the patients and one plain evaluation each, at the latest data time, of the
                same three scales (what ``cartguard evaluate`` does per patient)

Prints patients/s and resources/s of each and the ratios cohort / (a) and cohort / (b); the second
is roughly the number of time points per patient, since the course evaluates the patient once per
point. Run: ``python benchmarks/bench_cohort.py [--patients N] [--format folder|ndjson] [--workers N]``.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

import orjson
from peak_rss import PeakRSS

from cartguard.cohort import CohortParams, iter_patients, run_cohort, summarize_cohort
from cartguard.cohort.run import cohort_packset
from cartguard.cohort.text import proportion_text
from cartguard.engine.evaluate import Evaluator
from cartguard.fhir_adapters.loading import SUFFIXES
from cartguard.fhir_adapters.mapper import map_patient
from cartguard.synth import generate


def write_cohort(n: int, seed: int, fmt: str, where: Path) -> Path:
    if fmt == "ndjson":
        target = where / "cohort.ndjson"
        with target.open("wb") as fh:
            for bundle in generate(n, seed):
                for entry in bundle["entry"]:
                    fh.write(orjson.dumps(entry["resource"]) + b"\n")
        return target
    target = where / "cohort"
    target.mkdir()
    for bundle in generate(n, seed):
        (target / f"{bundle['entry'][0]['resource']['id']}.json").write_bytes(orjson.dumps(bundle))
    return target


def parse_only(path: Path) -> tuple[float, int]:
    """Baseline (a): read every file and parse it with orjson; (seconds, resources)."""
    files = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES) if path.is_dir() else [path]
    resources = 0
    t = time.perf_counter()
    for f in files:
        data = f.read_bytes()
        if f.suffix == ".ndjson":
            for line in data.splitlines():
                if line.strip():
                    orjson.loads(line)
                    resources += 1
        else:
            resources += len(orjson.loads(data)["entry"])
    return time.perf_counter() - t, resources


def latest_point(path: Path, evaluator: Evaluator, params: CohortParams, limit: int | None) -> tuple[float, int]:
    """Baseline (b): each patient read, mapped and evaluated once at its latest data; (seconds, patients)."""
    n = 0
    t = time.perf_counter()
    for pr in iter_patients(path):
        pf = map_patient(pr, evaluator.packset.bindings, validate_resources="lazy")
        evaluator.evaluate(pf, scales=params.scales)
        n += 1
        if limit is not None and n >= limit:
            break
    return time.perf_counter() - t, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--format", choices=["folder", "ndjson"], default="folder",
                    help="folder: one Bundle per patient (read one file at a time); ndjson: one file, loaded whole")
    ap.add_argument("--workers", type=int, default=1, help="worker processes of the cohort run")
    ap.add_argument("--baseline-patients", type=int, default=None,
                    help="measure baseline (b) on the first N patients only (default: all)")
    ap.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = ap.parse_args()
    params = CohortParams()
    rss = PeakRSS([os.getpid()]).start()  # this process and, once started, its workers

    with tempfile.TemporaryDirectory(prefix="cartguard-bench-cohort-") as tmp:
        t = time.perf_counter()
        path = write_cohort(args.patients, args.seed, args.format, Path(tmp))
        generated = time.perf_counter() - t
        evaluator = Evaluator(cohort_packset(), "durable")
        for pr in itertools.islice(iter_patients(path), 10):  # warm-up: rulesets, unit cache, model classes
            evaluator.evaluate(map_patient(pr, evaluator.packset.bindings, validate_resources="lazy"),
                               scales=params.scales)

        parse_s, resources = parse_only(path)
        latest_s, latest_n = latest_point(path, evaluator, params, args.baseline_patients)
        t = time.perf_counter()
        run = run_cohort(path, params, workers=args.workers, progress=not args.no_progress,
                         evaluator=evaluator if args.workers == 1 else None)
        cohort_s = time.perf_counter() - t

    n = len(run.rows)
    points = sum(r.points for r in run.rows)
    summary = summarize_cohort(run.rows, run.scales, params, input_warnings=len(run.warnings))
    per_patient_res = resources / args.patients

    def rate(name: str, seconds: float, patients: int) -> str:
        return (f"{name:<44}{patients / seconds:>10.1f} patients/s  {patients * per_patient_res / seconds:>10.0f} "
                f"resources/s  ({seconds:.1f} s for {patients})")

    print(f"{args.patients} SYNTHETIC patients (seed {args.seed}, {args.format}), {resources} resources "
          f"({per_patient_res:.0f} per patient); generated in {generated:.1f} s; "
          f"{args.workers} worker(s); scales {', '.join(params.scales)}")
    print(rate(f"cohort ({points / max(n, 1):.1f} points per patient)", cohort_s, n))
    print(rate("(a) read + orjson parse only", parse_s, args.patients))
    print(rate("(b) read + one latest-point evaluate", latest_s, latest_n))
    print(f"ratio cohort / (a) parse only:      {(cohort_s / n) / (parse_s / args.patients):8.1f}x per patient")
    print(f"ratio cohort / (b) latest-point:    {(cohort_s / n) / (latest_s / latest_n):8.1f}x per patient "
          f"(the course evaluates each patient at {points / max(n, 1):.1f} points)")
    print(f"rows: {n} ({summary.errors} errors); CRS grade 3-4 {proportion_text(summary.crs_grade_3_4)}; "
          f"DIC {proportion_text(summary.dic)}", file=sys.stdout)
    print(f"peak RSS of this process and its workers together: {rss.stop() / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
