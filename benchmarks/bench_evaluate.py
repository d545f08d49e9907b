"""Benchmark: end-to-end evaluation of synthetic patients, against two baselines in the same run.

Each patient: 14 days of vitals every 4 h (temperature, blood pressure), daily labs (platelets,
PT with reference range, fibrinogen, D-dimer), oxygen records and medications - about 250
resources. Timed from bytes in to a PatientResult out, one patient at a time, on one core:

* cartguard  - load_bytes + map_patient + Evaluator (durable-rules), validating with fhir.resources
               every resource that lies inside a look-back window (the ones the packs can use)
* (a) parse  - orjson.loads of the same bytes only
* (b) plain  - orjson.loads + a hand-written plain-Python ASTCT grade and ISTH score

* all scales - the same, with every installed scale evaluated (``--scales all``) instead of the
               core pair (ASTCT CRS and ISTH overt DIC; the guidance also reads the ICANS grade)

Prints patients/s, per-patient p50/p99 latency, the ratios, and where cartguard's time goes.
Run: ``python benchmarks/bench_evaluate.py [--patients N]``.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
from datetime import UTC, datetime

import orjson

from cartguard.api import evaluate_loaded
from cartguard.engine.evaluate import Evaluator
from cartguard.fhir_adapters.loading import load_bytes
from cartguard.fhir_adapters.mapper import map_patient
from cartguard.plugins import default_packset
from cartguard.testing import PatientBuilder

LAB = "http://cartguard.example/fhir/CodeSystem/lab"
CORE_PAIR = ["crs.astct2019", "dic.isth2001"]
"""The baseline lane reports the core pair (the guidance still reads the ICANS grade, so it is evaluated)."""


def make_patient(i: int, rng: random.Random) -> bytes:
    b = PatientBuilder(f"bench-{i}")
    severe = rng.random() < 0.35
    for day in range(14):
        for hour in range(2, 24, 4):
            fever = 1 <= day <= 6 and rng.random() < 0.7
            b.observation("8310-5", round(rng.uniform(38.1, 39.6) if fever else rng.uniform(36.4, 37.6), 1), "Cel",
                          day=day, hour=hour)
            b.blood_pressure(rng.randint(78, 130), rng.randint(45, 80), day=day, hour=hour)
        b.observation("777-3", rng.randint(20, 180), "10*9/L", day=day, hour=6)
        b.observation("5902-2", round(rng.uniform(11, 20), 1), "s", day=day, hour=6, ref_high=13.5)
        b.observation("3255-7", round(rng.uniform(0.6, 4), 2), "g/L", day=day, hour=6)
        b.observation("48065-7", round(rng.uniform(0.2, 8), 2), "mg/L{FEU}", day=day, hour=6, ref_high=0.5)
        # inputs of the optional scales (JAAM, JMHW, JSTH, SIC, CDSS, non-overt ISTH, SIRS)
        b.observation("5894-1", round(rng.uniform(0.9, 1.9), 2), "{ratio}", day=day, hour=6)
        b.observation("6301-6", round(rng.uniform(0.9, 1.9), 2), "{INR}", day=day, hour=6)
        b.observation("14979-9", round(rng.uniform(25, 50), 1), "s", day=day, hour=6, ref_high=36)
        b.observation("30226-5", round(rng.uniform(2, 60), 1), "mg/L", day=day, hour=6, ref_high=5)
        b.observation("antithrombin-activity", rng.randint(40, 110), "%", day=day, hour=6, system=LAB)
        b.observation("8867-4", rng.randint(70, 130), "/min", day=day, hour=6)
        b.observation("9279-1", rng.randint(12, 30), "/min", day=day, hour=6)
        b.observation("6690-2", round(rng.uniform(0.2, 14), 1), "10*9/L", day=day, hour=6)
    if severe:
        b.medication("norepinephrine", day=5, hour=8, until_day=8, until_hour=8)
        b.medication("tocilizumab", day=4, hour=12, dose_mg=560)
        b.oxygen_device("high-flow nasal cannula", day=6, hour=4, flow=40)
    else:
        b.oxygen_device("nasal cannula", day=3, hour=4, flow=3)
        b.medication("acetaminophen", day=2, hour=14, dose_mg=1000)
    b.observation("29463-7", 70, "kg", day=0, hour=8)
    return b.bundle_bytes()


def plain_python(data: bytes, at: datetime) -> tuple[int, int]:
    """Baseline (b): the same two scores, hand-coded for exactly this input shape."""
    bundle = orjson.loads(data)
    tmax = sbp_min = None
    plt = pt = fib = dd = None
    pressors = 0
    device = "room_air"
    flow = None
    at_s = at.isoformat().replace("+00:00", "Z")
    for e in bundle["entry"]:
        r = e["resource"]
        rt = r["resourceType"]
        if rt == "Observation":
            t = r["effectiveDateTime"]
            if t > at_s:
                continue
            code = r["code"]["coding"][0]["code"]
            q = r.get("valueQuantity", {})
            v = q.get("value")
            if code == "8310-5":
                tmax = v if tmax is None else max(tmax, v)
            elif code == "85354-9":
                s = r["component"][0]["valueQuantity"]["value"]
                sbp_min = s if sbp_min is None else min(sbp_min, s)
            elif code == "777-3":
                plt = v
            elif code == "5902-2":
                pt = v - r["referenceRange"][0]["high"]["value"]
            elif code == "3255-7":
                fib = v
            elif code == "48065-7":
                dd = v / r["referenceRange"][0]["high"]["value"]
            elif code == "107117-4":
                device = r["valueCodeableConcept"]["coding"][0]["code"]
            elif code == "3151-8":
                flow = v
        elif rt == "MedicationAdministration":
            code = r["medicationCodeableConcept"]["coding"][0]["code"]
            p = r.get("effectivePeriod")
            if code == "7512" and p and p["start"] <= at_s <= p["end"]:
                pressors += 1
    hyp = 4 if pressors >= 2 else 3 if pressors == 1 else 2 if (sbp_min or 999) < 90 else 0
    hox = 0 if device == "room_air" else (2 if (flow or 0) <= 6 else 3)
    grade = max(1, hyp, hox) if (tmax or 0) >= 38.0 else 0
    score = (0 if plt >= 100 else 1 if plt >= 50 else 2) + (0 if dd < 2 else 2 if dd <= 4 else 3) \
        + (0 if pt < 3 else 1 if pt < 6 else 2) + (0 if fib >= 1.0 else 1)
    return grade, score


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--patients", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--collect-between", action="store_true",
                    help="run the garbage collector between patients, outside the timed region, to show how much"
                         " of the tail latency is collection pauses (a service can schedule them between requests)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    datas = [make_patient(i, rng) for i in range(args.patients)]
    n_res = len(orjson.loads(datas[0])["entry"])
    at = datetime(2026, 3, 17, 8, tzinfo=UTC)
    ev = Evaluator(default_packset(), "durable")
    for d in datas[:20]:  # warm-up: compile rulesets, UCUM factor cache, model classes
        evaluate_loaded(load_bytes(d), ev, at=at)
        plain_python(d, at)

    for d in datas[:20]:
        evaluate_loaded(load_bytes(d), ev, at=at, scales="all")

    def timed_all(d: bytes) -> float:
        """Bytes -> result with every installed scale, timed exactly like the default run."""
        t = time.perf_counter()
        pf_all = map_patient(next(iter(load_bytes(d).patients.values())), ev.packset.bindings,
                             validate_resources="lazy")
        ev.evaluate(pf_all, at=at, scales="all")
        return time.perf_counter() - t

    full, parse, plain, every = [], [], [], []
    stage = {"load": 0.0, "map": 0.0, "evaluate": 0.0}
    for i, d in enumerate(datas):
        if args.collect_between:
            gc.collect()
        if i % 2:  # alternate which of the two runs goes first, so neither pays the other's garbage
            every.append(timed_all(d))
        t0 = time.perf_counter()
        orjson.loads(d)
        t1 = time.perf_counter()
        plain_python(d, at)
        t2 = time.perf_counter()
        loaded = load_bytes(d)
        t3 = time.perf_counter()
        pr = next(iter(loaded.patients.values()))
        pf = map_patient(pr, ev.packset.bindings, validate_resources="lazy")
        t4 = time.perf_counter()
        ev.evaluate(pf, at=at, scales=CORE_PAIR)
        t5 = time.perf_counter()
        if not i % 2:
            every.append(timed_all(d))
        parse.append(t1 - t0)
        plain.append(t2 - t1)
        full.append(t5 - t2)
        stage["load"] += t3 - t2
        stage["map"] += t4 - t3
        stage["evaluate"] += t5 - t4

    # Cost of validating every resource eagerly instead of only those inside the look-back windows.
    t0 = time.perf_counter()
    for d in datas:
        map_patient(next(iter(load_bytes(d).patients.values())), ev.packset.bindings, validate_resources=True)
    eager_map = time.perf_counter() - t0 - stage["load"]

    def row(name: str, xs: list[float]) -> str:
        return (f"{name:<34}{len(xs) / sum(xs):>10.0f}/s  p50 {statistics.median(xs) * 1e3:7.3f} ms"
                f"  p99 {pct(xs, 99) * 1e3:7.3f} ms")

    size = len(datas[0]) / 1024
    print(f"{args.patients} patients x {n_res} resources each ({size:.0f} KiB), evaluated at {at:%Y-%m-%d %H:%M}"
          + (", gc between patients" if args.collect_between else ""))
    print(row("cartguard, core pair (bytes -> result)", full))
    scales = ev.packset.select("all")
    print(row(f"cartguard, all {len(scales)} scales", every))
    print(row("(a) orjson parse only", parse))
    print(row("(b) plain-Python two scores", plain))
    print(f"ratio cartguard / (a) parse only: {sum(full) / sum(parse):8.1f}x")
    print(f"ratio cartguard / (b) plain Python: {sum(full) / sum(plain):6.1f}x")
    print(f"ratio all {len(scales)} scales / the core pair ({', '.join(CORE_PAIR)}): {sum(every) / sum(full):.2f}x")
    tot = sum(stage.values())
    print("where cartguard's time goes: " + ", ".join(f"{k} {v / tot:.0%}" for k, v in stage.items())
          + "; validation is inside evaluate (lazy, in-window resources only)")
    print(f"eager validation of every resource would add {(eager_map - stage['map']) / len(datas) * 1e3:.1f} ms"
          " per patient")


if __name__ == "__main__":
    main()
