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
    headers = page.evaluate(
        """() => [...document.querySelectorAll('.prose table')].map(
            t => t.querySelector('tr').lastElementChild.textContent.trim())"""
    )
    text = re.sub(r"\s+", "", pdf_text(page, tmp_path / f"{guide}-{lang}.pdf"))
    # The rightmost column's heading reached the paper (a clipped table loses it first).
    missing = [w for header in headers for w in header.split() if w not in text]
    assert not missing, missing
    context.close()
