"""The WSGI cache in front of Flask (kepu_server/public_cache.py), over real HTTP.

A real waitress (``live_server``) on 127.0.0.1; each view is wrapped in a counter, so a test
can tell an answer the cache gave (the view did not run) from one Flask gave.
"""

from __future__ import annotations

import http.client
import re
from collections import Counter
from pathlib import Path

import pytest

from kepu_server.public_cache import ENTRIES, ResponseCache
from tests.conftest import copied_content_config

COURSE = "heiyoushan-trip"
LESSON = f"/courses/{COURSE}/lessons/{COURSE}"
LESSON_JSON = f"/api/v1/courses/{COURSE}/lessons/{COURSE}"
OPENAPI = "openapi.openapi"


@pytest.fixture
def app_config(instance, tmp_path):
    return copied_content_config(instance, tmp_path)


@pytest.fixture
def views_run(app):
    """How many times each view ran (Flask was entered and routed the request)."""
    runs: Counter = Counter()
    for name, view in list(app.view_functions.items()):

        def counted(*args, _name=name, _view=view, **kwargs):
            runs[_name] += 1
            return _view(*args, **kwargs)

        app.view_functions[name] = counted
    return runs


class Client:
    """One keep-alive HTTP connection to the live server."""

    def __init__(self, live):
        self.conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=10)

    def get(self, path, method="GET", **headers):
        self.conn.request(
            method, path, headers={k.replace("_", "-"): v for k, v in headers.items()}
        )
        response = self.conn.getresponse()
        body = response.read()
        kept = [(k, v) for k, v in response.getheaders() if k != "Date"]
        return response.status, kept, body


@pytest.fixture
def web(live_server):
    client = Client(live_server)
    yield client
    client.conn.close()


def header(headers, name):
    return {k.lower(): v for k, v in headers}.get(name.lower())


@pytest.mark.parametrize("path", ["/", f"/courses/{COURSE}", LESSON, LESSON_JSON,
                                  "/api/v1/health", "/api/v1/courses"])  # fmt: skip
def test_a_replayed_answer_is_byte_for_byte_what_flask_sent(web, views_run, path):
    first = web.get(path, Accept_Language="fr")  # not the live server's own first health check
    assert first[0] == 200
    again = web.get(path, Accept_Language="fr")
    assert again == first  # status, every header but Date (security ones too), body
    assert sum(views_run.values()) == 1  # the second never entered Flask
    assert header(first[1], "Content-Security-Policy") and header(first[1], "Content-Length")


def test_a_304_from_the_cache_is_the_304_flask_sends(web, views_run):
    status, headers, _ = web.get(LESSON, Accept_Language="fr")
    etag = header(headers, "ETag")
    # A key the cache has not seen (another Accept-Language): Flask's own 304.
    flask = web.get(LESSON, Accept_Language="de", If_None_Match=etag)
    cached = web.get(LESSON, Accept_Language="fr", If_None_Match=etag)
    assert flask[0] == cached[0] == 304 and cached[2] == b""
    assert cached[1] == flask[1] and header(cached[1], "ETag") == etag
    assert sum(views_run.values()) == 2
    assert web.get(LESSON, Accept_Language="fr", If_None_Match='W/"' + etag[1:])[0] == 200
    assert web.get(LESSON, Accept_Language="fr", If_None_Match='"other"')[0] == 200


def test_head_is_answered_from_the_get_and_first_by_flask(web, views_run):
    head_first = web.get(LESSON, method="HEAD")
    got = web.get(LESSON)
    head = web.get(LESSON, method="HEAD")
    assert head_first[2] == head[2] == b""
    assert head[1] == got[1] == head_first[1]
    assert views_run["pages.lesson"] == 2  # the first HEAD went to Flask and was not kept


def test_the_language_follows_lang_the_cookie_and_accept_language_each_time(web, views_run):
    catalog = {"zh": "课程", "en": "Course catalog"}
    for lang in ("zh", "en", "zh", "en"):
        # ?lang= with no cookie: Flask answers (its Set-Cookie is not for anyone else).
        status, headers, body = web.get(f"/?lang={lang}")
        assert catalog[lang] in body.decode() and header(headers, "Set-Cookie")
    for lang in ("zh", "en", "zh"):
        assert catalog[lang] in web.get("/", Cookie=f"lang={lang}")[2].decode()
        assert catalog[lang] in web.get(f"/?lang={lang}", Cookie=f"lang={lang}")[2].decode()
    titles = {"zh": "会冒油的山", "en": "Heiyoushan"}
    for lang in ("zh", "en", "zh"):
        assert titles[lang] in web.get(LESSON_JSON, Accept_Language=lang)[2].decode()
    assert views_run["pages.catalog"] == 4 + 4  # each ?lang= without cookie, and 4 firsts
    assert views_run["api_content.lesson"] == 2


def test_a_rebuilt_catalog_serves_the_changed_page(app, web, tmp_path):
    before = web.get(LESSON, Cookie="lang=zh")
    lesson = tmp_path / "content" / COURSE / "lessons" / f"{COURSE}.md"
    lesson.write_text(lesson.read_text().replace("会冒油的山", "会冒油的小山", 1))
    assert web.get(LESSON, Cookie="lang=zh") == before  # no rebuild yet: the same snapshot
    app.extensions["kepu"].refresh()
    after = web.get(LESSON, Cookie="lang=zh")
    assert "会冒油的小山" in after[2].decode()
    assert header(after[1], "ETag") != header(before[1], "ETag")


def sign_in(web, teacher) -> str:
    _, headers, body = web.get("/login")
    cookie = header(headers, "Set-Cookie").split(";")[0]
    token = re.search(rb'name="csrf-token" content="([^"]+)"', body).group(1).decode()
    form = f"name={teacher['name']}&password={teacher['password'].replace(' ', '+')}"
    web.conn.request("POST", "/login", body=f"{form}&csrf_token={token}", headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    response = web.conn.getresponse()
    response.read()
    assert response.status in (302, 303)
    return response.getheader("Set-Cookie").split(";")[0]


@pytest.mark.parametrize("anonymous_first", [True, False])
def test_a_teacher_and_an_anonymous_visitor_never_get_each_others_page(web, teacher,
                                                                       anonymous_first):  # fmt: skip
    session = sign_in(web, teacher)
    ways_to_be_the_teacher = [{"Cookie": session}, {"Cookie": f"lang=zh; {session}"},
                              {"Authorization": f"Bearer {teacher['token']}"}]  # fmt: skip
    for _ in range(2):
        if anonymous_first:
            anonymous = web.get(LESSON, Cookie="lang=zh")[2].decode()
        for who in ways_to_be_the_teacher:
            page = web.get(LESSON, **{"Cookie": "lang=zh", **who})
            text = page[2].decode()
            assert teacher["name"] in text and 'action="/teach/launch"' in text
        if not anonymous_first:
            anonymous = web.get(LESSON, Cookie="lang=zh")[2].decode()
        assert teacher["name"] not in anonymous and "/teach/launch" not in anonymous


def test_a_seat_or_unknown_cookie_goes_to_flask(web, views_run):
    web.get(LESSON)
    web.get(LESSON, Cookie="kepu_device=abcdefghijklmnopqrst")  # read by the join pages only
    assert views_run["pages.lesson"] == 1
    web.get(LESSON, Cookie="kepu_participant=someone")
    web.get(LESSON, Cookie="kepu_participant=someone")
    web.get(LESSON, Cookie="other=1")
    assert views_run["pages.lesson"] == 4


def test_personal_paths_and_errors_are_never_kept(web, views_run):
    for _ in range(2):
        assert web.get("/courses/nope")[0] == 404
        assert web.get("/api/v1/me")[0] == 401
        assert web.get("/login")[0] == 200
        # 200s with no cookie that their views did not mark public
        assert web.get(f"/courses/{COURSE}/media/asphalt-mound.svg")[0] == 200
        assert web.get("/api/v1/openapi.json")[0] == 200
    assert views_run["pages.course"] == 2 and views_run["auth.login"] == 2
    assert views_run["api_student.me"] == 2 and views_run["pages.media"] == 2
    assert views_run[OPENAPI] == 2


def test_the_cache_stays_bounded(app, web, views_run):
    for i in range(ENTRIES + 40):
        assert web.get(f"/api/v1/health?n={i}")[0] == 200
    cache = app.extensions["kepu"].catalog.response_cache[("public_cache",)]
    assert len(cache) == ENTRIES
    web.get(f"/api/v1/health?n={ENTRIES + 39}")  # the newest is kept, the oldest went
    web.get("/api/v1/health?n=0")
    assert views_run["api_content.health"] == ENTRIES + 41
    small = ResponseCache(entries=10, max_bytes=800)
    for i in range(10):
        small.put(i, ("200 OK", (), b"x" * 100, None, ()))
    assert len(small) == 8 and small.get(0) is None and small.get(9) is not None
    small.put("huge", ("200 OK", (), b"x" * 200, None, ()))  # over an eighth: not kept
    assert small.get("huge") is None


@pytest.fixture
def plugin_hook(app):
    """A request hook from outside the core, added before the server's first request."""
    seen: list = []
    app.before_request_funcs.setdefault(None, []).append(lambda: seen.append(1))
    return seen


def test_a_plugins_request_hook_turns_the_cache_off(plugin_hook, live_server, views_run):
    seen = plugin_hook
    seen.clear()
    web = Client(live_server)
    for _ in range(3):
        assert web.get(LESSON)[0] == 200
    assert views_run["pages.lesson"] == 3 and len(seen) == 3


def test_public_cache_false_in_the_config_turns_it_off(app_config):
    from kepu_server.app import create_app
    from tests.conftest import LiveServer

    (Path(app_config["KEPU_INSTANCE"]) / "config.toml").write_text("public_cache = false\n")
    app = create_app(app_config)
    live = LiveServer(app).start()
    try:
        web = Client(live)
        first, again = web.get(LESSON), web.get(LESSON)
        assert first == again and first[0] == 200
        assert ("public_cache",) not in app.extensions["kepu"].catalog.response_cache
    finally:
        live.stop()
