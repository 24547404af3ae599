"""The tablet's unchanged poll answered in front of Flask (issue 11).

A hall of tablets asks ``GET /api/v1/me`` with ``If-None-Match`` every ~2 s, and almost
every answer is a 304. Flask's request machinery (context, session, babel, the CSRF and
language hooks, the response object) cost more than the poll's one query and its hash, so
the lane (``lanes.with_lane``) sits at the WSGI level, inside the security headers (web_speed.py) and the
public cache, and answers that 304 itself:

token (``state.seat_token``: the bearer header, else the seat cookie) -> its hash -> the
poll's one query (``store.polls.seat_poll``) -> the ETag from ``state.me_etag_of``, the
function the view calls too (one key, never a copy) -> if ``If-None-Match`` holds it (as
werkzeug reads it, ``*`` included): ``touch`` the seat as the view does and send Flask's
304: ``ETag``, ``Cache-Control: private, no-cache``, ``Vary: Cookie`` (Flask adds it because
the sign-in hook reads the session), with the security headers added around this layer. A
bodyless 304 keeps its connection through ``serving.KeepAliveTask``, as Flask's does.

Anything else goes to Flask unchanged, which decides as before:

- another method or path, no ``If-None-Match``, any query string (``?lang=`` is part of the
  key through ``chosen_language``: only the ``lang`` cookie is read here), a cookie besides
  the seat's, ``lang``, ``kepu_device`` and the join form's plain session (``lanes.py``: a
  teacher's session would be refreshed or read);
- no token, not a seat's token (``p_...``), a token of no seat, a class that has ended (the
  view's 409), an ETag that does not match (the 200 is Flask's to build);
- a request hook of a plugin, app-wide or on the student API's blueprint (it would be
  skipped), or ``seat_lane = false`` in ``config.toml`` (``KEPU_SEAT_LANE``);
- an error on the way (e.g. the database busy for ``touch``): Flask runs the poll again
  and answers it as it answers any error.

A contest's phase depends on the clock (a deadline passes without a write); the lane works
it out at the moment it answers, exactly as the view would, so its ETag is the view's.
The database is this thread's connection (``store.db.thread_db``), the one Flask's
``get_db`` hands out on the same thread; it is never left inside a transaction.
"""

from __future__ import annotations

from werkzeug.http import parse_etags, quote_etag

from kepu_server.catalog import content_fingerprint
from kepu_server.classroom import participants as seats
from kepu_server.classroom.sessions import decode as decode_session
from kepu_server.i18n import language_choice
from kepu_server.lanes import VARY, Answer, lane_cookies, lane_open, with_lane
from kepu_server.store import polls
from kepu_server.store.db import thread_db
from kepu_server.tokens import hash_token
from kepu_server.views import student_state as state

PATH = "/api/v1/me"
BLUEPRINT = "api_student"  # the view's blueprint: its own request hooks count too
NOT_MODIFIED = "304 NOT MODIFIED"


def seat_not_modified(app, environ) -> list[tuple[str, str]] | None:
    """The headers of the view's 304 for this poll (after touching the seat), or None when
    Flask must answer it. ``environ`` is a ``GET /api/v1/me`` with ``If-None-Match``."""
    if environ.get("QUERY_STRING"):
        return None
    cookies = lane_cookies(app, environ)
    if cookies is None:
        return None
    token = state.seat_token(environ.get("HTTP_AUTHORIZATION", ""), cookies)
    if not token or not token.startswith(seats.TOKEN_PREFIX):
        return None
    db = thread_db(app)
    found = polls.seat_poll(db, hash_token(token))
    if found is None:
        return None
    participant, session, ticks, answers = found
    session = decode_session(session)
    if session["state"] != "open":
        return None  # the view's 409 session_ended
    fingerprint = content_fingerprint(app.extensions["kepu"].current())
    language = language_choice(None, cookies.get("lang"))
    etag = state.me_etag_of(participant, session, ticks, answers, fingerprint, language)
    if etag not in parse_etags(environ["HTTP_IF_NONE_MATCH"]):
        return None
    seats.touch(db, participant)
    return [("Cache-Control", state.ME_CACHE_CONTROL), ("ETag", quote_etag(etag)), VARY]


def takes(environ) -> bool:
    """A ``GET /api/v1/me`` with ``If-None-Match``: the only request this lane answers."""
    return (
        environ.get("PATH_INFO") == PATH
        and environ["REQUEST_METHOD"] == "GET"
        and "HTTP_IF_NONE_MATCH" in environ
    )


def init_app(app) -> None:
    """Put the lane in front of ``app.wsgi_app`` (call before the default headers wrap it)."""

    def answer(flask_app, environ) -> Answer | None:
        if not lane_open(flask_app, "KEPU_SEAT_LANE", BLUEPRINT):
            return None
        headers = seat_not_modified(flask_app, environ)
        return None if headers is None else (NOT_MODIFIED, headers, b"")

    app.wsgi_app = with_lane(app.wsgi_app, app, "seat lane", takes, answer)
