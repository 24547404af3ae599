"""A real tablet (Debian's chromium) answers through the answer lane (kepu_server/answer_lane.py).

The tablet script sends the seat's bearer token with the page's own cookies; its answers
must be saved in front of Flask (the view never runs) and scored as the view scores them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import copied_content_config
from tests.student_support import launch, rows, wait_for

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]


@pytest.fixture
def app_config(instance, tmp_path):
    return copied_content_config(instance, tmp_path)


def test_a_tablets_answers_go_through_the_lane(app, teacher, browser, live_server):
    runs: list = []
    view = app.view_functions["api_student.save_answer"]
    app.view_functions["api_student.save_answer"] = lambda **kw: runs.append(1) or view(**kw)
    session = launch(app, teacher, course="heiyoushan-trip", quiz_id="heiyoushan-trip-quiz")
    context = browser.new_context(viewport={"width": 800, "height": 1280}, locale="zh-CN",
                                  base_url=live_server.url)  # fmt: skip
    try:
        page = context.new_page()
        page.goto("/j")
        page.fill("input[name=code]", session["code"])
        page.fill("input[name=name]", "小明")
        page.click("form.join-form button[type=submit]")
        page.wait_for_url("**/me")
        page.locator('.question[data-qid="q1"] .option').nth(0).click()
        page.click('[data-goto="1"]')
        page.locator('.question[data-qid="q2"] input').fill("断层")
        page.locator('.question[data-qid="q2"] input').blur()
        found = wait_for(lambda: rows(app, "SELECT question_id, score FROM answers "
                                           "ORDER BY question_id") if len(rows(
                             app, "SELECT * FROM answers")) == 2 else None, what="two answers")  # fmt: skip
        page.wait_for_selector('[data-sync][data-state="saved"]')
        cookies = sorted(c["name"] for c in context.cookies())
    finally:
        context.close()
    assert [(r["question_id"], r["score"]) for r in found] == [("q1", 1.0), ("q2", 1.0)]
    assert runs == [], f"the answers went to Flask; the tablet's cookies: {cookies}"
