"""Every error becomes a friendly page or a JSON body; never a stack trace.

Under ``/api/`` the body is ``{"error": {"code": ..., "message": ...}}``; elsewhere a short page
in the reader's language with a way back to the catalog.
"""

from __future__ import annotations

import logging

from flask import jsonify, make_response, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from kepu_server.errors import ApiError
from kepu_server.store.db import storage_unavailable

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5

CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
    422: "invalid", 429: "too_many_requests", 500: "server_error", 503: "storage_unavailable",
}  # fmt: skip


def _page_message(status: int) -> str:
    """What a page says for an HTTP error Werkzeug raised (its own text is English)."""
    messages = {
        400: lambda: _(
            "The browser sent something the server could not read. Go back and try again."
        ),
        404: lambda: _("Check the address, or go back to the courses."),
        405: lambda: _(
            "This address cannot be used like that. Go back and use the page's buttons."
        ),
        413: lambda: _("That file is too large."),
        429: lambda: _("Too many tries. Wait a minute and try again."),
    }
    return messages.get(status, lambda: _("That did not work."))()


def error_response(status: int, code: str, message: str, page_message: str | None = None):
    if request.path.startswith("/api/") or request.path.startswith("/x/") and request.is_json:
        response = jsonify({"error": {"code": code, "message": message}})
        response.status_code = status
        if status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response
    try:
        body = render_template(
            "errors/error.html", status=status, code=code, message=page_message or message
        )
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        log.exception("error page failed")
        body = f"<!doctype html><title>{status}</title><h1>{status}</h1>"
    return body, status


def init_app(app) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        response = make_response(
            error_response(
                status,
                CODES.get(status, "error"),
                exc.description or exc.name,
                _page_message(status),
            )
        )
        if status == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)  # RFC 9110: 405 has Allow
        return response

    app.extensions["kepu_unexpected_errors"] = []

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        reason = storage_unavailable(exc)
        if reason is not None:
            # One line per request, no traceback: the fix is outside the code (free the disk).
            log.warning("storage unavailable on %s %s: %s", request.method, request.path, reason)
            response = error_response(
                503, "storage_unavailable", "The server cannot save just now. Try again soon."
            )
            response = make_response(response)
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        log.exception("unexpected error on %s %s", request.method, request.path)
        # Kept for the test suite, which fails any test during which a request got a 500.
        app.extensions["kepu_unexpected_errors"].append(f"{request.method} {request.path}: {exc!r}")
        return error_response(500, "server_error", "Something went wrong on the server.")
