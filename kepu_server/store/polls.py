"""The tablet's poll (``GET /api/v1/me``) in one query: its seat, its class and its ticks."""

from __future__ import annotations

SEAT_POLL = """
SELECT p.*, NULL AS _session_columns, s.*,
  (SELECT count(*) || '.' || coalesce(sum(done), 0) || '.' || coalesce(max(updated_at), '')
     FROM guide_ticks WHERE participant_id = p.id) AS _ticks,
  (SELECT count(*) || '.' || coalesce(max(updated_at), '')
     FROM answers WHERE participant_id = p.id) AS _answers
FROM participants AS p JOIN class_sessions AS s ON s.id = p.session_id
WHERE p.token_hash = ?
"""


def seat_poll(db, token_hash: str) -> tuple[dict, dict, str, str] | None:
    """``(participant row, class_sessions row, ticks signature, answers signature)`` for a
    seat, or None.

    The signatures are the ones ``ticks_signature`` and ``answers_signature`` in
    ``store.participants`` compute.
    """
    cursor = db.execute(SEAT_POLL, [token_hash])
    row = cursor.fetchone()
    if row is None:
        return None
    names = [column[0] for column in cursor.description]
    split = names.index("_session_columns")
    participant = dict(zip(names[:split], row[:split], strict=True))
    session = dict(zip(names[split + 1 : -2], row[split + 1 : -2], strict=True))
    return participant, session, row[-2], row[-1]
