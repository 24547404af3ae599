"""Online backup (SQLite's backup API: consistent while the server writes) and restore."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

from kepu_server.errors import KepuError


def backup(db_path: str | Path, target: str | Path) -> int:
    target = Path(target)
    if target.exists():
        raise KepuError(f"{target} exists already; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(str(db_path))
    dest = sqlite3.connect(str(target))
    try:
        with dest:
            source.backup(dest)
    finally:
        dest.close()
        source.close()
    return target.stat().st_size


def restore(source: str | Path, db_path: str | Path) -> Path | None:
    """Check ``source`` is a Kepu database, keep the current one aside, copy it in."""
    source, db_path = Path(source), Path(db_path)
    try:
        conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise KepuError(f"{source} is not an SQLite database ({exc})") from None
    if not ok or "users" not in tables:
        raise KepuError(f"{source} is not a Kepu Server database backup")
    kept = None
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if db_path.exists():
        conn = sqlite3.connect(str(db_path))
        try:  # fold the WAL into the main file so the kept copy is complete
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        kept = db_path.with_name(f"kepu-before-restore-{time.strftime('%Y%m%d-%H%M%S')}.db")
        shutil.move(db_path, kept)
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, db_path)
    return kept
