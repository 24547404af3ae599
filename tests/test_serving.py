"""How ``kepu serve`` runs waitress: connections for a whole school, kept open after a 304.

Every server here is built by ``kepu_server.serving.create_server``, the function ``kepu
serve`` runs, on 127.0.0.1.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time

import pytest

from kepu_server.serving import create_server, raise_file_limit
from tests.conftest import LiveServer, free_port


def start(app, **extra) -> LiveServer:
    live = LiveServer.__new__(LiveServer)
    live.app, live.port = app, free_port()
    live.url = f"http://127.0.0.1:{live.port}"
    live.server = create_server(app, host="127.0.0.1", port=live.port, threads=4, **extra)
    live.thread = threading.Thread(target=live.server.run, daemon=True)
    return live.start()


@pytest.fixture
def served(app):
    live = start(app)
    yield live
    live.stop()


def test_a_fresh_client_is_served_while_300_idle_and_50_half_sent_connections_are_open(served):
    raise_file_limit(1024)  # the 350 client sockets live in this process too
    held = []
    try:
        for _ in range(300):
            held.append(socket.create_connection(("127.0.0.1", served.port), timeout=5))
        for i in range(50):
            sock = socket.create_connection(("127.0.0.1", served.port), timeout=5)
            sock.sendall(f"GET /api/v1/health?n={i} HTTP/1.1\r\nHost: x\r\n".encode())
            held.append(sock)  # the blank line that ends the request never comes
        time.sleep(0.3)  # let the server accept them all
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=5)
        conn.request("GET", "/api/v1/health")
        response = conn.getresponse()
        assert response.status == 200
        response.read()
        assert time.monotonic() - started < 1.0
        conn.close()
    finally:
        for sock in held:
            sock.close()


def test_an_idle_or_half_sent_connection_is_dropped_after_the_channel_timeout(app):
    live = start(app, channel_timeout=1, cleanup_interval=1)
    try:
        idle = socket.create_connection(("127.0.0.1", live.port), timeout=6)
        half = socket.create_connection(("127.0.0.1", live.port), timeout=6)
        half.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        assert idle.recv(1) == b""  # closed by the server, not by this timeout
        assert half.recv(1) == b""
        assert time.monotonic() - started < 5
        idle.close()
        half.close()
    finally:
        live.stop()


def test_conditional_gets_all_reuse_one_keep_alive_connection(served):
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=5)
    conn.request("GET", "/api/v1/courses")
    first = conn.getresponse()
    first.read()
    etag = first.headers["ETag"]
    assert first.status == 200 and etag
    sock = conn.sock
    for _ in range(5):
        conn.request("GET", "/api/v1/courses", headers={"If-None-Match": etag})
        response = conn.getresponse()
        assert response.status == 304
        assert response.read() == b""
        assert not response.will_close
        assert response.headers.get("Connection") is None
        assert conn.sock is sock  # http.client would have reconnected after a close
    # And the connection really still works after the 304s.
    conn.request("GET", "/api/v1/health")
    response = conn.getresponse()
    assert response.status == 200 and response.read()
    assert conn.sock is sock
    conn.close()


def test_a_304_still_closes_when_the_client_asks_for_it(served):
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=5)
    conn.request("GET", "/api/v1/courses")
    etag = conn.getresponse().headers["ETag"]
    conn.sock.settimeout(5)
    conn.close()
    raw = socket.create_connection(("127.0.0.1", served.port), timeout=5)
    raw.sendall(
        f"GET /api/v1/courses HTTP/1.1\r\nHost: x\r\nIf-None-Match: {etag}\r\n"
        "Connection: close\r\n\r\n".encode()
    )
    data = b""
    while chunk := raw.recv(4096):  # ends only because the server closes
        data += chunk
    raw.close()
    assert data.startswith(b"HTTP/1.1 304")
    assert b"Connection: close" in data


def test_a_teachers_request_goes_ahead_of_a_queue_of_tablets_but_a_flood_cannot_starve_them():
    """One thread, held by a slow request, while tablets' polls and teacher requests queue:
    the teachers' go first, up to ``STAFF_AHEAD`` of them; the rest queue at the back."""
    from kepu_server.serving import STAFF_AHEAD

    served_order: list[str] = []
    entered, release = threading.Event(), threading.Event()

    def app(environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/slow":
            entered.set()
            release.wait(10)
        served_order.append(path)
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    app.config = {}  # create_server reads the limits from a Flask app's config; defaults here
    live = LiveServer.__new__(LiveServer)
    live.app, live.port = None, free_port()
    live.server = create_server(app, host="127.0.0.1", port=live.port, threads=1)
    thread = threading.Thread(target=live.server.run, daemon=True)
    thread.start()
    queue = live.server.task_dispatcher.queue
    socks = []

    def send(path: str) -> None:
        sock = socket.create_connection(("127.0.0.1", live.port), timeout=10)
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        socks.append(sock)

    def wait_queued(count: int) -> None:
        deadline = time.monotonic() + 5
        while len(queue) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(queue) == count

    try:
        send("/slow")
        assert entered.wait(5)
        tablets = [f"/api/v1/me?t={i}" for i in range(3)]
        for n, path in enumerate(tablets, 1):
            send(path)
            wait_queued(n)
        staff = [f"/api/v1/sessions/s{i}/results" for i in range(STAFF_AHEAD + 2)]
        for n, path in enumerate(staff, len(tablets) + 1):
            send(path)
            wait_queued(n)
        release.set()
        for sock in socks:
            assert sock.recv(1024).startswith(b"HTTP/1.1 200")
        expected = ["/slow", *staff[:STAFF_AHEAD], *tablets, *staff[STAFF_AHEAD:]]
        assert served_order == [p.split("?")[0] for p in expected]
    finally:
        release.set()
        for sock in socks:
            sock.close()
        live.server.close()
        live.server.task_dispatcher.shutdown()


def test_the_server_hands_the_gil_round_every_millisecond(app):
    """waitress's one main loop waits for the GIL each time it comes back from ``poll()``;
    at Python's default 5 ms it starved and the cores sat idle (docs/decisions.md). The
    figures are the benchmark's; this holds the setting ``kepu serve`` runs with."""
    import sys

    from kepu_server.serving import SWITCH_INTERVAL

    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    try:
        server = create_server(app, host="127.0.0.1", port=free_port())
        server.close()
        server.task_dispatcher.shutdown()  # its 8 worker threads, started by create_server
        assert SWITCH_INTERVAL <= 0.002 and sys.getswitchinterval() == pytest.approx(
            SWITCH_INTERVAL
        )
    finally:
        sys.setswitchinterval(before)
