"""A whole class through a real waitress server over real HTTP.

The admin is created through the setup link and adds a teacher; the teacher signs in with a
cookie jar and CSRF tokens like a browser, launches a bundled lesson from the launch form;
30 tablets join, follow the teacher's sections, answer; the dashboard JSON, the results JSON
and the CSV must say exactly what the tablets sent.
"""

from __future__ import annotations

import csv
import http.cookiejar
import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from kepu_server.auth import create_setup_token

STUDENTS = 30


@dataclass
class Reply:
    status: int
    headers: Any  # case-insensitive (email.message.Message)
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # let the test see every 302


class Browser:
    """Just enough of a browser: a cookie jar, forms, JSON calls, no redirects followed."""

    def __init__(self, base: str, headers: dict | None = None):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        self.headers = dict(headers or {})

    def open(self, method, path, *, form=None, body=None, headers=None) -> Reply:
        data, all_headers = None, {**self.headers, **(headers or {})}
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers=all_headers)  # fmt: skip
        try:
            with self.opener.open(request, timeout=20) as response:
                return Reply(response.status, response.headers, response.read())
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.headers, exc.read())

    def get(self, path, **kw):
        return self.open("GET", path, **kw)

    def csrf(self, path: str) -> str:
        page = self.get(path)
        assert page.status == 200, (path, page.status)
        return re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)

    def submit(self, path: str, form: dict, page: str | None = None) -> Reply:
        """Post a form the way a browser does: with the CSRF token of the page it sits on."""
        return self.open("POST", path, form={**form, "csrf_token": self.csrf(page or path)})


def choose(question: dict, right: bool):
    """A correct or a wrong response to ``question`` (from the teacher's full quiz)."""
    kind = question["type"]
    if kind in ("single", "truefalse", "numeric"):
        key = question["answer"]
        if right:
            return key
        if kind == "single":
            return (key + 1) % len(question["options"])
        return (not key) if kind == "truefalse" else key + question.get("tolerance", 0) + 7
    if kind == "multiple":
        key = sorted(question["answers"])
        return key if right else [i for i in range(len(question["options"])) if i not in key][:1]
    if kind == "text":
        return question["accept"][0] if right else "不知道"
    if kind == "ordering":
        return list(question["items"]) if right else list(reversed(question["items"]))
    return 0  # poll: not graded


def label(question: dict, response) -> str:
    """How the CSV should show ``response``: option text, not an index."""
    kind, options = question["type"], question.get("options")
    if kind in ("single", "poll"):
        return options[response]
    if kind == "multiple":
        return "; ".join(options[i] for i in sorted(response))
    if kind == "ordering":
        return " → ".join(response)
    if kind == "truefalse":
        return "对" if response else "错"  # the teacher's UI language: Chinese by default
    return str(response)


def plan(index: int, questions: list[dict]) -> dict:
    """Student ``index``'s answers: a spread of right, wrong and skipped."""
    answers = {}
    for j, q in enumerate(questions):
        if index % 5 == 0 and j == len(questions) - 1:
            continue  # some leave the last question blank
        answers[q["id"]] = (choose(q, right=(index + j) % 3 != 0), (index + j) % 3 != 0)
    return answers


def pick_lesson(catalog) -> tuple[str, str]:
    """A bundled lesson with a quiz (petroleum when its plugin is there; the school example else)."""
    course = catalog.course("petroleum")
    if course and "oil-origin" in course.lessons:
        return "petroleum", "oil-origin"
    return "heiyoushan-trip", "heiyoushan-trip"


def test_a_whole_class_over_http(app, db, live_server):
    base = live_server.url
    # The admin, from the one-time setup link printed by `kepu serve`.
    admin = Browser(base)
    token = create_setup_token(db)
    created = admin.submit(f"/setup/{token}", {"name": "admin", "password": "admin pass 1",
                                               "password2": "admin pass 1"})  # fmt: skip
    assert created.status == 302 and created.headers["Location"].endswith("/admin/users")
    added = admin.submit("/admin/users", {"name": "李老师", "password": "teach pass 1",
                                          "password2": "teach pass 1"})  # fmt: skip
    assert added.status == 302 and "李老师" in admin.get("/admin/users").text

    # The teacher signs in (CSRF token from the login page, session cookie in the jar).
    teacher = Browser(base)
    assert teacher.get("/teach/").status == 302
    signed_in = teacher.submit("/login", {"name": "李老师", "password": "teach pass 1"})
    assert signed_in.status == 302 and signed_in.headers["Location"].endswith("/teach/")

    course_id, lesson_id = pick_lesson(app.extensions["kepu"].catalog)
    launch_page = f"/teach/launch?course={course_id}&lesson={lesson_id}"
    launched = teacher.submit("/teach/launch", {"course": course_id, "lesson": lesson_id,
                                                "pacing": "teacher", "review": "1",
                                                "roster_mode": "none"}, page=launch_page)  # fmt: skip
    assert launched.status == 302, launched.text[-500:]
    join_screen = teacher.get(urllib.parse.urlsplit(launched.headers["Location"]).path)
    code = re.search(r'id="join-code"[^>]*>(\d{6})<', join_screen.text).group(1)
    assert "<svg" in join_screen.text and f"{base}/j/{code}" in join_screen.text
    session = teacher.get("/api/v1/sessions").json()[0]
    sid, api = session["id"], f"/api/v1/sessions/{session['id']}"
    assert session["code"] == code and session["lesson"] == lesson_id
    csrf = {"X-CSRFToken": teacher.csrf("/teach/")}
    quiz = teacher.get(f"/api/v1/courses/{course_id}/quizzes/{session['quiz']}").json()
    questions = quiz["questions"]

    # 30 tablets join at once, from one address (the school's NAT).
    def join(i):
        reply = Browser(base).open(
            "POST", "/api/v1/join", body={"code": code, "name": f"学生{i:02d}"}
        )
        assert reply.status == 200, reply.text
        return Browser(base, {"Authorization": f"Bearer {reply.json()['token']}"})

    with ThreadPoolExecutor(max_workers=10) as pool:
        tablets = list(pool.map(join, range(STUDENTS)))

    def poll(tablet_and_etag):
        tablet, etag = tablet_and_etag
        reply = tablet.get("/api/v1/me", headers={"If-None-Match": etag} if etag else {})
        assert reply.status == 200, reply.status  # something changed: never a stale 304
        return reply.json()["current_section"], reply.headers["ETag"]

    with ThreadPoolExecutor(max_workers=10) as pool:
        seen = list(pool.map(poll, [(t, None) for t in tablets]))
        assert {s for s, _ in seen} == {0}
        # The teacher presses "next" twice on the presenter; each tablet sees it on its next poll.
        for section in (1, 2):
            moved = teacher.submit(f"/teach/sessions/{sid}/control", {"action": "next"},
                                   page=f"/teach/sessions/{sid}")  # fmt: skip
            assert moved.status == 302
            seen = list(
                pool.map(poll, [(t, etag) for t, (_, etag) in zip(tablets, seen, strict=True)])
            )
            assert [s for s, _ in seen] == [section] * STUDENTS
        # Nothing changed since: every tablet's next poll is a cheap 304.
        unchanged = list(pool.map(lambda te: te[0].get("/api/v1/me", headers={"If-None-Match": te[1]}).status,
                                  [(t, etag) for t, (_, etag) in zip(tablets, seen, strict=True)]))  # fmt: skip
        assert unchanged == [304] * STUDENTS

    first = questions[0]["id"]
    closed = tablets[0].open("PUT", f"/api/v1/me/answers/{first}", body={"response": 0})
    assert closed.status == 409  # the teacher has not opened the quiz yet
    assert teacher.open("PATCH", api, body={"quiz_open": True}, headers=csrf).status == 200

    plans = [plan(i, questions) for i in range(STUDENTS)]

    def answer(i):
        for qid, (response, _right) in plans[i].items():
            reply = tablets[i].open("PUT", f"/api/v1/me/answers/{qid}", body={"response": response})
            assert reply.status == 200, reply.text
        if i % 2 == 0:
            assert tablets[i].open("POST", "/api/v1/me/submit").status == 200

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(answer, range(STUDENTS)))

    # The live dashboard says exactly what the tablets sent.
    by_id = {q["id"]: q for q in questions}
    live = teacher.get(f"{api}/live").json()
    assert live["joined"] == STUDENTS and live["submitted"] == STUDENTS // 2
    students = {s["name"]: s for s in live["students"]}
    for i in range(STUDENTS):
        graded = {qid: right for qid, (_r, right) in plans[i].items() if by_id[qid]["points"]}
        row = students[f"学生{i:02d}"]
        assert (row["answered"], row["correct"]) == (len(plans[i]), sum(graded.values()))
        assert row["section"] == 2 and row["submitted"] is (i % 2 == 0)
    for stats in live["questions"]:
        q = by_id[stats["id"]]
        given = [plans[i][q["id"]] for i in range(STUDENTS) if q["id"] in plans[i]]
        assert stats["answered"] == len(given)
        if not q["points"]:
            assert stats["share_correct"] is None
            continue
        right = sum(ok for _r, ok in given)
        assert stats["correct"] == right
        assert stats["share_correct"] == round(right / len(given), 3)
        wrong = Counter(json.dumps(r, ensure_ascii=False) for r, ok in given if not ok)
        top, count = wrong.most_common(1)[0]
        assert stats["most_common_wrong"]["count"] == count
        assert stats["most_common_wrong"]["label"] == label(q, json.loads(top))

    # The results JSON and the CSV, likewise.
    total = sum(q["points"] for q in questions)
    results = teacher.get(f"{api}/results").json()
    people = sorted(results["participants"], key=lambda p: p["name"])  # listed in joining order
    assert [p["name"] for p in people] == [f"学生{i:02d}" for i in range(STUDENTS)]
    reply = teacher.get(f"{api}/results.csv?labels=1")
    assert reply.status == 200 and reply.body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(reply.body.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [p["name"] for p in results["participants"]]
    rows = [rows[0], *sorted(rows[1:])]
    assert rows[0][:6] == ["姓名", "已提交", "交卷时间", "得分", "满分", "及格"]
    # Each question's answer, then (for a graded one) whether it was right.
    columns = [
        (q, mark) for q in questions for mark in ((False, True) if q["points"] else (False,))
    ]
    assert [h.split(":")[0] for h in rows[0][6:]] == [
        f"{q['id']} 对错" if mark else q["id"] for q, mark in columns
    ]
    for i, (person, row) in enumerate(zip(people, rows[1:], strict=True)):
        sent = {qid: response for qid, (response, _ok) in plans[i].items()}
        score = sum(by_id[qid]["points"] for qid, (_r, ok) in plans[i].items() if ok)
        assert person["answers"] == sent
        assert (person["score"], person["max_score"], person["submitted"]) == (
            score,
            total,
            i % 2 == 0,
        )
        assert row[:2] == [f"学生{i:02d}", "是" if i % 2 == 0 else "否"]
        assert row[3:5] == [f"{score:g}", f"{total:g}"]
        verdicts = {qid: ok for qid, (_r, ok) in plans[i].items()}
        assert row[6:] == [
            ("✓" if verdicts[q["id"]] else "✗")
            if mark and q["id"] in sent
            else ""
            if mark
            else label(q, sent[q["id"]])
            if q["id"] in sent
            else ""
            for q, mark in columns
        ]

    # Ending the class closes it for the tablets.
    assert teacher.open("POST", f"{api}/end", headers=csrf).json()["state"] == "ended"
    late = tablets[1].open("PUT", f"/api/v1/me/answers/{first}", body={"response": 0})
    assert late.status >= 400
    assert (
        Browser(base).open("POST", "/api/v1/join", body={"code": code, "name": "迟到"}).status
        >= 400
    )
    assert "学生00" in teacher.get(f"/teach/sessions/{sid}/results").text
