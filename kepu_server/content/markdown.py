"""Render course Markdown to sanitised HTML, once per text (cached).

Relative ``media/...`` links and images are rewritten to the course's media URL, so an
author writes ``![](media/trap.svg)`` in any lesson or guide, and ``{烃|tīng}`` for pinyin
over a hard word (``ruby.py``). Whatever a plugin's Markdown
extension emits, nh3 keeps only the tags and attributes listed here.
"""

from __future__ import annotations

import html as html_lib
import logging
import re
import threading
from collections import OrderedDict
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from kepu_server.content.ruby import RubyExtension

ALLOWED_TAGS = {
    "p", "div", "span", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li",
    "strong", "em", "b", "i", "u", "s", "sub", "sup", "code", "pre", "blockquote", "table",
    "thead", "tbody", "tr", "th", "td", "img", "a", "figure", "figcaption", "dl", "dt", "dd",
    "abbr", "mark", "small", "kbd", "ruby", "rt", "rp",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}
CORE_EXTENSIONS = ["tables", "fenced_code", "sane_lists"]
# Core extensions of our own, applied to every course like the ones above (pinyin: ruby.py).
CORE_OWN_EXTENSIONS = (RubyExtension,)

log = logging.getLogger(__name__)
# Python-Markdown's link and autolink scanning is quadratic in the '[' and '<' of a
# paragraph: 20 000 of them in a content pack's lesson pin a server thread for minutes.
# Real lessons have a handful; text past these limits is shown as plain text instead.
MAX_TEXT_CHARS = 100_000
MAX_BRACKETS_PER_BLOCK = 500
MAX_BRACKETS = 2000


_TABLE = re.compile(r"<table(?=[\s>])")


def focusable_tables(html: str) -> str:
    """A wide table scrolls sideways on a tablet (kepu.css); ``tabindex="0"`` lets a keyboard
    reach it and scroll it (axe's scrollable-region-focusable). Applied to sanitised output,
    whose ``<table`` tags are nh3's own."""
    return _TABLE.sub('<table tabindex="0"', html)


def sanitize(html: str) -> str:
    """Keep only the allowed tags and attributes; drop scripts, styles and handlers."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


class _MediaLinks(Treeprocessor):
    def __init__(self, md, base: str):
        super().__init__(md)
        self.base = base

    def run(self, root: Element) -> None:
        for element in root.iter():
            for attr in ("src", "href"):
                value = element.get(attr)
                if value and value.startswith(("media/", "./media/", "../media/")):
                    element.set(attr, f"{self.base}/{value.split('media/', 1)[1]}")


class _MediaLinkExtension(Extension):
    def __init__(self, base: str):
        super().__init__()
        self.base = base

    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's name
        md.treeprocessors.register(_MediaLinks(md, self.base), "kepu_media_links", 1)


class MarkdownRenderer:
    """Renders Markdown with the core and plugin extensions; results are cached by text.

    A new renderer is built whenever the catalog is rebuilt (installed content changed), so a
    changed file is a new text and a new cache entry; old entries fall out of the LRU.
    """

    def __init__(self, extensions: list | None = None, cache_size: int = 4096):
        self.extensions = list(extensions or [])
        self._cache: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def render(self, text: str, media_base: str = "") -> str:
        key = (text, media_base)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        html = None
        if not _too_costly(text):
            md = markdown.Markdown(
                extensions=[
                    *CORE_EXTENSIONS,
                    *(make() for make in CORE_OWN_EXTENSIONS),
                    *self.extensions,
                    _MediaLinkExtension(media_base),
                ]
            )
            try:
                html = focusable_tables(sanitize(md.convert(text)))
            except Exception:  # noqa: BLE001 - deep nesting (RecursionError), a plugin's bug
                log.exception("Markdown could not be rendered; showing it as plain text")
        if html is None:
            html = plain_html(text)
        with self._lock:
            self._cache[key] = html
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return html


def _too_costly(text: str) -> bool:
    if len(text) > MAX_TEXT_CHARS or text.count("[") + text.count("<") > MAX_BRACKETS:
        return True
    return any(
        block.count("[") > MAX_BRACKETS_PER_BLOCK or block.count("<") > MAX_BRACKETS_PER_BLOCK
        for block in text.split("\n\n")
    )


def plain_html(text: str) -> str:
    """``text`` escaped, one paragraph per blank-line-separated block: never any markup."""
    blocks = (b.strip() for b in text.replace("\r\n", "\n").split("\n\n"))
    return "".join(f"<p>{html_lib.escape(b)}</p>" for b in blocks if b)
