"""cartguard/plugins.py and hookspecs.py: pack discovery through pluggy entry points and hooks."""

from __future__ import annotations

import inspect
from pathlib import Path

import pluggy
import pytest
from _cg import at_day

from cartguard import hookspecs
from cartguard.api import evaluate_loaded
from cartguard.engine.evaluate import Evaluator
from cartguard.errors import PackError
from cartguard.hookspecs import hookimpl
from cartguard.plugins import ENTRY_POINT_GROUP, build_packset, default_packset, get_plugin_manager
from cartguard.rules import CORE_PACK_FILES, PACK_DIR
from cartguard.testing import PackFiles, PatientBuilder

CORE_IDS = ["terminology.core", "crs.astct2019", "dic.isth2001", "guidance.core"]

SITE_TERMINOLOGY = """\
id: site.terminology
version: "2.1.0"
title: Site codes (test)
kind: terminology
requires: [terminology.core]
citations:
  lab: {text: "Site laboratory catalogue (test).", evidence: C}
bindings:
  systems:
    lab: http://hospital.example/fhir/CodeSystem/lab
  observations:
    platelets: {codes: ["lab|PLT"], unit: "10*9/L"}
"""


# -- test plugins: every hook of cartguard.hookspecs is implemented by one of these --------------
class Overrides:
    """A site plugin that only changes parameters."""

    def __init__(self, values: dict) -> None:
        self.values = values

    @hookimpl
    def cartguard_parameter_overrides(self):
        return self.values


SitePacks = PackFiles  # a site plugin that only provides pack files


class Misspelled:
    @hookimpl
    def cartguard_parameter_override(self):  # missing "s": no such hook
        return {"crs.fever_c_gte": 39}


class WrongArgument:
    @hookimpl
    def cartguard_pack_paths(self, config):  # the spec takes no arguments
        return []


TEST_PLUGINS = (Overrides, SitePacks)


def _site_pack(tmp_path: Path, text: str = SITE_TERMINOLOGY, name: str = "site.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def _fever_patient(temp: float = 38.3) -> PatientBuilder:
    b = PatientBuilder("p1")
    b.observation("8310-5", temp, "Cel", day=6, hour=8)
    b.blood_pressure(95, day=6, hour=8)
    return b


def _crs(ps, b: PatientBuilder):
    return evaluate_loaded(b.load(), Evaluator(ps, "both"), at=at_day(6))[0].assessments["crs.astct2019"]


# -- discovery -------------------------------------------------------------------------------------
def test_core_packs_come_through_the_entry_point():
    pm = get_plugin_manager()
    core = pm.get_plugin("core")
    assert core is not None, pm.list_name_plugin()
    assert core.__name__ == "cartguard.rules.core_plugin"
    dists = {p.__name__: d for p, d in pm.list_plugin_distinfo()}
    assert dists["cartguard.rules.core_plugin"].project_name == "cartguard"
    ps = build_packset(pm)
    ids = [lp.pack.id for lp in ps.loaded]
    assert set(CORE_IDS) <= set(ids), ids
    # dependency order: terminology first, guidance after the scales it reads
    assert ids[0] == "terminology.core" and ids.index("guidance.core") > ids.index("dic.isth2001"), ids
    assert {lp.plugin for lp in ps.loaded} == {f"cartguard {dists['cartguard.rules.core_plugin'].version}"}
    assert sorted(Path(lp.path).resolve() for lp in ps.loaded) == sorted(Path(p).resolve() for p in CORE_PACK_FILES)


def test_the_entry_point_is_declared_in_the_distribution():
    from importlib.metadata import entry_points

    eps = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    assert eps.get("core") == "cartguard.rules.core_plugin"


def test_without_entry_points_there_are_no_packs():
    pm = get_plugin_manager(load_entry_points=False)
    assert pm.get_plugin("core") is None
    assert build_packset(pm).loaded == []


def test_default_packset_is_the_entry_point_packset():
    via_entry_points = build_packset(get_plugin_manager()).loaded
    assert [lp.pack.id for lp in default_packset().loaded] == [lp.pack.id for lp in via_entry_points]
    assert set(CORE_IDS) <= {lp.pack.id for lp in default_packset().loaded}


def test_a_site_plugin_adds_packs_and_its_codes_work(tmp_path: Path):
    pm = get_plugin_manager()
    pm.register(SitePacks(_site_pack(tmp_path)), name="site-lab")
    ps = build_packset(pm)
    ids = [lp.pack.id for lp in ps.loaded]
    core = [lp.pack.id for lp in default_packset().loaded]
    assert sorted(ids) == sorted([*core, "site.terminology"])
    assert ids.index("terminology.core") < ids.index("site.terminology")  # after what it requires
    [site] = [lp for lp in ps.loaded if lp.pack.id == "site.terminology"]
    assert site.plugin == "site-lab"
    b = PatientBuilder("p1")
    b.observation("PLT", 42, "10*9/L", day=6, hour=6, system="http://hospital.example/fhir/CodeSystem/lab")
    res = evaluate_loaded(b.load(), Evaluator(ps, "both"), at=at_day(6))[0]
    assert res.assessments["dic.isth2001"].components["platelets"].value == 2.0
    assert "site.terminology" in {p.id for p in res.packs}


def test_pack_order_does_not_depend_on_registration_order(tmp_path: Path):
    a = _site_pack(tmp_path, SITE_TERMINOLOGY, "a.yaml")
    b = _site_pack(tmp_path, SITE_TERMINOLOGY.replace("site.terminology", "aaa.terminology")
                   .replace("lab|PLT", "lab|PLT2"), "b.yaml")
    orders = []
    for plugins in ([SitePacks(a), SitePacks(b)], [SitePacks(b), SitePacks(a)]):
        orders.append([lp.pack.id for lp in build_packset(get_plugin_manager(plugins=plugins)).loaded])
    assert orders[0] == orders[1]


def test_a_pack_id_provided_twice_is_an_error():
    with pytest.raises(PackError, match="provided twice"):
        build_packset(get_plugin_manager(plugins=[SitePacks(PACK_DIR / "crs" / "astct2019.yaml")]))


# -- parameter overrides -------------------------------------------------------------------------
def test_an_override_changes_the_grade_and_is_named_in_the_explanation():
    ps = build_packset(get_plugin_manager(plugins=[Overrides({"crs.fever_c_gte": 38.5})]))
    assert ps.params["crs.fever_c_gte"] == 38.5
    crs = _crs(ps, _fever_patient(38.3))
    assert crs.value == 0.0  # 38.3 is no fever at a 38.5 threshold
    assert _crs(default_packset(), _fever_patient(38.3)).value == 1.0
    uses = [p for f in crs.explanation for p in f.parameters if p.name == "crs.fever_c_gte"]
    assert uses and all(p.value == 38.5 for p in uses)
    assert all(p.source.startswith("override by ") for p in uses), uses


def test_an_override_names_the_plugin_that_made_it():
    pm = get_plugin_manager()
    pm.register(Overrides({"crs.fever_c_gte": 38.5}), name="st-elsewhere-site")
    ps = build_packset(pm)
    assert ps.param_sources["crs.fever_c_gte"] == "override by st-elsewhere-site"
    uses = [p for f in _crs(ps, _fever_patient(38.3)).explanation for p in f.parameters]
    assert "override by st-elsewhere-site" in {p.source for p in uses}


def test_a_threshold_override_shows_in_the_explanation_of_the_finding_it_decided():
    """hookspecs: each override "shows in every result's explanation (ParameterUse.source)".

    SBP 95 is hypotension only under the overridden threshold (100), so the hypotension finding
    exists because of the override; its explanation must name the parameter and its source."""
    ps = build_packset(get_plugin_manager(plugins=[Overrides({"crs.hypotension.adult_sbp_lt_mmhg": 100})]))
    crs = _crs(ps, _fever_patient(39.0))
    assert crs.components["hypotension"].value == 2.0
    assert _crs(default_packset(), _fever_patient(39.0)).components["hypotension"].value == 0.0
    [finding] = [f for f in crs.explanation if f.rule_id == "crs.astct2019.hypotension.fluids"]
    uses = {p.name: p for p in finding.parameters}
    assert "crs.hypotension.adult_sbp_lt_mmhg" in uses, (
        f"the parameter that decided {finding.rule_id} is not in its explanation: {finding.parameters}")
    assert uses["crs.hypotension.adult_sbp_lt_mmhg"].value == 100
    assert uses["crs.hypotension.adult_sbp_lt_mmhg"].source.startswith("override by ")


def test_defaults_are_named_as_defaults():
    crs = _crs(default_packset(), _fever_patient(39.0))
    uses = [p for f in crs.explanation for p in f.parameters]
    assert uses
    assert all(p.source.endswith("(default)") for p in uses)


def test_two_plugins_overriding_the_same_parameter_is_an_error():
    pm = get_plugin_manager(plugins=[Overrides({"crs.fever_c_gte": 38.5}), Overrides({"crs.fever_c_gte": 38.2})])
    with pytest.raises(PackError, match="crs.fever_c_gte"):
        build_packset(pm)


def test_two_plugins_overriding_different_parameters_is_fine():
    pm = get_plugin_manager(plugins=[Overrides({"crs.fever_c_gte": 38.5}),
                                     Overrides({"isth_overt.overt_total_gte": 6})])
    ps = build_packset(pm)
    assert (ps.params["crs.fever_c_gte"], ps.params["isth_overt.overt_total_gte"]) == (38.5, 6)


def test_overriding_an_unknown_parameter_is_an_error():
    with pytest.raises(PackError, match="unknown parameter 'crs.fever_threshold'"):
        build_packset(get_plugin_manager(plugins=[Overrides({"crs.fever_threshold": 38.5})]))


def test_overriding_with_a_value_outside_the_choices_is_an_error():
    with pytest.raises(PackError, match="toci.rule_set"):
        build_packset(get_plugin_manager(plugins=[Overrides({"toci.rule_set": "whatever"})]))


def test_an_override_is_a_new_ruleset_not_a_redefinition():
    base = default_packset()
    site = build_packset(get_plugin_manager(plugins=[Overrides({"crs.fever_c_gte": 38.5})]))
    assert base.compiled["crs.astct2019"].ruleset_name != site.compiled["crs.astct2019"].ruleset_name
    # both evaluate in the same process, each with its own thresholds
    assert _crs(base, _fever_patient(38.3)).value == 1.0
    assert _crs(site, _fever_patient(38.3)).value == 0.0
    assert _crs(base, _fever_patient(38.3)).value == 1.0


# -- hook validation ---------------------------------------------------------------------------------
def test_a_misspelled_hook_implementation_fails_check_pending():
    with pytest.raises(pluggy.PluginValidationError, match="cartguard_parameter_override"):
        get_plugin_manager(plugins=[Misspelled()])


def test_a_hook_implementation_with_unknown_arguments_is_refused():
    with pytest.raises(pluggy.PluginValidationError):
        get_plugin_manager(plugins=[WrongArgument()])


def _hookspec_functions():
    return {name: fn for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
            if hasattr(fn, f"{hookspecs.PROJECT}_spec")}


def test_there_are_hookspecs():
    assert set(_hookspec_functions()) == {"cartguard_pack_paths", "cartguard_parameter_overrides"}


@pytest.mark.parametrize("name", sorted(_hookspec_functions()))
def test_every_hookspec_is_documented(name):
    doc = inspect.getdoc(_hookspec_functions()[name])
    assert doc, f"hook {name} has no docstring"
    first, _, rest = doc.partition("\n\n")
    assert first.strip().endswith("."), f"{name}: the first paragraph should be one summary sentence"
    assert len(rest.split()) >= 15, f"{name}: say when it is called and what the result means"


@pytest.mark.parametrize("name", sorted(_hookspec_functions()))
def test_every_hookspec_is_exercised_by_a_test_plugin(name):
    implemented = {n for cls in TEST_PLUGINS for n, m in inspect.getmembers(cls, inspect.isfunction)
                   if hasattr(m, f"{hookspecs.PROJECT}_impl")}
    assert name in implemented


@pytest.mark.parametrize("name", sorted(_hookspec_functions()))
def test_every_hookspec_is_called_by_the_host(name, tmp_path: Path):
    """build_packset calls every hook: a test plugin's implementation is seen."""
    calls: list[str] = []

    class Spy:
        @hookimpl
        def cartguard_pack_paths(self):
            calls.append("cartguard_pack_paths")
            return []

        @hookimpl
        def cartguard_parameter_overrides(self):
            calls.append("cartguard_parameter_overrides")
            return {}

    build_packset(get_plugin_manager(plugins=[Spy()]))
    assert calls.count(name) == 1
