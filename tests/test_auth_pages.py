"""Accounts: the setup link, signing in and out, "my account", and the admin's teacher list."""

from __future__ import annotations

import re

from werkzeug.security import check_password_hash

from kepu_server.auth import create_setup_token


def csrf(client, path="/login"):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def sign_in(client, name, password):
    response = client.post("/login", data={"name": name, "password": password,
                                           "csrf_token": csrf(client)})  # fmt: skip
    return response


def test_the_setup_link_creates_the_first_admin_once(client, db):
    token = create_setup_token(db)
    page = client.get(f"/setup/{token}")
    assert page.status_code == 200
    form = {"name": "校长", "password": "long enough 1", "password2": "long enough 1",
            "csrf_token": csrf(client, f"/setup/{token}")}  # fmt: skip
    assert (
        client.post(f"/setup/{token}", data={**form, "password2": "different 1"}).status_code == 400
    )
    assert db["users"].count == 0
    done = client.post(f"/setup/{token}", data=form)
    assert done.status_code == 302 and done.location == "/admin/users"
    admin = next(db.query("SELECT * FROM users"))
    assert admin["name"] == "校长" and admin["is_admin"] == 1
    assert check_password_hash(admin["password_hash"], "long enough 1")
    assert "long enough 1" not in admin["password_hash"]
    assert client.get("/admin/users").status_code == 200  # signed in as the new admin
    client.post("/logout", data={"csrf_token": csrf(client, "/admin/users")})
    assert client.get(f"/setup/{token}").status_code == 404  # used
    assert client.get(f"/setup/{create_setup_token(db)}").status_code == 404  # an admin exists
    assert client.get("/setup/made-up").status_code == 404


def test_sign_in_and_out(client, teacher):
    assert sign_in(client, teacher["name"], "wrong password").status_code == 401
    response = sign_in(client, teacher["name"], teacher["password"])
    assert response.status_code == 302 and response.location == "/teach/"
    cookie = response.headers["Set-Cookie"]
    assert "kepu_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/teach/").status_code == 200
    out = client.post("/logout", data={"csrf_token": csrf(client, "/teach/")})
    assert out.status_code == 302
    assert client.get("/teach/").status_code == 302


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(client, teacher):
    asked = client.get("/teach/launch?course=heiyoushan-trip&lesson=heiyoushan-trip")
    assert asked.status_code == 302 and asked.location.startswith("/login?next=")
    token = csrf(client)
    back = client.post(asked.location, data={"name": teacher["name"],
                                            "password": teacher["password"], "csrf_token": token})  # fmt: skip
    assert back.location == "/teach/launch?course=heiyoushan-trip&lesson=heiyoushan-trip"
    client.post("/logout", data={"csrf_token": csrf(client, "/teach/")})
    evil = client.post("/login?next=//evil.example/x", data={
        "name": teacher["name"], "password": teacher["password"], "csrf_token": csrf(client)})  # fmt: skip
    assert evil.location == "/teach/"


def test_each_teacher_chooses_their_language(client, db, teacher):
    sign_in(client, teacher["name"], teacher["password"])
    assert "我的课堂" in client.get("/teach/").get_data(as_text=True)
    token = csrf(client, "/account")
    saved = client.post(
        "/account", data={"form": "language", "language": "en", "csrf_token": token}
    )
    assert saved.status_code == 302
    assert (
        next(db.query("SELECT language FROM users WHERE id = ?", [teacher["id"]]))["language"]
        == "en"
    )
    client.delete_cookie("lang")  # the choice lives with the account, not just this browser
    home = client.get("/teach/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "My classes" in home and "我的课堂" not in home
    # The language switch in the top bar is remembered for the account too.
    client.get("/teach/?lang=zh")
    client.delete_cookie("lang")
    assert "我的课堂" in client.get("/teach/", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )


def test_change_my_password(client, db, teacher):
    sign_in(client, teacher["name"], teacher["password"])
    token = csrf(client, "/account")
    wrong = client.post("/account", data={"form": "password", "current": "nope", "password": "new password 1",
                                          "password2": "new password 1", "csrf_token": token})  # fmt: skip
    assert wrong.status_code == 400
    ok = client.post("/account", data={"form": "password", "current": teacher["password"],
                                       "password": "new password 1", "password2": "new password 1",
                                       "csrf_token": token})  # fmt: skip
    assert ok.status_code == 303
    row = next(db.query("SELECT password_hash FROM users WHERE id = ?", [teacher["id"]]))
    assert check_password_hash(row["password_hash"], "new password 1")


def test_admin_adds_resets_and_deletes_teachers(client, db, admin):
    sign_in(client, admin["name"], admin["password"])
    token = csrf(client, "/admin/users")
    add = {
        "name": "王老师",
        "password": "teacher pass 1",
        "password2": "teacher pass 1",
        "csrf_token": token,
    }
    assert client.post("/admin/users", data=add).status_code == 302
    page = client.get("/admin/users").get_data(as_text=True)
    assert "王老师" in page
    again = client.post("/admin/users", data=add)
    assert "王老师" in client.get(again.location).get_data(as_text=True)
    assert db["users"].count == 2  # the same name is not added twice
    short = client.post(
        "/admin/users", data={**add, "name": "李老师", "password": "short", "password2": "short"}
    )
    assert short.status_code == 302 and db["users"].count == 2

    teacher_id = next(db.query("SELECT id FROM users WHERE name = '王老师'"))["id"]
    client.post(
        f"/admin/users/{teacher_id}/password",
        data={"password": "reset pass 1", "csrf_token": token},
    )
    row = next(db.query("SELECT password_hash FROM users WHERE id = ?", [teacher_id]))
    assert check_password_hash(row["password_hash"], "reset pass 1")

    # The teacher's classes move to the admin who deletes the account: no results are lost.
    other = client.application.test_client()
    sign_in(other, "王老师", "reset pass 1")
    launched = other.post("/api/v1/sessions", json={"course": "heiyoushan-trip", "quiz": "heiyoushan-trip-quiz"},
                          headers={"X-CSRFToken": csrf(other, "/teach/")})  # fmt: skip
    assert launched.status_code == 201
    assert (
        client.post(f"/admin/users/{teacher_id}/delete", data={"csrf_token": token}).status_code
        == 302
    )
    assert db["users"].count == 1
    owner = next(db.query("SELECT teacher_id FROM class_sessions"))["teacher_id"]
    assert owner == admin["id"]
    assert other.get("/teach/").status_code == 302  # the deleted account is signed out
    # An admin cannot delete themselves (the school would lose its only admin).
    client.post(f"/admin/users/{admin['id']}/delete", data={"csrf_token": token})
    assert db["users"].count == 1
