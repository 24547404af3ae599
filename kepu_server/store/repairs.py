"""Queries for the classroom's small repairs: a code whose class has ended, classes left
open overnight, a roster seat the teacher frees, renames or merges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


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
