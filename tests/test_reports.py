"""Participation reports over a seeded history of classes: JSON API, page (en, zh), CSV."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import TEST_PLUGIN
from tests.test_admin_plugins import signed_in

# (course, lesson, created_at, [(score, max) or None for a seat that did not hand in])
HISTORY = [
    ("test-course", "lesson-1", "2026-09-03T02:00:00+00:00", [(4, 8), (8, 8), None]),
    ("test-course", "lesson-1", "2026-09-20T02:00:00+00:00", [(6, 8)]),
    ("heiyoushan-trip", "l1", "2026-10-05T02:00:00+00:00", [(1, 2), None]),
    ("heiyoushan-trip", "l1", "2025-01-05T02:00:00+00:00", [(2, 2)]),  # outside the range
]


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


@pytest.fixture
def seeded(db, admin):
    for n, (course, lesson, at, seats) in enumerate(HISTORY):
        sid = f"s{n}"
        db["class_sessions"].insert({"id": sid, "code": str(100000 + n), "teacher_id": admin["id"],
                                     "course_id": course, "lesson_id": lesson, "state": "ended",
                                     "created_at": at})  # fmt: skip
        for i, seat in enumerate(seats):
            db["participants"].insert({"session_id": sid, "token_hash": f"h{n}-{i}",
                                       "name": f"kid{i}", "joined_at": at,
                                       "submitted_at": at if seat else None,
                                       "score": seat[0] if seat else None,
                                       "max_score": seat[1] if seat else None})  # fmt: skip
    return admin


def api(client, admin, **query):
    return client.get("/api/v1/reports/participation", query_string=query,
                      headers={"Authorization": f"Bearer {admin['token']}"})  # fmt: skip


def test_counts_by_course_and_month_over_a_range(client, seeded):
    body = api(client, seeded, group="course", **{"from": "2026-09-01", "to": "2026-12-31"}).json
    by = {r["key"]: r for r in body["rows"]}
    assert by["test-course"] == {"key": "test-course", "sessions": 2, "students": 4,
                                 "handins": 3, "mean_score": 0.75}  # fmt: skip
    assert by["heiyoushan-trip"]["sessions"] == 1 and by["heiyoushan-trip"]["students"] == 2
    months = api(client, seeded, group="month").json["rows"]
    assert [(r["key"], r["sessions"]) for r in months] == [("2025-01", 1), ("2026-09", 2),
                                                             ("2026-10", 1)]  # fmt: skip
    grades = api(client, seeded, group="grade").json["rows"]
    assert sum(r["students"] for r in grades) == 7


def test_bad_input_is_refused_and_a_teacher_gets_only_their_own_classes(client, seeded, teacher):
    assert api(client, seeded, group="weekday").status_code == 400
    assert api(client, seeded, **{"from": "yesterday"}).json["error"]["code"] == "bad_request"
    assert api(client, teacher).json["rows"] == []  # every seeded class is the admin's
    assert client.get("/api/v1/reports/participation").status_code == 401
    signed_in(client, teacher)
    assert client.get("/admin/reports").status_code == 403


@pytest.mark.parametrize(("lang", "heading"), [("en", "Hand-ins"), ("zh", "交卷")])
def test_the_page_shows_the_counts_and_charts(client, seeded, lang, heading):
    signed_in(client, seeded)
    page = client.get(f"/admin/reports?group=course&from=2026-09-01&lang={lang}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and heading in html
    assert '<tr data-key="test-course"><td>test-course</td><td class="sessions">2</td>' in html
    assert html.count("<svg") == 2 and "kid0" not in html
    assert 'id="xapi-off"' in html


def test_csv_has_a_bom_and_the_rows(client, seeded):
    signed_in(client, seeded)
    raw = client.get("/admin/reports.csv?group=month&lang=en").get_data(as_text=True)
    assert raw.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(raw[1:])))
    assert table[0][1:] == ["Class sessions", "Students", "Hand-ins", "Mean score"]
    assert table[2] == ["2026-09", "2", "4", "3", "0.7500"]
