"""Benchmark: ``cartguard bulk`` on a generated FHIR Bulk Data export, against an orjson floor in the same run.

The export (``cartguard.synth_bulk.write_bulk_export``): ``--patients`` synthetic CAR-T patients
followed ``--days`` days, NDJSON per resource type, with ``--unrelated`` unrelated Observations
(routine chemistry no pack binds) for each relevant one, as in a real export. Measured, each as a
separate process timed end to end (interpreter start and pack loading included):

* orjson floor  - read every line of every file and ``orjson.loads`` it, in this process, nothing else;
* single        - ``cartguard bulk --workers 1`` (everything in one process);
* local         - ``cartguard bulk --workers N`` (local worker processes);
* dask          - ``cartguard bulk --scheduler`` on a Dask cluster started here beforehand (a ``dask
                  scheduler`` and N single-threaded ``dask worker`` processes on loopback).

Rates are resources (lines) and patients per second of wall time. Peak memory is the highest sum of
the resident set sizes (RSS) of the bulk process and all its child processes - and, for Dask, of the
scheduler and worker processes - sampled every 50 ms with psutil (the process trees re-read every
second; RSS counts shared pages once per process, so the sum over-states, never under-states). The
three executors' results are compared patient by patient. ``--repeat N`` runs every measurement N
times, interleaved, and the table gives medians (a shared machine's speed drifts by tens of percent
from minute to minute). ``--scale10`` repeats the local run on an export ten times larger to show
that peak memory does not grow with the export.

Run: ``python benchmarks/bench_bulk.py [--patients 1000] [--days 30] [--workers 2] [--repeat 3] [--scale10]``.
Targets (docs/bulk.md): single >= 25 % of the floor's resources/s; local >= 1.6 x single; peak < 1 GB.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from peak_rss import PeakRSS

from cartguard.synth_bulk import write_bulk_export

GIB = 1 << 30


def make_export(folder: Path, patients: int, days: int, unrelated: int, seed: int = 0) -> dict[str, Any]:
    """The export in ``folder``, generated unless a manifest of the same parameters is already there."""
    manifest = folder / "manifest.json"
    if manifest.exists():
        doc = orjson.loads(manifest.read_bytes())
        ext = doc.get("extension", {})
        if (ext.get("patients"), ext.get("days"), ext.get("unrelated_per_relevant"), ext.get("seed")) == \
                (patients, days, unrelated, seed):
            return dict(doc)
        shutil.rmtree(folder)
    return write_bulk_export(folder, patients, seed, unrelated_per_relevant=unrelated, days=days)


def orjson_floor(folder: Path) -> tuple[int, float]:
    """(resources, seconds) to read and parse every line of every NDJSON file."""
    loads = orjson.loads
    n = 0
    t0 = time.perf_counter()
    for path in sorted(folder.iterdir()):
        if not path.name.endswith((".ndjson", ".ndjson.gz")):
            continue
        with (gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb")) as fh:
            for line in fh:
                loads(line)
                n += 1
    return n, time.perf_counter() - t0


def run_bulk_process(export: Path, out: Path, extra: list[str], watch: list[int]) -> tuple[float, int, dict[str, Any]]:
    """(wall seconds, peak RSS bytes, summary) of one ``cartguard bulk`` process."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "cartguard.bulk.command", str(export), "--out", str(out), "--no-progress", *extra]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with PeakRSS([proc.pid, *watch]) as rss:
        _, err = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"cartguard bulk failed ({proc.returncode}):\n{err.decode()[-3000:]}")
    return wall, rss.peak, orjson.loads((out / "summary.json").read_bytes())


class Cluster:
    """A Dask scheduler and ``workers`` single-threaded workers on loopback (an existing cluster)."""

    def __init__(self, folder: Path, workers: int) -> None:
        self.folder, self.n = folder, workers
        self.procs: list[subprocess.Popen[bytes]] = []

    def _start(self, name: str, *args: str) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        self.procs.append(subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=log,
                                           stderr=subprocess.STDOUT, start_new_session=True))
        log.close()

    def __enter__(self) -> Cluster:
        self.folder.mkdir(parents=True, exist_ok=True)
        info = self.folder / "scheduler.json"
        info.unlink(missing_ok=True)
        self._start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                    "--scheduler-file", str(info))
        deadline = time.monotonic() + 60
        while not info.exists() or not info.read_bytes().strip():
            if time.monotonic() > deadline:
                raise SystemExit("the Dask scheduler did not start")
            time.sleep(0.05)
        self.address = orjson.loads(info.read_bytes())["address"]
        for n in range(self.n):
            self._start(f"worker{n}", "worker", "--scheduler-file", str(info), "--host", "127.0.0.1", "--nthreads",
                        "1", "--no-nanny", "--no-dashboard", "--memory-limit", "0",
                        "--local-directory", str(self.folder / f"w{n}"))
        while sum(b"Registered to" in (self.folder / f"worker{n}.log").read_bytes() for n in range(self.n)) < self.n:
            if time.monotonic() > deadline:
                raise SystemExit("the Dask workers did not register")
            time.sleep(0.05)
        return self

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def __exit__(self, *exc: object) -> None:
        for p in reversed(self.procs):
            os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def results_by_patient(out: Path) -> dict[str, bytes]:
    lines = (out / "results.ndjson").read_bytes().splitlines()
    by_patient = {orjson.loads(line)["patient"]: line for line in lines}
    if len(by_patient) != len(lines):
        raise SystemExit(f"{out}: a patient has more than one result line")
    return by_patient


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--patients", type=int, default=1000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--unrelated", type=int, default=9, help="unrelated Observations per relevant one")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--dir", type=Path, default=None, help="where exports and results go (default: a temp folder)")
    ap.add_argument("--keep", action="store_true", help="keep the exports (reused by the next run with --dir)")
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask cluster run")
    ap.add_argument("--scale10", action="store_true", help="also run on an export ten times larger (peak memory)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each executor (the table gives medians)")
    ap.add_argument("--json", type=Path, default=None, help="write the measurements here too")
    args = ap.parse_args(argv)

    root = args.dir or Path(tempfile.mkdtemp(prefix="cartguard-bench-bulk-"))
    root.mkdir(parents=True, exist_ok=True)
    export = root / f"export-{args.patients}x{args.days}d-u{args.unrelated}"
    try:
        t0 = time.perf_counter()
        manifest = make_export(export, args.patients, args.days, args.unrelated)
        size = sum(p.stat().st_size for p in export.iterdir())
        print(f"export: {args.patients} patients x {args.days} days, {manifest['extension']['resources']:,} resources "
              f"({manifest['extension']['unrelated_observations']:,} unrelated Observations), {size / 1e9:.2f} GB "
              f"[{time.perf_counter() - t0:.0f} s to make or find]", flush=True)

        runs: list[tuple[str, list[str], str | None]] = [
            ("single", ["--workers", "1"], None),
            (f"local x{args.workers}", ["--workers", str(args.workers)], None)]
        if not args.no_dask:
            runs.append((f"dask x{args.workers}", [], "dask"))
        walls: dict[str, list[float]] = {"orjson floor": []}
        rows: list[dict[str, Any]] = [{"executor": "orjson floor", "resources": 0, "patients": None, "peak": None}]
        rows += [{"executor": name, "peak": 0} for name, _, _ in runs]
        outputs: dict[str, Path] = {}
        for rep in range(args.repeat):  # interleaved, so a slow spell of the machine hits every executor alike
            n, floor_s = orjson_floor(export)
            walls["orjson floor"].append(floor_s)
            rows[0]["resources"] = n
            for row, (name, extra, kind) in zip(rows[1:], runs, strict=True):
                out = root / f"out-{name.split()[0]}"
                if kind == "dask":
                    with Cluster(root / "dask", args.workers) as cluster:
                        wall, peak, summary = run_bulk_process(export, out, ["--scheduler", cluster.address],
                                                               cluster.pids)
                else:
                    wall, peak, summary = run_bulk_process(export, out, extra, [])
                outputs[name] = out
                walls.setdefault(name, []).append(wall)
                row.update(resources=summary["resources"], patients=summary["patients"],
                           peak=max(row["peak"], peak), seconds=summary["seconds"])
                print(f"  [{rep + 1}/{args.repeat}] {name}: {wall:.1f} s (partition "
                      f"{summary['seconds']['partition']:.1f} s, evaluate {summary['seconds']['evaluate']:.1f} s, "
                      f"parquet {summary['seconds']['parquet']:.1f} s), peak {peak / 1e6:.0f} MB", flush=True)
        for row in rows:
            row["walls"] = walls[row["executor"]]
            row["wall"] = statistics.median(row["walls"])
        n = rows[0]["resources"]
        floor_s = rows[0]["wall"]

        reference = results_by_patient(outputs["single"])
        identical = all(results_by_patient(out) == reference for out in outputs.values())
        if len(reference) != args.patients:
            raise SystemExit(f"{len(reference)} result lines for {args.patients} patients")

        floor_rate = n / floor_s
        single = next(r for r in rows if r["executor"] == "single")
        print()
        print(f"median of {args.repeat} run(s) each")
        print(f"{'executor':<14}{'wall s':>9}{'resources/s':>14}{'patients/s':>12}{'of floor':>10}"
              f"{'vs single':>11}{'peak RSS MB':>13}")
        for r in rows:
            rate = r["resources"] / r["wall"]
            pats = f"{r['patients'] / r['wall']:.1f}" if r["patients"] else "-"
            vs = f"{single['wall'] / r['wall']:.2f}x" if r["patients"] else "-"
            mb = f"{r['peak'] / 1e6:.0f}" if r["peak"] else "-"
            print(f"{r['executor']:<14}{r['wall']:>9.1f}{rate:>14,.0f}{pats:>12}{rate / floor_rate:>9.0%}{vs:>11}"
                  f"{mb:>13}")
        print(f"results identical patient by patient across executors: {'yes' if identical else 'NO'}")

        local = rows[2]
        targets = {
            "single >= 25% of orjson floor": (single["resources"] / single["wall"]) / floor_rate >= 0.25,
            f"local x{args.workers} >= 1.6x single": single["wall"] / local["wall"] >= 1.6,
            "peak RSS < 1 GB (every executor)": all(r["peak"] < GIB for r in rows if r["peak"]),
        }
        report: dict[str, Any] = {"patients": args.patients, "days": args.days, "unrelated": args.unrelated,
                                  "export_bytes": size, "rows": rows, "identical": identical}
        if args.scale10:
            big = root / f"export-{args.patients * 10}x{args.days}d-u{args.unrelated}"
            t0 = time.perf_counter()
            make_export(big, args.patients * 10, args.days, args.unrelated)
            big_size = sum(p.stat().st_size for p in big.iterdir())
            print(f"10x export: {args.patients * 10} patients, {big_size / 1e9:.1f} GB "
                  f"[{time.perf_counter() - t0:.0f} s to make or find]", flush=True)
            wall, peak, summary = run_bulk_process(big, root / "out-10x", ["--workers", str(args.workers)], [])
            print(f"10x export, local x{args.workers}: {wall:.0f} s, {summary['resources'] / wall:,.0f} resources/s, "
                  f"{summary['patients'] / wall:.1f} patients/s, peak RSS {peak / 1e6:.0f} MB "
                  f"(1x: {local['peak'] / 1e6:.0f} MB)")
            targets["peak RSS < 1 GB on the 10x export"] = peak < GIB
            report["scale10"] = {"export_bytes": big_size, "wall": wall, "peak": peak,
                                 "resources": summary["resources"], "patients": summary["patients"]}
        for name, met in targets.items():
            print(f"target {name}: {'met' if met else 'NOT met'}")
        report["targets"] = targets
        if args.json:
            args.json.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
        return 0 if identical else 1
    finally:
        for out in root.glob("out-*"):
            shutil.rmtree(out, ignore_errors=True)
        if not args.keep:
            for path in [root] if args.dir is None else list(root.glob("export-*")):
                shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
