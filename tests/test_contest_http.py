"""The quiz contest over real HTTP: a real waitress server on 127.0.0.1, 40 tablets.

For each question the teacher opens it, most students answer in time (some right, some
wrong), some answer after the server's deadline and get 409 ``question_closed``; the reveal
counts exactly the answers given in time; nothing a student receives before answering on a
question has closed carries its key (key names nor the quiz's own key values, a plugin type
that returns its whole spec included); the final scores are those of the answers in time.
"""

from __future__ import annotations

import types
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from kepu_server.classroom import contest_state
from tests.conftest import LiveServer
from tests.student_support import leaks, leaky_course

# Long enough for 32 answers on a busy 2-core test machine; the test does not wait it out: it
# moves the server's clock past the deadline (``clock``).
SECONDS = 30
STUDENTS = 40
IN_TIME = 32  # students 0..31 answer while the question is open; 32..39 after the deadline

QUIZ = """id = "contest-quiz"
title = "Contest"

[[questions]]
id = "c1"
type = "single"
prompt = "Which one?"
options = ["RED-OPTION", "GREEN-OPTION", "BLUE-OPTION"]
answer = 1
explain = "EXPLAIN-ONE-1183"

[[questions]]
id = "c2"
type = "text"
prompt = "Name the gas."
accept = ["METHANE-5521"]
explain = "EXPLAIN-TWO-2294"

[[questions]]
id = "c3"
type = "leaky"
prompt = "Name the rock."
answer = "MAGMA-7731"
solution = "PUMICE-9913"
explain = "EXPLAIN-THREE-3305"

[[questions]]
id = "c4"
type = "numeric"
prompt = "How many?"
answer = 42
tolerance = 1
points = 2
explain = "EXPLAIN-FOUR-4416"
"""
# Every key value of the quiz as a string a careless serialiser would print.
KEY_VALUES = {
    "c1": ['"answer"', "EXPLAIN-ONE-1183"],  # an index: only its key name can show
    "c2": ["METHANE-5521", "EXPLAIN-TWO-2294"],
    "c3": ["MAGMA-7731", "PUMICE-9913", "EXPLAIN-THREE-3305"],
    "c4": ["EXPLAIN-FOUR-4416"],
}
RIGHT = {"c1": 1, "c2": "methane-5521", "c3": "MAGMA-7731", "c4": 42.5}
WRONG = {"c1": 2, "c2": "OXYGEN", "c3": "granite", "c4": 7}
POINTS = {"c1": 1, "c2": 1, "c3": 1, "c4": 2}


def is_right(student: int, question: int) -> bool:
    return (student + question) % 3 != 0


@pytest.fixture
def app_config(app_config, tmp_path):
    with leaky_course(app_config, tmp_path, "quizland", "contest-quiz", QUIZ) as config:
        yield config


@pytest.fixture
def clock(monkeypatch):
    """The server's contest clock (``contest_state.now``, the only one a deadline is read on):
    real time plus the seconds the test skips with ``clock.skip(seconds)``."""
    skipped = [0.0]
    real = contest_state.now
    monkeypatch.setattr(contest_state, "now", lambda: real() + skipped[0])
    return types.SimpleNamespace(skip=lambda seconds: skipped.__setitem__(0, skipped[0] + seconds))


@pytest.fixture
def server(app):
    live = LiveServer(app, threads=8).start()
    yield live
    live.stop()


class Tablet:
    """One student's tablet: its own keep-alive connection, a log of every body it got."""

    def __init__(self, url: str, token: str):
        self.url = url
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.etag = None
        self.seen: list[tuple[str, str]] = []  # (contest state when received, body)

    def me(self) -> dict:
        headers = {"If-None-Match": self.etag} if self.etag else {}
        response = self.http.get(self.url + "/api/v1/me", headers=headers, timeout=10)
        if response.status_code == 304:
            return self.last
        assert response.status_code == 200, response.text
        self.etag = response.headers["ETag"]
        self.last = response.json()
        self.seen.append((self.last["contest"]["state"], response.text))
        return self.last

    def answer(self, question: str, value, state: str):
        response = self.http.put(
            f"{self.url}/api/v1/me/answers/{question}", json={"response": value}, timeout=10
        )
        self.seen.append((state, response.text))
        return response


def test_forty_tablets_play_a_contest_over_http(server, teacher, clock):
    url = server.url
    teach = requests.Session()
    teach.headers["Authorization"] = f"Bearer {teacher['token']}"
    created = teach.post(url + "/api/v1/sessions", json={
        "course": "quizland", "quiz": "contest-quiz", "mode": "contest", "seconds": SECONDS,
    }, timeout=10)  # fmt: skip
    assert created.status_code == 201, created.text
    session = created.json()
    assert session["mode"] == "contest"
    contest_url = f"{url}/api/v1/sessions/{session['id']}/contest"

    tablets = []
    for n in range(STUDENTS - 1):  # the last one joins late, mid-contest
        joined = requests.post(url + "/api/v1/join",
                               json={"code": session["code"], "name": f"kid{n}"}, timeout=10)  # fmt: skip
        assert joined.status_code == 200, joined.text
        tablets.append(Tablet(url, joined.json()["token"]))
    waiting = tablets[0].me()["contest"]
    assert waiting["state"] == "waiting" and waiting["question"] is None
    assert waiting["count"] == 4
    # The quiz as a whole is not readable during a contest: one question at a time.
    assert tablets[0].http.get(url + "/api/v1/me/quiz", timeout=10).status_code == 409
    # A poll with nothing changed is a cheap 304.
    assert tablets[0].http.get(url + "/api/v1/me", headers={"If-None-Match": tablets[0].etag},
                               timeout=10).status_code == 304  # fmt: skip

    expected_scores = [0.0] * STUDENTS
    pool = ThreadPoolExecutor(max_workers=8)
    for qi, qid in enumerate(["c1", "c2", "c3", "c4"]):
        opened = teach.post(contest_url, json={"action": "next"}, timeout=10).json()
        assert opened["state"] == "open" and opened["index"] == qi
        assert opened["question"]["id"] == qid and 0 < opened["seconds_left"] <= SECONDS
        if qi == 1:  # a tablet joining late lands on the open question
            joined = requests.post(url + "/api/v1/join",
                                   json={"code": session["code"], "name": "late"}, timeout=10)  # fmt: skip
            tablets.append(Tablet(url, joined.json()["token"]))

        def answer_in_time(n, qi=qi, qid=qid):
            value = RIGHT[qid] if is_right(n, qi) else WRONG[qid]
            return tablets[n].answer(qid, value, "open")

        answered = list(pool.map(answer_in_time, range(IN_TIME)))
        assert [r.status_code for r in answered] == [200] * IN_TIME, answered[0].text
        states = list(pool.map(lambda t: t.me()["contest"], tablets))
        for n, state in enumerate(states):
            assert state["state"] == "open" and state["index"] == qi
            assert state["question"]["id"] == qid
            assert 0 < state["seconds_left"] <= SECONDS
            assert "correct" not in state and "explain" not in state
            assert state["answered"] is (n < IN_TIME)
        for n in range(IN_TIME):
            if is_right(n, qi):
                expected_scores[n] += POINTS[qid]
        live = teach.get(contest_url, timeout=10).json()
        assert live["state"] == "open", "the answers in time took longer than the deadline"
        assert live["answered"] == IN_TIME and live["joined"] == len(tablets)

        # The deadline passes on the server's clock; nobody clicked anything.
        clock.skip(live["seconds_left"] + 0.01)
        closed = tablets[0].me()["contest"]
        assert closed["state"] == "closed"  # the ETag changed with the deadline
        late = [t.answer(qid, RIGHT[qid], "closed") for t in tablets[IN_TIME:]]
        assert {r.status_code for r in late} == {409}
        assert {r.json()["error"]["code"] for r in late} == {"question_closed"}
        # Changing an answer in time after the deadline is refused too.
        assert tablets[0].answer(qid, WRONG[qid], "closed").status_code == 409

        revealed = teach.post(contest_url, json={"action": "reveal"}, timeout=10).json()
        assert revealed["state"] == "revealed"
        dist = revealed["distribution"]
        rights = sum(1 for n in range(IN_TIME) if is_right(n, qi))
        assert dist["answered"] == IN_TIME and dist["right"] == rights
        if qid == "c1":
            assert dist["kind"] == "options"
            assert [b["count"] for b in dist["bars"]] == [0, rights, IN_TIME - rights]
            assert [b["correct"] for b in dist["bars"]] == [False, True, False]
        elif qid == "c2":
            assert dist["kind"] == "common"
            assert {b["label"].casefold(): b["count"] for b in dist["bars"]} == {
                "methane-5521": rights, "oxygen": IN_TIME - rights}  # fmt: skip
        elif qid == "c3":
            assert dist["kind"] == "right_wrong"
            assert [b["count"] for b in dist["bars"]] == [rights, IN_TIME - rights]
        else:
            assert dist["kind"] == "buckets"
            assert sum(b["count"] for b in dist["bars"]) == IN_TIME
            assert sum(b["count"] for b in dist["bars"] if b["correct"]) == rights
        for n, tablet in enumerate(tablets[:IN_TIME]):
            mine = tablet.me()["contest"]
            assert mine["state"] == "revealed" and mine["correct"] is is_right(n, qi)
            assert mine["explain"] == "" or "EXPLAIN" in mine["explain"]
        assert tablets[-1].me()["contest"]["correct"] is False  # answered late: nothing

        # The leak sweep: nothing received while this question was open carries its key.
        for tablet in tablets:
            for state, text in tablet.seen:
                if state != "open":
                    continue
                assert not leaks(text, KEY_VALUES[qid]), (qid, leaks(text, KEY_VALUES[qid]))
            tablet.seen.clear()

    finished = teach.post(contest_url, json={"action": "next"}, timeout=10).json()
    assert finished["state"] == "finished"
    assert teach.post(contest_url, json={"action": "next"}, timeout=10).status_code == 409
    results = teach.get(f"{url}/api/v1/sessions/{session['id']}/results", timeout=10).json()
    by_name = {p["name"]: p for p in results["participants"]}
    assert all(p["submitted"] for p in results["participants"])  # every seat handed in
    for n in range(STUDENTS - 1):
        assert by_name[f"kid{n}"]["score"] == expected_scores[n], n
        assert by_name[f"kid{n}"]["max_score"] == 5
    assert by_name["late"]["score"] == 0
    done = tablets[0].me()
    assert done["contest"]["state"] == "finished" and done["participant"]["submitted"]
    assert done["participant"]["score"] == expected_scores[0]
    pool.shutdown()
