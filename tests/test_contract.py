"""DESIGN.md's rules checked the way a client that knows only DESIGN.md would call the server."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PLUGIN

COURSE, LESSON, QUIZ = "heiyoushan-trip", "heiyoushan-trip", "heiyoushan-trip-quiz"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


@pytest.fixture
def open_session(client, teacher):
    response = client.post(
        "/api/v1/sessions", json={"course": COURSE, "quiz": QUIZ}, headers=bearer(teacher["token"])
    )
    assert response.status_code in (200, 201), response.json
    return response.json


def test_calls_without_credentials_get_401_even_without_a_csrf_token(app, teacher, open_session):
    """Nothing to forge without a sign-in: the answer is DESIGN's 401, not a CSRF refusal."""
    anonymous = app.test_client()
    sid = open_session["id"]
    calls = [
        ("POST", "/api/v1/sessions", {"course": COURSE, "lesson": LESSON}),
        ("PATCH", f"/api/v1/sessions/{sid}", {"current_section": 1}),
        ("POST", f"/api/v1/sessions/{sid}/end", None),
        ("DELETE", f"/api/v1/sessions/{sid}/results", None),
        ("PUT", "/api/v1/me/answers/q1", {"response": 0}),
        ("POST", "/api/v1/me/submit", None),
        ("GET", "/api/v1/me", None),
        ("GET", f"/api/v1/sessions/{sid}/results", None),
    ]
    for method, url, body in calls:
        response = anonymous.open(url, method=method, json=body)
        assert response.status_code == 401, (method, url, response.json)
        assert response.json["error"]["code"] == "unauthorized"
    state = app.test_client().get(f"/api/v1/sessions/{sid}", headers=bearer(teacher["token"]))
    assert state.json["state"] == "open" and state.json["version"] == open_session["version"]


def test_a_signed_in_cookie_still_needs_the_csrf_token(client, teacher, open_session):
    """The 401 shortcut above is only for requests with no sign-in cookie at all."""
    with client.session_transaction() as cookie_session:
        cookie_session["user_id"] = teacher["id"]
    response = client.post(f"/api/v1/sessions/{open_session['id']}/end")
    assert response.status_code == 400 and response.json["error"]["code"] == "csrf_failed"
