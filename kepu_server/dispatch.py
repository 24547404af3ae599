"""The one way the core calls plugin hooks: in DESIGN's precedence, each plugin on its own.

Every hook call of the core goes through ``Dispatcher.call``. It owns three rules:

- **Order.** Plugins are called in the order they were registered, which ``load_plugins``
  makes DESIGN's precedence: the core's own built-in plugins, bundled plugins, pip plugins,
  folder plugins, then the school's content (packs, then the content folder). Where results
  compete (a course id, a question-type name), the earlier plugin keeps it. This is the
  opposite of pluggy's own call order (last registered first), so the dispatcher never uses
  ``pm.hook.<name>(...)``; and it refuses ``tryfirst``/``trylast``/wrappers at registration
  (``plugins.register``), so no plugin can jump the queue.
- **Isolation.** An exception in one implementation marks only that plugin failed (logged with
  its name and recorded with file and line); the others still run. ``StartupError`` from
  ``kepu_startup`` is the one exception meant to stop the server, and is passed on.
- **A failed plugin stays failed.** It is not called again by this dispatcher, and
  ``PluginFailures`` keeps its failure across catalog rebuilds until its files change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Container
from typing import Any

import pluggy

from kepu_server.errors import ContentError, PluginError
from kepu_server.plugin_records import PluginRecord

log = logging.getLogger(__name__)


class PluginFailures:
    """Plugins whose code raised, keyed by name and a stamp of their files.

    One per app (the catalog holder keeps it), so a plugin that failed is not loaded or
    called again at the next catalog rebuild; when its files change (a new stamp), it gets
    a fresh chance.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failed: dict[str, tuple[Any, list[dict]]] = {}

    def remember(self, name: str, stamp: Any, errors: list[dict]) -> None:
        with self._lock:
            self._failed[name] = (stamp, [dict(e) for e in errors])

    def recall(self, name: str, stamp: Any) -> list[dict] | None:
        """The errors ``name`` failed with, if it failed with these same files; else None."""
        with self._lock:
            found = self._failed.get(name)
            if found is None:
                return None
            if found[0] != stamp:
                del self._failed[name]  # its files changed: try it again
                return None
            return [dict(e) for e in found[1]]


class Dispatcher:
    """Calls hooks for the core: ``dispatcher.call("kepu_courses", app=app)``."""

    def __init__(
        self,
        pm: pluggy.PluginManager,
        records: list[PluginRecord] | None = None,
        failures: PluginFailures | None = None,
    ) -> None:
        self.pm = pm
        self.records = records if records is not None else []
        self.failures = failures
        self.broken: set[str] = set()

    def record(self, name: str) -> PluginRecord | None:
        return next((r for r in self.records if r.name == name), None)

    def order(self) -> list[str]:
        """Plugin names in precedence order (registration order; see ``load_plugins``)."""
        return [name for name, plugin in self.pm.list_name_plugin() if plugin is not None]

    def implementations(self, hook_name: str) -> list[pluggy.HookImpl]:
        rank = {name: i for i, name in enumerate(self.order())}
        impls = getattr(self.pm.hook, hook_name).get_hookimpls()
        return sorted(impls, key=lambda impl: rank.get(impl.plugin_name, len(rank)))

    def call(
        self, hook_name: str, *, propagate: tuple = (), only: Container[str] | None = None, **kwargs
    ) -> list[tuple[str, Any]]:
        """Call every working plugin's implementation of ``hook_name``, in precedence order.

        Returns ``(plugin name, result)`` for each plugin that returned; a plugin that raised
        is marked failed and left out. Exceptions of a type in ``propagate`` are re-raised.
        ``only`` limits the call to the plugins named in it (``kepu check`` of one plugin).
        """
        results = []
        for impl in self.implementations(hook_name):
            name = impl.plugin_name
            if name in self.broken or (only is not None and name not in only):
                continue
            try:
                # pluggy lets an implementation take fewer arguments than the spec.
                result = impl.function(*(kwargs[arg] for arg in impl.argnames))
            except propagate:
                raise
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - isolated, recorded
                self.fail(name, hook_name, exc)
                continue
            results.append((name, result))
        return results

    def fail(self, name: str, hook_name: str, exc: BaseException) -> None:
        """Mark ``name`` failed for good (until its files change): log, record, remember."""
        log.error("plugin %r failed in %s", name, hook_name, exc_info=exc)
        self.broken.add(name)
        record = self.record(name)
        if record is None:
            return
        if isinstance(exc, ContentError):  # e.g. its course folder is broken: file and line
            record.fail(exc)
        else:
            file, line = where(exc)
            message = f"{hook_name} raised {type(exc).__name__}: {exc}"
            record.fail(PluginError(message), file, line)
        if self.failures is not None:
            self.failures.remember(name, record.files_stamp, record.errors)


def where(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost frame of a plugin's own file, for 'file:line' in the error."""
    if isinstance(exc, SyntaxError):
        return exc.filename, exc.lineno
    tb = exc.__traceback__
    file = line = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if "importlib" not in filename and "/kepu_server/" not in filename:
            file, line = filename, tb.tb_lineno
        tb = tb.tb_next
    return file, line
