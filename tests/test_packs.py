"""engine/packs.py, packset.py, compile.py, combine.py: a broken pack fails early and by name."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from _cg import at_day

from cartguard.api import evaluate_loaded
from cartguard.engine.evaluate import Evaluator
from cartguard.engine.packs import load_pack_file
from cartguard.engine.packset import PackSet
from cartguard.errors import EngineError, PackError
from cartguard.rules import CORE_PACK_FILES, PACK_DIR
from cartguard.testing import PatientBuilder

TERMINOLOGY = PACK_DIR / "terminology" / "core.yaml"
ISTH_FILE = PACK_DIR / "dic" / "isth2001.yaml"

MINI: dict[str, Any] = {
    "id": "test.mini", "version": "0.1.0", "title": "Mini", "kind": "assessment", "scale": "mini",
    "requires": ["terminology.core"],
    "citations": {"src": {"text": "A source."}},
    "parameters": {"mini.plt_gte": {"default": 100, "doc": "threshold", "citation": "src"}},
    "inputs": {"platelets": {"reduce": "latest", "analytes": ["platelets"], "window_hours": 36}},
    "components": {"plt": {"title": "Platelets", "rules": [
        {"id": "mini.plt.0", "when": [{"platelets": {"gte": "$mini.plt_gte"}}], "value": 0, "citation": "src"},
        {"id": "mini.plt.1", "when": [{"platelets": {"lt": "$mini.plt_gte"}}], "value": 1, "citation": "src"},
    ]}},
    "value": {"sum": ["plt"]},
}


def _mini(**top: Any) -> dict[str, Any]:
    pack = copy.deepcopy(MINI)
    pack.update(top)
    return pack


def _rules(pack: dict[str, Any]) -> list[dict[str, Any]]:
    return pack["components"]["plt"]["rules"]


def _write(tmp_path: Path, pack: dict[str, Any] | str, name: str = "mini.yaml") -> Path:
    p = tmp_path / name
    p.write_text(pack if isinstance(pack, str) else yaml.safe_dump(pack, sort_keys=False))
    return p


def _packset(tmp_path: Path, pack: dict[str, Any] | str) -> PackSet:
    return PackSet.from_paths([TERMINOLOGY, _write(tmp_path, pack)])


def _score(ps: PackSet, platelets: float):
    b = PatientBuilder("p1")
    b.observation("777-3", platelets, "10*9/L", day=6, hour=6)
    return evaluate_loaded(b.load(), Evaluator(ps, "both"), at=at_day(6))[0].assessments["test.mini"]


# -- a valid pack, so that every failure below is the defect it names -----------------------------
def test_the_mini_pack_is_valid_and_scores(tmp_path: Path):
    ps = _packset(tmp_path, MINI)
    assert (_score(ps, 150).value, _score(ps, 42).value) == (0.0, 1.0)


# -- cross-reference checks at load time ---------------------------------------------------------
def test_rule_citing_an_unknown_citation(tmp_path: Path):
    pack = _mini()
    _rules(pack)[1]["citation"] = "nowhere#table"
    with pytest.raises(PackError, match=r"mini\.plt\.1.*citation 'nowhere#table'") as exc:
        load_pack_file(_write(tmp_path, pack))
    assert "mini.yaml" in str(exc.value)


def test_parameter_citing_an_unknown_citation(tmp_path: Path):
    pack = _mini()
    pack["parameters"]["mini.plt_gte"]["citation"] = "nowhere"
    with pytest.raises(PackError, match="parameter mini.plt_gte: citation"):
        load_pack_file(_write(tmp_path, pack))


def test_rule_naming_an_unknown_input(tmp_path: Path):
    pack = _mini()
    _rules(pack)[0]["when"] = [{"platelet": {"gte": 100}}]
    with pytest.raises(PackError, match="unknown input 'platelet'"):
        load_pack_file(_write(tmp_path, pack))


def test_rule_naming_an_unknown_parameter(tmp_path: Path):
    pack = _mini()
    _rules(pack)[0]["when"] = [{"platelets": {"gte": "$mini.plt_threshold"}}]
    with pytest.raises(PackError, match=r"unknown parameter \$mini.plt_threshold"):
        load_pack_file(_write(tmp_path, pack))


def test_rule_with_no_conditions(tmp_path: Path):
    pack = _mini()
    _rules(pack)[0]["when"] = []
    with pytest.raises(PackError, match="no conditions"):
        load_pack_file(_write(tmp_path, pack))


def test_rule_with_an_unknown_operator(tmp_path: Path):
    pack = _mini()
    _rules(pack)[0]["when"] = [{"platelets": {"ge": 100}}]
    with pytest.raises(PackError, match="unknown operator 'ge'"):
        load_pack_file(_write(tmp_path, pack))


def test_condition_with_two_inputs_in_one_item(tmp_path: Path):
    pack = _mini()
    _rules(pack)[0]["when"] = [{"platelets": {"gte": 100}, "fibrinogen": {"gte": 1}}]
    with pytest.raises(PackError, match="exactly one input"):
        load_pack_file(_write(tmp_path, pack))


def test_duplicate_rule_id(tmp_path: Path):
    pack = _mini()
    _rules(pack)[1]["id"] = "mini.plt.0"
    with pytest.raises(PackError, match="used twice"):
        load_pack_file(_write(tmp_path, pack))


def test_component_band_without_a_value(tmp_path: Path):
    pack = _mini()
    del _rules(pack)[1]["value"]
    with pytest.raises(PackError, match="has no value"):
        load_pack_file(_write(tmp_path, pack))


def test_misspelled_key_is_refused_with_its_location(tmp_path: Path):
    pack = _mini()
    _rules(pack)[1]["citaton"] = _rules(pack)[1].pop("citation")
    with pytest.raises(PackError, match=r"mini\.yaml:\d+: components\.plt\.rules\.1"):
        load_pack_file(_write(tmp_path, pack))


def test_parameter_default_outside_its_choices(tmp_path: Path):
    pack = _mini()
    pack["parameters"]["mini.mode"] = {"default": "c", "choices": ["a", "b"], "doc": "d", "citation": "src"}
    with pytest.raises(PackError, match="not one of"):
        load_pack_file(_write(tmp_path, pack))


def test_prerequisite_must_be_a_component(tmp_path: Path):
    with pytest.raises(PackError, match="prerequisite"):
        load_pack_file(_write(tmp_path, _mini(prerequisite="underlying")))


def test_assessment_without_value_expression(tmp_path: Path):
    pack = _mini()
    del pack["value"]
    with pytest.raises(PackError, match="'value' expression"):
        load_pack_file(_write(tmp_path, pack))


def test_value_expression_naming_an_unknown_component_fails_before_evaluation(tmp_path: Path):
    """libraries.md: validate packs with cartguard's own schema before registering, since
    durable-rules' errors come late. A typo in the value expression must not wait for a patient."""
    with pytest.raises(PackError, match="pltt"):
        _packset(tmp_path, _mini(value={"sum": ["plt", "pltt"]}))


def test_input_with_an_unknown_reducer_fails_before_evaluation(tmp_path: Path):
    pack = _mini()
    pack["inputs"]["platelets"]["reduce"] = "lastest"
    with pytest.raises(PackError, match="lastest"):
        _packset(tmp_path, pack)


def test_top_level_must_be_a_mapping(tmp_path: Path):
    with pytest.raises(PackError, match="mapping"):
        load_pack_file(_write(tmp_path, "- just\n- a list\n"))


def test_invalid_yaml_names_file_and_line(tmp_path: Path):
    text = yaml.safe_dump(MINI, sort_keys=False).splitlines()
    bad_line = next(i for i, line in enumerate(text) if line.startswith("title:")) + 1
    text[bad_line - 1] = "title: [unclosed"
    path = _write(tmp_path, "\n".join(text) + "\n")
    with pytest.raises(PackError) as exc:
        load_pack_file(path)
    message = str(exc.value)
    assert "not valid YAML" in message
    line = int(message.split(f"{path}:")[1].split(":")[0])
    assert bad_line <= line <= bad_line + 1, message


def test_missing_pack_file(tmp_path: Path):
    with pytest.raises(PackError, match="cannot read"):
        load_pack_file(tmp_path / "nope.yaml")


# -- pack-set checks ------------------------------------------------------------------------------
def test_analyte_without_a_code_binding(tmp_path: Path):
    pack = _mini()
    pack["inputs"]["platelets"]["analytes"] = ["thrombocytes"]
    with pytest.raises(PackError, match="'thrombocytes' has no code binding"):
        _packset(tmp_path, pack)


def test_missing_requirement(tmp_path: Path):
    with pytest.raises(PackError, match="requires 'site.other'"):
        _packset(tmp_path, _mini(requires=["terminology.core", "site.other"]))


def test_requirement_cycle(tmp_path: Path):
    a = _mini(id="test.a", requires=["test.b", "terminology.core"])
    b = _mini(id="test.b", requires=["test.a"])
    b["parameters"] = {"mini.other": {"default": 1, "doc": "d", "citation": "src"}}
    with pytest.raises(PackError, match="cycle"):
        PackSet.from_paths([TERMINOLOGY, _write(tmp_path, a, "a.yaml"), _write(tmp_path, b, "b.yaml")])


def test_parameter_declared_by_two_packs(tmp_path: Path):
    a = _write(tmp_path, _mini(id="test.a"), "a.yaml")
    b = _write(tmp_path, _mini(id="test.b"), "b.yaml")
    with pytest.raises(PackError, match="declared by two packs"):
        PackSet.from_paths([TERMINOLOGY, a, b])


def test_enabled_when_naming_an_unknown_parameter(tmp_path: Path):
    pack = _mini()
    _rules(pack)[0]["enabled_when"] = {"param": "mini.nope"}
    with pytest.raises(PackError, match="mini.nope"):
        _packset(tmp_path, pack)


def test_category_outside_the_value_set(tmp_path: Path):
    pack = _mini(inputs={"dev": {"reduce": "o2_device", "window_hours": 12, "assume_when_absent": "room_air"}},
                 components={"hyp": {"title": "H", "rules": [
                     {"id": "h.0", "when": [{"dev": {"in": ["room_air"]}}], "value": 0, "citation": "src"},
                     {"id": "h.2", "when": [{"dev": {"in": ["nasal_canula"]}}], "value": 2, "citation": "src"}]}},
                 value={"sum": ["hyp"]})
    pack["parameters"] = {}
    with pytest.raises(PackError, match="nasal_canula"):
        _packset(tmp_path, pack)


# -- band defects show at evaluation as EngineError, never as a coin toss -------------------------
def test_overlapping_bands_are_an_engine_error(tmp_path: Path):
    pack = _mini()
    _rules(pack)[1]["when"] = [{"platelets": {"gte": 50}}]  # >= 50 -> 1 overlaps >= 100 -> 0
    ps = _packset(tmp_path, pack)
    assert _score(ps, 70).value == 1.0  # only one band true: fine
    with pytest.raises(EngineError, match="overlapping bands"):
        _score(ps, 150)


def test_a_gap_between_bands_is_an_engine_error(tmp_path: Path):
    pack = _mini()
    _rules(pack)[1]["when"] = [{"platelets": {"lt": 50}}]  # nothing covers 50 <= x < 100
    ps = _packset(tmp_path, pack)
    assert _score(ps, 20).value == 1.0 and _score(ps, 120).value == 0.0
    with pytest.raises(EngineError, match="gap"):
        _score(ps, 75)


def test_overlapping_interpretations_are_an_engine_error(tmp_path: Path):
    pack = _mini(interpretation=[
        {"id": "i.low", "when": [{"value": {"lte": 1}}], "citation": "src", "label": "low"},
        {"id": "i.high", "when": [{"value": {"gte": 1}}], "citation": "src", "label": "high"},
    ])
    ps = _packset(tmp_path, pack)
    assert _score(ps, 150).interpretation.id == "i.low"
    with pytest.raises(EngineError, match="overlap"):
        _score(ps, 20)


def test_an_unknown_input_gives_the_range_of_the_bands_still_possible(tmp_path: Path):
    ps = _packset(tmp_path, MINI)
    b = PatientBuilder("p1")
    a = evaluate_loaded(b.load(), Evaluator(ps, "both"), at=at_day(6))[0].assessments["test.mini"]
    assert (a.status, a.value, a.range) == ("indeterminate", None, (0.0, 1.0))
    assert [m.input for m in a.missing] == ["platelets"]


# -- provenance ------------------------------------------------------------------------------------
def test_content_hash_changes_when_the_file_changes(tmp_path: Path):
    path = _write(tmp_path, MINI)
    first = load_pack_file(path)
    assert load_pack_file(path).sha256 == first.sha256  # same bytes, same hash
    changed = _mini()
    _rules(changed)[0]["text"] = "Platelets fine"
    _write(tmp_path, changed)
    second = load_pack_file(path)
    assert second.sha256 != first.sha256
    assert len(second.sha256) == 64
    ps1 = PackSet([load_pack_file(TERMINOLOGY), first])
    ps2 = PackSet([load_pack_file(TERMINOLOGY), second])
    assert ps1.compiled["test.mini"].ruleset_name != ps2.compiled["test.mini"].ruleset_name


def test_results_carry_the_hash_of_the_pack_that_made_them(tmp_path: Path):
    ps = _packset(tmp_path, MINI)
    b = PatientBuilder("p1")
    b.observation("777-3", 42, "10*9/L", day=6, hour=6)
    res = evaluate_loaded(b.load(), Evaluator(ps, "both"), at=at_day(6))[0]
    info = {p.id: p for p in res.packs}
    assert info["test.mini"].sha256 == load_pack_file(tmp_path / "mini.yaml").sha256


def test_core_packs_are_valid_and_cite_everything_they_use():
    for path in CORE_PACK_FILES:
        lp = load_pack_file(path)
        for name, p in lp.pack.parameters.items():
            assert p.doc and p.citation.split("#")[0] in lp.pack.citations, name
    PackSet.from_paths(CORE_PACK_FILES)


# -- every pack error names the file and the line of what it is about ---------------------------
@pytest.mark.parametrize(("old", "new", "line_text"), [
    ('citation: "mdcalc"\n        text: "Platelets < 50', 'citation: "nosuch"\n        text: "Platelets < 50',
     "- id: dic.isth2001.platelets.2"),
    ("{platelets: {lt: $isth_overt.platelets_points1_gte}}]", "{platelts: {lt: $isth_overt.platelets_points1_gte}}]",
     "- id: dic.isth2001.platelets.2"),
    ("    reduce: ratio_to_uln\n    analytes: [fdp]", "    reduce: ratio_to_ul\n    analytes: [fdp]",
     "reduce: ratio_to_ul"),
    ("value: {sum: [platelets,", "value: {sum: [platelet,", "value: {sum: [platelet,"),
    ("kind: assessment", "kind: assesment", "kind: assesment"),
])
def test_pack_errors_name_file_and_line(tmp_path, old, new, line_text):
    src = ISTH_FILE.read_text()
    assert old in src
    broken = src.replace(old, new, 1)
    path = _write(tmp_path, broken, "isth.yaml")
    with pytest.raises(PackError) as info:
        load_pack_file(path)
    where = str(info.value).split(f"{path}:", 1)[1]
    line = int(where.split(":", 1)[0])
    assert broken.splitlines()[line - 1].strip().startswith(line_text), (line, str(info.value))


def test_an_interpretation_can_be_switched_by_a_parameter(tmp_path: Path):
    pack = _mini(
        parameters={**MINI["parameters"],
                    "mini.strict": {"default": False, "doc": "which threshold applies", "citation": "src"}},
        interpretation=[
            {"id": "mini.lenient.yes", "when": [{"value": {"gte": 1}}], "label": "yes", "citation": "src",
             "enabled_when": {"param": "mini.strict", "not": True}, "verdict": "positive"},
            {"id": "mini.lenient.no", "when": [{"value": {"lt": 1}}], "label": "no", "citation": "src",
             "enabled_when": {"param": "mini.strict", "not": True}, "verdict": "negative"},
            {"id": "mini.strict.no", "when": [{"value": {"gte": 0}}], "label": "never", "citation": "src",
             "enabled_when": {"param": "mini.strict"}, "verdict": "negative"},
        ])
    path = _write(tmp_path, pack)
    lenient = PackSet.from_paths([TERMINOLOGY, path])
    strict = PackSet.from_paths([TERMINOLOGY, path], overrides={"mini.strict": (True, "test")})
    a = _score(lenient, 42)
    assert (a.interpretation.id, a.interpretation.verdict) == ("mini.lenient.yes", "positive")
    assert _score(strict, 42).interpretation.id == "mini.strict.no"
