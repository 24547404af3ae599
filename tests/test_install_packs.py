"""Content packs through the CLI and a running server: install, upgrade, disable, uninstall.

The helpers here (a pack on disk, a zip of it, the ``kepu`` command in-process, a snapshot of
the instance folder, a quiz taken over HTTP) are shared by the other ``test_install_*`` files.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from kepu_server.cli import main

ROOT = Path(__file__).resolve().parent.parent

QUIZ = """\
id = "rivers-quiz"
title = "河流 · 测验"

[[questions]]
id = "longest"
type = "single"
prompt = "中国最长的河流是哪一条？"
options = ["黄河", "长江", "珠江"]
answer = 1
explain = "长江全长约 6300 千米。"

[[questions]]
id = "length"
type = "numeric"
prompt = "长江大约有多少千米长？"
answer = 6300
tolerance = 100
unit = "km"
"""

LESSON = """\
+++
id = "rivers"
title = "{title}"
grades = ["primary"]
minutes = 30
quiz = "rivers-quiz"
+++
## 一、源头

河流从高山上流下来。

![河流](media/river.svg)

## 二、入海

河流最后流进大海。
"""

RIGHT = {"longest": 1, "length": 6320}


def write_pack(folder: Path, course_id="rivers", version="1.0.0", title="河流", extra=""):
    """A small valid course folder: one lesson, one quiz, one picture."""
    for sub in ("lessons", "quizzes", "media"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "course.toml").write_text(
        f'id = "{course_id}"\ntitle = "{title}"\nversion = "{version}"\n'
        f'grades = ["primary"]\nsummary = "一条河的旅行。"\n{extra}',
        encoding="utf-8",
    )
    (folder / "lessons" / "rivers.md").write_text(LESSON.format(title=title), encoding="utf-8")
    (folder / "quizzes" / "rivers-quiz.toml").write_text(QUIZ, encoding="utf-8")
    (folder / "media" / "river.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path d="M0 5h10"/></svg>'
    )
    return folder


def zip_folder(folder: Path, archive: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, prefix + path.relative_to(folder).as_posix())
    return archive


def kepu(*args) -> tuple[int, str]:
    """Run the ``kepu`` command in this process; (exit code, stdout + stderr)."""
    out = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue()


def snapshot(folder: Path, with_database: bool = True) -> dict[str, tuple]:
    """Every file's content hash and mode, and every folder's mode, under ``folder``.

    ``with_database=False`` leaves out the SQLite files, for requests that write there for
    reasons of their own (a token's last use).
    """
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames:
            path = Path(dirpath, name)
            found[str(path.relative_to(folder))] = ("dir", os.lstat(path).st_mode)
        for name in filenames:
            if name.endswith(".db-shm") or (not with_database and ".db" in name):
                continue  # SQLite's shared-memory index: readers write to it, it holds no data
            path = Path(dirpath, name)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[str(path.relative_to(folder))] = (digest, os.lstat(path).st_mode)
    return found


def http(method: str, url: str, body=None, token: str | None = None):
    """(status, JSON body) of a real HTTP request."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def course_ids(base: str) -> list[str]:
    return [c["id"] for c in http("GET", base + "/api/v1/courses")[1]]


def wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def take_quiz(base: str, teacher_token: str, course: str, quiz: str, answers: dict) -> dict:
    """Launch a quiz session, join as a student, answer, submit: the submit response."""
    status, session = http("POST", base + "/api/v1/sessions", {"course": course, "quiz": quiz},
                           teacher_token)  # fmt: skip
    assert status == 201, session
    status, joined = http("POST", base + "/api/v1/join", {"code": session["code"], "name": "小明"})
    assert status in (200, 201), joined
    for question, response in answers.items():
        status, saved = http("PUT", base + f"/api/v1/me/answers/{question}",
                             {"response": response}, joined["token"])  # fmt: skip
        assert status == 200, saved
    status, result = http("POST", base + "/api/v1/me/submit", {}, joined["token"])
    assert status == 200, result
    result["session"] = session["id"]
    return result


# ---------------------------------------------------------------- tests


@pytest.fixture
def pack_zip(tmp_path) -> Path:
    return zip_folder(write_pack(tmp_path / "src" / "rivers"), tmp_path / "rivers.zip", "rivers/")


def test_pack_zip_is_served_by_a_running_server_and_its_quiz_scores(
    instance, live_server, teacher, pack_zip
):
    base = live_server.url
    assert "rivers" not in course_ids(base)
    code, out = kepu("plugins", "install", pack_zip, "--instance", instance)
    assert code == 0, out
    assert "Installed content pack rivers 1.0.0" in out
    assert (instance / "packs" / "rivers" / "course.toml").is_file()
    assert wait_for(lambda: "rivers" in course_ids(base))
    status, lesson = http("GET", base + "/api/v1/courses/rivers/lessons/rivers")
    assert status == 200 and [s["title"] for s in lesson["sections"]] == ["一、源头", "二、入海"]

    result = take_quiz(base, teacher["token"], "rivers", "rivers-quiz", RIGHT)
    assert (result["score"], result["max_score"]) == (2, 2)
    wrong = take_quiz(
        base, teacher["token"], "rivers", "rivers-quiz", {"longest": 0, "length": 6500}
    )
    assert (wrong["score"], wrong["max_score"]) == (0, 2)

    code, out = kepu("plugins", "uninstall", "rivers", "--instance", instance)
    assert code == 0, out
    assert not (instance / "packs" / "rivers").exists()
    assert wait_for(lambda: "rivers" not in course_ids(base))
    # The class results of the removed course stay readable.
    status, results = http("GET", base + f"/api/v1/sessions/{result['session']}/results",
                           token=teacher["token"])  # fmt: skip
    assert status == 200, results


def test_disable_and_enable_a_pack_on_a_running_server(instance, live_server, pack_zip):
    base = live_server.url
    assert kepu("plugins", "install", pack_zip, "--instance", instance)[0] == 0
    assert wait_for(lambda: "rivers" in course_ids(base))
    code, out = kepu("plugins", "disable", "rivers", "--instance", instance)
    assert code == 0 and "now disabled" in out
    assert wait_for(lambda: "rivers" not in course_ids(base))
    assert (instance / "packs" / "rivers").is_dir()  # disabled, not removed
    code, listing = kepu("plugins", "list", "--json", "--instance", instance)
    record = next(r for r in json.loads(listing) if r["name"] == "rivers")
    assert (record["source"], record["status"], record["version"]) == ("pack", "disabled", "1.0.0")
    assert kepu("plugins", "disable", "rivers", "--instance", instance)[1].startswith(
        "rivers was already disabled"
    )
    assert kepu("plugins", "enable", "rivers", "--instance", instance)[0] == 0
    assert wait_for(lambda: "rivers" in course_ids(base))


def test_upgrade_only_to_a_higher_version(instance, live_server, tmp_path, pack_zip):
    base = live_server.url
    assert kepu("plugins", "install", pack_zip, "--instance", instance)[0] == 0
    newer = zip_folder(write_pack(tmp_path / "v2", version="1.1.0", title="河流的旅行"),
                       tmp_path / "rivers-1.1.zip")  # fmt: skip
    code, out = kepu("plugins", "install", newer, "--instance", instance)
    assert code == 0 and "Upgraded content pack rivers from 1.0.0 to 1.1.0" in out, out

    def title():
        status, course = http("GET", base + "/api/v1/courses/rivers")
        return status == 200 and course["title"] == "河流的旅行"

    assert wait_for(title)
    assert sorted(p.name for p in instance.iterdir() if p.name.startswith(".install")) == []

    before = snapshot(instance)
    for version in ("1.1.0", "1.0.5"):
        older = zip_folder(write_pack(tmp_path / version, version=version),
                           tmp_path / f"rivers-{version}.zip")  # fmt: skip
        code, out = kepu("plugins", "install", older, "--instance", instance)
        assert code == 1
        assert "rivers 1.1.0 is already installed" in out
    assert snapshot(instance) == before


def test_folder_pack_and_check_only(instance, tmp_path):
    source = write_pack(tmp_path / "usb" / "rivers")
    code, out = kepu("plugins", "install", "--check", source, "--instance", instance)
    assert code == 0 and "is valid and can be installed" in out
    assert not (instance / "packs" / "rivers").exists()
    code, out = kepu("plugins", "install", source, "--instance", instance)
    assert code == 0, out
    installed = instance / "packs" / "rivers"
    assert (installed / "lessons" / "rivers.md").read_bytes() == (
        source / "lessons" / "rivers.md"
    ).read_bytes()
    assert oct((installed / "course.toml").stat().st_mode & 0o777) == "0o644"


def test_names_that_are_not_installed_are_refused(instance):
    for command in ("enable", "disable", "uninstall"):
        code, out = kepu("plugins", command, "no-such-thing", "--instance", instance)
        assert code == 1
        assert "no plugin or content pack called 'no-such-thing'" in out
    code, out = kepu("plugins", "disable", "content", "--instance", instance)
    assert code == 1 and "always on" in out


def test_the_plugins_group_works_through_click_runner_too(instance, app, tmp_path, pack_zip):
    from click.testing import CliRunner

    from kepu_server.cli import cli

    runner = CliRunner()
    result = runner.invoke(cli, ["plugins", "install", str(pack_zip), "--instance", str(instance)])
    assert result.exit_code == 0, result.output
    assert "Installed content pack rivers" in result.output
    result = runner.invoke(cli, ["plugins", "install", str(pack_zip), "--instance", str(instance)])
    assert result.exit_code == 1
    assert "Error: rivers 1.0.0 is already installed" in result.output
