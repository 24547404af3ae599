"""The request-bound side of ``classroom/teaching.py``: join addresses, events, retention.

``classroom/`` knows nothing of Flask; what needs the app's config, this request's host or
the plugins' session events is wired in here for the teacher API and the /teach pages.
"""

from __future__ import annotations

import time

from flask import current_app, request

from kepu_server.catalog import get_catalog
from kepu_server.classroom import teaching
from kepu_server.session_events import emit_session_event
from kepu_server.xapi import record as xapi_record

PURGE_EVERY_SECONDS = 3600


def join_base_url() -> str:
    """The address tablets use: KEPU_PUBLIC_URL, else the first LAN URL, else this request's."""
    public = current_app.config.get("KEPU_PUBLIC_URL")
    if public:
        return str(public).rstrip("/")
    lan = current_app.config.get("KEPU_LAN_URLS") or []
    if lan:
        return str(lan[0]).rstrip("/")
    return request.host_url.rstrip("/")


def xapi_reporter() -> xapi_record.Reporter | None:
    """What xAPI statements need from this server, or None when ``[xapi]`` is off."""
    if xapi_record.settings(current_app.config) is None:
        return None
    catalog = get_catalog()

    def course(course_id: str):
        found = catalog.course(course_id)
        return (",".join(found.grades), found.title) if found is not None else None

    public = current_app.config.get("KEPU_PUBLIC_URL") or join_base_url()
    return xapi_record.reporter(current_app.config, public, course)


def other_base_urls() -> list[str]:
    """The server's other LAN addresses, for a join screen's "not working? try" line.

    A PC with Wi-Fi and a cable (or a virtual network) has several; the first may be one the
    tablets cannot reach.
    """
    if current_app.config.get("KEPU_PUBLIC_URL"):
        return []
    lan = [str(u).rstrip("/") for u in current_app.config.get("KEPU_LAN_URLS") or []]
    return lan[1:]


def join_url(code: str) -> str:
    return f"{join_base_url()}/j/{code}"


def session_state(catalog, db, session: dict) -> dict:
    """``teaching.session_state`` with the join URL this server gives tablets."""
    return teaching.session_state(catalog, db, session, join_url(session["code"]))


def end_session(db, session: dict) -> dict:
    """End the class; plugins hear ``ended`` once."""
    return teaching.end_session(db, session, emit_session_event, xapi_reporter())


def delete_session(db, session: dict) -> None:
    teaching.delete_session(db, session, emit_session_event, xapi_reporter())


def purge_now_and_then(db) -> None:
    """Run the retention purge at most once an hour per server process (cheap to call)."""
    state = current_app.extensions.setdefault("kepu_retention", {"last": 0.0})
    if time.monotonic() - state["last"] < PURGE_EVERY_SECONDS and state["last"]:
        return
    state["last"] = time.monotonic()
    teaching.end_forgotten_sessions(
        db, current_app.config.get("KEPU_AUTO_END_HOURS"), emit_session_event, xapi_reporter()
    )
    teaching.purge_expired_sessions(db, current_app.config.get("KEPU_RETENTION_DAYS"))
