"""What the two lanes in front of Flask (``seat_lane``, ``answer_lane``) share: the WSGI
wrapper that answers a request or hands it to Flask, the gate that turns a lane off, and
which cookies a request may carry and still be answered without Flask.

A tablet carries its seat cookie, the ``lang`` cookie, the device cookie and, once it has
joined through the form, a session cookie holding only the form's CSRF token. Flask reads
such a session and sends nothing back for it, so a lane may answer beside it. Any other
session (a teacher's, a permanent one, one that does not verify) or any other cookie goes
to Flask, which may refresh, judge or reject it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from itsdangerous import BadSignature
from werkzeug.http import parse_cookie

from kepu_server.public_cache import core_hooks_only
from kepu_server.security import DEVICE_COOKIE, PARTICIPANT_COOKIE

log = logging.getLogger(__name__)
COOKIES = frozenset({PARTICIPANT_COOKIE, "lang", DEVICE_COOKIE})
VARY = ("Vary", "Cookie")  # Flask adds it to both answers: the sign-in hook reads the session
# What a lane answers with: the status line, the headers and the body (b"" for none).
Answer = tuple[str, list[tuple[str, str]], bytes]


def with_lane(wsgi_app, flask_app, name: str, takes: Callable, answer: Callable):
    """Wrap ``wsgi_app`` (Flask's) so the requests ``takes(environ)`` picks are answered by
    ``answer(flask_app, environ)`` in front of it.

    ``answer`` returns an ``Answer``, or None when Flask must answer. On any error it is
    None too: Flask runs the request again and answers the error as it answers any error
    (``store.db.thread_db`` rolls back whatever the lane left open before Flask's request
    gets the connection).
    """

    def app(environ, start_response):
        if not takes(environ):
            return wsgi_app(environ, start_response)
        try:
            found = answer(flask_app, environ)
        except Exception:  # noqa: BLE001 - Flask runs the request again and answers the error
            log.debug("%s: handing the request to Flask", name, exc_info=True)
            found = None
        if found is None:
            return wsgi_app(environ, start_response)
        status, headers, body = found
        start_response(status, headers)
        return [body] if body else []

    return app


def lane_open(app, setting: str, blueprint: str) -> bool:
    """The gate both lanes ask on every request they could take (a few microseconds, so a
    hook added after start-up counts too): ``setting`` (``config.toml``) is not false and
    every request hook, app-wide or on ``blueprint``, is the core's (a plugin's would be
    skipped)."""
    return bool(app.config.get(setting, True)) and core_hooks_only(app, (None, blueprint))


def lane_cookies(app, environ) -> dict | None:
    """The request's cookies, or None when one of them is Flask's to handle."""
    raw = environ.get("HTTP_COOKIE")
    cookies = parse_cookie(raw) if raw else {}
    session_cookie = app.config["SESSION_COOKIE_NAME"]
    for name, value in cookies.items():
        if name == session_cookie:
            if not plain_session(app, value):
                return None
        elif name not in COOKIES:
            return None
    return cookies


def plain_session(app, value: str) -> bool:
    """Whether Flask would only read this session cookie and send nothing back for it: a
    valid, non-permanent session with no sign-in, such as the one the join form's CSRF token
    leaves on every tablet. A permanent one (a teacher's) is refreshed on every request."""
    serializer = app.session_interface.get_signing_serializer(app)
    if serializer is None:
        return False
    try:
        data = serializer.loads(value, max_age=int(app.permanent_session_lifetime.total_seconds()))
    except BadSignature:
        return False
    return isinstance(data, dict) and not data.get("_permanent") and "user_id" not in data
