"""A tablet's answer saved in front of Flask (kepu_server/answer_lane.py), over real HTTP.

A real waitress (``live_server``) on 127.0.0.1, keep-alive connections, and the
repository's example course (no test plugin: its ``kepu_session_event`` hook turns the lane
off, see the last test). The student API's view is wrapped to count the answers that
reached Flask, so a test can tell the lane's 200 (the view never ran) from Flask's own.
Every answer is compared with the same request answered with the lane off.
"""

from __future__ import annotations

import http.client
import json
import re

import pytest
from flask import request_started

from kepu_server.auth import create_api_token
from kepu_server.classroom.sessions import session_content
from tests.conftest import TEST_PLUGIN, LiveServer, copied_content_config
from tests.student_support import change, launch, rows, seat

COURSE = "heiyoushan-trip"
QUIZ = "heiyoushan-trip-quiz"
JSON = {"Content-Type": "application/json"}
STAMP = re.compile(rb'"updated_at":"[^"]+"')


@pytest.fixture
def app_config(instance, tmp_path):
    return copied_content_config(instance, tmp_path)


@pytest.fixture
def view_runs(app):
    """How many answers reached the Flask view."""
    runs: list = []
    view = app.view_functions["api_student.save_answer"]

    def counted(**kwargs):
        runs.append(1)
        return view(**kwargs)

    app.view_functions["api_student.save_answer"] = counted
    return runs


@pytest.fixture
def quiz_class(app, teacher):
    return launch(app, teacher, course=COURSE, quiz_id=QUIZ)


class Tablet:
    """One keep-alive HTTP connection to the live server."""

    def __init__(self, live, headers: dict):
        self.conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=10)
        self.headers = headers

    def send(self, method: str, path: str, body: bytes | None = None, **extra):
        self.conn.request(method, path, body=body, headers={**self.headers, **extra})
        response = self.conn.getresponse()
        data = response.read()
        kept = sorted((k, v) for k, v in response.getheaders() if k != "Date")
        return response.status, kept, data

    def answer(self, question: str, value, **extra):
        body = value if isinstance(value, bytes) else json.dumps({"response": value}).encode()
        return self.send("PUT", f"/api/v1/me/answers/{question}", body, **{**JSON, **extra})


def bearer(app, code: str, name: str, live) -> Tablet:
    return Tablet(live, seat(app.test_client(), code, name)["headers"])


def stored(app, participant=None) -> list[dict]:
    """The answers as another connection to the SQLite file reads them (committed)."""
    found = rows(app, "SELECT a.participant_id, p.name, a.question_id, a.response, a.score "
                      "FROM answers a JOIN participants p ON p.id = a.participant_id "
                      "ORDER BY a.participant_id, a.question_id")  # fmt: skip
    return [r for r in found if participant is None or r["name"] == participant]


def test_the_lane_stores_the_answer_with_its_score_and_flask_never_runs(
    app, live_server, quiz_class, view_runs
):
    tablet = bearer(app, quiz_class["code"], "小明", live_server)
    status, _headers, body = tablet.answer("q1", 0)  # the right option
    assert status == 200 and view_runs == []
    assert json.loads(body)["saved"] is True and json.loads(body)["question"] == "q1"
    # Committed before the 200: another connection reads it at once.
    assert [(r["question_id"], r["response"], r["score"]) for r in stored(app)] == [
        ("q1", "0", 1.0)
    ]
    assert tablet.answer("q1", 1)[0] == 200  # changed its mind: a wrong option
    assert tablet.answer("q5", 1955)[0] == 200  # numeric, right
    assert tablet.answer("q2", "  断层 ")[0] == 200  # text, trimmed as the view trims it
    assert view_runs == []
    assert [(r["question_id"], r["response"], r["score"]) for r in stored(app)] == [
        ("q1", "1", 0.0), ("q2", '"断层"', 1.0), ("q5", "1955", 1.0)]  # fmt: skip
    seen = rows(app, "SELECT last_seen_at FROM participants")[0]["last_seen_at"]
    assert seen is not None  # the answer records the tablet as alive, as the view does


@pytest.mark.parametrize(
    ("question", "value", "cookie"),
    [("q1", 0, None), ("q3", False, None), ("q2", "断层", "lang=zh"),
     # An English tablet orders the English item texts; the class stores its own wording.
     ("q4", "english order", "lang=en; kepu_device=abcdefghijklmnopqrstuv")],
)  # fmt: skip
def test_the_lanes_200_is_flasks_200(app, live_server, quiz_class, view_runs, question, value,
                                     cookie):  # fmt: skip
    if value == "english order":
        english = session_content(app.extensions["kepu"].catalog, quiz_class, "en")[2]
        value = list(english.question("q4").spec["items"])
    extra = {"Cookie": cookie} if cookie else {}
    lane = bearer(app, quiz_class["code"], "小明", live_server)
    flask = bearer(app, quiz_class["code"], "小红", live_server)
    lane_reply = lane.answer(question, value, **extra)
    assert view_runs == []
    app.config["KEPU_ANSWER_LANE"] = False
    flask_reply = flask.answer(question, value, **extra)
    assert view_runs == [1]
    assert lane_reply[0] == flask_reply[0] == 200
    assert lane_reply[1] == flask_reply[1]  # every header, the security headers included
    assert {"Content-Security-Policy", "X-Frame-Options", "Vary"} <= dict(lane_reply[1]).keys()
    assert STAMP.sub(b"", lane_reply[2]) == STAMP.sub(b"", flask_reply[2])
    mine, theirs = stored(app, "小明"), stored(app, "小红")
    assert [(r["question_id"], r["response"], r["score"]) for r in mine] == [
        (r["question_id"], r["response"], r["score"]) for r in theirs]  # fmt: skip
    if question == "q4":
        chinese = session_content(app.extensions["kepu"].catalog, quiz_class)[2].question("q4")
        assert json.loads(mine[0]["response"]) == chinese.spec["items"]


def _close_quiz(app, session, tablet):
    change(app, session["id"], quiz_open=0)


def _end_class(app, session, tablet):
    change(app, session["id"], state="ended")


def _hand_in(app, session, tablet):
    assert tablet.send("POST", "/api/v1/me/submit", b"", **JSON)[0] == 200


REFUSALS = {
    "quiz closed": (_close_quiz, "q1", 0, {}, 409, "quiz_closed"),
    "quiz closed, English tablet": (
        _close_quiz,
        "q1",
        0,
        {"Cookie": "lang=en"},
        409,
        "quiz_closed",
    ),  # fmt: skip
    "handed in": (_hand_in, "q1", 0, {}, 409, "already_submitted"),
    "class ended": (_end_class, "q1", 0, {}, 409, "session_ended"),
    "unknown question": (None, "q99", 0, {}, 404, "unknown_question"),
    "bad response": (None, "q1", 7, {}, 400, "bad_response"),
    "wrong type": (None, "q5", "a year", {}, 400, "bad_response"),
    "not an object": (None, "q1", b"[0]", {}, 400, "bad_json"),
    "not JSON": (None, "q1", b"{response: 0", {}, 400, "bad_json"),
    "no response": (None, "q1", b'{"answer": 0}', {}, 400, "missing_field"),
    "too large": (None, "q1", b'{"response": "' + b"x" * 70_000 + b'"}', {}, 413, "too_large"),
    "no seat": (None, "q1", 0, {"Authorization": "Bearer p_not-a-seat"}, 401, "unauthorized"),
    "query string": (_close_quiz, "q1?lang=en", 0, {}, 409, "quiz_closed"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refusals_are_flasks_4xx_json_and_store_nothing(app, live_server, quiz_class,
                                                        view_runs, case):  # fmt: skip
    prepare, question, value, extra, status, code = REFUSALS[case]
    replies = []
    for lane_on, name in ((True, "小明"), (False, "小红")):
        app.config["KEPU_ANSWER_LANE"] = lane_on
        tablet = bearer(app, quiz_class["code"], name, live_server)
        if prepare is not None:
            prepare(app, quiz_class, tablet)
        replies.append(tablet.answer(question, value, **extra))
        change(app, quiz_class["id"], quiz_open=1, state="open")
    assert view_runs == [1, 1]  # the lane handed each of them to Flask
    (lane_status, lane_headers, lane_body), flask_reply = replies
    assert (lane_status, lane_headers, lane_body) == flask_reply
    assert lane_status == status and json.loads(lane_body)["error"]["code"] == code
    if case == "quiz closed, English tablet":
        assert json.loads(lane_body)["error"]["message"] == "The quiz is not open yet."
    assert stored(app) == []


def test_a_teachers_token_is_refused_as_before(app, live_server, quiz_class, teacher, db,
                                               view_runs):  # fmt: skip
    tablet = Tablet(live_server, {"Authorization": f"Bearer {create_api_token(db, teacher['id'])}"})
    status, _headers, body = tablet.answer("q1", 0)
    assert status == 403 and json.loads(body)["error"]["code"] == "forbidden"
    assert view_runs == [1] and stored(app) == []


def test_a_contest_answer_goes_to_flask_and_its_transactional_path(app, live_server, teacher,
                                                                   view_runs):  # fmt: skip
    contest = launch(app, teacher, course=COURSE, quiz_id=QUIZ, mode="contest", seconds=0)
    tablet = bearer(app, contest["code"], "小明", live_server)
    status, _headers, body = tablet.answer("q1", 0)  # the contest has not started
    assert status == 409 and json.loads(body)["error"]["code"] == "question_closed"
    assert view_runs == [1] and stored(app) == []


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        # Another site's page: refused by the CSRF rule for cookie writes (security.py).
        ({"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, 400),
        # A form post carries no CSRF token: refused.
        ({"Content-Type": "application/x-www-form-urlencoded"}, 400),
        # The tablet's own page, JSON, same origin: allowed, as before.
        ({"Sec-Fetch-Site": "same-origin"}, 200),
    ],
)
def test_cookie_writes_keep_flasks_csrf_rule(app, live_server, quiz_class, view_runs, extra,
                                             status):  # fmt: skip
    replies = []
    for lane_on, name in ((True, "小明"), (False, "小红")):
        app.config["KEPU_ANSWER_LANE"] = lane_on
        token = seat(app.test_client(), quiz_class["code"], name)["token"]
        tablet = Tablet(live_server, {"Cookie": f"kepu_participant={token}"})
        replies.append(tablet.answer("q1", 0, **extra))
    assert view_runs == ([1, 1] if status == 200 else [])  # CSRF refuses before the view
    (lane_status, lane_headers, lane_body), flask_reply = replies
    assert (lane_status, lane_headers, STAMP.sub(b"", lane_body)) == (
        flask_reply[0], flask_reply[1], STAMP.sub(b"", flask_reply[2]))  # fmt: skip
    assert lane_status == status
    if status == 400:
        assert json.loads(lane_body)["error"]["code"] == "csrf_failed"
        assert stored(app) == []
    else:
        assert [r["name"] for r in stored(app)] == ["小明", "小红"]


def _before_request(app, seen):
    app.before_request_funcs.setdefault(None, []).append(lambda: seen.append(1))


def _blueprint_hook(app, seen):
    app.before_request_funcs.setdefault("api_student", []).append(lambda: seen.append(1))


def _appcontext_teardown(app, seen):
    app.teardown_appcontext_funcs.append(lambda exc: seen.append(1))


def _signal(app, seen):
    def receiver(sender, **extra):
        seen.append(1)

    request_started.connect(receiver, app, weak=False)
    return lambda: request_started.disconnect(receiver)


@pytest.mark.parametrize("add", [_before_request, _blueprint_hook, _appcontext_teardown, _signal])
def test_a_plugins_request_hook_or_signal_still_sees_every_answer(app, live_server, quiz_class,
                                                                  view_runs, add):  # fmt: skip
    seen: list = []
    # As a plugin would add one (this test's module is no core module); Flask only allows
    # hooks before the first request, so they are added straight to its registries here.
    undo = add(app, seen)
    try:
        tablet = bearer(app, quiz_class["code"], "小明", live_server)
        seen.clear()  # the join
        assert tablet.answer("q1", 0)[0] == 200
        assert seen and view_runs == [1]
        assert [r["score"] for r in stored(app)] == [1.0]
    finally:
        if undo is not None:
            undo()


def test_a_plugin_listening_to_session_events_gets_the_answer_through_flask(instance, tmp_path,
                                                                            teacher):  # fmt: skip
    from kepu_server.app import create_app
    from tests.plugins import kepu_test_plugin

    plugin_app = create_app({"TESTING": True, "KEPU_INSTANCE": str(instance),
                             "KEPU_CONTENT": str(tmp_path / "none"), "KEPU_RELOAD_INTERVAL": None,
                             "KEPU_LOAD_ENTRY_POINTS": False,
                             "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]})  # fmt: skip
    session = launch(plugin_app, teacher, quiz_id="water-quiz")
    live = LiveServer(plugin_app).start()
    try:
        tablet = bearer(plugin_app, session["code"], "小明", live)
        kepu_test_plugin.EVENTS.clear()
        assert tablet.answer("q1", 0)[0] == 200
    finally:
        live.stop()
    assert [e["type"] for e in kepu_test_plugin.EVENTS] == ["answered"]
    assert kepu_test_plugin.EVENTS[0]["question"] == "q1"


def _signed(app, data: dict) -> str:
    return app.session_interface.get_signing_serializer(app).dumps(data)


@pytest.mark.parametrize("kind", ["join form", "teacher", "forged", "permanent, no sign-in"])
def test_a_session_cookie_beside_the_token(app, live_server, quiz_class, view_runs, kind):
    """A tablet that joined through the form holds a session (its CSRF token): the lane
    saves its answers. Any session Flask would refresh or judge goes to Flask."""
    name = app.config["SESSION_COOKIE_NAME"]
    if kind == "join form":
        page = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=10)
        page.request("GET", "/j")
        reply = page.getresponse()
        reply.read()
        sent = [c.split(";", 1)[0] for c in reply.headers.get_all("Set-Cookie")]
        value = next(c.split("=", 1)[1] for c in sent if c.startswith(f"{name}="))
        page.close()
    elif kind == "teacher":
        value = _signed(app, {"_permanent": True, "user_id": 1, "nonce": "n", "stamp": "s"})
    elif kind == "forged":
        value = _signed(app, {"csrf_token": "x"})[:-2] + "xx"
    else:
        value = _signed(app, {"_permanent": True, "csrf_token": "x"})
    replies = []
    for lane_on, seat_name in ((True, "小明"), (False, "小红")):
        app.config["KEPU_ANSWER_LANE"] = lane_on
        tablet = bearer(app, quiz_class["code"], seat_name, live_server)
        replies.append(tablet.answer("q1", 0, Cookie=f"{name}={value}; lang=zh"))
    assert view_runs == ([1] if kind == "join form" else [1, 1])
    (lane_status, lane_headers, lane_body), flask_reply = replies
    assert lane_status == flask_reply[0] == 200
    assert lane_headers == flask_reply[1]  # a refreshed session's Set-Cookie included
    assert STAMP.sub(b"", lane_body) == STAMP.sub(b"", flask_reply[2])
    assert ("Set-Cookie" in dict(lane_headers)) == kind.startswith(("teacher", "permanent"))
    assert [r["score"] for r in stored(app)] == [1.0, 1.0]
