"""The tablet's answer, ``PUT /api/v1/me/answers/<question>``, saved in front of Flask (issue 11).

Under a class answering at once the server's one interpreter lock is the limit, and Flask's
request machinery (the context, the session, babel, the CSRF and language hooks, the URL
map, the request and response objects) cost about as much as the answer itself: the PUT
ran at 0.21-0.34x the bare floor. the lane (``lanes.with_lane``) sits at the WSGI level, inside the
security headers (web_speed.py) and the public cache, and saves the common answer itself by
calling ``seat_answers.save_seat_answer``, the function the view calls: the same checks,
scoring, statement and event, never a copy of them. Its 200 is the view's: the same body
(``app.json``, compact) and headers (``Content-Type``, ``Content-Length``, ``Vary: Cookie``,
which Flask adds because the sign-in hook reads the session; the security headers are
added around this layer). The answer is committed before the 200 is sent, as in the view.

Only this case is answered here; anything else goes to Flask unchanged, which decides as
before:

- a seat's bearer token (``Authorization: Bearer p_...``) of a seat in an open class that
  is not a contest; a cookie-only request (Flask's CSRF rule for cookie writes applies to
  it, security.py), a teacher's token, an unknown seat, an ended class or a contest do not;
- no query string (``?lang=`` would be remembered in a cookie) and no cookie besides the
  seat's, ``lang`` (read as ``chosen_language`` reads it), ``kepu_device`` and a session
  that Flask would only read (``lanes.plain_session``: valid, not permanent, no sign-in, as the
  join form leaves on a tablet); a teacher's session (refreshed on every request) goes to
  Flask;
- a question id of plain ASCII, one path segment; a ``Content-Length`` within both
  ``KEPU_MAX_JSON_BYTES`` and ``MAX_CONTENT_LENGTH`` (otherwise Flask's 413), and a body
  ``views.common.json_object`` reads as an object with ``response``; the body read here is
  handed on to Flask when Flask answers;
- no request hook of a plugin (app-wide or on the student API's blueprint, or an app
  context teardown), no receiver of Flask's request or app context signals, no plugin listening to ``kepu_session_event`` (its hook would
  run outside the request it runs in through Flask), ``debug`` off and ``app.json``
  compact, and ``answer_lane = true`` (the default; ``KEPU_ANSWER_LANE``);
- every refusal of ``save_seat_answer`` (an ``ApiError``, raised before anything is
  written) and any other error: Flask runs the request again and answers it as it does
  any error (its translated 4xx JSON, or 503 for a busy or full disk).
"""

from __future__ import annotations

import io

from flask import signals

from kepu_server.auth import bearer_from
from kepu_server.classroom import contest_state
from kepu_server.classroom import participants as seats
from kepu_server.errors import ApiError
from kepu_server.i18n import language_choice
from kepu_server.lanes import VARY, Answer, lane_cookies, lane_open, with_lane
from kepu_server.public_cache import core_hook
from kepu_server.store.db import thread_db
from kepu_server.views import seat_answers
from kepu_server.views import student_state as state
from kepu_server.views.common import json_object

PREFIX = "/api/v1/me/answers/"
BLUEPRINT = "api_student"  # the view's blueprint: its own request hooks count too
# What Flask sends around a request; a receiver of any of them would miss the lane's answers.
REQUEST_SIGNALS = (signals.request_started, signals.request_finished,
                   signals.got_request_exception, signals.request_tearing_down,
                   signals.appcontext_pushed, signals.appcontext_popped,
                   signals.appcontext_tearing_down)  # fmt: skip
OK = "200 OK"


def lane_answer(app, environ) -> bytes | None:
    """Save this PUT's answer as the view does and return the view's 200 body, or None
    (nothing written) when Flask must answer it."""
    question_id = environ["PATH_INFO"][len(PREFIX) :]
    if environ.get("QUERY_STRING") or not question_id.isascii() or "/" in question_id:
        return None
    cookies = lane_cookies(app, environ)
    if cookies is None:
        return None
    token = bearer_from(environ.get("HTTP_AUTHORIZATION", ""))
    if not token or not token.startswith(seats.TOKEN_PREFIX):
        return None  # no bearer: a cookie write, for Flask's CSRF rule
    length = environ.get("CONTENT_LENGTH") or ""
    limit = min(app.config["KEPU_MAX_JSON_BYTES"], app.config.get("MAX_CONTENT_LENGTH") or 2**62)
    if not (length.isascii() and length.isdigit()) or int(length) > limit:
        return None
    raw = environ["wsgi.input"].read(int(length))
    environ["wsgi.input"] = io.BytesIO(raw)  # for Flask, should it answer after all
    try:
        data = json_object(raw, ("response",))
    except ApiError:
        return None
    db = thread_db(app)
    found = state.seat_of(db, token)
    if found is None:
        return None
    participant, session = found
    if session["state"] != "open" or contest_state.is_contest(session):
        return None  # the view's 409 session_ended; a contest's own transactional path
    catalog = app.extensions["kepu"].current()
    if catalog.dispatcher.implementations("kepu_session_event"):
        return None
    language = language_choice(None, cookies.get("lang"))
    try:
        body = seat_answers.save_seat_answer(catalog, db, app, participant, session,
                                             question_id, data, language)  # fmt: skip
    except ApiError:
        return None
    return (app.json.dumps(body, separators=(",", ":")) + "\n").encode()


def takes(environ) -> bool:
    """A ``PUT /api/v1/me/answers/<question>``: the only request this lane answers."""
    return environ["REQUEST_METHOD"] == "PUT" and environ.get("PATH_INFO", "").startswith(PREFIX)


def lane_open_for_answers(app) -> bool:
    """The seat lane's gate (``lanes.lane_open``), and nothing that would run around Flask's
    request but not around the lane's: debug, a non-compact ``app.json``, a receiver of a
    request signal, a plugin's app context teardown."""
    return (
        lane_open(app, "KEPU_ANSWER_LANE", BLUEPRINT)
        and not app.debug
        and app.json.compact is not False
        and not any(signal.has_receivers_for(app) for signal in REQUEST_SIGNALS)
        and all(core_hook(func) for func in app.teardown_appcontext_funcs)
    )


def init_app(app) -> None:
    """Put the lane in front of ``app.wsgi_app`` (call before the default headers wrap it)."""

    def answer(flask_app, environ) -> Answer | None:
        if not lane_open_for_answers(flask_app):
            return None
        body = lane_answer(flask_app, environ)
        if body is None:
            return None
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))), VARY]
        return OK, headers, body

    app.wsgi_app = with_lane(app.wsgi_app, app, "answer lane", takes, answer)
