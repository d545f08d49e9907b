"""Reduce a patient's facts to the inputs a pack's rules test, at one evaluation time.

Each input is an *interval* (``lo``..``hi``; either end may be unbounded) or a category, or it
is unknown. A plain measurement is the interval [v, v]; a censored one (``<0.5``) is open on
one side; a missing one is unknown. The rules are then evaluated with three-valued logic: a
condition is true, false or unknown, and an assessment reports the range of values its unknown
inputs still allow. Nothing is ever graded from data that is not there.

Only facts at or before the evaluation time are used (no look-ahead). An intervention with no
record is taken as not given, and the input says so (``assumed``); a measurement with no value
in its look-back window is unknown.

The reducers are named in the packs (``reduce: latest``) so that a pack reads as data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from cartguard.engine.packs import InputSpec, Pack, param_ref
from cartguard.errors import PackError
from cartguard.fhir_adapters.facts import Fact, PatientFacts

NEVER_HOURS = 99999.0
"""Stand-in for "never happened" in hours-since inputs (rules compare against it like any number)."""


@dataclass(frozen=True, slots=True)
class InputValue:
    """One reduced input: an interval or a category, or unknown, with the facts behind it."""

    name: str
    label: str
    lo: float | None = None
    hi: float | None = None
    category: str | None = None
    known: bool = False
    facts: tuple[Fact, ...] = ()
    note: str | None = None
    assumed: bool = False
    unit: str | None = None

    @property
    def exact(self) -> float | None:
        return self.lo if self.known and self.lo is not None and self.lo == self.hi else None


@dataclass(slots=True)
class Context:
    """What a reducer may look at: the facts, the time, the resolved parameters, prior results."""

    patient: PatientFacts
    at: datetime
    params: dict[str, Any]
    assessments: dict[str, Any] = field(default_factory=dict)
    computed: dict[str, InputValue] = field(default_factory=dict)
    class_concepts: dict[str, frozenset[str]] | None = None
    """Condition class -> the bound concepts carrying it (a class is documented absent only when
    every one of them, or a general one, is refuted); None: any refuted member documents the class absent."""
    general_concepts: frozenset[str] = frozenset()
    """Concepts bound with ``refutes_class``: refuting one documents its whole class absent."""
    used: set[str] = field(default_factory=set)
    """Sources of every fact behind a reduced input: the resources that must be valid."""
    _by_concept: dict[str, list[Fact]] | None = None
    _by_class: dict[str, list[Fact]] | None = None

    def concept_facts(self, names: list[str]) -> list[Fact]:
        if self._by_concept is None:
            self._by_concept = {}
            for f in self.patient.facts:
                if f.time <= self.at:
                    self._by_concept.setdefault(f.concept, []).append(f)
                    if f.kind == "procedure" or f.concept == "o2_device":
                        self._by_concept.setdefault("@o2", []).append(f)
        out: list[Fact] = []
        for n in names:
            out.extend(self._by_concept.get(n, ()))
        if len(names) > 1:
            out.sort(key=lambda f: (f.time, f.source))
        return out

    def class_facts(self, classes: list[str]) -> list[Fact]:
        if self._by_class is None:
            self._by_class = {}
            for f in self.patient.facts:
                if f.time <= self.at:
                    for c in f.classes:
                        self._by_class.setdefault(c, []).append(f)
        seen: dict[str, Fact] = {}
        for c in classes:
            for f in self._by_class.get(c, ()):
                seen[f.source + f.concept] = f
        return sorted(seen.values(), key=lambda f: (f.time, f.source))

    def number(self, value: float | str | None, what: str) -> float | None:
        if value is None:
            return None
        ref = param_ref(value)
        if ref is not None:
            if ref not in self.params:
                raise PackError(f"{what}: unknown parameter ${ref}")
            return float(self.params[ref])
        return float(value)


def _flag(value: bool | str, ctx: Context, what: str) -> bool:
    """A boolean setting written literally or as a ``$parameter``."""
    ref = param_ref(value)
    if ref is None:
        return bool(value)
    if ref not in ctx.params:
        raise PackError(f"{what}: unknown parameter ${ref}")
    return bool(ctx.params[ref])


def _in_window(facts: list[Fact], ctx: Context, spec: InputSpec) -> list[Fact]:
    hours = ctx.number(spec.window_hours, "window_hours")
    if spec.not_before_input:
        anchor = ctx.computed.get(spec.not_before_input)
        if anchor is None:
            raise PackError(f"not_before_input names {spec.not_before_input!r}, which is not declared earlier")
        anchored = [f for f in anchor.facts if f.kind in ("observation", "procedure")]
        if anchored:
            slack = timedelta(minutes=ctx.number(spec.gap_minutes, "gap_minutes") or 0)
            since = anchored[-1].time - slack
            facts = [f for f in facts if f.time >= since]
    if hours is None:
        return facts
    start = ctx.at - timedelta(hours=hours)
    return [f for f in facts if start < f.time <= ctx.at]


def _label(spec: InputSpec, name: str) -> str:
    return spec.label or name.replace("_", " ")


def _unknown(name: str, spec: InputSpec, note: str) -> InputValue:
    return InputValue(name, _label(spec, name), note=note, unit=spec.unit)


def _window_text(spec: InputSpec, ctx: Context) -> str:
    hours = ctx.number(spec.window_hours, "window_hours")
    return f"in the {hours:g} h before evaluation" if hours is not None else "before evaluation"


# -- measurement reducers ----------------------------------------------------------------
def _superseding_absence(facts: list[Fact], spec: InputSpec, ctx: Context) -> Fact | None:
    """A "not performed" result (``absent_supersedes`` concepts) in the window after the latest value."""
    since = facts[-1].time if facts else None
    hits = [a for a in _in_window([a for a in ctx.patient.absences if a.concept in spec.analytes
                                   and a.time <= ctx.at], ctx, spec)
            if since is None or a.time > since]
    return hits[-1] if hits else None


def latest(name: str, spec: InputSpec, ctx: Context) -> InputValue:
    """The most recent value in the window (a category for coded observations).

    For a concept bound with ``absent_supersedes`` (an assessment repeated at the bedside, such as
    the ICE score), a later result recorded as not performed makes the earlier value stale: the
    input is unknown and names that result.
    """
    facts = _in_window(ctx.concept_facts(spec.analytes), ctx, spec)
    absence = _superseding_absence(facts, spec, ctx) if ctx.patient.absences else None
    if absence is not None:
        return InputValue(name, _label(spec, name), facts=(absence,), unit=spec.unit,
                          note=f"{absence.source}: not performed ({absence.original_value}) at "
                               f"{absence.time.isoformat()}" + (f", after the value in {facts[-1].source}"
                                                                if facts else ""))
    if not facts:
        return _unknown(name, spec, f"no {' or '.join(spec.analytes)} {_window_text(spec, ctx)}")
    f = facts[-1]
    if f.code is not None and f.lo is None and f.hi is None and f.value is None and f.comparator is None:
        # A coded (categorical) observation: its value-set member, or unknown when the code is unmapped.
        if f.category is None:
            return InputValue(name, _label(spec, name), facts=(f,),
                              note=f"{f.source}: code {f.original_value} is not in the value set bound to "
                                   f"{f.concept}")
        return InputValue(name, _label(spec, name), category=f.category, known=True, facts=(f,))
    return InputValue(name, _label(spec, name), f.lo, f.hi, known=True, facts=(f,), unit=f.unit)


def _extreme(name: str, spec: InputSpec, ctx: Context, use_max: bool) -> InputValue:
    facts = _in_window(ctx.concept_facts(spec.analytes), ctx, spec)
    if not facts:
        return _unknown(name, spec, f"no {' or '.join(spec.analytes)} {_window_text(spec, ctx)}")
    return _extreme_of(name, spec, facts, use_max)


def _extreme_of(name: str, spec: InputSpec, facts: list[Fact], use_max: bool) -> InputValue:
    # Interval extreme: max over [lo_i, hi_i] is [max lo_i, max hi_i] (an unbounded hi stays unbounded).
    los = [f.lo for f in facts]
    his = [f.hi for f in facts]
    if use_max:
        lo = max((x for x in los if x is not None), default=None)
        hi = None if any(h is None for h in his) else max(h for h in his if h is not None)
        chosen = max(facts, key=lambda f: (f.lo if f.lo is not None else float("-inf")))
    else:
        lo = None if any(x is None for x in los) else min(x for x in los if x is not None)
        hi = min((h for h in his if h is not None), default=None)
        chosen = min(facts, key=lambda f: (f.hi if f.hi is not None else float("inf")))
    censored = tuple(f for f in facts if f.comparator and f is not chosen)
    return InputValue(name, _label(spec, name), lo, hi, known=True, facts=(chosen, *censored),
                      unit=chosen.unit)


def maximum(name: str, spec: InputSpec, ctx: Context) -> InputValue:
    return _extreme(name, spec, ctx, True)


def minimum(name: str, spec: InputSpec, ctx: Context) -> InputValue:
    return _extreme(name, spec, ctx, False)


def _uln_based(name: str, spec: InputSpec, ctx: Context, ratio: bool) -> InputValue:
    facts = _in_window(ctx.concept_facts(spec.analytes), ctx, spec)
    if not facts:
        return _unknown(name, spec, f"no {' or '.join(spec.analytes)} {_window_text(spec, ctx)}")
    f = facts[-1]
    if f.ref_high is None or f.ref_high <= 0:
        return InputValue(name, _label(spec, name), facts=(f,), unit=spec.unit,
                          note=f"{f.source} has no reference-range upper limit (ULN); "
                               "prolongation/multiple of ULN cannot be computed")

    def op(x: float | None) -> float | None:
        if x is None:
            return None
        return round(x / f.ref_high, 4) if ratio else round(x - f.ref_high, 4)

    return InputValue(name, _label(spec, name), op(f.lo), op(f.hi), known=True, facts=(f,), unit=spec.unit,
                      note=f"ULN {f.ref_high:g} {f.unit} from "
                           + (f.ref_high_source or f"the reference range of {f.source}"))


def minus_uln(name: str, spec: InputSpec, ctx: Context) -> InputValue:
    return _uln_based(name, spec, ctx, ratio=False)


def ratio_to_uln(name: str, spec: InputSpec, ctx: Context) -> InputValue:
    return _uln_based(name, spec, ctx, ratio=True)


def first_available(name: str, spec: InputSpec, ctx: Context, computed: dict[str, InputValue]) -> InputValue:
    notes = []
    for sub in spec.inputs:
        if sub not in computed:
            raise PackError(f"input {name}: first_available names {sub!r}, which is not declared before it")
        v = computed[sub]
        if v.known:
            return InputValue(name, _label(spec, name), v.lo, v.hi, v.category, True, v.facts,
                              f"from {v.label}" + (f"; {v.note}" if v.note else ""), v.assumed, v.unit)
        if v.note:
            notes.append(v.note)
    return _unknown(name, spec, "; ".join(notes) or "none of " + ", ".join(spec.inputs))


# -- intervention reducers: no record means not given, and the input says so ---------------
def _active(f: Fact, at: datetime, gap: timedelta) -> bool:
    if f.time > at:
        return False
    if f.open_ended:
        return True
    end = f.end or f.time
    return end + gap >= at


def active_count(name: str, spec: InputSpec, ctx: Context) -> InputValue:
    gap = timedelta(minutes=ctx.number(spec.gap_minutes, "gap_minutes") or 0)
    facts = [f for f in ctx.class_facts(spec.classes) if _active(f, ctx.at, gap)]
    agents = sorted({f.concept for f in facts})
    n = float(len(agents))
    note = None
    if not agents:
        note = f"no active {'/'.join(spec.classes)} administration recorded: assumed none"
    else:
        note = "active: " + ", ".join(agents)
    return InputValue(name, _label(spec, name), n, n, known=True, facts=tuple(facts), note=note,
                      assumed=not agents)


def count(name: str, spec: InputSpec, ctx: Context) -> InputValue:
    facts = _in_window(ctx.class_facts(spec.classes), ctx, spec)
    n = float(len(facts))
    note = None if facts else f"no {'/'.join(spec.classes)} administration recorded {_window_text(spec, ctx)}:" \
                              " assumed none"
    return InputValue(name, _label(spec, name), n, n, known=True, facts=tuple(facts), note=note,
                      assumed=not facts)


def hours_since_latest(name: str, spec: InputSpec, ctx: Context) -> InputValue:
    facts = ctx.class_facts(spec.classes) if spec.classes else ctx.concept_facts(spec.analytes)
    facts = _in_window(facts, ctx, spec)
    if not facts:
        what = "/".join(spec.classes or spec.analytes)
        return InputValue(name, _label(spec, name), NEVER_HOURS, None, known=True, assumed=True,
                          note=f"no {what} recorded {_window_text(spec, ctx)}", unit="h")
    f = facts[-1]
    hours = round((ctx.at - f.time).total_seconds() / 3600, 2)
    return InputValue(name, _label(spec, name), hours, hours, known=True, facts=(f,), unit="h")


def o2_device(name: str, spec: InputSpec, ctx: Context) -> InputValue:
    """Oxygen support at the evaluation time: the most recent device record (observation or procedure).

    A procedure with a period counts while the period covers the evaluation time (an ended one
    does not); a procedure recorded at an instant, and a device observation, count for
    ``window_hours``. No record at all: room air, assumed and said - unless an O2 flow
    (``analytes``) above zero was recorded in the window, which shows oxygen was given on an
    unrecorded device: then the device is unknown.
    """
    hours = ctx.number(spec.window_hours, "window_hours") or 0
    start = ctx.at - timedelta(hours=hours)
    candidates = []
    for f in ctx.concept_facts(["@o2"]):
        if f.kind == "procedure" and (f.end is not None or f.open_ended):
            if _active(f, ctx.at, timedelta(0)):
                candidates.append(f)
        elif start < f.time <= ctx.at:
            candidates.append(f)
    if not candidates:
        flows = [f for f in _in_window(ctx.concept_facts(spec.analytes), ctx, spec)
                 if f.hi is None or f.hi > 0] if spec.analytes else []
        if flows:
            return InputValue(name, _label(spec, name), facts=(flows[-1],),
                              note=f"O2 flow recorded ({flows[-1].source}) but no delivery device: device unknown")
        return InputValue(name, _label(spec, name), category=spec.assume_when_absent,
                          known=spec.assume_when_absent is not None, assumed=True,
                          note=f"no oxygen-support record {_window_text(spec, ctx)}: "
                               f"assumed {spec.assume_when_absent}")
    f = candidates[-1]
    if f.category is None:
        return InputValue(name, _label(spec, name), facts=(f,),
                          note=f"{f.source}: device code {f.original_value or f.code} is not mapped to an"
                               " ASTCT tier (add it to a site pack's o2_devices value set)")
    return InputValue(name, _label(spec, name), category=f.category, known=True, facts=(f,))


def max_before_latest(name: str, spec: InputSpec, ctx: Context) -> InputValue:
    """Max of ``analytes`` in the window, up to the latest administration of ``classes`` in it.

    Used for fever masking (ASTCT-F2): was there fever before the antipyretic/anticytokine?
    """
    admins = _in_window(ctx.class_facts(spec.classes), ctx, spec)
    if not admins:
        return InputValue(name, _label(spec, name), note=f"no {'/'.join(spec.classes)} given "
                          f"{_window_text(spec, ctx)}", unit=spec.unit)
    last = admins[-1]
    facts = [f for f in _in_window(ctx.concept_facts(spec.analytes), ctx, spec) if f.time <= last.time]
    if not facts:
        return _unknown(name, spec, f"no {' or '.join(spec.analytes)} recorded before {last.source}")
    v = _extreme_of(name, spec, facts, True)
    return InputValue(name, v.label, v.lo, v.hi, known=True, facts=(*v.facts, last),
                      note=f"before {last.concept} ({last.source})", unit=v.unit)


def condition_present(name: str, spec: InputSpec, ctx: Context) -> InputValue:
    """1 if a Condition of ``classes`` is active at the evaluation time, 0 if documented absent.

    With ``window_hours``, a condition that ended within the window still counts (an event such as
    a seizure is graded for a while after it stopped). A Condition whose verificationStatus is
    ``refuted`` documents the absence (known 0, not assumed) - with ``window_hours``, only when it
    was recorded within the window, since such a statement is about the patient at that time. A
    refutation speaks for its own concept only: the item is documented absent when every bound
    concept of its classes is refuted, or a general one (``refutes_class``, e.g. "sepsis,
    unspecified") is; "no hepatic failure" does not document "no organ failure". With no record at all the input is
    0 and says it was assumed, or unknown with ``unknown_when_absent``.
    """
    window = timedelta(hours=ctx.number(spec.window_hours, "window_hours") or 0)
    all_facts = ctx.class_facts(spec.classes)
    facts = [f for f in all_facts if f.category != "refuted" and _active(f, ctx.at, window)]
    if facts:
        return InputValue(name, _label(spec, name), 1.0, 1.0, known=True, facts=tuple(facts))
    what = spec.label or "/".join(spec.classes).replace("_", " ")
    hours = ctx.number(spec.window_hours, "window_hours")
    refuted = [f for f in all_facts if f.category == "refuted"
               and (hours is None or f.time > ctx.at - timedelta(hours=hours))]  # a statement goes stale too
    needed: frozenset[str] = frozenset()
    if ctx.class_concepts is not None:
        needed = frozenset().union(*(ctx.class_concepts.get(c, frozenset()) for c in spec.classes))
    undocumented = sorted(needed - {f.concept for f in refuted})
    if any(f.concept in ctx.general_concepts for f in refuted):
        undocumented = []  # "no sepsis" (unspecified) speaks for every kind of sepsis
    if refuted and not undocumented:
        return InputValue(name, _label(spec, name), 0.0, 0.0, known=True, facts=tuple(refuted),
                          note=f"{_label(spec, name)}: documented absent ("
                               + ", ".join(f.source for f in refuted) + ")")
    if refuted:  # "no hepatic failure" does not document "no kidney failure"
        what = f"{what} ({', '.join(undocumented).replace('_', ' ')} not documented either way)"
    if _flag(spec.unknown_when_absent, ctx, f"input {name}.unknown_when_absent"):
        return _unknown(name, spec, f"no {what} recorded: not documented either way")
    return InputValue(name, _label(spec, name), 0.0, 0.0, known=True, assumed=True,
                      note=f"no {what} recorded: assumed absent")


def _relative_change(latest: Fact, ref: Fact) -> tuple[float | None, float | None]:
    """Interval of 100 x (latest - ref) / ref over the two facts' intervals (censored ends stay open)."""
    if ref.lo is None or ref.lo <= 0:
        return None, None
    lo = None if latest.lo is None or ref.hi is None else round(100 * (latest.lo - ref.hi) / ref.hi, 4)
    hi = None if latest.hi is None else round(100 * (latest.hi - ref.lo) / ref.lo, 4)
    return lo, hi


def _serial(name: str, spec: InputSpec, ctx: Context, pick_max: bool) -> InputValue:
    """Shared body of the two serial-value reducers (latest value against earlier ones)."""
    facts = _in_window(ctx.concept_facts(spec.analytes), ctx, spec)
    if not facts:
        return _unknown(name, spec, f"no {' or '.join(spec.analytes)} {_window_text(spec, ctx)}")
    latest_f = facts[-1]
    over = ctx.number(spec.params.get("over_hours"), f"{name}.over_hours")
    if over is None:
        raise PackError(f"input {name}: reducer {spec.reduce} needs params.over_hours")
    since = latest_f.time - timedelta(hours=over)
    earlier = [f for f in ctx.concept_facts(spec.analytes) if since <= f.time < latest_f.time]
    if not earlier:
        what = f"no earlier {' or '.join(spec.analytes)} in the {over:g} h before {latest_f.source}"
        if _flag(spec.unknown_when_absent, ctx, f"input {name}.unknown_when_absent"):
            return InputValue(name, _label(spec, name), facts=(latest_f,), note=what, unit="%")
        return InputValue(name, _label(spec, name), 0.0, 0.0, known=True, assumed=True, facts=(latest_f,),
                          note=f"{what}: no change could be measured; assumed none", unit="%")
    ref = max(earlier, key=lambda f: f.lo if f.lo is not None else float("-inf")) if pick_max else earlier[-1]
    lo, hi = _relative_change(latest_f, ref)
    if pick_max:  # a fall is the negative change
        lo, hi = (None if hi is None else -hi), (None if lo is None else -lo)
    if lo is None and hi is None:
        return InputValue(name, _label(spec, name), facts=(latest_f, ref), unit="%",
                          note=f"{ref.source}: reference value not usable for a relative change")
    kind = "fall from the highest" if pick_max else "change since the previous"
    return InputValue(name, _label(spec, name), lo, hi, known=True, facts=(latest_f, ref), unit="%",
                      note=f"{kind} value ({ref.source}) in the {over:g} h before {latest_f.source}")


def fall_pct_from_max(name: str, spec: InputSpec, ctx: Context) -> InputValue:
    """Percent fall of the latest value from the highest in the ``params.over_hours`` before it.

    dic.md: items that need a fall "within 24 h" compare with the highest value in the preceding
    24 h. Positive = a fall, negative = a rise. No earlier value: unknown with
    ``unknown_when_absent``, else 0 and said to be assumed (no fall could be measured).
    """
    return _serial(name, spec, ctx, pick_max=True)


def change_pct_from_previous(name: str, spec: InputSpec, ctx: Context) -> InputValue:
    """Percent change of the latest value since the previous one within ``params.over_hours``.

    The ISTH non-overt trend items (rising / stable / falling). Positive = rising.
    """
    return _serial(name, spec, ctx, pick_max=False)


def cart_episode(name: str, spec: InputSpec, ctx: Context) -> InputValue:
    d0: date | None = ctx.patient.infusion_date
    if d0 is None:
        return _unknown(name, spec, "infusion day unknown (no --infusion-date and no CAR-T administration)")
    day = (ctx.at.date() - d0).days
    inside = 1.0 if day >= 0 else 0.0
    return InputValue(name, _label(spec, name), inside, inside, known=True,
                      note=f"day {day:+d} after CAR-T infusion ({ctx.patient.infusion_source})")


def age_years(name: str, spec: InputSpec, ctx: Context) -> InputValue:
    bd = ctx.patient.birth_date
    if bd is None:
        return _unknown(name, spec, "no Patient.birthDate")
    at = ctx.at.date()
    years = at.year - bd.year - ((at.month, at.day) < (bd.month, bd.day))
    return InputValue(name, _label(spec, name), float(years), float(years), known=True, unit="a")


def assessment(name: str, spec: InputSpec, ctx: Context) -> InputValue:
    res = ctx.assessments.get(spec.assessment or "")
    if res is None:
        return _unknown(name, spec, f"assessment {spec.assessment} not evaluated")
    if res.status == "not_applicable":
        return _unknown(name, spec, f"{spec.assessment} not applicable")
    lo, hi = res.range
    return InputValue(name, _label(spec, name), lo, hi, known=True,
                      note=f"{spec.assessment} {res.status}" + ("" if lo == hi else f" (range {lo:g}-{hi:g})"))


def sbp_margin(name: str, spec: InputSpec, ctx: Context) -> InputValue:
    """Lowest SBP in the window minus the age-specific hypotension threshold (negative = hypotension).

    Threshold (parameters named in ``spec.params``): adults and children over ``paed_age_max``
    years: ``adult_lt``; age 1 to ``paed_age_max``: ``paed_base + paed_per_year x age``; under 1
    year: ``infant_lt``. With the age unknown the threshold is the interval over all ages, so a
    clearly low or clearly normal SBP still decides and a borderline one stays unknown.
    """
    sbp = _extreme(name, spec, ctx, use_max=False)
    if not sbp.known:
        return sbp
    p: dict[str, float] = {}
    for key in ("adult_lt", "paed_base", "paed_per_year", "paed_age_max", "infant_lt"):
        value = ctx.number(spec.params.get(key), f"{name}.{key}")
        if value is None:
            raise PackError(f"input {name}: reducer sbp_margin needs parameter {key!r}")
        p[key] = value
    adult, base, per_year = p["adult_lt"], p["paed_base"], p["paed_per_year"]
    age_max, infant = p["paed_age_max"], p["infant_lt"]
    bd = ctx.patient.birth_date
    note = None
    if bd is None:
        candidates = [adult, infant, base + per_year * 1, base + per_year * age_max]
        t_lo, t_hi = min(candidates), max(candidates)
        note = "age unknown (no Patient.birthDate): threshold taken over all ages"
    else:
        at = ctx.at.date()
        age = at.year - bd.year - ((at.month, at.day) < (bd.month, bd.day))
        t = adult if age > age_max else (infant if age < 1 else base + per_year * age)
        t_lo = t_hi = t
        note = f"SBP threshold {t:g} mmHg for age {age}"
    lo = None if sbp.lo is None else round(sbp.lo - t_hi, 4)
    hi = None if sbp.hi is None else round(sbp.hi - t_lo, 4)
    return InputValue(name, _label(spec, name), lo, hi, known=True, facts=sbp.facts, note=note, unit="mm[Hg]")


REDUCERS: dict[str, Callable[..., InputValue]] = {
    "latest": latest,
    "max": maximum,
    "min": minimum,
    "minus_uln": minus_uln,
    "ratio_to_uln": ratio_to_uln,
    "active_count": active_count,
    "count": count,
    "hours_since_latest": hours_since_latest,
    "o2_device": o2_device,
    "max_before_latest": max_before_latest,
    "condition_present": condition_present,
    "cart_episode": cart_episode,
    "age_years": age_years,
    "assessment": assessment,
    "sbp_margin": sbp_margin,
    "fall_pct_from_max": fall_pct_from_max,
    "change_pct_from_previous": change_pct_from_previous,
    # vasopressor_high_dose (Lee 2014 Table 2 "high-dose vasopressors": monotherapy thresholds, NE-equivalent
    # of combinations, vasopressin rule, sustained for params.min_duration_h; ug/kg/min converted with the
    # body weight nearest in time; unknown when a missing rate or weight decides): registered from
    # cartguard.engine.vasopressor_dose at the bottom of this module.
}


def reduce_inputs(pack: Pack, ctx: Context) -> dict[str, InputValue]:
    """Compute every declared input of ``pack`` in declaration order."""
    out: dict[str, InputValue] = {}
    ctx.computed = out
    for name, spec in pack.inputs.items():
        if spec.requires_param is not None and ctx.params.get(spec.requires_param) is None:
            out[name] = _unknown(name, spec, f"site setting {spec.requires_param} is not set: this input cannot "
                                             "be read until the site declares it")
            continue
        if spec.reduce == "first_available":
            out[name] = first_available(name, spec, ctx, out)
            continue
        fn = REDUCERS.get(spec.reduce)
        if fn is None:
            raise PackError(f"input {name}: unknown reducer {spec.reduce!r} (known: {sorted(REDUCERS)})",
                            pack=pack.id)
        out[name] = fn(name, spec, ctx)
    for v in out.values():
        ctx.used.update(f.source for f in v.facts)
    return out


# Reducers kept in modules of their own (imported last: they import this module's names lazily).
from cartguard.engine.vasopressor_dose import REDUCERS as _VASOPRESSOR_REDUCERS  # noqa: E402

REDUCERS.update(_VASOPRESSOR_REDUCERS)
