"""The petroleum course's marking rubrics print whole on A4 (issue 15): the festival kit's and
the research project's rubric guides are Markdown tables, which the sanitiser keeps; on paper no
table may be cut off at the right edge (the screen style lets a wide table scroll sideways,
and paper cannot scroll), and the heading of every table's last column is in the PDF's text."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]
# A4 (210 mm) less the print style's 14 mm margins, at 96 CSS pixels to the inch.
A4_CONTENT_PX = round((210 - 2 * 14) / 25.4 * 96)
WIDE_HEADINGS = [
    "Station", "Judge", "Science accuracy", "Clear explanation", "Visitors do it",
    "Safety and tidiness", "Teamwork", "Total (20)", "One comment",
]  # fmt: skip
RUBRICS = [
    ("festival-rubric", "zh"),
    ("festival-rubric", "en"),
    ("research-project-rubric", "zh"),
    ("research-project-rubric", "en"),
]


def overflowing_tables(page) -> list[str]:
    """Tables wider than their box (clipped or scrolled) or than the page, under print media."""
    page.emulate_media(media="print")
    found = page.evaluate(
        """(width) => [...document.querySelectorAll('.prose table')].filter(t =>
            t.scrollWidth > t.clientWidth + 1 || t.getBoundingClientRect().right > width + 1
        ).map(t => t.querySelector('th') ? t.querySelector('th').textContent : '?')""",
        A4_CONTENT_PX,
    )
    page.emulate_media(media="null")
    return found


def pdf_text(page, path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("needs pdftotext (apt-get install poppler-utils)")
    page.pdf(path=str(path), format="A4", print_background=True)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


@pytest.mark.parametrize(("guide", "lang"), RUBRICS)
def test_rubric_tables_print_whole_on_a4(app, browser, live_server, tmp_path, guide, lang):
    context = browser.new_context(
        locale="zh-CN" if lang == "zh" else "en",
        base_url=live_server.url,
        viewport={"width": A4_CONTENT_PX, "height": 1000},
    )
    page = context.new_page()
    response = page.goto(f"/courses/petroleum/guides/{guide}?lang={lang}")
    assert response.status == 200
    tables = page.locator(".prose table")
    assert tables.count() >= 3  # the sanitiser kept the Markdown tables
    assert not overflowing_tables(page)
    # A wider table still prints whole: the print style lets cells wrap in a smaller font
    # instead of scrolling (kepu.css, @media print). These nine headings, an earlier score
    # sheet's, overflowed A4 under the screen style.
    page.evaluate(
        """(names) => { const t = document.createElement('table'); t.className = 'probe';
            t.innerHTML = '<tr>' + names.map(n => '<th>' + n + '</th>').join('') + '</tr>';
            document.querySelector('.prose').appendChild(t); }""",
        WIDE_HEADINGS,
    )
    assert not overflowing_tables(page)
    page.evaluate("() => document.querySelector('.probe').remove()")
    headers = page.evaluate(
        """() => [...document.querySelectorAll('.prose table')].map(
            t => t.querySelector('tr').lastElementChild.textContent.trim())"""
    )
    text = re.sub(r"\s+", "", pdf_text(page, tmp_path / f"{guide}-{lang}.pdf"))
    # The rightmost column's heading reached the paper (a clipped table loses it first).
    missing = [w for header in headers for w in header.split() if w not in text]
    assert not missing, missing
    context.close()


NEW_PAGES = [
    *(f"lessons/{name}" for name in ("science-festival", "refining", "refining-lab")),
    "lessons/research-project",
    *(f"guides/{name}" for name in ("festival-plan", "festival-rubric")),
    *(f"guides/{name}" for name in ("research-project-plan", "research-project-rubric")),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_festival_and_project_pages_pass_axe(browser, live_server, lang):
    """The kit's and the project's pages (tables, call-outs, links) on a portrait tablet."""
    from tests.test_browser_accessibility import AXE, violations

    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install --no-audit --no-fund)")
    source = AXE.read_text(encoding="utf-8")
    context = browser.new_context(
        viewport={"width": 800, "height": 1280}, locale="zh-CN" if lang == "zh" else "en-US",
        base_url=live_server.url,
    )  # fmt: skip
    page = context.new_page()
    found = []
    for path in NEW_PAGES:
        assert page.goto(f"/courses/petroleum/{path}?lang={lang}").status == 200
        found += violations(page, source)
    context.close()
    assert not found, "\n".join(found)
