"""Failure counters for rate limits, in SQLite so that every server process shares them.

A counter is a (scope, key) pair counted in fixed buckets of ``window`` seconds; the rate is
read as a sliding window (this bucket plus the part of the previous bucket that still falls
inside the last ``window`` seconds), so a guesser gains nothing by timing the bucket edge.
``take_attempt`` checks and counts in one ``BEGIN IMMEDIATE`` transaction, so concurrent
requests (threads or processes) cannot all pass the check before any of them is counted.
"""

from __future__ import annotations

import time

import sqlite_utils

from kepu_server.store.db import write_transaction


def _buckets(window: int, now: float) -> tuple[int, int, float]:
    bucket = int(now // window)
    elapsed = (now - bucket * window) / window
    return bucket, bucket - 1, 1.0 - elapsed


def _estimate(db: sqlite_utils.Database, scope: str, key: str, window: int, now: float) -> float:
    current, previous, weight = _buckets(window, now)
    counts = dict(
        db.execute(
            "SELECT bucket, count FROM failure_counts "
            "WHERE scope = ? AND key = ? AND bucket_seconds = ? AND bucket IN (?, ?)",
            [scope, key, window, current, previous],
        ).fetchall()
    )
    return counts.get(current, 0) + counts.get(previous, 0) * weight


def failures_in_window(db: sqlite_utils.Database, scope: str, key: str, window: int) -> float:
    """About how many failures ``key`` had in ``scope`` during the last ``window`` seconds."""
    return _estimate(db, scope, key, window, time.time())


def record_failure(db: sqlite_utils.Database, scope: str, key: str, window: int) -> int:
    """Count one failure for ``key``; returns the count in the current bucket."""
    current, previous, _weight = _buckets(window, time.time())
    with write_transaction(db):
        db.execute(
            "DELETE FROM failure_counts WHERE scope = ? AND key = ? AND bucket < ?",
            [scope, key, previous],
        )
        return db.execute(
            "INSERT INTO failure_counts (scope, key, bucket_seconds, bucket, count) "
            "VALUES (?, ?, ?, ?, 1) ON CONFLICT (scope, key, bucket_seconds, bucket) "
            "DO UPDATE SET count = count + 1 RETURNING count",
            [scope, key, window, current],
        ).fetchone()[0]


def take_attempt(db: sqlite_utils.Database, scope: str, key: str, limit: int, window: int) -> bool:
    """Count an attempt unless ``limit`` is reached; False (nothing counted) when it is.

    Check and count happen under one write lock: 32 concurrent guesses get at most ``limit``
    through. An attempt that turns out well is handed back with ``give_back_attempt``.
    """
    with write_transaction(db):
        if _estimate(db, scope, key, window, time.time()) >= limit:
            return False
        record_failure(db, scope, key, window)
        return True


def give_back_attempt(db: sqlite_utils.Database, scope: str, key: str, window: int) -> None:
    """Undo ``take_attempt`` for an attempt that succeeded: successes never count."""
    current, _previous, _weight = _buckets(window, time.time())
    with write_transaction(db):
        db.execute(
            "UPDATE failure_counts SET count = max(count - 1, 0) "
            "WHERE scope = ? AND key = ? AND bucket_seconds = ? AND bucket IN (?, ?)",
            [scope, key, window, current, current - 1],
        )


def purge_old_failures(db: sqlite_utils.Database, older_than_seconds: int = 3600) -> int:
    """Drop counters whose buckets ended long ago (run by the retention job)."""
    cutoff = time.time() - older_than_seconds
    with write_transaction(db):
        return db.execute(
            "DELETE FROM failure_counts WHERE (bucket + 1) * bucket_seconds < ?", [cutoff]
        ).rowcount
