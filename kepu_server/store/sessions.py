"""Class sessions: the ``class_sessions`` table."""

from __future__ import annotations

from kepu_server.store.db import write_transaction

# The columns a teacher's action may change (``update_session``).
CHANGEABLE = frozenset(
    {"quiz_open", "joining_open", "current_section", "state", "ended_at", "review"}
    | {"contest_state", "contest_index", "contest_deadline", "contest_opened"}
)


def insert_session(db, row: dict) -> None:
    """Insert one session row; ``sqlite3.IntegrityError`` when its join code is taken."""
    with write_transaction(db):
        db["class_sessions"].insert(row)


def session_row(db, session_id: str) -> dict | None:
    return next(db.query("SELECT * FROM class_sessions WHERE id = ?", [session_id]), None)


def open_session_row_by_code(db, code: str) -> dict | None:
    return next(
        db.query("SELECT * FROM class_sessions WHERE code = ? AND state = 'open'", [code]), None
    )


def update_session_row(db, session_id: str, values: dict) -> None:
    """Set ``values`` (keys from ``CHANGEABLE``) and bump ``version``, in one transaction."""
    unknown = set(values) - CHANGEABLE
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))}")
    sets = ", ".join(f"{k} = ?" for k in values)
    with write_transaction(db):
        db.execute(
            f"UPDATE class_sessions SET {sets}, version = version + 1 WHERE id = ?",  # noqa: S608
            [*values.values(), session_id],
        )


def bump_version(db, session_id: str) -> None:
    with write_transaction(db):
        db.execute("UPDATE class_sessions SET version = version + 1 WHERE id = ?", [session_id])


def delete_session_rows(db, session_id: str) -> None:
    """The session and its participants (their answers and ticks go by cascade)."""
    with write_transaction(db):
        db.execute("DELETE FROM participants WHERE session_id = ?", [session_id])
        db.execute("DELETE FROM class_sessions WHERE id = ?", [session_id])


def session_rows_for(
    db, teacher_id: int | None, state: str | None = None, limit: int = 200
) -> list[dict]:
    """Sessions newest first with teacher name and participant count; all when no teacher."""
    where, params = [], []
    if teacher_id is not None:
        where.append("s.teacher_id = ?")
        params.append(teacher_id)
    if state in ("open", "ended"):
        where.append("s.state = ?")
        params.append(state)
    sql = (
        "SELECT s.*, u.name AS teacher_name, "
        "(SELECT COUNT(*) FROM participants p WHERE p.session_id = s.id) AS participant_count "
        "FROM class_sessions s LEFT JOIN users u ON u.id = s.teacher_id "
        + (f"WHERE {' AND '.join(where)} " if where else "")
        + "ORDER BY s.created_at DESC, s.rowid DESC LIMIT ?"
    )
    return list(db.query(sql, [*params, limit]))


def purge_sessions_before(db, cutoff: str) -> int:
    """Delete sessions ended (or, never ended, started) before ``cutoff``; returns how many."""
    with write_transaction(db):
        db.execute(
            "DELETE FROM participants WHERE session_id IN (SELECT id FROM class_sessions "
            "WHERE COALESCE(ended_at, created_at) < ?)",
            [cutoff],
        )
        cursor = db.execute(
            "DELETE FROM class_sessions WHERE COALESCE(ended_at, created_at) < ?", [cutoff]
        )
    return cursor.rowcount
