"""Code bindings: which FHIR codes mean which concept, declared by the rule packs.

The adapters never hard-code a LOINC, SNOMED CT or RxNorm code: they ask a :class:`Bindings`
built from the ``bindings:`` sections of the loaded packs (``rules/terminology/core.yaml``
first, then any site pack). Codes are written ``alias|code`` with the aliases declared under
``systems:``; a trailing ``*`` binds a code family (``icd10cm|C91.0*``).

A ``questionnaires:`` section binds a Questionnaire (by canonical URL) to an observations concept:
a QuestionnaireResponse of it is scored from its items (``items``: linkId → maximum points) and
may state a total (``total``: linkId), see :mod:`cartguard.fhir_adapters.questionnaire`::

    questionnaires:
      ice:
        url: http://cartguard.example/fhir/Questionnaire/ice
        concept: ice_score
        items: {orientation: 4, naming: 3, commands: 1, writing: 1, attention: 1}
        total: total
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cartguard.errors import PackError

CONCEPT_KINDS = ("observations", "medications", "procedures", "conditions")


@dataclass(frozen=True, slots=True)
class Concept:
    """One bound concept (``platelets``, ``norepinephrine`` ...) and what the packs say of it."""

    name: str
    kind: str
    unit: str | None = None
    label: str | None = None
    classes: tuple[str, ...] = ()
    marker_type: str | None = None
    reference_range: bool = False
    reject: str | None = None
    value_set: str | None = None
    o2_device: str | None = None
    refutes_class: bool = False
    """A general concept ("sepsis, unspecified", "seizure"): a refuted Condition of it documents the
    absence of every concept of its classes. Without it a refutation documents only its own concept
    ("no hepatic failure" says nothing about the kidneys)."""
    absent_supersedes: bool = False
    """A later result with a dataAbsentReason (e.g. "ICE not performed") makes the earlier value stale:
    the concept is a state assessed repeatedly, not a lab whose last valid value still stands."""
    pack: str = ""


@dataclass(frozen=True, slots=True)
class QuestionnaireBinding:
    """A Questionnaire whose responses score an observations concept (ICE, CAPD ...)."""

    name: str
    url: str
    """Canonical URL of the Questionnaire, without ``|version``."""
    concept: Concept
    items: tuple[tuple[str, int], ...]
    """(linkId, maximum points) of every scored item, in the declared order."""
    total: str | None = None
    """linkId of the item holding a stated total, if the form has one."""
    pack: str = ""

    @property
    def max_total(self) -> int:
        return sum(m for _, m in self.items)


@dataclass(slots=True)
class Bindings:
    """The merged code index of every loaded pack."""

    systems: dict[str, str] = field(default_factory=dict)
    concepts: dict[str, Concept] = field(default_factory=dict)
    _exact: dict[tuple[str, str], tuple[Concept, str]] = field(default_factory=dict)
    _prefix: list[tuple[str, str, Concept, str]] = field(default_factory=list)
    value_sets: dict[str, dict[tuple[str, str], str]] = field(default_factory=dict)
    assay_uln: dict[str, tuple[float, str]] = field(default_factory=dict)
    """'system|code' → (upper limit of normal in the concept's unit, declaring pack), for local assays
    whose results arrive without a reference range."""
    cart_products: set[tuple[str, str]] = field(default_factory=set)
    questionnaires: dict[str, QuestionnaireBinding] = field(default_factory=dict)
    """Canonical URL (no version) → the Questionnaire's binding."""

    # -- building -------------------------------------------------------------------------
    def add_pack(self, pack_id: str, bindings: dict[str, Any]) -> None:
        """Merge one pack's ``bindings:`` section; conflicting codes are an error, not a coin toss."""
        for alias, url in (bindings.get("systems") or {}).items():
            if self.systems.get(alias, url) != url:
                raise PackError(f"system alias {alias!r} already means {self.systems[alias]}", pack=pack_id)
            self.systems[alias] = url
        for kind in CONCEPT_KINDS:
            for name, spec in (bindings.get(kind) or {}).items():
                self._add_concept(pack_id, kind, name, spec)
        for vs_name, members in (bindings.get("value_sets") or {}).items():
            vs = self.value_sets.setdefault(vs_name, {})
            for member, codes in members.items():
                for code in codes:
                    key = self._split(pack_id, code)
                    if vs.get(key, member) != member:
                        raise PackError(f"{code} is already {vs[key]!r} in value set {vs_name}", pack=pack_id)
                    vs[key] = member
        for code in (bindings.get("cart_products") or {}).get("codes", []):
            self.cart_products.add(self._split(pack_id, code))
        for q_name, spec in (bindings.get("questionnaires") or {}).items():
            self._add_questionnaire(pack_id, q_name, spec)

    def _add_questionnaire(self, pack_id: str, name: str, spec: Any) -> None:
        where = f"questionnaire binding {name}"
        if not isinstance(spec, dict):
            raise PackError(f"{where}: expected a mapping with url, concept and items", pack=pack_id)
        unknown = set(spec) - {"url", "concept", "items", "total"}
        if unknown:
            raise PackError(f"{where}: unknown keys {sorted(unknown)}", pack=pack_id)
        url, concept_name, items, total = spec.get("url"), spec.get("concept"), spec.get("items"), spec.get("total")
        if not isinstance(url, str) or not url or "|" in url:
            raise PackError(f"{where}: url must be the Questionnaire's canonical URL (no |version), got {url!r}",
                            pack=pack_id)
        concept = self.concepts.get(concept_name) if isinstance(concept_name, str) else None
        if concept is None or concept.kind != "observations":
            raise PackError(f"{where}: concept {concept_name!r} is not a bound observations concept "
                            "(bind it under observations: first)", pack=pack_id)
        if concept.value_set is not None:
            raise PackError(f"{where}: concept {concept_name!r} is categorical (value set {concept.value_set}); "
                            "a questionnaire scores a number", pack=pack_id)
        if not isinstance(items, dict) or not items:
            raise PackError(f"{where}: items must map each scored linkId to its maximum points", pack=pack_id)
        parsed: list[tuple[str, int]] = []
        for link_id, maximum in items.items():
            if isinstance(maximum, bool) or not isinstance(maximum, int) or maximum < 1:
                raise PackError(f"{where}: item {link_id!r}: maximum points must be a positive integer, "
                                f"got {maximum!r}", pack=pack_id)
            parsed.append((str(link_id), maximum))
        if total is not None and (not isinstance(total, str) or total in items):
            raise PackError(f"{where}: total must be the linkId of a stated-total item that is not a scored "
                            f"item, got {total!r}", pack=pack_id)
        binding = QuestionnaireBinding(name=name, url=url, concept=concept, items=tuple(parsed), total=total,
                                       pack=pack_id)
        prior = self.questionnaires.get(url)
        if prior is not None:
            raise PackError(f"{where}: Questionnaire {url} is already bound by {prior.pack} ({prior.name})",
                            pack=pack_id)
        self.questionnaires[url] = binding

    def _split(self, pack_id: str, code: str) -> tuple[str, str]:
        alias, sep, value = str(code).partition("|")
        if not sep or alias not in self.systems:
            raise PackError(f"code {code!r} must be 'alias|code' with a declared system alias", pack=pack_id)
        return self.systems[alias], value

    def _add_concept(self, pack_id: str, kind: str, name: str, spec: dict[str, Any]) -> None:
        known = {"codes", "unit", "label", "classes", "marker_type", "reference_range", "reject",
                 "value_set", "o2_device", "absent_supersedes", "refutes_class"}
        unknown = set(spec) - known
        if unknown:
            raise PackError(f"binding {name}: unknown keys {sorted(unknown)}", pack=pack_id)
        if spec.get("unit"):
            from cartguard.fhir_adapters.units import UnitError, check_unit

            try:
                check_unit(spec["unit"])
            except UnitError as exc:
                raise PackError(f"binding {name}: unit {spec['unit']!r} is not UCUM ({exc})", pack=pack_id) from None
        existing = self.concepts.get(name)
        concept = existing or Concept(
            name=name,
            kind=kind,
            unit=spec.get("unit"),
            label=spec.get("label", name.replace("_", " ")),
            classes=tuple(spec.get("classes", ())),
            marker_type=spec.get("marker_type"),
            reference_range=bool(spec.get("reference_range", False)),
            reject=spec.get("reject"),
            value_set=spec.get("value_set"),
            o2_device=spec.get("o2_device"),
            absent_supersedes=bool(spec.get("absent_supersedes", False)),
            refutes_class=bool(spec.get("refutes_class", False)),
            pack=pack_id,
        )
        if existing and existing.kind != kind:
            raise PackError(f"binding {name} is already a {existing.kind} concept", pack=pack_id)
        if existing and spec.get("unit") and spec["unit"] != existing.unit:
            raise PackError(f"binding {name}: unit {spec['unit']!r} conflicts with {existing.unit!r}",
                            pack=pack_id)
        self.concepts[name] = concept
        for entry in spec.get("codes", []):
            code = entry
            if isinstance(entry, dict):  # {code: "alias|code", assay_uln: 0.5}
                unknown_keys = set(entry) - {"code", "assay_uln"}
                if unknown_keys or "code" not in entry:
                    raise PackError(f"binding {name}: a code entry takes 'code' and 'assay_uln', got {sorted(entry)}",
                                    pack=pack_id)
                code = entry["code"]
                uln = entry.get("assay_uln")
                if uln is not None:
                    if isinstance(uln, bool) or not isinstance(uln, int | float) or uln <= 0:
                        raise PackError(f"binding {name}: assay_uln must be a positive number in {concept.unit}, "
                                        f"got {uln!r}", pack=pack_id)
                    if not concept.reference_range:
                        raise PackError(f"binding {name}: assay_uln given for a concept without reference ranges",
                                        pack=pack_id)
                    s, v = self._split(pack_id, code)
                    self.assay_uln[f"{s}|{v}"] = (float(uln), pack_id)
            system, value = self._split(pack_id, code)
            if value.endswith("*"):
                self._prefix.append((system, value[:-1], concept, f"{system}|{value}"))
                continue
            prior = self._exact.get((system, value))
            if prior and prior[0].name != name:
                raise PackError(f"{code} is already bound to {prior[0].name!r}", pack=pack_id)
            self._exact[(system, value)] = (concept, f"{system}|{value}")

    # -- lookup ---------------------------------------------------------------------------
    def match(self, codeable: Any, kind: str) -> tuple[Concept, str] | None:
        """First bound concept of ``kind`` among a CodeableConcept's codings, with the code matched."""
        if not isinstance(codeable, dict) or not isinstance(codeable.get("coding"), list):
            return None
        for coding in codeable["coding"]:
            if not isinstance(coding, dict):
                continue
            system, code = coding.get("system"), coding.get("code")
            if not isinstance(system, str) or not isinstance(code, str) or not system or not code:
                continue  # malformed codings never match (and never crash the run)
            hit = self._exact.get((system, code))
            if hit and hit[0].kind == kind:
                return hit
            for p_system, prefix, concept, _label in self._prefix:
                if concept.kind == kind and system == p_system and code.startswith(prefix):
                    return concept, f"{system}|{code}"
        return None

    def value_set_member(self, vs_name: str, codeable: Any) -> tuple[str | None, str | None]:
        """(member, 'system|code') of the first coding found in value set ``vs_name``."""
        vs = self.value_sets.get(vs_name, {})
        first = None
        if isinstance(codeable, dict) and isinstance(codeable.get("coding"), list):
            for coding in codeable["coding"]:
                if not isinstance(coding, dict):
                    continue
                key = (coding.get("system"), coding.get("code"))
                if not isinstance(key[0], str) or not isinstance(key[1], str):
                    continue
                first = first or f"{key[0]}|{key[1]}"
                if key in vs:
                    return vs[key], f"{key[0]}|{key[1]}"
        return None, first

    def questionnaire(self, canonical: Any) -> QuestionnaireBinding | None:
        """The binding of a QuestionnaireResponse's ``questionnaire`` (a canonical, ``|version`` ignored)."""
        if not isinstance(canonical, str) or not canonical:
            return None
        return self.questionnaires.get(canonical.split("|", 1)[0])

    def is_cart_product(self, codeable: Any) -> bool:
        if not isinstance(codeable, dict):
            return False
        codings = codeable.get("coding")
        if not isinstance(codings, list):
            return False
        return any(
            (c.get("system"), c.get("code")) in self.cart_products
            for c in codings
            if isinstance(c, dict) and isinstance(c.get("system"), str) and isinstance(c.get("code"), str)
        )

    def class_concepts(self, kind: str = "conditions") -> dict[str, frozenset[str]]:
        """Class -> names of the bound concepts of ``kind`` that carry it."""
        out: dict[str, set[str]] = {}
        for c in self.concepts.values():
            if c.kind == kind:
                for cls in c.classes:
                    out.setdefault(cls, set()).add(c.name)
        return {k: frozenset(v) for k, v in out.items()}

    def general_concepts(self) -> frozenset[str]:
        """Condition concepts whose refutation documents the absence of their whole class."""
        return frozenset(c.name for c in self.concepts.values() if c.kind == "conditions" and c.refutes_class)

    def relevant_codes(self) -> set[tuple[str, str]]:
        return set(self._exact)
