"""Run retention on its own: once at start-up, then every hour, in a daemon thread.

``kepu serve`` starts it (not the app factory: nothing runs at import or in tests unless a
test asks). Each pass opens its own connection, so it never shares a request's.
"""

from __future__ import annotations

import logging
import threading

from kepu_server.store.db import open_db, storage_unavailable
from kepu_server.store.retention import purge_expired

log = logging.getLogger(__name__)
EVERY_SECONDS = 3600


def purge_once(app) -> dict[str, int] | None:
    """One retention pass for ``app``; logs and carries on when the database is busy or full."""
    db = open_db(app.config["KEPU_DATABASE"])
    try:
        removed = purge_expired(db, app.config.get("KEPU_RETENTION_DAYS"))
    except Exception as exc:  # noqa: BLE001 - the next pass tries again
        if storage_unavailable(exc) is None:
            log.exception("retention pass failed")
        else:
            log.warning("retention pass skipped: %s", storage_unavailable(exc))
        return None
    finally:
        db.conn.close()
    if any(removed.values()):
        log.info("retention removed %s", removed)
    return removed


def start_retention(app, every: float = EVERY_SECONDS) -> threading.Event:
    """Start the daemon thread; set the returned event to stop it."""
    stop = threading.Event()

    def run() -> None:
        while True:
            purge_once(app)
            if stop.wait(every):
                return

    threading.Thread(target=run, name="kepu-retention", daemon=True).start()
    return stop
