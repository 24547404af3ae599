"""Students' seats in a class session (``participants``) and their guide ticks."""

from __future__ import annotations

from kepu_server.clock import now_iso
from kepu_server.store.db import write_transaction


def participant_by_token_hash(db, token_hash: str) -> dict | None:
    return next(db.query("SELECT * FROM participants WHERE token_hash = ?", [token_hash]), None)


def participant_by_id(db, participant_id: int) -> dict | None:
    return next(db.query("SELECT * FROM participants WHERE id = ?", [participant_id]), None)


def names_starting_with(db, session_id: str, prefix: str) -> set[str]:
    return {
        row["name"]
        for row in db.query(
            "SELECT name FROM participants WHERE session_id = ? AND name LIKE ?",
            [session_id, prefix + "%"],
        )
    }


def participant_names(db, session_id: str) -> list[str]:
    """The session's students in the order they joined."""
    return [
        r["name"]
        for r in db.query(
            "SELECT name FROM participants WHERE session_id = ? ORDER BY joined_at, id",
            [session_id],
        )
    ]


def participants_of_session(db, session_id: str) -> list[dict]:
    """What the teacher's views need of each seat, in the order they joined."""
    return list(
        db.query(
            "SELECT id, name, current_section, joined_at, last_seen_at, submitted_at "
            "FROM participants WHERE session_id = ? ORDER BY joined_at, id",
            [session_id],
        )
    )


def counts_of_session(db, session_id: str) -> dict:
    """``{joined, submitted}``."""
    return next(
        db.query(
            "SELECT COUNT(*) AS joined, COUNT(submitted_at) AS submitted "
            "FROM participants WHERE session_id = ?",
            [session_id],
        )
    )


def insert_participant(db, row: dict, limit: int) -> int | None:
    """Seat ``row``; None when the session already holds ``limit`` seats.

    ``sqlite3.IntegrityError`` when the name is taken in the session.
    """
    with write_transaction(db):
        if db["participants"].count_where("session_id = ?", [row["session_id"]]) >= limit:
            return None
        return db["participants"].insert(row).last_pk


def set_last_seen(db, participant_id: int, when: str | None = None) -> None:
    """Inside the caller's transaction when there is one."""
    with write_transaction(db):
        db.execute(
            "UPDATE participants SET last_seen_at = ? WHERE id = ?",
            [when or now_iso(), participant_id],
        )


def mark_submitted(db, participant_id: int, score: float, max_score: float) -> None:
    """Record the hand-in (with the totals at that moment, for statistics)."""
    with write_transaction(db):
        db.execute(
            "UPDATE participants SET submitted_at = ?, score = ?, max_score = ? WHERE id = ?",
            [now_iso(), score, max_score, participant_id],
        )


def set_current_section(db, participant_id: int, index: int) -> None:
    with write_transaction(db):
        db.execute(
            "UPDATE participants SET current_section = ? WHERE id = ?", [index, participant_id]
        )


def delete_participants_of(db, session_id: str) -> int:
    """Every seat of the session with its answers and ticks (cascade); bumps the version."""
    with write_transaction(db):
        cursor = db.execute("DELETE FROM participants WHERE session_id = ?", [session_id])
        db.execute("UPDATE class_sessions SET version = version + 1 WHERE id = ?", [session_id])
    return cursor.rowcount


# ---------------------------------------------------------------- guide ticks


def set_tick(db, participant_id: int, guide_id: str, step: int, done: bool) -> None:
    with write_transaction(db):
        db.execute(
            "INSERT INTO guide_ticks (participant_id, guide_id, step, done, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (participant_id, guide_id, step) DO UPDATE SET "
            "done = excluded.done, updated_at = excluded.updated_at",
            [participant_id, guide_id, step, int(done), now_iso()],
        )


def ticks_of(db, participant_id: int) -> dict[str, set[int]]:
    """``{guide_id: {step indices ticked done}}``."""
    done: dict[str, set[int]] = {}
    for row in db.query(
        "SELECT guide_id, step FROM guide_ticks WHERE participant_id = ? AND done = 1",
        [participant_id],
    ):
        done.setdefault(row["guide_id"], set()).add(row["step"])
    return done


def ticks_signature(db, participant_id: int) -> str:
    """A cheap fingerprint of the participant's ticks, for the poll's ETag."""
    row = next(
        db.query(
            "SELECT count(*) AS n, coalesce(sum(done), 0) AS d, "
            "coalesce(max(updated_at), '') AS t FROM guide_ticks WHERE participant_id = ?",
            [participant_id],
        )
    )
    return f"{row['n']}.{row['d']}.{row['t']}"


def answers_signature(db, participant_id: int) -> str:
    """A cheap fingerprint of the participant's saved answers (a contest's poll ETag)."""
    row = db.execute(
        "SELECT count(*), coalesce(max(updated_at), '') FROM answers WHERE participant_id = ?",
        [participant_id],
    ).fetchone()
    return f"{row[0]}.{row[1]}"


def ticks_of_session(db, session_id: str) -> list[tuple]:
    """``(participant_id, guide_id, step)`` of every step ticked done in the session."""
    return db.execute(
        "SELECT t.participant_id, t.guide_id, t.step FROM guide_ticks t "
        "JOIN participants p ON p.id = t.participant_id WHERE p.session_id = ? AND t.done = 1",
        [session_id],
    ).fetchall()


def set_xapi_id(db, participant_id: int, xapi_id: str) -> None:
    """Give a seat from before the xAPI feed its random statement id (inside a transaction)."""
    db.execute("UPDATE participants SET xapi_id = ? WHERE id = ?", [xapi_id, participant_id])
