"""Parsed course files kept across catalog rebuilds, so a rebuild re-parses only what changed.

``CatalogHolder`` owns one ``ParseCache`` for the app's life and makes it active while it
builds a snapshot (``active``); ``load_course_dir`` then asks it for each file's parse
(``parsed``) instead of parsing again. Outside a build (``kepu check``, installs, tests)
nothing is active and every file is parsed, as before.

An entry is the parse of one file's bytes, with the file's stat key (size, mtime_ns,
ctime_ns, inode, device), ``LOADER_VERSION`` and, for a racy entry, the BLAKE2b hash of the
bytes parsed:

- stat key equal and the entry not *racy*: the entry is used without reading the file;
- otherwise the file is read; an entry with a hash is reused when the bytes hash the same,
  else (or without a hash: a ``touch`` or a copy) the file is parsed again.

An entry is racy when the file changed less than one timestamp tick before it was read (as
Git's index does; ``RACY_NS``, or ``RACY_FINE_NS`` where the times have fractions of a
second): a second save within that tick could leave the stat key unchanged, so a racy entry
is always checked against the bytes. ``ctime`` cannot be set by
programs (``os.utime`` moves it to now), so restoring an old mtime on a same-size file still
changes the key (not on Windows, where ``st_ctime`` is the creation time). The limit: a
file system whose ctime and mtime do not move on a write, or whose clock is far from this
PC's (a network share), can hide a change until the file changes again (or the saved copy,
``content.parse_store``, is deleted and the server restarted).

A parse that fails (``ContentError``) is kept as its message, file and line and raised
again as a new error, so a broken file is reported the same way on every rebuild.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kepu_server.errors import ContentError

LOADER_VERSION = 1  # raise it whenever what a parse returns changes
# How long after a file changed a second change could still leave its stat key alone: the
# timestamp tick. FAT (and other whole-second file systems) keep times in 1-2 s steps; a
# file system that keeps fractions (ext4, NTFS, APFS) takes them from a clock that moves
# every few milliseconds, and 0.2 s is far beyond that.
RACY_NS = 3_000_000_000
RACY_FINE_NS = 200_000_000
SECOND_NS = 1_000_000_000
_ACTIVE: contextvars.ContextVar[ParseCache | None] = contextvars.ContextVar(
    "kepu_parse_cache", default=None
)


def _stat_key(st: os.stat_result) -> tuple:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


class ParseCache:
    """``path -> (kind, stat key, racy, hash, value or failure)``; see the module docstring."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple] = {}
        self._used: set[str] = set()
        self._lock = threading.Lock()
        self.parses = 0  # files actually parsed (read by tests)
        self.hashed = 0  # files read and hashed to check an entry
        self.dirty = False  # changed since ``take``/``restore`` (worth saving again)

    def __len__(self) -> int:
        return len(self._entries)

    def parsed(
        self, file: Path, kind: str, parse: Callable[[Path, bytes], Any], fresh: bool = False
    ) -> Any:
        """``parse(file, data)``'s result for ``file``, from the cache when still valid.

        ``kind`` names the parse (the same file read two ways keeps two entries apart);
        ``fresh`` hands out a deep copy, for a caller that keeps parts it may change.
        """
        name = f"{kind}:{file}"
        started = time.time_ns()
        try:
            st = os.stat(file)
        except OSError:
            return parse(file, file.read_bytes())  # raises as it did without a cache
        key = _stat_key(st)
        with self._lock:
            self._used.add(name)
            entry = self._entries.get(name)
        if entry is not None and entry[0] == (key, LOADER_VERSION) and not entry[1]:
            return _result(entry[3], fresh)
        with open(file, "rb") as handle:
            data = handle.read()
        changed = max(st.st_mtime_ns, st.st_ctime_ns)
        coarse = st.st_mtime_ns % SECOND_NS == 0 and st.st_ctime_ns % SECOND_NS == 0
        racy = started - changed < (RACY_NS if coarse else RACY_FINE_NS)
        # The hash only where it can be compared: for a racy entry, or against an entry
        # that has one (a file that was racy and is now older, or touched since).
        digest = None
        if racy or (entry is not None and entry[2] is not None):
            digest = hashlib.blake2b(data, digest_size=20).digest()
        if (
            entry is not None
            and digest is not None
            and entry[2] == digest
            and entry[0][1] == LOADER_VERSION
        ):
            self.hashed += 1
            outcome = entry[3]
        else:
            self.parses += 1
            try:
                outcome = ("ok", parse(file, data))
            except ContentError as exc:
                outcome = ("error", (exc.message, exc.file, exc.line))
        with self._lock:
            self._entries[name] = ((key, LOADER_VERSION), racy, digest, outcome)
            self.dirty = True
        return _result(outcome, fresh)

    def begin(self) -> None:
        """A build starts: entries it does not ask for are dropped at ``end``."""
        with self._lock:
            self._used = set()

    def end(self) -> None:
        with self._lock:
            for name in [n for n in self._entries if n not in self._used]:
                del self._entries[name]
                self.dirty = True

    def take(self) -> dict[str, tuple]:
        """A copy of the entries, to save (``content.parse_store``); clears ``dirty``."""
        with self._lock:
            self.dirty = False
            return dict(self._entries)

    def restore(self, entries: dict[str, tuple]) -> None:
        """Entries read back from a saved cache (each is still checked against its file)."""
        with self._lock:
            self._entries.update(entries)


def _result(outcome: tuple, fresh: bool) -> Any:
    status, value = outcome
    if status == "error":
        raise ContentError(*value)
    return copy.deepcopy(value) if fresh else value


@contextlib.contextmanager
def active(cache: ParseCache | None) -> Iterator[None]:
    """Make ``cache`` the one ``parsed`` uses in this thread while a catalog is built."""
    if cache is not None:
        cache.begin()
    token = _ACTIVE.set(cache)
    try:
        yield
    finally:
        _ACTIVE.reset(token)
        if cache is not None:
            cache.end()


def parsed(file: Path, kind: str, parse: Callable[[Path, bytes], Any], fresh: bool = False) -> Any:
    """``parse(file, data)`` through the active cache, or directly when none is active."""
    cache = _ACTIVE.get()
    if cache is None:
        return parse(file, file.read_bytes())
    return cache.parsed(file, kind, parse, fresh)
