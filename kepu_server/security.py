"""Headers, CSRF and rate limiting, wired once for the whole app.

CSRF (Flask-WTF) applies to every unsafe request authenticated by a cookie; calls that carry
``Authorization: Bearer`` (scripts, tablets) need none, since a browser never adds that header
by itself. The Content-Security-Policy forbids inline and foreign scripts: nothing from a
content pack or a course's Markdown can run.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import secrets

from flask import current_app, request, session
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect

from kepu_server import public_cache, web_speed
from kepu_server.auth import bearer_token
from kepu_server.errors import ApiError
from kepu_server.store import limits as limits_store
from kepu_server.store.db import get_db

csrf = CSRFProtect()
# The tablet's seat cookie, set by joining (views/api_student.py, views/student.py).
PARTICIPANT_COOKIE = "kepu_participant"
# The tablet's device cookie, set by the join pages: wrong codes are counted per device.
DEVICE_COOKIE = "kepu_device"
DEVICE_COOKIE_MAX_AGE = 365 * 86400
_DEVICE_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
# The endpoints that hand out (or refresh) the device cookie.
JOIN_ENDPOINTS = {
    "api_student.join",
    "student.join_start",
    "student.join_code",
    "student.join_form",
}

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'; "
    "form-action 'self'"
)
SECURITY_HEADERS = [
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "SAMEORIGIN"),
]
# Routes that take no credentials at all, so there is no session to forge a request for;
# and content-pack uploads, which check CSRF themselves right after admin_required, so that a
# non-admin's upload is refused before its body is read (the check here parses the body).
CSRF_FREE_ENDPOINTS = {
    "api_student.join",
    "admin_plugins.upload_pack",
    "api_plugins.upload_pack_api",
}


def init_app(app) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # a lesson page may stay open for hours
    app.config.setdefault("KEPU_LOGIN_LIMIT", "10/minute")
    app.config.setdefault("KEPU_JOIN_FAILURE_LIMIT", "200/minute")  # per address
    app.config.setdefault("KEPU_JOIN_DEVICE_LIMIT", "10/minute")
    csrf.init_app(app)

    @app.before_request
    def protect_cookie_writes():
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        if bearer_token() is not None:
            return  # judged by the token alone (auth.current_user), which no page can forge
        if request.endpoint in CSRF_FREE_ENDPOINTS:
            return
        if request.path.startswith("/api/") and not _cookie_credentials():
            return  # no sign-in to forge: the view answers 401 (DESIGN), not a CSRF 400
        if (
            request.path.startswith("/api/")
            and not session.get("user_id")
            and not (request.endpoint or "").startswith("api_student.")
        ):
            return  # a seat's cookie is no teacher's credential: the view answers 401
        if request.path.startswith("/api/") and request.is_json and _same_origin():
            # A JSON body is no form: another site's page cannot send one without a CORS
            # preflight, which this server never grants. DESIGN asks CSRF tokens of forms.
            return
        try:
            csrf.protect()
        except CSRFError:
            # flask-wtf's own text is English; a teacher in the Chinese UI reads this one.
            raise ApiError(
                400,
                "csrf_failed",
                _("This form has expired. Go back, reload the page and try again."),
            ) from None

    # On every response that did not set its own (course media sets a stricter CSP).
    web_speed.init_app(app, SECURITY_HEADERS)
    # In front of that: public answers replayed without entering Flask (public_cache.py).
    # The language cookie is part of its key; the device cookie only the join pages read.
    public_cache.init_app(app, frozenset({"lang", DEVICE_COOKIE}))

    @app.after_request
    def device_cookie(response):
        if request.endpoint in JOIN_ENDPOINTS:
            set_device_cookie(response)
        return response


def _same_origin() -> bool:
    """The browser says the request comes from this server's own pages (or from no page)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    return origin is None or origin.rstrip("/") == request.host_url.rstrip("/")


def _cookie_credentials() -> bool:
    """Whether the request carries a sign-in by cookie: a teacher's or a tablet's seat."""
    return bool(session.get("user_id") or request.cookies.get(PARTICIPANT_COOKIE))


def client_address() -> str:
    """Who failures are counted for: the socket's address (waitress trusts no proxy header).

    An IPv6 address counts by its /64: one device may take any number of addresses in its
    network, and a new address per guess must not mean a fresh limit.
    """
    address = request.remote_addr or "unknown"
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@functools.cache
def _rate(limit: str) -> tuple[int, int]:
    # Imported on the first limited request, not at start-up: ``limits`` brings asyncio,
    # wrapt and deprecated with it (about 0.1 s), and only its parser is used here.
    from limits import parse

    item = parse(limit)
    return item.amount, item.get_expiry()


def over_limit(scope: str, limit: str, key: str | None = None) -> bool:
    """True when ``scope`` has already used up ``limit`` (e.g. "10/minute") for this address.

    Only failures are counted (``count_failure``): a whole class joining from one address
    behind the school's NAT must never be locked out by its own successful joins. The
    counters live in SQLite (store/limits.py), so every server process sees the same ones.
    """
    amount, window = _rate(limit)
    return (
        limits_store.failures_in_window(get_db(), scope, key or client_address(), window) >= amount
    )


def count_failure(scope: str, limit: str, key: str | None = None) -> None:
    _amount, window = _rate(limit)
    limits_store.record_failure(get_db(), scope, key or client_address(), window)


def take_attempt(scope: str, limit: str, key: str | None = None) -> bool:
    """Count an attempt now, atomically with the check; False when over ``limit``.

    For checks that take long (a password hash): counting only after the check would let
    concurrent guesses all pass it. Hand a successful attempt back with ``give_back``.
    """
    amount, window = _rate(limit)
    return limits_store.take_attempt(get_db(), scope, key or client_address(), amount, window)


def give_back(scope: str, limit: str, key: str | None = None) -> None:
    _amount, window = _rate(limit)
    limits_store.give_back_attempt(get_db(), scope, key or client_address(), window)


# Joining: wrong codes count per device (the cookie the join pages set) and per address.
JOIN_DEVICE_SCOPE = "join-device"
JOIN_ADDRESS_SCOPE = "join-code"


def device_id() -> str | None:
    """This tablet's device cookie, when it is one this server could have set."""
    value = request.cookies.get(DEVICE_COOKIE, "")
    return value if _DEVICE_RE.fullmatch(value) else None


def join_over_limits() -> bool:
    """Whether this device, or this whole address, has guessed too many wrong codes.

    A device is slowed after ``KEPU_JOIN_DEVICE_LIMIT`` (default 10/minute) while its
    classmates behind the same NAT still join; an address as a whole only past
    ``KEPU_JOIN_FAILURE_LIMIT`` (default 200/minute), so a script cannot walk the codes.
    """
    config = current_app.config
    device = device_id()
    if device and over_limit(JOIN_DEVICE_SCOPE, config["KEPU_JOIN_DEVICE_LIMIT"], device):
        return True
    return over_limit(JOIN_ADDRESS_SCOPE, config["KEPU_JOIN_FAILURE_LIMIT"])


def count_join_failure() -> None:
    config = current_app.config
    device = device_id()
    if device:
        count_failure(JOIN_DEVICE_SCOPE, config["KEPU_JOIN_DEVICE_LIMIT"], device)
    count_failure(JOIN_ADDRESS_SCOPE, config["KEPU_JOIN_FAILURE_LIMIT"])


def set_device_cookie(response):
    """Give a tablet that has none its device cookie (random; it names no one)."""
    if device_id() is None:
        response.set_cookie(
            DEVICE_COOKIE, secrets.token_urlsafe(18), max_age=DEVICE_COOKIE_MAX_AGE,
            httponly=True, samesite="Lax", path="/",
        )  # fmt: skip
    return response
