"""Acceptance: a teacher writes a course in the browser, teaches it, exports it to a 2nd server.

Debian's chromium through Playwright, a real waitress server, real HTTP. The teacher creates a
course, a guide, a quiz with one question of each core type, a lesson with two sections and
an uploaded image; previews it; starts it in class; a tablet joins, sees it and answers; the
exported zip installs on a second server (another instance folder) and serves identically.
"""

from __future__ import annotations

import os
import struct
import zlib

import pytest
import requests

from kepu_server import create_app
from kepu_server.install import install

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


def tiny_png() -> bytes:
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\xff\x00\x00" * 2 + b"\x00" + b"\x00\x00\xff" * 2)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def saved(page, expect):
    """The save's own answer (not an earlier "image added"): the status says it is saved."""
    expect(page.locator(".save-bar .status.ok")).to_have_text("已保存。", timeout=10_000)


def test_teacher_authors_teaches_and_exports_a_course(browser, live_server, teacher, tmp_path):
    from playwright.sync_api import expect

    base = live_server.url
    errors = []
    desk = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = desk.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/login")
    page.fill("input[name=name]", teacher["name"])
    page.fill("input[name=password]", teacher["password"])
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}/teach/")
    page.click("a[href='/teach/author/']")

    new = page.locator("form[data-action=create-course]")
    new.locator("input[name=title]").fill("我们的水")
    new.locator("input[name=id]").fill("our-water")
    new.locator("textarea[name=summary]").fill("本校的课程")
    new.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/teach/author/our-water")
    settings = page.locator("form[data-action=save-course]")
    settings.locator("input[name=tr_title]").fill("Our water")
    settings.locator("button[type=submit]").click()
    saved(page, expect)

    # A guide: materials, safety, two steps.
    page.locator("form[data-kind=guides] input[name=id]").fill("rain-jar")
    page.locator("form[data-kind=guides] button").click()
    page.wait_for_url("**/guides/rain-jar")
    page.fill("input[name=title]", "瓶中下雨")
    page.fill("textarea[name=materials]", "玻璃瓶\n冰块")
    page.fill("textarea[name=safety]", "小心热水")
    page.fill("textarea[name=body]", "## 倒热水\n\n倒半瓶。\n\n## 放冰块\n\n观察。")
    page.click(".save-bar button[type=submit]")
    saved(page, expect)

    # A quiz with one question of each core type, through the form.
    page.goto(f"{base}/teach/author/our-water")
    page.locator("form[data-kind=quizzes] input[name=id]").fill("water-quiz")
    page.locator("form[data-kind=quizzes] button").click()
    page.wait_for_url("**/quizzes/water-quiz")
    page.fill("input[name=title]", "水的测验")
    for qtype in ("single", "multiple", "truefalse", "numeric", "text", "ordering", "poll"):
        page.select_option("#new-type", qtype)
        page.click("#add-question")
        block = page.locator(f".question[data-type={qtype}]")
        block.locator(".q-prompt").fill(f"{qtype}?")
        texts = block.locator(".opt-text")
        for index in range(texts.count()):
            texts.nth(index).fill(f"{qtype}-{index}")
        if qtype == "multiple":
            block.locator(".add-option").click()
            block.locator(".opt-text").nth(2).fill("multiple-2")
            block.locator(".opt-right").nth(0).check()
            block.locator(".opt-right").nth(2).check()
        if qtype == "numeric":
            block.locator(".q-answer").fill("9.8")
            block.locator(".q-tolerance").fill("0.1")
        if qtype == "text":
            block.locator(".q-accept").fill("H2O")
    # No right answer marked for the single choice: refused, and said at that question.
    page.click(".save-bar button[type=submit]")
    single = page.locator(".question[data-type=single]")
    expect(single.locator(".field-problem")).to_be_visible(timeout=10_000)
    single.locator(".opt-right").nth(1).check()
    page.click(".save-bar button[type=submit]")
    saved(page, expect)
    expect(single.locator(".field-problem")).to_have_count(0)

    # A lesson with two sections and an image, previewed by the server as it is typed.
    page.goto(f"{base}/teach/author/our-water")
    page.locator("form[data-kind=lessons] input[name=id]").fill("water-cycle")
    page.locator("form[data-kind=lessons] button").click()
    page.wait_for_url("**/lessons/water-cycle")
    page.fill("input[name=title]", "水的旅行")
    page.select_option("select[name=quiz]", "water-quiz")
    page.check("input[name=guides][value=rain-jar]")
    page.fill("textarea[name=body]", "## 一、蒸发\n\n水变成水蒸气。\n\n## 二、降雨\n\n云变成雨。\n")
    page.locator("input.md-image[data-target=body]").set_input_files(
        {"name": "cloud.png", "mimeType": "image/png", "buffer": tiny_png()}
    )
    expect(page.locator("textarea[name=body]")).to_have_value(
        __import__("re").compile(r"!\[cloud\]\(media/cloud\.png\)"), timeout=10_000
    )
    preview = page.locator("#body-preview")
    expect(preview.locator("section.preview-section h2")).to_have_count(2, timeout=10_000)
    expect(preview.locator("img[src='/courses/our-water/media/cloud.png']")).to_have_count(1)
    page.fill("input[name=tr_title]", "Water's journey")
    page.fill("textarea[name=tr_body]", "## Evaporation\n\nUp.\n\n## Rain\n\nDown.")
    page.click(".save-bar button[type=submit]")
    saved(page, expect)
    page.reload()
    assert page.get_attribute("html", "lang") == "zh-CN"  # writing a translation kept the UI

    # Preview as students see it, then start it in class.
    page.goto(f"{base}/courses/our-water/lessons/water-cycle")
    expect(page.locator("img[src='/courses/our-water/media/cloud.png']")).to_have_count(1)
    page.goto(f"{base}/teach/author/our-water")
    page.click("a[href='/teach/launch?course=our-water&lesson=water-cycle']")
    page.wait_for_url("**/teach/launch?*")
    assert page.locator(".launch-form select[name=language]").input_value() == "zh"
    page.click(".launch-form button[type=submit]")
    page.wait_for_url("**/teach/sessions/*/join")
    session_id = page.url.rstrip("/").split("/")[-2]
    code = page.text_content("#join-code").strip()

    tablet_ctx = browser.new_context(viewport={"width": 800, "height": 1280}, locale="zh-CN",
                                     has_touch=True)  # fmt: skip
    tablet = tablet_ctx.new_page()
    tablet.on("pageerror", lambda exc: errors.append(f"tablet: {exc}"))
    tablet.goto(f"{base}/j/{code}")
    tablet.fill("input[name=name]", "小明")
    tablet.click("form.join-form button[type=submit]")
    tablet.wait_for_url(f"{base}/me**")
    expect(tablet.locator("[data-section-title]")).to_have_text("一、蒸发", timeout=10_000)

    page.goto(f"{base}/teach/sessions/{session_id}")
    page.click("[data-action=open_quiz]")
    quiz_tab = tablet.locator("[data-tab=quiz]")
    expect(quiz_tab).to_be_visible(timeout=10_000)
    quiz_tab.click()
    right = tablet.locator(".w-single button.option[data-index='1']").first
    expect(right).to_be_visible(timeout=10_000)
    right.click()
    headers = {"Authorization": f"Bearer {teacher['token']}"}
    for _ in range(50):
        results = requests.get(f"{base}/api/v1/sessions/{session_id}/results", headers=headers,
                               timeout=5).json()  # fmt: skip
        answers = results["participants"][0]["answers"] if results["participants"] else {}
        if answers:
            break
        tablet.wait_for_timeout(100)
    assert list(answers.values()) == [1]

    # Export, and install the zip on a second server: it serves the course identically.
    export = page.request.get(f"{base}/api/v1/authoring/courses/our-water/export")
    assert export.status == 200
    archive = tmp_path / "our-water.zip"
    archive.write_bytes(export.body())
    second_instance = tmp_path / "second"
    second_instance.mkdir()
    second = create_app({"TESTING": True, "KEPU_INSTANCE": str(second_instance),
                         "KEPU_RELOAD_INTERVAL": 0})  # fmt: skip
    assert install(second, archive).action == "installed"
    other = second.test_client()
    for path in (
        "/api/v1/courses/our-water",
        "/api/v1/courses/our-water/lessons/water-cycle",
        "/api/v1/courses/our-water/lessons/water-cycle?lang=en",
        "/api/v1/courses/our-water/guides/rain-jar",
        "/courses/our-water/media/cloud.png",
    ):
        assert other.get(path).data == requests.get(base + path, timeout=5).content, path
    assert other.get("/api/v1/courses/our-water?lang=en").json["title"] == "Our water"
    token_quiz = "/api/v1/courses/our-water/quizzes/water-quiz"
    served = requests.get(base + token_quiz, headers=headers, timeout=5).json()
    assert [q["type"] for q in served["questions"]] == [
        "single", "multiple", "truefalse", "numeric", "text", "ordering", "poll"]  # fmt: skip
    assert not errors, errors
    tablet_ctx.close()
    desk.close()
