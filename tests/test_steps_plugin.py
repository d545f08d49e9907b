"""cartguard.testing.steps (the pytest11 step library) and cartguard.testing.packtest.

A site writes feature files only: these tests run such files in a separate pytest session
(pytester, in-process) and through :func:`run_pack_features`, and check that a wrong expectation
fails as surely as a right one passes.
"""

from __future__ import annotations

import importlib.util
import shutil
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from _cg import REPO

import cartguard.plugins
import cartguard.testing.steps as steps
from cartguard.errors import PackError
from cartguard.plugins import build_packset, get_plugin_manager
from cartguard.testing import PackFiles
from cartguard.testing.fhir import RXNORM
from cartguard.testing.packtest import run_pack_features

pytest_plugins = ["pytester"]

STEPDEF = "pytestbdd_stepdef_"


# -- (a) discovery ---------------------------------------------------------------------------------
def test_the_step_library_is_declared_as_a_pytest11_entry_point():
    eps = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert eps.get("cartguard") == "cartguard.testing.steps"


def test_this_run_loaded_the_library_once_through_the_entry_point(pytestconfig: pytest.Config):
    pm = pytestconfig.pluginmanager
    assert pm.get_plugin("cartguard") is steps
    assert [name for name, plugin in pm.list_name_plugin() if plugin is steps] == ["cartguard"]
    dists = {plugin: dist.project_name for plugin, dist in pm.list_plugin_distinfo()}
    assert dists.get(steps) == "cartguard"


def test_features_conftest_defines_no_steps_so_none_is_registered_twice():
    spec = importlib.util.spec_from_file_location("_cartguard_features_conftest", REPO / "features" / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert [n for n in vars(module) if n.startswith(STEPDEF)] == []
    assert not hasattr(module, "cartguard_world") and not hasattr(module, "cartguard_evaluator")


def test_each_step_pattern_is_defined_once_in_the_library():
    from pytest_bdd.steps import step_function_context_registry

    patterns = [(ctx.type, ctx.parser.name) for name, fixture in vars(steps).items() if name.startswith(STEPDEF)
                for ctx in [step_function_context_registry[fixture._get_wrapped_function()]]]
    assert len(patterns) > 60
    assert len(patterns) == len(set(patterns)), sorted(p for p in patterns if patterns.count(p) > 1)


# -- (b) a site's feature file, generic steps only, in its own pytest session ---------------------------
SITE_FEATURE = """\
Feature: A site's checks, written with cartguard's generic steps only

  Scenario: Overt DIC from four LOINC results, with a bleed
    Given a CAR-T patient on day +7
    And an Observation 777-3 of 42 10*9/L on day +7
    And an Observation http://loinc.org|48065-7 of 5.0 mg/L with an upper reference limit of 0.5 mg/L
    And an Observation 5902-2 of 20 s with an upper reference limit of 13 s with status final on day +7 at 05:30
    And an Observation 3255-7 of 0.8 g/L at 05:00
    And a Condition K92.2
    When the patient is evaluated
    Then the assessment dic.isth2001 is 8
    And the assessment dic.isth2001 status is graded
    And the assessment dic.isth2001 component platelets is 2
    And the assessment dic.isth2001 interpretation is dic.isth2001.overt
    And the assessment dic.isth2001 reports nothing missing
    And the recommendation guidance.dic.treat_cause is definite
    And the recommendation guidance.dic.platelets_bleeding is definite
    And no warning names the Observation 777-3

  Scenario: Platelets alone leave the ISTH score open
    Given a CAR-T patient on day +7
    And an Observation 777-3 of 42 10*9/L
    When the patient is evaluated on day +7 at 09:00
    Then the assessment dic.isth2001 is indeterminate between 2 and 8
    And the assessment dic.isth2001 status is indeterminate
    And the assessment dic.isth2001 component fibrinogen is indeterminate between 0 and 1
    And the assessment dic.isth2001 has no interpretation
    And the assessment dic.isth2001 reports fibrinogen as missing
    And no warning names the Observation

  Scenario: Fever, a running vasopressor and a tocilizumab dose by RxNorm code
    Given a CAR-T patient on day +3
    And an Observation 8310-5 of 39.0 Cel
    And a MedicationAdministration of norepinephrine running on day +3 at 04:00
    And a MedicationAdministration of 612865 on day +3 at 02:00
    When the patient is evaluated
    Then the assessment crs.astct2019 component fever is 1
    And the assessment crs.astct2019 component hypotension is 3
    And the recommendation guidance.crs.g3.icu is definite
    And the recommendation guidance.crs.g4.methylprednisolone is not made

  Scenario: A vasopressor over a period, by system|code, recorded stopped
    Given a CAR-T patient on day +3
    And an Observation 8310-5 of 38.5 Cel
    And an Observation 8480-6 of 110 mm[Hg]
    And a MedicationAdministration of <rxnorm>|7512 running from 02:00 to day +3 at 12:00 with status stopped
    When the patient is evaluated
    Then the assessment crs.astct2019 component hypotension is 3
    And the assessment crs.astct2019 is 3

  Scenario: A platelet count in an unusable unit
    Given a CAR-T patient on day +7
    And an Observation 777-3 of 150 bananas/L
    When the patient is evaluated
    Then a warning unit names the Observation
    And a warning "unit" names the Observation 777-3
    And the assessment dic.isth2001 reports platelets as missing

  Scenario: A result with a data absent reason
    Given a CAR-T patient on day +7
    And an Observation 3255-7 with data absent reason "not-performed"
    When the patient is evaluated
    Then a warning absent names the Observation

  Scenario: Before the infusion the ISTH score does not apply
    Given a CAR-T patient on day -2
    And an Observation 777-3 of 40 10*9/L
    When the patient is evaluated
    Then the assessment dic.isth2001 status is not applicable

  Scenario: WRONG - the ISTH total is not settled
    Given a CAR-T patient on day +7
    And an Observation 777-3 of 42 10*9/L
    When the patient is evaluated
    Then the assessment dic.isth2001 is 2

  Scenario: WRONG - the treat-the-cause recommendation is made
    Given a CAR-T patient on day +7
    And an Observation 777-3 of 42 10*9/L
    And an Observation 48065-7 of 5.0 mg/L with an upper reference limit of 0.5 mg/L
    And an Observation 5902-2 of 20 s with an upper reference limit of 13 s
    And an Observation 3255-7 of 0.8 g/L
    When the patient is evaluated
    Then the recommendation guidance.dic.treat_cause is not made

  Scenario: WRONG - a misspelt recommendation id does not pass as "not made"
    Given a CAR-T patient on day +3
    When the patient is evaluated
    Then the recommendation guidance.crs.g3.icuu is not made

  Scenario: WRONG - the warning is about the unit, not the status
    Given a CAR-T patient on day +7
    And an Observation 777-3 of 150 bananas/L
    When the patient is evaluated
    Then a warning status names the Observation
""".replace("<rxnorm>", RXNORM)


class _Pin:
    """Hand the inner session this session's installed pack set (saves building it again)."""

    def __init__(self, packset) -> None:
        self.packset = packset

    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[steps.CARTGUARD_PACKSET] = self.packset


def test_a_site_feature_with_generic_steps_passes_when_right_and_fails_when_wrong(pytester: pytest.Pytester,
                                                                                   packset):
    pytester.makefile(".feature", site=SITE_FEATURE)
    pytester.makepyfile(test_site='from pytest_bdd import scenarios\n\nscenarios("site.feature")\n')
    result = pytester.runpytest("-p", "no:cacheprovider", "-rf", plugins=[_Pin(packset)])
    result.assert_outcomes(passed=7, failed=4)
    failed = [line for line in result.outlines if line.startswith("FAILED ")]
    assert len(failed) == 4 and all("test_wrong_" in line for line in failed), failed
    result.stdout.fnmatch_lines([
        "*dic.isth2001: value=None range=(2.0, 8.0) status=indeterminate*",
        "*guidance.dic.treat_cause is recommended (definite*",
        "*no installed pack declares a recommendation 'guidance.crs.g3.icuu' (did you mean guidance.crs.g3.icu*",
        "*no 'status' warning for ['Observation/*",
    ])
    result.stdout.no_fnmatch_line("*StepDefinitionNotFoundError*")


# -- (c) cartguard packs test: run_pack_features --------------------------------------------------
SITE_PACK = """\
id: site.lab
version: "1.0.0"
title: Site laboratory codes (test)
kind: terminology
requires: [terminology.core]
features: features
citations:
  lab: {text: "Site laboratory catalogue (test).", evidence: C}
bindings:
  systems:
    lab: http://hospital.example/fhir/CodeSystem/lab
  observations:
    platelets: {codes: ["lab|PLT"], unit: "10*9/L"}
"""

SITE_PACK_FEATURE = """\
@site
Feature: Our laboratory's platelet code feeds the ISTH score
  Scenario: A local platelet count of 42 scores 2 ISTH points
    Given a CAR-T patient on day +6
    And an Observation http://hospital.example/fhir/CodeSystem/lab|PLT of 42 10*9/L on day +6
    When the patient is evaluated
    Then the assessment dic.isth2001 component platelets is {points}
    And no warning names the Observation
"""


_SitePacks = PackFiles


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    """A site pack with a features folder, and a pack whose features folder does not exist."""
    root = tmp_path_factory.mktemp("site")
    (root / "lab.yaml").write_text(SITE_PACK)
    (root / "lost.yaml").write_text(SITE_PACK.split("bindings:")[0].replace("site.lab", "site.lost")
                                    .replace("features: features", "features: nowhere"))
    packset = build_packset(get_plugin_manager(plugins=[_SitePacks(root / "lab.yaml", root / "lost.yaml")]))
    return root, packset


def _features(root: Path, **files: str) -> None:
    folder = root / "features"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)


def test_run_pack_features_passes_a_right_feature_outside_cartguards_own_settings(site, capsys):
    root, packset = site
    _features(root, **{"platelets.feature": SITE_PACK_FEATURE.format(points=2)})
    # --strict-markers: the features' tags are registered; -m selects by tag.
    assert run_pack_features("site.lab", ["--strict-markers", "-m", "site"], packset=packset) == 0
    out = capsys.readouterr().out
    assert "1 passed" in out
    assert "configfile: pytest.ini" in out and "rootdir: " + str(REPO) not in out


def test_run_pack_features_fails_a_wrong_feature(site, capsys):
    root, packset = site
    _features(root, **{"platelets.feature": SITE_PACK_FEATURE.format(points=1)})
    assert run_pack_features("site.lab", packset=packset) == pytest.ExitCode.TESTS_FAILED
    assert "1 failed" in capsys.readouterr().out


@pytest.mark.parametrize("files", [{}, {"empty.feature": "Feature: Nothing to see\n"}], ids=["no-file", "no-scenario"])
def test_run_pack_features_fails_a_folder_without_scenarios(site, files, capsys):
    root, packset = site
    _features(root, **files)
    assert run_pack_features("site.lab", packset=packset) != 0
    assert "pack site.lab: no scenario in" in capsys.readouterr().err


def test_run_pack_features_names_what_is_wrong_with_the_pack(site, monkeypatch):
    _, packset = site
    with pytest.raises(PackError, match=r"no installed pack 'site\.nope' \(installed: .*site\.lab"):
        run_pack_features("site.nope", packset=packset)
    with pytest.raises(PackError, match=r"pack terminology\.core: declares no features"):
        run_pack_features("terminology.core", packset=packset)
    with pytest.raises(PackError, match=r"pack site\.lost: features folder .*nowhere.* does not exist"):
        run_pack_features("site.lost", packset=packset)
    # Without a packset, the installed one is used.
    monkeypatch.setattr(cartguard.plugins, "default_packset", lambda: packset)
    with pytest.raises(PackError, match="site.lost"):
        run_pack_features("site.lost")


def test_run_pack_features_fails_when_the_selection_leaves_no_scenario(site, capsys):
    root, packset = site
    _features(root, **{"platelets.feature": SITE_PACK_FEATURE.format(points=2)})
    assert run_pack_features("site.lab", ["-k", "no_such_scenario"], packset=packset) == pytest.ExitCode.TESTS_FAILED
    assert "pack site.lab: no scenario selected in" in capsys.readouterr().err
