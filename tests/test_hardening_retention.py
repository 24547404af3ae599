"""Retention runs on its own (kepu serve, at start-up then hourly) and removes rosters too."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from kepu_server.retention import purge_once, start_retention
from tests.conftest import ROOT, TEST_PLUGIN, free_port
from tests.student_support import launch, rows, seat


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN], "KEPU_RETENTION_DAYS": 30}


def old_and_new_classes(app, teacher, db):
    """One class from 40 days ago with a student's answers and ticks, one from today."""
    old = launch(app, teacher, lesson_id="water", pacing="self")
    new = launch(app, teacher, quiz_id="water-quiz")
    client = app.test_client()
    student = seat(client, old["code"], "小明")
    client.put("/api/v1/me/answers/q1", json={"response": 0}, headers=student["headers"])
    client.put("/api/v1/me/guides/ice-melt/steps/0", json={"done": True},
               headers=student["headers"])  # fmt: skip
    seat(app.test_client(), new["code"], "小红")
    long_ago = "2000-01-01T00:00:00+00:00"
    db.execute("UPDATE class_sessions SET created_at = ?, ended_at = ? WHERE id = ?",
               [long_ago, long_ago, old["id"]])  # fmt: skip
    db["rosters"].insert_all([
        {"teacher_id": teacher["id"], "name": "三年级一班", "names": "张三\n李四", "created_at": long_ago},
        {"teacher_id": teacher["id"], "name": "四年级", "names": "王五", "created_at": "2999-01-01"},
    ])  # fmt: skip
    return old, new


def left(app) -> dict:
    return {table: len(rows(app, f"SELECT * FROM {table}"))
            for table in ("class_sessions", "participants", "answers", "guide_ticks", "rosters")}  # fmt: skip


def test_a_retention_pass_removes_old_classes_their_answers_and_rosters(app, teacher, db):
    old_and_new_classes(app, teacher, db)
    assert left(app)["answers"] == 1 and left(app)["guide_ticks"] == 1
    removed = purge_once(app)
    assert removed == {"sessions": 1, "participants": 1, "rosters": 1}
    assert left(app) == {"class_sessions": 1, "participants": 1, "answers": 0, "guide_ticks": 0,
                         "rosters": 1}  # fmt: skip
    assert rows(app, "SELECT names FROM rosters") == [{"names": "王五"}]


def test_the_thread_runs_at_start_and_then_on_its_own(app, teacher, db):
    old_and_new_classes(app, teacher, db)
    stop = start_retention(app, every=0.2)
    try:
        deadline = time.monotonic() + 10
        while left(app)["class_sessions"] != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert left(app)["rosters"] == 1
        old = launch(app, teacher, quiz_id="water-quiz")  # a class that ages while serving
        db.execute("UPDATE class_sessions SET created_at = '2000-01-01' WHERE id = ?", [old["id"]])
        while left(app)["class_sessions"] != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert left(app)["class_sessions"] == 1
    finally:
        stop.set()


def test_kepu_serve_purges_at_start_up_with_no_page_opened(app, teacher, db, instance):
    old_and_new_classes(app, teacher, db)
    (instance / "config.toml").write_text("retention_days = 30\n", "utf-8")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "kepu_server", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--instance", str(instance), "--content", str(ROOT / "content")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while left(app)["rosters"] != 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert left(app)["rosters"] == 1 and left(app)["class_sessions"] == 1
    finally:
        server.terminate()
        server.wait(timeout=10)
