"""Security review: Markdown from an untrusted content pack must not pin or crash the server.

Python-Markdown's link scanning is quadratic in the '[' of a paragraph, and deeply nested
lists overflow its recursion: both failed before the fix (a minute of CPU per request, a 500).
"""

from __future__ import annotations

import time

import pytest

from tests.test_install_packs import write_pack

SECTION = "## 一、陷阱\n{body}\n\n## 二、正常\n河流最后流进大海。[链接](media/river.svg)\n"


@pytest.fixture
def app_config(app_config, tmp_path):
    content = tmp_path / "content"
    folder = write_pack(content / "rivers")
    lesson = folder / "lessons" / "rivers.md"
    head, _body = lesson.read_text(encoding="utf-8").split("+++\n## ", 1)
    return {**app_config, "KEPU_CONTENT": str(content), "LESSON_FILE": str(lesson),
            "LESSON_HEAD": head + "+++\n"}  # fmt: skip


def write_lesson(app, body: str) -> None:
    with open(app.config["LESSON_FILE"], "w", encoding="utf-8") as out:
        out.write(app.config["LESSON_HEAD"] + SECTION.format(body=body))
    app.extensions["kepu"].refresh(force=True)


@pytest.mark.parametrize(
    "body",
    ["[a" * 20000, "[" * 20000 + "x" + "]" * 20000, "<http://" * 10000,
     "\n".join("    " * i + "- a" for i in range(300))],
    ids=["open-brackets", "nested-brackets", "autolinks", "deep-list"],
)  # fmt: skip
def test_regression_hostile_markdown_is_shown_as_text_quickly(app, client, body):
    write_lesson(app, body)
    started = time.perf_counter()
    page = client.get("/courses/rivers/lessons/rivers")
    api = client.get("/api/v1/courses/rivers/lessons/rivers")
    assert page.status_code == 200 and api.status_code == 200
    assert time.perf_counter() - started < 5
    sections = api.get_json()["sections"]
    assert "<script" not in sections[0]["html"]
    assert '<a href="/courses/rivers/media/river.svg"' in sections[1]["html"]


def test_plain_text_fallback_escapes_html(app, client):
    write_lesson(app, "<script>alert(1)</script>" + "<" * 3000)
    html = client.get("/api/v1/courses/rivers/lessons/rivers").get_json()["sections"][0]["html"]
    assert "<script" not in html and "&lt;script&gt;" in html


def test_pinyin_annotations_serve_in_every_course_and_stay_inert(app, client):
    # A school's course gets the core's ruby extension; an annotation cannot smuggle markup.
    write_lesson(app, "{烃|tīng}。{<script>alert(1)</script>|x}{y|<img src=x onerror=alert(1)>}")
    html = client.get("/api/v1/courses/rivers/lessons/rivers").get_json()["sections"][0]["html"]
    assert "<ruby>烃<rp>(</rp><rt>tīng</rt><rp>)</rp></ruby>" in html
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
