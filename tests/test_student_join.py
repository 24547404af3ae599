"""Joining a class: codes, nicknames, rosters, rejoining, rate limits, and the join pages."""

from __future__ import annotations

import hashlib
import re

import pytest

from tests.conftest import TEST_PLUGIN
from tests.student_support import change, join, launch, rows, seat


@pytest.fixture
def app_config(app_config):
    return {
        **app_config,
        "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN],
        "KEPU_JOIN_FAILURE_LIMIT": "5/minute",
    }


@pytest.fixture
def session(app, teacher):
    return launch(app, teacher, lesson_id="water")


def test_join_returns_a_p_token_that_is_stored_only_hashed(app, client, session):
    response = join(client, session["code"], "  小明 ")
    assert response.status_code == 200
    body = response.get_json()
    assert body["rejoined"] is False
    assert body["token"].startswith("p_") and len(body["token"]) > 20
    assert body["participant"]["name"] == "小明"
    assert body["session"]["id"] == session["id"] and body["session"]["lesson"] == "water"
    stored = rows(app, "SELECT * FROM participants")
    assert len(stored) == 1
    assert stored[0]["token_hash"] == hashlib.sha256(body["token"].encode()).hexdigest()
    assert body["token"] not in str(stored)
    # The seat cookie is HttpOnly, for the server-rendered /me page.
    cookie = response.headers["Set-Cookie"]
    assert "kepu_participant=" in cookie and "HttpOnly" in cookie


def test_bad_token_types_in_the_join_body_are_a_400_not_a_500(client, session):
    for token in (1, 1.5, True, [], {"a": 1}):
        response = join(client, session["code"], "小明", token=token)
        assert response.status_code == 400, token
        assert response.get_json()["error"]["code"] == "bad_request"


def test_a_duplicate_nickname_gets_409_with_a_free_suggestion(app, session):
    first, second = app.test_client(), app.test_client()
    assert join(first, session["code"], "小明").status_code == 200
    clash = join(second, session["code"], " 小明")
    assert clash.status_code == 409
    error = clash.get_json()["error"]
    assert error["code"] == "name_taken" and error["suggestion"] == "小明2"
    assert "小明2" in error["message"]
    assert join(second, session["code"], error["suggestion"]).status_code == 200
    assert len(rows(app, "SELECT * FROM participants")) == 2


def test_the_same_device_gets_its_seat_back_with_its_token(app, session):
    tablet = app.test_client()
    first = seat(tablet, session["code"], "小红")
    # By bearer token (the script), by body token, and by the cookie alone (a reload).
    again = app.test_client().post(
        "/api/v1/join", json={"code": session["code"], "name": "小红"}, headers=first["headers"]
    )
    assert again.status_code == 200 and again.get_json()["rejoined"] is True
    assert again.get_json()["participant"]["id"] == first["participant"]["id"]
    assert again.get_json()["token"] == first["token"]
    by_body = join(app.test_client(), session["code"], "小红", token=first["token"])
    assert by_body.status_code == 200
    assert join(tablet, session["code"], "小红").status_code == 200
    # Joining closed: a new tablet is refused, the seat holder still gets back in.
    change(app, session["id"], joining_open=False)
    closed = join(app.test_client(), session["code"], "新同学")
    assert closed.status_code == 403 and closed.get_json()["error"]["code"] == "joining_closed"
    assert join(tablet, session["code"], "小红").status_code == 200
    assert len(rows(app, "SELECT * FROM participants")) == 1


def test_another_child_on_a_shared_tablet_gets_a_seat_of_their_own(app, session):
    tablet = app.test_client()
    first = seat(tablet, session["code"], "小红")
    second = join(tablet, session["code"], "小兰")  # the cookie of 小红's seat is sent along
    assert second.status_code == 200
    assert second.get_json()["participant"]["id"] != first["participant"]["id"]
    assert len(rows(app, "SELECT * FROM participants")) == 2


def test_a_token_of_another_session_does_not_rejoin_there(app, teacher, session):
    other = launch(app, teacher, lesson_id="water")
    mine = seat(app.test_client(), other["code"], "小刚")
    response = join(app.test_client(), session["code"], "小刚", token=mine["token"])
    assert response.status_code == 200
    assert response.get_json()["token"] != mine["token"]


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"code": "000000", "name": "a"}, 404, "no_session"),
        ({"code": "12345", "name": "a"}, 400, "bad_code"),
        ({"code": "abcdef", "name": "a"}, 400, "bad_code"),
        ({"code": None, "name": "a"}, 400, "bad_code"),
        ({"name": "a"}, 400, "missing_field"),
    ],
)
def test_bad_codes_get_a_clear_json_error(client, session, body, status, code):
    response = client.post("/api/v1/join", json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 41, 12, None, "a\u0000b"])
def test_bad_names_are_refused(app, client, session, name):
    response = client.post("/api/v1/join", json={"code": session["code"], "name": name})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_name"
    assert rows(app, "SELECT * FROM participants") == []


def test_an_ended_session_code_is_404_that_says_the_class_has_ended(app, client, session):
    change(app, session["id"], state="ended")
    response = join(client, session["code"], "小明")
    error = response.get_json()["error"]
    assert response.status_code == 404 and error["code"] == "session_ended"
    assert "已经结束" in error["message"] and "下一节" in error["message"]
    # A code that never ran is still just a wrong code.
    other = "000000" if session["code"] != "000000" else "000001"
    assert join(client, other, "小明").get_json()["error"]["code"] == "no_session"


def test_only_failed_guesses_count_towards_the_rate_limit(app, session):
    # A whole class behind one NAT address: 45 successful joins never trip the limit (5/min).
    for i in range(45):
        assert join(app.test_client(), session["code"], f"学生{i}").status_code == 200
    guesser = app.test_client()
    for _ in range(5):
        assert join(guesser, "999999", "x").status_code == 404
    blocked = join(guesser, session["code"], "late")
    assert blocked.status_code == 429
    assert blocked.get_json()["error"]["code"] == "too_many_requests"


def test_roster_sessions_take_only_names_on_the_roster(app, teacher):
    session = launch(app, teacher, lesson_id="water", roster=["王芳", "李雷", "韩梅梅"])
    off = join(app.test_client(), session["code"], "路人")
    assert off.status_code == 400 and off.get_json()["error"]["code"] == "not_on_roster"
    assert join(app.test_client(), session["code"], "李雷").status_code == 200
    again = join(app.test_client(), session["code"], "李雷")
    assert again.status_code == 409
    assert again.get_json()["error"]["suggestion"] is None
    page = app.test_client().get(f"/j/{session['code']}").get_data(as_text=True)
    assert page.count('type="radio" name="name"') == 3 and "韩梅梅" in page


# ---------------------------------------------------------------- pages


def test_join_page_has_one_form_with_code_name_and_one_submit(client, session):
    page = client.get("/j").get_data(as_text=True)
    assert page.count("<form") == 1 + page.count('action="/auth/logout"')
    form = re.search(r'<form class="join-form.*?</form>', page, re.S).group(0)
    assert 'name="code"' in form and 'name="name"' in form
    assert len(re.findall(r'type="submit"', form)) == 1
    assert "<script>" not in page  # CSP: no inline scripts
    filled = client.get(f"/j/{session['code']}").get_data(as_text=True)
    assert f'value="{session["code"]}"' in filled and "水的三态" in filled


def test_a_wrong_code_page_is_friendly(client):
    response = client.get("/j/999999")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert 'name="code"' in text and "join-error" in text and "Traceback" not in text


def test_the_form_works_without_script(app, session):
    tablet = app.test_client()
    page = tablet.get(f"/j/{session['code']}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = tablet.post("/j", data={"csrf_token": csrf, "code": session["code"], "name": "小芳"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/me")
    me = tablet.get("/me")
    assert me.status_code == 200 and "小芳" in me.get_data(as_text=True)
    clash = app.test_client()
    page = clash.get("/j").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    refused = clash.post("/j", data={"csrf_token": csrf, "code": session["code"], "name": "小芳"})
    assert refused.status_code == 409 and "小芳2" in refused.get_data(as_text=True)


def test_me_without_a_seat_goes_to_the_join_page(client):
    response = client.get("/me")
    assert response.status_code == 302 and response.headers["Location"].endswith("/j")


def test_me_after_the_class_ended_says_so(app, session):
    tablet = app.test_client()
    seat(tablet, session["code"], "小明")
    change(app, session["id"], state="ended")
    page = tablet.get("/me").get_data(as_text=True)
    assert "data-ended" in page


def test_join_messages_are_chinese_by_default_and_english_on_request(client, session):
    zh = join(client, "999999", "x").get_json()["error"]["message"]
    assert "课堂码" in zh
    en = client.post("/api/v1/join?lang=en", json={"code": "999999", "name": "x"})
    assert "No class" in en.get_json()["error"]["message"]
