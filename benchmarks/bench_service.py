"""Bounded load test of the CDS Hooks service on loopback only.

Starts ``cartguard serve`` (uvicorn, 2 worker processes) in its own process on 127.0.0.1 (a free port,
an audit log in a temporary folder),
sends a fixed number of patient-view requests with the realistic prefetch of the example patient
(day +7, ~700 resources) from a fixed number of concurrent clients, each with a freshly signed JWT,
and stops at a fixed maximum duration whatever happens. Reports requests/s and p50/p99 latency, then
checks that the audit log holds exactly one row per request sent (none lost).

    python benchmarks/bench_service.py [--requests 300] [--clients 4] [--max-seconds 120] [--rate R]

Closed loop (default) measures throughput: the clients send as fast as the server answers, so on
a 2-core machine that also runs the clients the latency is mostly queueing. ``--rate`` measures
latency at a steady load below capacity (latency counted from each request's scheduled time).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from service_helpers import (  # noqa: E402
    ISSUER,
    PATIENT_VIEW,
    Signer,
    example_resources,
    free_port,
    patient_view_request,
    prefetch_of,
)

from cartguard.service.audit import AuditLog  # noqa: E402


@contextmanager
def _server(port: int, workers: int, audit_url: str, jwks: Path) -> Iterator[str]:
    """``cartguard serve`` in its own process group on loopback (the EHR is another process)."""
    proc = subprocess.Popen([sys.executable, "-m", "cartguard.cli", "serve", "--host", "127.0.0.1", "--port",
                             str(port), "--workers", str(workers), "--audit-db", audit_url, "--issuer", ISSUER,
                             "--jwks", str(jwks)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/cds-services", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("cartguard serve did not start")
            time.sleep(0.2)
        time.sleep(1.0 * workers)  # every worker up
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--max-seconds", type=float, default=120.0)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2, help="service worker processes (cartguard serve --workers)")
    ap.add_argument("--rate", type=float, default=None,
                    help="open loop: send at this fixed rate (requests/s) instead of as fast as the clients can; "
                         "latency then counts from each request's scheduled time, so queueing is not hidden")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="cartguard-bench-"))
    signer = Signer()
    port = free_port()
    aud = f"http://127.0.0.1:{port}/cds-services"
    audit_url = f"sqlite:///{tmp / 'audit.db'}"
    prefetch = prefetch_of(example_resources())
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    counter = iter(range(args.requests))
    sent = 0

    with _server(port, args.workers, audit_url, signer.write_jwks(tmp / "jwks.json")) as base:
        with httpx.Client(base_url=base, timeout=30) as c:  # warm-up (not counted, but audited)
            for _ in range(args.warmup):
                c.post(f"/cds-services/{PATIENT_VIEW}", json=patient_view_request(prefetch=prefetch),
                       headers={"Authorization": f"Bearer {signer.token(aud)}"}).raise_for_status()
        deadline = time.monotonic() + args.max_seconds

        def client() -> None:
            nonlocal sent
            with httpx.Client(base_url=base, timeout=30) as c:
                while time.monotonic() < deadline:
                    with lock:
                        i = next(counter, None)
                        if i is None:
                            return
                        sent += 1
                    body = orjson.dumps(patient_view_request(prefetch=prefetch))
                    headers = {"Authorization": f"Bearer {signer.token(aud)}", "Content-Type": "application/json"}
                    t0 = time.perf_counter()
                    if args.rate:  # open loop: wait for this request's slot; latency counts from the slot
                        slot = start + i / args.rate
                        if slot > t0:
                            time.sleep(slot - t0)
                        t0 = slot
                    r = c.post(f"/cds-services/{PATIENT_VIEW}", content=body, headers=headers)
                    dt = time.perf_counter() - t0
                    with lock:
                        latencies.append(dt)
                        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

        start = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
    rows = AuditLog(audit_url).rows()

    lat = sorted(latencies)
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
    n_res = sum(len(v["entry"]) if "entry" in v else 1 for v in prefetch.values() if v)
    mode = f"open loop at {args.rate:g} requests/s" if args.rate else f"{args.clients} concurrent clients, closed loop"
    print(f"patient-view, realistic prefetch ({n_res} resources), {mode}, on loopback")
    print(f"requests: {len(lat)} of {args.requests} in {wall:.2f} s -> {len(lat) / wall:.1f} requests/s")
    print(f"latency: p50 {p(0.50):.1f} ms, p99 {p(0.99):.1f} ms, max {lat[-1] * 1000:.1f} ms, "
          f"mean {statistics.fmean(lat) * 1000:.1f} ms")
    print(f"statuses: {statuses}")
    expected = sent + args.warmup
    ids = {r["request_id"] for r in rows}
    ok = len(rows) == expected and len(ids) == len(rows)
    print(f"audit log: {len(rows)} rows for {expected} requests (incl. {args.warmup} warm-up): "
          f"{'none lost' if ok else 'MISMATCH'}")
    return 0 if ok and statuses.get(200, 0) == len(lat) else 1


if __name__ == "__main__":
    sys.exit(main())
