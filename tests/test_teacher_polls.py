"""A teacher's live polls over real HTTP: an empty 304 while the class is unchanged, before
any aggregation or rendering, and a 200 the moment a student answers (issue 11).

Real waitress (``live_server``, as ``kepu serve`` runs it), real SQLite, one keep-alive
connection per poller, as the dashboard's script and the tablets keep theirs.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import re
import urllib.parse
import urllib.request

import pytest

from kepu_server.classroom import results as session_results

COURSE, QUIZ = "heiyoushan-trip", "heiyoushan-trip-quiz"


class Poller:
    """One keep-alive connection that remembers the ETag, like teach.js's ``poll``."""

    def __init__(self, port: int, path: str, headers: dict):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.path, self.headers, self.etag = path, headers, None

    def poll(self) -> tuple[int, bytes]:
        headers = dict(self.headers)
        if self.etag:
            headers["If-None-Match"] = self.etag
        self.conn.request("GET", self.path, headers=headers)
        response = self.conn.getresponse()
        body = response.read()
        assert not response.will_close  # a 304 keeps the connection too
        if response.status == 200:
            self.etag = response.headers["ETag"]
        else:
            assert response.status == 304 and body == b""
            assert response.headers["ETag"] == self.etag
        return response.status, body


def call(port, method, path, body=None, headers=None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    data = json.dumps(body).encode() if body is not None else None
    conn.request(method, path, body=data, headers={"Content-Type": "application/json",
                                                   **(headers or {})})  # fmt: skip
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response.status, json.loads(payload) if payload else {}


@pytest.fixture
def classroom(live_server, teacher):
    """A class with its quiz open and two students who joined over HTTP."""
    port = live_server.port
    auth = {"Authorization": f"Bearer {teacher['token']}"}
    status, session = call(port, "POST", "/api/v1/sessions", {"course": COURSE, "quiz": QUIZ},
                           auth)  # fmt: skip
    assert status == 201 and session["quiz_open"] is True
    tablets = []
    for name in ("小明", "小红"):
        status, joined = call(port, "POST", "/api/v1/join", {"code": session["code"], "name": name})
        assert status == 200
        tablets.append({"Authorization": f"Bearer {joined['token']}"})
    return {"port": port, "id": session["id"], "teacher": auth, "tablets": tablets}


def answer(classroom, tablet: int, question: str, response) -> None:
    status, body = call(classroom["port"], "PUT", f"/api/v1/me/answers/{question}",
                        {"response": response}, classroom["tablets"][tablet])  # fmt: skip
    assert status == 200 and body["saved"] is True


@pytest.mark.parametrize("what", ["live", "results"])
def test_the_teacher_api_poll_is_a_304_until_a_student_answers(classroom, what):
    poller = Poller(classroom["port"], f"/api/v1/sessions/{classroom['id']}/{what}",
                    classroom["teacher"])  # fmt: skip
    status, body = poller.poll()
    assert status == 200 and json.loads(body)
    assert [poller.poll()[0] for _ in range(3)] == [304, 304, 304]

    answer(classroom, 0, "q1", 0)
    status, body = poller.poll()
    assert status == 200
    data = json.loads(body)
    if what == "live":
        assert [s["answered"] for s in data["students"]] == [1, 0]
    else:
        assert data["participants"][0]["answers"] == {"q1": 0}
    assert poller.poll()[0] == 304

    # The same answer changed again at once: same second, same length, same count. Still new.
    answer(classroom, 0, "q1", 1)
    status, body = poller.poll()
    assert status == 200
    if what == "results":
        assert json.loads(body)["participants"][0]["answers"] == {"q1": 1}
    assert poller.poll()[0] == 304


def test_an_unchanged_poll_builds_nothing(classroom, monkeypatch):
    """The 304 is decided by one query: neither the aggregation nor the body is made."""
    poller = Poller(classroom["port"], f"/api/v1/sessions/{classroom['id']}/live",
                    classroom["teacher"])  # fmt: skip
    assert poller.poll()[0] == 200
    built = []
    real = session_results.live_dashboard
    monkeypatch.setattr(session_results, "live_dashboard",
                        lambda *a, **k: built.append(1) or real(*a, **k))  # fmt: skip
    assert [poller.poll()[0] for _ in range(5)] == [304] * 5
    assert built == []
    answer(classroom, 1, "q1", 2)
    assert poller.poll()[0] == 200 and built == [1]


def test_a_student_joining_or_the_teacher_closing_the_quiz_changes_the_poll(classroom):
    port = classroom["port"]
    poller = Poller(port, f"/api/v1/sessions/{classroom['id']}/live", classroom["teacher"])
    assert poller.poll()[0] == 200 and poller.poll()[0] == 304
    status, session = call(port, "GET", f"/api/v1/sessions/{classroom['id']}", None,
                           classroom["teacher"])  # fmt: skip
    assert call(port, "POST", "/api/v1/join", {"code": session["code"], "name": "小刚"})[0] == 200
    status, body = poller.poll()
    assert status == 200 and json.loads(body)["joined"] == 3
    assert poller.poll()[0] == 304
    assert call(port, "PATCH", f"/api/v1/sessions/{classroom['id']}", {"quiz_open": False},
                classroom["teacher"])[0] == 200  # fmt: skip
    status, body = poller.poll()
    assert status == 200 and json.loads(body)["session"]["quiz_open"] is False


def test_the_dashboard_fragment_over_http_with_a_signed_in_teacher(classroom, teacher):
    """The page's own poll (teach.js, signed in by cookie): 304s, then the answered row."""
    base = f"http://127.0.0.1:{classroom['port']}"
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = browser.open(base + "/login").read().decode()
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"name": teacher["name"], "password": teacher["password"],
                                   "csrf_token": csrf}).encode()  # fmt: skip
    browser.open(base + "/login", data=form).read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    path = f"/teach/sessions/{classroom['id']}/dashboard/live"
    poller = Poller(classroom["port"], path, {"Cookie": cookie})
    status, body = poller.poll()
    assert status == 200 and "小明" in body.decode()
    assert [poller.poll()[0] for _ in range(3)] == [304, 304, 304]
    answer(classroom, 1, "q1", 0)
    status, body = poller.poll()
    assert status == 200
    row = re.search(r'<tr data-student="小红">.*?</tr>', body.decode(), re.S).group(0)
    assert re.search(r'data-col="answered">1 / \d+<', row)
    assert poller.poll()[0] == 304
