"""The end of a contest over real HTTP (waitress on 127.0.0.1): hand-ins, late seats, restarts.

When the last question has closed every seat counts as handed in: plugins hear one
``submitted`` event per seat, exactly as a student's own hand-in sends it, and the xAPI
``completed`` statement goes out once per seat. A seat that joins after the end is handed in
at once (0 of the quiz's points) and its tablet shows the result. Results, the live
dashboard and the CSV agree. A restart mid-question keeps the open question and its deadline.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import pytest
import requests

from kepu_server import create_app
from tests.conftest import TEST_PLUGIN, LiveServer
from tests.plugins import kepu_test_plugin
from tests.student_support import WATER_RIGHT, rows

QUESTIONS = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8"]


@pytest.fixture
def app_config(app_config):
    # xAPI on, towards a port nobody listens on: statements stay queued in the outbox.
    xapi = {"endpoint": "http://127.0.0.1:9/xapi/", "username": "u", "password": "p",
            "school": "Test School"}  # fmt: skip
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN], "KEPU_XAPI": xapi}


def _teacher_http(teacher) -> requests.Session:
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {teacher['token']}"
    return http


def _launch(url, teach, seconds=0) -> dict:
    made = teach.post(url + "/api/v1/sessions", json={
        "course": "test-course", "quiz": "water-quiz", "mode": "contest", "seconds": seconds,
    }, timeout=10)  # fmt: skip
    assert made.status_code == 201, made.text
    return made.json()


def _join(url, code, name) -> requests.Session:
    tablet = requests.Session()  # keeps the seat cookie for the /me page, as a browser does
    joined = tablet.post(url + "/api/v1/join", json={"code": code, "name": name}, timeout=10)
    assert joined.status_code == 200, joined.text
    tablet.headers["Authorization"] = f"Bearer {joined.json()['token']}"
    tablet.participant = joined.json()["participant"]
    return tablet


def _events(session_id: str, kind: str) -> list[dict]:
    return [e for e in kepu_test_plugin.EVENTS if e["session"] == session_id and e["type"] == kind]


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_end_hands_in_every_seat_with_events_and_one_xapi_completion(app, teacher):
    server = LiveServer(app).start()
    try:
        url, teach = server.url, _teacher_http(teacher)
        session = _launch(url, teach)
        contest = f"{url}/api/v1/sessions/{session['id']}/contest"
        kepu_test_plugin.EVENTS.clear()
        kids = [_join(url, session["code"], name) for name in ("小明", "小红", "小刚")]
        for qi, qid in enumerate(QUESTIONS):
            assert teach.post(contest, json={"action": "next"}, timeout=10).json()["index"] == qi
            if qi < 2:  # 小明 answers the first two right, 小红 the first wrong
                saved = kids[0].put(f"{url}/api/v1/me/answers/{qid}",
                                    json={"response": WATER_RIGHT[qid]}, timeout=10)  # fmt: skip
                assert saved.status_code == 200, saved.text
            if qi == 0:
                assert kids[1].put(f"{url}/api/v1/me/answers/q1", json={"response": 1},
                                   timeout=10).status_code == 200  # fmt: skip
            assert teach.post(contest, json={"action": "reveal"}, timeout=10).status_code == 200
        assert _events(session["id"], "submitted") == []  # nothing handed in before the end
        finished = teach.post(contest, json={"action": "next"}, timeout=10).json()
        assert finished["state"] == "finished"

        base = f"{url}/api/v1/sessions/{session['id']}"
        results = teach.get(f"{base}/results", timeout=10).json()
        by_id = {p["id"]: p for p in results["participants"]}
        submitted = _events(session["id"], "submitted")
        # One event per seat, in the shape of a student's own hand-in.
        assert sorted(e["participant"] for e in submitted) == sorted(by_id)
        for event in submitted:
            seat = by_id[event["participant"]]
            assert set(event) == {"type", "session", "participant", "score", "max_score", "at"}
            assert (event["score"], event["max_score"]) == (seat["score"], seat["max_score"])
        assert by_id[kids[0].participant["id"]]["score"] == 2  # q1 and q2 right, 1 point each
        # Again "next" is refused and sends nothing more.
        assert teach.post(contest, json={"action": "next"}, timeout=10).status_code == 409
        assert len(_events(session["id"], "submitted")) == 3

        # A seat that joins after the end is handed in at once: 0 of the quiz's points.
        late = _join(url, session["code"], "小丽")
        me = late.get(url + "/api/v1/me", timeout=10).json()
        assert me["contest"]["state"] == "finished"
        assert me["participant"]["submitted"] is True and me["participant"]["score"] == 0
        page = late.get(url + "/me", timeout=10).text
        assert "data-result" in page and "data-contest-seat" not in page  # its result shows
        late_events = [e for e in _events(session["id"], "submitted")
                       if e["participant"] == late.participant["id"]]  # fmt: skip
        assert len(late_events) == 1 and late_events[0]["score"] == 0
        full = by_id[kids[0].participant["id"]]["max_score"]
        assert late_events[0]["max_score"] == full
        # Joining again from the same tablet is the same seat and no second hand-in.
        again = requests.post(url + "/api/v1/join", json={"code": session["code"], "name": "小丽",
                              "token": late.headers["Authorization"][7:]}, timeout=10)  # fmt: skip
        assert again.json()["rejoined"] is True
        assert len(_events(session["id"], "submitted")) == 4

        # Results, dashboard and CSV agree, the late seat included.
        results = teach.get(f"{base}/results", timeout=10).json()
        live = teach.get(f"{base}/live", timeout=10).json()
        sheet = _csv(teach.get(f"{base}/results.csv", timeout=10).text)
        assert len(results["participants"]) == 4
        assert all(p["submitted"] for p in results["participants"])
        scores = {p["name"]: p["score"] for p in results["participants"]}
        assert scores == {"小明": 2, "小红": 0, "小刚": 0, "小丽": 0}
        assert {s["name"]: s["score"] for s in live["students"]} == scores
        assert {s["name"]: s["submitted"] for s in live["students"]} == dict.fromkeys(scores, True)
        assert {r["name"]: float(r["score"]) for r in sheet} == scores
        assert {r["name"]: float(r["max_score"]) for r in sheet} == dict.fromkeys(scores, full)
        assert {p["name"]: p["max_score"] for p in results["participants"]} == dict.fromkeys(
            scores, full
        )
    finally:
        server.stop()
    # xAPI: one ``completed`` per seat (the end and the late join), none twice.
    verbs = Counter(r["verb"] for r in rows(app, "SELECT verb FROM xapi_outbox "
                                                 "WHERE session_id = ?", [session["id"]]))  # fmt: skip
    assert verbs["completed"] == 4, verbs
    assert verbs["attended"] == 4, verbs


def test_ending_the_class_mid_contest_leaves_results_consistent(app, teacher):
    server = LiveServer(app).start()
    try:
        url, teach = server.url, _teacher_http(teacher)
        session = _launch(url, teach, seconds=60)
        base = f"{url}/api/v1/sessions/{session['id']}"
        kids = [_join(url, session["code"], name) for name in ("小明", "小红")]
        kepu_test_plugin.EVENTS.clear()
        assert teach.post(f"{base}/contest", json={"action": "next"}, timeout=10).ok
        assert kids[0].put(f"{url}/api/v1/me/answers/q1", json={"response": 0},
                           timeout=10).status_code == 200  # fmt: skip
        ended = teach.post(f"{base}/end", timeout=10)  # the ordinary end button's call
        assert ended.status_code == 200, ended.text
        # The tablets land on the ended screen; the open question takes no more answers.
        polled = kids[1].get(url + "/api/v1/me", timeout=10)
        assert polled.status_code == 409 and polled.json()["error"]["code"] == "session_ended"
        late = kids[1].put(f"{url}/api/v1/me/answers/q1", json={"response": 0}, timeout=10)
        assert late.status_code == 409 and late.json()["error"]["code"] == "session_ended"
        assert "data-ended" in kids[0].get(url + "/me", timeout=10).text
        # The projector's controls answer 409, and its state says the question is no longer open.
        moved = teach.post(f"{base}/contest", json={"action": "next"}, timeout=10)
        assert moved.status_code == 409 and moved.json()["error"]["code"] == "session_ended"
        projector = teach.get(f"{base}/contest", timeout=10).json()
        assert projector["state"] != "open" and projector["seconds_left"] is None
        # Results, dashboard and CSV: the answer given counts, nobody handed in.
        results = teach.get(f"{base}/results", timeout=10).json()
        live = teach.get(f"{base}/live", timeout=10).json()
        sheet = _csv(teach.get(f"{base}/results.csv", timeout=10).text)
        scores = {p["name"]: p["score"] for p in results["participants"]}
        assert scores == {"小明": 1, "小红": 0}
        assert {s["name"]: s["score"] for s in live["students"]} == scores
        assert {r["name"]: float(r["score"]) for r in sheet} == scores
        assert not any(p["submitted"] for p in results["participants"])
        assert [e["type"] for e in kepu_test_plugin.EVENTS if e["type"] != "answered"] == ["ended"]
    finally:
        server.stop()


def test_a_restart_mid_question_keeps_the_open_question_and_its_deadline(app, app_config, teacher):
    server = LiveServer(app).start()
    try:
        url, teach = server.url, _teacher_http(teacher)
        session = _launch(url, teach, seconds=60)
        contest = f"{url}/api/v1/sessions/{session['id']}/contest"
        kid = _join(url, session["code"], "小明")
        teach.post(contest, json={"action": "next"}, timeout=10)
        opened = teach.post(contest, json={"action": "next"}, timeout=10).json()
        assert opened["state"] == "open" and opened["index"] == 1
    finally:
        server.stop()
    # A new process over the same instance folder (same SQLite file), on a new port.
    server = LiveServer(create_app(app_config)).start()
    try:
        url = server.url
        again = teach.get(f"{url}/api/v1/sessions/{session['id']}/contest", timeout=10).json()
        assert again["state"] == "open" and again["index"] == 1
        assert again["deadline"] == opened["deadline"]  # the same server-time deadline
        assert 0 < again["seconds_left"] <= opened["seconds_left"]
        mine = kid.get(url + "/api/v1/me", timeout=10).json()["contest"]
        assert mine["state"] == "open" and mine["question"]["id"] == "q2"
        assert mine["deadline"] == opened["deadline"]
        saved = kid.put(f"{url}/api/v1/me/answers/q2", json={"response": [0, 2]}, timeout=10)
        assert saved.status_code == 200, saved.text
        assert kid.put(f"{url}/api/v1/me/answers/q1", json={"response": 0},
                       timeout=10).status_code == 409  # fmt: skip
        base = f"{url}/api/v1/sessions/{session['id']}"
        revealed = teach.post(f"{base}/contest", json={"action": "reveal"}, timeout=10).json()
        assert revealed["distribution"]["answered"] == 1
        assert revealed["distribution"]["right"] == 1
    finally:
        server.stop()


def _signed_in(url, teacher) -> tuple[requests.Session, str]:
    """A teacher's browser: signed in through the form, with the pages' CSRF token."""
    desk = requests.Session()
    form = desk.get(url + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    signed = desk.post(url + "/login", data={"name": teacher["name"],
                       "password": teacher["password"], "csrf_token": token}, timeout=10)  # fmt: skip
    assert signed.ok
    home = desk.get(url + "/teach/", timeout=10).text
    return desk, re.search(r'name="csrf-token" content="([^"]+)"', home).group(1)


def test_the_teachers_ordinary_pages_serve_a_contest(app, teacher):
    server = LiveServer(app).start()
    try:
        url, teach = server.url, _teacher_http(teacher)
        session = _launch(url, teach, seconds=60)
        sid = session["id"]
        projector = f"/teach/sessions/{sid}/contest"
        kid = _join(url, session["code"], "小明")
        teach.post(f"{url}/api/v1/sessions/{sid}/contest", json={"action": "next"}, timeout=10)
        assert kid.put(f"{url}/api/v1/me/answers/q1", json={"response": 0},
                       timeout=10).status_code == 200  # fmt: skip
        desk, csrf = _signed_in(url, teacher)
        home = desk.get(url + "/teach/", timeout=10).text
        row = home.split(session["code"])[0].rsplit("<tr", 1)[1]  # the class's row
        assert f'href="{projector}"' in row and 'data-mode="contest"' in row
        for page in (f"/teach/sessions/{sid}", f"/teach/sessions/{sid}/dashboard",
                     f"/teach/sessions/{sid}/results"):  # fmt: skip
            html = desk.get(url + page, timeout=10)
            assert html.status_code == 200, page
            assert f'href="{projector}"' in html.text, page
        dashboard = desk.get(f"{url}/teach/sessions/{sid}/dashboard", timeout=10).text
        assert 'data-mode="contest"' in dashboard and "小明" in dashboard
        assert 'value="close_quiz"' not in dashboard  # the contest opens questions itself
        # The ordinary end button, mid-question: the results page, then the history's row.
        ended = desk.post(f"{url}/teach/sessions/{sid}/control",
                          data={"action": "end", "csrf_token": csrf}, allow_redirects=False,
                          timeout=10)  # fmt: skip
        assert ended.status_code == 302 and ended.headers["Location"].endswith("/results")
        results = desk.get(f"{url}/teach/sessions/{sid}/results", timeout=10)
        assert results.status_code == 200 and "小明" in results.text
        sheet = _csv(desk.get(f"{url}/api/v1/sessions/{sid}/results.csv", timeout=10).text)
        assert [(r["name"], float(r["score"])) for r in sheet] == [("小明", 1.0)]
        home = desk.get(url + "/teach/", timeout=10).text
        assert home.count('data-mode="contest"') == 1 and session["code"] not in home
        assert desk.get(url + projector, timeout=10).status_code == 200  # still readable
    finally:
        server.stop()
