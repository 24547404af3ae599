"""The /me page: widgets per PLUGIN_API.md, the review after submitting, languages."""

from __future__ import annotations

import dataclasses
import html
import json
import re

import pytest

from tests.conftest import TEST_PLUGIN
from tests.student_support import change, launch, seat


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


def questions_on(page: str) -> dict[str, dict]:
    found = {}
    for attrs in re.findall(r'<div class="question" ([^>]*)>', page):
        question = json.loads(html.unescape(re.search(r"data-question='([^']*)'", attrs)[1]))
        found[question["id"]] = question
    return found


def test_every_question_is_a_div_with_its_public_dict(app, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")
    tablet = app.test_client()
    seat(tablet, session["code"], "小明")
    page = tablet.get("/me").get_data(as_text=True)
    on_page = questions_on(page)
    api = tablet.get("/api/v1/me/quiz", headers={}).get_json()  # the cookie reads too
    assert list(on_page) == [q["id"] for q in api["questions"]]
    for question in api["questions"]:
        question.pop("response")
        assert on_page[question["id"]] == question
    assert 'data-type="range"' in page and "<script>" not in page
    assert page.index("widgets.js") < page.index("tablet.js")


def test_a_plugin_widget_is_included_inside_its_question(app, teacher):
    if "program" not in app.extensions["kepu"].catalog.question_types:
        pytest.skip("the robotics plugin is not installed")
    session = launch(app, teacher, "robotics", quiz_id="robot-commands-quiz")
    tablet = app.test_client()
    seat(tablet, session["code"], "小明")
    page = tablet.get("/me").get_data(as_text=True)
    block = re.search(r'<div class="question"[^>]*data-type="program".*?</section>', page, re.S)[0]
    assert "kp-program" in block and "/x/robotics/static/program.js" in block


def test_a_broken_plugin_widget_falls_back_to_a_text_box(app, teacher):
    types = app.extensions["kepu"].catalog.question_types
    types["range"] = dataclasses.replace(types["range"], widget="no/such/widget.html")
    session = launch(app, teacher, quiz_id="water-quiz")
    tablet = app.test_client()
    seat(tablet, session["code"], "小明")
    response = tablet.get("/me")
    assert response.status_code == 200
    assert 'data-qid="q8"' in response.get_data(as_text=True)


def test_after_submitting_the_page_shows_the_score_and_the_review(app, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")
    tablet = app.test_client()
    student = seat(tablet, session["code"], "小明")
    tablet.put("/api/v1/me/answers/q1", json={"response": 0}, headers=student["headers"])
    tablet.post("/api/v1/me/submit", headers=student["headers"])
    page = tablet.get("/me").get_data(as_text=True)
    assert "data-result" in page and 'class="question"' not in page
    assert "1 分（满分 7 分）" in page and "冰是固态" not in page  # classmates still answer
    assert "老师关闭测验后" in page
    change(app, session["id"], quiz_open=0)
    assert "冰是固态" in tablet.get("/me").get_data(as_text=True)


def test_the_tablet_pages_speak_english_on_request(app, teacher):
    session = launch(app, teacher, lesson_id="water")
    tablet = app.test_client()
    assert "Join your class" in tablet.get("/j?lang=en").get_data(as_text=True)
    seat(tablet, session["code"], "Amy")
    page = tablet.get("/me?lang=en").get_data(as_text=True)
    assert "The quiz is not open yet" in page and "Hands-on" in page
    assert "测验还没开始" in tablet.get("/me?lang=zh").get_data(as_text=True)
