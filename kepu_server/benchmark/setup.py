"""What the benchmark serves: an instance with a teacher and classes, synthetic courses, and
the servers under test in their own processes."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

COURSE = "heiyoushan-trip"
QUIZ = "heiyoushan-trip-quiz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def default_content() -> Path:
    """The example course shipped in the repository, or the instance's own content folder."""
    here = Path(__file__).resolve().parents[2] / "content"
    return here if (here / COURSE).exists() else Path.cwd() / "content"


def prepare_instance(instance: Path, content: Path) -> dict:
    """A teacher with an API token; returns ``{"token", "teacher_id"}``."""
    from kepu_server.app import create_app
    from kepu_server.auth import create_api_token, create_user
    from kepu_server.store.db import open_db

    app = create_app({"KEPU_INSTANCE": str(instance), "KEPU_CONTENT": str(content),
                      "KEPU_RELOAD_INTERVAL": None})  # fmt: skip
    db = open_db(app.config["KEPU_DATABASE"])
    try:
        teacher_id = create_user(db, "bench-teacher", "bench teacher password 1")
        return {"token": create_api_token(db, teacher_id), "teacher_id": teacher_id,
                "instance": instance, "content": content}  # fmt: skip
    finally:
        db.conn.close()


def launch(setup: dict, **kwargs) -> dict:
    """A class session (see ``create_class_session``), e.g. ``quiz_id=`` or ``lesson_id=``."""
    from kepu_server.app import create_app
    from kepu_server.classroom.sessions import create_class_session
    from kepu_server.store.db import open_db

    app = create_app({"KEPU_INSTANCE": str(setup["instance"]),
                      "KEPU_CONTENT": str(setup["content"]), "KEPU_RELOAD_INTERVAL": None})  # fmt: skip
    db = open_db(app.config["KEPU_DATABASE"])
    try:
        course = app.extensions["kepu"].catalog.course(COURSE)
        return create_class_session(db, teacher_id=setup["teacher_id"], course=course, **kwargs)
    finally:
        db.conn.close()


def synthetic_content(folder: Path, source: Path, courses: int = 100, lessons: int = 20) -> Path:
    """``courses`` copies of the example course with ``lessons`` lessons each (no quizzes)."""
    text = (source / COURSE / "lessons" / f"{COURSE}.md").read_text()
    text = re.sub(r"^(quiz|guides) = .*\n", "", text, flags=re.M)
    toml = (source / COURSE / "course.toml").read_text()
    toml = toml.split("[translations", 1)[0]
    for c in range(courses):
        course_id = f"synthetic-{c:03}"
        root = folder / course_id
        (root / "lessons").mkdir(parents=True)
        shutil.copytree(source / COURSE / "media", root / "media")
        (root / "course.toml").write_text(toml.replace(f'"{COURSE}"', f'"{course_id}"', 1))
        for n in range(lessons):
            lesson_id = f"lesson-{n:02}"
            body = text.replace(f'id = "{COURSE}"', f'id = "{lesson_id}"', 1)
            (root / "lessons" / f"{lesson_id}.md").write_text(body)
    return folder


class Served:
    """A server under test in its own process (so load and server share no GIL)."""

    def __init__(self, kind: str, *args: Path, log: Path | None = None):
        self.port = free_port()
        self.started = time.monotonic()
        self.log = open(log or "/dev/null", "ab")  # noqa: SIM115 - closed in stop()
        command = [sys.executable, "-m", "kepu_server.benchmark.server", kind, str(self.port)]
        self.proc = subprocess.Popen(command + [str(a) for a in args],
                                     stdout=subprocess.DEVNULL, stderr=self.log)  # fmt: skip
        self.startup = self.wait_for("/" if kind == "kepu" else "/floor")
        self.startup_cpu = self.cpu_seconds()  # the server's own CPU time until then

    def wait_for(self, path: str, limit: float = 60) -> float:
        """Seconds from process start to the first 200 on ``path``."""
        while time.monotonic() - self.started < limit:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}")
            try:
                if self.get(path)[0] == 200:
                    return time.monotonic() - self.started
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("the server did not start")

    def get(self, path: str, headers: dict | None = None, method: str = "GET",
            body: bytes | None = None) -> tuple[int, dict, bytes]:  # fmt: skip
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            reply = conn.getresponse()
            return reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read()
        finally:
            conn.close()

    def accepted(self) -> int:
        return json.loads(self.get("/_bench/accepted")[2])["accepted"]

    def cpu_seconds(self) -> float | None:
        """User + system CPU seconds of the server process so far (None off Linux)."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def join_seats(served: Served, code: str, count: int, prefix: str = "Seat") -> list[str]:
    tokens = []
    for i in range(count):
        body = json.dumps({"code": code, "name": f"{prefix} {i:03}"}).encode()
        status, _, data = served.get("/api/v1/join", {"Content-Type": "application/json"},
                                     "POST", body)  # fmt: skip
        if status != 200:
            raise RuntimeError(f"join failed: {status} {data[:200]!r}")
        tokens.append(json.loads(data)["token"])
    return tokens
