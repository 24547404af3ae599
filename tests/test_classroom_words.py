"""One word per thing, in the reader's language, on every page (issue 12, item 7 and 10)."""

from __future__ import annotations

import re

from kepu_server.store.db import open_db
from tests.student_support import launch, rows


def text(response) -> str:
    return response.get_data(as_text=True)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(
        r'name="csrf-token" content="([^"]+)"', page
    )
    return found.group(1)


def sign_in(client, user) -> None:
    token = csrf_of(text(client.get("/login")))
    client.post("/login", data={"name": user["name"], "password": user["password"],
                                "csrf_token": token})  # fmt: skip


def test_the_class_code_and_the_page_have_one_word_each(app, client, teacher):
    session = launch(app, teacher, course="heiyoushan-trip", lesson_id="heiyoushan-trip")
    sign_in(client, teacher)
    pages = [f"/teach/sessions/{session['id']}{tail}" for tail in ("", "/join", "/dashboard")]
    pages += ["/teach/", f"/j/{session['code']}"]
    for url in pages:
        body = text(client.get(url))
        assert "加入码" not in body, url
        assert not re.search(r"第 \d+ 节", body), url
    present = text(client.get(f"/teach/sessions/{session['id']}"))
    assert "第 1 页" in present and "课堂码" in present
    english = text(client.get(f"/teach/sessions/{session['id']}?lang=en"))
    assert "Page 1 of" in english and "Section" not in english


def test_error_pages_are_in_the_readers_language(client):
    body = text(client.get("/no/such/page?lang=zh"))
    assert "请检查网址" in body
    assert "The requested URL" not in body and "not found on the server" not in body
    wrong_method = client.get("/logout?lang=zh")  # a form's target, opened as a link
    assert wrong_method.status_code == 405 and "不能这样打开" in text(wrong_method)
    assert "The method is not allowed" not in text(wrong_method)
    no_token = client.post("/?lang=zh")  # a form without its CSRF token
    assert no_token.status_code == 400 and "请返回，刷新页面" in text(no_token)
    assert "CSRF" not in text(no_token)
    assert "Check the address" in text(client.get("/no/such/page?lang=en"))


def test_a_taken_account_name_is_said_in_chinese(client, admin):
    sign_in(client, admin)
    page = text(client.get("/admin/users"))
    csrf = csrf_of(page)
    form = {"csrf_token": csrf, "name": "admin1", "password": "long enough 1",
            "password2": "long enough 1"}  # fmt: skip
    body = text(client.post("/admin/users", data=form, follow_redirects=True))
    assert "已经有一个叫 admin1 的账号了" in body
    assert "exists already" not in body


def test_a_password_mismatch_on_setup_keeps_the_name(app, client):
    from kepu_server.auth import create_setup_token
    from kepu_server.store.db import open_db

    db = open_db(app.config["KEPU_DATABASE"])
    token = create_setup_token(db)
    db.conn.close()
    page = text(client.get(f"/setup/{token}"))
    csrf = csrf_of(page)
    response = client.post(f"/setup/{token}", data={"csrf_token": csrf, "name": "王老师",
                           "password": "long enough 1", "password2": "long enough 2"})  # fmt: skip
    assert response.status_code == 400
    assert 'value="王老师"' in text(response)


def test_an_empty_pasted_class_list_is_refused_not_a_nickname_class(app, client, teacher):
    sign_in(client, teacher)
    url = "/teach/launch?course=heiyoushan-trip&lesson=heiyoushan-trip"
    csrf = csrf_of(text(client.get(url)))
    response = client.post("/teach/launch", data={
        "csrf_token": csrf, "course": "heiyoushan-trip", "lesson": "heiyoushan-trip",
        "pacing": "teacher", "roster_mode": "paste", "roster_text": " \n ,\n"})  # fmt: skip
    assert response.status_code == 400 and "名单是空的" in text(response)
    assert rows(app, "SELECT id FROM class_sessions") == []


def test_a_typed_name_in_a_roster_class_lands_on_the_list_with_a_message(app, client, teacher):
    session = launch(app, teacher, course="heiyoushan-trip", lesson_id="heiyoushan-trip",
                     roster=["小红", "小明"])  # fmt: skip
    page = text(client.get(f"/j/{session['code']}?pick=1"))
    assert "请点你自己的名字" in page and 'value="小红"' in page


def test_a_class_left_open_overnight_is_ended(app, client, teacher):
    session = launch(app, teacher, course="heiyoushan-trip", lesson_id="heiyoushan-trip")
    fresh = launch(app, teacher, course="heiyoushan-trip", lesson_id="heiyoushan-trip")
    db = open_db(app.config["KEPU_DATABASE"])
    db.execute("UPDATE class_sessions SET created_at = '2020-01-01T08:00:00+00:00' WHERE id = ?",
               [session["id"]])  # fmt: skip
    db.conn.close()
    sign_in(client, teacher)
    client.get("/teach/")
    states = {r["id"]: r["state"] for r in rows(app, "SELECT id, state FROM class_sessions")}
    assert states == {session["id"]: "ended", fresh["id"]: "open"}


def test_the_readme_names_what_the_ui_shows():
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for word in ("教师账号", "插件和内容包", "在课堂上开始", "课堂码"):
        assert word in readme, word
    assert "Admin → Users" not in readme and "Admin → Plugins**" not in readme
    assert "Ctrl+C" in readme and "every network interface" in readme
    assert "While it runs it needs no internet" in readme
