"""Class-session events for plugins (``kepu_session_event``): joined, answered, submitted, ended.

Called after the change is committed. A plugin that raises is logged and recorded; the
student or teacher whose action caused the event never sees its error.
"""

from __future__ import annotations

import logging

from flask import current_app

from kepu_server.catalog import get_catalog
from kepu_server.clock import now_iso

log = logging.getLogger(__name__)
EVENT_TYPES = ("joined", "answered", "submitted", "ended")


def emit_session_event(event: dict) -> None:
    """Send ``event`` (needs ``type`` and ``session``; ``at`` is added) to every plugin."""
    emit_event(get_catalog(), current_app._get_current_object(), event)


def emit_event(catalog, app, event: dict) -> None:
    """``emit_session_event`` with the catalog snapshot and the app given (answer_lane.py)."""
    if event.get("type") not in EVENT_TYPES:
        raise ValueError(f"unknown session event type {event.get('type')!r}")
    payload = {"at": now_iso(), **event}
    catalog.call("kepu_session_event", app=app, event=payload)
