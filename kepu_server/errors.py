"""The small error hierarchy of Kepu Server.

The CLI prints any :class:`KepuError` as one clean line; the web shows a friendly page or a
JSON error body. Nothing here ever reaches a child's screen as a stack trace.
"""

from __future__ import annotations

import re
from pathlib import Path


class KepuError(Exception):
    """Base of every error Kepu Server raises on purpose."""


class ContentError(KepuError):
    """A course file is malformed. Carries the file and, where known, the line."""

    def __init__(self, message: str, file: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line

    def __str__(self) -> str:
        where = self.file or ""
        if where and self.line:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}" if where else self.message

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "message": self.message}


class AccountError(KepuError):
    """A teacher account cannot be made as asked. ``reason`` names why, for translated pages:
    ``bad_name``, ``short_password`` or ``name_taken`` (the CLI prints the English message)."""

    def __init__(self, message: str, reason: str, name: str = ""):
        super().__init__(message)
        self.reason = reason
        self.name = name


class PluginError(KepuError):
    """A plugin failed to import, to validate, or raised in a hook."""


class StartupError(KepuError):
    """Raised by a ``kepu_startup`` hook to say the server must not start as configured."""


class ApiError(KepuError):
    """A request the API refuses: becomes ``{"error": {"code", "message"}}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


def toml_error(
    exc: Exception, file: str | Path, line_offset: int = 0, source: str | None = None
) -> ContentError:
    """Turn a ``tomllib.TOMLDecodeError`` into a :class:`ContentError` with file and line."""
    text = str(exc)
    match = _TOML_LINE.search(text)
    line = int(match.group(1)) + line_offset if match else None
    if line is None and "end of document" in text and source is not None:
        line = source.rstrip("\n").count("\n") + 1 + line_offset
    message = _TOML_LINE.sub("", text).replace("(at end of document)", "at the end").strip()
    return ContentError(f"invalid TOML: {message}", file, line)
