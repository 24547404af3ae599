"""Teacher API: class sessions, live state, results (issue: teachers)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api_teacher", __name__, url_prefix="/api/v1")


def init_app(app) -> None:
    app.register_blueprint(bp)
