"""Images a teacher uploads into a course: PNG and JPEG by their magic bytes, SVG sanitised.

Nothing uploaded runs: an SVG keeps only drawing elements and attributes (no script, no
foreignObject, no event handlers, no links to anything outside the file), and course media
is served with a sandboxing Content-Security-Policy besides (views/pages.py).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from werkzeug.utils import secure_filename

from kepu_server.errors import ApiError

MAGIC = {".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",)}
SVG_NS = "http://www.w3.org/2000/svg"
XLINK = "{http://www.w3.org/1999/xlink}href"
DROPPED = {"script", "foreignObject", "iframe", "embed", "object", "audio", "video", "handler",
           "listener", "animate", "set", "animateMotion", "animateTransform"}  # fmt: skip
URL_RE = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.I)


def media_name(filename: str) -> tuple[str, str]:
    name = secure_filename(filename or "").lower()
    stem, dot, ext = name.rpartition(".")
    if not dot or f".{ext}" not in (*MAGIC, ".svg"):
        raise ApiError(415, "unsupported_media", "upload a PNG, JPEG or SVG image")
    stem = re.sub(r"[^a-z0-9_-]+", "-", stem).strip("-") or "image"
    return f"{stem[:60]}.{ext}", f".{ext}"


def checked_media(data: bytes, ext: str, limit: int) -> bytes:
    """The bytes to store, or an ApiError (413 too large, 415 not what its name says)."""
    if len(data) > limit:
        raise ApiError(413, "too_large", f"an image may be at most {limit // 1024} KB")
    if ext in MAGIC:
        if not data.startswith(MAGIC[ext]):
            raise ApiError(415, "unsupported_media", f"this file is not a {ext[1:].upper()} image")
        return data
    return sanitize_svg(data)


def sanitize_svg(data: bytes) -> bytes:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError(415, "unsupported_media", "an SVG must be UTF-8 text") from None
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.I):
        # Entities are how XML bombs and external-file reads work: no SVG needs them.
        raise ApiError(415, "unsupported_media", "an SVG with a DOCTYPE or entities is refused")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ApiError(415, "unsupported_media", f"not a well-formed SVG: {exc}") from None
    if _local(root.tag) != "svg":
        raise ApiError(415, "unsupported_media", "the file's root element is not <svg>")
    _clean(root)
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _clean(element: ET.Element) -> None:
    for child in list(element):
        name = _local(child.tag)
        text = child.text or ""
        if (
            not isinstance(child.tag, str)
            or name in DROPPED
            or (name == "style" and (URL_RE.search(text) or "@import" in text))
        ):
            element.remove(child)
            continue
        _clean(child)
    for attr in list(element.attrib):
        value = element.attrib[attr]
        local = _local(attr).lower()
        if local.startswith("on"):
            del element.attrib[attr]
        elif local == "href" or attr == XLINK:
            if not value.strip().startswith("#"):
                del element.attrib[attr]
        elif URL_RE.search(value) or "javascript:" in value.lower():
            del element.attrib[attr]
