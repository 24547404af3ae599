"""Teacher API of the quiz contest: ``GET``/``POST /api/v1/sessions/<id>/contest``.

Teacher auth and CSRF as every teacher call (cookie forms need the CSRF token, Bearer tokens
do not); another teacher's session is a 404. The projector page and a clicker script use it.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from kepu_server.auth import current_user, teacher_required
from kepu_server.catalog import get_catalog
from kepu_server.classroom import contest as contest_actions
from kepu_server.classroom import contest_state as cs
from kepu_server.classroom import teaching
from kepu_server.classroom.sessions import session_content
from kepu_server.errors import ApiError
from kepu_server.session_events import emit_session_event
from kepu_server.store.db import get_db
from kepu_server.views import teaching_web
from kepu_server.views.common import conditional_json, json_body
from kepu_server.views.contest_json import teacher_contest

bp = Blueprint("api_contest", __name__, url_prefix="/api/v1")


def contest_session(session_id: str) -> dict:
    """The teacher's own contest session, or 404 / 409 ``not_contest``."""
    row = teaching.owned_session(get_db(), session_id, current_user())
    if not cs.is_contest(row):
        raise ApiError(409, "not_contest", "this session is not a contest")
    return row


@bp.get("/sessions/<id>/contest")
@teacher_required
def contest_get(id):
    return conditional_json(teacher_contest(contest_session(id)))


@bp.post("/sessions/<id>/contest")
@teacher_required
def contest_post(id):
    row = contest_session(id)
    data = json_body(required=("action",))
    catalog = get_catalog()
    quiz = session_content(catalog, row)[2]
    row = contest_actions.act(
        get_db(), row, data["action"], quiz, catalog.question_types,
        xapi=teaching_web.xapi_reporter(), on_event=emit_session_event,
    )  # fmt: skip
    return jsonify(teacher_contest(row))


def init_app(app) -> None:
    app.register_blueprint(bp)


_ERR = {"$ref": "#/components/responses/Error"}
_AUTH = [{"bearer": []}, {"cookie": []}]
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
       "description": "The session id returned by POST /api/v1/sessions"}  # fmt: skip
_BAR = {"type": "object", "properties": {"label": {"type": "string"},
        "count": {"type": "integer"}, "correct": {"type": ["boolean", "null"]}}}  # fmt: skip
_CONTEST = {
    "type": "object",
    "required": ["state", "index", "count", "question", "deadline", "answered", "joined",
                 "distribution"],
    "properties": {
        "state": {"enum": list(cs.STATES)},
        "index": {"type": ["integer", "null"], "description": "0-based; null before the first"},
        "count": {"type": "integer"},
        "seconds": {"type": "integer", "description": "Per question; 0: until closed"},
        "question": {"type": ["object", "null"],
                     "description": "The open question in full, answer key included"},
        "deadline": {"type": ["string", "null"], "format": "date-time",
                     "description": "Server time when answering closes"},
        "seconds_left": {"type": ["number", "null"]},
        "server_time": {"type": "string", "format": "date-time"},
        "answered": {"type": "integer"},
        "joined": {"type": "integer"},
        "distribution": {"type": ["object", "null"], "properties": {
            "kind": {"enum": ["options", "buckets", "common", "right_wrong"]},
            "answered": {"type": "integer"}, "right": {"type": ["integer", "null"]},
            "bars": {"type": "array", "items": _BAR}}},
        "leaderboard_on": {"type": "boolean"},
        "leaderboard": {"type": "array", "description": "Only when on, after a reveal",
                        "items": {"type": "object"}},
    },
}  # fmt: skip
_ACTION = {"type": "object", "required": ["action"],
           "properties": {"action": {"enum": list(contest_actions.ACTIONS)}}}  # fmt: skip

OPENAPI_PATHS = {
    "/api/v1/sessions/{id}/contest": {
        "get": {
            "summary": "Contest state for the projector: the question with its key, counts",
            "tags": ["contest"], "security": _AUTH,
            "parameters": [_ID, {"name": "If-None-Match", "in": "header",
                                 "schema": {"type": "string"}}],
            "responses": {"200": {"description": "the contest",
                                  "content": {"application/json": {"schema": _CONTEST}}},
                          "304": {"description": "Nothing changed since the ETag sent"},
                          "401": _ERR, "403": _ERR, "404": _ERR, "409": _ERR},
        },
        "post": {
            "summary": "Contest control: next question, close answering, reveal",
            "description": "next opens the next question (its deadline starts) or, after the "
                           "last, finishes the contest and hands in every seat; close ends "
                           "answering early; reveal closes and shows the answer and counts.",
            "tags": ["contest"], "security": _AUTH, "parameters": [_ID],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": _ACTION}}},
            "responses": {"200": {"description": "the new contest state",
                                  "content": {"application/json": {"schema": _CONTEST}}},
                          "400": _ERR, "401": _ERR, "403": _ERR, "404": _ERR, "409": _ERR,
                          "503": _ERR},
        },
    },
}  # fmt: skip
