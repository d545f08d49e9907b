"""The set of packs one evaluator uses: loaded, ordered, bound, parameterised and compiled.

Order is deterministic: packs are sorted by their ``requires`` (a pack after what it needs) and
then by id, never by discovery order. A duplicate pack id, a missing requirement or a
conflicting code binding fails at load time.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cartguard.engine.compile import CompiledPack, compile_pack, resolve_disabled, resolve_params
from cartguard.engine.packs import LoadedPack, load_pack_file
from cartguard.engine.results import PackInfo
from cartguard.errors import PackError
from cartguard.fhir_adapters.bindings import Bindings


def _order(packs: list[LoadedPack]) -> list[LoadedPack]:
    by_id: dict[str, LoadedPack] = {}
    for lp in packs:
        if lp.pack.id in by_id:
            raise PackError(f"pack id {lp.pack.id} is provided twice ({by_id[lp.pack.id].path} and {lp.path})")
        by_id[lp.pack.id] = lp
    done: list[LoadedPack] = []
    placed: set[str] = set()
    visiting: set[str] = set()

    def place(pid: str, chain: tuple[str, ...]) -> None:
        if pid in placed:
            return
        if pid not in by_id:
            raise PackError(f"{by_id[chain[-1]].where('requires')}: pack {chain[-1]} requires {pid!r}, "
                            "which is not installed")
        if pid in visiting:
            raise PackError(f"packs require each other in a cycle: {' -> '.join((*chain, pid))}")
        visiting.add(pid)
        for req in sorted(by_id[pid].pack.requires):
            place(req, (*chain, pid))
        visiting.discard(pid)
        placed.add(pid)
        done.append(by_id[pid])

    for pid in sorted(by_id, key=lambda i: (by_id[i].pack.priority, i)):
        place(pid, (pid,))
    return done


class PackSet:
    def __init__(self, packs: Iterable[LoadedPack], overrides: dict[str, tuple[Any, str]] | None = None) -> None:
        self.loaded = _order(list(packs))
        self.bindings = Bindings()
        for lp in self.loaded:
            if lp.pack.bindings:
                try:
                    self.bindings.add_pack(lp.pack.id, lp.pack.bindings)
                except PackError as exc:
                    raise PackError(f"{lp.where('bindings')}: {exc}") from None
        self.params, self.param_sources = resolve_params(self.loaded, overrides)
        self.disabled = resolve_disabled(self.loaded)
        self.compiled: dict[str, CompiledPack] = {}
        for lp in self.loaded:
            if lp.pack.kind in ("assessment", "guidance", "site") and (lp.pack.components or lp.pack.recommendations):
                self._check_inputs(lp)
                self.compiled[lp.pack.id] = compile_pack(lp, self.params, self.param_sources, self.disabled)
                self._check_categories(self.compiled[lp.pack.id])
        self.default_scales()  # a bad or doubly-set default_scales fails at load time, not at evaluation

    @classmethod
    def from_paths(cls, paths: Iterable[str | Path], overrides: dict[str, tuple[Any, str]] | None = None,
                   plugin: str = "core") -> PackSet:
        return cls([load_pack_file(p, plugin) for p in paths], overrides)

    def _check_inputs(self, lp: LoadedPack) -> None:
        for name, spec in lp.pack.inputs.items():
            for analyte in spec.analytes:
                if analyte not in self.bindings.concepts and analyte != "@o2":
                    raise PackError(f"{lp.where('inputs', name)}: input {name}: analyte {analyte!r} has no code "
                                    "binding in any loaded pack", pack=lp.pack.id)
            ref = spec.assessment
            if ref and ref not in {p.pack.id for p in self.loaded if p.pack.kind == "assessment"}:
                raise PackError(f"{lp.where('inputs', name)}: input {name}: assessment {ref!r} is not loaded",
                                pack=lp.pack.id)

    def _check_categories(self, cp: CompiledPack) -> None:
        """A categorical condition may only name members of the value set its input reads.

        Without this, a typo ("nasal_canula") would silently never match.
        """
        value_set_of: dict[str, str] = {}
        for n, spec in cp.pack.inputs.items():
            if spec.reduce == "o2_device":
                value_set_of[n] = "o2_devices"
            elif spec.reduce in ("latest", "first_available"):
                sets = {self.bindings.concepts[a].value_set for a in spec.analytes if a in self.bindings.concepts}
                sets |= {value_set_of[i] for i in spec.inputs if i in value_set_of}
                if len(sets - {None}) == 1 and None not in sets:
                    value_set_of[n] = next(iter(sets))  # type: ignore[arg-type]
        for n, vs in value_set_of.items():
            members = set(self.bindings.value_sets.get(vs, {}).values())
            default = cp.pack.inputs[n].assume_when_absent
            if default is not None and default not in members:
                raise PackError(f"input {n}: assume_when_absent {default!r} is not a {vs} member "
                                f"{sorted(members)}", pack=cp.pack.id)
        for rule in cp.rules:
            for group in rule.groups:
                for a in group:
                    if a.input in value_set_of and a.op == "in":
                        vs = value_set_of[a.input]
                        members = set(self.bindings.value_sets.get(vs, {}).values())
                        unknown = set(a.operand) - members
                        if unknown:
                            raise PackError(f"rule {rule.id}: {sorted(unknown)} not in value set {vs} "
                                            f"{sorted(members)}", pack=cp.pack.id)

    def pack_infos(self) -> list[PackInfo]:
        """Provenance of every loaded pack, for results and ``cartguard packs``."""
        return [PackInfo(id=lp.pack.id, version=lp.pack.version, title=lp.pack.title, sha256=lp.sha256,
                         plugin=lp.plugin, path=lp.path,
                         overrides={n: o.value for n, o in lp.pack.overrides.items()},
                         disabled={d.rule: d.reason for d in lp.pack.disable})
                for lp in self.loaded]

    def assessment_packs(self) -> list[CompiledPack]:
        return [cp for cp in self.compiled.values() if cp.pack.kind == "assessment"]

    def guidance_packs(self) -> list[CompiledPack]:
        """Packs that give recommendations: guidance packs and site packs with local rules."""
        return [cp for cp in self.compiled.values() if cp.pack.kind in ("guidance", "site")]

    def default_scales(self) -> list[str]:
        """The scales reported when none are asked for: a site's ``default_scales``, else each pack's flag."""
        ids = [cp.pack.id for cp in self.assessment_packs()]
        setters = [lp for lp in self.loaded if lp.pack.default_scales is not None]
        if len(setters) > 1:
            raise PackError(f"default_scales is set by {[lp.pack.id for lp in setters]}: only one pack may "
                            "choose the default scales")
        if setters:
            chosen = setters[0].pack.default_scales or []
            unknown = [s for s in chosen if s not in ids]
            if unknown:
                raise PackError(f"{setters[0].where('default_scales')}: default_scales names unknown scale(s) "
                                f"{unknown}; installed: {ids}", pack=setters[0].pack.id)
            return list(dict.fromkeys(chosen))  # in the site's order
        return [i for i in ids if self.compiled[i].pack.default_enabled]

    def select(self, scales: list[str] | str | None) -> list[str]:
        """Assessment ids to report: None → the default scales, ``"all"`` → every one, else as named."""
        ids = [cp.pack.id for cp in self.assessment_packs()]
        if scales is None:
            return self.default_scales()
        if scales == "all" or scales == ["all"]:
            defaults = self.default_scales()
            return [*defaults, *(i for i in ids if i not in defaults)]  # the default scales lead
        wanted = [s for s in (scales.split(",") if isinstance(scales, str) else scales) if s]
        unknown = [s for s in wanted if s not in ids]
        if unknown:
            raise PackError(f"unknown scale(s) {unknown}; loaded: {ids}")
        return wanted

    def needed(self, selected: list[str], guidance: bool = True) -> set[str]:
        """Assessments to evaluate: the selected ones, those the guidance reads, and what they read.

        A scale that is neither reported nor read by guidance or another scale is not evaluated,
        so installing more scales costs nothing until they are asked for. ``guidance=False``: no
        guidance is given, so only the selected scales and what they read.
        """
        readers = [cp.pack for cp in self.guidance_packs()] if guidance else []
        todo = list(selected)
        for pack in readers:
            todo.extend(s.assessment for s in pack.inputs.values() if s.assessment)
        out: set[str] = set()
        while todo:
            pid = todo.pop()
            if pid in out or pid not in self.compiled:
                continue
            out.add(pid)
            todo.extend(s.assessment for s in self.compiled[pid].pack.inputs.values() if s.assessment)
        return out

    def unverified_notices(self, evaluated: set[str] | None = None) -> list[str]:
        """One notice per [U] parameter in use: the result carries it until a clinician signs it off.

        ``evaluated``: ids of the assessment packs evaluated; the [U] parameters of scales not
        evaluated are not in use and raise no notice (guidance, terminology and site packs always do).
        """
        notes = []
        for lp in self.loaded:
            if evaluated is not None and lp.pack.kind == "assessment" and lp.pack.id not in evaluated:
                continue
            for name, p in lp.pack.parameters.items():
                if p.evidence == "U":
                    notes.append(f"{name} = {self.params[name]!r} is an unverified default [U] of {lp.pack.id} "
                                 f"({self.param_sources[name]}); a site should confirm it")
        return notes
