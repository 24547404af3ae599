"""Join and sign-in limits over a real server: per device and per address, in SQLite, atomic."""

from __future__ import annotations

import http.cookiejar
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from kepu_server import create_app
from tests.conftest import TEST_PLUGIN
from tests.student_support import join, launch


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


class Tablet:
    """A device: its own cookie jar, like a tablet's browser."""

    def __init__(self, base: str, cookies: bool = True):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar)] if cookies else []
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, method: str, path: str, body=None, headers=None) -> tuple[int, str]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json", **(headers or {})})  # fmt: skip
        try:
            with self.opener.open(request, timeout=20) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def form(self, method: str, path: str, body: str) -> int:
        """Send a form (redirects followed); the final status."""
        request = urllib.request.Request(self.base + path, data=body.encode(), method=method,
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def join(self, code: str, name: str) -> int:
        return self.request("POST", "/api/v1/join", {"code": code, "name": name})[0]


def wrong_code(session) -> str:
    return "100000" if session["code"] != "100000" else "100001"


def test_one_tablet_typing_wrong_codes_does_not_lock_out_its_classmates(app, teacher, live_server):
    session = launch(app, teacher, quiz_id="water-quiz")
    prankster, classmate = Tablet(live_server.url), Tablet(live_server.url)
    assert prankster.request("GET", "/j")[0] == 200  # the join page sets the device cookie
    assert classmate.request("GET", "/j")[0] == 200
    statuses = [prankster.join(wrong_code(session), "x") for _ in range(25)]
    assert statuses[:10] == [404] * 10 and set(statuses[10:]) == {429}
    assert prankster.join(session["code"], "prankster") == 429  # slowed down
    # Same address (127.0.0.1), another device: the right code still works.
    assert classmate.join(session["code"], "小明") == 200


def test_a_script_without_cookies_is_refused_past_about_200_wrong_codes(app, teacher, live_server):
    session = launch(app, teacher, quiz_id="water-quiz")
    script = Tablet(live_server.url, cookies=False)
    statuses = [script.join(wrong_code(session), "x") for _ in range(205)]
    assert statuses[:200] == [404] * 200, statuses.index(429)
    assert set(statuses[200:]) == {429}
    # The whole address is refused now, right code and fresh device alike.
    assert Tablet(live_server.url).join(session["code"], "小红") == 429


def test_two_server_processes_share_the_counters(app, app_config, teacher):
    app.config["KEPU_JOIN_FAILURE_LIMIT"] = "4/minute"
    other = create_app({**app_config, "KEPU_JOIN_FAILURE_LIMIT": "4/minute"})
    session = launch(app, teacher, quiz_id="water-quiz")
    for number in range(4):
        server = (app if number % 2 else other).test_client()
        assert join(server, wrong_code(session), "x").status_code == 404
    assert join(other.test_client(), session["code"], "y").status_code == 429
    assert join(app.test_client(), session["code"], "y").status_code == 429


def test_successful_joins_never_count(app, teacher, live_server):
    session = launch(app, teacher, quiz_id="water-quiz")
    app.config["KEPU_JOIN_FAILURE_LIMIT"] = "5/minute"
    tablet = Tablet(live_server.url)
    for number in range(30):
        assert Tablet(live_server.url, cookies=False).join(session["code"], f"学生{number}") == 200
    assert tablet.join(session["code"], "last") == 200


def test_concurrent_sign_in_guesses_get_no_more_than_the_limit_through(app, teacher, live_server):
    app.config["KEPU_LOGIN_LIMIT"] = "10/minute"
    barrier = threading.Barrier(32)
    statuses = []

    def guess(number: int) -> None:
        browser = Tablet(live_server.url)
        form = browser.request("GET", "/login")[1]
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        body = urllib.parse.urlencode(
            {"name": teacher["name"], "password": f"wrong{number}", "csrf_token": token}
        ).encode()
        request = urllib.request.Request(live_server.url + "/login", data=body, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        barrier.wait()
        try:
            with browser.opener.open(request, timeout=60) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == 32
    assert statuses.count(401) <= 10, statuses  # checked against the password: at most 10
    assert statuses.count(401) + statuses.count(429) == 32
