"""The course page in a real browser: Debian's headless chromium, driven by Playwright.

The page ``cartguard timeline --format html`` writes for the example patient is opened from its
file, and the test checks what a person would see: the heading, the disclaimer, the summary rows
with the example's onsets and peaks, the figure drawn at a readable size, the day-by-day table -
and that opening it made no network request at all.

Without the browser the tests are skipped, unless ``CARTGUARD_REQUIRE_BROWSER=1`` (CI installs
chromium and sets it): then a missing browser is a failure, not a silent skip.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _cg import EXAMPLE
from click.testing import CliRunner
from PIL import Image

from cartguard.cli import main
from cartguard.course_figure import PAGE_INCHES
from cartguard.testing.fhir import PatientBuilder

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _unavailable(reason: str) -> None:
    if os.environ.get("CARTGUARD_REQUIRE_BROWSER") == "1":
        pytest.fail(f"CARTGUARD_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(f"{reason} (set CARTGUARD_REQUIRE_BROWSER=1 to make this a failure)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        _unavailable(f"Playwright is not installed ({exc})")
    if not CHROMIUM.exists():
        _unavailable(f"no browser at {CHROMIUM} (Debian: apt-get install chromium)")
    with sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000)
        except Error as exc:
            _unavailable(f"{CHROMIUM} does not start: {exc}")
        try:
            yield b
        finally:
            b.close()


def _write_page(source: Path, out: Path) -> Path:
    r = CliRunner().invoke(main, ["timeline", str(source), "--format", "html", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "onset:" in r.stdout  # the text course is printed as well
    return out


@pytest.fixture(scope="module")
def example_page(tmp_path_factory) -> Path:
    return _write_page(EXAMPLE, tmp_path_factory.mktemp("page") / "example.html")


def _open(browser: Any, path: Path) -> tuple[Any, list[str], list[str]]:
    """A new tab showing ``path``; every URL it requested and every dialog it tried to open."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri(), wait_until="load")
    return page, requests, dialogs


def _summary_cells(page: Any, title: str) -> list[str]:
    row = page.locator("#summary tbody tr").filter(has=page.locator("th", has_text=title))
    assert row.count() == 1 and row.is_visible(), title
    return [" ".join(t.split()) for t in row.locator("td").all_inner_texts()]


def test_a_person_sees_heading_disclaimer_and_summaries(browser, example_page):
    from playwright.sync_api import expect

    page, requests, dialogs = _open(browser, example_page)
    try:
        expect(page.locator("h1")).to_be_visible()
        expect(page.locator("h1")).to_have_text("CAR-T toxicity course: SYNTHETIC Example-Patient")
        expect(page.locator("#disclaimer")).to_be_visible()
        expect(page.locator("#disclaimer")).to_contain_text("not a prescription")
        header = [" ".join(t.split()) for t in page.locator("#summary thead th").all_inner_texts()]
        onset, peak = header.index("Onset") - 1, header.index("Peak") - 1  # the row header is a th
        crs = _summary_cells(page, "CRS grade (ASTCT 2019)")
        assert crs[onset].startswith("day +1") and crs[peak] == "3 from day +5"
        isth = _summary_cells(page, "ISTH overt DIC score")
        assert isth[peak] == "7, positive from day +7"
        icans = _summary_cells(page, "ICANS grade (ASTCT 2019)")
        assert icans[peak].startswith("2 from day +6")
        assert requests == [example_page.as_uri()], "opening the page made network requests"
        assert dialogs == []
    finally:
        page.close()


def test_the_figure_is_drawn_at_a_readable_size_and_the_table_is_complete(browser, example_page):
    from playwright.sync_api import expect

    page, requests, _ = _open(browser, example_page)
    try:
        figure = page.locator("figure#course-figure svg")
        figure.scroll_into_view_if_needed()
        expect(figure).to_be_visible()
        box = figure.bounding_box()
        assert box is not None and box["width"] >= 900 and box["height"] >= 600
        assert box["width"] / box["height"] == pytest.approx(PAGE_INCHES[0] / PAGE_INCHES[1], rel=0.02)
        band = page.locator('[id="indeterminate:icans.astct2019"]')  # the hatched ICANS range, days -11 to 0
        band_box = band.bounding_box()
        assert band_box is not None and band_box["width"] > box["width"] * 0.3
        drawn = Image.open(io.BytesIO(figure.screenshot())).convert("L")
        ink = sum(drawn.histogram()[:200]) / (drawn.width * drawn.height)  # share of pixels darker than 200/255
        assert 0.03 < ink < 0.6, f"figure looks blank or flooded ({ink:.1%} dark pixels)"
        rows = page.locator("#points tbody tr")
        assert rows.count() == 26
        day7 = rows.filter(has=page.locator("th", has_text="+7"))
        expect(day7).to_be_visible()
        expect(day7).to_contain_text("7, positive")
        expect(page.locator("#warnings li")).to_have_count(3)
        shot = Image.open(io.BytesIO(page.screenshot(full_page=True))).convert("RGB")
        assert shot.height > 2000 and len(shot.getcolors(maxcolors=1 << 20) or []) > 50, "blank page screenshot"
        assert requests == [example_page.as_uri()]
    finally:
        page.close()


def test_a_hostile_patient_name_is_shown_as_text_and_never_runs(browser, tmp_path):
    from playwright.sync_api import expect

    name = "<script>alert('name')</script><img src=x onerror=alert('img')>"
    b = PatientBuilder("p-hostile")
    b.resources[0]["name"] = [{"text": name}]
    b.observation("8310-5", 38.6, "Cel", day=1, hour=12)
    source = tmp_path / "hostile.json"
    source.write_bytes(b.bundle_bytes())
    page, requests, dialogs = _open(browser, _write_page(source, tmp_path / "hostile.html"))
    try:
        expect(page.locator("h1")).to_have_text(f"CAR-T toxicity course: {name}")
        assert page.locator("script").count() == 0 and page.locator("img").count() == 0
        assert dialogs == [] and requests == [(tmp_path / "hostile.html").as_uri()]
    finally:
        page.close()
