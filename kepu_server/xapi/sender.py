"""Send the outbox to the LRS in batches; a background worker retries with backoff.

A statement is marked sent only after the LRS confirmed it (200/204, or 409: the LRS
already holds that id), in one transaction; a crash in between means it is sent again
with the same id, which a conformant LRS stores once.
"""

from __future__ import annotations

import base64
import logging
import threading
import urllib.error
import urllib.parse
import urllib.request

from kepu_server.store import outbox
from kepu_server.store.db import open_db

log = logging.getLogger(__name__)
VERSION = "1.0.3"
BATCH = 50
TIMEOUT = 15


class LrsError(Exception):
    pass


def _request(cfg: dict, method: str, url: str, body: bytes | None) -> int:
    auth = f"{cfg.get('username', '')}:{cfg.get('password', '')}".encode()
    req = urllib.request.Request(url, data=body, method=method)
    req.add_header("X-Experience-API-Version", VERSION)
    req.add_header("Content-Type", "application/json")
    req.add_header("Authorization", "Basic " + base64.b64encode(auth).decode())
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310 (configured URL)
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError) as exc:
        raise LrsError(f"LRS unreachable: {exc}") from None


def _statements_url(cfg: dict) -> str:
    return cfg["endpoint"].rstrip("/") + "/statements"


def send_batch(db, cfg: dict, limit: int = BATCH) -> int:
    """Send up to ``limit`` queued statements; returns how many the LRS confirmed."""
    rows = outbox.pending(db, limit)
    if not rows:
        return 0
    body = ("[" + ",".join(r["body"] for r in rows) + "]").encode()
    status = _request(cfg, "POST", _statements_url(cfg), body)
    if status in (200, 204):
        outbox.mark_sent(db, [r["id"] for r in rows])
        return len(rows)
    if status != 409:
        raise LrsError(f"LRS answered {status} to a batch of {len(rows)}")
    # Some id is already stored: PUT each one, and 409 means "already there" for that one.
    confirmed = []
    for r in rows:
        url = _statements_url(cfg) + "?" + urllib.parse.urlencode({"statementId": r["id"]})
        one = _request(cfg, "PUT", url, r["body"].encode())
        if one in (200, 204, 409):
            confirmed.append(r["id"])
        else:
            if confirmed:
                outbox.mark_sent(db, confirmed)
            raise LrsError(f"LRS answered {one} to statement {r['id']}")
    outbox.mark_sent(db, confirmed)
    return len(confirmed)


def flush(db, cfg: dict) -> int:
    """Send everything queued now; returns the count sent. Raises ``LrsError`` on failure."""
    total = 0
    try:
        while True:
            sent = send_batch(db, cfg)
            if not sent:
                return total
            total += sent
    except LrsError as exc:
        outbox.record_error(db, str(exc))
        raise


class Worker(threading.Thread):
    """Flushes every ``interval`` seconds; after a failure waits 2, 4, 8 … up to 300 s."""

    def __init__(self, database: str, cfg: dict, interval: float = 5.0, max_wait: float = 300):
        super().__init__(name="kepu-xapi-sender", daemon=True)
        self.database, self.cfg, self.interval, self.max_wait = database, cfg, interval, max_wait
        self.stopped = threading.Event()
        self.wake = threading.Event()

    def run(self) -> None:
        db = open_db(self.database)
        failures = 0
        try:
            while not self.stopped.is_set():
                try:
                    flush(db, self.cfg)
                    failures = 0
                    wait = self.interval
                except Exception as exc:  # noqa: BLE001 (the sender must outlive any one failure)
                    if not isinstance(exc, LrsError):
                        log.exception("xAPI sender failed")
                    failures += 1
                    wait = min(self.interval * 2 ** min(failures, 12), self.max_wait)
                    log.warning("xAPI: %s; retrying in %.0f s", exc, wait)
                self.wake.wait(wait)
                self.wake.clear()
        finally:
            db.conn.close()

    def stop(self) -> None:
        self.stopped.set()
        self.wake.set()
        self.join(timeout=TIMEOUT + 5)


def start_worker(app, interval: float = 5.0) -> Worker | None:
    """Start the sender for ``app`` when ``[xapi]`` is configured (the server calls this)."""
    from kepu_server.xapi.record import settings

    cfg = settings(app.config)
    if cfg is None:
        return None
    worker = Worker(app.config["KEPU_DATABASE"], cfg, interval=float(cfg.get("interval", interval)))
    worker.start()
    app.extensions["kepu_xapi_worker"] = worker
    return worker
