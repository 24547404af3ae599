"""What a teacher's live dashboard costs the server, for a class of 40.

    python bench/bench_dashboard.py [--students 40] [--polls 300]

Builds a class in a temporary instance (the school's example lesson, self-paced, with its 6-question quiz and
6-step guide): every student joins through the student API, answers every question and ticks
every step. Then times, in process, the teacher's poll of ``GET /api/v1/sessions/<id>/live``
when something changed (200, full aggregation) and when nothing did (304), and the dashboard
page's HTML fragment. Prints the query plans so a missing index shows.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kepu_server import create_app  # noqa: E402
from kepu_server.auth import create_api_token, create_user  # noqa: E402
from kepu_server.store.db import open_db  # noqa: E402

ANSWERS = {"q1": 0, "q2": "断层", "q3": False, "q5": 1955, "q6": [0, 2, 4]}


def timed(call, polls: int) -> dict:
    samples = []
    for _ in range(polls):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 2),
            "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2)}  # fmt: skip


def bare_flask_client():
    """The floor: a bare Flask app answering a small JSON body."""
    from flask import Flask, jsonify

    bare = Flask("floor")
    bare.add_url_rule("/health", "health", lambda: jsonify({"status": "ok"}))
    return bare.test_client()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--polls", type=int, default=300)
    args = parser.parse_args()
    instance = tempfile.mkdtemp()
    # The default reload interval (1 s), as in a school: content changes are looked for once
    # a second, not on every request.
    app = create_app({"KEPU_INSTANCE": instance, "KEPU_CONTENT": str(ROOT / "content")})
    db = open_db(app.config["KEPU_DATABASE"])
    token = create_api_token(db, create_user(db, "bench", "bench password"))
    teacher = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    state = client.post("/api/v1/sessions", json={"course": "heiyoushan-trip", "lesson": "heiyoushan-trip", "pacing": "self"},
                        headers=teacher).json  # fmt: skip
    sid = state["id"]
    for i in range(args.students):
        joined = client.post("/api/v1/join", json={"code": state["code"], "name": f"s{i}"}).json
        client.delete_cookie("kepu_participant")
        student = {"Authorization": f"Bearer {joined['token']}"}
        for qid, response in ANSWERS.items():
            client.put(f"/api/v1/me/answers/{qid}", json={"response": response}, headers=student)
        for step in range(6):
            client.put(f"/api/v1/me/guides/field-observation/steps/{step}", json={"done": True},
                       headers=student)  # fmt: skip
    rows = db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
    print(f"class: {args.students} students, {rows} answers, {args.polls} polls each")

    url = f"/api/v1/sessions/{sid}/live"
    etag = client.get(url, headers=teacher).headers["ETag"]
    changed = timed(lambda: client.get(url, headers=teacher), args.polls)
    same = timed(lambda: client.get(url, headers={**teacher, "If-None-Match": etag}), args.polls)
    health = timed(lambda: client.get("/api/v1/health"), args.polls)
    bare = bare_flask_client()
    floor = timed(lambda: bare.get("/health"), args.polls)

    def ratio(result: dict) -> str:
        return f"{result} = {result['p50_ms'] / floor['p50_ms']:.1f}× the floor (p50)"

    print(f"floor: a bare Flask app, same test client, same run: {floor}")
    print(f"GET /api/v1/health (Kepu's middleware):  {ratio(health)}")
    print(f"GET {url.replace(sid, '<id>')} 200 (changed):   {ratio(changed)}")
    print(f"GET {url.replace(sid, '<id>')} 304 (unchanged): {ratio(same)}")
    from kepu_server.catalog import get_catalog
    from kepu_server.classroom.results import live_dashboard
    from kepu_server.classroom.sessions import get_session

    with app.test_request_context():
        catalog, session = get_catalog(), get_session(db, sid)
        alone = timed(lambda: live_dashboard(db, catalog, session), args.polls)
    print(f"live_dashboard() alone (3 queries + aggregation): {ratio(alone)}")
    for label, sql in [
        ("participants", "SELECT * FROM participants WHERE session_id = ?"),
        ("answers", "SELECT a.* FROM answers a JOIN participants p ON p.id = a.participant_id "
                    "WHERE p.session_id = ?"),
        ("ticks", "SELECT t.* FROM guide_ticks t JOIN participants p ON p.id = t.participant_id "
                  "WHERE p.session_id = ? AND t.done = 1"),
    ]:  # fmt: skip
        plan = [r[3] for r in db.execute(f"EXPLAIN QUERY PLAN {sql}", [sid]).fetchall()]
        print(f"plan {label}: {' | '.join(plan)}")
    db.conn.close()


if __name__ == "__main__":
    main()
