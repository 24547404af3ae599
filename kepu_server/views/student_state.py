"""What a student's tablet is shown, shared by the student API and the student pages.

Everything a student receives about a quiz question goes through ``public_question``; the
review (``correct``/``explain``) is added only after the student has submitted, only when
the session's ``review`` setting allows it, and only once answering is over for everyone (the
teacher closed the quiz or ended the class): otherwise a second, throwaway seat that hands in
at once would read every explanation while its classmates are still answering.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, g, request

from kepu_server.auth import bearer_from, current_user
from kepu_server.catalog import content_fingerprint, get_catalog
from kepu_server.classroom import contest_state
from kepu_server.classroom import participants as seats
from kepu_server.classroom.sessions import decode as decode_session
from kepu_server.classroom.sessions import session_content
from kepu_server.errors import ApiError
from kepu_server.i18n import requested_language
from kepu_server.quiz.scoring import public_question
from kepu_server.quiz.types import seeded_rng
from kepu_server.security import PARTICIPANT_COOKIE
from kepu_server.store import participants as seat_store
from kepu_server.store import polls
from kepu_server.store.db import get_db
from kepu_server.tokens import hash_token
from kepu_server.views.common import render_md
from kepu_server.views.review_labels import response_label, right_answer_label

# The seat cookie (PARTICIPANT_COOKIE) is set by both ways of joining, so a reload of /me
# finds the seat even before any script runs.
COOKIE_MAX_AGE = 12 * 3600
# The poll's caching rule, on Flask's answers and the lane's 304s alike (seat_lane.py).
ME_CACHE_CONTROL = "private, no-cache"


def request_token() -> str | None:
    """The participant token of this request: ``Authorization: Bearer p_...``, else the cookie."""
    return seat_token(request.headers.get("Authorization", ""), request.cookies)


def seat_token(authorization: str, cookies) -> str | None:
    """``request_token`` from the Authorization header's value and the request's cookies
    (``seat_lane`` reads a poll's token with it, in front of Flask)."""
    token = bearer_from(authorization)
    if token is not None:
        return token
    return cookies.get(PARTICIPANT_COOKIE)


def current_seat(*, allow_ended: bool = False) -> tuple[dict, dict]:
    """``(participant, session)`` for this request, or an ``ApiError``.

    401 without a valid participant token, 403 for a teacher's token, 409 ``session_ended``
    once the teacher has ended the session (unless ``allow_ended``).
    """
    if "kepu_seat" not in g:
        token = request_token()
        if token and token.startswith("kepu_") and current_user() is not None:
            raise ApiError(403, "forbidden", "this needs a student's token from joining a class")
        found = seat_of(get_db(), token)
        if found is None:
            raise ApiError(401, "unauthorized", "join the class first")
        g.kepu_seat = found
    participant, session = g.kepu_seat
    if session["state"] != "open" and not allow_ended:
        raise ApiError(409, "session_ended", "this class has ended")
    return participant, session


def seat_of(db, token: str | None) -> tuple[dict, dict] | None:
    """``(participant, session)`` of a seat's token (``p_...``) in one query, or None.
    ``current_seat`` and the answer lane (answer_lane.py) find a seat with it."""
    if not token or not token.startswith(seats.TOKEN_PREFIX):
        return None
    found = polls.seat_and_class(db, hash_token(token))
    return (found[0], decode_session(found[1])) if found is not None else None


def chosen_language() -> str | None:
    """The language this tablet chose with its 中文 / English switch (or None)."""
    return requested_language()


def seat_content(session: dict):
    """``session_content`` in the tablet's chosen language where the course offers it."""
    return session_content(get_catalog(), session, chosen_language())


def session_quiz(session: dict):
    """The quiz in the session's own language: what answers are stored and scored in."""
    return session_content(get_catalog(), session)[2]


def _relabel(source, target, response):
    """An ordering-style response (item texts) from ``source``'s wording into ``target``'s.

    Indices (single, multiple, poll), numbers and booleans mean the same in every language;
    item texts do not, so they are mapped by their place in the file's list.
    """
    items_from, items_to = source.spec.get("items"), target.spec.get("items")
    if (
        not isinstance(response, list)
        or not isinstance(items_from, list)
        or not isinstance(items_to, list)
        or len(items_from) != len(items_to)
        or items_from == items_to
    ):
        return response
    where = {text: i for i, text in enumerate(items_from)}
    if not all(isinstance(r, str) and r in where for r in response):
        return response
    return [items_to[where[r]] for r in response]


def response_for_session(seat_question, stored_question, response):
    """A response given on a tablet reading another language, as the session stores it."""
    return _relabel(seat_question, stored_question, response)


def answers_for_seat(seat_quiz, stored_quiz, answers: dict) -> dict:
    """Saved answers (in the session's language) as the tablet's language shows them."""
    if seat_quiz is None or stored_quiz is None or seat_quiz is stored_quiz:
        return answers
    shown = {q.id: q for q in seat_quiz.questions}
    out = dict(answers)
    for question in stored_quiz.questions:
        if question.id in out and question.id in shown:
            out[question.id] = _relabel(question, shown[question.id], out[question.id])
    return out


def seat_seed(participant: dict, purpose: str) -> bytes:
    """Secret per-seat seed bytes for ``purpose`` (a question id, or ``order:``).

    An HMAC-SHA256 keyed by the app's secret key over the participant id: a student who knows
    their own token and every id still cannot recompute the order they are shown.
    """
    key = current_app.config["SECRET_KEY"]
    if isinstance(key, str):
        key = key.encode()
    message = f"shuffle\0{participant['id']}\0{purpose}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def question_order(quiz, participant: dict) -> list:
    """The quiz's questions, in a per-participant order when the quiz asks for shuffling."""
    questions = list(quiz.questions)
    if quiz.shuffle:
        seeded_rng(seat_seed(participant, "order:")).shuffle(questions)
    return questions


def student_questions(course, quiz, participant: dict, answers: dict) -> list[dict]:
    """Public questions with the student's own saved ``response`` (or None)."""
    types = get_catalog().question_types
    out = []
    for question in question_order(quiz, participant):
        qtype = types.get(question.type)
        if qtype is None:
            continue  # the plugin providing the type was removed; the question is left out
        public = public_question(
            qtype,
            question,
            render_md(course, question.prompt),
            seat_seed(participant, question.id),
            shuffle_options=quiz.shuffle_options,
        )
        public["response"] = answers.get(question.id)
        out.append(public)
    return out


def review_items(
    course, quiz, participant: dict, answers: dict, scores: dict, scoring_quiz=None
) -> list[dict]:
    """Per question ``{id, correct, score, points, explain}`` — only after submission.

    Marked from the stored per-answer ``scores`` (nothing is re-scored); the responses are
    worded with ``quiz`` (the tablet's language) from the session's language, as stored.
    """
    types = get_catalog().question_types
    scoring_quiz = scoring_quiz or quiz
    graded = seats.grade(scoring_quiz, types, scores)
    answers = answers_for_seat(quiz, scoring_quiz, answers)
    by_id = {q.id: q for q in quiz.questions}
    items = []
    for item in graded:
        question = by_id[item["id"]]
        qtype = types.get(question.type)
        answered = item["id"] in answers
        items.append({
            **item,
            "explain": render_md(course, question.explain) if question.explain else "",
            "your_answer": response_label(qtype, question, answers[item["id"]]) if answered else None,
            "right_answer": right_answer_label(qtype, question) if item["correct"] is not None else None,
        })  # fmt: skip
    return items


def review_open(session: dict) -> bool:
    """Whether explanations may be shown: review is on and nobody can answer any more."""
    return bool(session["review"]) and (not session["quiz_open"] or session["state"] != "open")


def submission(course, quiz, participant: dict, session: dict) -> dict:
    """The body of ``POST /me/submit`` for a submitted participant.

    ``review_waiting`` says the explanations come once the teacher closes the quiz.
    """
    score, max_score = participant["score"], participant["max_score"]
    scores = seats.stored_scores(get_db(), participant["id"])
    if quiz is not None:
        # Derived from the stored per-answer scores, like every other view of the result.
        graded = seats.grade(quiz, get_catalog().question_types, scores)
        score = sum(g["score"] for g in graded)
        max_score = sum(g["points"] for g in graded)
    body = {
        "submitted": True,
        "submitted_at": participant["submitted_at"],
        "score": score,
        "max_score": max_score,
        "review": bool(session["review"]),
        "review_waiting": bool(session["review"]) and not review_open(session),
    }
    if review_open(session) and quiz is not None:
        answers = seats.saved_answers(get_db(), participant["id"])
        body["questions"] = review_items(
            course, quiz, participant, answers, scores, session_quiz(session)
        )
    return body


def me_etag(
    participant: dict, session: dict, ticks: str | None = None, answers: str | None = None
) -> str:
    """The ``/me`` ETag of this request (``me_etag_of`` with what it reads from the request)."""
    if ticks is None:
        ticks = seats.ticks_signature(get_db(), participant["id"])
    if answers is None and contest_state.is_contest(session):
        answers = seat_store.answers_signature(get_db(), participant["id"])
    return me_etag_of(participant, session, ticks, answers,
                      content_fingerprint(get_catalog()), chosen_language())  # fmt: skip


def me_etag_of(
    participant: dict, session: dict, ticks: str, answers: str | None, fingerprint: str,
    language: str | None,
) -> str:  # fmt: skip
    """Everything the ``/me`` state depends on, hashed: computed without building the state.

    The one place the key is made: the view (``me_etag``) and the poll's lane in front of
    Flask (``seat_lane``) both call it. ``ticks`` and ``answers`` are the signatures
    ``store.polls.seat_poll`` returns, ``fingerprint`` the catalog's ``content_fingerprint``
    and ``language`` the tablet's ``chosen_language``. The content counts by its files'
    fingerprint, not by when it was loaded: a restart with nothing changed keeps every
    tablet's ETag (and its 304).
    """
    key = "|".join(
        str(x)
        for x in (
            session["id"],
            session["version"],
            session["state"],
            participant["id"],
            participant["current_section"],
            participant["submitted_at"],
            ticks,
            fingerprint,
            language,
            # A contest moves on the teacher's clicks (which bump ``version``) and when an
            # open question's deadline passes, which nothing writes down: the phase counts.
            contest_state.phase(session),
            # A contest's /me carries the seat's answer to the open question.
            answers if contest_state.is_contest(session) else "",
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def shown_section(session: dict, participant: dict, lesson) -> int:
    """Index of the section the tablet shows: the teacher's, or the student's own."""
    index = participant["current_section"] if session["pacing"] == "self" else None
    if index is None:
        index = session["current_section"]
    if not lesson or not lesson.sections:
        return 0
    return max(0, min(index, len(lesson.sections) - 1))


def me_state(participant: dict, session: dict) -> dict:
    """The session as this student's tablet needs it (``GET /api/v1/me``)."""
    course, lesson, quiz, guides = seat_content(session)
    section = None
    index = shown_section(session, participant, lesson)
    if lesson is not None and lesson.sections:
        current = lesson.sections[index]
        section = {
            "index": index,
            "title": current.title,
            "html": render_md(course, current.markdown),
        }
    ticks = seats.ticks_of(get_db(), participant["id"])
    submitted = bool(participant["submitted_at"])
    return {
        "session": {
            "id": session["id"],
            "state": session["state"],
            "pacing": session["pacing"],
            "mode": session.get("mode") or "normal",
            "review": bool(session["review"]),
            "language": session["language"],
        },
        "participant": {
            "id": participant["id"],
            "name": participant["name"],
            "submitted": submitted,
            "score": participant["score"] if submitted else None,
            "max_score": participant["max_score"] if submitted else None,
        },
        "course": {"id": course.id, "title": course.title_in(session["language"])}
        if course
        else None,
        "lesson": {
            "id": lesson.id,
            "title": lesson.title,
            "sections": [{"title": s.title} for s in lesson.sections],
        }
        if lesson
        else None,
        "pacing": session["pacing"],
        "current_section": index if lesson else None,
        "section": section,
        "quiz": {
            "id": quiz.id,
            "title": quiz.title,
            "questions": len(quiz.questions),
            "open": bool(session["quiz_open"]) and not contest_state.is_contest(session),
        }
        if quiz
        else None,
        # In a contest the tablet shows one question at a time (``contest``), never the quiz.
        "quiz_open": bool(quiz and session["quiz_open"]) and not contest_state.is_contest(session),
        "guides": [
            {
                "id": guide.id,
                "title": guide.title,
                "steps": [
                    {
                        "index": i,
                        "title": step.title,
                        "html": render_md(course, step.markdown),
                        "done": i in ticks.get(guide.id, ()),
                    }
                    for i, step in enumerate(guide.steps)
                ],
            }
            for guide in guides
        ],
        "submitted": submitted,
        "version": session["version"],
    }
