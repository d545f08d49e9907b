"""durable-rules, wrapped so that it cannot lose a result, crash, or mix two patients.

durable-rules 2.0.28 (the last release) has a fast C Rete core and many sharp edges; each is
handled here on purpose, and ``tests/test_durable_host.py`` shows each one handled:

* ``Host()`` starts two background timer threads that dispatch actions: results were lost and
  use-after-free crashes seen. :class:`QuietHost` overrides ``_run`` so no thread ever starts;
  actions run synchronously inside ``assert_fact``. No timers are used (time is in the facts).
* Session ids are matched on a 32-bit FNV-1a hash, so two patient ids can collide and share
  state. Patient ids are never used as sids: evaluations borrow a sid from :class:`SidPool`, a
  fixed set of slot names checked at import to have distinct hashes.
* At most 1,024 live sids per ruleset: every evaluation deletes its state in ``finally``.
* Not thread-safe and never releases the GIL: one lock serialises every evaluation in a host;
  scale with processes.
* A ruleset name cannot be registered twice and ``register_rulesets`` mutates its argument:
  rulesets are deep-copied and named ``pack@version#hash-of-content-and-parameters``, so a new
  pack version or parameter set is a new ruleset and never a redefinition.
* Exceptions inside actions are swallowed into the state: the state is checked after every
  assertion and an :class:`~cartguard.errors.EngineError` raised.
* An unmatched fact raises ``MessageNotHandledException`` and, seen here, deleting that state
  and asserting again segfaults: every stage has a catch-all rule, whose firing is also the
  proof that the engine saw the fact.
* The session's own state object is itself a fact: a rule testing only ``$nex`` (field absent)
  matches it and re-fires forever. Every condition is ANDed with ``cg_kind`` equality, which the
  state object never carries.
* A rule compiles to one sequence of at most 31 expressions (``MAX_SEQUENCE_EXPRESSIONS``); a longer
  one fails registration with a bare error 113. The rules at fault are found and named in a
  :class:`~cartguard.errors.PackError` with the fix (fewer conditions per rule).
* ``"abc" >= 38`` is true and exponent floats crash: only validated numbers, rounded by
  :func:`cartguard.engine.compile.number`, and identifier strings ever reach the engine.
"""

from __future__ import annotations

import copy
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cartguard.engine.compile import Atom, CompiledPack
from cartguard.engine.facts_encoding import KIND_FIELD
from cartguard.errors import EngineError, PackError

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import durable.engine as _durable  # noqa: E402

# Python 3.12: durable.engine raises a DeprecationWarning on every action.
warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"durable(\..*)?")

FNV_OFFSET = 2166136261
FNV_PRIME = 16777619


def fnv1_32(text: str) -> int:
    """The 32-bit hash durable-rules matches session ids on (``fnv1Hash32`` in src/rules/state.c).

    Despite its name it xors before multiplying, i.e. FNV-1a.
    """
    h = FNV_OFFSET
    for byte in text.encode():
        h = ((h ^ byte) * FNV_PRIME) & 0xFFFFFFFF
    return h


class SidPool:
    """A fixed pool of session ids with pairwise distinct FNV-1a hashes (checked at construction)."""

    def __init__(self, size: int = 8, prefix: str = "cg-slot-") -> None:
        names = [f"{prefix}{i}" for i in range(size)]
        hashes = {fnv1_32(n) for n in names}
        if len(hashes) != len(names):
            raise EngineError("session-id pool has a hash collision; choose another prefix")
        self._free = list(reversed(names))
        self.size = size

    @contextmanager
    def borrow(self) -> Iterator[str]:
        if not self._free:
            raise EngineError("no free evaluation slot: evaluations must not nest")
        sid = self._free.pop()
        try:
            yield sid
        finally:
            self._free.append(sid)


class QuietHost(_durable.Host):
    """A durable-rules host that never starts its background dispatch threads."""

    def __init__(self) -> None:
        self.fired: list[str] | None = None
        super().__init__()

    def _run(self) -> None:  # the timer threads lose results and crash; actions run inline instead
        return None

    def get_action(self, action_name: str):
        def record(c: Any) -> None:
            if self.fired is None:
                raise EngineError(f"rule {action_name} fired outside an evaluation")
            self.fired.append(action_name)

        return record


def _num_def(a: Atom) -> dict[str, Any]:
    lo, hi, t = f"{a.input}__lo", f"{a.input}__hi", a.operand
    conditions: dict[str, dict[str, Any]] = {
        "gte": {"$gte": {lo: t}},
        "gt": {"$gt": {lo: t}},
        "lt": {"$lt": {hi: t}},
        "lte": {"$lte": {hi: t}},
        "eq": {"$and": [{lo: t}, {hi: t}]},
    }
    return conditions[a.op]


def _num_pos(a: Atom) -> dict[str, Any]:
    lo, hi, t = f"{a.input}__lo", f"{a.input}__hi", a.operand
    if a.op == "eq":
        return {"$and": [{"$or": [{"$lte": {lo: t}}, {"$nex": {lo: 1}}]},
                         {"$or": [{"$gte": {hi: t}}, {"$nex": {hi: 1}}]}]}
    bound, op = {"gte": (hi, "$gte"), "gt": (hi, "$gt"), "lt": (lo, "$lt"), "lte": (lo, "$lte")}[a.op]
    return {"$or": [{op: {bound: t}}, {"$nex": {bound: 1}}]}


def atom_condition(a: Atom, possible: bool) -> dict[str, Any]:
    """The durable-rules condition for one atom, definitely-true or possibly-true form."""
    known = f"{a.input}__k"
    if a.op == "absent":
        return {"$nex": {known: 1}} if a.operand else {"$ex": {known: 1}}
    if a.op == "in":
        options: list[dict[str, Any]] = [{a.input: v} for v in a.operand]
        if possible:
            options.append({"$nex": {known: 1}})
        return options[0] if len(options) == 1 else {"$or": options}
    return _num_pos(a) if possible else _num_def(a)


def compile_ruleset(cp: CompiledPack) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    """durable-rules ruleset definition for a compiled pack, and rule-name → (rule id, truth) map."""
    definition: dict[str, Any] = {}
    names: dict[str, tuple[str, str]] = {}
    for i, rule in enumerate(cp.rules):
        for truth, possible in (("true", False), ("unknown", True)):
            conds: list[dict[str, Any]] = [{KIND_FIELD: rule.stage}]
            for group in rule.groups:
                parts = [atom_condition(a, possible) for a in group]
                conds.append(parts[0] if len(parts) == 1 else {"$or": parts})
            name = f"r{i}{'d' if truth == 'true' else 'p'}"
            definition[name] = {"all": [{"m": {"$and": conds}}], "run": name}
            names[name] = (rule.id, truth)
    for stage in ("inputs", "result"):
        name = f"seen_{stage}"
        definition[name] = {"all": [{"m": {KIND_FIELD: stage}}], "run": name}
    return definition, names


def _rule_too_long(host: Any, probe: str, definition: dict[str, Any]) -> bool:
    try:
        host.register_rulesets({probe: copy.deepcopy(definition)})
    except Exception as exc:
        return "error code: 113" in str(exc)
    return False


class DurableBackend:
    """One durable-rules host per process; compiled packs registered lazily by versioned name."""

    def __init__(self) -> None:
        self._host = QuietHost()
        self._lock = threading.Lock()
        self._pool = SidPool()
        self._names: dict[str, dict[str, tuple[str, str]]] = {}

    def _too_long(self, cp: CompiledPack, definition: dict[str, Any], names: dict[str, tuple[str, str]]
                  ) -> PackError:
        """Error 113 (ERR_EXPRESSION_LIMIT_EXCEEDED): find the rule(s) and say how to fix the pack.

        durable-rules keeps each rule's conditions in one sequence of at most 31 expressions
        (``MAX_SEQUENCE_EXPRESSIONS`` in src/rules/rete.h); every numeric condition compiles to
        several (interval bounds, unknown-input branches), so about five conditions fill it.
        """
        too_long = sorted({names[n][0] for n, d in definition.items() if n in names
                           and _rule_too_long(self._host, f"{cp.ruleset_name}~probe~{n}", {n: d})})
        return PackError(f"rule(s) {too_long} have too many conditions for durable-rules (error 113: at most 31 "
                         "engine expressions per rule, about five numeric conditions): split the rule into two "
                         "components combined in the value expression, or test one categorical input with "
                         "'in' instead of several conditions", pack=cp.pack.id)

    def _ensure(self, cp: CompiledPack) -> dict[str, tuple[str, str]]:
        names = self._names.get(cp.ruleset_name)
        if names is None:
            definition, names = compile_ruleset(cp)
            try:
                self._host.register_rulesets({cp.ruleset_name: copy.deepcopy(definition)})
            except Exception as exc:  # bare C error codes (202, 204 ...): translate
                if "error code: 113" in str(exc):
                    raise self._too_long(cp, definition, names) from None
                raise EngineError(f"durable-rules refused ruleset {cp.ruleset_name}: {exc}") from None
            self._names[cp.ruleset_name] = names
        return names

    def register(self, cp: CompiledPack) -> None:
        """Register ``cp``'s ruleset now (a reload does this before it swaps, so errors surface there)."""
        with self._lock:
            self._ensure(cp)

    def retire(self, ruleset_names: set[str]) -> None:
        """Delete rulesets no evaluator uses any more (each left registered leaks ~150 KiB of C state)."""
        with self._lock:
            for name in ruleset_names:
                if self._names.pop(name, None) is None:
                    continue
                ruleset = self._host._ruleset_directory.pop(name)
                self._host._ruleset_list.remove(ruleset)
                _durable.durable_rules_engine.delete_ruleset(ruleset._handle)

    def registered(self) -> set[str]:
        return set(self._names)

    def evaluate(self, cp: CompiledPack, stages: list[tuple[str, dict[str, Any]]]) -> dict[str, dict[str, str]]:
        """Assert one fact per stage in one fresh session; return stage → {rule id: truth}."""
        with self._lock:
            names = self._ensure(cp)
            out: dict[str, dict[str, str]] = {}
            with self._pool.borrow() as sid:
                try:
                    for n, (stage, fact) in enumerate(stages):
                        fired: list[str] = []
                        self._host.fired = fired
                        try:
                            self._host.assert_fact(cp.ruleset_name, {**fact, "sid": sid, "id": f"f{n}"})
                        except EngineError:
                            raise
                        except Exception as exc:
                            raise EngineError(f"durable-rules failed on {cp.ruleset_name}: "
                                              f"{type(exc).__name__}: {exc}") from None
                        finally:
                            self._host.fired = None
                        state = self._host.get_state(cp.ruleset_name, sid)
                        if "exception" in state:
                            raise EngineError(f"a rule action failed in {cp.ruleset_name}: {state['exception']}")
                        if f"seen_{stage}" not in fired:
                            raise EngineError(f"durable-rules did not see the {stage} fact of {cp.ruleset_name}")
                        truths: dict[str, str] = {}
                        for name in fired:
                            if name.startswith("seen_"):
                                continue
                            rule_id, truth = names[name]
                            if truth == "true" or rule_id not in truths:
                                truths[rule_id] = truth
                        out[stage] = truths
                finally:
                    try:
                        self._host.delete_state(cp.ruleset_name, sid)
                    except Exception:  # nothing to delete when the first assert failed early
                        pass
            return out


_BACKEND: DurableBackend | None = None


def backend() -> DurableBackend:
    """The process-wide backend (durable-rules keeps C state per process)."""
    global _BACKEND
    if _BACKEND is None:
        _BACKEND = DurableBackend()
    return _BACKEND
