"""The one way the server writes a moment: UTC, ISO 8601, whole seconds."""

from __future__ import annotations

from datetime import UTC, datetime


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
