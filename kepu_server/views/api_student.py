"""Student API: join, me, quiz, answers, submit, section moves and guide ticks.

Students authenticate with the participant token from ``POST /api/v1/join``
(``Authorization: Bearer p_...``; the tablet script always sends it). The same token also
arrives as an HttpOnly cookie so the server-rendered ``/me`` page finds the seat; cookie-only
writes go through the app-wide CSRF check. No answer key or explanation leaves this module
before the student has submitted (see ``student_state``).
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, make_response, request
from flask_babel import gettext as _

from kepu_server.catalog import get_catalog
from kepu_server.classroom import contest, contest_state
from kepu_server.classroom import participants as seats
from kepu_server.classroom.sessions import decode as decode_session
from kepu_server.classroom.sessions import open_session_by_code, session_content
from kepu_server.errors import ApiError
from kepu_server.security import count_join_failure, join_over_limits
from kepu_server.session_events import emit_session_event
from kepu_server.store import polls
from kepu_server.store.db import get_db
from kepu_server.store.repairs import ended_session_by_code
from kepu_server.tokens import hash_token
from kepu_server.views import contest_json, seat_answers, teaching_web
from kepu_server.views import student_state as state
from kepu_server.views.common import json_body
from kepu_server.views.student_openapi import OPENAPI_PATHS  # noqa: F401 - merged by openapi

bp = Blueprint("api_student", __name__, url_prefix="/api/v1")


def _session_brief(session: dict) -> dict:
    course, lesson, quiz, guides = session_content(get_catalog(), session)
    return {
        "id": session["id"],
        "code": session["code"],
        "course": course.id if course else session["course_id"],
        "course_title": course.title_in(session["language"]) if course else None,
        "lesson": lesson.id if lesson else None,
        "lesson_title": lesson.title if lesson else None,
        "quiz": quiz.id if quiz else None,
        "guides": [g.id for g in guides],
        "pacing": session["pacing"],
        "review": bool(session["review"]),
        "state": session["state"],
        "roster": session["roster"] is not None,
    }


def join_class(code, name, token: str | None) -> tuple[dict, dict, str, bool]:
    """Shared by the API and the no-script join form: ``(session, participant, token, rejoined)``."""
    if join_over_limits():
        raise ApiError(429, "too_many_requests", _("Too many wrong codes. Wait a minute."))
    code = "".join(str(code or "").split())
    if not code.isdigit() or len(code) != 6:
        count_join_failure()
        raise ApiError(400, "bad_code", _("The join code has 6 digits."))
    db = get_db()
    session = open_session_by_code(db, code)
    if session is None:
        count_join_failure()
        if ended_session_by_code(db, code) is not None:
            raise ApiError(404, "session_ended", ended_message())
        raise ApiError(404, "no_session", _("No class with this code is running. Check the code."))
    try:
        participant, token, rejoined = seats.join_session(
            db,
            session,
            name,
            token,
            current_app.config["KEPU_MAX_PARTICIPANTS"],
            xapi=teaching_web.xapi_reporter(),
        )
    except seats.NameTaken as exc:
        if exc.suggestion:
            exc.message = _("Someone in this class already uses this name. Try %(name)s?",
                            name=exc.suggestion)  # fmt: skip
        else:
            exc.message = _("This name has already joined on another tablet. Ask your teacher.")
        raise
    except ApiError as exc:
        if exc.code in _JOIN_MESSAGES:
            exc.message = _JOIN_MESSAGES[exc.code]()
        raise
    if not rejoined:
        emit_session_event({"type": "joined", "session": session["id"],
                            "participant": participant["id"], "name": participant["name"]})  # fmt: skip
    if contest_state.is_contest(session) and not participant["submitted_at"]:
        # Joining once the contest has finished: handed in at once, as every seat at the end.
        if contest.hand_in_late_seat(db, session["id"], participant["id"],
                                     state.session_quiz(session), get_catalog().question_types,
                                     teaching_web.xapi_reporter(), emit_session_event):  # fmt: skip
            participant = seats.get_participant(db, participant["id"])
    return session, participant, token, rejoined


def ended_message() -> str:
    return _(
        "This class has ended. Ask your teacher for the code of the next class and type it here."
    )


_JOIN_MESSAGES = {
    "bad_name": lambda: _("Type a name of 1 to 40 letters."),
    "joining_closed": lambda: _("The teacher has closed joining for this class."),
    "not_on_roster": lambda: _("Tap your own name in the list."),
    "class_full": lambda: _("This class is full. Ask your teacher."),
}


def set_seat_cookie(response, token: str):
    response.set_cookie(
        state.PARTICIPANT_COOKIE, token, max_age=state.COOKIE_MAX_AGE, httponly=True,
        samesite="Lax", path="/",
    )  # fmt: skip
    return response


@bp.post("/join")
def join():
    try:
        data = json_body(required=("code", "name"))
    except ApiError as exc:
        if exc.code == "missing_field":
            exc.message = _("Type the join code and your name.")
        raise
    token = data.get("token")
    if token is not None and not isinstance(token, str):
        raise ApiError(400, "bad_request", "'token' must be the text of a seat's token")
    token = token or state.request_token()
    try:
        session, participant, token, rejoined = join_class(data["code"], data["name"], token)
    except seats.NameTaken as exc:
        body = {"error": {"code": exc.code, "message": exc.message, "suggestion": exc.suggestion}}
        return jsonify(body), 409
    body = {
        "token": token,
        "session": _session_brief(session),
        "participant": {"id": participant["id"], "name": participant["name"]},
        "rejoined": rejoined,
    }
    # 200 either way (like signing in): ``rejoined`` says whether the seat was there already.
    return set_seat_cookie(make_response(jsonify(body), 200), token)


@bp.get("/me")
def me():
    ticks, answers = _poll_seat()
    participant, session = state.current_seat()
    etag = state.me_etag(participant, session, ticks, answers)
    seats.touch(get_db(), participant)
    if etag in request.if_none_match:
        response = make_response("", 304)
    else:
        body = state.me_state(participant, session)
        if contest_state.is_contest(session):
            body["contest"] = contest_json.seat_contest(participant, session)
        response = jsonify(body)
    response.set_etag(etag)
    response.headers["Cache-Control"] = state.ME_CACHE_CONTROL
    return response


def _poll_seat() -> tuple[str | None, str | None]:
    """The poll's seat, class, ticks and answers signatures in one query (``current_seat``
    then reuses them)."""
    token = state.request_token()
    if not token or not token.startswith(seats.TOKEN_PREFIX) or "kepu_seat" in g:
        return None, None  # not a seat token: ``current_seat`` answers 401 or 403 as usual
    found = polls.seat_poll(get_db(), hash_token(token))
    if found is None:
        return None, None
    participant, session, ticks, answers = found
    g.kepu_seat = (participant, decode_session(session))
    return ticks, answers


def _open_quiz(participant: dict, session: dict, *, for_reading: bool = False):
    return seat_answers.open_quiz(get_catalog(), participant, session, state.chosen_language(),
                                  for_reading=for_reading)  # fmt: skip


@bp.get("/me/quiz")
def my_quiz():
    participant, session = state.current_seat()
    course, quiz = _open_quiz(participant, session, for_reading=True)
    if contest_state.phase(session) not in (None, "finished"):
        # A contest shows one question at a time, in ``GET /me``: never the quiz ahead.
        raise ApiError(409, "quiz_closed", _("The quiz is not open yet."))
    answers = state.answers_for_seat(
        quiz, state.session_quiz(session), seats.saved_answers(get_db(), participant["id"])
    )
    body = {
        "id": quiz.id,
        "title": quiz.title,
        "submitted": bool(participant["submitted_at"]),
        "questions": state.student_questions(course, quiz, participant, answers),
    }
    if participant["submitted_at"]:
        body["result"] = state.submission(course, quiz, participant, session)
    response = jsonify(body)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.put("/me/answers/<question>")
def save_answer(question):
    # The rules are seat_answers.save_seat_answer's, which the answer lane calls too.
    participant, session = state.current_seat()
    data = json_body(required=("response",))
    body = seat_answers.save_seat_answer(get_catalog(), get_db(), current_app._get_current_object(),
                                         participant, session, question, data,
                                         state.chosen_language())  # fmt: skip
    return jsonify(body)


@bp.post("/me/submit")
def submit():
    participant, session = state.current_seat()
    course, quiz = _open_quiz(participant, session, for_reading=True)
    if contest_state.phase(session) not in (None, "finished"):
        raise ApiError(409, "contest_running", _("The contest hands in for you at the end."))
    participant, new = seats.submit(
        get_db(),
        participant["id"],
        state.session_quiz(session),
        get_catalog().question_types,
        xapi=teaching_web.xapi_reporter(),
    )
    if new:
        emit_session_event(seats.submitted_event(session["id"], participant))
    return jsonify(state.submission(course, quiz, participant, session))


@bp.put("/me/section")
def move_section():
    participant, session = state.current_seat()
    data = json_body(required=("section",))
    _course, lesson, _quiz, _guides = session_content(get_catalog(), session)
    if lesson is None:
        raise ApiError(404, "no_lesson", "this class has no lesson")
    if session["pacing"] != "self":
        raise ApiError(409, "teacher_paced", _("Your teacher chooses the page in this class."))
    index = data["section"]
    if isinstance(index, bool) or not isinstance(index, int):
        raise ApiError(400, "bad_section", "'section' must be a whole number")
    if not 0 <= index < len(lesson.sections):
        raise ApiError(400, "bad_section", f"'section' must be 0 to {len(lesson.sections) - 1}")
    seats.set_section(get_db(), participant["id"], index)
    return jsonify({"section": index})


@bp.put("/me/guides/<guide>/steps/<int:step>")
def tick_step(guide, step):
    guide_id = guide  # the OpenAPI document's name; ``guide`` below is the Guide itself
    participant, session = state.current_seat()
    data = json_body(required=("done",))
    _course, _lesson, _quiz, guides = session_content(get_catalog(), session)
    guide = next((g for g in guides if g.id == guide_id), None)
    if guide is None:
        raise ApiError(404, "unknown_guide", f"no guide {guide_id!r} in this class")
    if not 0 <= step < len(guide.steps):
        raise ApiError(
            404, "unknown_step", f"guide {guide_id!r} has steps 0 to {len(guide.steps) - 1}"
        )
    if not isinstance(data["done"], bool):
        raise ApiError(400, "bad_done", "'done' must be true or false")
    seats.set_tick(get_db(), participant["id"], guide.id, step, data["done"])
    return jsonify({"guide": guide.id, "step": step, "done": data["done"]})


def init_app(app) -> None:
    app.register_blueprint(bp)
