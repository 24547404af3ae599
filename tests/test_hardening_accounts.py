"""The setup link makes one admin only; signing out (or a new password) ends the session."""

from __future__ import annotations

import re
import threading

from kepu_server.auth import create_setup_token
from tests.student_support import rows
from tests.test_hardening_limits import Tablet


def test_six_concurrent_claims_of_the_setup_link_make_one_admin(app, db, live_server):
    token = create_setup_token(db)
    browsers = [Tablet(live_server.url) for _ in range(6)]
    forms = [b.request("GET", f"/setup/{token}")[1] for b in browsers]
    barrier = threading.Barrier(6)
    statuses = []

    def claim(number: int) -> None:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', forms[number]).group(1)
        body = f"name=admin{number}&password=long+password+{number}&csrf_token={csrf}"
        barrier.wait()
        statuses.append(browsers[number].form("POST", f"/setup/{token}", body))

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(rows(app, "SELECT * FROM users WHERE is_admin = 1")) == 1, statuses
    assert sorted(statuses) == [200] + [404] * 5  # 200: the redirect to /admin/users followed


def test_a_new_setup_link_expires_the_old_one(app, db):
    first = create_setup_token(db)
    second = create_setup_token(db)  # e.g. the server restarted with no admin yet
    client = app.test_client()
    assert client.get(f"/setup/{first}").status_code == 404
    assert client.get(f"/setup/{second}").status_code == 200


def sign_in(live_server, teacher) -> Tablet:
    browser = Tablet(live_server.url)
    form = browser.request("GET", "/login")[1]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    body = (
        f"name={teacher['name']}&password={teacher['password'].replace(' ', '+')}&csrf_token={csrf}"
    )
    assert browser.form("POST", "/login", body) == 200
    return browser


def session_cookie(browser: Tablet) -> str:
    return next(c.value for c in browser.jar if c.name == "kepu_session")


def test_a_cookie_copied_before_signing_out_no_longer_opens_teach(app, teacher, live_server):
    browser = sign_in(live_server, teacher)
    copied = session_cookie(browser)
    thief = Tablet(live_server.url, cookies=False)
    opened = thief.request("GET", "/teach/", headers={"Cookie": f"kepu_session={copied}"})
    assert opened[0] == 200 and 'name="password"' not in opened[1]  # the copy works, for now
    page = browser.request("GET", "/teach/")[1]
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    browser.form("POST", "/logout", f"csrf_token={csrf}")
    status, body = thief.request("GET", "/teach/", headers={"Cookie": f"kepu_session={copied}"})
    assert status == 200 and 'name="password"' in body  # sent to the sign-in page
    assert thief.request("GET", "/api/v1/sessions",
                         headers={"Cookie": f"kepu_session={copied}"})[0] == 401  # fmt: skip


def test_another_browser_of_the_same_teacher_stays_signed_in(app, teacher, live_server):
    first, second = sign_in(live_server, teacher), sign_in(live_server, teacher)
    page = first.request("GET", "/teach/")[1]
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    first.form("POST", "/logout", f"csrf_token={csrf}")
    assert second.request("GET", "/api/v1/sessions")[0] == 200


def test_deleting_an_account_ends_its_cookie_sessions(app, teacher, db, live_server):
    browser = sign_in(live_server, teacher)
    assert browser.request("GET", "/api/v1/sessions")[0] == 200
    assert len(rows(app, "SELECT * FROM web_sessions")) == 1
    db.execute("DELETE FROM users WHERE id = ?", [teacher["id"]])
    assert rows(app, "SELECT * FROM web_sessions") == []
