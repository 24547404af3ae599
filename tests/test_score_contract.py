"""A plugin's ``score`` must return a real number from 0 to 1; anything else is a 4xx for that
answer, logged with the plugin's name, and nothing is stored. Through real HTTP (waitress)."""

from __future__ import annotations

import json
import logging
import math
import urllib.error
import urllib.request

import pytest

from tests.conftest import TEST_PLUGIN
from tests.plugins import kepu_test_plugin
from tests.student_support import launch, rows


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


def _put(url: str, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="PUT",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _raise_type_error():
    raise TypeError("'NoneType' object is not subscriptable")


@pytest.mark.parametrize(
    "result",
    [lambda: None, lambda: "1.0", lambda: 2.0, lambda: True, lambda: math.nan, _raise_type_error],
    ids=["None", "str", "2.0", "bool", "nan", "TypeError"],
)
def test_a_bad_plugin_score_is_a_4xx_logged_with_the_plugin_and_stores_nothing(
    app, client, teacher, live_server, caplog, monkeypatch, result
):
    session = launch(app, teacher, quiz_id="water-quiz")
    token = client.post("/api/v1/join", json={"code": session["code"], "name": "Ann"}).json["token"]
    monkeypatch.setattr(kepu_test_plugin, "MISBEHAVE", [result])
    with caplog.at_level(logging.ERROR):
        status, body = _put(f"{live_server.url}/api/v1/me/answers/q8", token, {"response": 200})
    assert 400 <= status < 500, body
    assert body["error"]["code"] == "scoring_failed"
    assert "range" in body["error"]["message"]
    assert any("kepu_test_plugin" in r.getMessage() for r in caplog.records)
    assert rows(app, "SELECT * FROM answers") == []
    # The same answer is stored, scored once, when the plugin behaves again.
    monkeypatch.setattr(kepu_test_plugin, "MISBEHAVE", [])
    status, body = _put(f"{live_server.url}/api/v1/me/answers/q8", token, {"response": 200})
    assert status == 200, body
    assert [r["score"] for r in rows(app, "SELECT * FROM answers")] == [1.0]


def test_a_malformed_response_stays_a_400(app, client, teacher, live_server):
    session = launch(app, teacher, quiz_id="water-quiz")
    token = client.post("/api/v1/join", json={"code": session["code"], "name": "Bo"}).json["token"]
    status, body = _put(f"{live_server.url}/api/v1/me/answers/q8", token, {"response": "x"})
    assert (status, body["error"]["code"]) == (400, "bad_response")
