"""Load generators: wrk when it is installed, else a small asyncio HTTP/1.1 client.

Both keep connections open (HTTP/1.1 keep-alive) the way a browser or a tablet does, and
both report requests per second, p50, p99 and the longest request.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


class Connection:
    """One keep-alive HTTP/1.1 connection that reconnects when the server closed it."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.connects = 0

    async def request(self, method: str, path: str, headers: dict | None = None,
                      body: bytes | None = None) -> Reply:  # fmt: skip
        for attempt in (1, 2):
            fresh = self.writer is None
            if fresh:
                self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
                self.connects += 1
            try:
                return await self._exchange(method, path, headers or {}, body)
            except (asyncio.IncompleteReadError, ConnectionError):
                self.close()
                if fresh or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _exchange(self, method, path, headers, body) -> Reply:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        found = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                found[name.strip().lower()] = value.strip()
        if status in (204, 304) or method == "HEAD":
            data = b""
        elif "content-length" in found:
            data = await self.reader.readexactly(int(found["content-length"]))
        elif found.get("transfer-encoding") == "chunked":
            data = b""
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                data += await self.reader.readexactly(size)
                await self.reader.readexactly(2)
            await self.reader.readuntil(b"\r\n")
        else:
            data = await self.reader.read()
            found["connection"] = "close"
        if found.get("connection", "").lower() == "close":
            self.close()
        return Reply(status, found, data)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Figures:
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds (python generator only)
    p50: float = 0.0
    p99: float = 0.0
    max: float = 0.0
    errors: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summarise(latencies: list[float], seconds: float, errors: int) -> Figures:
    return Figures(len(latencies), seconds, latencies, percentile(latencies, 50),
                   percentile(latencies, 99), max(latencies, default=0.0), errors)  # fmt: skip


# A request: (method, path, headers, body). A scenario rotates over its list of requests.
Request = tuple[str, str, dict, bytes | None]


async def _python_load(port: int, requests: list[Request], connections: int,
                       seconds: float) -> Figures:  # fmt: skip
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker(offset: int):
        nonlocal errors
        conn, i = Connection(port), offset
        while time.perf_counter() < stop:
            method, path, headers, body = requests[i % len(requests)]
            i += connections
            started = time.perf_counter()
            try:
                reply = await conn.request(method, path, headers, body)
                if reply.status >= 400:
                    errors += 1
            except (OSError, asyncio.IncompleteReadError):
                errors += 1
                conn.close()
                continue
            latencies.append(time.perf_counter() - started)
        conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(connections)))
    return summarise(latencies, time.perf_counter() - started, errors)


def python_load(port, requests, connections, seconds) -> Figures:
    return asyncio.run(_python_load(port, requests, connections, seconds))


WRK_SCRIPT = """
local reqs = {}
%s
local i = 0
request = function()
  i = i %% #reqs + 1
  return reqs[i]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %%d %%d %%.0f %%.0f %%.0f %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""


def _lua(text: str) -> str:
    return "[==[" + text + "]==]"


def wrk_load(port, requests, connections, seconds) -> Figures:
    lines = []
    for method, path, headers, body in requests:
        headers = {"Host": f"{HOST}:{port}", **headers}
        lua_headers = (
            "{" + ", ".join(f"[ {_lua(k)} ] = {_lua(v)}" for k, v in headers.items()) + "}"
        )
        lua_body = _lua(body.decode()) if body is not None else "nil"
        lines.append(f"reqs[#reqs + 1] = wrk.format({_lua(method)}, {_lua(path)}, "
                     f"{lua_headers}, {lua_body})")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "scenario.lua"
        script.write_text(WRK_SCRIPT % "\n".join(lines))
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
             "-s", str(script), f"http://{HOST}:{port}/"],
            capture_output=True, text=True, timeout=seconds + 60, check=False,
        ).stdout  # fmt: skip
    found = re.search(r"BENCH (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", out)
    if not found:
        raise RuntimeError(f"wrk gave no figures: {out[-500:]}")
    n, micros, p50, p99, top, errors = (int(x) for x in found.groups())
    return Figures(n, micros / 1e6, [], p50 / 1e6, p99 / 1e6, top / 1e6, errors)


def load(port, requests, connections, seconds, use_wrk: bool | None = None) -> Figures:
    """Keep ``connections`` busy with ``requests`` for ``seconds``; wrk if available."""
    if use_wrk is None:
        use_wrk = shutil.which("wrk") is not None
    run = wrk_load if use_wrk else python_load
    return run(port, requests, connections, seconds)
