"""Open the instance database the same way everywhere, and hand one connection per request.

WAL lets tablets read while another thread writes; ``busy_timeout`` makes a writer wait for
the lock instead of failing; ``write_transaction`` starts with ``BEGIN IMMEDIATE`` so the wait
happens at the start of a transaction, never half-way through it.
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils
from flask import current_app, g
from sqlite_utils.utils import dedupe_keys

BUSY_TIMEOUT_MS = 10_000
_WRITERS = threading.Lock()


class Database(sqlite_utils.Database):
    """sqlite-utils' ``Database``, with ``query`` running a SELECT as just that statement.

    sqlite-utils wraps every ``query`` in ``SAVEPOINT`` / ``RELEASE`` so that a statement
    which returns no rows can be undone before it raises. A SELECT cannot write, so the guard
    only cost two statements (and, outside a transaction, a begin and a commit) per read:
    a tablet's answer made 20 statements, 12 of them savepoints. Anything else keeps the guard.
    """

    def query(self, sql: str, params=None):
        if sql.lstrip()[:6].upper() != "SELECT":
            return super().query(sql, params)
        if self._tracer:
            self._tracer(sql, params)
        cursor = self.conn.execute(sql, params if params is not None else ())
        keys = [d[0] for d in cursor.description]
        if len(set(keys)) != len(keys):
            keys = dedupe_keys(keys)
        return (dict(zip(keys, row, strict=True)) for row in cursor)


def open_db(path: str | Path) -> Database:
    """A sqlite-utils ``Database`` over ``path`` with WAL, busy_timeout and foreign keys on.

    ``synchronous = NORMAL``: in WAL mode a commit is durable against the server process
    crashing or being killed (the WAL is in the OS's page cache); only a power cut or an OS
    crash may lose the last commits before a checkpoint, never corrupt the file. FULL would
    fsync on every tablet's answer (see docs/decisions.md).
    """
    conn = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return Database(conn, execute_plugins=False)


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Writes that belong together: all or nothing, waiting for the write lock up front."""
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    # Threads of this process queue for the write lock here, where the next one is woken the
    # moment it is free; SQLite's own busy handler, which other processes still meet, sleeps
    # and retries, and under a class's answers those sleeps were most of a PUT's time.
    # (Never a deadlock: after the busy timeout a writer goes on to SQLite's own wait.)
    queued = _WRITERS.acquire(timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if conn.in_transaction:  # SQLite itself rolls back on some errors (SQLITE_FULL)
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        if queued:
            _WRITERS.release()


@contextlib.contextmanager
def write_statement(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write statement on its own, outside the writers' queue: SQLite makes it atomic.

    SQLite takes its write lock and gives it back inside the one C call that runs an
    autocommit statement, without the GIL, so the lock is held for tens of microseconds and
    a writer meeting it is rarely made to sleep. The queue (``_WRITERS``) is what
    transactions need: its lock is handed to the next writer while that thread has no GIL,
    and it then holds the queue while it waits up to a switch interval (5 ms) for the GIL.
    Measured under 50 tablets answering at once, that wait made every answer queue behind
    ~3 ms of nothing: about 300 answers a second, whatever the disk.
    """
    yield db


def storage_unavailable(exc: BaseException) -> str | None:
    """Why the database cannot take a write just now (disk full, locked), or None.

    These pass: a teacher frees space, a backup finishes. The web answers them with 503 and
    ``Retry-After`` (web_errors.py) instead of a 500.
    """
    if isinstance(exc, sqlite3.OperationalError):
        code = getattr(exc, "sqlite_errorcode", None)
        text = str(exc)
        if code in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or any(
            words in text for words in ("database or disk is full", "database is locked")
        ):
            return text
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "no space left on the disk"
    return None


def get_db() -> sqlite_utils.Database:
    """The request's database handle: one connection per server thread, reused.

    Opening SQLite and setting its pragmas costs more than a tablet's whole 304 poll, so each
    waitress thread keeps its connection. Between requests it is never inside a transaction
    (writes go through ``write_transaction``, which commits or rolls back).
    """
    if "kepu_db" not in g:
        g.kepu_db = thread_db(current_app)
    return g.kepu_db


def thread_db(app) -> sqlite_utils.Database:
    """This server thread's connection to ``app``'s database (opened on first use).

    ``get_db`` hands it to a Flask request; ``seat_lane`` uses it for a poll answered in
    front of Flask, on the same thread, so the two never hold two connections per thread.
    """
    local = app.extensions["kepu_db_local"]
    db = getattr(local, "db", None)
    if db is None:
        db = local.db = open_db(app.config["KEPU_DATABASE"])
    elif db.conn.in_transaction:  # a request died half-way: never inherit its writes
        db.conn.rollback()
    return db


def close_db(exc: BaseException | None = None) -> None:
    g.pop("kepu_db", None)


def init_app(app) -> None:
    from kepu_server.store.migrations import migrate

    Path(app.config["KEPU_DATABASE"]).parent.mkdir(parents=True, exist_ok=True)
    db = open_db(app.config["KEPU_DATABASE"])
    try:
        migrate(db)
    finally:
        db.conn.close()
    app.extensions["kepu_db_local"] = threading.local()
    app.teardown_appcontext(close_db)
