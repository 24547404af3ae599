"""Queries for the classroom's small repairs: a code whose class has ended, a roster seat
the teacher frees, renames or merges (the child who tapped someone else's name)."""

from __future__ import annotations


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
