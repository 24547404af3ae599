"""Student pages on the tablet: /j, /j/<code>, /me."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("student", __name__)


def init_app(app) -> None:
    app.register_blueprint(bp)
