"""One server under test, in its own process: ``kepu`` (as ``kepu serve`` runs it) or the floor.

    python -m kepu_server.benchmark.server kepu PORT INSTANCE CONTENT
    python -m kepu_server.benchmark.server floor PORT

The floor is a bare Flask app on waitress with 8 threads and waitress's own defaults (except
that it logs "Task queue depth" once per 10 s, as ``kepu serve`` does, not per request): the
fastest this stack can answer. Both count the connections they accept and answer
``GET /_bench/accepted`` with that count (outside the app, so it costs neither anything).
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading

ACCEPTED = [0]
LOCK = threading.Lock()


def counting(channel_class):
    class Counting(channel_class):
        def __init__(self, *args, **kwargs):
            with LOCK:
                ACCEPTED[0] += 1
            super().__init__(*args, **kwargs)

    return Counting


def with_stats(app):
    def wsgi(environ, start_response):
        if environ.get("PATH_INFO") == "/_bench/accepted":
            body = json.dumps({"accepted": ACCEPTED[0]}).encode()
            start_response("200 OK", [("Content-Type", "application/json"),
                                      ("Content-Length", str(len(body)))])  # fmt: skip
            return [body]
        return app(environ, start_response)

    return wsgi


def floor_app():
    from flask import Flask, jsonify, request

    app = Flask("floor")

    @app.get("/floor")
    def floor():
        return jsonify({"status": "ok", "version": "1.0"})

    @app.put("/floor")
    def floor_put():
        return jsonify({"saved": True, "got": len(request.get_data())})

    return app


def main(argv: list[str]) -> None:
    import waitress.server

    kind, port = argv[0], int(argv[1])
    if kind == "floor":
        app = floor_app()
        app.wsgi_app = with_stats(app.wsgi_app)
        # Waitress's defaults, but for KEPU_BENCH_WAITRESS (a hall of 300 tablets needs more
        # than its default 100 connections, or the floor itself stalls).
        extra = json.loads(os.environ.get("KEPU_BENCH_WAITRESS") or "{}")
        server = waitress.server.create_server(app, host="127.0.0.1", port=port, threads=8,
                                               **extra)  # fmt: skip
        server.channel_class = counting(server.channel_class)
        # As ``kepu serve``: one queue-depth line per 10 s, not one per request. Otherwise
        # the floor pays a log record per request that Kepu no longer does (see serving.py).
        from kepu_server.serving import QueueWarnings

        server.task_dispatcher.queue_logger = QueueWarnings()
    else:
        from kepu_server.app import create_app
        from kepu_server.serving import create_server

        gc.disable()  # as ``kepu serve`` does: no GC passes while the catalog is built,
        app = create_app({"KEPU_INSTANCE": argv[2], "KEPU_CONTENT": argv[3]})
        app.wsgi_app = with_stats(app.wsgi_app)
        gc.freeze()  # then all of it frozen before serving
        gc.enable()
        # For comparing waitress options, e.g. KEPU_BENCH_WAITRESS='{"asyncore_use_poll": false}'
        extra = json.loads(os.environ.get("KEPU_BENCH_WAITRESS") or "{}")
        server = create_server(app, host="127.0.0.1", port=port, threads=8, **extra)
        server.channel_class = counting(server.channel_class)
    if os.environ.get("KEPU_BENCH_SWITCH"):  # for trying the GIL's switch interval
        sys.setswitchinterval(float(os.environ["KEPU_BENCH_SWITCH"]))
    print("ready", flush=True)
    server.run()


if __name__ == "__main__":
    main(sys.argv[1:])
