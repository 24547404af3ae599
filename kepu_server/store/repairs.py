"""Queries for the classroom's small repairs: a code whose class has ended, classes left
open overnight, a roster seat the teacher frees, renames or merges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kepu_server.store.db import write_transaction


def ended_session_by_code(db, code: str) -> dict | None:
    """The most recent class with ``code`` that is no longer open (or None)."""
    row = next(
        db.query(
            "SELECT id, code, state, ended_at FROM class_sessions WHERE code = ? "
            "AND state != 'open' ORDER BY COALESCE(ended_at, created_at) DESC LIMIT 1",
            [code],
        ),
        None,
    )
    return dict(row) if row else None


def open_sessions_started_before(db, hours: float) -> list[str]:
    """Ids of classes still open ``hours`` after they started (a forgotten "end")."""
    cutoff = (datetime.now(UTC) - timedelta(hours=hours)).isoformat(timespec="seconds")
    return [
        row["id"]
        for row in db.query(
            "SELECT id FROM class_sessions WHERE state = 'open' AND created_at < ?", [cutoff]
        )
    ]


FREE_PREFIX = "free:"


def seats_of(db, session_id: str) -> list[dict]:
    """Every seat of a class with how many answers it holds, by name."""
    return [
        dict(row)
        for row in db.query(
            "SELECT p.id, p.name, p.submitted_at, p.token_hash LIKE 'free:%' AS free, "
            "(SELECT COUNT(*) FROM answers a WHERE a.participant_id = p.id) AS answers "
            "FROM participants p WHERE p.session_id = ? ORDER BY p.name",
            [session_id],
        )
    ]


def free_seat(db, participant_id: int, marker: str) -> None:
    """Take the seat away from the tablet holding it; the next tablet that joins with its
    name gets it back, answers and all. ``marker`` is random: no token hashes to it."""
    with write_transaction(db):
        db.execute(
            "UPDATE participants SET token_hash = ? WHERE id = ?",
            [FREE_PREFIX + marker, participant_id],
        )


def claim_free_seat(db, session_id: str, name: str, token_hash: str) -> int | None:
    """Give a freed seat called ``name`` to the tablet with ``token_hash``; its id or None.

    Joining calls this for every new seat: the common case (nothing freed) is one indexed
    read and takes no write lock.
    """
    query = (
        "SELECT id FROM participants WHERE session_id = ? AND name = ? AND token_hash LIKE 'free:%'"
    )
    if next(db.query(query, [session_id, name]), None) is None:
        return None
    with write_transaction(db):
        row = next(db.query(query, [session_id, name]), None)  # still free under the lock?
        if row is None:
            return None
        db.execute("UPDATE participants SET token_hash = ? WHERE id = ?", [token_hash, row["id"]])
    return row["id"]


def rename_seat(db, participant_id: int, name: str, name_key: str) -> None:
    """Raises ``sqlite3.IntegrityError`` when another seat of the class has ``name`` or a
    name that folds to the same ``name_key`` (see ``classroom.names.fold_name``)."""
    with write_transaction(db):
        db.execute(
            "UPDATE participants SET name = ?, name_key = ? WHERE id = ?",
            [name, name_key, participant_id],
        )


def merge_seats(db, keep_id: int, other_id: int) -> None:
    """Move ``other_id``'s answers and ticks into ``keep_id`` (the later answer wins a
    question both hold), carry over a hand-in, then delete ``other_id``."""
    with write_transaction(db):
        db.execute(
            "INSERT INTO answers (participant_id, question_id, response, score, updated_at) "
            "SELECT ?, question_id, response, score, updated_at FROM answers o "
            "WHERE o.participant_id = ? AND true "
            "ON CONFLICT (participant_id, question_id) DO UPDATE SET response = excluded.response, "
            "score = excluded.score, updated_at = excluded.updated_at "
            "WHERE excluded.updated_at > answers.updated_at",
            [keep_id, other_id],
        )
        db.execute(
            "INSERT INTO guide_ticks (participant_id, guide_id, step, done, updated_at) "
            "SELECT ?, guide_id, step, done, updated_at FROM guide_ticks o "
            "WHERE o.participant_id = ? AND true "
            "ON CONFLICT (participant_id, guide_id, step) DO UPDATE SET done = excluded.done, "
            "updated_at = excluded.updated_at WHERE excluded.updated_at > guide_ticks.updated_at",
            [keep_id, other_id],
        )
        db.execute(
            "UPDATE participants SET submitted_at = COALESCE(submitted_at, "
            "(SELECT submitted_at FROM participants WHERE id = ?)) WHERE id = ?",
            [other_id, keep_id],
        )
        db.execute("DELETE FROM participants WHERE id = ?", [other_id])


def set_seat_score(db, participant_id: int, score: float, max_score: float) -> None:
    with write_transaction(db):
        db.execute(
            "UPDATE participants SET score = ?, max_score = ? WHERE id = ?",
            [score, max_score, participant_id],
        )


def bump_session_version(db, session_id: str) -> None:
    """Dashboards and tablets poll by version: a repaired seat makes them look again."""
    with write_transaction(db):
        db.execute("UPDATE class_sessions SET version = version + 1 WHERE id = ?", [session_id])
