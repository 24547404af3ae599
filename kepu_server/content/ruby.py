"""Pinyin (ruby) annotations in course Markdown: ``{烃|tīng}`` -> ``<ruby>``.

A hard word is written as ``{base|annotation}``; it renders as
``<ruby>烃<rp>(</rp><rt>tīng</rt><rp>)</rp></ruby>``, so a browser that knows ruby shows the
pinyin above the word and one that does not shows ``烃(tīng)``. Both parts are plain text:
markup inside them is shown as typed, never interpreted. The core registers the extension
for every course (``CORE_EXTENSIONS`` in ``markdown.py``).

It runs after code spans and backslash escapes, so ```{a|b}``` in backticks, fenced code and
``\\{a|b}`` stay literal. In a table cell the ``|`` would end the cell, so ruby is not
available inside tables.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement

from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

# Neither part may hold braces, a bar, a line break or Python-Markdown's placeholder markers
# (\x02, \x03: stashed code spans, escapes and raw HTML), so an escaped or stashed piece never
# becomes part of an annotation.
RUBY_RE = r"\{([^{}|\n\x02\x03]+)\|([^{}|\n\x02\x03]+)\}"
# After escapes (180) and code spans (190), before raw inline HTML (90) and emphasis.
RUBY_PRIORITY = 95


class _RubyProcessor(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802 - Python-Markdown's name
        base, annotation = m.group(1).strip(), m.group(2).strip()
        if not base or not annotation:
            return None, None, None
        ruby = Element("ruby")
        # AtomicString: later inline patterns (raw HTML, emphasis) leave these texts alone,
        # so they are escaped as plain text when the tree is serialised.
        ruby.text = AtomicString(base)
        SubElement(ruby, "rp").text = AtomicString("(")
        SubElement(ruby, "rt").text = AtomicString(annotation)
        SubElement(ruby, "rp").text = AtomicString(")")
        return ruby, m.start(0), m.end(0)


class RubyExtension(Extension):
    """``{base|annotation}`` -> ``<ruby>base<rp>(</rp><rt>annotation</rt><rp>)</rp></ruby>``."""

    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's name
        md.inlinePatterns.register(_RubyProcessor(RUBY_RE, md), "kepu_ruby", RUBY_PRIORITY)
