"""The student API after joining: /me polling, sections, quiz, answers, submit, ticks."""

from __future__ import annotations

import pytest

from kepu_server.quiz.scoring import score_response
from tests.conftest import TEST_PLUGIN
from tests.plugins import kepu_test_plugin
from tests.student_support import (
    WATER_RIGHT,
    WATER_WRONG,
    change,
    launch,
    rows,
    seat,
    stored_answers,
)


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


def test_me_follows_the_teacher_and_answers_304_when_nothing_changed(app, teacher):
    session = launch(app, teacher, lesson_id="water")
    student = seat(app.test_client(), session["code"], "小明")
    client = app.test_client()
    first = client.get("/api/v1/me", headers=student["headers"])
    assert first.status_code == 200
    state = first.get_json()
    assert state["course"]["title"] == "测试课程" and state["lesson"]["title"] == "水的三态"
    assert state["pacing"] == "teacher" and state["current_section"] == 0
    assert state["section"]["title"] == "一、冰" and "<mark>固态</mark>" in state["section"]["html"]
    assert state["quiz"] == {"id": "water-quiz", "title": "水的三态 · 测验", "questions": 8,
                             "open": False}  # fmt: skip
    assert state["quiz_open"] is False and state["submitted"] is False
    assert [s["title"] for s in state["guides"][0]["steps"]]
    etag = first.headers["ETag"]
    same = client.get("/api/v1/me", headers={**student["headers"], "If-None-Match": etag})
    assert same.status_code == 304 and same.get_data() == b""
    change(app, session["id"], current_section=2)
    moved = client.get("/api/v1/me", headers={**student["headers"], "If-None-Match": etag})
    assert moved.status_code == 200 and moved.headers["ETag"] != etag
    assert moved.get_json()["section"]["index"] == 2
    assert "<script" not in moved.get_json()["section"]["html"]
    assert moved.get_json()["version"] > state["version"]


def test_polling_does_not_write_on_every_request(app, teacher):
    session = launch(app, teacher, lesson_id="water")
    student = seat(app.test_client(), session["code"], "小明")
    client = app.test_client()
    old = "2020-01-01T00:00:00+00:00"
    from kepu_server.store.db import open_db

    db = open_db(app.config["KEPU_DATABASE"])
    db.execute("UPDATE participants SET last_seen_at = ?", [old])
    client.get("/api/v1/me", headers=student["headers"])
    seen = rows(app, "SELECT last_seen_at FROM participants")[0]["last_seen_at"]
    assert seen != old  # a stale seat is refreshed ...
    recent = seen
    for _ in range(5):
        client.get("/api/v1/me", headers=student["headers"])
    # ... but a recent one is not rewritten on every poll.
    assert rows(app, "SELECT last_seen_at FROM participants")[0]["last_seen_at"] == recent
    db.conn.close()


def test_self_paced_students_move_on_their_own(app, teacher):
    session = launch(app, teacher, lesson_id="water", pacing="self")
    student = seat(app.test_client(), session["code"], "小明")
    client = app.test_client()
    moved = client.put("/api/v1/me/section", json={"section": 1}, headers=student["headers"])
    assert moved.status_code == 200
    state = client.get("/api/v1/me", headers=student["headers"]).get_json()
    assert state["current_section"] == 1 and state["section"]["title"] == "二、水"
    assert state["quiz_open"] is True  # self-paced: the quiz is open from the start
    for bad in (-1, 3, "1", True, None):
        response = client.put(
            "/api/v1/me/section", json={"section": bad}, headers=student["headers"]
        )
        assert response.status_code == 400, bad
    assert rows(app, "SELECT current_section FROM participants")[0]["current_section"] == 1


def test_teacher_paced_students_cannot_move_the_page(app, teacher):
    session = launch(app, teacher, lesson_id="water")
    student = seat(app.test_client(), session["code"], "小明")
    response = app.test_client().put(
        "/api/v1/me/section", json={"section": 1}, headers=student["headers"]
    )
    assert response.status_code == 409


def test_the_quiz_opens_when_the_teacher_opens_it(app, teacher):
    session = launch(app, teacher, lesson_id="water")
    student = seat(app.test_client(), session["code"], "小明")
    client = app.test_client()
    closed = client.get("/api/v1/me/quiz", headers=student["headers"])
    assert closed.status_code == 409 and closed.get_json()["error"]["code"] == "quiz_closed"
    put = client.put("/api/v1/me/answers/q1", json={"response": 0}, headers=student["headers"])
    assert put.status_code == 409
    change(app, session["id"], quiz_open=True)
    quiz = client.get("/api/v1/me/quiz", headers=student["headers"]).get_json()
    assert quiz["id"] == "water-quiz" and len(quiz["questions"]) == 8
    assert [q["type"] for q in quiz["questions"]] == [
        "single", "multiple", "truefalse", "numeric", "text", "ordering", "poll", "range"
    ]  # fmt: skip
    assert all(q["response"] is None for q in quiz["questions"])
    assert quiz["questions"][3]["unit"] == "°C" and quiz["questions"][7]["unit"] == "mL"
    assert quiz["questions"][6]["points"] == 0


def test_answers_are_saved_last_write_wins_scored_on_the_server(app, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")
    student = seat(app.test_client(), session["code"], "小明")
    client = app.test_client()
    for answers in (WATER_WRONG, WATER_RIGHT):
        for qid, response in answers.items():
            put = client.put(
                f"/api/v1/me/answers/{qid}", json={"response": response}, headers=student["headers"]
            )
            assert put.status_code == 200, put.get_json()
            assert put.get_json()["saved"] is True
            assert set(put.get_json()) == {"question", "saved", "updated_at"}  # no score leak
    quiz = client.get("/api/v1/me/quiz", headers=student["headers"]).get_json()
    assert {q["id"]: q["response"] for q in quiz["questions"]} == WATER_RIGHT
    stored = rows(app, "SELECT * FROM answers ORDER BY question_id")
    assert len(stored) == 8
    catalog = app.extensions["kepu"].catalog
    questions = {q.id: q for q in catalog.course("test-course").quizzes["water-quiz"].questions}
    for row in stored:
        question = questions[row["question_id"]]
        expected = score_response(catalog.question_types[question.type], question,
                                  WATER_RIGHT[question.id])  # fmt: skip
        assert row["score"] == expected


@pytest.mark.parametrize("review", [True, False])
def test_submit_is_idempotent_and_reviews_only_when_allowed(app, teacher, review):
    session = launch(app, teacher, quiz_id="water-quiz", review=review)
    student = seat(app.test_client(), session["code"], "小明")
    client = app.test_client()
    answers = {**WATER_RIGHT, "q1": 2}  # one wrong
    for qid, response in answers.items():
        client.put(
            f"/api/v1/me/answers/{qid}", json={"response": response}, headers=student["headers"]
        )
    first = client.post("/api/v1/me/submit", headers=student["headers"])
    second = client.post("/api/v1/me/submit", headers=student["headers"])
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    body = first.get_json()
    assert body["score"] == 6 and body["max_score"] == 7
    assert "questions" not in body  # classmates may still be answering
    late = client.put("/api/v1/me/answers/q1", json={"response": 0}, headers=student["headers"])
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "already_submitted"
    if review:
        change(app, session["id"], quiz_open=0)  # the teacher closes the quiz: review opens
        body = client.post("/api/v1/me/submit", headers=student["headers"]).get_json()
        by_id = {q["id"]: q for q in body["questions"]}
        assert by_id["q1"]["correct"] is False and by_id["q2"]["correct"] is True
        assert by_id["q7"]["correct"] is None  # a poll has no right answer
        assert by_id["q1"]["explain"] == "<p>冰是固态。</p>"
    else:
        assert "questions" not in body and "explain" not in str(body)
    assert stored_answers(app)[(student["participant"]["id"], "q1")] == 2
    row = rows(app, "SELECT * FROM participants")[0]
    assert row["submitted_at"] and row["score"] == 6 and row["max_score"] == 7
    me = client.get("/api/v1/me", headers=student["headers"]).get_json()
    assert me["submitted"] is True and me["participant"]["score"] == 6


def test_ordering_items_are_shuffled_per_participant_never_in_order(app, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")
    orders = set()
    for i in range(8):
        student = seat(app.test_client(), session["code"], f"学生{i}")
        quiz = app.test_client().get("/api/v1/me/quiz", headers=student["headers"]).get_json()
        items = next(q["items"] for q in quiz["questions"] if q["type"] == "ordering")
        assert items != ["冰", "水", "水蒸气"] and sorted(items) == sorted(["冰", "水", "水蒸气"])
        again = app.test_client().get("/api/v1/me/quiz", headers=student["headers"]).get_json()
        assert next(q["items"] for q in again["questions"] if q["type"] == "ordering") == items
        orders.add(tuple(items))
    assert len(orders) > 1


def test_guide_steps_can_be_ticked_and_unticked(app, teacher):
    session = launch(app, teacher, lesson_id="water")
    student = seat(app.test_client(), session["code"], "小明")
    client = app.test_client()
    url = "/api/v1/me/guides/ice-melt/steps/0"
    assert client.put(url, json={"done": True}, headers=student["headers"]).status_code == 200
    etag = client.get("/api/v1/me", headers=student["headers"]).headers["ETag"]
    steps = client.get("/api/v1/me", headers=student["headers"]).get_json()["guides"][0]["steps"]
    assert steps[0]["done"] is True and not any(s["done"] for s in steps[1:])
    assert client.put(url, json={"done": False}, headers=student["headers"]).status_code == 200
    after = client.get("/api/v1/me", headers={**student["headers"], "If-None-Match": etag})
    assert after.status_code == 200 and after.get_json()["guides"][0]["steps"][0]["done"] is False
    assert client.put("/api/v1/me/guides/nope/steps/0", json={"done": True},
                      headers=student["headers"]).status_code == 404  # fmt: skip
    assert client.put("/api/v1/me/guides/ice-melt/steps/99", json={"done": True},
                      headers=student["headers"]).status_code == 404  # fmt: skip
    assert client.put(url, json={"done": "yes"}, headers=student["headers"]).status_code == 400
    assert rows(app, "SELECT guide_id, step, done FROM guide_ticks") == [
        {"guide_id": "ice-melt", "step": 0, "done": 0}
    ]


def test_events_are_sent_for_joined_answered_and_submitted(app, teacher):
    kepu_test_plugin.EVENTS.clear()
    session = launch(app, teacher, quiz_id="water-quiz")
    student = seat(app.test_client(), session["code"], "小明")
    client = app.test_client()
    client.put("/api/v1/me/answers/q1", json={"response": 0}, headers=student["headers"])
    client.post("/api/v1/me/submit", headers=student["headers"])
    client.post("/api/v1/me/submit", headers=student["headers"])
    kinds = [e["type"] for e in kepu_test_plugin.EVENTS if e["session"] == session["id"]]
    assert kinds == ["joined", "answered", "submitted"]


def test_credentials_are_checked(app, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")
    client = app.test_client()
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer p_forged"}).status_code == 401
    teacher_call = client.get("/api/v1/me", headers={"Authorization": f"Bearer {teacher['token']}"})
    assert teacher_call.status_code == 403
    student = seat(app.test_client(), session["code"], "小明")
    change(app, session["id"], state="ended")
    for method, url, body in [
        ("GET", "/api/v1/me", None), ("GET", "/api/v1/me/quiz", None),
        ("PUT", "/api/v1/me/answers/q1", {"response": 0}), ("POST", "/api/v1/me/submit", None),
        ("PUT", "/api/v1/me/guides/ice-melt/steps/0", {"done": True}),
    ]:  # fmt: skip
        response = client.open(url, method=method, json=body, headers=student["headers"])
        assert response.status_code == 409, url
        assert response.get_json()["error"]["code"] == "session_ended"
    assert rows(app, "SELECT * FROM answers") == []


def test_cookie_writes_are_refused_from_other_sites_and_as_forms(app, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")
    tablet = app.test_client()
    seat(tablet, session["code"], "小明")
    assert tablet.get("/api/v1/me").status_code == 200  # the cookie reads
    url = "/api/v1/me/answers/q1"
    forged = [
        tablet.put(url, json={"response": 0}, headers={"Origin": "http://evil.example"}),
        tablet.put(url, json={"response": 0}, headers={"Sec-Fetch-Site": "cross-site"}),
        # What a form on another site can send: not JSON, so it needs the CSRF token.
        tablet.put(url, data='{"response": 0}', content_type="text/plain"),
    ]
    for response in forged:
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "csrf_failed"
    assert rows(app, "SELECT * FROM answers") == []
    # DESIGN: the participant token may come as a cookie; a same-site JSON write is no form.
    own = tablet.put(url, json={"response": 0}, headers={"Sec-Fetch-Site": "same-origin"})
    assert own.status_code == 200, own.get_json()
    assert len(rows(app, "SELECT * FROM answers")) == 1


def test_openapi_documents_the_student_api(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, method in [
        ("/api/v1/join", "post"), ("/api/v1/me", "get"), ("/api/v1/me/quiz", "get"),
        ("/api/v1/me/answers/{question}", "put"), ("/api/v1/me/submit", "post"),
        ("/api/v1/me/section", "put"), ("/api/v1/me/guides/{guide}/steps/{step}", "put"),
    ]:  # fmt: skip
        assert method in paths[path], path
        assert paths[path][method]["summary"]
