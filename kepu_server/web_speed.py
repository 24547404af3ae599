"""Per-request costs that every request paid and none needed (issue 11's profile).

- The signed-cookie session built an itsdangerous serializer twice per request (it even
  serialises ``{}`` once to test it), with or without a cookie: now one per secret key.
- Flask asks ``inspect.iscoroutinefunction`` of every hook and view on every request
  (``ensure_sync``, seven times for a tablet's poll): now once per function.
- The security headers were four ``Headers.setdefault`` calls on every response (werkzeug
  scans the header list each time): now added where the response starts, in one pass over
  the plain list of header pairs.
"""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with the serializer kept for as long as its keys."""

    _cached: tuple = (None, None)

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached_keys, serializer = self._cached
        if cached_keys != keys:
            serializer = super().get_signing_serializer(app)
            self._cached = (keys, serializer)
        return serializer

    def save_session(self, app, session, response) -> None:
        if not session and not session.modified:
            if session.accessed:  # as Flask does, without parsing Vary when there is none
                if "Vary" in response.headers:
                    response.vary.add("Cookie")
                else:
                    response.headers["Vary"] = "Cookie"
            return  # nothing to set or to delete
        super().save_session(app, session, response)


def with_default_headers(wsgi_app, headers: list[tuple[str, str]]):
    """Wrap ``wsgi_app`` so every response carries ``headers`` unless it set them itself."""

    def app(environ, start_response):
        def start(status, response_headers, exc_info=None):
            present = {name.lower() for name, _value in response_headers}
            response_headers.extend(h for h in headers if h[0].lower() not in present)
            return start_response(status, response_headers, exc_info)

        return wsgi_app(environ, start)

    return app


def remembered_ensure_sync(ensure_sync, limit: int = 1024):
    """``app.ensure_sync`` that works out each function's wrapper once. Hooks and views are
    registered at start-up; a function made per request (``after_this_request``) would fill
    the dictionary, so it stops growing at ``limit`` entries and the rest are asked anew."""
    known: dict = {}

    def ensure(func):
        found = known.get(func)
        if found is None:
            found = ensure_sync(func)
            if len(known) < limit:
                known[func] = found
        return found

    return ensure


def init_app(app, default_headers: list[tuple[str, str]]) -> None:
    app.session_interface = CookieSessionInterface()
    app.ensure_sync = remembered_ensure_sync(app.ensure_sync)
    app.wsgi_app = with_default_headers(app.wsgi_app, default_headers)
