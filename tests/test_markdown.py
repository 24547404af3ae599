"""Markdown is rendered once, sanitised, and media links point at the course's media URL."""

from __future__ import annotations

import re
from pathlib import Path

from kepu_server.content.markdown import MarkdownRenderer, sanitize


def test_scripts_handlers_and_styles_are_removed():
    html = MarkdownRenderer().render(
        '<script>alert(1)</script>\n\n<img src="x.png" onerror="alert(1)" style="x">\n\n'
        "[click](javascript:alert(1)) <iframe src=//evil></iframe>"
    )
    assert "<script" not in html and "onerror" not in html and "style=" not in html
    assert "javascript:" not in html and "<iframe" not in html


def test_tables_fenced_code_and_lists_render():
    html = MarkdownRenderer().render(
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n\n- x\n- y"
    )
    assert "<table" in html and "<pre><code>code" in html and "<li>x</li>" in html


def test_media_links_are_rewritten_to_the_course_media_url():
    html = MarkdownRenderer().render(
        "![trap](media/trap.svg) [pdf](./media/a.pdf) ![abs](/other.png)", "/courses/c/media"
    )
    assert 'src="/courses/c/media/trap.svg"' in html
    assert 'href="/courses/c/media/a.pdf"' in html
    assert 'src="/other.png"' in html


def test_rendering_is_cached_per_text():
    renderer = MarkdownRenderer()
    first = renderer.render("**hello**")
    assert renderer.render("**hello**") is first
    assert renderer.render("**other**") is not first


def test_class_attributes_survive_for_plugin_callouts():
    html = sanitize('<div class="callout callout-fact" id="x" style="y"><p>hi</p></div>')
    assert html == '<div class="callout callout-fact"><p>hi</p></div>'


def test_links_get_noopener():
    assert 'rel="noopener noreferrer"' in MarkdownRenderer().render("[a](http://example.org)")


# ------------------------------------------------------------------ pinyin (ruby)

RUBY_TING = "<ruby>烃<rp>(</rp><rt>tīng</rt><rp>)</rp></ruby>"


def test_ruby_annotation_renders_with_fallback_parentheses():
    html = MarkdownRenderer().render("石油里的{烃|tīng}很多。")
    assert html == f"<p>石油里的{RUBY_TING}很多。</p>"


def test_ruby_works_inside_emphasis_links_and_lists():
    html = MarkdownRenderer().render("- **{烃|tīng}**\n- [{烃|tīng}](http://example.org)")
    assert html.count(RUBY_TING) == 2 and "<strong>" + RUBY_TING in html


def test_ruby_does_not_fire_in_code_or_when_escaped():
    renderer = MarkdownRenderer()
    assert renderer.render("`{烃|tīng}`") == "<p><code>{烃|tīng}</code></p>"
    assert "<ruby>" not in renderer.render("```\n{烃|tīng}\n```")
    assert renderer.render("\\{烃|tīng}") == "<p>{烃|tīng}</p>"
    assert "<ruby>" not in renderer.render("{烃|}, {|tīng}, { |x}, {a\nb|c}")


def test_ruby_parts_are_plain_text_never_markup():
    html = MarkdownRenderer().render('{<script>alert(1)</script>|x} {a|<img src=x onerror="y">}')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<rt>&lt;img src=x" in html


def test_sanitiser_keeps_ruby_tags_but_not_their_handlers():
    html = sanitize('<ruby onclick="x" style="y">a<rp>(</rp><rt onmouseover="z">b</rt></ruby>')
    assert html == "<ruby>a<rp>(</rp><rt>b</rt></ruby>"


def test_the_documented_pinyin_example_renders_as_documented():
    doc = (Path(__file__).parent.parent / "docs" / "writing_plugins.md").read_text("utf-8")
    section = doc.split("#### Pinyin over hard words", 1)[1]
    source = re.search(r"```text\n(.+?)\n```", section, re.S).group(1)
    promised = re.search(r"becomes `(.+?)`:", section).group(1)
    assert MarkdownRenderer().render(source) == f"<p>{promised}</p>"


def test_tables_are_keyboard_focusable_and_a_pack_cannot_add_attributes():
    html = MarkdownRenderer().render(
        '| a | b |\n|---|---|\n| 1 | 2 |\n\n<table onclick="x()" tabindex="5"><tr><td>t</td></tr></table>'
    )
    assert html.count('<table tabindex="0"') == 2, html  # scrollable on a tablet: reachable
    assert "onclick" not in html and 'tabindex="5"' not in html
