"""Teacher API: launch class sessions, control them, watch them live, read and delete results.

Every route needs a teacher (cookie session or ``kepu_`` API token): 401 without credentials,
403 for a student's participant token, 404 for another teacher's session (admins see all).
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _
from flask_babel import to_user_timezone

from kepu_server.auth import current_user, teacher_required
from kepu_server.catalog import get_catalog
from kepu_server.classroom import results as session_results
from kepu_server.classroom import teaching
from kepu_server.classroom.sessions import create_class_session
from kepu_server.errors import ApiError
from kepu_server.store.db import get_db
from kepu_server.views import teaching_web
from kepu_server.views.api_teacher_spec import OPENAPI_PATHS  # noqa: F401 - merged by openapi
from kepu_server.views.common import conditional_json, json_body, unless_unchanged

# As ``conditional_json``: a teacher's results and live polls (304 while nothing changed).
LIVE_CACHE_CONTROL = "private, max-age=0, must-revalidate"
bp = Blueprint("api_teacher", __name__, url_prefix="/api/v1")

TARGETS = ("lesson", "quiz", "guide")


def launch_from_body(body: dict) -> dict:
    """Create a session from a ``POST /api/v1/sessions`` body; returns the session row."""
    course_id = body.get("course")
    if not isinstance(course_id, str) or not course_id:
        raise ApiError(400, "missing_field", "missing field: course")
    given = {key: body[key] for key in TARGETS if body.get(key) is not None}
    if len(given) != 1:
        raise ApiError(400, "bad_request", "give exactly one of 'lesson', 'quiz' or 'guide'")
    if not all(isinstance(v, str) for v in given.values()):
        raise ApiError(400, "bad_request", "'lesson', 'quiz' and 'guide' are ids (text)")
    course = get_catalog().course(course_id)
    if course is None:
        raise ApiError(404, "not_found", f"no course {course_id!r}")
    language = body.get("language")
    if language is not None and not isinstance(language, str):
        raise ApiError(400, "bad_request", "'language' must be a language code like 'zh'")
    return create_class_session(
        get_db(),
        teacher_id=current_user()["id"],
        course=course,
        lesson_id=given.get("lesson"),
        quiz_id=given.get("quiz"),
        guide_id=given.get("guide"),
        pacing=body.get("pacing", "teacher"),
        review=body.get("review", True),
        roster=body.get("roster"),
        language=language,
        mode=body.get("mode"),
        seconds=body.get("seconds"),
        leaderboard=body.get("leaderboard"),
        xapi=teaching_web.xapi_reporter(),
    )


def _state(row: dict) -> dict:
    return teaching_web.session_state(get_catalog(), get_db(), row)


# Session routes name their path variable ``id``, as DESIGN and the OpenAPI document do.
def _mine(session_id: str) -> dict:
    return teaching.owned_session(get_db(), session_id, current_user())


@bp.post("/sessions")
@teacher_required
def create_session():
    row = launch_from_body(json_body(required=("course",)))
    response = jsonify(_state(row))
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/sessions/{row['id']}"
    return response


@bp.get("/sessions")
@teacher_required
def list_sessions():
    state = request.args.get("state")
    if state not in (None, "open", "ended"):
        raise ApiError(400, "bad_request", "'state' must be 'open' or 'ended'")
    rows = teaching.list_sessions(get_db(), current_user(), state or None)
    catalog = get_catalog()
    return jsonify(
        [
            {
                "id": r["id"],
                "code": r["code"],
                "title": teaching.session_title(catalog, r),
                "course": r["course_id"],
                "lesson": r["lesson_id"],
                "quiz": r["quiz_id"],
                "guide": r["guide_id"],
                "state": r["state"],
                "pacing": r["pacing"],
                "participants": r["participant_count"],
                "teacher": r["teacher_name"],
                "created_at": r["created_at"],
                "ended_at": r["ended_at"],
            }
            for r in rows
        ]
    )


@bp.get("/sessions/<id>")
@teacher_required
def get_session_state(id):
    return conditional_json(_state(_mine(id)))


@bp.patch("/sessions/<id>")
@teacher_required
def control_session(id):
    db = get_db()
    row = teaching.open_owned_session(db, id, current_user())
    row = teaching.apply_controls(get_catalog(), db, row, json_body())
    return jsonify(_state(row))


@bp.post("/sessions/<id>/end")
@teacher_required
def end_session(id):
    db = get_db()
    row = teaching_web.end_session(db, _mine(id))
    return jsonify(_state(row))


@bp.delete("/sessions/<id>")
@teacher_required
def delete_session(id):
    teaching_web.delete_session(get_db(), _mine(id))
    return Response(status=204)


@bp.get("/sessions/<id>/results")
@teacher_required
def results(id):
    row = _mine(id)
    return unless_unchanged(
        "results",
        row,
        lambda: jsonify(session_results.results(get_db(), get_catalog(), row)),
        LIVE_CACHE_CONTROL,
    )


@bp.delete("/sessions/<id>/results")
@teacher_required
def delete_results(id):
    teaching.delete_results(get_db(), _mine(id))
    return Response(status=204)


def csv_headings() -> dict[str, str]:
    return {
        "name": _("Student name"),
        "submitted": _("Submitted"),
        "score": _("Score"),
        "max_score": _("Out of"),
        "handed_in_at": _("Handed in at"),
        "passed": _("Passed"),
        "right": _("right?"),
        "yes": _("yes"),
        "no": _("no"),
        "true": _("True"),
        "false": _("False"),
    }


def school_time(stamp: str) -> str:
    """A stored UTC time as the school's clock shows it (BABEL_DEFAULT_TIMEZONE)."""
    try:
        return to_user_timezone(datetime.fromisoformat(stamp)).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return stamp


def csv_response(row: dict, labels: bool = False) -> Response:
    """The results CSV as a download named after the session's join code and date.

    ``labels``: the teacher's Excel sheet (translated titles, option text); otherwise the
    results JSON as a table, responses exactly as submitted.
    """
    headings = csv_headings() if labels else None
    text = session_results.results_csv(get_db(), get_catalog(), row, headings, school_time)
    name = f"kepu-results-{row['created_at'][:10]}-{row['code']}.csv"
    return Response(
        text.encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/sessions/<id>/results.csv")
@teacher_required
def results_csv(id):
    return csv_response(_mine(id), labels=request.args.get("labels") in ("1", "true", "yes"))


@bp.get("/sessions/<id>/live")
@teacher_required
def live(id):
    row = _mine(id)
    return unless_unchanged("live", row, lambda: jsonify(session_results.live_dashboard(
        get_db(), get_catalog(), row, csv_headings())), LIVE_CACHE_CONTROL)  # fmt: skip


def init_app(app) -> None:
    app.register_blueprint(bp)
