"""The ward-board figure (cartguard/course_figure.py) and ``cartguard timeline --format png``."""

from __future__ import annotations

import copy
import math
import struct
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from _cg import EXAMPLE
from click.testing import CliRunner
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from cartguard.cli import main
from cartguard.course_figure import (
    DPI,
    LAB_PANELS,
    LANES,
    PAGE_INCHES,
    chart_data,
    course_figure,
    display_name,
    figure_paths,
    positive_cutoff,
    scale_span,
    write_png,
)
from cartguard.errors import InputError
from cartguard.fhir_adapters.mapper import map_patient
from cartguard.testing.fhir import SCT, PatientBuilder
from cartguard.trajectory import trajectory_with_facts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DAY0 = datetime(2026, 3, 10, tzinfo=UTC)
"""00:00 of the example's (and the PatientBuilder's) day 0: x = 0 on the figure."""
TRANSFUSION_SITE_BINDING = {"systems": {"sct": SCT}, "procedures": {
    "cryoprecipitate_transfusion": {"codes": ["sct|180208003"], "classes": ["transfusion"]}}}


def _x(t: datetime) -> float:
    return (t - DAY0).total_seconds() / 86400


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def figure(example_course_facts, packset, example_input):
    traj, facts = example_course_facts
    return course_figure(traj, facts, packset=packset, patient_name=display_name(example_input.patients[traj.patient]))


def _axes(fig) -> dict:
    return {ax.get_label(): ax for ax in fig.axes}


def _by_gid(ax, gid: str) -> list:
    return [a for a in ax.get_children() if a.get_gid() == gid]


def _texts(ax) -> list[str]:
    legend = ax.get_legend()
    return [t.get_text() for t in ax.texts] + ([t.get_text() for t in legend.get_texts()] if legend else [])


# -- panels and the shared day axis ----------------------------------------------------------------
def test_the_figure_has_score_lab_and_treatment_panels(figure):
    assert [ax.get_label() for ax in figure.axes] == ["crs", "icans", "dic", *(p.key for p in LAB_PANELS),
                                                      "interventions"]
    axes = _axes(figure)
    assert "CRS grade (ASTCT 2019)" in axes["crs"].get_legend().get_title().get_text()
    assert "ISTH overt DIC score" in axes["dic"].get_legend().get_title().get_text()
    units = {key: axes[key].get_ylabel() for key in ("platelets", "fibrinogen", "d_dimer", "pt", "temperature")}
    assert "10⁹/L" in units["platelets"] and "g/L" in units["fibrinogen"] and "mg/L FEU" in units["d_dimer"]
    assert units["pt"].endswith("\ns") and "°C" in units["temperature"]
    texts = [t.get_text() for t in figure.texts]
    assert any("SYNTHETIC Example-Patient" in t and "Patient/cart-example-001" in t for t in texts)
    assert any("2026-03-10" in t for t in texts)
    assert any("not a prescription" in t.replace("\n", " ") for t in texts)
    assert any("No look-ahead" in t for t in texts)


def test_every_panel_shares_one_axis_in_days_from_infusion(figure, example_course_facts):
    traj, _ = example_course_facts
    first = figure.axes[0]
    for ax in figure.axes[1:]:
        assert first.get_shared_x_axes().joined(first, ax), ax.get_label()
        assert ax.get_xlim() == first.get_xlim()
    (crs,) = _by_gid(_axes(figure)["crs"], "score:crs.astct2019")
    xs = list(crs.get_xdata())[:-1]
    assert xs == pytest.approx([_x(p.at) for p in traj.points])  # a 20:00 point of day +1 sits at 1.83
    assert [p.infusion_day for p in traj.points] == [math.floor(x) for x in xs]
    grades = [p.assessments["crs.astct2019"].value for p in traj.points]
    assert list(crs.get_ydata())[:-1] == grades and max(grades) == 3
    infusion = [ln for ln in first.get_lines() if list(ln.get_xdata()) == [10 / 24, 10 / 24]]
    assert infusion, "the CAR-T infusion (day 0, 10:00) is marked"
    assert "day 0 = 2026-03-10" in figure.axes[-1].get_xlabel()


def test_onset_and_peak_are_annotated_from_the_summary(figure, example_course_facts):
    traj, _ = example_course_facts
    crs = _axes(figure)["crs"]
    s = traj.summaries["crs.astct2019"]
    assert "onset: day +1" in _texts(crs) and "peak 3: from day +5" in _texts(crs)
    (star,) = _by_gid(crs, "peak:crs.astct2019")
    assert star.get_offsets().tolist() == [[pytest.approx(_x(s.peak_at)), 3.0]]
    assert "peak 7, positive: from day +7" in _texts(_axes(figure)["dic"])
    assert "positive ≥ 5" in _texts(_axes(figure)["dic"])


# -- indeterminate points: a range, never a value ----------------------------------------------------
def test_the_indeterminate_icans_points_are_drawn_as_their_range(figure, example_course_facts):
    traj, _ = example_course_facts
    icans = _axes(figure)["icans"]
    undetermined = [p for p in traj.points if p.assessments["icans.astct2019"].status == "indeterminate"]
    assert len(undetermined) == 12
    (band,) = _by_gid(icans, "indeterminate:icans.astct2019")
    assert isinstance(band, Rectangle) and band.get_hatch() == "////"
    lo, hi = undetermined[0].assessments["icans.astct2019"].range
    assert (band.get_y(), band.get_y() + band.get_height()) == (lo, hi) == (0, 4)
    after = traj.points[len(undetermined)]  # the first graded point ends the band
    assert band.get_x() == pytest.approx(_x(undetermined[0].at))
    assert band.get_x() + band.get_width() == pytest.approx(_x(after.at))
    (line,) = _by_gid(icans, "score:icans.astct2019")
    assert all(math.isnan(y) for y in list(line.get_ydata())[:12]), "no value is drawn where it is indeterminate"
    assert "indeterminate (range hatched)" in _texts(icans)


def test_an_indeterminate_crs_grade_is_a_band_over_its_range(evaluator, packset):
    b = PatientBuilder("no-temp")
    for d in range(0, 4):
        b.blood_pressure(85 if d == 2 else 118, day=d, hour=8)  # hypotension on day +2, no temperature ever
    traj, facts = trajectory_with_facts(b.load(), evaluator)
    crs_points = [p.assessments["crs.astct2019"] for p in traj.points]
    assert any(a.status == "indeterminate" for a in crs_points)
    fig = course_figure(traj, facts, packset=packset)
    crs = _axes(fig)["crs"]
    bands = _by_gid(crs, "indeterminate:crs.astct2019")
    ranges = {(r.get_y(), r.get_y() + r.get_height()) for r in bands}
    assert ranges == {a.range for a in crs_points if a.status == "indeterminate"}
    (line,) = _by_gid(crs, "score:crs.astct2019")
    drawn = list(line.get_ydata())[:-1]
    for a, y in zip(crs_points, drawn, strict=True):
        assert math.isnan(y) if a.status == "indeterminate" else y == a.value


# -- treatments ------------------------------------------------------------------------------------------
def _marks(fig, lane: str) -> list:
    return _by_gid(_axes(fig)["interventions"], f"intervention:{lane}")


def test_each_treatment_of_the_example_is_marked(figure, example_course_facts):
    _, facts = example_course_facts
    lanes = _axes(figure)["interventions"]
    assert [t.get_text() for t in lanes.get_yticklabels()] == [lane.name for lane in reversed(LANES)]
    bars = _marks(figure, "vasopressors")
    assert len(bars) == 2 and all(isinstance(b, PolyCollection) for b in bars)
    norepinephrine = next(f for f in facts.facts if f.concept == "norepinephrine")
    starts = sorted(b.get_paths()[0].vertices[:, 0].min() for b in bars)
    assert starts[0] == pytest.approx(_x(norepinephrine.time))
    assert len(_marks(figure, "corticosteroids")) == sum(f.concept == "dexamethasone" for f in facts.facts) == 12
    doses = _marks(figure, "tocilizumab")
    assert len(doses) == 2 and all(isinstance(d, Line2D) for d in doses)  # 1 h infusions: single doses
    devices = [f for f in facts.facts if f.concept == "o2_device" and f.category != "room_air"]
    assert len(_marks(figure, "oxygen")) == len(devices) == 49
    legend = _texts(lanes)
    for entry in ("Vasopressors: norepinephrine", "Vasopressors: vasopressin", "Tocilizumab",
                  "Corticosteroids: dexamethasone", "low-flow O2 (nasal cannula, blow-by)", "high-flow O2 / mask",
                  "CAR-T infusion (first)", "560 mg"):
        assert any(entry in t for t in legend), entry
    assert not _marks(figure, "transfusions") and not _marks(figure, "anticoagulants")
    assert any("transfusion codes are site-specific" in t for t in legend)
    assert "none recorded" in legend


def test_a_site_transfusion_binding_puts_the_example_cryoprecipitate_on_the_figure(example_input, evaluator, packset):
    bindings = copy.deepcopy(packset.bindings)
    bindings.add_pack("site.test", TRANSFUSION_SITE_BINDING)
    pf = map_patient(example_input.patients["Patient/cart-example-001"], bindings, validate_resources="lazy")
    traj, facts = trajectory_with_facts(pf, evaluator)
    fig = course_figure(traj, facts, packset=packset)
    (cryo,) = _marks(fig, "transfusions")
    assert cryo.get_xdata()[0] == pytest.approx(7 + 10 / 24)  # day +7 10:00Z
    assert "Transfusions: cryoprecipitate transfusion" in _texts(_axes(fig)["interventions"])


def test_anticoagulants_running_periods_and_censored_labs(evaluator, packset):
    b = PatientBuilder("coag")
    b.medication("heparin", day=1, hour=8, until_day=3, until_hour=8)
    b.medication("norepinephrine", day=2, hour=6, in_progress=True)
    b.observation("777-3", 80, "10*9/L", day=0)
    b.observation("777-3", 10, "10*9/L", day=2, comparator="<")
    b.observation("8310-5", 37.0, "Cel", day=3, hour=20)
    traj, facts = trajectory_with_facts(b.load(), evaluator)
    fig = course_figure(traj, facts, packset=packset)
    (heparin,) = _marks(fig, "anticoagulants")
    xs = heparin.get_paths()[0].vertices[:, 0]
    assert (xs.min(), xs.max()) == (pytest.approx(1 + 8 / 24), pytest.approx(3 + 8 / 24))
    (pressor,) = _marks(fig, "vasopressors")  # in progress: a bar to the end of the data, with an arrow
    assert pressor.get_paths()[0].vertices[:, 0].max() == pytest.approx(_x(traj.end))
    assert "still running at the end" in _texts(_axes(fig)["interventions"])
    platelets = _axes(fig)["platelets"]
    (measured,) = _by_gid(platelets, "lab:platelets")
    assert list(measured.get_ydata()) == [80.0]
    (censored,) = _by_gid(platelets, "lab-censored:platelets")
    assert isinstance(censored, PathCollection) and censored.get_offsets().tolist() == [[pytest.approx(2 + 8 / 24),
                                                                                          10.0]]
    assert "below the bound shown" in _texts(platelets)
    assert "no results recorded" in _texts(_axes(fig)["fibrinogen"])


# -- labs as charted, thresholds from the packs, invalid resources left out -----------------------------------
def test_labs_are_the_charted_values_with_the_pack_thresholds(figure, example_course_facts, packset):
    _, facts = example_course_facts
    axes = _axes(figure)
    (line,) = _by_gid(axes["platelets"], "lab:platelets")
    charted = [f for f in facts.facts if f.concept == "platelets"]
    assert list(line.get_ydata()) == [f.value for f in charted]
    assert list(line.get_xdata()) == pytest.approx([_x(f.time) for f in charted])
    fever = packset.params["crs.fever_c_gte"]
    assert any(list(ln.get_ydata()) == [fever, fever] for ln in axes["temperature"].get_lines())
    assert "fever ≥ 38 °C" in _texts(axes["temperature"])
    assert {"ISTH: < 100 scores 1", "ISTH: < 50 scores 2"} <= set(_texts(axes["platelets"]))
    assert "ULN 13.5 (lab)" in _texts(axes["pt"]) and "ISTH: ≥ ULN + 3 s scores 1" in _texts(axes["pt"])


def test_scale_range_and_positive_cutoff_come_from_the_packs(packset):
    assert scale_span(packset, "crs.astct2019") == (0, 4)
    assert scale_span(packset, "dic.isth2001") == (0, 8)
    assert positive_cutoff(packset, "dic.isth2001") == packset.params["isth_overt.overt_total_gte"] == 5
    assert positive_cutoff(packset, "dic.cdss2017") is None  # 6 or 7 depending on the disease: no single line
    assert positive_cutoff(packset, "crs.astct2019") is None


def test_an_invalid_resource_is_not_drawn_and_is_named_once(evaluator, packset):
    b = PatientBuilder("p1")
    b.observation("777-3", 90, "10*9/L", day=1)
    bad_platelets = b.observation("777-3", 12, "10*9/L", day=2)  # the trajectory validates it (ISTH input)
    b.observation("5894-1", 1.1, "1", day=1)
    bad_ratio = b.observation("5894-1", 1.6, "1", day=2)  # no default scale reads the PT ratio: the figure does
    for bad in (bad_platelets, bad_ratio):
        bad["issued"] = "not a date"  # the mapper does not read it; FHIR validation rejects it
    traj, facts = trajectory_with_facts(b.load(), evaluator)
    data = chart_data(traj, facts, packset)
    assert [m.value for s in data.labs["platelets"] for m in s.points] == [90.0]
    assert [m.value for s in data.labs["pt"] for m in s.points] == [1.1]
    platelets_src, ratio_src = f"Observation/{bad_platelets['id']}", f"Observation/{bad_ratio['id']}"
    assert [w.source for w in traj.warnings if w.code == "invalid"] == [platelets_src]
    assert [w.source for w in data.left_out] == [ratio_src] and "not drawn" in data.left_out[0].message
    assert ratio_src in facts.unvalidated, "the caller's facts are left as they were"


def test_no_infusion_recorded_counts_days_from_the_first_data(evaluator, packset):
    b = PatientBuilder("no-cart", record_infusion=False)
    b.observation("8310-5", 38.5, "Cel", day=1, hour=12)
    b.observation("8310-5", 37.0, "Cel", day=2, hour=12)
    traj, facts = trajectory_with_facts(b.load(), evaluator)
    assert traj.infusion_date is None
    fig = course_figure(traj, facts, packset=packset)
    assert "day 0 unknown" in fig.axes[-1].get_xlabel()
    assert any("Day 0 unknown" in t.get_text() for t in fig.texts)


# -- files -----------------------------------------------------------------------------------------------
def test_write_png_is_an_a4_landscape_png_at_150_dpi(example_course_facts, packset, tmp_path):
    traj, facts = example_course_facts
    path = write_png(traj, facts, tmp_path / "course.png", packset=packset)
    width, height = _png_size(path.read_bytes())
    assert (width, height) == (int(PAGE_INCHES[0] * DPI), int(PAGE_INCHES[1] * DPI))
    assert width > height


def test_figure_paths_one_file_or_one_per_patient_with_safe_names(tmp_path):
    assert figure_paths(tmp_path / "a" / "x.png", ["Patient/p1"], "png") == {"Patient/p1": tmp_path / "a" / "x.png"}
    paths = figure_paths(tmp_path / "out", ["Patient/p1", "Patient/../../etc", "Patient/a b"], "html")
    assert paths["Patient/p1"] == tmp_path / "out" / "p1.html"
    for p in paths.values():
        assert p.parent == tmp_path / "out" and all(c.isalnum() or c in "._-" for c in p.name)
    assert len(set(paths.values())) == 3 and not paths["Patient/../../etc"].name.startswith(".")
    with pytest.raises(InputError, match="expected a folder for 2 patients"):
        figure_paths(tmp_path / "both.png", ["Patient/p1", "Patient/p2"], "png")


def test_cli_timeline_png_prints_the_course_and_writes_the_figure(tmp_path):
    out = tmp_path / "course.png"
    r = CliRunner().invoke(main, ["timeline", str(EXAMPLE), "--format", "png", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "onset:" in r.stdout and "peak:" in r.stdout and "no look-ahead" in r.stdout
    assert f"wrote {out}" in r.stderr
    assert _png_size(out.read_bytes()) == (int(PAGE_INCHES[0] * DPI), int(PAGE_INCHES[1] * DPI))
    missing = CliRunner().invoke(main, ["timeline", str(EXAMPLE), "--format", "png"])
    assert missing.exit_code == 2 and "--out" in missing.stderr


def test_cli_timeline_png_for_several_patients_writes_a_folder(tmp_path):
    folder = tmp_path / "cohort"
    bundle = tmp_path / "two.json"
    one, two = PatientBuilder("alpha"), PatientBuilder("beta")
    for b in (one, two):
        b.observation("8310-5", 38.4, "Cel", day=1, hour=12)
    entries = one.bundle()["entry"] + two.bundle()["entry"]
    bundle.write_bytes(orjson.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}))
    r = CliRunner().invoke(main, ["timeline", str(bundle), "--format", "png", "--out", str(folder)])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in folder.iterdir()) == ["alpha.png", "beta.png"]
    assert r.stdout.count("Decision support for clinicians") == 2


def test_the_first_data_time_is_the_left_edge(example_course_facts, packset):
    traj, facts = example_course_facts
    data = chart_data(traj, facts, packset)
    assert data.x_range[0] == pytest.approx(_x(min(traj.start, traj.points[0].at)))
    assert data.x_range[1] == pytest.approx(_x(traj.end))
    assert data.origin == DAY0 and data.infusion_x == pytest.approx(10 / 24)
    assert traj.start == DAY0 - timedelta(days=11) + timedelta(hours=6)
