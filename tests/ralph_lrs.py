"""Run a real Ralph LRS (PyPI ``ralph-malph``) on a loopback port for the xAPI tests.

Ralph 5.1.0's file-system backend writes with ``operation_type`` INDEX by default and has
no setting for it, so every POST after the first fails with a 500 ("already exists"). This
launcher sets the backend's default write mode to APPEND before uvicorn imports the app —
a configuration of the real Ralph, not a mock. Run as ``python tests/ralph_lrs.py PORT``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from base64 import b64encode
from pathlib import Path

USER, PASSWORD = "kepu-district", "lrs-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Ralph:
    def __init__(self, folder: Path, port: int | None = None):
        import bcrypt

        self.folder, self.port = folder, port or free_port()
        folder.mkdir(parents=True, exist_ok=True)
        auth = folder / "auth.json"
        hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
        auth.write_text(json.dumps([{"agent": {"mbox": "mailto:district@example.org"},
                                     "scopes": ["all"], "hash": hashed, "username": USER}]))  # fmt: skip
        self.env = {
            **os.environ,
            "RALPH_APP_DIR": str(folder),
            "RALPH_AUTH_FILE": str(auth),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "data"),
            "RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH": str(folder / "data"),
        }
        (folder / "data").mkdir(exist_ok=True)
        self.proc = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI"

    def start(self) -> Ralph:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, str(self.port)], env=self.env,
            stdout=subprocess.DEVNULL, stderr=open(self.folder / "ralph.log", "ab"),
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1)
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError((self.folder / "ralph.log").read_text()[-2000:]) from None
                time.sleep(0.2)
        raise RuntimeError("Ralph did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    def statements(self) -> list[dict]:
        """Every statement Ralph stores (GET /xAPI/statements, following ``more``)."""
        token = b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        out, url = [], self.endpoint + "/statements?limit=500"
        while url:
            req = urllib.request.Request(url, headers={"Authorization": "Basic " + token,
                                                       "X-Experience-API-Version": "1.0.3"})  # fmt: skip
            with urllib.request.urlopen(req, timeout=10) as resp:
                page = json.loads(resp.read())
            out += page["statements"]
            more = page.get("more")
            url = f"http://127.0.0.1:{self.port}{more}" if more else None
        return out


if __name__ == "__main__":
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.lrs.fs import FSLRSBackend

    FSLRSBackend.default_operation_type = BaseOperationType.APPEND
    import uvicorn

    uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
