"""The tablet's requests in one query each: its seat and its class (and, for the poll
``GET /api/v1/me``, its ticks)."""

from __future__ import annotations

SEAT_POLL = """
SELECT p.*, NULL AS _session_columns, s.*,
  (SELECT count(*) || '.' || coalesce(sum(done), 0) || '.' || coalesce(max(updated_at), '')
     FROM guide_ticks WHERE participant_id = p.id) AS _ticks
FROM participants AS p JOIN class_sessions AS s ON s.id = p.session_id
WHERE p.token_hash = ?
"""
SEAT = """
SELECT p.*, NULL AS _session_columns, s.*, NULL AS _ticks
FROM participants AS p JOIN class_sessions AS s ON s.id = p.session_id
WHERE p.token_hash = ?
"""


def seat_poll(db, token_hash: str) -> tuple[dict, dict, str] | None:
    """``(participant row, class_sessions row, ticks signature)`` for a seat, or None.

    The ticks signature is the one ``classroom.participants.ticks_signature`` computes.
    """
    return _seat(db, SEAT_POLL, token_hash)


def seat_and_class(db, token_hash: str) -> tuple[dict, dict] | None:
    """``(participant row, class_sessions row)`` for a seat, or None: what every tablet
    request but the poll needs first (an answer, a move, a tick)."""
    found = _seat(db, SEAT, token_hash)
    return found[:2] if found else None


def _seat(db, sql: str, token_hash: str) -> tuple[dict, dict, str | None] | None:
    cursor = db.execute(sql, [token_hash])
    row = cursor.fetchone()
    if row is None:
        return None
    names = [column[0] for column in cursor.description]
    split = names.index("_session_columns")
    participant = dict(zip(names[:split], row[:split], strict=True))
    session = dict(zip(names[split + 1 : -1], row[split + 1 : -1], strict=True))
    return participant, session, row[-1]
