"""A staging folder inside the instance, and the atomic swap of a new folder into place.

Staging sits in the instance folder so the final move is a rename on one filesystem. It is a
dot-folder at the instance root, outside ``packs/`` and ``plugins/``, so a running server
never sees a half-copied course; and it is removed whatever happens, so a refused install
leaves the instance as it was.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

_LOCK = threading.Lock()
_RENAME_EXCHANGE = 2  # linux/fs.h


@contextlib.contextmanager
def staging_folder(instance: Path) -> Iterator[Path]:
    """A fresh empty folder inside ``instance``, removed on exit."""
    path = Path(tempfile.mkdtemp(prefix=".install-", dir=instance))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def install_lock(instance: Path) -> Iterator[None]:
    """One install at a time per instance: across threads, and across processes on POSIX.

    The lock is taken on the instance folder itself, so no lock file is left behind.
    """
    with _LOCK:
        fd = None
        if sys.platform != "win32":
            import fcntl

            fd = os.open(instance, os.O_RDONLY)
            fcntl.flock(fd, fcntl.LOCK_EX)
            # Holding the lock, any staging folder left is from an install that was killed.
            for stale in instance.glob(".install-*"):
                shutil.rmtree(stale, ignore_errors=True)
        try:
            yield
        finally:
            if fd is not None:
                os.close(fd)  # closing releases the flock


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step with Linux's renameat2(RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def swap_into_place(new: Path, target: Path, trash: Path) -> None:
    """Make ``new`` appear at ``target``; the old ``target`` (if any) ends up at ``trash``.

    With an old version present, both are swapped in one atomic step where the system
    allows it, so a catalog reload never sees the course missing; otherwise the old folder
    is moved aside and the new one moved in right after.
    """
    if not target.exists():
        os.replace(new, target)
        return
    if _exchange(new, target):
        os.replace(new, trash)  # ``new`` now holds the old version
        return
    os.replace(target, trash)
    try:
        os.replace(new, target)
    except OSError:
        os.replace(trash, target)  # put the old version back
        raise


def remove_folder(target: Path, trash: Path) -> None:
    """Take ``target`` out of service in one rename, then delete it."""
    os.replace(target, trash)
    shutil.rmtree(trash, ignore_errors=True)
