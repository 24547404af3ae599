"""The teacher API: launching, controlling, ending sessions; results, CSV, live dashboard."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from kepu_server.auth import create_api_token, create_user
from tests.conftest import TEST_PLUGIN

COURSE, LESSON, QUIZ, GUIDE = (
    "heiyoushan-trip",
    "heiyoushan-trip",
    "heiyoushan-trip-quiz",
    "field-observation",
)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def launch(client, teacher, **body):
    body = {"course": COURSE, **body}
    if not any(k in body for k in ("lesson", "quiz", "guide")):
        body["lesson"] = LESSON
    response = client.post("/api/v1/sessions", json=body, headers=bearer(teacher["token"]))
    assert response.status_code == 201, response.json
    return response.json


def join(client, code: str, name: str) -> dict:
    """A student joins through the student API; returns the participant's auth header."""
    response = client.post("/api/v1/join", json={"code": code, "name": name})
    assert response.status_code == 200, response.json
    client.delete_cookie("kepu_participant")  # every student is a separate tablet
    return bearer(response.json["token"])


def test_launch_a_lesson(client, teacher):
    state = launch(client, teacher, pacing="teacher", review=False)
    assert len(state["code"]) == 6 and state["code"].isdigit() and state["code"][0] != "0"
    assert state["join_url"] == f"http://localhost/j/{state['code']}"
    assert state["lesson"] == LESSON and state["quiz"] == QUIZ and state["guides"] == [GUIDE]
    assert state["pacing"] == "teacher" and state["review"] is False
    assert state["quiz_open"] is False and state["joining_open"] is True
    assert state["current_section"] == 0 and len(state["sections"]) == 5
    got = client.get(f"/api/v1/sessions/{state['id']}", headers=bearer(teacher["token"]))
    assert got.status_code == 200 and got.json["code"] == state["code"]


def test_quiz_only_and_self_paced_sessions_open_the_quiz_at_once(client, teacher):
    assert launch(client, teacher, quiz=QUIZ)["quiz_open"] is True
    assert launch(client, teacher, pacing="self")["quiz_open"] is True
    guide = launch(client, teacher, guide=GUIDE)
    assert guide["quiz"] is None and guide["guides"] == [GUIDE] and len(guide["sections"]) == 6


@pytest.mark.parametrize(
    "config, expected",
    [
        ({"KEPU_PUBLIC_URL": "http://kepu.school.example:8080/"}, "http://kepu.school.example:8080"),
        ({"KEPU_LAN_URLS": ["http://192.168.1.20:8000/", "http://10.0.0.5:8000/"]},
         "http://192.168.1.20:8000"),
    ],
)  # fmt: skip
def test_join_url_uses_the_public_or_lan_address(app, client, teacher, config, expected):
    app.config.update(config)
    state = launch(client, teacher)
    assert state["join_url"] == f"{expected}/j/{state['code']}"


@pytest.mark.parametrize(
    "body, status",
    [
        ({"lesson": LESSON}, 400),
        ({"course": COURSE}, 400),
        ({"course": COURSE, "lesson": LESSON, "quiz": QUIZ}, 400),
        ({"course": "no-such-course", "lesson": LESSON}, 404),
        ({"course": COURSE, "lesson": "nope"}, 404),
        ({"course": COURSE, "quiz": "nope"}, 404),
        ({"course": COURSE, "guide": "nope"}, 404),
        ({"course": COURSE, "lesson": ["x"]}, 400),
        ({"course": COURSE, "lesson": LESSON, "pacing": "fast"}, 400),
        ({"course": COURSE, "lesson": LESSON, "review": "yes"}, 400),
        ({"course": COURSE, "lesson": LESSON, "roster": "Ann, Bob"}, 400),
        ({"course": COURSE, "lesson": LESSON, "roster": [1, 2]}, 400),
        ({"course": COURSE, "lesson": LESSON, "language": "fr"}, 400),
        ({"course": COURSE, "lesson": LESSON, "language": 5}, 400),
    ],
)
def test_bad_launches_are_refused_and_store_nothing(client, db, teacher, body, status):
    response = client.post("/api/v1/sessions", json=body, headers=bearer(teacher["token"]))
    assert response.status_code == status
    assert set(response.json["error"]) == {"code", "message"}
    assert db["class_sessions"].count == 0


def test_non_json_and_oversized_bodies(client, db, teacher):
    headers = bearer(teacher["token"])
    assert client.post("/api/v1/sessions", data="not json", headers=headers).status_code == 400
    big = {"course": COURSE, "lesson": LESSON, "roster": ["x" * 1000] * 100}
    assert client.post("/api/v1/sessions", json=big, headers=headers).status_code == 413
    assert db["class_sessions"].count == 0


def test_teacher_controls(client, teacher):
    state = launch(client, teacher)
    url, headers = f"/api/v1/sessions/{state['id']}", bearer(teacher["token"])
    moved = client.patch(url, json={"current_section": 2}, headers=headers).json
    assert moved["current_section"] == 2 and moved["version"] == state["version"] + 1
    both = client.patch(url, json={"quiz_open": True, "joining_open": False}, headers=headers).json
    assert both["quiz_open"] is True and both["joining_open"] is False
    for bad in ({"current_section": 5}, {"current_section": -1}, {"current_section": True},
                {"current_section": "2"}, {"quiz_open": 1}, {"state": "ended"}, {}):  # fmt: skip
        response = client.patch(url, json=bad, headers=headers)
        assert response.status_code == 400, bad
    assert client.get(url, headers=headers).json["version"] == both["version"]


def test_a_guide_only_session_has_no_quiz_to_open(client, teacher):
    state = launch(client, teacher, guide=GUIDE)
    response = client.patch(
        f"/api/v1/sessions/{state['id']}",
        json={"quiz_open": True},
        headers=bearer(teacher["token"]),
    )
    assert response.status_code == 400


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


def test_end_is_idempotent_refuses_students_and_tells_plugins_once(client, teacher):
    from tests.plugins.kepu_test_plugin import EVENTS

    state = launch(client, teacher)
    student = join(client, state["code"], "Ann")
    EVENTS.clear()
    url, headers = f"/api/v1/sessions/{state['id']}", bearer(teacher["token"])
    first = client.post(f"{url}/end", headers=headers)
    again = client.post(f"{url}/end", headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json["state"] == "ended" and first.json["joining_open"] is False
    assert [e["type"] for e in EVENTS] == ["ended"] and EVENTS[0]["session"] == state["id"]
    assert client.patch(url, json={"current_section": 1}, headers=headers).status_code == 409
    assert (
        client.post("/api/v1/join", json={"code": state["code"], "name": "Bob"}).status_code >= 400
    )
    assert (
        client.put("/api/v1/me/answers/q1", json={"response": 0}, headers=student).status_code
        >= 400
    )


def test_list_shows_mine_and_an_admin_sees_all(client, db, teacher, admin):
    other_id = create_user(db, "teacher2", "correct horse 3")
    other = {"token": create_api_token(db, other_id)}
    mine = launch(client, teacher)
    theirs = launch(client, other)
    ended = launch(client, teacher, quiz=QUIZ)
    client.post(f"/api/v1/sessions/{ended['id']}/end", headers=bearer(teacher["token"]))

    def ids(token, query=""):
        return [s["id"] for s in client.get(f"/api/v1/sessions{query}", headers=bearer(token)).json]

    assert sorted(ids(teacher["token"])) == sorted([mine["id"], ended["id"]])
    assert ids(teacher["token"], "?state=open") == [mine["id"]]
    assert ids(other["token"]) == [theirs["id"]]
    assert sorted(ids(admin["token"])) == sorted([mine["id"], theirs["id"], ended["id"]])
    assert client.get("/api/v1/sessions?state=x", headers=bearer(admin["token"])).status_code == 400
    admin_view = client.get(f"/api/v1/sessions/{theirs['id']}/live", headers=bearer(admin["token"]))
    assert admin_view.status_code == 200


ANSWERS = {
    "Ann": {"q1": 0, "q2": "断层", "q3": False, "q5": 1955, "q6": [0, 2, 4]},
    "Bob": {"q1": 1, "q2": "裂缝", "q3": True, "q5": 1958},
    "Cai": {"q1": 1, "q3": False},
}


def class_with_answers(client, teacher, submit=("Ann",)):
    state = launch(client, teacher, quiz=QUIZ)
    for name, answers in ANSWERS.items():
        student = join(client, state["code"], name)
        for qid, response in answers.items():
            put = client.put(
                f"/api/v1/me/answers/{qid}", json={"response": response}, headers=student
            )
            assert put.status_code == 200, put.json
        if name in submit:
            assert client.post("/api/v1/me/submit", headers=student).status_code == 200
    return state


def test_results_have_the_shape_of_the_design(client, teacher):
    state = class_with_answers(client, teacher)
    data = client.get(
        f"/api/v1/sessions/{state['id']}/results", headers=bearer(teacher["token"])
    ).json
    assert set(data) == {"participants", "questions"}
    assert [q["id"] for q in data["questions"]] == [f"q{n}" for n in range(1, 10)]
    assert data["questions"][0]["answer"] == 0  # teachers see the answer key
    people = {p["name"]: p for p in data["participants"]}
    assert list(people) == ["Ann", "Bob", "Cai"]
    for p in people.values():
        # DESIGN's fields, plus the seat id and the per-answer scores stored on save.
        assert set(p) == {"name", "score", "max_score", "submitted", "answers", "id", "scores"}
        assert p["answers"] == ANSWERS[p["name"]]
    assert people["Ann"] | {"answers": None, "id": None, "scores": None} == {
        "name": "Ann", "score": 5.0, "max_score": 9.0, "submitted": True, "answers": None,
        "id": None, "scores": None}  # fmt: skip
    assert (people["Bob"]["score"], people["Bob"]["submitted"]) == (0.0, False)
    assert (people["Cai"]["score"], people["Cai"]["max_score"]) == (1.0, 9.0)


def test_results_csv_is_excel_friendly_and_matches(client, teacher):
    state = class_with_answers(client, teacher)
    response = client.get(
        f"/api/v1/sessions/{state['id']}/results.csv?labels=1", headers=bearer(teacher["token"])
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:6] == ["姓名", "已提交", "交卷时间", "得分", "满分", "及格"]
    assert rows[0][6].startswith("q1: ") and rows[0][7] == "q1 对错"
    assert rows[1][:2] == ["Ann", "是"] and rows[1][3:6] == ["5", "9", "否"]  # 5/9 < 0.6
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", rows[1][2])  # hand-in time
    assert rows[1][6:8] == ["石油比水轻，在水里受到浮力向上", "✓"]
    # q4 (ordering) and q7-q9 were not answered: no answer, no mark; q6's options as text.
    assert rows[1][8:] == ["断层", "✓", "错", "✓", "", "", "1955", "✓", "一直走在指定的步道上; 戴上手套、用工具，只在老师允许的地方取样; 戴帽子、涂防晒霜，带足饮用水", "✓", *[""] * 6]  # fmt: skip
    assert rows[2][:6] == ["Bob", "否", "", "0", "9", ""] and rows[2][7] == "✗"
    assert rows[3][0] == "Cai"


def test_results_csv_is_the_results_json_as_a_table(client, teacher):
    state = class_with_answers(client, teacher)
    auth = bearer(teacher["token"])
    data = client.get(f"/api/v1/sessions/{state['id']}/results", headers=auth).get_json()
    response = client.get(f"/api/v1/sessions/{state['id']}/results.csv", headers=auth)
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    question_ids = [q["id"] for q in data["questions"]]
    assert list(rows[0]) == ["name", "score", "max_score", "submitted", *question_ids]
    assert len(rows) == len(data["participants"])
    for row, person in zip(rows, data["participants"], strict=True):
        assert row["name"] == person["name"]
        assert (float(row["score"]), float(row["max_score"])) == (
            person["score"], person["max_score"])  # fmt: skip
        assert row["submitted"] == ("true" if person["submitted"] else "false")
        for qid in question_ids:
            if qid not in person["answers"]:
                assert row[qid] == ""
                continue
            sent = person["answers"][qid]
            assert (row[qid] if isinstance(sent, str) else json.loads(row[qid])) == sent


def test_csv_neutralises_formulas_in_names(client, teacher):
    state = launch(client, teacher, quiz=QUIZ)
    join(client, state["code"], "=1+1")
    text = client.get(f"/api/v1/sessions/{state['id']}/results.csv?lang=en&labels=1",
                      headers=bearer(teacher["token"])).data.decode("utf-8-sig")  # fmt: skip
    assert text.splitlines()[0].startswith(
        "Student name,Submitted,Handed in at,Score,Out of,Passed"
    )
    assert text.splitlines()[1].startswith("'=1+1,no,")


def test_live_dashboard_counts_and_etag(client, teacher):
    state = class_with_answers(client, teacher, submit=())
    url, headers = f"/api/v1/sessions/{state['id']}/live", bearer(teacher["token"])
    first = client.get(url, headers=headers)
    live = first.json
    assert live["joined"] == 3 and live["submitted"] == 0
    students = {s["name"]: s for s in live["students"]}
    assert (students["Ann"]["answered"], students["Ann"]["correct"]) == (5, 5)
    assert (students["Bob"]["answered"], students["Bob"]["correct"]) == (4, 0)
    assert (students["Cai"]["answered"], students["Cai"]["correct"]) == (2, 1)
    q1, q3 = live["questions"][0], live["questions"][2]
    assert (q1["answered"], q1["correct"], q1["share_correct"]) == (3, 1, 0.333)
    assert q1["most_common_wrong"] == {
        "response": 1,
        "label": "石油比水重，被水从下面挤上来",
        "count": 2,
    }
    assert q3["share_correct"] == round(2 / 3, 3) and q3["most_common_wrong"]["label"] == "对"
    assert live["questions"][3]["answered"] == 0 and live["questions"][3]["share_correct"] is None

    etag = first.headers["ETag"]
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304
    student = join(client, state["code"], "Dan")
    client.put("/api/v1/me/answers/q1", json={"response": 0}, headers=student)
    changed = client.get(url, headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.json["joined"] == 4


def test_live_dashboard_shows_guide_ticks_and_self_paced_sections(client, teacher):
    state = launch(client, teacher, pacing="self")
    ann = join(client, state["code"], "Ann")
    client.put(f"/api/v1/me/guides/{GUIDE}/steps/0", json={"done": True}, headers=ann)
    client.put(f"/api/v1/me/guides/{GUIDE}/steps/2", json={"done": True}, headers=ann)
    moved = client.put("/api/v1/me/section", json={"section": 3}, headers=ann)
    live = client.get(f"/api/v1/sessions/{state['id']}/live", headers=bearer(teacher["token"])).json
    steps = live["guides"][0]["steps"]
    assert [s["done"] for s in steps] == [1, 0, 1, 0, 0, 0]
    assert live["students"][0]["ticks"] == 2
    if moved.status_code == 200:  # the student API's section move
        assert live["students"][0]["section"] == 3


def test_delete_results_and_session(client, db, teacher):
    state = class_with_answers(client, teacher)
    url, headers = f"/api/v1/sessions/{state['id']}", bearer(teacher["token"])
    assert client.delete(f"{url}/results", headers=headers).status_code == 204
    assert client.get(f"{url}/results", headers=headers).json["participants"] == []
    assert db["answers"].count == 0 and db["participants"].count == 0
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404
    assert db["class_sessions"].count == 0


def test_openapi_documents_every_teacher_route(client):
    spec = client.get("/api/v1/openapi.json").json
    expected = {
        "/api/v1/sessions": {"get", "post"},
        "/api/v1/sessions/{id}": {"get", "patch", "delete"},
        "/api/v1/sessions/{id}/end": {"post"},
        "/api/v1/sessions/{id}/live": {"get"},
        "/api/v1/sessions/{id}/results": {"get", "delete"},
        "/api/v1/sessions/{id}/results.csv": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(spec["paths"][path]), path
    json.dumps(spec)  # serialisable
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(spec)


def test_responses_match_their_documented_schemas(client, teacher):
    jsonschema = pytest.importorskip("jsonschema")
    from kepu_server.views.api_teacher_spec import _LIVE, _RESULTS, _STATE

    state = class_with_answers(client, teacher)
    url, headers = f"/api/v1/sessions/{state['id']}", bearer(teacher["token"])
    jsonschema.validate(state, _STATE)
    jsonschema.validate(client.get(url, headers=headers).json, _STATE)
    jsonschema.validate(client.get(f"{url}/results", headers=headers).json, _RESULTS)
    jsonschema.validate(client.get(f"{url}/live", headers=headers).json, _LIVE)


def test_tablets_checking_in_do_not_change_the_dashboard_but_dropping_out_does(client, db, teacher):
    from datetime import UTC, datetime, timedelta

    state = launch(client, teacher)
    join(client, state["code"], "Ann")
    url, headers = f"/api/v1/sessions/{state['id']}/live", bearer(teacher["token"])
    first = client.get(url, headers=headers)
    assert first.json["students"][0]["online"] is True and first.json["online"] == 1

    def seen(seconds_ago):
        at = (datetime.now(UTC) - timedelta(seconds=seconds_ago)).isoformat(timespec="seconds")
        db.execute("UPDATE participants SET last_seen_at = ?", [at])

    seen(5)  # the tablet checked in again
    etag = first.headers["ETag"]
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304
    seen(600)  # and then went quiet
    gone = client.get(url, headers={**headers, "If-None-Match": etag})
    assert gone.status_code == 200 and gone.json["students"][0]["online"] is False
    assert gone.json["online"] == 0
