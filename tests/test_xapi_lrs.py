"""xAPI delivery against a real Ralph LRS on a loopback port (started once for the module).

(a) a class with every core question type arrives as the documented statements, none
naming a child; (b) with the LRS down statements queue, survive a SIGKILL of the server,
and arrive exactly once when it is back; (c) without ``[xapi]`` nothing is queued or sent.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter

import pytest
from click.testing import CliRunner

from kepu_server.auth import create_api_token, create_user
from kepu_server.cli import cli
from kepu_server.store.db import open_db
from kepu_server.store.migrations import migrate
from kepu_server.xapi.sender import flush, start_worker
from tests.conftest import ROOT, TEST_PLUGIN, free_port
from tests.ralph_lrs import PASSWORD, USER, Ralph
from tests.student_support import WATER_RIGHT, WATER_WRONG, rows, seat

pytest.importorskip("ralph", reason="the test extra installs ralph-malph[lrs]")
NAMES = ["小明", "Alice Zhang", "王芳芳", "Bob", "李雷"]
ADL = "http://adlnet.gov/expapi/verbs/"
PUBLIC = "http://192.168.1.20:8000"


@pytest.fixture(scope="module")
def ralph(tmp_path_factory):
    lrs = Ralph(tmp_path_factory.mktemp("ralph")).start()
    yield lrs
    lrs.stop()


def xapi_config(ralph) -> dict:
    return {"endpoint": ralph.endpoint, "username": USER, "password": PASSWORD,
            "school": "Karamay No. 1 Middle School"}  # fmt: skip


@pytest.fixture
def app_config(app_config, ralph):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN], "KEPU_PUBLIC_URL": PUBLIC,
            "KEPU_XAPI": xapi_config(ralph)}  # fmt: skip


def run_class(app, teacher) -> str:
    """Launch the water quiz, seat five children, answer every question, hand in, end."""
    client = app.test_client()
    auth = {"Authorization": f"Bearer {teacher['token']}"}
    made = client.post("/api/v1/sessions", json={"course": "test-course", "quiz": "water-quiz"},
                       headers=auth)  # fmt: skip
    assert made.status_code == 201, made.json
    session = made.json
    for i, name in enumerate(NAMES):
        student = seat(client, session["code"], name)
        for qid, response in (WATER_RIGHT if i % 2 == 0 else WATER_WRONG).items():
            put = client.put(f"/api/v1/me/answers/{qid}", json={"response": response},
                             headers=student["headers"])  # fmt: skip
            assert put.status_code == 200, put.json
        assert client.post("/api/v1/me/submit", headers=student["headers"]).status_code == 200
    assert client.post(f"/api/v1/sessions/{session['id']}/end", headers=auth).status_code == 200
    return session["id"]


def of_class(statements: list[dict], session_id: str) -> list[dict]:
    from kepu_server.xapi.statements import registration

    return [s for s in statements if s["context"]["registration"] == registration(session_id)]


def test_a_class_arrives_as_the_documented_statements_and_names_no_child(app, teacher, ralph):
    session_id = run_class(app, teacher)
    worker = start_worker(app, interval=0.2)
    try:
        deadline = time.monotonic() + 20
        while rows(app, "SELECT id FROM xapi_outbox WHERE sent_at IS NULL"):
            assert time.monotonic() < deadline, "the worker did not empty the outbox"
            time.sleep(0.2)
    finally:
        worker.stop()
    stored = of_class(ralph.statements(), session_id)
    verbs = Counter(s["verb"]["id"] for s in stored)
    assert verbs == {ADL + "launched": 1, ADL + "attended": 5, ADL + "answered": 5 * 8,
                     ADL + "completed": 5, ADL + "terminated": 1}  # fmt: skip
    dumped = json.dumps(stored, ensure_ascii=False)
    for name in [*NAMES, teacher["name"]]:
        assert name not in dumped
    seats = {s["actor"]["account"]["name"] for s in stored if s["verb"]["id"] == ADL + "attended"}
    assert len(seats) == 5 and all(s["actor"]["account"]["homePage"] == PUBLIC for s in stored)
    completed = [s for s in stored if s["verb"]["id"] == ADL + "completed"]
    assert sorted(s["result"]["success"] for s in completed) == [False, False, True, True, True]
    assert all(0 <= s["result"]["score"]["scaled"] <= 1 for s in completed)
    answered = [s for s in stored if s["verb"]["id"] == ADL + "answered"]
    single = [s for s in answered if s["object"]["id"].endswith("/question/q1")]
    assert sorted(s["result"]["response"] for s in single) == ["0", "0", "0", "1", "1"]
    text = [s for s in answered if s["object"]["id"].endswith("/question/q5")]
    assert text and all("response" not in s["result"] for s in text)  # free text never leaves
    ctx = stored[0]["context"]
    assert ctx["platform"] == "Kepu Server"
    assert ctx["extensions"][PUBLIC + "/xapi/extensions/school"] == "Karamay No. 1 Middle School"


def test_b_an_offline_school_queues_and_sends_each_statement_once(app, teacher, ralph):
    ralph.stop()
    try:
        session_id = run_class(app, teacher)
        db = open_db(app.config["KEPU_DATABASE"])
        with pytest.raises(Exception, match="unreachable"):
            flush(db, app.config["KEPU_XAPI"])
        status = CliRunner().invoke(
            cli, ["xapi", "status", "--instance", app.config["KEPU_INSTANCE"]]
        )
    finally:
        ralph.start()
    queued = len(rows(app, "SELECT id FROM xapi_outbox WHERE sent_at IS NULL"))
    assert queued == 52
    assert f"Queued: {queued}" in status.output and "unreachable" in status.output
    assert flush(db, app.config["KEPU_XAPI"]) == 52
    assert flush(db, app.config["KEPU_XAPI"]) == 0
    db.conn.close()
    ids = Counter(s["id"] for s in of_class(ralph.statements(), session_id))
    assert len(ids) == 52 and set(ids.values()) == {1}


def test_b_a_sigkilled_server_loses_no_queued_statement(tmp_path, ralph):
    """A real ``kepu serve`` subprocess queues a class with the LRS down, then is SIGKILLed."""
    instance = tmp_path / "inst"
    instance.mkdir()
    dead = f"http://127.0.0.1:{free_port()}/xAPI"  # nothing listens here yet
    (instance / "config.toml").write_text(
        f'public_url = "{PUBLIC}"\n\n[xapi]\nendpoint = "{dead}"\nusername = "{USER}"\n'
        f'password = "{PASSWORD}"\nschool = "Test school"\n',
        encoding="utf-8",
    )
    db = open_db(instance / "kepu.db")
    migrate(db)
    token = create_api_token(db, create_user(db, "teacher9", "correct horse 9"))
    port = free_port()
    env = {**os.environ, "KEPU_INSTANCE": str(instance), "KEPU_CONTENT": str(ROOT / "content")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kepu_server", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(base)
        made = _post(base + "/api/v1/sessions", {"course": "heiyoushan-trip",
                     "quiz": "heiyoushan-trip-quiz"}, token)  # fmt: skip
        for name in NAMES:
            _post(base + "/api/v1/join", {"code": made["code"], "name": name})
        _post(base + f"/api/v1/sessions/{made['id']}/end", {}, token)
        queued = {r["id"] for r in db.query("SELECT id FROM xapi_outbox WHERE sent_at IS NULL")}
        assert len(queued) == 7  # launched, 5 attended, terminated
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    cfg = {"endpoint": ralph.endpoint, "username": USER, "password": PASSWORD}
    assert flush(db, cfg) == 7
    db.conn.close()
    got = Counter(s["id"] for s in ralph.statements() if s["id"] in queued)
    assert set(got) == queued and set(got.values()) == {1}


def _wait(base: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            assert time.monotonic() < deadline, "kepu serve did not start"
            time.sleep(0.2)


def _post(url: str, body: dict, token: str | None = None) -> dict:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})  # fmt: skip
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read() or b"{}")


def test_c_without_xapi_a_class_sends_nothing(tmp_path, ralph):
    from kepu_server.app import create_app

    app = create_app({"TESTING": True, "KEPU_INSTANCE": str(tmp_path), "KEPU_RELOAD_INTERVAL": 0,
                      "KEPU_CONTENT": str(ROOT / "content"), "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN],
                      "KEPU_PUBLIC_URL": PUBLIC})  # fmt: skip
    db = open_db(app.config["KEPU_DATABASE"])
    teacher = {"token": create_api_token(db, create_user(db, "t0", "correct horse 0"))}
    teacher["name"] = "t0"
    before = len(ralph.statements())
    run_class(app, teacher)
    assert start_worker(app) is None
    assert rows(app, "SELECT id FROM xapi_outbox") == []
    time.sleep(0.5)
    assert len(ralph.statements()) == before
    db.conn.close()


def test_deleting_results_and_retention_delete_the_outbox_too(app, teacher, db):
    from kepu_server.classroom.sessions import get_session
    from kepu_server.classroom.teaching import delete_results
    from kepu_server.store.retention import purge_expired

    first, second = run_class(app, teacher), run_class(app, teacher)
    assert len(rows(app, "SELECT id FROM xapi_outbox WHERE session_id = ?", [first])) == 52
    delete_results(db, get_session(db, first))
    assert rows(app, "SELECT id FROM xapi_outbox WHERE session_id = ?", [first]) == []
    db.execute("UPDATE class_sessions SET ended_at = '2000-01-01T00:00:00+00:00' WHERE id = ?",
               [second])  # fmt: skip
    purge_expired(db, 30)
    assert rows(app, "SELECT id FROM xapi_outbox") == []
