"""A hall of tablets: all join one class at once, then poll every 2 s and answer every ~10 s,
one keep-alive connection per tablet, while the teacher's results poll runs every second."""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass

from kepu_server.benchmark.client import Connection, percentile

JSON = {"Content-Type": "application/json"}


@dataclass
class StormFigures:
    tablets: int
    all_joined: float  # seconds from the first join sent to the last one answered
    join_p99: float
    join_errors: int
    me_p99: float
    put_p99: float
    teacher_max: float
    poll_errors: int
    connects_per_s: float  # new TCP connections a second once everyone had joined


async def _storm(port: int, code: str, session_id: str, teacher_token: str, tablets: int,
                 seconds: float, questions: list[str]) -> StormFigures:  # fmt: skip
    rng = random.Random(tablets)
    stats = Connection(port)
    teacher_latencies: list[float] = []
    stop = asyncio.Event()

    async def teacher():
        conn = Connection(port)
        while not stop.is_set():
            started = time.perf_counter()
            await conn.request("GET", f"/api/v1/sessions/{session_id}/results",
                               {"Authorization": f"Bearer {teacher_token}"})  # fmt: skip
            teacher_latencies.append(time.perf_counter() - started)
            await asyncio.sleep(1.0)
        conn.close()

    teacher_task = asyncio.create_task(teacher())
    await asyncio.sleep(0.2)
    conns = [Connection(port) for _ in range(tablets)]
    join_latencies: list[float] = []
    join_errors = 0

    async def join(i: int):
        nonlocal join_errors
        started = time.perf_counter()
        body = json.dumps({"code": code, "name": f"Tablet {i:03}"}).encode()
        try:
            reply = await conns[i].request("POST", "/api/v1/join", JSON, body)
        except OSError:
            join_errors += 1
            return None
        join_latencies.append(time.perf_counter() - started)
        if reply.status != 200:
            join_errors += 1
            return None
        return reply.json()["token"]

    started = time.perf_counter()
    tokens = await asyncio.gather(*(join(i) for i in range(tablets)))
    all_joined = time.perf_counter() - started

    me_latencies: list[float] = []
    put_latencies: list[float] = []
    errors = 0
    before = json.loads((await stats.request("GET", "/_bench/accepted")).body)["accepted"]
    connects_before = sum(c.connects for c in conns)

    async def tablet(i: int, token: str):
        nonlocal errors
        auth = {"Authorization": f"Bearer {token}"}
        etag = None
        deadline = time.perf_counter() + seconds
        await asyncio.sleep(rng.uniform(0, 2))
        next_answer = time.perf_counter() + rng.uniform(2, 10)
        answered = 0
        while time.perf_counter() < deadline:
            tick = time.perf_counter()
            headers = {**auth, "If-None-Match": etag} if etag else auth
            try:
                reply = await conns[i].request("GET", "/api/v1/me", headers)
                me_latencies.append(time.perf_counter() - tick)
                if reply.status == 200:
                    etag = reply.headers.get("etag")
                elif reply.status != 304:
                    errors += 1
                if time.perf_counter() >= next_answer:
                    body = json.dumps({"response": rng.randrange(4)}).encode()
                    question = questions[answered % len(questions)]
                    answered += 1
                    put_started = time.perf_counter()
                    reply = await conns[i].request(
                        "PUT", f"/api/v1/me/answers/{question}", {**auth, **JSON}, body
                    )
                    put_latencies.append(time.perf_counter() - put_started)
                    if reply.status != 200:
                        errors += 1
                    next_answer += rng.uniform(8, 12)
            except OSError:
                errors += 1
            await asyncio.sleep(max(0.0, tick + 2.0 - time.perf_counter()))

    poll_started = time.perf_counter()
    await asyncio.gather(*(tablet(i, t) for i, t in enumerate(tokens) if t))
    poll_seconds = time.perf_counter() - poll_started
    after = json.loads((await stats.request("GET", "/_bench/accepted")).body)["accepted"]
    stop.set()
    await teacher_task
    for conn in (*conns, stats):
        conn.close()
    del connects_before
    return StormFigures(
        tablets, all_joined, percentile(join_latencies, 99), join_errors,
        percentile(me_latencies, 99), percentile(put_latencies, 99),
        max(teacher_latencies, default=0.0), errors, (after - before) / poll_seconds,
    )  # fmt: skip


def storm(port, code, session_id, teacher_token, tablets, seconds, questions) -> StormFigures:
    return asyncio.run(_storm(port, code, session_id, teacher_token, tablets, seconds, questions))
