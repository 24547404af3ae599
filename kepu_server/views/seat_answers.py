"""A seat's answer to one quiz question: every rule of ``PUT /api/v1/me/answers/<question>``.

Written once, as plain functions of what a request brings (the seat, its class, the parsed
body, the tablet's language) and of the catalog snapshot, the database and the app, so that
the student API's view (``api_student.save_answer``) and the answer lane in front of Flask
(``answer_lane.py``) run the very same checks, scoring and write. Nothing here reads
Flask's ``request`` or ``g``.

The order of the checks is the API's: no quiz (404), quiz not open (409), a contest's
closed question (409), handed in (409), unknown question (404), malformed response (400),
a plugin's scorer broken (422), then the write, whose own WHERE checks again at the moment
of writing (409 when the quiz closed in between). Every refusal is an ``ApiError`` raised
before anything is written.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _

from kepu_server.classroom import contest_state
from kepu_server.classroom import participants as seats
from kepu_server.classroom.sessions import session_content
from kepu_server.errors import ApiError
from kepu_server.quiz.scoring import ScoreError, score_response
from kepu_server.session_events import emit_event
from kepu_server.views import student_state as state

log = logging.getLogger("kepu_server.views.api_student")


def open_quiz(catalog, participant: dict, session: dict, language: str | None, *,
              for_reading: bool = False):  # fmt: skip
    """``(course, quiz)`` in the tablet's ``language``: 404 without a quiz, 409 while it is
    not open (a handed-in seat may still read it, ``for_reading``)."""
    course, _lesson, quiz, _guides = session_content(catalog, session, language)
    if quiz is None:
        raise ApiError(404, "no_quiz", _("This class has no quiz."))
    if not session["quiz_open"] and not (for_reading and participant["submitted_at"]):
        raise ApiError(409, "quiz_closed", _("The quiz is not open yet."))
    return course, quiz


def question_closed(exc: ApiError) -> ApiError:
    """A contest's 409 ``question_closed`` in the tablet's language (others as they are)."""
    if exc.code == "question_closed":
        exc.message = _("Time is up: this question takes no more answers.")
    return exc


def save_seat_answer(catalog, db, app, participant: dict, session: dict, question_id: str,
                     data: dict, language: str | None) -> dict:  # fmt: skip
    """Score and store the seat's answer to ``question_id``; the 200 body, or an ``ApiError``.

    ``data`` is the request's JSON object (it has ``response``), ``language`` the tablet's
    chosen language (``state.chosen_language``). When this returns, the answer is committed
    and the ``answered`` event has been sent to the plugins.
    """
    _course, quiz = open_quiz(catalog, participant, session, language)
    # The quiz in the session's own language: what answers are stored and scored against.
    session_quiz = session_content(catalog, session)[2]
    try:
        contest_state.check_answerable(session, session_quiz, question_id)
    except ApiError as exc:
        raise question_closed(exc) from None
    if participant["submitted_at"]:
        raise ApiError(409, "already_submitted", _("You have already handed in this quiz."))
    question = quiz.question(question_id)
    qtype = catalog.question_types.get(question.type) if question else None
    if question is None or qtype is None:
        raise ApiError(404, "unknown_question", f"no question {question_id!r} in this quiz")
    response = data["response"]
    if isinstance(response, str):
        response = response.strip()  # " YIXI " is the answer "YIXI", stored as such
    try:
        # Scored once, here: every total, review, dashboard and CSV reads this stored score.
        score = score_response(qtype, question, response)
    except ValueError as exc:
        raise ApiError(400, "bad_response", str(exc) or "malformed response") from None
    except ScoreError as exc:
        log.error("plugin %s: %s (answer not stored)", exc.source, exc)
        raise ApiError(
            422,
            "scoring_failed",
            f"question type {qtype.name!r} from {exc.source} could not "
            "score this answer; it was not saved. Tell your teacher.",
        ) from None
    # Stored in the session's language, whatever language this tablet reads the quiz in.
    stored = session_quiz.question(question.id) or question
    response = state.response_for_session(question, stored, response)
    contest_quiz = session_quiz if contest_state.is_contest(session) else None
    try:
        updated_at = seats.save_answer(db, participant["id"], stored, response, score,
                                       participant["last_seen_at"], quiz=contest_quiz)  # fmt: skip
    except ApiError as exc:
        raise question_closed(exc) from None
    emit_event(catalog, app, {"type": "answered", "session": session["id"],
                              "participant": participant["id"], "question": question.id})  # fmt: skip
    return {"question": question.id, "saved": True, "updated_at": updated_at}
