"""Students' answers: one row per seat and question, scored once when it is saved.

``score`` is the points the question type gave when the answer was saved, or a teacher's later
verdict (regrading, ``store/regrade.py``, writes it in place). Every total, review,
dashboard, results table and CSV reads ``answer_rows`` and nothing else, so they cannot
disagree.
"""

from __future__ import annotations

from kepu_server.store.db import write_statement, write_transaction


def upsert_answer(
    db, participant_id: int, question_id: str, response_json: str, score: float, updated_at: str
) -> None:
    """Store (or replace) one answer with the points its type gives it."""
    with write_transaction(db):
        db.execute(
            "INSERT INTO answers (participant_id, question_id, response, score, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (participant_id, question_id) DO UPDATE SET "
            "response = excluded.response, score = excluded.score, "
            "updated_at = excluded.updated_at",
            [participant_id, question_id, response_json, score, updated_at],
        )


def save_if_writable(
    db,
    participant_id: int,
    question_id: str,
    response_json: str,
    score: float,
    updated_at: str,
    *,
    touch: bool = True,
) -> bool:
    """``upsert_answer``, only while the seat may answer; with ``touch``, the seat's
    ``last_seen_at`` too, in the same transaction.

    The check (class open, quiz open, not handed in, not a contest: a contest's deadline is
    checked in ``classroom.participants.save_answer``'s transaction) is the INSERT's own WHERE, so it holds
    at the moment of the write (a teacher ending the class or the seat's own hand-in cannot
    slip in between) and an answer is one statement when the seat was seen lately.
    False, with nothing written, when the seat may not answer.
    """
    upsert = (
        "INSERT INTO answers (participant_id, question_id, response, score, updated_at) "
        "SELECT p.id, ?, ?, ?, ? FROM participants p "
        "JOIN class_sessions s ON s.id = p.session_id "
        "WHERE p.id = ? AND s.state = 'open' AND s.quiz_open "
        "AND coalesce(p.submitted_at, '') = '' AND coalesce(s.mode, '') <> 'contest' "
        "ON CONFLICT (participant_id, question_id) DO UPDATE SET "
        "response = excluded.response, score = excluded.score, "
        "updated_at = excluded.updated_at"
    )
    values = [question_id, response_json, score, updated_at, participant_id]
    if not touch:
        with write_statement(db):
            return db.execute(upsert, values).rowcount == 1
    with write_transaction(db):
        if db.execute(upsert, values).rowcount != 1:
            return False
        db.execute(
            "UPDATE participants SET last_seen_at = ? WHERE id = ?", [updated_at, participant_id]
        )
    return True


def answer_rows(
    db, *, session_id: str | None = None, participant_id: int | None = None
) -> list[tuple]:
    """``(participant_id, question_id, response_json, score)`` of a session or of one seat.

    The one query every score shown anywhere comes from.
    """
    if (session_id is None) == (participant_id is None):
        raise ValueError("give exactly one of session_id and participant_id")
    if participant_id is not None:
        where, value = "a.participant_id = ?", participant_id
    else:
        where, value = "p.session_id = ?", session_id
    return db.execute(
        "SELECT a.participant_id, a.question_id, a.response, "
        "a.score FROM answers a "
        "JOIN participants p ON p.id = a.participant_id WHERE " + where,  # noqa: S608
        [value],
    ).fetchall()
