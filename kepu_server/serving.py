"""How ``kepu serve`` runs waitress for a whole school (DESIGN "Serving a whole school").

- At least 1,000 open connections (``connection_limit``): a hall of 300 keep-alive tablets,
  or one device holding 99 idle sockets, must never lock the others out.
- ``poll()`` instead of ``select()``: ``select()`` cannot watch a descriptor above 1,024, so
  a limit of 1,000 connections needs it (see docs/decisions.md for the main-loop figures).
- A connection that sends nothing for ``channel_timeout`` seconds is dropped (idle keep-alive
  sockets and half-sent requests alike); the check runs every ``cleanup_interval`` seconds.
- A connection stays open after a 304 or 204 (``KeepAliveTask``): waitress 3 closes every
  HTTP/1.1 response that has no Content-Length, bodyless ones included, so each unchanged
  poll of a class of tablets would cost a new TCP connection.
- "Task queue depth is N" at most once every ``QUEUE_WARNING_EVERY`` seconds
  (``QueueWarnings``): waitress logs it for every request that finds all threads busy, which
  is every request of a hall polling at once, and building those log records was 5% of the
  server's CPU under load. The deepest queue since the last line is what is logged.
- A teacher's request goes ahead of the tablets' in the queue (``StaffFirstDispatcher``):
  when 300 tablets join at once, the queue holds hundreds of joins and the teacher's live
  poll would wait behind all of them. At most ``STAFF_AHEAD`` such requests wait ahead of
  the tablets, so a flood of requests to teacher paths cannot starve a class.
- The interpreter hands its lock (the GIL) round every ``SWITCH_INTERVAL`` seconds, not
  Python's default 5 ms (``sys.setswitchinterval``). waitress's one main-loop thread
  accepts, reads and hands out every request; each time it waits in ``poll()`` it must
  take the GIL back from the worker threads, and at 5 ms a wait the loop starved: under 50
  tablets answering at once 43% of the 2 cores sat idle. See docs/decisions.md.
- No proxy header is trusted (rate limits count the real address) and no body over
  ``MAX_CONTENT_LENGTH`` is read (waitress's own default buffers up to 1 GB to disk first).
"""

from __future__ import annotations

import logging
import resource
import sys
import threading
import time

import waitress.server
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer
from waitress.task import ThreadedTaskDispatcher, WSGITask

CONNECTION_LIMIT = 1000
CHANNEL_TIMEOUT = 30  # seconds; a tablet polls every 2 s, so only dead sockets are this quiet
CLEANUP_INTERVAL = 5
QUEUE_WARNING_EVERY = 10.0  # seconds
# Paths a teacher's screen asks for (the live dashboard, results, the projector, reports).
STAFF_PATHS = ("/teach", "/admin", "/api/v1/sessions", "/api/v1/reports")
STAFF_AHEAD = 4  # at most this many of them wait ahead of the tablets
SWITCH_INTERVAL = 0.001  # seconds (Python's default is 0.005); process-wide


class QueueWarnings:
    """Stands in for waitress's ``waitress.queue`` logger: one line per interval, not per task.

    waitress calls ``warning("Task queue depth is %d", depth)`` inside its queue lock; this
    only compares two numbers unless the interval has passed.
    """

    def __init__(self, logger: logging.Logger | None = None, every: float = QUEUE_WARNING_EVERY):
        self.logger = logger or logging.getLogger("waitress.queue")
        self.every = every
        self._lock = threading.Lock()
        self._next = 0.0
        self._deepest = 0

    def warning(self, message: str, depth: int, *args) -> None:
        with self._lock:
            self._deepest = max(self._deepest, depth)
            now = time.monotonic()
            if now < self._next:
                return
            deepest, self._deepest, self._next = self._deepest, 0, now + self.every
        self.logger.warning("Task queue depth is %d (deepest in the last %g s: %d)",
                            depth, self.every, deepest)  # fmt: skip


def waitress_options(app) -> dict:
    """The waitress adjustments ``kepu serve`` uses (besides host, port and threads)."""
    config = app.config
    return {
        "ident": "kepu",
        "clear_untrusted_proxy_headers": True,
        "max_request_body_size": int(config.get("MAX_CONTENT_LENGTH") or 64 * 1024 * 1024),
        "connection_limit": int(config.get("KEPU_CONNECTION_LIMIT", CONNECTION_LIMIT)),
        "channel_timeout": int(config.get("KEPU_CHANNEL_TIMEOUT", CHANNEL_TIMEOUT)),
        "cleanup_interval": CLEANUP_INTERVAL,
        "asyncore_use_poll": True,
    }


class KeepAliveTask(WSGITask):
    """waitress's task, except that a bodyless HTTP/1.1 response keeps its connection.

    ``Task.build_response_header`` closes an HTTP/1.1 connection whenever the response has
    no Content-Length, because without one the client cannot tell where a body ends. A 304,
    a 204 or a 1xx has no body by definition (RFC 9112 §6.3), so its end is known and the
    connection can carry the next request. Every other reason to close (``Connection:
    close``, HTTP/1.0, a short body, an error) still closes.
    """

    _building_bodyless_header = False

    def build_response_header(self):
        self._building_bodyless_header = (
            not self.has_body
            and self.version == "1.1"
            and self.request.headers.get("CONNECTION", "").lower() != "close"
        )
        try:
            return super().build_response_header()
        finally:
            self._building_bodyless_header = False

    def set_close_on_finish(self) -> None:
        if self._building_bodyless_header:
            return  # the only close left on this path is "no Content-Length": not needed
        super().set_close_on_finish()


def _staff(channel) -> bool:
    """Whether the request this channel queues (its first) is for a teacher's path.

    Never raises: it reads channels that the main loop may be closing meanwhile, and a
    failing ``add_task`` would leave a connection's next request unserved.
    """
    try:
        path = channel.requests[0].path
    except (AttributeError, IndexError, TypeError):
        return False
    return isinstance(path, str) and path.startswith(STAFF_PATHS)


class StaffFirstDispatcher(ThreadedTaskDispatcher):
    """Waitress's thread pool, but a teacher's request is queued ahead of the tablets'.

    ``add_task`` is called on the main loop with a channel whose request is parsed, so the
    path is known. A staff request goes behind the staff requests already at the head of
    the queue (first come, first served among them), unless ``STAFF_AHEAD`` wait there
    already: then it queues at the back like any other.
    """

    def add_task(self, task) -> None:
        if not _staff(task):
            super().add_task(task)
            return
        with self.lock:
            ahead = 0
            for queued in self.queue:
                if ahead >= STAFF_AHEAD or not _staff(queued):
                    break
                ahead += 1
            if ahead < STAFF_AHEAD:
                self.queue.insert(ahead, task)
            else:
                self.queue.append(task)
            self.queue_cv.notify()


class KeepAliveChannel(HTTPChannel):
    task_class = KeepAliveTask


def raise_file_limit(wanted: int) -> int:
    """Raise this process's open-file limit towards ``wanted`` (up to the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft


def create_server(app, host: str = "127.0.0.1", port: int = 8000, threads: int = 8, **extra):
    """A waitress server set up as ``kepu serve`` runs it (call ``.run()`` to serve).

    It sets this process's GIL switch interval (``SWITCH_INTERVAL``): the server is the
    process."""
    options = {**waitress_options(app), **extra}
    sys.setswitchinterval(SWITCH_INTERVAL)
    # Each connection is a descriptor, plus the database, the listening socket and files.
    raise_file_limit(options["connection_limit"] + 256)
    dispatcher = StaffFirstDispatcher()
    dispatcher.set_thread_count(threads)
    # ``_dispatcher`` is waitress's own way in for a dispatcher of the caller's (its tests').
    server = waitress.server.create_server(app, host=host, port=port, threads=threads,
                                           _dispatcher=dispatcher, **options)  # fmt: skip
    server.task_dispatcher.queue_logger = QueueWarnings()
    socket_map = getattr(server, "map", None) or server._map  # one socket, or several
    for dispatcher in socket_map.values():
        if isinstance(dispatcher, BaseWSGIServer):
            dispatcher.channel_class = KeepAliveChannel
    return server


def serve(app, host: str, port: int, threads: int = 8) -> None:
    """Serve ``app`` until interrupted (what ``kepu serve`` ends with)."""
    logging.basicConfig()  # waitress logs its warnings (e.g. a full task queue) this way
    server = create_server(app, host=host, port=port, threads=threads)
    server.print_listen("Serving on http://{}:{}")
    server.run()
