"""Parsing primitives for course files: TOML, ``+++`` front matter, sections, field checks.

Every function raises ``ContentError`` with the file (and the line, where TOML or the
front matter gives one), so an author is always told where to look.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from kepu_server.content.model import GRADES
from kepu_server.errors import ContentError, toml_error

ID_RE = re.compile(r"^[a-z0-9_-]+\Z")  # \Z: "$" would let a trailing newline in
FENCE_RE = re.compile(r"^(```|~~~)")


def read_toml(file: Path, text: str | None = None, line_offset: int = 0) -> dict:
    try:
        if text is None:
            text = file.read_text(encoding="utf-8")
        return tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ContentError(f"not UTF-8 text ({exc.reason})", file) from None
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(exc, file, line_offset, text) from None
    except RecursionError:
        # tomllib recurses per "[" or "{": a file of 100 000 of them overflows the stack.
        raise ContentError("invalid TOML: arrays or tables nested too deeply", file) from None


def split_front_matter(file: Path) -> tuple[dict, str, int]:
    """Return (front matter, Markdown body, line number where the body starts)."""
    try:
        text = file.read_text(encoding="utf-8").replace("\r\n", "\n").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise ContentError(f"not UTF-8 text ({exc.reason})", file) from None
    lines = text.split("\n")
    if not lines or lines[0].strip() != "+++":
        raise ContentError("must start with TOML front matter between '+++' lines", file, 1)
    for index in range(1, len(lines)):
        if lines[index].strip() == "+++":
            meta = read_toml(file, "\n".join(lines[1:index]), line_offset=1)
            return meta, "\n".join(lines[index + 1 :]), index + 2
    raise ContentError("front matter is not closed by a '+++' line", file, 1)


def split_sections(body: str, first_line: int) -> list[tuple[str, str, int]]:
    """Split Markdown at ``## `` headings (outside code fences): [(title, markdown, line)]."""
    chunks: list[list] = []
    in_fence = False
    for offset, line in enumerate(body.split("\n")):
        if FENCE_RE.match(line.strip()):
            in_fence = not in_fence
        if not in_fence and line.startswith("## "):
            chunks.append([line[3:].strip(), [], first_line + offset])
        elif chunks:
            chunks[-1][1].append(line)
        elif line.strip():
            chunks.append(["", [line], first_line + offset])
    return [(title, "\n".join(text).strip("\n"), line) for title, text, line in chunks]


def same_id(meta: dict, default, file: Path) -> None:
    if meta.get("id", default.id) != default.id:
        raise ContentError(f"translation id {meta.get('id')!r} differs from {default.id!r}", file)


def required_id(meta: dict, file: Path) -> str:
    value = meta.get("id")
    if not isinstance(value, str) or not ID_RE.match(value):
        raise ContentError("'id' is required: lower-case letters, digits, '-' or '_'", file)
    return value


def optional_id(meta: dict, key: str, file: Path) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not ID_RE.match(value):
        raise ContentError(f"{key!r} must be an id (lower-case letters, digits, '-' or '_')", file)
    return value


def required_str(meta: dict, key: str, file: Path) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContentError(f"{key!r} is required and must be text", file)
    return value


def positive_int(meta: dict, key: str, file: Path) -> int | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ContentError(f"{key!r} must be a whole number above 0", file)
    return value


def str_tuple(value, key: str, file: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ContentError(f"{key!r} must be a list of text", file)
    return tuple(value)


def grades(value, file: Path) -> tuple[str, ...]:
    grades = str_tuple(value, "grades", file)
    unknown = [g for g in grades if g not in GRADES]
    if unknown:
        raise ContentError(
            f"unknown grade {unknown[0]!r}: use {', '.join(repr(g) for g in GRADES)}", file
        )
    return grades
