"""The contest's JSON for the teacher (with the key) and for one tablet (without it).

A tablet gets the open question through ``student_state``'s public path (``public_question``
with the seat's shuffle seed, which strips every key); whether it was right, the right answer
and the explanation come only once the question is revealed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _

from kepu_server.catalog import get_catalog
from kepu_server.classroom import contest as contest_actions
from kepu_server.classroom import contest_state as cs
from kepu_server.classroom import participants as seats
from kepu_server.classroom.sessions import session_content
from kepu_server.quiz.scoring import max_points, public_question
from kepu_server.store import participants as seat_store
from kepu_server.store.db import get_db
from kepu_server.views import student_state as state
from kepu_server.views.common import render_md
from kepu_server.views.review_labels import response_label, right_answer_label


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")


def _timing(session: dict, at: float) -> dict:
    return {
        "state": cs.phase(session, at),
        "index": session["contest_index"],
        "seconds": session["contest_seconds"],
        "deadline": _iso(session["contest_deadline"]),
        "seconds_left": cs.seconds_left(session, at),
        "server_time": _iso(at),
    }


def words() -> dict:
    return {"true": _("True"), "false": _("False"), "right": _("Right"), "wrong": _("Wrong")}


def teacher_contest(session: dict) -> dict:
    """``GET /api/v1/sessions/<id>/contest``: the state with the full question (key included)."""
    at = cs.now()
    catalog = get_catalog()
    db = get_db()
    _course, _lesson, quiz, _guides = session_content(catalog, session)
    course = catalog.course(session["course_id"])
    question = cs.current_question(quiz, session)
    body = {
        **_timing(session, at),
        "count": len(quiz.questions) if quiz else 0,
        "leaderboard_on": bool(session["contest_leaderboard"]),
        "joined": seat_store.counts_of_session(db, session["id"])["joined"],
        "question": None,
        "answered": 0,
        "distribution": None,
    }
    if question is not None and question.type in catalog.question_types:
        qtype = catalog.question_types[question.type]
        spec = {k: v for k, v in question.spec.items() if k not in ("prompt", "explain")}
        body["question"] = {
            **spec,
            "id": question.id,
            "type": question.type,
            "prompt": render_md(course, question.prompt),
            "points": max_points(qtype, question),
            "explain": render_md(course, question.explain) if question.explain else "",
            "right_answer": right_answer_label(qtype, question),
        }
        responses = contest_actions.responses_to(db, session["id"], question.id)
        body["answered"] = len(responses)
        body["distribution"] = contest_actions.distribution(qtype, question, responses, words())
    if session["contest_leaderboard"] and body["state"] in ("revealed", "finished"):
        body["leaderboard"] = contest_actions.leaderboard(db, session, quiz, catalog.question_types)
    return body


def seat_contest(participant: dict, session: dict) -> dict | None:
    """The ``contest`` block of ``GET /api/v1/me``; None outside a contest."""
    if not cs.is_contest(session):
        return None
    at = cs.now()
    course, _lesson, quiz, _guides = state.seat_content(session)
    body = {**_timing(session, at), "count": len(quiz.questions) if quiz else 0,
            "question": None, "answered": False}  # fmt: skip
    stored_quiz = state.session_quiz(session)
    current = cs.current_question(stored_quiz, session)
    if current is None or quiz is None or body["state"] == "finished":
        return body
    question = quiz.question(current.id) or current
    qtype = get_catalog().question_types.get(question.type)
    if qtype is None:
        return body
    answers = state.answers_for_seat(
        quiz, stored_quiz, seats.saved_answers(get_db(), participant["id"])
    )
    public = public_question(
        qtype, question, render_md(course, question.prompt),
        state.seat_seed(participant, question.id), shuffle_options=quiz.shuffle_options,
    )  # fmt: skip
    public["response"] = answers.get(question.id)
    body["question"] = public
    body["answered"] = question.id in answers
    if body["state"] == "revealed":
        scores = seats.stored_scores(get_db(), participant["id"])
        points = max_points(qtype, question)
        earned = scores.get(question.id)
        body["correct"] = None if points <= 0 else earned is not None and earned >= points - 1e-9
        body["explain"] = render_md(course, question.explain) if question.explain else ""
        body["right_answer"] = right_answer_label(qtype, question)
        if question.id in answers:
            body["your_answer"] = response_label(qtype, question, answers[question.id])
    return body
