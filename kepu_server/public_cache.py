"""Answers that do not depend on who is asking, served in front of Flask (issue 11).

A cached public page still cost Flask's whole request: the context, the session, babel's
locale, the CSRF and language hooks and the response object, about twice the bare floor.
``with_public_cache`` sits in front of the Flask app, at the WSGI level, and answers a
request it has seen before from the bytes Flask sent the first time:

- Only GET and HEAD with no ``Authorization`` header and no cookie but the language cookie
  (its value is part of the key) and the device cookie (read by the join pages only, never
  stored). A teacher's session, a seat's cookie or any other cookie goes to Flask.
- Only a response the view marked public (``mark_public``: the anonymous page cache, the
  content JSON, health), a 200 with no ``Set-Cookie``, to a GET. Nothing else is stored.
- The key holds every input those views read: host, path, query string as received, the
  language cookie's values and ``Accept-Language``, and the entry lives on the catalog
  snapshot, so a rebuild starts an empty cache. HEAD is answered from the GET's entry.
- Stored: the status, every header Flask sent (security headers, ETag, Vary, length) and
  the body; a request whose ``If-None-Match`` holds the ETag gets the 304 Flask gives.
- At most ``ENTRIES`` entries and ``MAX_BYTES`` of bodies (least recently used go first).
- If a plugin adds a request hook of its own, nothing is served from here: a hit would skip it.

``/api/v1/me`` is never looked up here: a tablet's poll is personal. Its unchanged 304 has a
lane of its own, inside this one (``seat_lane.py``), keyed on the seat as the view keys it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from werkzeug.http import parse_cookie, parse_etags, remove_entity_headers, unquote_etag

PUBLIC_MARK = "kepu.public_response"
ENTRIES = 512
MAX_BYTES = 16 * 1024 * 1024
CORE_HOOK_MODULES = ("kepu_server.", "flask_wtf.csrf")
PLUGIN_MODULES = "kepu_server.default_plugins"
NEVER = ("/teach", "/admin", "/api/v1/me", "/j", "/login", "/static")


def mark_public(environ: dict) -> None:
    """Say that this request's response is the same for everyone who may be served it."""
    environ[PUBLIC_MARK] = True


class ResponseCache:
    """A thread-safe LRU of ``key -> (status, headers, body, etag, headers of its 304)``."""

    def __init__(self, entries: int = ENTRIES, max_bytes: int = MAX_BYTES):
        self.entries, self.max_bytes = entries, max_bytes
        self._items: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key):
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key, entry) -> None:
        size = len(entry[2])
        if size > self.max_bytes // 8:
            return  # one huge answer must not push out everything else
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old[2])
            self._items[key] = entry
            self._bytes += size
            while len(self._items) > self.entries or self._bytes > self.max_bytes:
                _key, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped[2])


def with_public_cache(wsgi_app, snapshot_cache: Callable[[], ResponseCache | None],
                      allowed_cookies: frozenset[str]):  # fmt: skip
    """Wrap ``wsgi_app``; ``snapshot_cache()`` is the current snapshot's cache (None: off)."""

    def app(environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        if (
            (method != "GET" and method != "HEAD")
            or "HTTP_AUTHORIZATION" in environ
            or path.startswith(NEVER)
        ):
            return wsgi_app(environ, start_response)
        langs: tuple = ()
        raw_cookie = environ.get("HTTP_COOKIE")
        if raw_cookie:
            cookies = parse_cookie(raw_cookie)
            if any(name not in allowed_cookies for name in cookies):
                return wsgi_app(environ, start_response)  # possibly someone's: Flask decides
            langs = tuple(cookies.getlist("lang"))
        cache = snapshot_cache()
        if cache is None:
            return wsgi_app(environ, start_response)
        key = (environ.get("HTTP_HOST"), environ.get("wsgi.url_scheme"),
               environ.get("SCRIPT_NAME", ""), path, environ.get("QUERY_STRING", ""), langs,
               environ.get("HTTP_ACCEPT_LANGUAGE"))  # fmt: skip
        hit = cache.get(key)
        if hit is not None:
            return _answer(hit, environ, start_response, method)
        if method != "GET":
            return wsgi_app(environ, start_response)
        sent: list = []

        def start(status, headers, exc_info=None):
            sent[:] = [status, list(headers)]
            return start_response(status, headers, exc_info)

        result = wsgi_app(environ, start)
        if not environ.get(PUBLIC_MARK) or not sent or sent[0] != "200 OK":
            return result
        status, headers = sent
        etag = None
        for name, value in headers:
            lowered = name.lower()
            if lowered == "set-cookie":
                return result  # e.g. ?lang= remembered in a cookie: not for anyone else
            if lowered == "etag":
                etag, weak = unquote_etag(value)
                etag = None if weak else etag
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        not_modified = list(headers)
        remove_entity_headers(not_modified)  # what werkzeug leaves on the 304 it sends
        cache.put(key, (status, tuple(headers), body, etag, tuple(not_modified)))
        return [body]

    return app


def _answer(hit, environ, start_response, method):
    status, headers, body, etag, not_modified = hit
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if etag is not None and if_none_match and etag in parse_etags(if_none_match):
        start_response("304 NOT MODIFIED", list(not_modified))
        return []
    start_response(status, list(headers))
    return [] if method == "HEAD" else [body]


def core_hooks_only(app, scopes: tuple = (None,)) -> bool:
    """Whether every request hook of ``scopes`` is the core's (a plugin's would be skipped).

    ``None`` is the app-wide scope; a blueprint's name adds that blueprint's own hooks
    (seat_lane.py asks for ``api_student``'s). Flask-WTF's own hook only checks unsafe
    methods (and is off: security.py checks).
    """
    for registry in (app.before_request_funcs, app.after_request_funcs,
                     app.teardown_request_funcs, app.url_value_preprocessors):  # fmt: skip
        if not all(core_hook(f) for scope in scopes for f in registry.get(scope, ())):
            return False
    return True


def core_hook(func) -> bool:
    """Whether ``func`` (a hook Flask would call) is the core's own, not a plugin's."""
    module = getattr(func, "__module__", "") or ""
    return module.startswith(CORE_HOOK_MODULES) and not module.startswith(PLUGIN_MODULES)


def init_app(app, allowed_cookies: frozenset[str]) -> None:
    """Put the cache in front of ``app.wsgi_app`` (after the default headers are added)."""
    checked: list[bool] = []

    def snapshot_cache() -> ResponseCache | None:
        if not checked:
            checked.append(bool(app.config.get("KEPU_PUBLIC_CACHE", True)) and core_hooks_only(app))
        if not checked[0]:
            return None
        catalog = app.extensions["kepu"].current()
        found = catalog.response_cache.get(("public_cache",))
        if found is None:
            found = catalog.response_cache.setdefault(("public_cache",), ResponseCache())
        return found

    app.wsgi_app = with_public_cache(app.wsgi_app, snapshot_cache, allowed_cookies)
