"""Call-out boxes for course Markdown — the worked example of a Markdown extension plugin.

Authors write a header line ``!!! KIND`` with an optional quoted title, then the body
indented by four spaces::

    !!! safety "安全提示"
        只用食用油，**不要**用汽油。

        - 地面洒油要马上擦干

    The next, non-indented paragraph is outside the box again.

and get exactly the markup the core stylesheet styles (see ``docs/plugin_hooks.md``)::

    <div class="callout callout-safety"><p class="callout-title">安全提示</p>
    <p>只用食用油，<strong>不要</strong>用汽油。</p><ul><li>地面洒油要马上擦干</li></ul></div>

Rules:

* ``KIND`` is one of ``fact``, ``safety``, ``tip``, ``think`` (lower case). Any other word
  (``!!! note``, ``!!! FACT``) is not a call-out: the text is left as an ordinary paragraph,
  so a typo shows up on the page instead of silently vanishing.
* The title is optional. Straight quotes ``"..."`` and Chinese quotes ``“...”`` both work.
  Without a title (or with an empty one) the box gets the kind's built-in Chinese title,
  e.g. 知识卡 for ``fact``; English lesson files should therefore always give a title.
* The body is full Markdown (paragraphs, lists, bold, tables…), indented by four spaces.
  Blank lines inside the body are fine as long as the following lines stay indented; the
  first non-indented line ends the box.

The output then goes through the core's HTML sanitiser like every other extension's: only
``div``/``p`` with ``class`` are used here, both of which it keeps.

Use it from a plugin with::

    from kepu_petroleum.callouts import CalloutExtension

    @hookimpl
    def kepu_markdown_extensions(app):
        return [CalloutExtension()]

or, outside Kepu Server, ``markdown.markdown(text, extensions=[CalloutExtension()])``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension

#: The call-out kinds and the title each gets when the author gives none.
DEFAULT_TITLES: dict[str, str] = {
    "fact": "知识卡",
    "safety": "安全提示",
    "tip": "小贴士",
    "think": "想一想",
}

#: Priority in Python-Markdown's block parser: above indented code (80) and list
#: continuation (90), so an indented call-out body is never mistaken for a code block.
PRIORITY = 105


class CalloutProcessor(BlockProcessor):
    """Block processor turning ``!!! KIND "title"`` + an indented body into a call-out div."""

    def __init__(self, parser, titles: dict[str, str]):
        super().__init__(parser)
        self.titles = titles
        kinds = "|".join(re.escape(kind) for kind in titles)
        # The header must be a line of its own; the title is optional.
        self.header_re = re.compile(
            rf"(?:^|\n)!!![ ]+(?P<kind>{kinds})"
            rf'(?:[ ]+(?:"(?P<title>[^"\n]*)"|“(?P<title_zh>[^”\n]*)”))?[ ]*(?:\n|$)'
        )

    def test(self, parent: etree.Element, block: str) -> bool:
        return bool(self.header_re.search(block)) or self._open_callout(parent, block) is not None

    def run(self, parent: etree.Element, blocks: list[str]) -> bool | None:
        block = blocks.pop(0)
        match = self.header_re.search(block)
        if match:
            if match.start() > 0:
                # Text before the header line is an ordinary block of its own.
                self.parser.parseBlocks(parent, [block[: match.start()]])
            kind = match.group("kind")
            title = match.group("title") or match.group("title_zh") or ""
            box = etree.SubElement(parent, "div")
            box.set("class", f"callout callout-{kind}")
            heading = etree.SubElement(box, "p")
            heading.set("class", "callout-title")
            heading.text = title.strip() or self.titles[kind]
            body, rest = self.detab(block[match.end() :])
        else:
            # An indented block after a blank line continues the call-out just above it.
            box = self._open_callout(parent, block)
            body, rest = self.detab(block)
        if body.strip():
            self.parser.parseChunk(box, body)
        if rest:
            # The first non-indented line ends the box; what follows is parsed normally.
            blocks.insert(0, rest)
        return None

    def _open_callout(self, parent: etree.Element, block: str) -> etree.Element | None:
        """The call-out an indented ``block`` continues, or None."""
        if not block.startswith(" " * self.tab_length):
            return None
        sibling = self.lastChild(parent)
        if sibling is None or sibling.tag != "div":
            return None
        classes = (sibling.get("class") or "").split()
        if "callout" in classes and any(c.startswith("callout-") for c in classes):
            return sibling
        return None


class CalloutExtension(Extension):
    """Python-Markdown 3 extension adding ``!!! fact|safety|tip|think "title"`` call-outs.

    ``titles`` may replace or extend the kinds and their default titles, e.g.
    ``CalloutExtension(titles={**DEFAULT_TITLES, "tip": "Tip"})``; a kind added here must
    also be styled by the core stylesheet (``fact``, ``safety``, ``tip``, ``warning``,
    ``think`` are).
    """

    def __init__(self, titles: dict[str, str] | None = None, **kwargs):
        self.titles = dict(titles if titles is not None else DEFAULT_TITLES)
        super().__init__(**kwargs)

    def extendMarkdown(self, md) -> None:  # noqa: N802 - Python-Markdown's method name
        md.parser.blockprocessors.register(
            CalloutProcessor(md.parser, self.titles), "kepu_callout", PRIORITY
        )


def makeExtension(**kwargs) -> CalloutExtension:  # noqa: N802 - Python-Markdown's hook name
    """Let ``markdown.markdown(text, extensions=["kepu_petroleum.callouts"])`` work too."""
    return CalloutExtension(**kwargs)
