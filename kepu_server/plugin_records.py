"""What the server knows about each plugin: shown by ``kepu plugins list`` and the admin page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kepu_server.errors import ContentError, PluginError


@dataclass
class PluginRecord:
    name: str
    version: str = "0"
    source: str = "pip"  # bundled | pip | folder | pack
    status: str = "ok"  # ok | failed | disabled
    title: str = ""
    path: str | None = None
    courses: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    needs_restart: bool = False
    # What the plugin's code was loaded from (see ``PluginFailures``); not shown to users.
    files_stamp: Any = field(default=None, repr=False, compare=False)

    def fail(self, exc: BaseException, file: str | None = None, line: int | None = None) -> None:
        """Mark failed: the plugin (or a course folder of it) could not be loaded at all."""
        self.status = "failed"
        self.problem(exc, file, line)

    def problem(self, exc: BaseException, file: str | None = None, line: int | None = None):
        """Record an error without changing the status (the rest of the plugin serves)."""
        if isinstance(exc, ContentError):
            self.errors.append(exc.as_dict())
        else:
            message = str(exc) or type(exc).__name__
            if not isinstance(exc, PluginError) and type(exc).__name__ not in message:
                message = f"{type(exc).__name__}: {message}"
            self.errors.append({"file": file, "line": line, "message": message})

    @property
    def error(self) -> str | None:
        if not self.errors:
            return None
        lines = []
        for e in self.errors:
            where = e.get("file") or ""
            if where and e.get("line"):
                where = f"{where}:{e['line']}"
            lines.append(f"{where}: {e['message']}" if where else e["message"])
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "status": self.status,
            "title": self.title,
            "error": self.error,
            "errors": list(self.errors),
            "courses": list(self.courses),
            "needs_restart": self.needs_restart,
        }
