"""A whole class at once: 40 tablets join, answer and submit against a real waitress server."""

from __future__ import annotations

import threading

import requests

from kepu_server.quiz.scoring import max_points, score_response
from tests.student_support import rows, stored_answers

STUDENTS = 40
COURSE, QUIZ = "heiyoushan-trip", "heiyoushan-trip-quiz"


def right_and_wrong(question) -> tuple[object, object]:
    """A right and a wrong (but well-formed) response for a core question."""
    spec = question.spec
    if question.type == "single":
        return spec["answer"], (spec["answer"] + 1) % len(spec["options"])
    if question.type == "multiple":
        return sorted(spec["answers"]), [i for i in range(len(spec["options"]))
                                         if i not in spec["answers"]][:1]  # fmt: skip
    if question.type == "truefalse":
        return spec["answer"], not spec["answer"]
    if question.type == "numeric":
        return spec["answer"], spec["answer"] + spec.get("tolerance", 0) + 1
    if question.type == "text":
        return spec["accept"][0], "不知道"
    if question.type == "ordering":
        return list(spec["items"]), list(reversed(spec["items"]))
    if question.type == "poll":
        return 0, 1
    raise AssertionError(f"no test responses for {question.type}")


def test_forty_students_join_answer_and_submit_at_once(app, teacher, live_server):
    catalog = app.extensions["kepu"].catalog
    quiz = catalog.course(COURSE).quizzes[QUIZ]
    types = catalog.question_types
    base = live_server.url
    launched = requests.post(
        f"{base}/api/v1/sessions",
        json={"course": COURSE, "quiz": QUIZ, "review": True},
        headers={"Authorization": f"Bearer {teacher['token']}"},
        timeout=10,
    )
    assert launched.status_code == 201, launched.text
    session_id, code = launched.json()["id"], launched.json()["code"]

    start = threading.Barrier(STUDENTS)
    failures: list[str] = []
    outcome: dict[str, dict] = {}  # name -> {"final": {qid: response}, "submits": [...]}

    def tablet(i: int) -> None:
        name = f"学生{i:02d}"
        http = requests.Session()
        final = {}
        submits = []

        def call(method, path, **kw):
            response = http.request(method, base + path, timeout=30, **kw)
            if not 200 <= response.status_code < 300:
                failures.append(f"{name} {method} {path}: {response.status_code} {response.text}")
            return response

        try:
            start.wait(timeout=30)
            joined = call("POST", "/api/v1/join", json={"code": code, "name": name})
            http.headers["Authorization"] = "Bearer " + joined.json()["token"]
            public = call("GET", "/api/v1/me/quiz").json()
            assert [q["id"] for q in public["questions"]] == [q.id for q in quiz.questions]
            for k, question in enumerate(quiz.questions):
                right, wrong = right_and_wrong(question)
                answer = right if (i + k) % 3 else wrong
                if (i + k) % 2 == 0:  # change of mind: the last write must win
                    first = wrong if answer == right else right
                    call("PUT", f"/api/v1/me/answers/{question.id}", json={"response": first})
                call("PUT", f"/api/v1/me/answers/{question.id}", json={"response": answer})
                final[question.id] = answer
            call("GET", "/api/v1/me")
            submits = [call("POST", "/api/v1/me/submit").json() for _ in range(2)]
        except Exception as exc:  # noqa: BLE001 - reported below with the student's name
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
        outcome[name] = {"final": final, "submits": submits}

    threads = [threading.Thread(target=tablet, args=(i,)) for i in range(STUDENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures[:5]
    assert len(outcome) == STUDENTS

    # Every answer is in the database exactly once (the primary key guarantees no duplicate
    # row; the count proves none is missing) with the last response sent and its true score.
    people = {p["name"]: p for p in rows(app, "SELECT * FROM participants")}
    assert set(people) == set(outcome)
    saved = stored_answers(app)
    assert len(saved) == STUDENTS * len(quiz.questions)
    scores = {(r["participant_id"], r["question_id"]): r["score"]
              for r in rows(app, "SELECT * FROM answers")}  # fmt: skip
    total_points = sum(max_points(types[q.type], q) for q in quiz.questions)
    for name, result in outcome.items():
        pid = people[name]["id"]
        expected_total = 0.0
        for question in quiz.questions:
            response = result["final"][question.id]
            assert saved[(pid, question.id)] == response
            expected = score_response(types[question.type], question, response)
            assert scores[(pid, question.id)] == expected
            expected_total += expected
        first, second = result["submits"]
        assert first == second
        assert first["score"] == expected_total and first["max_score"] == total_points
        assert people[name]["score"] == expected_total and people[name]["submitted_at"]

    # And the teacher's results say the same.
    results = requests.get(
        f"{base}/api/v1/sessions/{session_id}/results",
        headers={"Authorization": f"Bearer {teacher['token']}"},
        timeout=10,
    )
    assert results.status_code == 200, results.text
    listed = {p["name"]: p for p in results.json()["participants"]}
    assert set(listed) == set(outcome)
    for name, result in outcome.items():
        assert listed[name]["answers"] == result["final"]
        assert listed[name]["score"] == result["submits"][0]["score"]
        assert listed[name]["submitted"]
