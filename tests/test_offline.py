"""No network at run time: no page, script, stylesheet or course file points at another host."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT

URL = re.compile(r"https?://[^\s\"'<>)]+", re.I)
# XML namespaces name a vocabulary; nothing is fetched from them.
NAMESPACES = ("http://www.w3.org/", "https://www.w3.org/")
STATIC_SUFFIXES = {".js", ".css", ".html", ".svg", ".mjs"}


def external_urls(text: str) -> list[str]:
    return [u for u in URL.findall(text) if not u.startswith(NAMESPACES)]


def course_pages(app) -> list[str]:
    urls = ["/", "/j", "/login", "/?lang=en"]
    for course in app.extensions["kepu"].catalog.courses.values():
        urls.append(f"/courses/{course.id}")
        for lang in course.languages:
            urls += [f"/courses/{course.id}/lessons/{lid}?lang={lang}" for lid in course.lessons]
            urls += [f"/courses/{course.id}/guides/{gid}?lang={lang}" for gid in course.guides]
            urls += [f"/api/v1/courses/{course.id}/lessons/{lid}?lang={lang}"
                     for lid in course.lessons]  # fmt: skip
    return urls


def test_every_rendered_course_page_stays_on_the_server(app, client):
    pages = course_pages(app)
    assert len(pages) > 100  # every bundled lesson and guide, in both languages
    offenders = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        found = external_urls(response.get_data(as_text=True))
        if found:
            offenders[url] = found
    assert not offenders


@pytest.mark.parametrize(
    "folder",
    ["kepu_server/static", "kepu_server/templates", "plugins", "content"],
)
def test_no_static_file_template_or_course_file_names_another_host(folder):
    offenders = {}
    for path in (ROOT / folder).rglob("*"):
        if path.suffix in STATIC_SUFFIXES | {".md", ".toml"} and path.is_file():
            if "README" in path.name:
                continue
            found = external_urls(path.read_text(encoding="utf-8", errors="replace"))
            if found:
                offenders[str(path.relative_to(ROOT))] = found
    assert not offenders
