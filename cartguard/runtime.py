"""A long-running host's evaluator that takes a new pack set without a restart.

durable-rules cannot redefine a ruleset, so a reload never redefines one: every compiled pack's
ruleset is named ``pack@version#hash(content, parameters, disabled rules)``; a reload builds a new
:class:`~cartguard.engine.evaluate.Evaluator` beside the running one, registers its rulesets, then
swaps one reference. Each evaluation reads that reference once, so it runs entirely on the old
pack set or entirely on the new one - never half of each. Rulesets only the old pack set used are
deleted once its last in-flight evaluation has finished.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from cartguard.api import evaluate_loaded
from cartguard.engine.evaluate import Backend, Evaluator
from cartguard.engine.packset import PackSet
from cartguard.engine.results import PatientResult
from cartguard.fhir_adapters.loading import LoadResult


class _Generation:
    def __init__(self, evaluator: Evaluator) -> None:
        self.evaluator = evaluator
        self.in_flight = 0
        self.retired = False

    def ruleset_names(self) -> set[str]:
        return {cp.ruleset_name for cp in self.evaluator.packset.compiled.values()}


class Runtime:
    """Evaluates patients with the current pack set; :meth:`reload` swaps in a new one atomically."""

    def __init__(self, build: Callable[[], PackSet] | None = None, backend: Backend = "durable") -> None:
        if build is None:
            from cartguard.plugins import default_packset

            build = default_packset
        self._build = build
        self._backend = backend
        self._lock = threading.Lock()
        self._current = self._new_generation()
        self.reloads = 0

    def _new_generation(self) -> _Generation:
        evaluator = Evaluator(self._build(), self._backend)
        if evaluator._durable is not None:
            for cp in evaluator.packset.compiled.values():
                evaluator._durable.register(cp)
        return _Generation(evaluator)

    @property
    def packset(self) -> PackSet:
        return self._current.evaluator.packset

    def evaluate(self, loaded: LoadResult, *, at: datetime | None = None, infusion_date: date | None = None,
                 scales: Any = None) -> list[PatientResult]:
        with self._lock:
            gen = self._current  # one snapshot for the whole evaluation
            gen.in_flight += 1
        try:
            return evaluate_loaded(loaded, gen.evaluator, at=at, infusion_date=infusion_date, scales=scales)
        finally:
            with self._lock:
                gen.in_flight -= 1
                self._maybe_retire(gen)

    def reload(self) -> PackSet:
        """Build, check and register the new pack set, then swap it in; a failing build changes nothing."""
        new = self._new_generation()  # raises PackError before anything is swapped
        with self._lock:
            old, self._current = self._current, new
            old.retired = True
            self.reloads += 1
            self._maybe_retire(old)
        return new.evaluator.packset

    def _maybe_retire(self, gen: _Generation) -> None:
        if not gen.retired or gen.in_flight or gen is self._current:
            return
        durable = gen.evaluator._durable
        if durable is not None:
            durable.retire(gen.ruleset_names() - self._current.ruleset_names())
        gen.retired = False  # retired once
