"""Every teacher page and API call refuses anonymous users, students and other teachers.

The routes are read from the app's URL map, so a route added later is covered too.
"""

from __future__ import annotations

import re

import pytest

from kepu_server.auth import create_api_token, create_user

TEACHER_BLUEPRINTS = ("api_teacher", "teach", "teach_session")
ADMIN_BLUEPRINTS = ("admin_users",)
COURSE, LESSON = "heiyoushan-trip", "heiyoushan-trip"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def routes(app, blueprints, extra=()):
    """``(method, url, endpoint)`` for every route of ``blueprints`` (plus ``extra`` endpoints)."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in blueprints and rule.endpoint not in extra:
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{name}>", "{" + name + "}", url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, url, rule.endpoint))
    return found


@pytest.fixture
def world(app, client, db, teacher):
    """teacher1's open session with a student in it, and a second teacher."""
    response = client.post("/api/v1/sessions", json={"course": COURSE, "lesson": LESSON},
                           headers=bearer(teacher["token"]))  # fmt: skip
    session = response.json
    joined = client.post("/api/v1/join", json={"code": session["code"], "name": "Ann"})
    student_token = joined.json["token"]
    client.delete_cookie("kepu_participant")
    other_id = create_user(db, "teacher2", "correct horse 3")
    return {
        "session": session,
        "student": student_token,
        "other": {"id": other_id, "name": "teacher2", "password": "correct horse 3",
                  "token": create_api_token(db, other_id)},
        "args": {"session_id": session["id"], "id": session["id"], "roster_id": 1,
                 "user_id": teacher["id"]},
    }  # fmt: skip


def fill(url, args):
    return url.format(**args)


def csrf_token(client, path="/login"):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def sign_in(client, user):
    token = csrf_token(client)
    response = client.post("/login", data={"name": user["name"], "password": user["password"],
                                           "csrf_token": token})  # fmt: skip
    assert response.status_code == 302
    return csrf_token(client, "/teach/")


def assert_unchanged(client, teacher, world):
    state = client.get(
        f"/api/v1/sessions/{world['session']['id']}", headers=bearer(teacher["token"])
    )
    assert state.status_code == 200
    assert state.json["state"] == "open" and state.json["version"] == world["session"]["version"]
    assert state.json["participants"] == 1


def test_the_route_list_is_complete(app):
    endpoints = {e for _m, _u, e in routes(app, TEACHER_BLUEPRINTS + ADMIN_BLUEPRINTS)}
    assert {"api_teacher.create_session", "api_teacher.live", "api_teacher.results_csv",
            "teach.home", "teach.launch", "teach_session.join_screen", "teach_session.present",
            "teach_session.control", "teach_session.dashboard", "admin_users.users"} <= endpoints  # fmt: skip


def test_anonymous_users_are_refused_everywhere(app, client, teacher, world):
    token = csrf_token(client)  # a valid anonymous CSRF token: the refusal must be about auth
    for method, url, _endpoint in routes(
        app, TEACHER_BLUEPRINTS + ADMIN_BLUEPRINTS, ["auth.account"]
    ):
        url = fill(url, world["args"])
        response = client.open(url, method=method, data={"csrf_token": token},
                               headers={"X-CSRFToken": token})  # fmt: skip
        if url.startswith("/api/"):
            assert response.status_code == 401, (method, url)
            assert response.json["error"]["code"] == "unauthorized"
        else:
            assert response.status_code == 302, (method, url)
            assert response.location.startswith("/login"), (method, url)
    assert_unchanged(client, teacher, world)


def test_students_are_refused_everywhere(app, client, teacher, world):
    for method, url, _e in routes(app, TEACHER_BLUEPRINTS + ADMIN_BLUEPRINTS, ["auth.account"]):
        url = fill(url, world["args"])
        response = client.open(url, method=method, json={}, headers=bearer(world["student"]))
        assert response.status_code == 403, (method, url)
        assert b"answer" not in response.data
    # A tablet's participant cookie is not a teacher's sign-in either.
    client.set_cookie("kepu_participant", world["student"])
    for url in ("/api/v1/sessions", f"/api/v1/sessions/{world['session']['id']}/results"):
        assert client.get(url).status_code == 401
    assert client.get("/teach/").status_code == 302
    assert_unchanged(client, teacher, world)


def test_another_teacher_cannot_see_or_touch_a_session(app, client, teacher, world):
    other = world["other"]
    for method, url, _e in routes(app, TEACHER_BLUEPRINTS):
        if "{session_id}" not in url and "{id}" not in url:
            continue
        url = fill(url, world["args"])
        response = client.open(url, method=method, json={"current_section": 1},
                               headers=bearer(other["token"]))  # fmt: skip
        assert response.status_code == 404, (method, url)
    listing = client.get("/api/v1/sessions", headers=bearer(other["token"])).json
    assert listing == []
    # Through the web pages, signed in with a cookie, too.
    token = sign_in(client, other)
    sid = world["session"]["id"]
    assert client.get(f"/teach/sessions/{sid}").status_code == 404
    assert client.get(f"/teach/sessions/{sid}/results").status_code == 404
    response = client.post(
        f"/teach/sessions/{sid}/control", data={"csrf_token": token, "action": "end"}
    )
    assert response.status_code == 404
    assert world["session"]["code"] not in client.get("/teach/").get_data(as_text=True)
    assert_unchanged(client, teacher, world)


def test_teachers_cannot_use_admin_pages(app, client, teacher, world):
    token = sign_in(client, teacher)
    for method, url, _e in routes(app, ADMIN_BLUEPRINTS):
        response = client.open(fill(url, world["args"]), method=method,
                               data={"csrf_token": token, "name": "x", "password": "p" * 9,
                                     "password2": "p" * 9})  # fmt: skip
        assert response.status_code == 403, (method, url)
    from kepu_server.store.db import open_db

    db = open_db(app.config["KEPU_DATABASE"])
    assert db["users"].count == 2  # nobody was added or deleted
    db.conn.close()


def test_forms_and_cookie_api_calls_without_csrf_are_refused(app, client, teacher, world):
    sid = world["session"]["id"]
    sign_in(client, teacher)
    attempts = [
        ("POST", "/api/v1/sessions", {"json": {"course": COURSE, "lesson": LESSON}}),
        ("PATCH", f"/api/v1/sessions/{sid}", {"json": {"current_section": 1}}),
        ("POST", f"/api/v1/sessions/{sid}/end", {}),
        ("DELETE", f"/api/v1/sessions/{sid}/results", {}),
        ("POST", f"/teach/sessions/{sid}/control", {"data": {"action": "next"}}),
        ("POST", f"/teach/sessions/{sid}/delete", {"data": {"sure": "on"}}),
        ("POST", "/teach/launch", {"data": {"course": COURSE, "lesson": LESSON}}),
        ("POST", "/account", {"data": {"form": "language", "language": "en"}}),
        ("POST", "/logout", {}),
    ]
    for method, url, kwargs in attempts:
        if "json" in kwargs:  # JSON needs a CORS preflight cross-site: forged from elsewhere
            kwargs = {**kwargs, "headers": {"Origin": "http://evil.example"}}
        response = client.open(url, method=method, **kwargs)
        assert response.status_code == 400, (method, url)
        headers = {**kwargs.pop("headers", {}), "X-CSRFToken": "forged"}
        bad = client.open(url, method=method, headers=headers, **kwargs)
        assert bad.status_code == 400, (method, url)
    assert client.get("/teach/").status_code == 200  # still signed in: logout was refused too
    assert_unchanged(client, teacher, world)


def test_login_is_rate_limited_per_address(app, client, teacher):
    app.config["KEPU_LOGIN_LIMIT"] = "5/minute"
    token = csrf_token(client)
    for _ in range(5):
        wrong = client.post("/login", data={"name": teacher["name"], "password": "wrong password",
                                            "csrf_token": token})  # fmt: skip
        assert wrong.status_code == 401
    right = client.post("/login", data={"name": teacher["name"], "password": teacher["password"],
                                        "csrf_token": token})  # fmt: skip
    assert right.status_code == 429
    assert client.get("/teach/").status_code == 302  # not signed in
    elsewhere = client.post("/login", environ_base={"REMOTE_ADDR": "10.0.0.9"},
                            data={"name": teacher["name"], "password": teacher["password"],
                                  "csrf_token": token})  # fmt: skip
    assert elsewhere.status_code == 302


def test_login_form_without_csrf_is_refused(client, teacher):
    response = client.post(
        "/login", data={"name": teacher["name"], "password": teacher["password"]}
    )
    assert response.status_code == 400
    assert client.get("/teach/").status_code == 302
