"""The tablet's unchanged poll answered in front of Flask (kepu_server/seat_lane.py).

A real waitress (``live_server``) on 127.0.0.1 and real HTTP on one keep-alive connection.
Flask's ``request_started`` signal counts the requests that entered Flask, so a test can
tell the lane's 304 (Flask never ran) from Flask's own.
"""

from __future__ import annotations

import http.client
import shutil
import time
from pathlib import Path

import pytest
from flask import request_started

from kepu_server.store.db import open_db
from tests.conftest import ROOT, TEST_PLUGIN
from tests.student_support import change, launch, seat

ME = "/api/v1/me"


@pytest.fixture
def app_config(instance, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    return {"TESTING": True, "KEPU_INSTANCE": str(instance), "KEPU_CONTENT": str(content),
            "KEPU_RELOAD_INTERVAL": None, "KEPU_LOAD_ENTRY_POINTS": False,
            "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}  # fmt: skip


@pytest.fixture
def flask_runs(app):
    """How many requests entered Flask."""
    runs: list = []

    def count(sender, **extra):
        runs.append(1)

    request_started.connect(count, app)
    yield runs
    request_started.disconnect(count, app)


class Tablet:
    """One keep-alive HTTP connection, polling as the tablet script does."""

    def __init__(self, live, headers: dict):
        self.conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=10)
        self.headers = headers

    def poll(self, etag: str | None = None, path: str = ME, **extra):
        headers = {**self.headers, **extra}
        if etag is not None:
            headers["If-None-Match"] = etag
        self.conn.request("GET", path, headers=headers)
        response = self.conn.getresponse()
        body = response.read()
        kept = sorted((k, v) for k, v in response.getheaders() if k != "Date")
        return response, kept, body

    def send(self, method: str, path: str, body: bytes = b"{}"):
        self.conn.request(method, path, body=body,
                          headers={**self.headers, "Content-Type": "application/json"})  # fmt: skip
        response = self.conn.getresponse()
        response.read()
        return response.status


@pytest.fixture
def session(app, teacher):
    return launch(app, teacher, lesson_id="water")  # its quiz and its guide


@pytest.fixture
def seat_token(app, session):
    return seat(app.test_client(), session["code"], "小明")["token"]


@pytest.fixture
def tablet(live_server, seat_token):
    client = Tablet(live_server, {"Authorization": f"Bearer {seat_token}"})
    yield client
    client.conn.close()


def etag_of(headers) -> str:
    return dict(headers)["Etag"]


def sql(app, statement: str, params=()):
    db = open_db(app.config["KEPU_DATABASE"])
    try:
        return [dict(row) for row in db.query(statement, list(params))] if statement.startswith(
            "SELECT") else db.execute(statement, list(params))  # fmt: skip
    finally:
        db.conn.close()


@pytest.mark.parametrize("by_cookie", [False, True])
def test_the_lanes_304_is_flasks_304(app, live_server, seat_token, flask_runs, by_cookie):
    headers = ({"Cookie": f"kepu_participant={seat_token}; lang=en"} if by_cookie
               else {"Authorization": f"Bearer {seat_token}"})  # fmt: skip
    tablet = Tablet(live_server, headers)
    first, headers_200, _ = tablet.poll()
    assert first.status == 200
    etag = etag_of(headers_200)
    flask_runs.clear()
    lane, lane_headers, body = tablet.poll(etag)
    assert lane.status == 304 and body == b"" and flask_runs == []  # Flask never ran
    app.config["KEPU_SEAT_LANE"] = False
    flask, flask_headers, _ = tablet.poll(etag)
    assert flask.status == 304 and flask_runs == [1]
    assert lane_headers == flask_headers
    assert {"Etag", "Cache-Control", "Vary", "Content-Security-Policy",
            "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"} <= dict(lane_headers).keys()  # fmt: skip
    # The connection stays open after the lane's 304: the next polls use the same socket.
    app.config["KEPU_SEAT_LANE"] = True
    sock = tablet.conn.sock
    for _ in range(3):
        response, _, _ = tablet.poll(etag)
        assert response.status == 304 and not response.will_close
    assert tablet.conn.sock is sock and flask_runs == [1]
    tablet.conn.close()


def test_a_changed_state_gets_flasks_200_with_a_new_etag(app, session, tablet, flask_runs):
    etags = [etag_of(tablet.poll()[1])]

    def changed():
        flask_runs.clear()
        response, headers, body = tablet.poll(etags[-1])
        assert response.status == 200 and flask_runs == [1], body
        assert etag_of(headers) not in etags
        etags.append(etag_of(headers))
        again, _, _ = tablet.poll(etags[-1])  # and unchanged again: the lane's 304
        assert again.status == 304 and flask_runs == [1]

    change(app, session["id"], current_section=1)  # the teacher moves the class on
    changed()
    assert tablet.send("PUT", "/api/v1/me/guides/ice-melt/steps/0", b'{"done": true}') == 200
    changed()
    change(app, session["id"], quiz_open=True)
    changed()
    assert tablet.send("POST", "/api/v1/me/submit") == 200
    changed()
    page = next(Path(app.config["KEPU_CONTENT"]).rglob("*.md"))  # any file of the catalog
    page.write_text(page.read_text(encoding="utf-8") + "\nchanged\n", encoding="utf-8")
    app.extensions["kepu"].refresh()  # a rebuilt catalog: a new content fingerprint
    changed()
    tablet.headers["Cookie"] = "lang=en"  # the tablet's 中文 / English switch
    changed()


def test_the_language_is_read_as_chosen_language_reads_it(tablet, flask_runs):
    plain = etag_of(tablet.poll()[1])
    english = etag_of(tablet.poll(Cookie="lang=en")[1])
    assert plain != english
    flask_runs.clear()
    assert tablet.poll(english, Cookie="lang=en-GB")[0].status == 304  # as requested_language
    assert tablet.poll(plain, Cookie="lang=xx")[0].status == 304  # not a UI language: none
    assert flask_runs == []
    # ?lang= is part of the key too; the lane leaves any query string to Flask.
    response, headers, _ = tablet.poll(english, path=f"{ME}?lang=en")
    assert response.status == 304 and flask_runs == [1]


def test_bad_foreign_and_ended_tokens_get_flasks_json_errors(app, session, tablet, teacher,
                                                            live_server, flask_runs):  # fmt: skip
    etag = etag_of(tablet.poll()[1])
    flask_runs.clear()
    for headers, status, code in (
        ({"Authorization": "Bearer p_not-a-real-seat"}, 401, "unauthorized"),
        ({"Authorization": "Bearer nonsense"}, 401, "unauthorized"),
        ({"Cookie": "kepu_participant=p_forged"}, 401, "unauthorized"),
        ({"Authorization": f"Bearer {teacher['token']}"}, 403, "forbidden"),
    ):
        other = Tablet(live_server, headers)
        response, _, body = other.poll(etag)
        assert response.status == status and code.encode() in body
        assert dict(response.getheaders())["Content-Type"] == "application/json"
        other.conn.close()
    assert len(flask_runs) == 4
    sql(app, "UPDATE class_sessions SET state = 'ended' WHERE id = ?", [session["id"]])
    response, _, body = tablet.poll(etag)  # the same ETag: the state is part of it anyway
    assert response.status == 409 and b"session_ended" in body and len(flask_runs) == 5


def test_a_session_or_unknown_cookie_goes_to_flask(tablet, flask_runs):
    etag = etag_of(tablet.poll()[1])
    flask_runs.clear()
    for cookie in ("kepu_session=a-teachers", "other=1", "kepu_device=abcdefghijklmnop"):
        assert tablet.poll(etag, Cookie=cookie)[0].status == 304
    assert flask_runs == [1, 1]  # a session (Flask may refresh it) or a stranger: Flask's


def test_a_tablet_that_joined_through_the_form_is_answered_by_the_lane(
    live_server, tablet, flask_runs
):
    """The join form leaves a session cookie (its CSRF token) on every real tablet; Flask
    only reads it, so the lane answers beside it (it would otherwise never serve a tablet)."""
    page = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=10)
    page.request("GET", "/j")
    reply = page.getresponse()
    reply.read()
    page.close()
    sent = [c.split(";", 1)[0] for c in reply.headers.get_all("Set-Cookie")]
    form_session = next(c for c in sent if c.startswith("kepu_session="))
    cookie = f"{form_session}; lang=zh"
    etag = etag_of(tablet.poll(Cookie=cookie)[1])
    flask_runs.clear()
    response, headers, _ = tablet.poll(etag, Cookie=cookie)
    assert response.status == 304 and flask_runs == []
    assert "Set-Cookie" not in headers


def test_another_seats_etag_is_not_this_seats(app, session, live_server, tablet, flask_runs):
    other_token = seat(app.test_client(), session["code"], "小红")["token"]
    other = Tablet(live_server, {"Authorization": f"Bearer {other_token}"})
    mine = etag_of(tablet.poll()[1])
    flask_runs.clear()
    response, headers, _ = other.poll(mine)
    assert response.status == 200 and etag_of(headers) != mine and flask_runs == [1]
    other.conn.close()


def test_the_lane_still_records_the_tablet_as_seen(app, tablet, flask_runs):
    etag = etag_of(tablet.poll()[1])
    sql(app, "UPDATE participants SET last_seen_at = '2020-01-01T00:00:00+00:00'")
    flask_runs.clear()
    assert tablet.poll(etag)[0].status == 304 and flask_runs == []
    (seen,) = sql(app, "SELECT last_seen_at FROM participants")
    assert seen["last_seen_at"] > "2026"


def test_a_contests_deadline_passing_changes_the_etag(app, session, tablet, flask_runs):
    sql(app, "UPDATE class_sessions SET mode = 'contest', contest_state = 'open', "
        "contest_index = 0, contest_deadline = ? WHERE id = ?", [time.time() + 1.0, session["id"]])  # fmt: skip
    etag = etag_of(tablet.poll()[1])
    flask_runs.clear()
    assert tablet.poll(etag)[0].status == 304 and flask_runs == []
    time.sleep(1.2)  # nothing is written when the question's time is up
    response, headers, _ = tablet.poll(etag)
    assert response.status == 200 and etag_of(headers) != etag and flask_runs == [1]


@pytest.mark.parametrize("scope", [None, "api_student"])
def test_a_plugins_request_hook_makes_the_lane_step_aside(app, scope, live_server, seat_token,
                                                          flask_runs):  # fmt: skip
    seen: list = []
    app.before_request_funcs.setdefault(scope, []).append(lambda: seen.append(1))
    tablet = Tablet(live_server, {"Authorization": f"Bearer {seat_token}"})
    etag = etag_of(tablet.poll()[1])
    flask_runs.clear()
    seen.clear()
    for _ in range(3):
        assert tablet.poll(etag)[0].status == 304
    assert len(flask_runs) == 3 and len(seen) == 3
    tablet.conn.close()


def test_seat_lane_false_in_the_config_turns_it_off(app_config, teacher):
    from kepu_server.app import create_app

    (Path(app_config["KEPU_INSTANCE"]) / "config.toml").write_text("seat_lane = false\n")
    assert create_app(app_config).config["KEPU_SEAT_LANE"] is False


def test_an_error_in_a_lane_hands_the_request_to_flask_outside_any_transaction(
    app, live_server, seat_token, flask_runs
):
    """``lanes.with_lane`` (both lanes' wrapper): the lane fails half-way through a write;
    Flask answers the poll, and its request does not inherit the lane's open transaction
    (``store.db.thread_db`` rolls it back when it hands the thread's connection out)."""
    from kepu_server import lanes
    from kepu_server.seat_lane import takes
    from kepu_server.store.db import thread_db

    left_open: list[bool] = []

    def failing(flask_app, environ):
        thread_db(flask_app).conn.execute("BEGIN IMMEDIATE")
        raise RuntimeError("the disk went away")

    def flask(environ, start_response):
        left_open.append(thread_db(app).conn.in_transaction)
        return inner(environ, start_response)

    inner = app.wsgi_app
    app.wsgi_app = lanes.with_lane(flask, app, "failing lane", takes, failing)
    tablet = Tablet(live_server, {"Authorization": f"Bearer {seat_token}"})
    response, _headers, body = tablet.poll('"any"')
    tablet.conn.close()
    assert response.status == 200 and b"participant" in body
    assert left_open == [False] and len(flask_runs) == 1
