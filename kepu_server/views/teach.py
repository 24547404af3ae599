"""Teacher pages: launch, present, dashboard, history."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("teach", __name__, url_prefix="/teach")


def init_app(app) -> None:
    app.register_blueprint(bp)
