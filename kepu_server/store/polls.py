"""The tablet's requests in one query each: its seat and its class (and, for the poll
``GET /api/v1/me``, its ticks)."""

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
SEAT = """
SELECT p.*, NULL AS _session_columns, s.*, NULL AS _ticks, NULL AS _answers
FROM participants AS p JOIN class_sessions AS s ON s.id = p.session_id
WHERE p.token_hash = ?
"""


def seat_poll(db, token_hash: str) -> tuple[dict, dict, str, str] | None:
    """``(participant row, class_sessions row, ticks signature, answers signature)`` for a
    seat, or None.

    The signatures are the ones ``ticks_signature`` and ``answers_signature`` in
    ``store.participants`` compute.
    """
    return _seat(db, SEAT_POLL, token_hash)


def seat_and_class(db, token_hash: str) -> tuple[dict, dict] | None:
    """``(participant row, class_sessions row)`` for a seat, or None: what every tablet
    request but the poll needs first (an answer, a move, a tick)."""
    found = _seat(db, SEAT, token_hash)
    return found[:2] if found else None


def _seat(db, sql: str, token_hash: str) -> tuple[dict, dict, str | None, str | None] | None:
    cursor = db.execute(sql, [token_hash])
    row = cursor.fetchone()
    if row is None:
        return None
    names = [column[0] for column in cursor.description]
    split = names.index("_session_columns")
    participant = dict(zip(names[:split], row[:split], strict=True))
    session = dict(zip(names[split + 1 : -2], row[split + 1 : -2], strict=True))
    return participant, session, row[-2], row[-1]


# What a teacher's live view of a class is made of, as three strings (fields joined by
# char(31), rows by char(30): a name holds no control character and a response is JSON).
# Built by SQLite without a row reaching Python; equal strings mean an unchanged screen.
CLASS_CHANGES = """
SELECT
  (SELECT count(*) || char(29) || coalesce(group_concat(
      id || char(31) || name || char(31) || current_section || char(31)
      || coalesce(submitted_at, '') || char(31) || coalesce(score, '') || char(31)
      || coalesce(max_score, '') || char(31)
      || (coalesce(last_seen_at, joined_at) > :online_since), char(30)), '')
     FROM participants WHERE session_id = :session),
  (SELECT count(*) || char(29) || coalesce(group_concat(
      a.participant_id || char(31) || a.question_id || char(31)
      || coalesce(a.score, '') || char(31)
      || a.response, char(30)), '')
     FROM answers AS a JOIN participants AS p ON p.id = a.participant_id
     WHERE p.session_id = :session),
  (SELECT count(*) || char(29) || coalesce(group_concat(
      t.participant_id || char(31) || t.guide_id || char(31) || t.step || char(31) || t.done,
      char(30)), '')
     FROM guide_ticks AS t JOIN participants AS p ON p.id = t.participant_id
     WHERE p.session_id = :session)
"""


def class_changes(db, session_id: str, online_since: str) -> tuple[str, str, str]:
    """``(seats, answers, ticks)`` of a class as text, for the teacher's poll's ETag.

    A seat counts as online when it was seen after ``online_since`` (an ISO time, as
    ``last_seen_at`` is stored), so a tablet dropping out changes the text too.
    """
    row = db.execute(CLASS_CHANGES, {"session": session_id, "online_since": online_since})
    return tuple(row.fetchone())
