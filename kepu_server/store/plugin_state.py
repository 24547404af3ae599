"""Which plugins an admin has disabled: the ``plugin_state`` table."""

from __future__ import annotations

from pathlib import Path

from kepu_server.clock import now_iso
from kepu_server.store.db import open_db, write_transaction


def disabled_plugins(db_path: str) -> set[str]:
    """The names of disabled plugins; none when the database does not exist yet."""
    if not Path(db_path).exists():
        return set()
    db = open_db(db_path)
    try:
        if "plugin_state" not in db.table_names():
            return set()
        return {row["name"] for row in db.query("SELECT name FROM plugin_state WHERE enabled = 0")}
    finally:
        db.conn.close()


def is_enabled(db, name: str) -> bool:
    row = next(db.query("SELECT enabled FROM plugin_state WHERE name = ?", [name]), None)
    return True if row is None else bool(row["enabled"])


def set_state(db, name: str, enabled: bool) -> None:
    with write_transaction(db):
        db["plugin_state"].upsert(
            {"name": name, "enabled": int(enabled), "updated_at": now_iso()}, pk="name"
        )


def forget_state(db, name: str) -> None:
    with write_transaction(db):
        db.execute("DELETE FROM plugin_state WHERE name = ?", [name])
