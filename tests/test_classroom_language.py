"""The tablet's 中文 / English switch changes the course too, when the course has that version
(issue 12, item 8); answers keep meaning the same thing in either language."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PLUGIN
from tests.student_support import change, launch, rows, seat


@pytest.fixture
def app_config(app_config, tmp_path):
    # A school's own course with no English version, beside the test plugin's bilingual one.
    course = tmp_path / "content" / "only-zh"
    (course / "quizzes").mkdir(parents=True)
    (course / "course.toml").write_text(
        'id = "only-zh"\ntitle = "只有中文"\nlanguage = "zh"\ngrades = ["primary"]\n'
        'summary = "没有英文版。"\n',
        encoding="utf-8",
    )
    (course / "quizzes" / "q.toml").write_text(
        'id = "q"\ntitle = "小测"\n[[questions]]\nid = "a"\ntype = "text"\n'
        'prompt = "冰是什么？"\naccept = ["固体"]\n',
        encoding="utf-8",
    )
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN],
            "KEPU_CONTENT": str(tmp_path / "content")}  # fmt: skip


def test_english_on_the_tablet_shows_the_english_quiz_and_scores_the_same(app, client, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")
    me = seat(client, session["code"], "小明")
    client.set_cookie("lang", "en")
    page = client.get("/me").get_data(as_text=True)
    assert "What state is ice?" in page and "冰是什么状态？" not in page
    h = me["headers"]
    assert client.put("/api/v1/me/answers/q6", json={"response": ["ice", "water", "steam"]},
                      headers=h).status_code == 200  # fmt: skip
    assert (
        client.put("/api/v1/me/answers/q5", json={"response": "  冰 "}, headers=h).status_code
        == 200
    )
    stored = {r["question_id"]: r["response"] for r in rows(app, "SELECT * FROM answers")}
    # Stored in the session's language (the results page and CSV read one wording) and trimmed.
    assert stored["q6"] == '["冰", "水", "水蒸气"]' and stored["q5"] == '"冰"'
    quiz = client.get("/api/v1/me/quiz", headers=h).get_json()
    q6 = next(q for q in quiz["questions"] if q["id"] == "q6")
    assert q6["response"] == ["ice", "water", "steam"]
    assert client.post("/api/v1/me/submit", headers=h).status_code == 200
    change(app, session["id"], quiz_open=0)  # the review opens once the quiz is closed
    result = client.post("/api/v1/me/submit", headers=h).get_json()
    marks = {q["id"]: q["correct"] for q in result["questions"]}
    assert marks["q6"] is True and marks["q5"] is True
    review = client.get("/me").get_data(as_text=True)
    assert "ice → water → steam" in review


def test_english_on_a_course_without_english_says_so(app, client, teacher):
    session = launch(app, teacher, course="only-zh", quiz_id="q")
    seat(client, session["code"], "小明")
    client.set_cookie("lang", "en")
    page = client.get("/me").get_data(as_text=True)
    assert "冰是什么？" in page and "no English version yet" in page
    client.set_cookie("lang", "zh")
    assert "data-untranslated" not in client.get("/me").get_data(as_text=True)
