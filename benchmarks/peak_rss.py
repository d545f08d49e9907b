"""Peak memory of a benchmark run: the summed RSS of process trees, sampled in a background thread.

Shared by the benchmarks (run as scripts, so this folder is on ``sys.path``). ``ru_maxrss`` cannot
do it: a worker started with ``spawn`` is forked first and inherits its parent's maximum.
"""

from __future__ import annotations

import threading
import time

import psutil


class PeakRSS:
    """The highest summed RSS of some process trees, sampled in a background thread.

    The trees are walked once a second (new workers appear) and their RSS read every ``interval``:
    walking ``/proc`` every few milliseconds would itself take a tenth of a core from the run.
    """

    def __init__(self, roots: list[int], interval: float = 0.05, rescan: float = 1.0) -> None:
        self.roots, self.interval, self.rescan, self.peak = roots, interval, rescan, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _procs(self) -> list[psutil.Process]:
        procs = []
        for pid in self.roots:
            try:
                root = psutil.Process(pid)
                procs += [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
        return procs

    def _run(self) -> None:
        procs, scanned = self._procs(), time.monotonic()
        while not self._stop.is_set():
            if time.monotonic() - scanned > self.rescan:
                procs, scanned = self._procs(), time.monotonic()
            total = 0
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(self.interval)

    def start(self) -> PeakRSS:
        self._thread.start()
        return self

    def stop(self) -> int:
        """Stop sampling; the peak in bytes."""
        self._stop.set()
        self._thread.join()
        return self.peak

    def __enter__(self) -> PeakRSS:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
