"""Where the tasks run: in this process, in local worker processes, or on a Dask cluster.

All three run the same task functions (:mod:`cartguard.bulk.worker`) and yield their results as
they complete; the main process alone writes results. Local workers are started with ``spawn``
(a fresh interpreter: no durable-rules state or thread is ever inherited) and load their packs in
the pool initializer while the main process plans. A Dask cluster must see the export and the
spill folder at the same paths as the main process (a shared filesystem), and have cartguard and
the same packs installed (checked by every task).
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

from cartguard.bulk.worker import EngineSpec, warm_up
from cartguard.errors import EngineError

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    name: str
    workers: int
    """Processes the tasks run in (a cluster's workers when it started)."""

    def call(self, fn: Callable[[T], R], arg: T) -> R:
        """Run one task and return its result."""
        ...

    def map_unordered(self, fn: Callable[[T], R], args: Iterable[T]) -> Iterator[R]:
        """Run ``fn`` on every argument; yield results as they complete."""
        ...

    def close(self) -> None: ...


class InlineExecutor:
    """Everything in this process, one task after the other (``--workers 1``)."""

    name = "single process"
    workers = 1

    def call(self, fn: Callable[[T], R], arg: T) -> R:
        return fn(arg)

    def map_unordered(self, fn: Callable[[T], R], args: Iterable[T]) -> Iterator[R]:
        for arg in args:
            yield fn(arg)

    def close(self) -> None:
        pass


class LocalExecutor:
    """``workers`` local processes (concurrent.futures, spawn start method), each with its own engine."""

    name = "local processes"

    def __init__(self, workers: int, spec: EngineSpec) -> None:
        self.workers = workers
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_pool_worker, initargs=(spec,))

    def call(self, fn: Callable[[T], R], arg: T) -> R:
        try:
            return self._pool.submit(fn, arg).result()
        except BrokenProcessPool as exc:
            raise EngineError(f"a worker process died ({exc}); run the same command again to resume") from None

    def map_unordered(self, fn: Callable[[T], R], args: Iterable[T]) -> Iterator[R]:
        # At most a few tasks in flight per worker: results are consumed as they come, and a failing
        # task stops the run before the rest are started.
        pending: set[Future[R]] = set()
        todo = iter(args)
        limit = 2 * (self.workers or 1)
        try:
            while True:
                while len(pending) < limit:
                    arg = next(todo, _END)
                    if arg is _END:
                        break
                    pending.add(self._pool.submit(fn, arg))
                if not pending:
                    return
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        except BrokenProcessPool as exc:
            raise EngineError(f"a worker process died ({exc}); run the same command again to resume") from None
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


_END: Any = object()


def _pool_worker(spec: EngineSpec) -> None:
    """A local worker: Ctrl-C is the main process's to handle (it stops the pool); then load the packs."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm_up(spec)


class DaskExecutor:
    """The tasks on an existing Dask distributed cluster (``--scheduler tcp://HOST:PORT``)."""

    name = "dask cluster"

    def __init__(self, address: str, timeout: float = 60.0) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise EngineError("--scheduler needs the bulk extra: pip install 'cartguard[bulk]'") from None
        try:
            self._client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise EngineError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        try:
            self._client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            self._client.close()
            raise EngineError(f"the Dask scheduler at {address} has no worker (waited {timeout:g} s)") from None
        self.address = address
        self.workers = len(self._client.scheduler_info()["workers"])

    def call(self, fn: Callable[[T], R], arg: T) -> R:
        return self._client.submit(fn, arg, pure=False).result()

    def map_unordered(self, fn: Callable[[T], R], args: Iterable[T]) -> Iterator[R]:
        from distributed import as_completed

        pending = {f.key: f for f in (self._client.submit(fn, arg, pure=False) for arg in args)}
        try:
            for future in as_completed(list(pending.values()), loop=self._client.loop):
                result = future.result()
                # Let go of it at once: a held future keeps its result in the client and on the worker.
                pending.pop(future.key, None)
                future.release()
                yield result
        finally:
            for future in pending.values():
                future.cancel()

    def close(self) -> None:
        self._client.close()


def make_executor(workers: int, scheduler: str | None, spec: EngineSpec) -> Executor:
    """Dask when a scheduler is given, else local processes (or this process for one worker)."""
    if scheduler:
        return DaskExecutor(scheduler)
    if workers <= 1:
        return InlineExecutor()
    return LocalExecutor(workers, spec)
