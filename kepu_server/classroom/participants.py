"""Students in a class session: joining, finding a seat by token, answers, submission, ticks.

A participant has no account: a nickname (or a roster name) that is unique in its session and
a random token (``p_...``) kept on the tablet, stored here only as a SHA-256 hash. Every write
starts with ``BEGIN IMMEDIATE`` and re-checks the session and the seat inside the transaction,
so an answer can never land after a submission or after the teacher ended the session, even
when the two requests race.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

from kepu_server.classroom import contest_state
from kepu_server.classroom.names import fold_name
from kepu_server.classroom.sessions import get_session
from kepu_server.clock import now_iso
from kepu_server.content.model import Quiz
from kepu_server.errors import ApiError
from kepu_server.quiz.scoring import max_points
from kepu_server.store import answers as answer_store
from kepu_server.store import participants as seat_store
from kepu_server.store.db import write_transaction
from kepu_server.store.repairs import claim_free_seat
from kepu_server.tokens import hash_token
from kepu_server.xapi import record as xapi_record

TOKEN_PREFIX = "p_"
MAX_NAME_LENGTH = 40
# A poll every ~2 s from 40 tablets must not turn into 20 writes a second.
LAST_SEEN_EVERY = timedelta(seconds=30)


class NameTaken(ApiError):
    """A nickname already used in the session; ``suggestion`` is a free one to offer."""

    def __init__(self, message: str, suggestion: str | None):
        super().__init__(409, "name_taken", message)
        self.suggestion = suggestion


def new_participant_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(24)


def clean_name(name: Any) -> str:
    """A nickname as stored: NFC, trimmed, inner runs of spaces collapsed to one."""
    if not isinstance(name, str):
        raise ApiError(400, "bad_name", "'name' must be text")
    name = " ".join(unicodedata.normalize("NFC", name).split())
    if not name:
        raise ApiError(400, "bad_name", "type your name first")
    if len(name) > MAX_NAME_LENGTH:
        raise ApiError(400, "bad_name", f"a name has at most {MAX_NAME_LENGTH} characters")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ApiError(400, "bad_name", "the name contains characters that cannot be shown")
    return name


def participant_by_token(db, token: str | None) -> dict | None:
    """The participants row for a ``p_`` token, or None."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    return seat_store.participant_by_token_hash(db, hash_token(token))


def get_participant(db, participant_id: int) -> dict | None:
    return seat_store.participant_by_id(db, participant_id)


def _suggest_name(db, session_id: str, name: str) -> str | None:
    base = name[: MAX_NAME_LENGTH - 3]
    taken = {fold_name(n) for n in seat_store.names_starting_with(db, session_id, base)}
    for n in range(2, 200):
        candidate = f"{base}{n}"
        if fold_name(candidate) not in taken:
            return candidate
    return None


def join_session(
    db,
    session: dict,
    name: Any,
    token: str | None = None,
    max_participants: int = 300,
    xapi=None,
) -> tuple[dict, str, bool]:
    """Seat a student in ``session``; returns ``(participant, token, rejoined)``.

    A device that already holds a token for this session and sends the same name gets its
    own seat back (even when joining has been closed). Otherwise — a new student, or another
    child on a shared tablet — the name must be free (409 ``NameTaken`` with a suggestion)
    and, for a roster session, on the roster (400). A class holds at most
    ``max_participants`` seats (409 ``class_full``): a script must not fill the database.
    """
    name = clean_name(name)
    existing = participant_by_token(db, token)
    if (
        existing is not None
        and existing["session_id"] == session["id"]
        and fold_name(existing["name"]) == fold_name(name)
    ):
        return existing, token, True
    if not session["joining_open"]:
        raise ApiError(403, "joining_closed", "the teacher has closed joining for this class")
    roster = session.get("roster")
    if roster is not None and name not in roster:
        raise ApiError(400, "not_on_roster", "tap your own name in the list")
    new_token = new_participant_token()
    # A seat the teacher freed goes to the next tablet that joins with its name.
    claimed = claim_free_seat(db, session["id"], name, hash_token(new_token))
    if claimed is not None:
        return get_participant(db, claimed), new_token, True
    row = {
        "session_id": session["id"],
        "token_hash": hash_token(new_token),
        "name": name,
        "name_key": fold_name(name),  # unique per class: "Alice" is taken once "alice" is
        "current_section": 0,
        "joined_at": now_iso(),
        "last_seen_at": now_iso(),
        "xapi_id": xapi_record.new_seat_id(),  # the seat in xAPI statements: never the name
    }
    try:
        with write_transaction(db):  # the join statement is queued with the seat
            participant_id = seat_store.insert_participant(
                db, row, max(max_participants, len(roster or ()))
            )
            if participant_id is None:
                raise ApiError(409, "class_full", "this class is full; ask your teacher")
            xapi_record.attended(db, xapi, session, row["xapi_id"])
    except sqlite3.IntegrityError:
        if roster is not None:
            raise NameTaken(
                "this name has already joined on another tablet; ask your teacher", None
            ) from None
        raise NameTaken(
            "someone in this class already uses this name; add a letter or number",
            _suggest_name(db, session["id"], name),
        ) from None
    return get_participant(db, participant_id), new_token, False


def _seen_lately(seen: str | None) -> bool:
    if not seen:
        return False
    try:
        return datetime.now(UTC) - datetime.fromisoformat(seen) < LAST_SEEN_EVERY
    except ValueError:
        return False


def touch(db, participant: dict) -> None:
    """Record that the tablet is alive, at most once per ``LAST_SEEN_EVERY``."""
    if not _seen_lately(participant.get("last_seen_at")):
        seat_store.set_last_seen(db, participant["id"])


def saved_answers(db, participant_id: int) -> dict[str, Any]:
    """``{question_id: response}`` of everything the participant has saved."""
    return {
        question_id: json.loads(response)
        for _pid, question_id, response, _score in answer_store.answer_rows(
            db, participant_id=participant_id
        )
    }


def _check_writable(db, participant_id: int, *, needs_quiz: bool) -> tuple[dict, dict]:
    """Fresh rows of the seat and its session, inside the caller's transaction."""
    participant = get_participant(db, participant_id)
    session = get_session(db, participant["session_id"]) if participant else None
    if participant is None or session is None:
        raise ApiError(401, "unauthorized", "join the class again")
    if session["state"] != "open":
        raise ApiError(409, "session_ended", "this class has ended")
    if needs_quiz:
        if participant["submitted_at"]:
            raise ApiError(409, "already_submitted", "you have already handed in this quiz")
        if not session["quiz_open"]:
            raise ApiError(409, "quiz_closed", "the quiz is not open")
    return participant, session


def save_answer(
    db,
    participant_id: int,
    question,
    response: Any,
    score: float,
    last_seen: str | None = None,
    quiz: Quiz | None = None,
) -> str:
    """Store (or replace) one answer with the ``score`` the server gave it; returns ``updated_at``.

    ``score`` comes from ``score_response`` (the one scoring pass). Last write wins.
    ``last_seen`` is the seat's ``last_seen_at`` as the request read it: the answer also
    records the tablet as alive, at most once per ``LAST_SEEN_EVERY`` (as the poll does).
    In a contest (``quiz`` given) only the open question takes answers, before its deadline,
    as checked on the fresh row inside the transaction: 409 ``question_closed``. Any other
    answer is one statement whose WHERE is the check (and which refuses contest classes).
    """
    text = json.dumps(response, ensure_ascii=False)
    updated_at = now_iso()
    if quiz is not None:
        with write_transaction(db):
            _participant, session = _check_writable(db, participant_id, needs_quiz=True)
            if contest_state.is_contest(session):
                contest_state.check_answerable(session, quiz, question.id)
            answer_store.upsert_answer(db, participant_id, question.id, text, score, updated_at)
            seat_store.set_last_seen(db, participant_id, updated_at)
        return updated_at
    touch = not _seen_lately(last_seen)
    if answer_store.save_if_writable(db, participant_id, question.id, text, score, updated_at,
                                     touch=touch):  # fmt: skip
        return updated_at
    _participant, session = _check_writable(db, participant_id, needs_quiz=True)  # says why
    if contest_state.is_contest(session):
        raise ApiError(409, "question_closed", "answering this question is closed")
    raise ApiError(409, "quiz_closed", "the quiz is not open")  # it closed in between


def stored_scores(db, participant_id: int) -> dict[str, float]:
    """``{question_id: points}`` as stored when each answer was saved (or overridden)."""
    return {
        question_id: float(score or 0.0)
        for _pid, question_id, _response, score in answer_store.answer_rows(
            db, participant_id=participant_id
        )
    }


def grade(quiz: Quiz, question_types: dict, scores: dict[str, float]) -> list[dict]:
    """Per question: ``{id, points, score, correct, answered}`` from the stored ``scores``.

    Nothing is re-scored here: ``scores`` are the per-answer scores stored on save.
    ``correct`` is None for ungraded questions.
    """
    graded = []
    for question in quiz.questions:
        qtype = question_types.get(question.type)
        points = max_points(qtype, question) if qtype else 0.0
        score = scores.get(question.id, 0.0) if qtype is not None else 0.0
        graded.append(
            {
                "id": question.id,
                "points": points,
                "score": score,
                "correct": (score >= points - 1e-9) if points > 0 else None,
                "answered": question.id in scores,
            }
        )
    return graded


def submit(
    db, participant_id: int, quiz: Quiz, question_types: dict, xapi=None
) -> tuple[dict, bool]:
    """Hand in the quiz (idempotent); returns ``(participant row, newly_submitted)``.

    The score is the sum of the answers' stored scores (computed once when each was saved,
    or set by the teacher's regrading), so it is exactly what the results page shows.
    """
    with write_transaction(db):
        participant, session = _check_writable(db, participant_id, needs_quiz=False)
        if participant["submitted_at"]:
            return participant, False
        answers = saved_answers(db, participant_id)
        graded = grade(quiz, question_types, stored_scores(db, participant_id))
        seat_store.mark_submitted(
            db,
            participant_id,
            sum(g["score"] for g in graded),
            sum(g["points"] for g in graded),
        )
        seat = participant.get("xapi_id") or xapi_record.new_seat_id()
        if not participant.get("xapi_id"):
            seat_store.set_xapi_id(db, participant_id, seat)
        xapi_record.handed_in(db, xapi, session, seat, quiz, graded, answers)
    return get_participant(db, participant_id), True


def submitted_event(session_id: str, participant: dict) -> dict:
    """The ``submitted`` session event of a seat just handed in (one shape for every path)."""
    return {"type": "submitted", "session": session_id, "participant": participant["id"],
            "score": participant["score"], "max_score": participant["max_score"]}  # fmt: skip


def set_section(db, participant_id: int, index: int) -> None:
    with write_transaction(db):
        _check_writable(db, participant_id, needs_quiz=False)
        seat_store.set_current_section(db, participant_id, index)


def set_tick(db, participant_id: int, guide_id: str, step: int, done: bool) -> None:
    with write_transaction(db):
        _check_writable(db, participant_id, needs_quiz=False)
        seat_store.set_tick(db, participant_id, guide_id, step, done)


ticks_of = seat_store.ticks_of
ticks_signature = seat_store.ticks_signature
