"""Admin pages: teacher accounts."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin_users", __name__, url_prefix="/admin")


def init_app(app) -> None:
    app.register_blueprint(bp)
