"""Bad input to the student API: each a clear 4xx JSON error, and nothing stored."""

from __future__ import annotations

import json

import pytest

from tests.conftest import TEST_PLUGIN
from tests.student_support import change, launch, rows, seat


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


@pytest.fixture
def student(app, teacher):
    session = launch(app, teacher, lesson_id="water", pacing="self")
    return {**seat(app.test_client(), session["code"], "小明"), "session_row": session}


def nothing_stored(app):
    assert rows(app, "SELECT * FROM answers") == []
    assert rows(app, "SELECT * FROM guide_ticks") == []
    row = rows(app, "SELECT submitted_at, current_section FROM participants")[0]
    assert row == {"submitted_at": None, "current_section": 0}


def assert_error(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["message"] and isinstance(error["code"], str)
    if code:
        assert error["code"] == code


WRONG_TYPES = [
        ("q1", "0"), ("q1", 3), ("q1", -1), ("q1", 0.5), ("q1", True), ("q1", None), ("q1", [0]),
        ("q2", 0), ("q2", [0, 0]), ("q2", [5]), ("q2", ["a"]), ("q2", {"0": True}),
        ("q3", "true"), ("q3", 1), ("q3", None),
        ("q4", "abc"), ("q4", None), ("q4", [100]), ("q4", True), ("q4", ""),
        ("q5", 5), ("q5", ["冰"]), ("q5", "冰" * 1001),
        ("q6", ["冰", "水"]), ("q6", ["冰", "冰", "水"]), ("q6", "冰,水,水蒸气"), ("q6", [1, 2, 3]),
        ("q7", 3), ("q7", "a"),
        ("q8", "200"), ("q8", True), ("q8", None),
]  # fmt: skip


def test_wrong_types_are_400_for_every_question_type(app, student):
    client = app.test_client()
    for qid, response in WRONG_TYPES:
        put = client.put(
            f"/api/v1/me/answers/{qid}", json={"response": response}, headers=student["headers"]
        )
        assert_error(put, 400, "bad_response")
    nothing_stored(app)


def test_unknown_questions_are_404(app, student):
    client = app.test_client()
    for qid in ["q99", "Q1", "..", "q1%20", "' OR 1=1 --", "q1/x"]:
        put = client.put(
            f"/api/v1/me/answers/{qid}", json={"response": 0}, headers=student["headers"]
        )
        assert_error(put, 404)
    nothing_stored(app)


BAD_BODIES = [
    (b"", "application/json", 400),
    (b"not json", "application/json", 400),
    (b"[0]", "application/json", 400),
    (b'"x"', "application/json", 400),
    (b"{}", "application/json", 400),
    (b'{"answer": 0}', "application/json", 400),
    (json.dumps({"response": "x" * 70_000}).encode(), "application/json", 413),
    (b'{"response": [' + b"0," * 40_000 + b"0]}", "application/json", 413),
    (b'{"response": "x"}', "text/plain", None),
]


def test_malformed_and_huge_bodies(app, student):
    client = app.test_client()
    for body, content_type, status in BAD_BODIES:
        put = client.put(
            "/api/v1/me/answers/q6",
            data=body,
            headers={**student["headers"], "Content-Type": content_type},
        )
        assert_error(put, status or 400)
    nothing_stored(app)


def test_huge_bodies_everywhere(app, student):
    huge = json.dumps({"code": "1" * 70_000, "name": "x"})
    client = app.test_client()
    assert_error(client.post("/api/v1/join", data=huge, content_type="application/json"), 413)
    for url in ("/api/v1/me/section", "/api/v1/me/guides/ice-melt/steps/0"):
        put = client.put(url, data=huge, headers={**student["headers"],
                                                  "Content-Type": "application/json"})  # fmt: skip
        assert_error(put, 413)
    assert len(rows(app, "SELECT * FROM participants")) == 1
    nothing_stored(app)


def test_another_participants_token_reaches_only_its_own_seat(app, teacher, student):
    # A student of another class (another quiz) cannot write into this quiz's questions ...
    other_session = launch(app, teacher, "heiyoushan-trip", quiz_id="heiyoushan-trip-quiz")
    other = seat(app.test_client(), other_session["code"], "小明")
    client = app.test_client()
    # q8 is numeric in this class's quiz but a four-option question in the other one: the
    # other seat's answer is judged by its own quiz only.
    put = client.put("/api/v1/me/answers/q8", json={"response": 200}, headers=other["headers"])
    assert_error(put, 400, "bad_response")
    # ... and what it does write lands on its own seat only.
    ok = client.put("/api/v1/me/answers/q3", json={"response": False}, headers=other["headers"])
    assert ok.status_code == 200
    stored = rows(app, "SELECT participant_id FROM answers")
    assert stored == [{"participant_id": other["participant"]["id"]}]
    mine = client.get("/api/v1/me/quiz", headers=student["headers"]).get_json()
    assert all(q["response"] is None for q in mine["questions"])
    # A token that is not a participant's at all:
    for header in ("Bearer p_" + "A" * 32, "Bearer " + student["token"] + "x", "Basic abc"):
        put = client.put("/api/v1/me/answers/q1", json={"response": 0},
                         headers={"Authorization": header})  # fmt: skip
        assert put.status_code in (400, 401), header
        assert put.get_json()["error"]
    assert len(rows(app, "SELECT * FROM answers")) == 1


def test_a_closed_quiz_or_ended_session_stores_nothing(app, student):
    client = app.test_client()
    change(app, student["session_row"]["id"], quiz_open=False)
    put = client.put("/api/v1/me/answers/q1", json={"response": 0}, headers=student["headers"])
    assert_error(put, 409, "quiz_closed")
    change(app, student["session_row"]["id"], quiz_open=True, state="ended")
    put = client.put("/api/v1/me/answers/q1", json={"response": 0}, headers=student["headers"])
    assert_error(put, 409, "session_ended")
    assert_error(client.post("/api/v1/me/submit", headers=student["headers"]), 409)
    nothing_stored(app)


def test_methods_and_unknown_paths_are_json(app, student):
    client = app.test_client()
    # A wrong method gets a JSON error too (the API's catch-all answers 404).
    for response in (
        client.get("/api/v1/me/answers/q1", headers=student["headers"]),
        client.delete("/api/v1/me", headers=student["headers"]),
    ):
        assert response.status_code in (404, 405) and response.get_json()["error"]
    assert_error(client.get("/api/v1/me/nothing", headers=student["headers"]), 404)
    nothing_stored(app)
