"""The self-contained HTML page of a course (cartguard/course_page.py): structure, escaping, nothing external."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from _cg import EXAMPLE
from click.testing import CliRunner

from cartguard.cli import main
from cartguard.course_figure import display_name
from cartguard.course_page import course_page, point_cell, summary_row, write_html
from cartguard.testing.fhir import PatientBuilder
from cartguard.trajectory import PointAssessment, trajectory_with_facts

HOSTILE = "<script>alert('x')</script> & \"Robert'); DROP TABLE--\" $x^2$"
URL_ATTRIBUTES = {"src", "href", "xlink:href", "action", "formaction", "poster", "srcset", "data", "background",
                  "ping", "manifest", "cite", "longdesc"}


class Page(HTMLParser):
    """The parts of a page a test looks at: tags with attributes, the text of each element id, table cells."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []
        self.rows: dict[str, list[list[tuple[str, dict[str, str | None], str]]]] = {}
        self._table: str | None = None
        self._cell: tuple[str, dict[str, str | None], list[str]] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag in ("meta", "br", "img", "input", "link", "use", "path", "rect", "circle", "line"):
            return  # void (or typically self-closed in SVG): never pushed
        self._open.append((tag, a.get("id")))
        if tag == "table":
            self._table = a.get("id") or "?"
            self.rows[self._table] = []
        elif tag == "tr" and self._table:
            self.rows[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = (tag, a, [])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell and self._table:
            kind, attrs, text = self._cell
            self.rows[self._table][-1].append((kind, attrs, " ".join("".join(text).split())))
            self._cell = None
        if tag == "table":
            self._table = None
        while self._open:
            t, _ = self._open.pop()
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, element_id in self._open:
            if element_id:
                self.text_by_id[element_id] = self.text_by_id.get(element_id, "") + data
        if self._cell:
            self._cell[2].append(data)

    def text(self, element_id: str) -> str:
        return " ".join(self.text_by_id.get(element_id, "").split())


@pytest.fixture(scope="module")
def html(example_course_facts, packset, example_input):
    traj, facts = example_course_facts
    return course_page(traj, facts, packset=packset, patient_name=display_name(example_input.patients[traj.patient]))


@pytest.fixture(scope="module")
def page(html):
    return Page(html)


def _hostile_patient():
    b = PatientBuilder("p-hostile")
    b.resources[0]["name"] = [{"text": HOSTILE}]
    b.observation("8310-5", 38.6, "Cel", day=1, hour=12)
    b.observation("8310-5", 39.0, "Cel", day=2, hour=12, status="<img src=x onerror=alert(1)>")
    return b


# -- escaping ----------------------------------------------------------------------------------------------
def test_text_from_the_data_is_shown_as_text_never_as_markup(evaluator, packset):
    lr = _hostile_patient().load()
    traj, facts = trajectory_with_facts(lr, evaluator)
    name = display_name(lr.patients["Patient/p-hostile"])
    assert name == HOSTILE
    html = course_page(traj, facts, packset=packset, patient_name=name)
    assert "<script" not in html.lower() and "<img" not in html.lower()
    page = Page(html)
    assert not [t for t, _ in page.tags if t in ("script", "img", "iframe", "object", "embed")]
    assert page.text("page-title") == f"CAR-T toxicity course: {HOSTILE}"
    assert page.text("figure-svg-title") == f"Course figure of {HOSTILE}"
    assert "status '<img src=x onerror=alert(1)>'" in page.text("warnings")  # the bad status, shown as text


def test_no_external_resource_of_any_kind(html, page):
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            if name in URL_ATTRIBUTES and value is not None:
                assert value.startswith(("#", "data:")), (tag, name, value)
    assert not [t for t, _ in page.tags if t in ("script", "link", "iframe", "object", "embed", "img", "base")]
    csp = [a.get("content") or "" for t, a in page.tags if t == "meta" and a.get("http-equiv") ==
           "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]
    assert "@import" not in html and "url(http" not in html and "//fonts." not in html
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html and "<metadata>" not in html


# -- structure --------------------------------------------------------------------------------------------
def test_heading_disclaimer_and_no_look_ahead_note(page, example_course_facts):
    traj, _ = example_course_facts
    assert page.text("page-title") == "CAR-T toxicity course: SYNTHETIC Example-Patient"
    assert "Decision support for clinicians, not a prescription." in page.text("disclaimer")
    header = page.text("page-header")
    assert "day 0 (first CAR-T infusion): 2026-03-10 10:00 UTC" in header and traj.patient in header
    assert "No look-ahead" in header


def test_summary_table_one_row_per_scale_with_scoped_headers(page, example_course_facts):
    traj, _ = example_course_facts
    rows = page.rows["summary"]
    header = rows[0]
    assert all(kind == "th" and attrs.get("scope") == "col" for kind, attrs, _ in header)
    assert [text for *_, text in header] == ["Scale", "Threshold", "Onset", "Peak", "Duration at or above (h)",
                                              "Episodes", "Indeterminate days", "Possible earlier onset"]
    body = {r[0][2].split(" ")[0]: r for r in rows[1:]}
    assert all(r[0][0] == "th" and r[0][1].get("scope") == "row" for r in rows[1:])
    assert len(rows) - 1 == len(traj.scales)
    cells = {title: [text for *_, text in r] for title, r in body.items()}
    assert cells["CRS"][2].startswith("day +1") and cells["CRS"][3] == "3 from day +5"
    assert cells["ISTH"][3] == "7, positive from day +7"
    assert cells["ICANS"][3].startswith("2 from day +6") and cells["ICANS"][6] == "-11 to 0 (12 of 26 points)"
    assert cells["ICANS"][7] == "yes, from day -11" and cells["CRS"][4] == "240 h (10 d)"


def test_day_by_day_table_has_every_point_in_words(page, example_course_facts):
    traj, _ = example_course_facts
    rows = page.rows["points"]
    assert len(rows) - 1 == len(traj.points) == 26
    day_minus_11 = [text for *_, text in rows[1]]
    assert day_minus_11[0] == "-11"
    icans = traj.scales.index("icans.astct2019") + 3
    assert day_minus_11[icans] == "0-4 indeterminate; possibly at or above"
    day_7 = next([text for *_, text in r] for r in rows[1:] if r[0][2] == "+7")
    assert day_7[traj.scales.index("crs.astct2019") + 3] == "3 at or above"
    assert day_7[traj.scales.index("dic.isth2001") + 3] == "7, positive at or above"


def test_figure_is_an_inline_titled_svg(page, html):
    figure = [a for t, a in page.tags if t == "figure"]
    assert figure and figure[0].get("id") == "course-figure"
    svg = [a for t, a in page.tags if t == "svg"]
    assert len(svg) == 1 and svg[0].get("role") == "img" and "viewbox" in {k.lower() for k in svg[0]}
    assert "figure-svg-title" in (svg[0].get("aria-labelledby") or "")
    assert "CRS grade (ASTCT 2019): onset day +1, peak 3 from day +5" in page.text("figure-caption")
    assert 'id="indeterminate:icans.astct2019"' in html  # the hatched band, reachable in the DOM


def test_warnings_are_listed(page, example_course_facts):
    traj, _ = example_course_facts
    items = [t for t, _ in page.tags if t == "li"]
    assert len(items) == len(traj.warnings) == 3
    assert "cart-ex1-plt-error-p08-1400" in page.text("warnings")


def test_cells_and_summary_rows_in_words():
    graded = PointAssessment(value=2, range=(2, 2), status="graded", meets="yes")
    assert (point_cell(graded).value, point_cell(graded).state) == ("2", "at or above")
    na = PointAssessment(value=None, range=(0, 0), status="not_applicable", meets="no")
    assert point_cell(na).state == "not applicable" and point_cell(None).value == "-"


def test_summary_row_without_onset(example_course_facts):
    traj, _ = example_course_facts
    s = traj.summaries["dic.isth2001"].model_copy(update={"onset_at": None, "peak_value": None,
                                                          "possible_earlier_onset": False})
    row = summary_row(s)
    assert row["onset"] == "none" and row["peak"] == "none graded exactly" and row["earlier"] == "no"


# -- files and the command line -------------------------------------------------------------------------------
def test_write_html_is_utf8(example_course_facts, packset, tmp_path):
    traj, facts = example_course_facts
    path = write_html(traj, facts, tmp_path / "p.html", packset=packset, patient_name="Zoë – ≥")
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("<!doctype html>") and "Zoë – ≥" in text and '<meta charset="utf-8">' in text


def test_cli_timeline_html_prints_the_course_and_writes_the_page(tmp_path):
    out = tmp_path / "course.html"
    r = CliRunner().invoke(main, ["timeline", str(EXAMPLE), "--format", "html", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "onset:" in r.stdout and f"wrote {out}" in r.stderr
    page = Page(out.read_text(encoding="utf-8"))
    assert len(page.rows["points"]) == 27 and "SYNTHETIC Example-Patient" in " ".join(page.text_by_id.values())
    wrong = CliRunner().invoke(main, ["timeline", str(EXAMPLE), "--format", "json", "--out", str(out)])
    assert wrong.exit_code == 2 and "--out is for --format png or html" in wrong.stderr
