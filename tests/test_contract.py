"""DESIGN.md's rules checked the way a client that knows only DESIGN.md would call the server."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.conftest import TEST_PLUGIN

COURSE, LESSON, QUIZ = "heiyoushan-trip", "heiyoushan-trip", "heiyoushan-trip-quiz"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


@pytest.fixture
def open_session(client, teacher):
    response = client.post(
        "/api/v1/sessions", json={"course": COURSE, "quiz": QUIZ}, headers=bearer(teacher["token"])
    )
    assert response.status_code in (200, 201), response.json
    return response.json


def test_calls_without_credentials_get_401_even_without_a_csrf_token(app, teacher, open_session):
    """Nothing to forge without a sign-in: the answer is DESIGN's 401, not a CSRF refusal."""
    anonymous = app.test_client()
    sid = open_session["id"]
    calls = [
        ("POST", "/api/v1/sessions", {"course": COURSE, "lesson": LESSON}),
        ("PATCH", f"/api/v1/sessions/{sid}", {"current_section": 1}),
        ("POST", f"/api/v1/sessions/{sid}/end", None),
        ("DELETE", f"/api/v1/sessions/{sid}/results", None),
        ("PUT", "/api/v1/me/answers/q1", {"response": 0}),
        ("POST", "/api/v1/me/submit", None),
        ("GET", "/api/v1/me", None),
        ("GET", f"/api/v1/sessions/{sid}/results", None),
    ]
    for method, url, body in calls:
        response = anonymous.open(url, method=method, json=body)
        assert response.status_code == 401, (method, url, response.json)
        assert response.json["error"]["code"] == "unauthorized"
    state = app.test_client().get(f"/api/v1/sessions/{sid}", headers=bearer(teacher["token"]))
    assert state.json["state"] == "open" and state.json["version"] == open_session["version"]


def test_a_signed_in_cookie_still_needs_the_csrf_token(client, teacher, open_session):
    """The 401 shortcut above is only for requests with no sign-in cookie at all."""
    with client.session_transaction() as cookie_session:
        cookie_session["user_id"] = teacher["id"]
    response = client.post(f"/api/v1/sessions/{open_session['id']}/end")
    assert response.status_code == 400 and response.json["error"]["code"] == "csrf_failed"


def openapi_path(rule: str) -> str:
    """Flask's ``/a/<int:b>`` as OpenAPI's ``/a/{b}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_openapi_describes_every_api_route_by_its_own_path_and_method(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    documented = {
        (path, method)
        for path, ops in spec["paths"].items()
        for method in ops
        if method != "parameters"
    }
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                served.add((openapi_path(rule.rule), method.lower()))
    assert served - documented == set(), "routes missing from /api/v1/openapi.json"
    assert documented - served == set(), "documented paths that no route serves"
    # DESIGN's own names for the path variables.
    for path in (
        "/api/v1/courses/{course}/lessons/{lesson}",
        "/api/v1/me/answers/{question}",
        "/api/v1/sessions/{id}/results.csv",
        "/api/v1/courses/{course}/quizzes/{quiz}",
    ):
        assert path in spec["paths"], path


def test_an_unknown_api_path_is_a_json_404(client):
    for method in ("GET", "POST", "PUT"):
        response = client.open("/api/v1/no/such/thing", method=method, json={})
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_unknown_tokens_are_no_credentials_401_and_wrong_roles_403(app, teacher, open_session):
    tablet = app.test_client()
    joined = tablet.post("/api/v1/join", json={"code": open_session["code"], "name": "小明"})
    student = joined.json["token"]
    results = f"/api/v1/sessions/{open_session['id']}/results"
    client = app.test_client()
    for token in ("garbage", "p_garbage", "kepu_garbage"):
        assert client.get(results, headers=bearer(token)).status_code == 401, token
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401, token
        assert client.get("/api/v1/plugins", headers=bearer(token)).status_code == 401, token
    assert client.get(results, headers=bearer(student)).status_code == 403
    assert client.get("/api/v1/plugins", headers=bearer(student)).status_code == 403
    assert client.get("/api/v1/me", headers=bearer(teacher["token"])).status_code == 403


class FormReader(HTMLParser):
    """Every <button>, and the <input>s and buttons of each <form>, of one page."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.buttons: list[dict] = []
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_form = True
            self.forms.append({"inputs": {}, "buttons": []})
        elif tag == "button":
            self.buttons.append(attrs)
            if self._in_form:
                self.forms[-1]["buttons"].append(attrs)
        elif tag == "input" and self._in_form:
            self.forms[-1]["inputs"][attrs.get("name")] = attrs

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False


def read_forms(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


def test_the_join_pages_have_one_form_with_code_name_and_one_submit_button(client, open_session):
    code = open_session["code"]
    for url, filled in (("/j", ""), (f"/j/{code}", code)):
        page = read_forms(client.get(url).get_data(as_text=True))
        joins = [f for f in page.forms if {"code", "name"} <= set(f["inputs"])]
        assert len(joins) == 1, url
        assert joins[0]["inputs"]["code"].get("value", "") == filled, url
        # The only button on the page is the form's submit button (a test may click "button").
        assert len(page.buttons) == 1 and page.buttons == joins[0]["buttons"], url
        assert page.buttons[0].get("type", "submit") == "submit"


def test_hook_implementations_may_take_fewer_arguments_than_the_spec(instance):
    """pluggy allows it, so a plugin written that way must work everywhere hooks are called."""
    import types

    from kepu_server import Course, create_app, hookimpl

    calls = []
    plugin = types.ModuleType("kepu_argless")
    plugin.kepu_courses = hookimpl(lambda: [Course(id="argless", title="无参数")])
    plugin.kepu_startup = hookimpl(lambda: calls.append("startup"))
    app = create_app({"TESTING": True, "KEPU_INSTANCE": str(instance),
                      "KEPU_EXTRA_PLUGINS": [plugin]})  # fmt: skip
    assert calls == ["startup"]
    record = app.extensions["kepu"].catalog.record("kepu_argless")
    assert record.status == "ok", record.error
    ids = [c["id"] for c in app.test_client().get("/api/v1/courses").json]
    assert "argless" in ids


def test_setup_and_add_teacher_accept_a_password_sent_once(client, db):
    """The pages ask twice; a script that fills in only name and password still works."""
    from kepu_server.auth import create_setup_token, verify_password

    token = create_setup_token(db)
    page = client.get(f"/setup/{token}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"name": "校长", "password": "long enough 1", "csrf_token": csrf}
    assert client.post(f"/setup/{token}", data=form).status_code == 302
    page = client.get("/admin/users").get_data(as_text=True)  # signing in made a new session
    form["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    added = client.post("/admin/users", data={**form, "name": "王老师"})
    assert added.status_code == 302
    assert verify_password(db, "王老师", "long enough 1")
    mismatch = client.post("/admin/users", data={**form, "name": "李老师", "password2": "x"})
    assert mismatch.status_code == 302 and not verify_password(db, "李老师", "long enough 1")
