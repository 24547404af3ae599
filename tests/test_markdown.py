"""Markdown is rendered once, sanitised, and media links point at the course's media URL."""

from __future__ import annotations

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
    assert "<table>" in html and "<pre><code>code" in html and "<li>x</li>" in html


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
