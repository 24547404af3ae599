"""The quiz contest's queries: the answers of one session with their names and times.

The contest's own state lives on the ``class_sessions`` row (migration ``0010_contest``) and
changes through ``store.sessions.update_session_row``, which bumps the tablets' ETag.
"""

from __future__ import annotations


def answer_times(db, session_id: str) -> list[tuple]:
    """``(participant_id, name, question_id, score, updated_at)`` of every answer saved in
    the session (as ``answers.answer_rows`` reads them)."""
    return db.execute(
        "SELECT p.id, p.name, a.question_id, a.score, a.updated_at "
        "FROM answers a JOIN participants p ON p.id = a.participant_id "
        "WHERE p.session_id = ?",
        [session_id],
    ).fetchall()


def seat_ids(db, session_id: str) -> list[int]:
    """Every seat of the session, oldest first."""
    return [
        row[0]
        for row in db.execute(
            "SELECT id FROM participants WHERE session_id = ? ORDER BY id", [session_id]
        ).fetchall()
    ]
