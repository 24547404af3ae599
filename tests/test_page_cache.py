"""Public pages: rendered once per catalog snapshot and language, with an ETag and no cookie."""

from __future__ import annotations

import re

import pytest

from kepu_server.views import pages
from tests.conftest import copied_content_config

COURSE = "heiyoushan-trip"
PUBLIC = ["/", "/?grade=middle", f"/courses/{COURSE}", f"/courses/{COURSE}/lessons/{COURSE}"]


@pytest.fixture
def app_config(instance, tmp_path):
    return copied_content_config(instance, tmp_path)


@pytest.fixture
def renders(monkeypatch):
    count = []
    real = pages.render_template
    monkeypatch.setattr(pages, "render_template", lambda *a, **k: count.append(a) or real(*a, **k))
    return count


@pytest.mark.parametrize("path", PUBLIC)
def test_an_anonymous_page_is_rendered_once_and_revalidated_with_its_etag(client, renders, path):
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert "Set-Cookie" not in first.headers  # no session, no CSRF token
    assert 'name="csrf-token"' not in first.get_data(as_text=True)
    again = client.get(path)
    assert again.get_data() == first.get_data() and again.headers["ETag"] == etag
    unchanged = client.get(path, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    assert len(renders) == 1


def test_each_language_has_its_own_page(client):
    zh = client.get("/?lang=zh")
    en = client.get("/?lang=en")
    assert "课程" in zh.get_data(as_text=True)
    assert "Course catalog" in en.get_data(as_text=True)
    assert zh.headers["ETag"] != en.headers["ETag"]
    # The English cookie set by ?lang=en now chooses the English page without ?lang.
    assert client.get("/").headers["ETag"] == client.get("/?lang=en").headers["ETag"]


def test_a_signed_in_teacher_never_gets_the_anonymous_page(client, teacher):
    anonymous = client.get(f"/courses/{COURSE}/lessons/{COURSE}")
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', login).group(1)
    client.post("/login", data={"name": teacher["name"], "password": teacher["password"],
                                "csrf_token": token})  # fmt: skip
    page = client.get(
        f"/courses/{COURSE}/lessons/{COURSE}", headers={"If-None-Match": anonymous.headers["ETag"]}
    )
    assert page.status_code == 200  # not a 304 to the anonymous copy the browser holds
    text = page.get_data(as_text=True)
    assert teacher["name"] in text and 'name="csrf-token"' in text
    assert 'action="/teach/launch"' in text


def test_a_rebuilt_catalog_serves_the_changed_page(app, client, tmp_path):
    path = f"/courses/{COURSE}/lessons/{COURSE}"
    before = client.get(path, query_string={"lang": "zh"})
    lesson = tmp_path / "content" / COURSE / "lessons" / f"{COURSE}.md"
    lesson.write_text(lesson.read_text().replace("会冒油的山", "会冒油的小山", 1))
    app.extensions["kepu"].refresh()
    after = client.get(path, query_string={"lang": "zh"})
    assert "会冒油的小山" in after.get_data(as_text=True)
    assert after.headers["ETag"] != before.headers["ETag"]


def test_an_unknown_course_or_theme_is_not_cached(app, client):
    assert client.get("/courses/nope").status_code == 404
    client.get("/?theme=nothing-like-this")
    keys = [k for k in app.extensions["kepu"].catalog.response_cache if k[0] == "page"]
    assert keys == []
