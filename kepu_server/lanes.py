"""What the two lanes in front of Flask (``seat_lane``, ``answer_lane``) share: which cookies
a request may carry and still be answered without Flask.

A tablet carries its seat cookie, the ``lang`` cookie, the device cookie and, once it has
joined through the form, a session cookie holding only the form's CSRF token. Flask reads
such a session and sends nothing back for it, so a lane may answer beside it. Any other
session (a teacher's, a permanent one, one that does not verify) or any other cookie goes
to Flask, which may refresh, judge or reject it.
"""

from __future__ import annotations

from itsdangerous import BadSignature
from werkzeug.http import parse_cookie

from kepu_server.security import DEVICE_COOKIE, PARTICIPANT_COOKIE

COOKIES = frozenset({PARTICIPANT_COOKIE, "lang", DEVICE_COOKIE})
VARY = ("Vary", "Cookie")  # Flask adds it to both answers: the sign-in hook reads the session


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
