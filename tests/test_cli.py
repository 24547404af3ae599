"""The ``kepu`` command, run the way a school's IT teacher runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port
from tests.test_plugins import make_folder_plugin


def kepu(*args, instance: Path, input: str | None = None, timeout=60):
    env = {**os.environ, "KEPU_INSTANCE": str(instance), "KEPU_CONTENT": str(ROOT / "content")}
    return subprocess.run(
        [sys.executable, "-m", "kepu_server", *args],
        input=input, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT,
    )  # fmt: skip


def test_check_passes_on_every_bundled_course_and_the_school_course(instance):
    result = kepu("check", instance=instance)
    assert result.returncode == 0, result.stderr
    for folder in ["content/heiyoushan-trip", *(
        str(p) for p in (ROOT / "plugins").glob("*/course") if (p / "course.toml").exists()
    )]:  # fmt: skip
        one = kepu("check", folder, instance=instance)
        assert one.returncode == 0, one.stderr


def test_check_fails_on_a_broken_course_with_file_and_line(instance, tmp_path):
    course = tmp_path / "broken"
    (course / "quizzes").mkdir(parents=True)
    (course / "course.toml").write_text('id = "broken"\ntitle = "x"\n')
    (course / "quizzes" / "q.toml").write_text(
        'id = "q"\ntitle = "q"\n[[questions]]\nid = "a"\ntype = "single"\nprompt = "?"\n'
        'options = ["x", "y"]\nanswer = 5\n'
    )
    result = kepu("check", str(course), instance=instance)
    assert result.returncode == 1
    assert f"{course / 'quizzes' / 'q.toml'}:3: question 'a': 'answer' must be" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_without_path_reports_a_failed_folder_plugin(instance):
    make_folder_plugin(instance, "broken", "raise ImportError('no such thing')\n")
    result = kepu("check", instance=instance)
    assert result.returncode == 1
    assert "[broken]" in result.stderr and "plugin.py:1" in result.stderr


def test_plugins_list_json(instance):
    make_folder_plugin(instance, "broken", "raise RuntimeError('boom')\n")
    result = kepu("plugins", "list", "--json", instance=instance)
    assert result.returncode == 0, result.stderr
    plugins = {p["name"]: p for p in json.loads(result.stdout)}
    for key in ("name", "version", "source", "status", "error", "courses"):
        assert key in plugins["content"]
    assert plugins["content"]["courses"] == ["heiyoushan-trip"]
    assert plugins["broken"]["status"] == "failed" and "boom" in plugins["broken"]["error"]
    assert plugins["broken"]["source"] == "folder"


def test_users_add_and_token_work_with_the_api(instance):
    added = kepu("users", "add", "wang", "--password-stdin", input="long enough pw\n",
                 instance=instance)  # fmt: skip
    assert added.returncode == 0, added.stderr
    again = kepu("users", "add", "wang", "--password-stdin", input="long enough pw\n",
                 instance=instance)  # fmt: skip
    assert again.returncode == 1 and "exists already" in again.stderr
    assert "Traceback" not in again.stderr
    short = kepu("users", "add", "li", "--password-stdin", input="short\n", instance=instance)
    assert short.returncode == 1 and "at least 8" in short.stderr
    token = kepu("users", "token", "wang", instance=instance).stdout.strip().splitlines()[-1]
    from kepu_server import create_app

    client = create_app({"KEPU_INSTANCE": str(instance), "TESTING": True}).test_client()
    response = client.get("/api/v1/plugins", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_users_token_for_an_unknown_user_is_one_clean_line(instance):
    result = kepu("users", "token", "nobody", instance=instance)
    assert result.returncode == 1 and result.stderr.strip() == "Error: no user called 'nobody'"


def test_db_backup_and_restore_round_trip(instance, tmp_path):
    kepu("users", "add", "zhao", "--password-stdin", input="long enough pw\n", instance=instance)
    backup = tmp_path / "backup.db"
    assert kepu("db", "backup", str(backup), instance=instance).returncode == 0
    kepu("users", "add", "qian", "--password-stdin", input="long enough pw\n", instance=instance)
    restored = kepu("db", "restore", str(backup), "--yes", instance=instance)
    assert restored.returncode == 0, restored.stderr
    import sqlite3

    names = {r[0] for r in sqlite3.connect(instance / "kepu.db").execute("SELECT name FROM users")}
    assert names == {"zhao"}
    assert list(instance.glob("kepu-before-restore-*.db"))
    not_db = tmp_path / "x.db"
    not_db.write_text("hello")
    bad = kepu("db", "restore", str(not_db), "--yes", instance=instance)
    assert bad.returncode == 1 and "not" in bad.stderr and "Traceback" not in bad.stderr


def test_db_restore_without_a_terminal_needs_no_flag(instance, tmp_path):
    """DESIGN's ``kepu db restore FILE`` has no --yes: run from a script it must not hang."""
    kepu("users", "add", "zhao", "--password-stdin", input="long enough pw\n", instance=instance)
    backup = tmp_path / "backup.db"
    assert kepu("db", "backup", str(backup), instance=instance).returncode == 0
    kepu("users", "add", "qian", "--password-stdin", input="long enough pw\n", instance=instance)
    restored = kepu("db", "restore", str(backup), input="", instance=instance, timeout=30)
    assert restored.returncode == 0, restored.stderr
    import sqlite3

    names = {r[0] for r in sqlite3.connect(instance / "kepu.db").execute("SELECT name FROM users")}
    assert names == {"zhao"}


def test_users_add_prompts_for_the_password_when_no_option_is_given(instance):
    from click.testing import CliRunner

    from kepu_server.cli import cli

    env = {"KEPU_INSTANCE": str(instance), "KEPU_CONTENT": str(ROOT / "content")}
    result = CliRunner().invoke(cli, ["users", "add", "sun"], input="long enough pw\n", env=env)
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and "Added teacher sun" in result.output
    from kepu_server.auth import verify_password
    from kepu_server.store.db import open_db

    db = open_db(instance / "kepu.db")
    assert verify_password(db, "sun", "long enough pw")
    db.conn.close()


def test_serve_prints_urls_and_a_one_time_setup_link_and_serves(instance):
    port = free_port()
    env = {**os.environ, "KEPU_INSTANCE": str(instance), "KEPU_CONTENT": str(ROOT / "content"),
           "PYTHONUNBUFFERED": "1"}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "kepu_server", "serve", "--host", "127.0.0.1",
         "--port", str(port), "--threads", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("/setup/" in line for line in lines):
            lines.append(proc.stdout.readline())
        output = "".join(lines)
        assert f"http://127.0.0.1:{port}/" in output
        setup = next(line.strip() for line in lines if "/setup/" in line)
        for _ in range(100):
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/courses").read()
                break
            except OSError:
                time.sleep(0.1)
        assert "heiyoushan-trip" in body.decode()
        page = urllib.request.urlopen(setup).read().decode()
        assert 'name="password"' in page
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize("args", [["serve", "--port", "0"], ["nope"], ["check", "/no/such/dir"]])
def test_usage_errors_are_clean(instance, args):
    result = kepu(*args, instance=instance)
    assert result.returncode != 0 and "Traceback" not in result.stderr


def test_serve_takes_threads_host_and_port_from_config_toml_unless_given(instance, monkeypatch):
    """DESIGN: threads configurable, default 8; an option given on the line wins."""
    from click.testing import CliRunner

    from kepu_server import serving
    from kepu_server.cli import cli

    calls = []
    monkeypatch.setattr(serving, "serve", lambda app, **kw: calls.append(kw))
    (instance / "config.toml").write_text('threads = 3\nport = 8123\nhost = "127.0.0.1"\n')
    args = ["serve", f"--instance={instance}", "--content", str(ROOT / "content")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert (calls[-1]["threads"], calls[-1]["port"], calls[-1]["host"]) == (3, 8123, "127.0.0.1")
    assert "http://127.0.0.1:8123/" in result.output
    result = CliRunner().invoke(cli, [*args, "--threads", "5", "--port", "8124"])
    assert (calls[-1]["threads"], calls[-1]["port"]) == (5, 8124)
    (instance / "config.toml").unlink()
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert (calls[-1]["threads"], calls[-1]["port"], calls[-1]["host"]) == (8, 8000, "0.0.0.0")
    import gc

    gc.unfreeze()  # serve froze this test process's objects


def test_lan_addresses_are_this_machines_ipv4_addresses_without_loopback():
    import ipaddress

    from kepu_server.cli import lan_addresses

    found = lan_addresses()
    for address in found:
        ip = ipaddress.IPv4Address(address)  # raises for anything but IPv4
        assert not ip.is_loopback and not ip.is_link_local
    assert found == sorted(set(found))
