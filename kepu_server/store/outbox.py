"""The xAPI outbox: statements waiting for the district's LRS, and the sender's memory.

``enqueue`` runs inside the caller's transaction (the event's own), so a statement exists
exactly when its event does. ``mark_sent`` runs only after the LRS confirmed the batch.
"""

from __future__ import annotations

import json

from kepu_server.clock import now_iso
from kepu_server.store.db import write_transaction


def enqueue(db, statements: list[dict], session_id: str | None) -> None:
    """Queue ``statements`` (each with its UUID ``id``); call inside the event's transaction."""
    for st in statements:
        db.execute(
            "INSERT OR IGNORE INTO xapi_outbox (id, session_id, verb, body, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [st["id"], session_id, st["verb"]["id"].rsplit("/", 1)[-1],
             json.dumps(st, ensure_ascii=False), now_iso()],
        )  # fmt: skip


def pending(db, limit: int = 50) -> list[dict]:
    """The oldest unsent statements, as stored (``id``, ``body``)."""
    return list(
        db.query(
            "SELECT id, body FROM xapi_outbox WHERE sent_at IS NULL "
            "ORDER BY created_at, rowid LIMIT ?",
            [limit],
        )
    )


def mark_sent(db, ids: list[str]) -> None:
    """Record that the LRS holds ``ids``; one transaction, together with the success time."""
    at = now_iso()
    with write_transaction(db):
        db.conn.executemany(
            "UPDATE xapi_outbox SET sent_at = ? WHERE id = ?", [(at, i) for i in ids]
        )
        _set(db, "last_success", at)


def record_error(db, message: str) -> None:
    with write_transaction(db):
        _set(db, "last_error", f"{now_iso()} {message[:500]}")


def _set(db, key: str, value: str) -> None:
    db.execute(
        "INSERT INTO xapi_state (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


def status(db) -> dict:
    """Queue length, sent count, last success and last error."""
    counts = next(
        db.query(
            "SELECT SUM(sent_at IS NULL) AS queued, SUM(sent_at IS NOT NULL) AS sent "
            "FROM xapi_outbox"
        )
    )
    state = {r["key"]: r["value"] for r in db.query("SELECT key, value FROM xapi_state")}
    return {
        "queued": counts["queued"] or 0,
        "sent": counts["sent"] or 0,
        "last_success": state.get("last_success"),
        "last_error": state.get("last_error"),
    }


def delete_for_sessions(db, where: str, params: list) -> None:
    """Drop queued and sent statements of the sessions ``where`` selects (inside a transaction)."""
    db.execute(
        f"DELETE FROM xapi_outbox WHERE session_id IN (SELECT id FROM class_sessions WHERE {where})",  # noqa: S608
        params,
    )


def delete_for_session(db, session_id: str) -> None:
    """Drop the queued and sent statements of one class (inside the caller's transaction)."""
    delete_for_sessions(db, "id = ?", [session_id])
