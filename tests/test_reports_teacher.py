"""Whose classes a participation report counts, over real HTTP on a live server: a teacher's
``/teach/reports`` (page and CSV) and ``GET /api/v1/reports/participation`` give only their own
classes, an admin's the school; ``/admin/reports`` stays admins-only (issue 16)."""

from __future__ import annotations

import csv
import io
import re

import pytest
import requests

from kepu_server.auth import create_api_token, create_user
from tests.conftest import TEST_PLUGIN
from tests.student_support import launch, seat

# (who, course, lesson, created_at, [(score, max) or None for a seat that did not hand in])
HISTORY = [
    ("a", "test-course", "lesson-1", "2026-09-03T02:00:00+00:00", [(4, 8), (8, 8), None]),
    ("a", "test-course", "lesson-1", "2026-09-20T02:00:00+00:00", [(6, 8)]),
    ("b", "heiyoushan-trip", "l1", "2026-10-05T02:00:00+00:00", [(1, 2), None]),
    ("b", "test-course", "lesson-1", "2026-10-06T02:00:00+00:00", [(2, 8), (2, 8)]),
    ("admin", "heiyoushan-trip", "l1", "2026-10-07T02:00:00+00:00", [(2, 2)]),
]
ROW = ("sessions", "students", "handins", "mean_score")
EXPECTED = {  # by course, for each reader
    "a": {"test-course": (2, 4, 3, 0.75)},
    "b": {"heiyoushan-trip": (1, 2, 1, 0.5), "test-course": (1, 2, 2, 0.25)},
    "admin": {"heiyoushan-trip": (2, 3, 2, 0.75), "test-course": (3, 6, 5, 0.55)},
}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


@pytest.fixture
def people(db, teacher, admin):
    """Teacher A, teacher B and an admin, each with their own classes in ``HISTORY``."""
    b_id = create_user(db, "teacher2", "correct horse 3")
    b = {"id": b_id, "name": "teacher2", "password": "correct horse 3",
         "token": create_api_token(db, b_id)}  # fmt: skip
    who = {"a": teacher, "b": b, "admin": admin}
    for n, (owner, course, lesson, at, seats) in enumerate(HISTORY):
        sid = f"s{n}"
        db["class_sessions"].insert({"id": sid, "code": str(200000 + n),
                                     "teacher_id": who[owner]["id"], "course_id": course,
                                     "lesson_id": lesson, "state": "ended", "created_at": at})  # fmt: skip
        for i, mark in enumerate(seats):
            db["participants"].insert({"session_id": sid, "token_hash": f"h{n}-{i}",
                                       "name": f"kid-{owner}-{i}", "joined_at": at,
                                       "submitted_at": at if mark else None,
                                       "score": mark[0] if mark else None,
                                       "max_score": mark[1] if mark else None})  # fmt: skip
    return who


def api(base, user, **query):
    return requests.get(f"{base}/api/v1/reports/participation", params=query, timeout=10,
                        headers={"Authorization": f"Bearer {user['token']}"})  # fmt: skip


def signed_in(base: str, user: dict) -> requests.Session:
    """A browser-like session signed in through the sign-in form."""
    http = requests.Session()
    form = http.get(f"{base}/login", timeout=10).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    answer = http.post(f"{base}/login", timeout=10, allow_redirects=False,
                       data={"name": user["name"], "password": user["password"],
                             "csrf_token": csrf})  # fmt: skip
    assert answer.status_code in (302, 303), answer.text[:300]
    return http


def table(html: str) -> dict[str, tuple]:
    """The report table's rows as ``{key: (sessions, students, handins, "NN%")}``."""
    found = re.findall(
        r'<tr data-key="([^"]*)"><td>[^<]*</td><td class="sessions">(\d+)</td>'
        r'<td class="students">(\d+)</td><td class="handins">(\d+)</td>\s*'
        r'<td class="mean">([^<]*)</td>',
        html,
    )
    return {k: (int(s), int(st), int(h), m) for k, s, st, h, m in found}


def as_page(expected: dict) -> dict:
    return {k: (s, st, h, f"{m * 100:.0f}%") for k, (s, st, h, m) in expected.items()}


@pytest.mark.parametrize("reader", ["a", "b", "admin"])
def test_the_api_counts_a_teachers_own_classes_and_the_school_for_an_admin(
    live_server, people, reader
):
    answer = api(live_server.url, people[reader], group="course", **{"from": "2026-09-01"})
    assert answer.status_code == 200
    got = {r["key"]: tuple(r[f] for f in ROW) for r in answer.json()["rows"]}
    assert got == EXPECTED[reader]
    months = api(live_server.url, people[reader], group="month").json()["rows"]
    by_month = {"a": [("2026-09", 2)], "b": [("2026-10", 2)],
                "admin": [("2026-09", 2), ("2026-10", 3)]}  # fmt: skip
    assert [(r["key"], r["sessions"]) for r in months] == by_month[reader]


def test_a_students_token_and_no_token_are_refused(app, live_server, people):
    session = launch(app, people["a"], lesson_id="water")
    kid = seat(app.test_client(), session["code"], "小明")
    refused = requests.get(f"{live_server.url}/api/v1/reports/participation",
                           headers=kid["headers"], timeout=10)  # fmt: skip
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert requests.get(f"{live_server.url}/api/v1/reports/participation",
                        timeout=10).status_code == 401  # fmt: skip


@pytest.mark.parametrize(("lang", "words"), [("en", ("My reports", "Hand-ins")),
                                             ("zh", ("我的报表", "交卷"))])  # fmt: skip
def test_each_teacher_sees_only_their_own_classes_on_the_page(live_server, people, lang, words):
    base = live_server.url
    for reader in ("a", "b", "admin"):
        http = signed_in(base, people[reader])
        home = http.get(f"{base}/teach/?lang={lang}", timeout=10).text
        assert 'href="/teach/reports"' in home  # linked from the teacher's own page
        page = http.get(f"{base}/teach/reports", timeout=10,
                        params={"group": "course", "from": "2026-09-01", "lang": lang})  # fmt: skip
        assert page.status_code == 200
        assert all(w in page.text for w in words), reader
        assert table(page.text) == as_page(EXPECTED[reader]), reader
        assert page.text.count("<svg") == 2 and "kid-" not in page.text
        if reader == "b":
            assert "kid-a" not in page.text and "3</td>" not in page.text.split("<tbody>")[1]


def test_teachers_cannot_reach_the_school_report(live_server, people):
    base = live_server.url
    for reader in ("a", "b"):
        http = signed_in(base, people[reader])
        for path in ("/admin/reports", "/admin/reports.csv", "/admin/reports?group=month"):
            answer = http.get(base + path, timeout=10, allow_redirects=False)
            assert answer.status_code == 403, (reader, path)
            assert "test-course" not in answer.text
    admin = signed_in(base, people["admin"])
    school = admin.get(f"{base}/admin/reports?group=course&from=2026-09-01", timeout=10)
    assert table(school.text) == as_page(EXPECTED["admin"])


def test_a_teachers_csv_has_a_bom_and_only_their_rows(live_server, people):
    base = live_server.url
    for reader in ("a", "b"):
        http = signed_in(base, people[reader])
        answer = http.get(f"{base}/teach/reports.csv", timeout=10,
                          params={"group": "course", "from": "2026-09-01", "lang": "en"})  # fmt: skip
        assert answer.headers["Content-Type"].startswith("text/csv")
        raw = answer.content.decode("utf-8")
        assert raw.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(raw[1:])))
        assert rows[0] == ["Course", "Class sessions", "Students", "Hand-ins", "Mean score"]
        want = [[k, str(s), str(st), str(h), f"{m:.4f}"]
                for k, (s, st, h, m) in sorted(EXPECTED[reader].items())]  # fmt: skip
        assert rows[1:] == want
    # The CSV link on the page keeps the filter.
    page = signed_in(base, people["b"]).get(f"{base}/teach/reports?group=month&from=2026-10-01",
                                             timeout=10).text  # fmt: skip
    assert 'href="/teach/reports.csv?group=month&amp;from=2026-10-01"' in page
