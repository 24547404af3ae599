"""Student API: join, me, quiz, answers, submit."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api_student", __name__, url_prefix="/api/v1")


def init_app(app) -> None:
    app.register_blueprint(bp)
