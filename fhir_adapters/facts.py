"""The typed facts the adapters produce and the engine reduces.

A fact is one clinical statement from one FHIR resource: a measurement, a drug administration,
an oxygen-support episode, a condition. It keeps what the resource said (original value and
unit) beside what cartguard made of it (normalised value and canonical unit), its time and its
day relative to the CAR-T infusion, so every conclusion can be traced back to its source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Fact:
    """One normalised clinical statement taken from one FHIR resource."""

    kind: str
    """``observation``, ``medication``, ``procedure`` or ``condition``."""
    concept: str
    """The binding name (e.g. ``platelets``, ``norepinephrine``, ``o2_support``)."""
    source: str
    """``ResourceType/id`` of the resource it came from."""
    time: datetime
    """Effective time, or start of the period."""
    end: datetime | None = None
    """End of the period (administrations, procedures, conditions); None if instantaneous or open."""
    open_ended: bool = False
    """True when the period has started but not ended (in-progress)."""
    value: float | None = None
    """Normalised value in ``unit``; None for censored or non-numeric facts."""
    lo: float | None = None
    """Lowest value compatible with the fact (censored values: ``>x`` gives lo=x, hi=None)."""
    hi: float | None = None
    unit: str | None = None
    comparator: str | None = None
    original_value: str | None = None
    original_unit: str | None = None
    code: str | None = None
    """``system|code`` that matched the binding."""
    category: str | None = None
    """Categorical value (oxygen device class)."""
    ref_high: float | None = None
    """Upper limit of normal from the resource's reference range, in ``unit``."""
    ref_high_source: str | None = None
    """Where ``ref_high`` came from when not from the resource (a site pack's declared assay ULN)."""
    marker_type: str | None = None
    """``FEU`` or ``DDU`` for D-dimer."""
    classes: tuple[str, ...] = ()
    """Classes of the concept (``vasopressor``, ``crs_masking``, ``dic_underlying`` ...)."""
    day: int | None = None
    """Day relative to the first CAR-T infusion (day 0); None when no anchor is known."""
    rate: float | None = None
    """Infusion rate of an administration, in ``rate_unit`` (vasopressor doses for Lee 2014)."""
    rate_unit: str | None = None
    """``ug/min``, ``ug/kg/min`` (weight-based rates are converted later, with a weight) or ``U/min``."""


@dataclass(frozen=True, slots=True)
class Warning_:
    """A warning about the input, always naming the resource it concerns."""

    code: str
    message: str
    source: str | None = None


@dataclass(slots=True)
class PatientFacts:
    """Everything the adapters learned about one patient."""

    patient: str
    facts: list[Fact] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)
    infusion_time: datetime | None = None
    infusion_date: date | None = None
    infusion_source: str | None = None
    birth_date: date | None = None
    latest_time: datetime | None = None
    absences: list[Fact] = field(default_factory=list)
    """Results recorded without a value (dataAbsentReason) of concepts bound with ``absent_supersedes``:
    they make an earlier value of that concept stale (see :func:`cartguard.engine.inputs.latest`)."""
    unvalidated: dict[str, dict] = field(default_factory=dict)
    """Raw resources mapped but not yet validated (lazy mode): validated before any fact is used."""

    def validate_sources(self, sources: set[str], validate) -> set[str]:
        """Validate the not-yet-validated resources among ``sources``; drop and name the invalid ones.

        The evaluator calls this with the resources behind every input it reduced: a resource
        whose removal could not change any input (an earlier temperature below the maximum, say)
        needs no validation for this evaluation. Returns the sources found invalid.
        """
        bad: set[str] = set()
        for source in sorted(sources & self.unvalidated.keys()):
            reason = validate(self.unvalidated.pop(source))
            if reason:
                bad.add(source)
                self.warnings.append(Warning_("invalid", f"{source}: {reason}; resource not used", source))
        if bad:
            self.facts = [f for f in self.facts if f.source not in bad]
            self.absences = [f for f in self.absences if f.source not in bad]
        return bad

    def by_concept(self) -> dict[str, list[Fact]]:
        out: dict[str, list[Fact]] = {}
        for f in self.facts:
            out.setdefault(f.concept, []).append(f)
        return out
