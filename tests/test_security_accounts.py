"""Security review: sign-in redirects, sessions after a password change, bearer vs cookie.

Each test here failed before its fix (see the commit that added it).
"""

from __future__ import annotations

import os
import re
import stat

import pytest

from kepu_server.auth import create_api_token, create_user


def csrf(client, path="/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def sign_in(client, name, password, next_url=None):
    url = "/login" if next_url is None else "/login?" + next_url
    return client.post(url, data={"name": name, "password": password, "csrf_token": csrf(client)})


@pytest.mark.parametrize(
    "target",
    ["/%5Cevil.example/", "/%5C%5Cevil.example", "/%09/evil.example", "/%0A/evil.example",
     "//evil.example", "https://evil.example/", "/%20/evil.example"],
)  # fmt: skip
def test_next_never_leads_to_another_host(client, teacher, target):
    # Browsers read "/\evil.example" as "//evil.example" and drop tabs and newlines.
    response = sign_in(client, teacher["name"], teacher["password"], f"next={target}")
    assert response.status_code == 302
    assert response.location == "/teach/"


def test_next_to_a_page_of_this_site_still_works(client, teacher):
    response = sign_in(client, teacher["name"], teacher["password"], "next=/teach/catalog")
    assert response.status_code == 302 and response.location == "/teach/catalog"


def test_an_admin_password_reset_signs_out_every_browser_of_that_teacher(app, db, teacher, admin):
    stolen = app.test_client()  # e.g. a browser left signed in on the classroom PC
    assert sign_in(stolen, teacher["name"], teacher["password"]).status_code == 302
    assert stolen.get("/teach/").status_code == 200
    office = app.test_client()
    assert sign_in(office, admin["name"], admin["password"]).status_code == 302
    reset = office.post(
        f"/admin/users/{teacher['id']}/password",
        data={"password": "brand new pw 9", "csrf_token": csrf(office, "/admin/users")},
    )
    assert reset.status_code == 302
    assert stolen.get("/teach/").status_code == 302  # back to the sign-in page
    assert stolen.get("/api/v1/sessions").status_code == 401
    fresh = app.test_client()
    assert sign_in(fresh, teacher["name"], "brand new pw 9").status_code == 302
    assert fresh.get("/teach/").status_code == 200


def test_changing_my_password_signs_out_other_browsers_and_revokes_tokens(app, db, teacher):
    other = app.test_client()
    assert sign_in(other, teacher["name"], teacher["password"]).status_code == 302
    me = app.test_client()
    assert sign_in(me, teacher["name"], teacher["password"]).status_code == 302
    changed = me.post(
        "/account",
        data={"current": teacher["password"], "password": "another pw 77",
              "password2": "another pw 77", "csrf_token": csrf(me, "/account")},
    )  # fmt: skip
    assert changed.status_code == 303
    assert me.get("/teach/").status_code == 200  # the browser that changed it stays in
    assert other.get("/teach/").status_code == 302
    bearer = {"Authorization": f"Bearer {teacher['token']}"}
    assert app.test_client().get("/api/v1/sessions", headers=bearer).status_code == 401


def test_a_deleted_teacher_is_signed_out(app, db, admin):
    user_id = create_user(db, "leaving", "leaving pw 12")
    token = create_api_token(db, user_id)
    gone = app.test_client()
    assert sign_in(gone, "leaving", "leaving pw 12").status_code == 302
    office = app.test_client()
    sign_in(office, admin["name"], admin["password"])
    office.post(f"/admin/users/{user_id}/delete", data={"csrf_token": csrf(office, "/admin/users")})
    assert gone.get("/teach/").status_code == 302
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/sessions", headers=bearer).status_code == 401


@pytest.mark.parametrize("header", ["Bearer p_not-a-teacher", "Bearer kepu_made_up", "Bearer   "])
def test_a_bearer_header_never_lets_a_cookie_request_skip_csrf(client, teacher, header):
    """Bearer calls skip CSRF, so they must be judged by the token, never by the cookie."""
    assert sign_in(client, teacher["name"], teacher["password"]).status_code == 302
    response = client.post(
        "/api/v1/sessions",
        json={"course": "heiyoushan-trip", "quiz": "heiyoushan-trip-quiz"},
        headers={"Authorization": header, "Origin": "http://evil.example"},
    )
    assert response.status_code in (400, 401, 403), response.get_json()
    assert client.get("/api/v1/sessions").get_json() == []


def test_the_secret_key_file_is_private(instance, app):
    mode = stat.S_IMODE(os.stat(instance / "secret_key").st_mode)
    assert mode == 0o600


def test_the_secret_key_is_never_world_readable_even_for_a_moment(instance, monkeypatch):
    """Created 0600 with os.open, not written with the umask's mode and chmod-ed after."""
    from kepu_server.config import secret_key

    def spy_write_text(path, *args, **kwargs):
        raise AssertionError("secret_key written with Path.write_text (umask mode)")

    monkeypatch.setattr("pathlib.Path.write_text", spy_write_text)
    folder = instance / "fresh"
    folder.mkdir()
    key = secret_key(folder)
    assert len(key) == 64
    assert stat.S_IMODE(os.stat(folder / "secret_key").st_mode) == 0o600
