"""Retention: what the school keeps about children, and for how long (``retention_days``).

A class older than the limit goes with everything about its students: their seats
(nicknames or roster names), answers and guide ticks; saved class lists (rosters: children's
names) go once they are as old. Rate-limit counters go after an hour.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlite_utils

from kepu_server.store.db import write_transaction
from kepu_server.store.limits import purge_old_failures


def purge_expired(db: sqlite_utils.Database, days: int | None) -> dict[str, int]:
    """Delete what is older than ``days`` (0 or None keeps everything); counts per table."""
    removed = {"sessions": 0, "participants": 0, "rosters": 0}
    if days and days > 0:
        cutoff = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
        old_sessions = (
            "SELECT id FROM class_sessions WHERE COALESCE(ended_at, created_at) < :cutoff"
        )
        old_seats = f"SELECT id FROM participants WHERE session_id IN ({old_sessions})"
        with write_transaction(db):
            # Explicit, not only ON DELETE CASCADE: a database opened without foreign_keys
            # (a restored backup, an old tool) must not keep the children's answers.
            for table in ("answers", "guide_ticks"):
                db.execute(f"DELETE FROM {table} WHERE participant_id IN ({old_seats})",
                           {"cutoff": cutoff})  # fmt: skip
            removed["participants"] = db.execute(
                f"DELETE FROM participants WHERE id IN ({old_seats})", {"cutoff": cutoff}
            ).rowcount
            # Their xAPI statements too, sent or not (the LRS keeps what it already holds).
            db.execute(f"DELETE FROM xapi_outbox WHERE session_id IN ({old_sessions})",
                       {"cutoff": cutoff})  # fmt: skip
            removed["sessions"] = db.execute(
                f"DELETE FROM class_sessions WHERE id IN ({old_sessions})", {"cutoff": cutoff}
            ).rowcount
            removed["rosters"] = db.execute(
                "DELETE FROM rosters WHERE created_at < ?", [cutoff]
            ).rowcount
    purge_old_failures(db)
    return removed
