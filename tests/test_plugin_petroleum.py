"""The bundled petroleum plugin: its call-out Markdown extension and its course.

The first half tests ``kepu_petroleum.callouts`` on its own, with plain
``markdown.markdown(text, extensions=[...])``; the second half goes through the app and the
JSON API (``/api/v1/courses/petroleum/...``), with the plugin loaded through its entry point.
"""

from __future__ import annotations

import markdown
import pytest
from kepu_petroleum import COURSE_DIR
from kepu_petroleum.callouts import DEFAULT_TITLES, CalloutExtension


def render(text: str) -> str:
    return markdown.markdown(text, extensions=["tables", "sane_lists", CalloutExtension()])


# --- the Markdown extension on its own ------------------------------------------------


def test_callout_with_title_renders_contract_markup():
    html = render('!!! safety "实验安全"\n    只用**食用油**。')
    assert html.startswith('<div class="callout callout-safety">')
    assert '<p class="callout-title">实验安全</p>' in html
    assert "<p>只用<strong>食用油</strong>。</p>" in html
    assert html.rstrip().endswith("</div>")


@pytest.mark.parametrize("kind", ["fact", "safety", "tip", "think"])
def test_callout_without_title_gets_the_kinds_default(kind):
    html = render(f"!!! {kind}\n    正文")
    assert f'<div class="callout callout-{kind}">' in html
    assert f'<p class="callout-title">{DEFAULT_TITLES[kind]}</p>' in html
    assert DEFAULT_TITLES["fact"] == "知识卡"


def test_empty_title_falls_back_to_default_and_chinese_quotes_work():
    assert '<p class="callout-title">小贴士</p>' in render('!!! tip ""\n    x')
    assert '<p class="callout-title">想一想</p>' in render("!!! think “想一想”\n    x")


def test_callout_body_markdown_is_rendered_including_nested_lists():
    text = (
        '!!! fact "Facts"\n'
        "    Intro with **bold**.\n"
        "\n"
        "    - first\n"
        "    - second\n"
        "        - nested\n"
        "\n"
        "    Closing paragraph.\n"
    )
    html = render(text)
    assert html.count('<div class="callout callout-fact">') == 1
    box = html[html.index("<div") : html.rindex("</div>")]
    assert "<strong>bold</strong>" in box
    assert "<li>first</li>" in box
    assert box.count("<ul>") == 2  # the nested list is a list inside the box
    assert "<li>nested</li>" in box
    assert "<p>Closing paragraph.</p>" in box
    assert "<pre>" not in html  # the indented body is never taken for a code block


def test_unknown_kind_is_left_as_text():
    html = render('!!! danger "Careful"\n    body')
    assert "callout" not in html
    assert "!!! danger" in html
    assert "<p>" in html


def test_kind_is_case_sensitive():
    assert "callout" not in render("!!! FACT\n    body")


def test_following_unindented_paragraph_is_not_swallowed():
    for text in ('!!! tip "T"\n    inside\n\nOutside.', '!!! tip "T"\n    inside\nOutside.'):
        html = render(text)
        assert html.rstrip().endswith("<p>Outside.</p>")
        box = html[: html.index("</div>")]
        assert "Outside" not in box
        assert "<p>inside</p>" in box


def test_text_before_the_header_stays_a_paragraph_before_the_box():
    html = render("Before.\n!!! fact\n    inside")
    assert html.index("<p>Before.</p>") < html.index('<div class="callout callout-fact">')


def test_two_callouts_in_a_row_stay_separate():
    html = render('!!! fact "A"\n    a\n\n!!! tip "B"\n    b')
    assert html.count("<div") == 2
    assert html.index("callout-fact") < html.index("callout-tip")


def test_title_is_escaped():
    html = render('!!! fact "1 < 2 & 3"\n    x')
    assert '<p class="callout-title">1 &lt; 2 &amp; 3</p>' in html


def test_extension_instance_is_reusable_across_documents():
    ext = CalloutExtension()
    first = markdown.markdown("!!! fact\n    one", extensions=[ext])
    second = markdown.markdown("!!! think\n    two", extensions=[ext])
    assert "callout-fact" in first and "callout-think" not in first
    assert "callout-think" in second and "callout-fact" not in second


def test_every_lesson_uses_callouts_and_english_ones_have_explicit_titles():
    for lesson in sorted((COURSE_DIR / "lessons").glob("*.md")):
        text = lesson.read_text(encoding="utf-8")
        headers = [line for line in text.splitlines() if line.startswith("!!!")]
        assert headers, f"{lesson.name} has no call-out"
        if lesson.name.endswith(".en.md"):
            assert all('"' in h for h in headers), f"{lesson.name}: English call-out without title"


def test_every_callout_of_the_course_is_recognised():
    """A call-out header the extension does not match stays as literal "!!!" text on the page
    (as a title with escaped quotes, ``"Why \\"x\\""``, once did)."""
    problems = []
    for folder in ("lessons", "guides"):
        for file in sorted((COURSE_DIR / folder).glob("*.md")):
            html = render(file.read_text(encoding="utf-8").split("+++", 2)[2])
            if "!!!" in html:
                problems.append(f"{folder}/{file.name}")
    assert not problems, problems


# --- through the app ------------------------------------------------------------------


def test_hook_returns_an_extension_instance():
    import kepu_petroleum

    extensions = kepu_petroleum.kepu_markdown_extensions(None)
    assert len(extensions) == 1
    assert isinstance(extensions[0], markdown.Extension)


def test_course_is_served_with_lessons_over_all_three_grade_bands(client):
    listing = client.get("/api/v1/courses")
    assert listing.status_code == 200
    summary = next(c for c in listing.get_json() if c["id"] == "petroleum")
    assert set(summary["grades"]) == {"primary", "middle", "high"}
    assert summary["lessons"] >= 6

    detail = client.get("/api/v1/courses/petroleum")
    assert detail.status_code == 200
    lessons = detail.get_json()["lessons"]
    assert len(lessons) >= 6
    bands = {"primary": 0, "middle": 0, "high": 0}
    for item in lessons:
        response = client.get(f"/api/v1/courses/petroleum/lessons/{item['id']}")
        assert response.status_code == 200
        data = response.get_json()
        assert 30 <= data["minutes"] <= 45
        assert 3 <= len(data["sections"]) <= 6
        for grade in data["grades"]:
            bands[grade] += 1
    assert all(count >= 2 for count in bands.values()), bands


@pytest.mark.parametrize(
    ("lang", "title"), [("zh", "石油是恐龙变的吗？"), ("en", "Is oil made from dinosaurs?")]
)
def test_lesson_api_section_html_contains_the_callout(client, lang, title):
    response = client.get(f"/api/v1/courses/petroleum/lessons/oil-origin?lang={lang}")
    assert response.status_code == 200
    sections = response.get_json()["sections"]
    html = "".join(section["html"] for section in sections)
    assert '<div class="callout callout-fact">' in html
    assert f'<p class="callout-title">{title}</p>' in html
    assert '<div class="callout callout-safety">' in html
    assert "!!!" not in html  # every call-out in the lesson was recognised


def test_english_lesson_is_english(client):
    zh = client.get("/api/v1/courses/petroleum/lessons/karamay-black-oil?lang=zh").get_json()
    en = client.get("/api/v1/courses/petroleum/lessons/karamay-black-oil?lang=en").get_json()
    assert len(zh["sections"]) == len(en["sections"])
    assert en["title"] == "Black Oil Mountain and Karamay No. 1 Well"
    assert "29 October 1955" in "".join(s["html"] for s in en["sections"])


def test_lesson_images_point_at_the_course_media(client):
    data = client.get("/api/v1/courses/petroleum/lessons/finding-oil?lang=zh").get_json()
    html = "".join(section["html"] for section in data["sections"])
    assert "anticline-trap.svg" in html and "seismic-survey.svg" in html
    assert 'src="media/' not in html  # the core rewrote the relative links


def test_second_period_lesson_launches_with_its_guide_and_no_quiz(client, teacher):
    """oil-trap-lab is oil-origin's hands-on second period: the guide comes with it, no quiz."""
    response = client.post(
        "/api/v1/sessions",
        json={"course": "petroleum", "lesson": "oil-trap-lab"},
        headers={"Authorization": f"Bearer {teacher['token']}"},
    )
    assert response.status_code == 201, response.json
    state = response.json
    assert state["lesson"] == "oil-trap-lab" and state["quiz"] is None
    assert state["guides"] == ["oil-trap-model"]
    order = [item["id"] for item in client.get("/api/v1/courses/petroleum").get_json()["lessons"]]
    assert order[:2] == ["oil-origin", "oil-trap-lab"]
