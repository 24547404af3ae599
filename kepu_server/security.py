"""Headers, CSRF and rate limiting, wired once for the whole app.

CSRF (Flask-WTF) applies to every unsafe request authenticated by a cookie; calls that carry
``Authorization: Bearer`` (scripts, tablets) need none, since a browser never adds that header
by itself. The Content-Security-Policy forbids inline and foreign scripts: nothing from a
content pack or a course's Markdown can run.
"""

from __future__ import annotations

import ipaddress

from flask import current_app, request, session
from flask_wtf.csrf import CSRFError, CSRFProtect
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from kepu_server.auth import bearer_token
from kepu_server.errors import ApiError

csrf = CSRFProtect()
# The tablet's seat cookie, set by joining (views/api_student.py, views/student.py).
PARTICIPANT_COOKIE = "kepu_participant"

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'; "
    "form-action 'self'"
)
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
    app.config.setdefault("KEPU_JOIN_FAILURE_LIMIT", "20/minute")
    csrf.init_app(app)
    app.extensions["kepu_limits"] = MovingWindowRateLimiter(MemoryStorage())

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
        if request.path.startswith("/api/") and request.is_json and _same_origin():
            # A JSON body is no form: another site's page cannot send one without a CORS
            # preflight, which this server never grants. DESIGN asks CSRF tokens of forms.
            return
        try:
            csrf.protect()
        except CSRFError as exc:
            raise ApiError(400, "csrf_failed", exc.description) from None

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
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


def over_limit(scope: str, limit: str, key: str | None = None) -> bool:
    """True when ``scope`` has already used up ``limit`` (e.g. "10/minute") for this address.

    Only failures are counted (``count_failure``): a whole class joining from one address
    behind the school's NAT must never be locked out by its own successful joins.
    """
    limiter = current_app.extensions["kepu_limits"]
    return not limiter.test(parse(limit), scope, key or client_address())


def count_failure(scope: str, limit: str, key: str | None = None) -> None:
    current_app.extensions["kepu_limits"].hit(parse(limit), scope, key or client_address())
