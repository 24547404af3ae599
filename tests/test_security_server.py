"""Security review: how ``kepu serve`` runs waitress (proxy headers, request body size)."""

from __future__ import annotations

import http.client
import json
import threading

from kepu_server.serving import create_server, waitress_options
from tests.conftest import LiveServer, free_port


def serve_like_kepu(app) -> LiveServer:
    """A live server built with exactly the options ``kepu serve`` passes to waitress."""
    live = LiveServer.__new__(LiveServer)
    live.app, live.port = app, free_port()
    live.url = f"http://127.0.0.1:{live.port}"
    live.server = create_server(app, host="127.0.0.1", port=live.port, threads=2)
    live.thread = threading.Thread(target=live.server.run, daemon=True)
    return live.start()


def test_regression_bodies_over_the_limit_are_refused_by_waitress(app):
    """waitress's default would buffer up to 1 GB per request to disk before Flask says 413."""
    app.config["MAX_CONTENT_LENGTH"] = 256 * 1024
    assert waitress_options(app)["clear_untrusted_proxy_headers"] is True
    live = serve_like_kepu(app)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=10)
        # GET /health ignores a body, so only waitress itself can answer 413 here.
        body = json.dumps({"padding": "x" * (400 * 1024)}).encode()
        try:
            conn.request("GET", "/api/v1/health", body=body,
                         headers={"Content-Type": "application/json"})  # fmt: skip
            status = conn.getresponse().status
        except (ConnectionResetError, BrokenPipeError):
            status = 413  # refused before the whole body was sent
        assert status == 413
        conn.close()
        ok = http.client.HTTPConnection("127.0.0.1", live.port, timeout=10)
        ok.request("GET", "/api/v1/health")
        assert ok.getresponse().status == 200
        ok.close()
    finally:
        live.stop()
