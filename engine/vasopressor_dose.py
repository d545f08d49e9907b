"""Vasopressor doses: Lee 2014's "high-dose vasopressors" (Table 2), as an input reducer.

Lee DW et al., Blood 2014;124:188 (Table 2) calls hypotension "requiring high-dose vasopressors" when,
for at least ``min_duration_h`` hours (all doses sustained >= 3 h), one of these holds:

* monotherapy: the one vasopressor running is at or above its own threshold (norepinephrine
  >= 20 ug/min, dopamine >= 10 ug/kg/min, phenylephrine >= 200 ug/min, epinephrine >= 10 ug/min);
* vasopressin running: vasopressin + a norepinephrine-equivalent (NE-eq) of the others >= 10 ug/min;
* a combination without vasopressin: NE-eq >= 20 ug/min;

with NE-eq = norepinephrine + dopamine / 2 + epinephrine + phenylephrine / 10 (VASST; NE, epinephrine
and phenylephrine in ug/min, dopamine in ug/kg/min). Every number is a named pack parameter (all
unverified [U] in ``shared/domain/crs.md`` section 2), handed to the reducer through ``params``::

    high_dose:
      reduce: vasopressor_high_dose
      classes: [vasopressor, vasopressin]      # administrations read; class "vasopressin" = vasopressin
      analytes: [body_weight]                  # for ug/kg/min <-> ug/min
      gap_minutes: $...                        # an infusion still counts this long after its recorded end
      params:
        min_duration_h: $...                   # the high-dose state must hold this long, up to now
        mono_norepinephrine_gte_ug_min: $...   # mono_<agent>_gte_<ug_min|ug_kg_min>: monotherapy thresholds
        mono_dopamine_gte_ug_kg_min: $...
        with_vasopressin_ne_eq_gte_ug_min: $...
        combination_ne_eq_gte_ug_min: $...
        ne_eq_<agent>_divisor: $...            # NE-eq term = rate / divisor ...
        ne_eq_<agent>_unit: $...               # ... with the rate in this unit (default ug/min)
        weight_within_h: $...                  # how far from an administration a body weight may be

The input is 1 (high-dose throughout the last ``min_duration_h`` hours), 0 (not: at some instant of
that window the criterion fails, which includes "no vasopressor running"), or unknown when only
missing data (a rate not recorded, a weight-based conversion with no body weight) stands between
the two; the note says which instant and which record decide, and the facts are the administrations
and weights read.

Semantics, all deterministic:

* A record counts from its start to its recorded end plus ``gap_minutes`` (an in-progress one up to
  the evaluation time), as the vasopressor count does. Where two records of one agent overlap (a rate
  change charted as a new administration), the one started later gives the rate.
* The window is ``[at - min_duration_h, at]``, both ends included: a state that starts exactly
  ``min_duration_h`` before the evaluation is sustained, one that starts a minute later is not. The
  regimen may change inside the window (norepinephrine alone, then with vasopressin) as long as every
  instant meets the criterion that applies to it.
* A rate in ug/kg/min is converted with the body weight nearest in time to the administration's start
  (charted at or before the evaluation, within ``weight_within_h``); no such weight: unknown.
* NE-eq is an interval: a term that cannot be computed is [0, unbounded), so a combination already
  above its threshold without it is still high-dose, and one that could only reach it with the
  unknown term is unknown.
* An agent with no monotherapy threshold or NE-eq divisor among the params (a site's extra
  vasopressor) is unknown where it matters, never silently zero.

Registered in :data:`cartguard.engine.inputs.REDUCERS` (imported at the bottom of that module, so
this module must not import it at import time: :class:`InputValue` is imported where it is used).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from cartguard.engine.packs import InputSpec, param_ref
from cartguard.errors import PackError
from cartguard.fhir_adapters.facts import Fact

if TYPE_CHECKING:
    from cartguard.engine.inputs import Context, InputValue

UG_MIN = "ug/min"
UG_KG_MIN = "ug/kg/min"
VASOPRESSIN_CLASS = "vasopressin"
REQUIRED = ("min_duration_h", "with_vasopressin_ne_eq_gte_ug_min", "combination_ne_eq_gte_ug_min",
            "weight_within_h")
_MONO = re.compile(r"mono_(?P<agent>\w+?)_gte_(?P<unit>ug_kg_min|ug_min)")
_NE_EQ = re.compile(r"ne_eq_(?P<agent>\w+?)_(?P<what>divisor|unit)")

Truth = bool | None
"""True / False / None (unknown)."""
Interval = tuple[float, float | None]
"""(lo, hi) of a dose; hi None = unbounded."""


class _Settings:
    """The reducer's parameters, read once per evaluation."""

    def __init__(self, name: str, spec: InputSpec, ctx: Context) -> None:
        def raw(key: str) -> Any:
            value = spec.params[key]
            ref = param_ref(value)
            if ref is None:
                return value
            if ref not in ctx.params:
                raise PackError(f"input {name}.{key}: unknown parameter ${ref}")
            return ctx.params[ref]

        def num(key: str) -> float:
            value = raw(key)
            if isinstance(value, bool) or value is None:
                raise PackError(f"input {name}: reducer {spec.reduce} needs a number for {key!r}, got {value!r}")
            try:
                return float(value)
            except (TypeError, ValueError):
                raise PackError(f"input {name}: {key} must be a number, got {value!r}") from None

        missing = [k for k in REQUIRED if k not in spec.params]
        if missing:
            raise PackError(f"input {name}: reducer {spec.reduce} needs params {missing}")
        self.duration = timedelta(hours=num("min_duration_h"))
        self.with_vasopressin = num("with_vasopressin_ne_eq_gte_ug_min")
        self.combination = num("combination_ne_eq_gte_ug_min")
        self.weight_within = timedelta(hours=num("weight_within_h"))
        self.gap = timedelta(minutes=ctx.number(spec.gap_minutes, "gap_minutes") or 0)
        self.mono: dict[str, tuple[float, str]] = {}
        self.divisor: dict[str, float] = {}
        self.term_unit: dict[str, str] = {}
        for key in spec.params:
            m = _MONO.fullmatch(key)
            if m:
                unit = UG_KG_MIN if m["unit"] == "ug_kg_min" else UG_MIN
                self.mono[m["agent"]] = (num(key), unit)
                continue
            m = _NE_EQ.fullmatch(key)
            if m and m["what"] == "divisor":
                d = num(key)
                if d <= 0:
                    raise PackError(f"input {name}: {key} must be positive, got {d:g}")
                self.divisor[m["agent"]] = d
            elif m:
                unit = raw(key)
                if unit not in (UG_MIN, UG_KG_MIN):
                    raise PackError(f"input {name}: {key} must be {UG_MIN!r} or {UG_KG_MIN!r}, got {unit!r}")
                self.term_unit[m["agent"]] = unit
            elif key not in REQUIRED:
                raise PackError(f"input {name}: reducer {spec.reduce} does not know param {key!r}")


def _hhmm(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


def _cover_end(f: Fact, at: datetime, gap: timedelta) -> datetime:
    """Last instant the record counts: its end (or start, if instantaneous) plus the gap; now if running."""
    if f.open_ended:
        return at
    return min((f.end or f.time) + gap, at)


def _is_vasopressin(f: Fact) -> bool:
    return VASOPRESSIN_CLASS in f.classes or f.concept == VASOPRESSIN_CLASS


class _Weights:
    """Body weights charted by the evaluation time; the one nearest in time to an administration."""

    def __init__(self, facts: list[Fact], within: timedelta) -> None:
        self.facts = [f for f in facts if f.value is not None and f.value > 0]
        self.within = within
        self.used: dict[str, Fact] = {}

    def for_record(self, f: Fact) -> Fact | None:
        best = None
        for w in self.facts:
            delta = abs(w.time - f.time)
            if delta > self.within:
                continue
            key = (delta, -w.time.timestamp())  # nearest; on a tie, the later weight
            if best is None or key < best[0]:
                best = (key, w)
        if best is None:
            return None
        self.used[best[1].source] = best[1]
        return best[1]


def _rate(f: Fact, unit: str, weights: _Weights) -> tuple[Interval, str]:
    """The record's rate in ``unit`` as an interval (unknown: [0, unbounded)) and how it was read."""
    if f.rate is None or f.rate_unit not in (UG_MIN, UG_KG_MIN):
        return (0.0, None), f"{f.concept} rate not recorded ({f.source})"
    if f.rate_unit == unit:
        return (f.rate, f.rate), f"{f.concept} {f.rate:g} {unit}"
    w = weights.for_record(f)
    if w is None or w.value is None:
        hours = weights.within.total_seconds() / 3600
        return (0.0, None), (f"{f.concept} {f.rate:g} {f.rate_unit} needs a body weight to be read in {unit} "
                             f"(none charted within {hours:g} h of {f.source})")
    value = round(f.rate * w.value if unit == UG_MIN else f.rate / w.value, 4)
    op = "x" if unit == UG_MIN else "/"
    return (value, value), f"{f.concept} {f.rate:g} {f.rate_unit} {op} {w.value:g} kg = {value:g} {unit}"


def _fmt(iv: Interval, unit: str) -> str:
    lo, hi = iv
    if hi is None:
        return f">= {lo:g} {unit} (part unknown)" if lo > 0 else "unknown"
    return f"{lo:g} {unit}"


def _compare(iv: Interval, threshold: float) -> Truth:
    lo, hi = iv
    if lo >= threshold:
        return True
    if hi is not None and hi < threshold:
        return False
    return None


def _judge(state: dict[str, Fact], s: _Settings, weights: _Weights) -> tuple[Truth, str]:
    """Is the regimen running at one instant high-dose by Table 2? (truth, why)."""
    pressors = {a: f for a, f in state.items() if not _is_vasopressin(f)}
    vasopressin = any(_is_vasopressin(f) for f in state.values())
    if not pressors and not vasopressin:
        return False, "no vasopressor running"
    if not vasopressin and len(pressors) == 1:
        ((agent, f),) = pressors.items()
        if agent not in s.mono:
            return None, f"{agent} alone: no monotherapy threshold for {agent}"
        threshold, unit = s.mono[agent]
        dose, how = _rate(f, unit, weights)
        truth = _compare(dose, threshold)
        sign = {True: ">=", False: "<", None: "vs"}[truth]
        return truth, f"monotherapy: {how} {sign} {threshold:g} {unit}"
    lo, hi, parts = 0.0, 0.0, []
    unbounded = False
    for agent, f in sorted(pressors.items()):
        if agent not in s.divisor:
            unbounded = True
            parts.append(f"{agent}: no NE-equivalent factor")
            continue
        unit = s.term_unit.get(agent, UG_MIN)
        (r_lo, r_hi), how = _rate(f, unit, weights)
        d = s.divisor[agent]
        lo += r_lo / d
        if r_hi is None:
            unbounded = True
        else:
            hi += r_hi / d
        parts.append(how if r_hi is None or d == 1 else f"{how} / {d:g}")
    ne_eq: Interval = (round(lo, 4), None if unbounded else round(hi, 4))
    if vasopressin:
        threshold, kind = s.with_vasopressin, "vasopressin + NE-equivalent"
    else:
        threshold, kind = s.combination, "combination, NE-equivalent"
    truth = _compare(ne_eq, threshold)
    sign = {True: ">=", False: "<", None: "vs"}[truth]
    detail = " + ".join(parts) if parts else "no other vasopressor"
    return truth, f"{kind} {_fmt(ne_eq, UG_MIN)} ({detail}) {sign} {threshold:g} ug/min"


def vasopressor_high_dose(name: str, spec: InputSpec, ctx: Context) -> InputValue:
    """Lee 2014 Table 2: 1 if the vasopressors have been high-dose for ``min_duration_h`` up to now, else 0.

    Unknown (naming the record and the missing datum) when a missing rate or body weight decides.
    See the module docstring for the rules.
    """
    from cartguard.engine.inputs import InputValue

    label = spec.label or name.replace("_", " ")
    s = _Settings(name, spec, ctx)
    at = ctx.at
    start = at - s.duration
    records = [f for f in ctx.class_facts(spec.classes)
               if f.kind == "medication" and f.time <= at and _cover_end(f, at, s.gap) >= start]
    weights = _Weights(ctx.concept_facts(spec.analytes) if spec.analytes else [], s.weight_within)
    points = {start, at}
    for f in records:
        for t in (f.time, _cover_end(f, at, s.gap)):
            if start < t < at:
                points.add(t)
    ordered = sorted(points)
    instants = list(ordered)
    instants += [a + (b - a) / 2 for a, b in zip(ordered, ordered[1:], strict=False)]
    instants.sort()
    verdicts: list[tuple[datetime, Truth, str]] = []
    for x in instants:
        state: dict[str, Fact] = {}
        for f in records:
            if f.time <= x <= _cover_end(f, at, s.gap):
                prior = state.get(f.concept)
                if prior is None or (f.time, f.source) > (prior.time, prior.source):
                    state[f.concept] = f
        truth, why = _judge(state, s, weights)
        verdicts.append((x, truth, why))
    facts = (*records, *weights.used.values())
    hours = s.duration.total_seconds() / 3600
    if verdicts[-1][1] is False:
        return InputValue(name, label, 0.0, 0.0, known=True, facts=facts, note=f"not high-dose now: {verdicts[-1][2]}")
    failing = [i for i, v in enumerate(verdicts) if v[1] is False]
    if failing:
        j = failing[-1]
        note = f"not high-dose for the whole {hours:g} h up to now: at {_hhmm(verdicts[j][0])}, {verdicts[j][2]}"
        if all(v[1] is True for v in verdicts[j + 1:]):
            since = verdicts[j + 1][0]
            held = (at - since).total_seconds() / 3600
            note += f" (high-dose only since {_hhmm(since)}: {held:.4g} h)"
        return InputValue(name, label, 0.0, 0.0, known=True, facts=facts, note=note)
    unknown = [v for v in verdicts if v[1] is None]
    if unknown:
        x, _, why = unknown[-1]
        return InputValue(name, label, facts=facts,
                          note=f"cannot tell whether high-dose for {hours:g} h (at {_hhmm(x)}: {why})")
    distinct = list(dict.fromkeys(why for _, _, why in verdicts))
    note = f"high-dose for {hours:g} h ({_hhmm(start)} to {_hhmm(at)}): " + "; then ".join(distinct)
    return InputValue(name, label, 1.0, 1.0, known=True, facts=facts, note=note)


REDUCERS: dict[str, Callable[..., InputValue]] = {
    "vasopressor_high_dose": vasopressor_high_dose,
}
"""Reducers of this module, merged into :data:`cartguard.engine.inputs.REDUCERS`."""
