"""The teacher frees, renames or merges a taken seat (issue 12, item 3), over real HTTP forms."""

from __future__ import annotations

import re

import pytest

from kepu_server.auth import create_user
from tests.conftest import TEST_PLUGIN
from tests.student_support import change, join, launch, rows, seat


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


def signed_in(app, user) -> tuple:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"name": user["name"], "password": user["password"],
                                "csrf_token": token})  # fmt: skip
    page = client.get("/teach/").get_data(as_text=True)
    return client, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def repair(client, csrf, session, participant_id, **form):
    return client.post(f"/teach/sessions/{session['id']}/seats/{participant_id}",
                       data={"csrf_token": csrf, **form})  # fmt: skip


def test_a_wrongly_taken_roster_seat_is_renamed_then_freed(app, teacher):
    session = launch(app, teacher, quiz_id="water-quiz", roster=["小红", "小明"])
    wrong = seat(app.test_client(), session["code"], "小红")  # 小明 tapped 小红
    wrong_client = app.test_client()
    assert wrong_client.put("/api/v1/me/answers/q1", json={"response": 0},
                            headers=wrong["headers"]).status_code == 200  # fmt: skip
    owner = app.test_client()
    assert join(owner, session["code"], "小红").status_code == 409
    teacher_client, csrf = signed_in(app, teacher)
    page = teacher_client.get(f"/teach/sessions/{session['id']}/seats").get_data(as_text=True)
    assert 'data-seat="小红"' in page
    seat_id = wrong["participant"]["id"]
    assert (
        repair(teacher_client, csrf, session, seat_id, action="rename", name="小明").status_code
        == 302
    )
    assert join(owner, session["code"], "小红").status_code == 200  # the owner gets in
    names = {r["name"]: r["id"] for r in rows(app, "SELECT id, name FROM participants")}
    assert names["小明"] == seat_id
    # Rename onto a taken name is refused; nothing changes.
    assert (
        repair(teacher_client, csrf, session, seat_id, action="rename", name="小红").status_code
        == 409
    )
    # Free 小明's seat: his old tablet is out, the next tablet joining as 小明 gets the answers.
    assert repair(teacher_client, csrf, session, seat_id, action="free").status_code == 302
    assert wrong_client.get("/api/v1/me", headers=wrong["headers"]).status_code == 401
    again = seat(app.test_client(), session["code"], "小明")
    assert again["participant"]["id"] == seat_id
    answers = rows(app, "SELECT question_id FROM answers WHERE participant_id = ?", [seat_id])
    assert [a["question_id"] for a in answers] == ["q1"]


def test_two_seats_of_one_child_are_merged_with_every_answer(app, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")
    first = seat(app.test_client(), session["code"], "小明")
    second = seat(app.test_client(), session["code"], "小明2")
    client = app.test_client()
    client.put("/api/v1/me/answers/q1", json={"response": 0}, headers=first["headers"])
    client.put("/api/v1/me/answers/q3", json={"response": True}, headers=second["headers"])
    assert client.post("/api/v1/me/submit", headers=second["headers"]).status_code == 200
    teacher_client, csrf = signed_in(app, teacher)
    keep = first["participant"]["id"]
    response = repair(teacher_client, csrf, session, second["participant"]["id"],
                      action="merge", into=str(keep))  # fmt: skip
    assert response.status_code == 302
    left = rows(app, "SELECT id, name, submitted_at, score FROM participants")
    assert [(r["id"], r["name"]) for r in left] == [(keep, "小明")]
    assert left[0]["submitted_at"] and left[0]["score"] == 2  # both answers count
    got = rows(app, "SELECT question_id FROM answers WHERE participant_id = ? ORDER BY 1", [keep])
    assert [a["question_id"] for a in got] == ["q1", "q3"]


def test_another_teacher_cannot_touch_the_seats(app, teacher, db):
    session = launch(app, teacher, quiz_id="water-quiz")
    taken = seat(app.test_client(), session["code"], "小明")
    create_user(db, "teacher2", "correct horse 9")
    other, csrf = signed_in(app, {"name": "teacher2", "password": "correct horse 9"})
    assert other.get(f"/teach/sessions/{session['id']}/seats").status_code == 404
    assert (
        repair(other, csrf, session, taken["participant"]["id"], action="free").status_code == 404
    )
    assert rows(app, "SELECT name FROM participants") == [{"name": "小明"}]


def test_the_live_dashboard_tallies_a_poll(app, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")
    client = app.test_client()
    for name, vote in (("小明", 1), ("小红", 1), ("小刚", 2)):
        s = seat(app.test_client(), session["code"], name)
        client.put("/api/v1/me/answers/q7", json={"response": vote}, headers=s["headers"])
    teacher_client, _csrf = signed_in(app, teacher)
    live = teacher_client.get(f"/api/v1/sessions/{session['id']}/live").get_json()
    poll = next(q for q in live["questions"] if q["id"] == "q7")
    assert [(t["label"], t["count"]) for t in poll["tally"]] == [
        ("水", 2),
        ("水蒸气", 1),
        ("冰", 0),
    ]
    page = teacher_client.get(f"/teach/sessions/{session['id']}/dashboard").get_data(as_text=True)
    tally = page.split('data-question="q7"')[1].split("</tr>")[0]
    assert "data-tally" in tally and "水蒸气 <strong>1</strong>" in tally


def test_regrading_changes_every_total_the_dashboard_and_the_csv(app, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")
    kids = {
        name: seat(app.test_client(), session["code"], name) for name in ("小明", "小红", "小刚")
    }
    client = app.test_client()
    for name, answer in (("小明", " 冰块 "), ("小红", "冰块"), ("小刚", "水")):
        client.put(
            "/api/v1/me/answers/q5", json={"response": answer}, headers=kids[name]["headers"]
        )
    client.put("/api/v1/me/answers/q1", json={"response": 1}, headers=kids["小刚"]["headers"])
    assert client.post("/api/v1/me/submit", headers=kids["小明"]["headers"]).json["score"] == 0
    teacher_client, csrf = signed_in(app, teacher)
    url = f"/teach/sessions/{session['id']}/regrade"
    form = {"csrf_token": csrf, "question": "q5", "verdict": "accept",
            "participant": str(kids["小明"]["participant"]["id"])}  # fmt: skip
    assert teacher_client.post(url, data=form).status_code == 302
    # 小刚 answered q1 wrongly; the teacher accepts it for him alone.
    form = {**form, "question": "q1", "verdict": "right",
            "participant": str(kids["小刚"]["participant"]["id"])}  # fmt: skip
    assert teacher_client.post(url, data=form).status_code == 302
    data = teacher_client.get(f"/api/v1/sessions/{session['id']}/results").get_json()
    scores = {p["name"]: p["score"] for p in data["participants"]}
    assert scores == {"小明": 1, "小红": 1, "小刚": 1}  # 小明's handed-in total followed
    live = teacher_client.get(f"/api/v1/sessions/{session['id']}/live").get_json()
    q5 = next(q for q in live["questions"] if q["id"] == "q5")
    assert (q5["answered"], q5["correct"]) == (3, 2)
    sheet = teacher_client.get(f"/api/v1/sessions/{session['id']}/results.csv?labels=1")
    lines = sheet.get_data(as_text=True).splitlines()
    assert "小红,否,,1," in lines[2] or lines[2].startswith("小红,否,,1,")
    # A later hand-in keeps the teacher's verdict, and the child's own review (once the quiz
    # is closed) says right too.
    assert client.post("/api/v1/me/submit", headers=kids["小刚"]["headers"]).json["score"] == 1
    change(app, session["id"], quiz_open=0)
    review = client.get("/api/v1/me/quiz", headers=kids["小明"]["headers"]).get_json()
    assert {q["id"]: q["correct"] for q in review["result"]["questions"]}["q5"] is True
    # Only the class's own teacher regrades.
    other = create_user(_db(app), "t3", "correct horse 3")
    assert other
    stranger, scsrf = signed_in(app, {"name": "t3", "password": "correct horse 3"})
    assert (
        stranger.post(url, data={**form, "csrf_token": scsrf, "verdict": "wrong"}).status_code
        == 404
    )
    assert {p["name"]: p["score"] for p in teacher_client.get(
        f"/api/v1/sessions/{session['id']}/results").get_json()["participants"]}["小刚"] == 1  # fmt: skip


def _db(app):
    from kepu_server.store.db import open_db

    return open_db(app.config["KEPU_DATABASE"])
