"""Classroom load against a real waitress server, as ratios to a bare Flask floor.

    python bench/bench_server.py [--clients 40] [--requests 150] [--json]

The floor is a bare Flask app on waitress answering a small JSON body, measured in the same
run with the same load generator (a separate process, so client and server don't share a
GIL). Each Kepu figure is reported as a ratio to that floor: throughput ratio (higher is
better, 1.0 = as fast as the bare app) and p95 latency ratio (lower is better).
Scenarios: the catalog API (200 and 304), a lesson (cached rendering), and the tablets' poll
of /api/v1/me with If-None-Match (the 304 a class sends every 2 s). Memory: the RSS grown by
building the Kepu app, against the bare app.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def serve(app, port: int, threads: int = 8):
    import waitress.server

    server = waitress.server.create_server(app, host="127.0.0.1", port=port, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return server


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _client_worker(port, requests_list, count, results, index):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, statuses = [], {}
    for i in range(count):
        path, headers = requests_list[i % len(requests_list)]
        start = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - start)
        statuses[response.status] = statuses.get(response.status, 0) + 1
    conn.close()
    results[index] = (latencies, statuses)


def _load_process(port, per_client_requests, count, queue):
    results = [None] * len(per_client_requests)
    threads = [
        threading.Thread(target=_client_worker, args=(port, reqs, count, results, i))
        for i, reqs in enumerate(per_client_requests)
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies = [lat for r in results for lat in r[0]]
    statuses: dict = {}
    for r in results:
        for code, n in r[1].items():
            statuses[code] = statuses.get(code, 0) + n
    queue.put((elapsed, latencies, statuses))


def run_load(port: int, per_client_requests: list, count: int) -> dict:
    """Each client (a thread in a separate process) sends ``count`` requests on keep-alive."""
    queue = multiprocessing.Queue()
    proc = multiprocessing.Process(
        target=_load_process, args=(port, per_client_requests, count, queue)
    )
    proc.start()
    elapsed, latencies, statuses = queue.get(timeout=600)
    proc.join()
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "statuses": statuses,
    }


def bare_app():
    from flask import Flask, jsonify

    app = Flask("floor")

    @app.get("/api/v1/health")
    def health():
        return jsonify({"status": "ok", "version": "floor"})

    return app


def kepu_setup(instance: Path):
    """The Kepu app with a teacher, a launched lesson and the class's participant tokens."""
    from kepu_server import create_app
    from kepu_server.auth import create_user
    from kepu_server.classroom.sessions import create_class_session
    from kepu_server.store.db import open_db

    app = create_app({"KEPU_INSTANCE": str(instance), "KEPU_CONTENT": str(ROOT / "content")})
    db = open_db(app.config["KEPU_DATABASE"])
    teacher = create_user(db, "bench-teacher", "bench password")
    course = app.extensions["kepu"].catalog.course("heiyoushan-trip")
    session = create_class_session(db, teacher_id=teacher, course=course,
                                   lesson_id="heiyoushan-trip", pacing="self")  # fmt: skip
    db.conn.close()
    return app, session


def join_class(port: int, code: str, clients: int) -> list[str]:
    tokens = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(clients):
        body = json.dumps({"code": code, "name": f"学生{i + 1}"})
        conn.request("POST", "/api/v1/join", body=body,
                     headers={"Content-Type": "application/json"})  # fmt: skip
        response = conn.getresponse()
        data = json.loads(response.read())
        if response.status not in (200, 201):
            raise RuntimeError(f"join failed: {response.status} {data}")
        tokens.append(data["token"])
    conn.close()
    return tokens


def etag_of(port: int, path: str, headers: dict) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.getheader("ETag") or ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--requests", type=int, default=150, help="per client per scenario")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    rss_start = rss_kib()
    floor_app = bare_app()
    rss_floor = rss_kib() - rss_start
    floor_port = free_port()
    floor_server = serve(floor_app, floor_port)
    floor = run_load(floor_port, [[("/api/v1/health", {})]] * args.clients, args.requests)
    floor_server.close()

    rss_before = rss_kib()
    with tempfile.TemporaryDirectory() as tmp:
        app, session = kepu_setup(Path(tmp) / "instance")
        rss_kepu = rss_kib() - rss_before
        gc.freeze()  # as `kepu serve` does: long-lived objects leave the collector's work
        port = free_port()
        server = serve(app, port)
        lesson = "/api/v1/courses/heiyoushan-trip/lessons/heiyoushan-trip"
        scenarios = {
            "health": [[("/api/v1/health", {})]] * args.clients,
            "courses_200": [[("/api/v1/courses", {})]] * args.clients,
            "courses_304": [[("/api/v1/courses",
                              {"If-None-Match": etag_of(port, "/api/v1/courses", {})})]]
                           * args.clients,
            "lesson_200": [[(lesson, {})]] * args.clients,
        }  # fmt: skip
        try:
            tokens = join_class(port, session["code"], args.clients)
        except (RuntimeError, KeyError, OSError) as exc:
            tokens = []
            print(f"(student API unavailable, /api/v1/me skipped: {exc})", file=sys.stderr)
        if tokens:
            polls = []
            for token in tokens:
                auth = {"Authorization": f"Bearer {token}"}
                etag = etag_of(port, "/api/v1/me", auth)
                polls.append([("/api/v1/me", {**auth, "If-None-Match": etag})])
            scenarios["me_poll_304"] = polls
            scenarios["me_200"] = [[("/api/v1/me", {"Authorization": f"Bearer {t}"})]
                                   for t in tokens]  # fmt: skip
        results = {name: run_load(port, reqs, args.requests) for name, reqs in scenarios.items()}
        server.close()

    report = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "clients": args.clients,
        "requests_per_client": args.requests,
        "floor": floor,
        "scenarios": {
            name: {
                **r,
                "throughput_ratio": r["rps"] / floor["rps"],
                "p95_ratio": r["p95_ms"] / floor["p95_ms"],
            }
            for name, r in results.items()
        },
        "memory": {
            "floor_kib": rss_floor,
            "kepu_kib": rss_kepu,
            "ratio": rss_kepu / max(rss_floor, 1),
        },  # fmt: skip
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"floor (bare Flask on waitress): {floor['rps']:.0f} req/s, "
          f"p50 {floor['p50_ms']:.1f} ms, p95 {floor['p95_ms']:.1f} ms, "
          f"{args.clients} clients × {args.requests} requests")  # fmt: skip
    print(
        f"{'scenario':<14} {'req/s':>8} {'p95 ms':>8} {'thru ratio':>11} {'p95 ratio':>10}  statuses"
    )
    for name, r in report["scenarios"].items():
        print(f"{name:<14} {r['rps']:>8.0f} {r['p95_ms']:>8.1f} {r['throughput_ratio']:>11.2f} "
              f"{r['p95_ratio']:>10.2f}  {r['statuses']}")  # fmt: skip
    m = report["memory"]
    print(f"memory: bare app +{m['floor_kib']} KiB, Kepu app +{m['kepu_kib']} KiB "
          f"(ratio {m['ratio']:.1f})")  # fmt: skip


if __name__ == "__main__":
    main()
