"""A contest on the projector with a hall of tablets: how fast does every tablet see the reveal?

    python bench/bench_contest.py [--tablets 300] [--open 6] [--after 5]

The server runs as ``kepu serve`` runs it (waitress, 8 threads), in its own process, with the
example course's quiz launched as a contest. Every tablet joins, then polls ``GET /api/v1/me``
every 2 s (with jitter at the start, as tablet.js does) with its ETag on its own keep-alive
connection, and answers the open question once. The teacher opens question 1, waits
``--open`` seconds and reveals. Reported: the time from the teacher's reveal request to each
tablet's first poll that shows ``revealed`` (must be within 3 s for all), the errors (must be
0), how many polls were 304s, and the poll latency beside the floor measured in the same
run: a bare Flask app on waitress answering the same 300 tablets' polls.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kepu_server.benchmark.client import Connection, percentile  # noqa: E402
from kepu_server.benchmark.setup import (  # noqa: E402
    COURSE,
    QUIZ,
    Served,
    default_content,
    join_seats,
    prepare_instance,
)
from kepu_server.serving import raise_file_limit  # noqa: E402

JSON = {"Content-Type": "application/json"}
POLL = 2.0


async def hall(port: int, tokens: list[str], path: str, seconds: float, teacher=None) -> dict:
    """Tablets polling ``path`` every 2 s for ``seconds``; ``teacher(port)`` runs alongside
    and returns the moment it revealed. Returns latencies, errors, 304s, reveal delays."""
    rng = random.Random(len(tokens))
    conns = [Connection(port) for _ in tokens]
    latencies: list[float] = []
    seen_reveal: dict[int, float] = {}
    counts = {"polls": 0, "not_modified": 0, "errors": 0, "answers": 0}
    end = time.perf_counter() + seconds

    async def tablet(i: int, token: str | None):
        auth = {"Authorization": f"Bearer {token}"} if token else {}
        etag, answered = None, token is None
        await asyncio.sleep(rng.uniform(0, POLL))
        while time.perf_counter() < end:
            tick = time.perf_counter()
            try:
                headers = {**auth, "If-None-Match": etag} if etag else auth
                reply = await conns[i].request("GET", path, headers)
                latencies.append(time.perf_counter() - tick)
                counts["polls"] += 1
                if reply.status == 304:
                    counts["not_modified"] += 1
                elif reply.status == 200:
                    etag = reply.headers.get("etag")
                    contest = reply.json().get("contest") if token else None
                    if contest and contest["state"] == "revealed" and i not in seen_reveal:
                        seen_reveal[i] = time.perf_counter()
                    if contest and contest["state"] == "open" and not answered:
                        answered = True
                        body = json.dumps({"response": rng.randrange(4)}).encode()
                        qid = contest["question"]["id"]
                        put = await conns[i].request(
                            "PUT", f"/api/v1/me/answers/{qid}", {**auth, **JSON}, body
                        )
                        counts["answers"] += 1
                        if put.status != 200:
                            counts["errors"] += 1
                else:
                    counts["errors"] += 1
            except OSError:
                counts["errors"] += 1
            await asyncio.sleep(max(0.0, tick + POLL - time.perf_counter()))

    jobs = [tablet(i, t) for i, t in enumerate(tokens)]
    revealed_at = None
    if teacher is not None:
        results = await asyncio.gather(teacher(port), *jobs)
        revealed_at = results[0]
    else:
        await asyncio.gather(*jobs)
    for conn in conns:
        conn.close()
    delays = sorted(seen_reveal[i] - revealed_at for i in seen_reveal) if revealed_at else []
    return {**counts, "latencies": latencies, "delays": delays}


def teacher_script(session_id: str, token: str, open_seconds: float):
    auth = {"Authorization": f"Bearer {token}", **JSON}
    url = f"/api/v1/sessions/{session_id}/contest"

    async def teacher(port: int) -> float:
        conn = Connection(port)
        await asyncio.sleep(1.0)
        reply = await conn.request("POST", url, auth, b'{"action": "next"}')
        assert reply.status == 200, reply.body
        await asyncio.sleep(open_seconds)
        revealed_at = time.perf_counter()  # from the moment the request leaves
        reply = await conn.request("POST", url, auth, b'{"action": "reveal"}')
        assert reply.status == 200 and reply.json()["state"] == "revealed", reply.body
        conn.close()
        return revealed_at

    return teacher


def ms(values: list[float], p: float) -> str:
    return f"{percentile(values, p) * 1000:.1f} ms" if values else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tablets", type=int, default=300)
    parser.add_argument("--open", type=float, default=6.0, help="seconds the question is open")
    parser.add_argument("--after", type=float, default=5.0, help="seconds polled after reveal")
    args = parser.parse_args()
    raise_file_limit(4 * args.tablets + 100)
    work = Path(tempfile.mkdtemp(prefix="kepu-bench-contest-"))
    setup = prepare_instance(work / "instance", default_content())
    seconds = 1.0 + args.open + args.after
    kepu = Served("kepu", setup["instance"], setup["content"], log=work / "kepu.log")
    # The floor gets kepu serve's connection limit (1000): waitress's default 100 would stall.
    os.environ["KEPU_BENCH_WAITRESS"] = json.dumps({"connection_limit": 1000})
    floor = Served("floor", log=work / "floor.log")
    del os.environ["KEPU_BENCH_WAITRESS"]
    try:
        status, _h, body = kepu.get(
            "/api/v1/sessions", {"Authorization": f"Bearer {setup['token']}", **JSON}, "POST",
            json.dumps({"course": COURSE, "quiz": QUIZ, "mode": "contest", "seconds": 60}).encode(),
        )  # fmt: skip
        assert status == 201, body
        session = json.loads(body)
        started = time.perf_counter()
        tokens = join_seats(kepu, session["code"], args.tablets, "Tablet")
        print(f"{args.tablets} tablets joined in {time.perf_counter() - started:.1f} s "
              f"(one after another); polling every {POLL:g} s for {seconds:g} s")  # fmt: skip
        teacher = teacher_script(session["id"], setup["token"], args.open)
        run = asyncio.run(hall(kepu.port, tokens, "/api/v1/me", seconds, teacher))
        base = asyncio.run(hall(floor.port, [None] * args.tablets, "/floor", seconds))
    finally:
        kepu.stop()
        floor.stop()
    delays = run["delays"]
    saw = len(delays)
    worst = max(delays) if delays else float("inf")
    print(f"kepu  GET /api/v1/me: {run['polls']} polls, {run['not_modified']} were 304 "
          f"({run['not_modified'] / max(1, run['polls']):.0%}), {run['answers']} answers, "
          f"errors {run['errors']}; latency p50 {ms(run['latencies'], 50)}, "
          f"p99 {ms(run['latencies'], 99)}, max {ms(run['latencies'], 100)}")  # fmt: skip
    print(f"floor GET /floor (bare Flask on waitress, same run, same {args.tablets} pollers): "
          f"{base['polls']} polls, errors {base['errors']}; latency p50 "
          f"{ms(base['latencies'], 50)}, p99 {ms(base['latencies'], 99)}, "
          f"max {ms(base['latencies'], 100)}")  # fmt: skip
    print(f"reveal seen by {saw}/{args.tablets} tablets: p50 {ms(delays, 50)}, "
          f"p99 {ms(delays, 99)}, last {worst * 1000:.0f} ms after the teacher's click "
          f"(the poll interval alone allows up to {POLL * 1000:.0f} ms)")  # fmt: skip
    ok = saw == args.tablets and worst <= 3.0 and run["errors"] == 0
    print("target (every tablet within 3 s, 0 errors):", "ok" if ok else "MISS")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
