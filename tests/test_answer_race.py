"""The answer write re-checks the class inside its own transaction.

The view looks at the seat and its class before it scores the answer; the teacher can end
the class (or close the quiz) in between. ``participants.save_answer`` checks again under
``BEGIN IMMEDIATE``, so such an answer is refused and never stored. Here the teacher's end
lands exactly in that gap: the scorer, called between the two checks, ends the class through
its own connection to the same SQLite file.
"""

from __future__ import annotations

import pytest

from kepu_server.quiz import scoring
from kepu_server.views import seat_answers
from tests.conftest import TEST_PLUGIN
from tests.student_support import change, launch, rows, seat


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


@pytest.mark.parametrize(
    ("changes", "code"),
    [({"state": "ended", "quiz_open": 0}, "session_ended"), ({"quiz_open": 0}, "quiz_closed")],
)
def test_an_answer_racing_the_teacher_is_refused_and_not_stored(
    app, teacher, monkeypatch, changes, code
):
    session = launch(app, teacher, quiz_id="water-quiz")
    kid = seat(app.test_client(), session["code"], "小明")
    client = app.test_client()

    def score_then_teacher_acts(*args, **kwargs):
        points = scoring.score_response(*args, **kwargs)
        change(app, session["id"], **changes)  # another connection, committed at once
        return points

    monkeypatch.setattr(seat_answers, "score_response", score_then_teacher_acts)
    response = client.put("/api/v1/me/answers/q1", json={"response": 0}, headers=kid["headers"])
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == code
    assert rows(app, "SELECT * FROM answers") == []


def test_an_answer_racing_the_seats_own_hand_in_is_refused_and_not_stored(
    app, teacher, monkeypatch
):
    """The other tab of the same tablet hands the quiz in while this answer is scored."""
    session = launch(app, teacher, quiz_id="water-quiz")
    kid = seat(app.test_client(), session["code"], "小明")
    client = app.test_client()

    def score_then_hand_in(*args, **kwargs):
        points = scoring.score_response(*args, **kwargs)
        assert client.post("/api/v1/me/submit", headers=kid["headers"]).status_code == 200
        return points

    monkeypatch.setattr(seat_answers, "score_response", score_then_hand_in)
    response = client.put("/api/v1/me/answers/q1", json={"response": 0}, headers=kid["headers"])
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "already_submitted"
    assert rows(app, "SELECT * FROM answers") == []


def test_without_the_race_the_same_answer_is_stored(app, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")
    kid = seat(app.test_client(), session["code"], "小明")
    response = app.test_client().put(
        "/api/v1/me/answers/q1", json={"response": 0}, headers=kid["headers"]
    )
    assert response.status_code == 200
    assert [r["question_id"] for r in rows(app, "SELECT * FROM answers")] == ["q1"]
