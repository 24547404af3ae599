"""The parse cache on disk, so a restart does not parse every course file again.

``<instance>/parse-cache.jsonl`` holds the entries of ``content.parse_cache.ParseCache``:
a header line (format, ``LOADER_VERSION``, Kepu's version), one JSON line per entry and a
last line with the BLAKE2b hash of everything before it. It is only ever a copy of what the
files say: each entry read back is checked against its file exactly as in memory (stat key,
racy entries by their bytes), so a stale entry is parsed again. A file that is missing,
truncated, changed by hand, from another version or unreadable in any way is ignored as a
whole (a cold start); deleting it is always safe. It is written by the background change
check, never by a request, to a temporary file first and then renamed into place.

Entries whose value JSON cannot carry exactly (a TOML date in a front matter) are left out.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from kepu_server.content.model import Section, Step
from kepu_server.content.parse_cache import LOADER_VERSION
from kepu_server.version import __version__

log = logging.getLogger(__name__)
FILE_NAME = "parse-cache.jsonl"
HEADER = {"format": "kepu-parse-cache", "loader": LOADER_VERSION, "kepu": __version__}
PARTS = {"lesson": Section, "guide": Step}  # kinds whose value holds frozen parts


def load(path: Path) -> dict[str, tuple]:
    """The saved entries, or ``{}`` when there are none that can be trusted."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    try:
        return _decode(data)
    except Exception:  # noqa: BLE001 - a corrupt or foreign cache only means a cold start
        log.warning("ignoring the parse cache %s: damaged or from another version", path)
        return {}


def save(path: Path, entries: dict[str, tuple]) -> None:
    digest = hashlib.blake2b(digest_size=32)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as out:
            for line in _lines(entries):
                data = line.encode("utf-8") + b"\n"
                digest.update(data)
                out.write(data)
            out.write(digest.hexdigest().encode() + b"\n")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _lines(entries: dict[str, tuple]):
    yield json.dumps(HEADER)
    for name, ((key, _version), racy, digest, (status, value)) in entries.items():
        encoded = _encode(name.split(":", 1)[0], status, value)
        if encoded is not None:
            hexed = digest.hex() if digest is not None else None
            yield json.dumps([name, list(key), racy, hexed, status, encoded], ensure_ascii=False)


def _encode(kind: str, status: str, value):
    if status == "error":
        return list(value)
    if kind in PARTS:
        meta, parts, line = value
        value = [meta, [[p.title, p.markdown, p.line] for p in parts], line]
    return value if _plain(value) else None


def _plain(value) -> bool:
    """Whether JSON gives ``value`` back as it is (tuples come back as lists, see _decode)."""
    if isinstance(value, str | bool | int | float) or value is None:
        return True
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def _decode(data: bytes) -> dict[str, tuple]:
    end = data.rindex(b"\n", 0, len(data) - 1) + 1
    body, tail = data[:end], data[end:]
    if hashlib.blake2b(body, digest_size=32).hexdigest().encode() + b"\n" != tail:
        raise ValueError("the checksum does not match")
    lines = body.decode("utf-8").split("\n")[:-1]
    if json.loads(lines[0]) != HEADER:
        raise ValueError("another format or version")
    entries = {}
    for line in lines[1:]:
        name, key, racy, hexed, status, value = json.loads(line)
        kind = name.split(":", 1)[0]
        if status == "error":
            value = tuple(value)
        elif kind in PARTS:
            meta, parts, body_line = value
            value = (meta, tuple(PARTS[kind](*p) for p in parts), body_line)
        elif kind == "quiz":
            value = tuple(value)
        digest = bytes.fromhex(hexed) if hexed is not None else None
        entries[name] = ((tuple(key), LOADER_VERSION), bool(racy), digest, (status, value))
    return entries
