"""Student pages on the tablet: /j (ask for a code), /j/<code> (the QR target), /me.

The pages are server-rendered so that plugin widgets can be ``{% include %}``d (PLUGIN_API.md);
``static/tablet.js`` then saves every answer through the student API with the bearer token it
keeps in localStorage, and keeps unsent answers there until the server has them.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from kepu_server.catalog import get_catalog
from kepu_server.classroom import participants as seats
from kepu_server.classroom.sessions import get_session, open_session_by_code, session_content
from kepu_server.errors import ApiError
from kepu_server.security import count_join_failure, join_over_limits
from kepu_server.store.db import get_db
from kepu_server.store.repairs import ended_session_by_code
from kepu_server.views import contest_json
from kepu_server.views import student_state as state
from kepu_server.views.api_student import ended_message, join_class, set_seat_cookie
from kepu_server.views.common import render_md

log = logging.getLogger(__name__)
bp = Blueprint("student", __name__)


def _cookie_seat() -> tuple[dict, dict] | tuple[None, None]:
    db = get_db()
    participant = seats.participant_by_token(db, request.cookies.get(state.PARTICIPANT_COOKIE))
    session = get_session(db, participant["session_id"]) if participant else None
    return (participant, session) if session else (None, None)


def _probe_code(code: str) -> tuple[dict | None, bool]:
    """``(open session or None, over the limit)`` for a code in the address bar.

    The page shows a found class's title and roster, so a miss here is a wrong guess just
    like a failed join: counted per address, and nothing is looked up once over the limit.
    """
    if not (code.isdigit() and len(code) == 6):
        return None, False
    if join_over_limits():
        return None, True
    session = open_session_by_code(get_db(), code)
    if session is None:
        count_join_failure()
    return session, False


def _join_page(
    code: str = "", error: str | None = None, status: int = 200, name: str = "", session=None
):
    participant, seat_session = _cookie_seat()
    resume = None
    if participant and seat_session["state"] == "open":
        resume = {"name": participant["name"], "code": seat_session["code"]}
    title = None
    if session is not None:
        course, lesson, quiz, _guides = session_content(get_catalog(), session)
        title = (lesson.title if lesson else quiz.title if quiz else None) or (
            course.title_in(session["language"]) if course else None
        )
    body = render_template(
        "student/join.html", code=code, name=name, error=error, session=session,
        roster=session["roster"] if session else None, class_title=title, resume=resume,
    )  # fmt: skip
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _too_many(code: str):
    return _join_page(code, _("Too many wrong codes. Wait a minute."), 429)


@bp.get("/j")
def join_start():
    code = request.args.get("code", "").strip()
    session, refused = _probe_code(code)
    return _too_many(code) if refused else _join_page(code, session=session)


@bp.get("/j/<code>")
def join_code(code):
    code = "".join(code.split())
    session, refused = _probe_code(code)
    if refused:
        return _too_many(code)
    if session is not None and session["roster"] and request.args.get("pick"):
        # Sent here after typing a name into a class that has a list of names.
        return _join_page(
            code, _("This class has a list of names. Tap your own name."), session=session
        )
    if session is None and code.isdigit() and len(code) == 6:
        if ended_session_by_code(get_db(), code) is not None:
            # Not the child's typing: the class is over. Offer an empty box for the next code.
            return _join_page("", ended_message(), 404)
        return _join_page(code, _("No class with this code is running. Check the code."), 404)
    return _join_page(code, session=session)


@bp.post("/j")
def join_form():
    """The join form without script: same rules as ``POST /api/v1/join``."""
    code = request.form.get("code", "")
    name = request.form.get("name", "")
    try:
        _session, _participant, token, _rejoined = join_class(
            code, name, request.cookies.get(state.PARTICIPANT_COOKIE)
        )
    except ApiError as exc:
        clean = "".join(code.split())
        # The code was right when the name was the problem: show that class (its roster).
        found = exc.code not in ("bad_code", "no_session", "session_ended", "too_many_requests")
        session = open_session_by_code(get_db(), clean) if found else None
        if exc.code == "session_ended":
            clean = ""
        return _join_page(clean, exc.message, exc.status, name, session=session)
    return set_seat_cookie(redirect(url_for("student.me")), token)


def _review_prompts(course, quiz, result) -> dict:
    if not (result and result.get("questions") and course):
        return {}
    return {q.id: Markup(render_md(course, q.prompt)) for q in quiz.questions}


@bp.get("/me")
def me():
    participant, session = _cookie_seat()
    if participant is None:
        return redirect(url_for("student.join_start"))
    if session["state"] != "open":
        # The class is over, so the review (when the teacher allows one) is open to all.
        course, _lesson, quiz, _guides = state.seat_content(session)
        result = None
        if participant["submitted_at"] and quiz is not None:
            result = state.submission(course, quiz, participant, session)
        body = render_template(
            "student/ended.html", participant=participant, session=session, result=result,
            prompts=_review_prompts(course, quiz, result),
        )  # fmt: skip
        return make_response(body, 200)
    course, lesson, quiz, guides = state.seat_content(session)
    chosen = state.chosen_language()
    # The English switch on a course with no English version: say so, show the original.
    untranslated = bool(course and chosen and chosen not in course.languages)
    db = get_db()
    answers = state.answers_for_seat(
        quiz, state.session_quiz(session), seats.saved_answers(db, participant["id"])
    )
    ticks = seats.ticks_of(db, participant["id"])
    submitted = bool(participant["submitted_at"])
    questions = []
    contest = contest_json.seat_contest(participant, session)
    if contest is not None:
        # A contest: only the question on the projector, with its widget (never the rest).
        question = contest.get("question")
        if question is not None and not submitted:
            questions = [({k: v for k, v in question.items() if k != "response"},
                          question["response"])]  # fmt: skip
    elif quiz is not None and session["quiz_open"] and not submitted:
        # (public question, the student's saved response): the response is kept out of the
        # dict a plugin widget receives as ``question``.
        questions = [
            ({k: v for k, v in q.items() if k != "response"}, q["response"])
            for q in state.student_questions(course, quiz, participant, answers)
        ]
    result = state.submission(course, quiz, participant, session) if submitted and quiz else None
    # After handing in, the review names each question again: "question 3 was wrong" alone
    # leaves a child guessing which one that was.
    prompts = _review_prompts(course, quiz, result)
    types = get_catalog().question_types
    token = request.cookies.get(state.PARTICIPANT_COOKIE)
    body = render_template(
        "student/me.html", participant=participant, session=session, course=course,
        lesson=lesson, quiz=quiz, guides=guides, questions=questions, result=result, prompts=prompts,
        ticks=ticks, token=token, widgets=_working_widgets(types, questions),
        section_index=state.shown_section(session, participant, lesson),
        etag=state.me_etag(participant, session), render_section=_section_renderer(course),
        lang=chosen if course and chosen in course.languages else session["language"],
        untranslated=untranslated, contest=contest,
    )  # fmt: skip
    response = make_response(body)
    # The page carries the seat's token for the script: never store it in a shared cache.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _working_widgets(types: dict, questions: list) -> dict[str, str]:
    """``{question id: widget template}`` for the plugin widgets that render.

    A plugin's broken widget template must not take the whole quiz page down: a question
    whose widget fails gets the core's text box instead (and the failure is logged).
    """
    working = {}
    for question, _response in questions:
        widget = getattr(types.get(question["type"]), "widget", None)
        if not widget:
            continue
        try:
            render_template(widget, question=question)
        except Exception:  # noqa: BLE001 - any error in a plugin's template
            log.exception("widget %s failed for question %s", widget, question["id"])
            continue
        working[question["id"]] = widget
    return working


def _section_renderer(course):
    """``render_section(section_or_step)`` for the template: sanitised HTML as Markup."""
    return lambda part: Markup(render_md(course, part.markdown)) if course else ""


@bp.get("/tablet-sw.js")
def service_worker():
    """The offline helper, served from the root so that its scope covers /me."""
    response = current_app.send_static_file("tablet-sw.js")
    response.headers["Cache-Control"] = "no-cache"
    return response


def init_app(app) -> None:
    app.register_blueprint(bp)
