"""The tablet's poll: one query, and an ETag that survives a restart when nothing changed."""

from __future__ import annotations

import pytest

from kepu_server import create_app
from kepu_server.store.db import get_db
from tests.conftest import TEST_PLUGIN
from tests.student_support import change, launch, seat


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


def test_the_me_etag_survives_a_restart_when_nothing_changed(app, app_config, teacher):
    session = launch(app, teacher, lesson_id="water")
    tablet = seat(app.test_client(), session["code"], "小明")
    etag = app.test_client().get("/api/v1/me", headers=tablet["headers"]).headers["ETag"]
    restarted = create_app(app_config)  # the same instance and files, a new process's catalog
    again = restarted.test_client().get(
        "/api/v1/me", headers={**tablet["headers"], "If-None-Match": etag}
    )
    assert again.status_code == 304
    change(app, session["id"], current_section=1)  # a real change still sends the new state
    moved = restarted.test_client().get(
        "/api/v1/me", headers={**tablet["headers"], "If-None-Match": etag}
    )
    assert moved.status_code == 200 and moved.get_json()["current_section"] == 1


def test_an_unchanged_poll_is_one_query(app, teacher):
    session = launch(app, teacher, lesson_id="water")
    client = app.test_client()
    tablet = seat(client, session["code"], "小红")
    etag = client.get("/api/v1/me", headers=tablet["headers"]).headers["ETag"]
    with app.test_request_context():
        conn = get_db().conn  # this thread's connection, which the next request reuses
    statements = []
    conn.set_trace_callback(statements.append)
    try:
        response = client.get("/api/v1/me", headers={**tablet["headers"], "If-None-Match": etag})
    finally:
        conn.set_trace_callback(None)
    assert response.status_code == 304
    assert len(statements) == 1, statements


def test_the_poll_still_refuses_a_bad_or_missing_token(client):
    assert client.get("/api/v1/me").status_code == 401
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer p_not-a-real-seat"})
    assert bad.status_code == 401
