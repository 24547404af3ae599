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
FENCE_LINE_RE = re.compile(r"^[^\S\n]*\+\+\+[^\S\n]*$", re.M)  # a line "+++" once stripped


def file_text(file: Path, data: bytes | None = None) -> str:
    """The file as ``Path.read_text`` gives it (UTF-8, any newline read as "\\n")."""
    if data is None:
        return file.read_text(encoding="utf-8")
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def read_toml(
    file: Path, text: str | None = None, line_offset: int = 0, data: bytes | None = None
) -> dict:
    try:
        if text is None:
            text = file_text(file, data)
        return tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ContentError(f"not UTF-8 text ({exc.reason})", file) from None
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(exc, file, line_offset, text) from None
    except RecursionError:
        # tomllib recurses per "[" or "{": a file of 100 000 of them overflows the stack.
        raise ContentError("invalid TOML: arrays or tables nested too deeply", file) from None


_STR = r'"[^"\\\n]*(?:\\["\\][^"\\\n]*)*"'  # a basic string, its only escapes \" and \\
_VALUE = rf"{_STR}|-?(?:0|[1-9][0-9]*)|true|false|\[[ \t\n]*(?:{_STR}[ \t\n]*,[ \t\n]*)*(?:{_STR}[ \t\n]*)?\]"
_PAIR_RE = re.compile(rf"(?:[ \t]*\n)*[ \t]*([A-Za-z0-9_-]+)[ \t]*=[ \t]*({_VALUE})[ \t]*(?:\n|\Z)")
_STR_RE = re.compile(_STR)
_ESCAPE_RE = re.compile(r'\\(["\\])')
_BLANK_RE = re.compile(r"[ \t\n]*\Z")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def simple_toml(text: str) -> dict | None:
    """The TOML a front matter almost always is, read without tomllib (which is pure Python
    and most of a start-up's parsing time); None for anything else, which tomllib then reads.

    Only ``key = value`` lines with a bare key seen once, where a value is a string (its only
    escapes ``\\"`` and ``\\\\``), a decimal integer, ``true``/``false`` or an array of such
    strings (over lines, a trailing comma allowed); no comments, tables, floats, dates or
    control characters.
    Within that, the result is exactly tomllib's (tests/test_content_cache.py compares them).
    """
    if _CONTROL_RE.search(text):
        return None
    meta: dict = {}
    pos, end = 0, len(text)
    while pos < end:
        found = _PAIR_RE.match(text, pos)
        if found is None:
            return meta if _BLANK_RE.match(text, pos) else None
        key, value = found.group(1), found.group(2)
        if key in meta:
            return None
        first = value[0]
        if first == '"':
            meta[key] = _unescape(value)
        elif first == "[":
            meta[key] = [_unescape(item) for item in _STR_RE.findall(value)]
        elif first == "t" or first == "f":
            meta[key] = first == "t"
        else:
            meta[key] = int(value)
        pos = found.end()
    return meta


def _unescape(quoted: str) -> str:
    text = quoted[1:-1]
    return _ESCAPE_RE.sub(r"\1", text) if "\\" in text else text


def split_front_matter(file: Path, data: bytes | None = None) -> tuple[dict, str, int]:
    """Return (front matter, Markdown body, line number where the body starts).

    ``data`` is the file's bytes when the caller has read them already.
    """
    try:
        text = file_text(file, data).replace("\r\n", "\n").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise ContentError(f"not UTF-8 text ({exc.reason})", file) from None
    first_end = text.find("\n")
    if (text if first_end == -1 else text[:first_end]).strip() != "+++":
        raise ContentError("must start with TOML front matter between '+++' lines", file, 1)
    closing = None if first_end == -1 else FENCE_LINE_RE.search(text, first_end + 1)
    if closing is None:
        raise ContentError("front matter is not closed by a '+++' line", file, 1)
    front = text[first_end + 1 : max(first_end + 1, closing.start() - 1)]
    meta = simple_toml(front)
    if meta is None:
        meta = read_toml(file, front, line_offset=1)
    body_start = closing.end() + 1  # past the newline ending the '+++' line (or the end)
    return meta, text[body_start:], text.count("\n", 0, closing.start()) + 2


# The lines split_sections looks at, each after a newline: a fence (after any whitespace but
# a newline) or "## ". A literal first character lets the search skip to each newline.
MARK_RE = re.compile(r"\n(?:[^\S\n]*(?:```|~~~)|## )")


def split_sections(body: str, first_line: int) -> list[tuple[str, str, int]]:
    """Split Markdown at ``## `` headings (outside code fences): [(title, markdown, line)].

    Text before the first heading, from its first non-blank line, is a section titled "".
    One pass over the marks (``MARK_RE``), slicing the text between headings, so a long
    lesson costs no Python work per line.
    """
    heads: list[tuple[int, int]] = []  # (offset of the heading line, its line number)
    in_fence = False
    line, counted = first_line, 0
    for found in MARK_RE.finditer("\n" + body):
        start = found.start()  # in body: the line after the newline found
        if found.group()[-1] != " ":
            in_fence = not in_fence
        elif not in_fence:
            line += body.count("\n", counted, start)
            counted = start
            heads.append((start, line))
    chunks: list[tuple[str, str, int]] = []
    text = _first_text(body, heads[0][0] if heads else len(body))
    if text is not None:  # the text before the first heading, from its first non-blank line
        begin = body.rfind("\n", 0, text) + 1
        end = heads[0][0] - 1 if heads else len(body)
        chunks.append(("", body[begin:end], first_line + body.count("\n", 0, begin)))
    for index, (start, number) in enumerate(heads):
        eol = body.find("\n", start)
        end = heads[index + 1][0] - 1 if index + 1 < len(heads) else len(body)
        if eol == -1 or eol >= end:
            title, markdown = body[start + 3 : eol if eol != -1 else len(body)], ""
        else:
            title, markdown = body[start + 3 : eol], body[eol + 1 : end]
        chunks.append((title.strip(), markdown, number))
    return [(title, text.strip("\n"), n) for title, text, n in chunks]


def _first_text(body: str, end: int) -> int | None:
    """The offset of the first non-whitespace character before ``end`` (None: none)."""
    found = NON_SPACE_RE.search(body, 0, end)
    return found.start() if found else None


NON_SPACE_RE = re.compile(r"\S")


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
