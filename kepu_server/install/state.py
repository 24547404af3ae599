"""Enabled or disabled: the ``plugin_state`` table, read by the catalog on every rebuild.

A running server notices a change within ``KEPU_RELOAD_INTERVAL`` (the set of disabled names
is part of the catalog's stamp) and swaps in a snapshot without the disabled plugin's courses.
Class results stay in the database and stay readable.
"""

from __future__ import annotations

from kepu_server.install.errors import InstallError
from kepu_server.store import plugin_state
from kepu_server.store.db import open_db

# The core's own parts are always on.
ALWAYS_ON = {"content", "core"}


def set_enabled(db_path: str, catalog, name: str, enabled: bool, extra_names=()) -> bool:
    """Enable or disable ``name``; returns False when it already was in that state.

    ``extra_names`` are plugins installed but not in ``catalog`` (a pip plugin that waits
    for a restart).
    """
    if name in ALWAYS_ON:
        raise InstallError("not_allowed", f"{name!r} is part of Kepu Server and is always on")
    record = catalog.record(name)
    if record is None and name not in extra_names:
        raise InstallError("not_found", f"no plugin or content pack called {name!r}")
    db = open_db(db_path)
    try:
        if plugin_state.is_enabled(db, name) == enabled:
            return False
        plugin_state.set_state(db, name, enabled)
        return True
    finally:
        db.conn.close()


def forget(db_path: str, name: str) -> None:
    """Drop the state of an uninstalled plugin: installed again, it starts enabled."""
    db = open_db(db_path)
    try:
        plugin_state.forget_state(db, name)
    finally:
        db.conn.close()
