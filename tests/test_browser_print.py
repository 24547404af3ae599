"""What teachers print, printed to PDF by Debian's chromium and read back with pdftotext
(poppler-utils): a lesson as a worksheet, a guide as a bench card, the join screen as a door
sign, results as a class list; no navigation or buttons on paper (issue 12, item 14)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import TEST_PLUGIN
from tests.student_support import WATER_RIGHT, launch, seat

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]
NAV_WORDS = ("退出登录", "我的课堂", "在课堂上开始", "结束这节课", "下载", "删除")


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


def pdf_text(page, tmp_path: Path, name: str) -> str:
    if not shutil.which("pdftotext"):
        import os

        if os.environ.get("CI"):
            pytest.fail("pdftotext is missing in CI; .ci/run installs poppler-utils")
        pytest.skip("needs pdftotext (apt-get install poppler-utils)")
    path = tmp_path / f"{name}.pdf"
    page.pdf(path=str(path), format="A4", print_background=True)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def dark_background_on_paper(page) -> list[str]:
    """Elements whose background prints darker than light grey, under print media."""
    page.emulate_media(media="print")
    dark = page.evaluate(
        """() => [...document.querySelectorAll('body *')].filter(n => {
            if (!n.getClientRects().length) return false;
            const m = getComputedStyle(n).backgroundColor.match(/\\d+(\\.\\d+)?/g);
            if (!m || (m.length > 3 && Number(m[3]) === 0)) return false;
            const [r, g, b] = m.map(Number);
            return (0.299 * r + 0.587 * g + 0.114 * b) < 160;
        }).map(n => n.tagName + '.' + n.className)"""
    )
    page.emulate_media(media="null")
    return dark


def test_what_teachers_print(app, browser, live_server, teacher, tmp_path):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=name]", teacher["name"])
    page.fill("input[name=password]", teacher["password"])
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/teach/")

    # The worksheet: every section, the quiz's questions and options, room to write; no keys.
    page.goto("/courses/test-course/lessons/water")
    text = pdf_text(page, tmp_path, "worksheet")
    for words in ("水的三态", "一、冰", "冰是什么状态？", "固态", "液态", "姓名", "( "):
        assert words in text, words
    assert "冰是固态。" not in text and "牛奶和雨水是液态。" not in text  # explanations
    assert not [w for w in NAV_WORDS if w in text]
    assert not dark_background_on_paper(page)
    # The same page on screen shows no worksheet, and without a teacher no questions at all.
    assert not page.locator(".worksheet").is_visible()
    anonymous = app.test_client().get("/courses/test-course/lessons/water").get_data(as_text=True)
    assert "worksheet-q" not in anonymous and "冰是什么状态？" not in anonymous

    # The bench card: materials, safety, steps with tick boxes.
    page.goto("/courses/test-course/guides/ice-melt")
    text = pdf_text(page, tmp_path, "bench")
    for words in ("冰块融化比赛", "冰块", "盘子", "别把冰块放进嘴里"):
        assert words in text, words
    assert re.search(r"☐\s+分组", text) and re.search(r"☐\s+观察", text)  # tick boxes
    assert not [w for w in NAV_WORDS if w in text]
    assert not dark_background_on_paper(page)

    # The door sign: the code, the QR code, the address.
    session = launch(app, teacher, quiz_id="water-quiz")
    student = seat(app.test_client(), session["code"], "小明")
    client = app.test_client()
    for qid, response in WATER_RIGHT.items():
        client.put(f"/api/v1/me/answers/{qid}", json={"response": response},
                   headers=student["headers"])  # fmt: skip
    client.post("/api/v1/me/submit", headers=student["headers"])
    page.goto(f"/teach/sessions/{session['id']}/join")
    text = pdf_text(page, tmp_path, "door")
    assert session["code"] in text and "/j" in text
    assert page.locator(".join-qr svg").count() == 1
    assert "实时看板" not in text and "成绩" not in text  # the class's tabs stay on screen
    assert not dark_background_on_paper(page)

    # The class list.
    page.goto(f"/teach/sessions/{session['id']}/results")
    text = pdf_text(page, tmp_path, "results")
    assert "小明" in text
    assert not [w for w in NAV_WORDS if w in text]
    assert not dark_background_on_paper(page)
    context.close()


def test_a_record_sheet_prints_with_room_to_write(browser, live_server, tmp_path):
    """The Karamay study-route worksheet is filled in by hand on site: on paper its tables
    span the page and every empty cell is a line's height to write in (issue 15)."""
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.goto("/courses/petroleum/guides/karamay-route-worksheet")
    text = pdf_text(page, tmp_path, "route-worksheet")
    for words in ("研学记录单", "急救包", "严禁烟火", "第二站：黑油山", "照片编号"):
        assert words in text, words
    assert re.search(r"☐\s+第四站：红山油田", text)
    assert not [w for w in NAV_WORDS if w in text]
    assert not dark_background_on_paper(page)
    page.emulate_media(media="print")
    cells = page.evaluate(
        """() => [...document.querySelectorAll('.guide .prose td:empty')].map(td => ({
            height: td.getBoundingClientRect().height,
            share: td.closest('table').getBoundingClientRect().width
                   / td.closest('.prose').getBoundingClientRect().width}))"""
    )
    assert len(cells) >= 20
    mm = 96 / 25.4  # CSS pixels per millimetre
    assert min(c["height"] for c in cells) >= 10 * mm, cells
    assert min(c["share"] for c in cells) > 0.95, cells
    context.close()
