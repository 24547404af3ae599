"""Hostile request bodies: nested too deep to parse is a 400 JSON error, never a 500."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PLUGIN
from tests.student_support import join, launch, seat


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


def deep_array(depth: int) -> str:
    return "[" * depth + "]" * depth


def deep_in(field: str, depth: int, **others) -> str:
    head = "".join(f'"{k}": "{v}", ' for k, v in others.items())
    return "{" + head + f'"{field}": ' + deep_array(depth) + "}"


@pytest.mark.parametrize("depth", [5000, 900])
def test_deep_json_is_400_on_every_json_endpoint(app, teacher, depth):
    client = app.test_client()
    session = launch(app, teacher, quiz_id="water-quiz")
    student = seat(app.test_client(), session["code"], "小明")
    json_type = {"Content-Type": "application/json"}
    bearer = {"Authorization": f"Bearer {teacher['token']}", **json_type}
    pupil = {**student["headers"], **json_type}
    calls = [
        ("post", "/api/v1/join", deep_array(depth), json_type),
        ("post", "/api/v1/join", deep_in("name", depth, code=session["code"]), json_type),
        ("post", "/api/v1/sessions", deep_in("course", depth), bearer),
        ("put", "/api/v1/me/answers/q1", deep_in("response", depth), pupil),
        ("put", "/api/v1/me/section", deep_in("section", depth), pupil),
    ]
    for method, path, body, headers in calls:
        response = getattr(client, method)(path, data=body, headers=headers)
        assert response.status_code == 400, (path, response.status_code)
        assert response.get_json()["error"]["code"] == "bad_json"


def server_connection(app):
    """The connection the test client's requests use (one per server thread, store/db.py)."""
    from kepu_server.store.db import get_db

    with app.app_context():
        return get_db().conn


def test_full_disk_is_503_with_retry_after_then_recovers(app, teacher, caplog):
    session = launch(app, teacher, quiz_id="water-quiz")
    client = app.test_client()
    conn = server_connection(app)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full: no page more
    try:
        statuses = []
        for number in range(400):
            response = client.post(
                "/api/v1/join", json={"code": session["code"], "name": f"n{number}" * 8}
            )
            statuses.append(response.status_code)
            if response.status_code != 200:
                break
        assert statuses[-1] == 503, statuses[-5:]
        assert response.headers["Retry-After"]
        assert response.get_json()["error"]["code"] == "storage_unavailable"
    finally:
        conn.execute("PRAGMA max_page_count = 1073741823")
    again = client.post("/api/v1/join", json={"code": session["code"], "name": "after"})
    assert again.status_code == 200
    lines = [r for r in caplog.records if "database or disk is full" in r.getMessage()]
    assert lines and all(r.exc_info is None for r in lines)  # one line, no traceback


def test_locked_database_is_503_with_retry_after(app, teacher):
    from kepu_server.store.db import open_db

    session = launch(app, teacher, quiz_id="water-quiz")
    client = app.test_client()
    server_connection(app).execute("PRAGMA busy_timeout = 50")
    other = open_db(app.config["KEPU_DATABASE"])
    other.conn.execute("BEGIN IMMEDIATE")
    try:
        response = client.post("/api/v1/join", json={"code": session["code"], "name": "x"})
        assert response.status_code == 503
        assert response.headers["Retry-After"]
    finally:
        other.conn.execute("ROLLBACK")
        other.conn.close()
        server_connection(app).execute("PRAGMA busy_timeout = 10000")
    assert (
        client.post("/api/v1/join", json={"code": session["code"], "name": "x"}).status_code == 200
    )


@pytest.mark.parametrize(
    "look_alike", ["Alice", "ａｌｉｃｅ", "\u0430lice", "ALICE", " alice ", "\u0391lice"]
)
def test_look_alike_names_cannot_join_one_class_twice(app, teacher, look_alike):
    session = launch(app, teacher, quiz_id="water-quiz")
    assert join(app.test_client(), session["code"], "alice").status_code == 200
    second = join(app.test_client(), session["code"], look_alike)
    assert second.status_code == 409, look_alike
    assert second.get_json()["error"]["code"] == "name_taken"
    suggestion = second.get_json()["error"]["suggestion"]
    assert join(app.test_client(), session["code"], suggestion).status_code == 200


def test_different_names_still_join(app, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")
    for name in ("alice", "alicia", "小明", "小朋", "Bob"):
        assert join(app.test_client(), session["code"], name).status_code == 200
