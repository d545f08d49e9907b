"""Evaluate one patient against the loaded packs: inputs → rules → components → results.

Each patient is evaluated in isolation: the inputs are reduced from that patient's facts only,
every engine session is fresh and deleted afterwards, and nothing is cached between patients
except the compiled rulesets. The truth of every rule comes from durable-rules; with
``backend="both"`` (the test suite's mode) the reference evaluator runs too and any difference
raises.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from cartguard.engine import reference
from cartguard.engine.combine import component_value, evaluate_expr
from cartguard.engine.compile import STAGE_INPUTS, STAGE_RESULT, CompiledPack, CompiledRule
from cartguard.engine.facts_encoding import encode
from cartguard.engine.inputs import Context, InputValue, reduce_inputs
from cartguard.engine.packset import PackSet
from cartguard.engine.results import (
    Assessment,
    ComponentResult,
    Dose,
    FactRef,
    Finding,
    InputReport,
    Interpretation,
    Missing,
    ParameterUse,
    PatientResult,
    Recommendation,
    WarningReport,
)
from cartguard.errors import EngineError
from cartguard.fhir_adapters.facts import Fact, PatientFacts
from cartguard.fhir_adapters.validation import validate

Backend = Literal["durable", "reference", "both"]
PRIORITY_ORDER = {"critical": 0, "urgent": 1, "routine": 2, "info": 3}


def _fact_ref(f: Fact) -> FactRef:
    return FactRef(source=f.source, concept=f.concept, code=f.code, value=f.value, unit=f.unit,
                   comparator=f.comparator, original_value=f.original_value, original_unit=f.original_unit,
                   category=f.category, reference_high=f.ref_high, time=f.time, day=f.day)


def _input_report(v: InputValue) -> InputReport:
    exact = v.exact
    return InputReport(
        name=v.name, label=v.label, value=exact,
        range=None if (not v.known or v.category is not None or exact is not None) else (v.lo, v.hi),
        category=v.category, known=v.known, assumed=v.assumed, note=v.note, unit=v.unit,
        facts=[_fact_ref(f) for f in v.facts],
    )


class Evaluator:
    """Evaluates patients against a :class:`PackSet` with the chosen backend."""

    def __init__(self, packset: PackSet, backend: Backend = "durable") -> None:
        self.packset = packset
        self.backend_mode = backend
        self._class_concepts = packset.bindings.class_concepts()
        self._general_concepts = packset.bindings.general_concepts()
        self._durable = None
        if backend in ("durable", "both"):
            from cartguard.engine.durable_host import backend as durable_backend

            self._durable = durable_backend()

    # -- rule truth -----------------------------------------------------------------------
    def _truths(self, cp: CompiledPack, stage: str, fact: dict[str, Any]) -> dict[str, str]:
        ref = reference.evaluate(cp.rules, stage, fact) if self.backend_mode != "durable" else None
        if self._durable is None:
            return ref or {}
        got = self._durable.evaluate(cp, [(stage, fact)])[stage]
        if ref is not None and got != ref:
            diff = sorted(set(got.items()) ^ set(ref.items()))
            raise EngineError(f"{cp.pack.id}: durable-rules and the reference evaluator disagree on {diff} "
                              f"for fact {fact}")
        return got

    # -- explanation helpers --------------------------------------------------------------
    def _finding(self, cp: CompiledPack, rule: CompiledRule, truth: str, inputs: dict[str, InputValue]
                 ) -> Finding:
        names = set(rule.params())
        for n in rule.inputs():
            spec = cp.pack.inputs.get(n)
            if spec is not None:  # parameters the input's reduction used (windows, thresholds)
                for v in (spec.window_hours, spec.gap_minutes, *spec.params.values()):
                    if isinstance(v, str) and v.startswith("$"):
                        names.add(v[1:])
        return Finding(
            rule_id=rule.id, certainty="definite" if truth == "true" else "possible",
            component=rule.component, value=rule.value, text=rule.text, citation=rule.citation,
            parameters=[ParameterUse(name=n, value=cp.params[n], source=cp.param_sources[n])
                        for n in sorted(names)],
            inputs=[_input_report(inputs[n]) for n in sorted(rule.inputs()) if n in inputs],
        )

    def _citations(self, cp: CompiledPack) -> dict[str, str]:
        return {k: c.text for k, c in cp.pack.citations.items()}

    # -- one assessment pack --------------------------------------------------------------
    def assess(self, cp: CompiledPack, ctx: Context) -> Assessment:
        pack = cp.pack
        inputs = reduce_inputs(pack, ctx)
        truths = self._truths(cp, STAGE_INPUTS, encode(STAGE_INPUTS, inputs))
        comps: dict[str, tuple[float, float]] = {}
        comp_results: dict[str, ComponentResult] = {}
        findings: list[Finding] = []
        missing: dict[str, Missing] = {}
        assumptions: list[str] = []
        for cname, comp in pack.components.items():
            rules = [r for r in cp.rules if r.component == cname]
            rng, behind, exact = component_value(pack.id, cname, rules, truths)
            comps[cname] = rng
            comp_results[cname] = ComponentResult(
                title=comp.title, value=rng[0] if exact else None, range=rng,
                status="graded" if exact else "indeterminate", rule_ids=[r.id for r in behind])
            for r in behind:
                findings.append(self._finding(cp, r, truths[r.id], inputs))
                for n in sorted(r.inputs()):
                    v = inputs[n]
                    if v.assumed and v.note and v.note not in assumptions:
                        assumptions.append(v.note)
                    if not exact and (not v.known or v.lo != v.hi) and v.category is None:
                        missing.setdefault(n, Missing(input=n, label=v.label,
                                                      reason=v.note or ("censored value" if v.known else "unknown")))
        assumptions.extend(a for a in pack.assumptions if a not in assumptions)
        base = dict(id=pack.id, title=pack.title, scale=pack.scale, version=pack.version,
                    components=comp_results, explanation=findings, assumptions=assumptions,
                    citations=self._citations(cp), missing=list(missing.values()))
        if pack.prerequisite and comps[pack.prerequisite] == (0.0, 0.0):
            return Assessment(**base, value=None, range=(0.0, 0.0), status="not_applicable")
        lo, hi = evaluate_expr(pack.value, comps)
        interpretation = None
        status = "graded" if lo == hi else "indeterminate"
        if any(r.stage == STAGE_RESULT for r in cp.rules):
            # An interpretation tests the total and may test the pack's inputs too (a threshold
            # that depends on the patient's type, e.g. JSTH 2017's haematopoietic type).
            value_input = {**inputs, "value": InputValue("value", "total", lo, hi, known=True)}
            r_truths = self._truths(cp, STAGE_RESULT, encode(STAGE_RESULT, value_input))
            definite = [r for r in cp.rules if r.stage == STAGE_RESULT and r_truths.get(r.id) == "true"]
            if len(definite) > 1:
                raise EngineError(f"{pack.id}: interpretations {[r.id for r in definite]} overlap")
            if definite:
                r = definite[0]
                verdict = next((i.verdict for i in pack.interpretation if i.id == r.id), None)
                interpretation = Interpretation(id=r.id, label=r.text or r.id, citation=r.citation, verdict=verdict)
                findings.append(self._finding(cp, r, "true", value_input))
                status = "graded"
            else:
                status = "indeterminate"
        if pack.prerequisite and comps[pack.prerequisite][0] == 0.0 and status == "graded":
            status = "indeterminate"  # applicability itself is unknown
        if status == "graded" and lo == hi:
            base["missing"] = []
        return Assessment(**base, value=lo if lo == hi else None, range=(lo, hi), status=status,
                          interpretation=interpretation)

    # -- guidance -------------------------------------------------------------------------
    def guide(self, cp: CompiledPack, ctx: Context) -> list[Recommendation]:
        pack = cp.pack
        inputs = reduce_inputs(pack, ctx)
        fact = encode(STAGE_INPUTS, inputs)
        truths = self._truths(cp, STAGE_INPUTS, fact)
        specs = {r.id: r for r in pack.recommendations}
        out: list[Recommendation] = []
        for rule in cp.rules:
            truth = truths.get(rule.id)
            if truth is None or rule.kind != "recommendation":
                continue
            spec = specs[rule.id]
            unknown: list[str] = []
            if truth != "true":
                for group in rule.groups:
                    if any(reference.rule_truth(_single(rule, a), fact)[0] for a in group):
                        continue  # this condition is already met
                    parts = [_describe(a, inputs[a.input]) for a in group
                             if reference.rule_truth(_single(rule, a), fact)[1]]
                    if parts:
                        unknown.append(" or ".join(parts))
            dose = _dose(spec.dose, cp, inputs) if spec.dose else None
            cit = spec.citation.split("#")[0]
            out.append(Recommendation(
                id=rule.id, pack=pack.id, category=spec.category, priority=spec.priority,
                certainty="definite" if truth == "true" else "possible", text=spec.text,
                citation=spec.citation, citation_text=pack.citations[cit].text,
                unknown=unknown, dose=dose,
                explanation=self._finding(cp, rule, truth, inputs)))
        return out

    # -- a whole patient ------------------------------------------------------------------
    def evaluate(self, pf: PatientFacts, at: datetime | None = None, scales: list[str] | None = None,
                 guidance: bool = True) -> PatientResult:
        """Grade ``pf`` at ``at`` on the selected scales and give guidance.

        ``guidance=False`` leaves the recommendations empty and skips the scales only the guidance
        reads: a course or a cohort needs the grades at many time points, not the advice at each
        (about a fifth of the time of a daily course).
        """
        if at is None:
            at = pf.latest_time
        if at is None:
            raise EngineError(f"{pf.patient}: no dated data to evaluate and no --at given")
        ps = self.packset
        selected = ps.select(scales)
        needed = ps.needed(selected, guidance)
        while True:
            # Validate exactly the resources the inputs rest on; if one is invalid, it is dropped
            # (with a warning naming it) and the patient is evaluated again without it.
            ctx = Context(patient=pf, at=at, params=ps.params, class_concepts=self._class_concepts,
                          general_concepts=self._general_concepts)
            assessments: dict[str, Assessment] = {}
            ctx.assessments = assessments  # filled in pack order: a pack may read an earlier one
            for cp in ps.assessment_packs():
                if cp.pack.id in needed:
                    assessments[cp.pack.id] = self.assess(cp, ctx)
            recs: list[Recommendation] = []
            for cp in ps.guidance_packs() if guidance else ():
                recs.extend(self.guide(cp, ctx))
            if not pf.validate_sources(ctx.used, validate):
                break
        recs.sort(key=lambda r: (r.certainty != "definite", PRIORITY_ORDER.get(r.priority, 9)))
        warnings = [WarningReport(code=w.code, message=w.message, source=w.source) for w in pf.warnings]
        warnings.extend(WarningReport(code="unverified-parameter", message=m) for m in ps.unverified_notices(needed))
        assumptions = sorted({a for s in selected for a in assessments[s].assumptions})
        infusion_day = (at.date() - pf.infusion_date).days if pf.infusion_date else None
        return PatientResult(
            patient=pf.patient, at=at, infusion_day=infusion_day,
            infusion_date=pf.infusion_date.isoformat() if pf.infusion_date else None,
            assessments={s: assessments[s] for s in selected},
            recommendations=recs,
            packs=ps.pack_infos(),
            overridden_parameters=[ParameterUse(name=n, value=ps.params[n], source=s)
                                   for n, s in sorted(ps.param_sources.items()) if not s.endswith("(default)")],
            warnings=warnings, assumptions=assumptions)


_SYMBOLS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "eq": "="}


def _describe(a: Any, v: InputValue) -> str:
    """A condition in words, for "applies if ..." on possible recommendations."""
    if a.op == "absent":
        return f"{v.label} {'not ' if a.operand else ''}recorded"
    if a.op == "in":
        return f"{v.label} is {' or '.join(a.operand)}"
    if a.op == "eq" and a.operand in (0.0, 1.0) and v.unit is None and not v.known:
        return v.label if a.operand == 1.0 else f"no {v.label}"
    unit = f" {v.unit}" if v.unit else ""
    return f"{v.label} {_SYMBOLS[a.op]} {a.operand:g}{unit}"


def _single(rule: CompiledRule, atom: Any) -> CompiledRule:
    return CompiledRule(rule.id, rule.kind, rule.stage, ((atom,),), rule.citation)


def _dose(spec: Any, cp: CompiledPack, inputs: dict[str, InputValue]) -> Dose:
    def num(x: Any) -> float:
        return float(cp.params[x[1:]]) if isinstance(x, str) and x.startswith("$") else float(x)

    per_kg, cap = num(spec.mg_per_kg), num(spec.cap_mg)
    w = inputs[spec.weight_input]
    weight = w.exact
    if weight is None:
        return Dose(drug=spec.drug, mg=None, mg_per_kg=per_kg, cap_mg=cap, weight_kg=None, capped=False,
                    route=spec.route, text=f"{spec.drug} {per_kg:g} mg/kg {spec.route} (max {cap:g} mg): "
                    "dose needs a body weight")
    raw = weight * per_kg
    mg = min(raw, cap)
    src = w.facts[0].source if w.facts else "?"
    text = (f"{spec.drug} {per_kg:g} mg/kg x {weight:g} kg ({src}) = {raw:g} mg"
            + (f", capped at {cap:g} mg" if raw > cap else "") + f" {spec.route}")
    return Dose(drug=spec.drug, mg=round(mg, 1), mg_per_kg=per_kg, cap_mg=cap, weight_kg=weight,
                capped=raw > cap, route=spec.route, text=text)
