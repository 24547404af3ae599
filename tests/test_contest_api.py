"""The contest's API and pages through the app: bad input, refusals, the ETag, a teacher-closed
question, a lesson contest, the leaderboard, the launch form and the projector page."""

from __future__ import annotations

import re
import time

import pytest

from kepu_server.auth import create_api_token, create_user
from tests.conftest import TEST_PLUGIN
from tests.student_support import seat

COURSE, QUIZ, LESSON = "test-course", "water-quiz", "water"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def start(client, teacher, **body) -> dict:
    body = {"course": COURSE, "quiz": QUIZ, "mode": "contest", **body}
    response = client.post("/api/v1/sessions", json=body, headers=bearer(teacher["token"]))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def act(client, teacher, session, action):
    return client.post(f"/api/v1/sessions/{session['id']}/contest", json={"action": action},
                       headers=bearer(teacher["token"]))  # fmt: skip


@pytest.mark.parametrize("body", [
    {"seconds": -1}, {"seconds": "20"}, {"seconds": True}, {"seconds": 1.5},
    {"seconds": 100000}, {"leaderboard": "yes"}, {"mode": "race"},
    {"quiz": None, "guide": "ice-melt"}, {"mode": None, "seconds": 20},
])  # fmt: skip
def test_bad_launches_are_400_json(client, teacher, body):
    full = {"course": COURSE, "quiz": QUIZ, "mode": "contest", **body}
    full = {k: v for k, v in full.items() if v is not None}
    response = client.post("/api/v1/sessions", json=full, headers=bearer(teacher["token"]))
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["code"] == "bad_request"


def test_refusals(app, client, teacher, db):
    session = start(client, teacher)
    url = f"/api/v1/sessions/{session['id']}/contest"
    assert client.get(url).status_code == 401
    other = create_api_token(db, create_user(db, "teacher2", "another horse 2"))
    assert client.get(url, headers=bearer(other)).status_code == 404
    kid = seat(app.test_client(), session["code"], "Ana")
    assert client.post(url, json={"action": "next"}, headers=kid["headers"]).status_code == 403
    assert act(client, teacher, session, "jump").status_code == 400
    missing = client.post(url, json={}, headers=bearer(teacher["token"]))
    assert missing.status_code == 400
    assert act(client, teacher, session, "reveal").get_json()["error"]["code"] == (
        "contest_waiting")  # fmt: skip
    plain = client.post("/api/v1/sessions", json={"course": COURSE, "quiz": QUIZ},
                        headers=bearer(teacher["token"])).get_json()  # fmt: skip
    assert plain["mode"] == "normal"
    refused = client.get(f"/api/v1/sessions/{plain['id']}/contest",
                         headers=bearer(teacher["token"]))  # fmt: skip
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "not_contest"
    # During a contest a student can neither read the whole quiz nor hand in early.
    assert client.get("/api/v1/me/quiz", headers=kid["headers"]).status_code == 409
    early = client.post("/api/v1/me/submit", headers=kid["headers"])
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "contest_running"


def test_untimed_question_closes_when_the_teacher_says_and_the_etag_follows(app, client, teacher):
    session = start(client, teacher, seconds=0)
    kid = seat(app.test_client(), session["code"], "Ana")
    me = client.get("/api/v1/me", headers=kid["headers"])
    etags = [me.headers["ETag"]]
    assert me.get_json()["contest"]["state"] == "waiting"
    # Answering before the first question is open: 409.
    early = client.put("/api/v1/me/answers/q1", json={"response": 0}, headers=kid["headers"])
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "question_closed"

    opened = act(client, teacher, session, "next").get_json()
    assert opened["state"] == "open" and opened["deadline"] is None
    assert opened["seconds_left"] is None
    polled = client.get("/api/v1/me", headers={**kid["headers"], "If-None-Match": etags[-1]})
    assert polled.status_code == 200
    etags.append(polled.headers["ETag"])
    assert polled.get_json()["contest"]["question"]["id"] == "q1"
    assert "answer" not in polled.get_json()["contest"]["question"]
    # Unchanged: a cheap 304.
    same = client.get("/api/v1/me", headers={**kid["headers"], "If-None-Match": etags[-1]})
    assert same.status_code == 304
    # Only the open question takes answers.
    other = client.put("/api/v1/me/answers/q2", json={"response": [0]}, headers=kid["headers"])
    assert other.status_code == 409
    saved = client.put("/api/v1/me/answers/q1", json={"response": 0}, headers=kid["headers"])
    assert saved.status_code == 200
    mine = client.get("/api/v1/me", headers={**kid["headers"], "If-None-Match": etags[-1]})
    assert mine.status_code == 200 and mine.get_json()["contest"]["answered"] is True
    etags.append(mine.headers["ETag"])

    assert act(client, teacher, session, "close").get_json()["state"] == "closed"
    late = client.put("/api/v1/me/answers/q1", json={"response": 1}, headers=kid["headers"])
    assert late.status_code == 409
    closed = client.get("/api/v1/me", headers={**kid["headers"], "If-None-Match": etags[-1]})
    assert closed.status_code == 200 and "correct" not in closed.get_json()["contest"]
    etags.append(closed.headers["ETag"])
    revealed = act(client, teacher, session, "reveal").get_json()
    assert revealed["state"] == "revealed" and revealed["question"]["answer"] == 0
    assert "leaderboard" not in revealed  # off unless asked for
    seen = client.get("/api/v1/me", headers={**kid["headers"], "If-None-Match": etags[-1]})
    contest = seen.get_json()["contest"]
    assert contest["correct"] is True and contest["explain"]
    etags.append(seen.headers["ETag"])
    assert len(set(etags)) == len(etags)
    results = client.get(f"/api/v1/sessions/{session['id']}/results",
                         headers=bearer(teacher["token"])).get_json()  # fmt: skip
    assert results["participants"][0]["answers"] == {"q1": 0}


def test_the_etag_changes_when_the_deadline_passes(app, client, teacher):
    session = start(client, teacher, seconds=1)
    kid = seat(app.test_client(), session["code"], "Ana")
    act(client, teacher, session, "next")
    first = client.get("/api/v1/me", headers=kid["headers"])
    assert first.get_json()["contest"]["state"] == "open"
    time.sleep(1.1)
    after = client.get(
        "/api/v1/me", headers={**kid["headers"], "If-None-Match": first.headers["ETag"]}
    )
    assert after.status_code == 200 and after.get_json()["contest"]["state"] == "closed"
    assert after.get_json()["contest"]["seconds_left"] is None


def test_lesson_contest_with_leaderboard_finishes_and_hands_in(app, client, teacher):
    session = start(client, teacher, quiz=None, lesson=LESSON, seconds=0, leaderboard=True)
    assert session["quiz"] == QUIZ and session["mode"] == "contest"
    kids = [seat(app.test_client(), session["code"], name) for name in ("Ana", "Ben")]
    me = client.get("/api/v1/me", headers=kids[0]["headers"]).get_json()
    assert me["section"] is not None and me["quiz_open"] is False
    count = act(client, teacher, session, "next").get_json()["count"]
    client.put("/api/v1/me/answers/q1", json={"response": 0}, headers=kids[0]["headers"])
    client.put("/api/v1/me/answers/q1", json={"response": 2}, headers=kids[1]["headers"])
    board = act(client, teacher, session, "reveal").get_json()["leaderboard"]
    assert [e["name"] for e in board] == ["Ana", "Ben"] and board[0]["points"] == 1000
    for _ in range(count - 1):
        act(client, teacher, session, "next")
    finished = act(client, teacher, session, "next").get_json()
    assert finished["state"] == "finished"
    results = client.get(f"/api/v1/sessions/{session['id']}/results",
                         headers=bearer(teacher["token"])).get_json()  # fmt: skip
    assert [(p["name"], p["submitted"], p["score"]) for p in results["participants"]] == [
        ("Ana", True, 1.0), ("Ben", True, 0.0)]  # fmt: skip
    me = client.get("/api/v1/me", headers=kids[0]["headers"]).get_json()
    assert me["participant"]["submitted"] and me["contest"]["state"] == "finished"


def test_openapi_describes_the_contest(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = spec["paths"]["/api/v1/sessions/{id}/contest"]
    assert set(operations) == {"get", "post"}
    launch = spec["paths"]["/api/v1/sessions"]["post"]["requestBody"]["content"]
    assert {"mode", "seconds", "leaderboard"} <= set(
        launch["application/json"]["schema"]["properties"])  # fmt: skip


def test_launch_form_and_projector_page(app, client, teacher):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    client.post("/login", data={"name": teacher["name"], "password": teacher["password"],
                                "csrf_token": token})  # fmt: skip
    page = client.get(f"/teach/launch?course={COURSE}&quiz={QUIZ}").get_data(as_text=True)
    assert 'value="contest"' in page and 'name="seconds" value="20"' in page
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post("/teach/launch", data={
        "csrf_token": csrf, "course": COURSE, "quiz": QUIZ, "pacing": "contest",
        "seconds": "15", "leaderboard": "1", "review": "1"})  # fmt: skip
    assert response.status_code == 302
    session_id = response.location.split("/")[3]
    state = client.get(f"/api/v1/sessions/{session_id}").get_json()
    assert state["mode"] == "contest"
    projector = client.get(f"/teach/sessions/{session_id}/contest")
    assert projector.status_code == 200 and b"data-contest-url" in projector.data
    # The no-script buttons are CSRF-checked forms.
    assert client.post(f"/teach/sessions/{session_id}/contest",
                       data={"action": "next"}).status_code == 400  # fmt: skip
    moved = client.post(f"/teach/sessions/{session_id}/contest",
                        data={"action": "next", "csrf_token": csrf})  # fmt: skip
    assert moved.status_code == 302
    contest = client.get(f"/api/v1/sessions/{session_id}/contest").get_json()
    assert contest["state"] == "open" and contest["seconds"] == 15
    bad = client.post("/teach/launch", data={
        "csrf_token": csrf, "course": COURSE, "quiz": QUIZ, "pacing": "contest",
        "seconds": "soon"})  # fmt: skip
    assert bad.status_code == 400
    anonymous = app.test_client().get(f"/teach/sessions/{session_id}/contest")
    assert anonymous.status_code in (302, 401)
