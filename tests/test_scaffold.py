"""``kepu plugins new``: generated, checked, tested, built into a wheel, installed, served, removed.

The wheel is built once per session. It is installed with the real CLI into a throwaway
virtual environment that sees the test environment's packages (``tests/venvs.py``), and
served by a real ``kepu serve`` from that environment: the test's own Python environment is
never changed.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.test_install_packs import course_ids, http, kepu, snapshot, take_quiz
from tests.venvs import venv_over_this_one

ROOT = Path(__file__).resolve().parent.parent
RUN_KEPU = "from kepu_server.cli import main; main()"
RIGHT_ANSWERS = {
    "clay-ball": 0,
    "floaters": [0, 2],
    "steel-ship": True,
    "water-mass": 49,
    "push-name": "浮力",
    "boat-steps": ["把橡皮泥揉成团", "压成薄片", "捏起四边做成船", "放进水里试一试"],
    "favourite": 2,
}


@pytest.fixture(scope="session")
def project(tmp_path_factory) -> Path:
    code, out = kepu("plugins", "new", "ocean-fun", "--directory", tmp_path_factory.mktemp("new"),
                     "--title", "海洋趣味", "--title-en", 'Ocean "fun"')  # fmt: skip
    assert code == 0, out
    path = Path(out.split("Created ", 1)[1].splitlines()[0])
    assert path.name == "kepu-ocean-fun"
    return path


@pytest.fixture(scope="session")
def wheel(project, tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", str(dist), str(project)],
        check=True, capture_output=True,
    )  # fmt: skip
    (found,) = dist.glob("*.whl")
    assert found.name == "kepu_ocean_fun-0.1.0-py3-none-any.whl"
    return found


def test_generated_project_passes_kepu_check_and_its_own_test(project):
    code, out = kepu("check", project)
    assert code == 0 and "All good" in out, out
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(project)],
        cwd=project, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 passed" in proc.stdout
    pyproject = (project / "pyproject.toml").read_text("utf-8")
    assert '[project.entry-points.kepu_server]\nocean-fun = "kepu_ocean_fun"' in pyproject
    assert 'description = "Ocean \\"fun\\": a course plugin' in pyproject


def test_kepu_check_names_what_an_author_broke(project, tmp_path):
    broken = tmp_path / "broken"
    code, _ = kepu("plugins", "new", "broken", "--directory", broken)
    course = broken / "kepu-broken" / "kepu_broken" / "course"
    quiz = course / "quizzes" / "floating-quiz.toml"
    quiz.write_text(quiz.read_text("utf-8").replace("answers = [0, 2]", "answers = [0, 9]"))
    lesson = course / "lessons" / "floating.md"
    lesson.write_text(lesson.read_text("utf-8").replace('quiz = "floating-quiz"', 'quiz = "nope"'))
    pyproject = broken / "kepu-broken" / "pyproject.toml"
    pyproject.write_text(pyproject.read_text("utf-8").replace("entry-points.kepu_server", "x"))
    code, out = kepu("check", broken / "kepu-broken")
    assert code == 1
    assert "pyproject.toml: no [project.entry-points.kepu_server] table" in out
    assert "quizzes/floating-quiz.toml:14: question 'floaters': 'answers' must be" in out
    assert "lessons/floating.md: lesson 'floating' names quiz 'nope'" in out


def test_new_refuses_bad_names_and_existing_projects(project):
    code, out = kepu("plugins", "new", "Bad Name", "--directory", project.parent)
    assert code == 1 and "not a valid plugin name" in out
    code, out = kepu("plugins", "new", "ocean-fun", "--directory", project.parent)
    assert code == 1 and "exists already" in out


@pytest.fixture
def venv(tmp_path) -> Path:
    """A new environment over the test one (never the base interpreter's packages)."""
    path = tmp_path / "venv"
    venv_over_this_one(path)
    return path


def _venv_kepu(venv: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / "python"), "-c", RUN_KEPU, *map(str, args)],
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def _serve(venv: Path, instance: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(venv / "bin" / "python"), "-c", RUN_KEPU, "serve", "--host", "127.0.0.1",
         "--port", str(port), "--threads", "4", "--instance", str(instance),
         "--content", str(ROOT / "content")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("kepu serve did not start")


@pytest.mark.skipif(sys.platform == "win32", reason="the venv layout differs on Windows")
def test_wheel_installs_into_the_server_environment_and_serves(
    wheel, venv, instance, app, teacher, tmp_path
):
    result = _venv_kepu(venv, "plugins", "install", wheel, "--instance", instance)
    assert result.returncode == 0, result.stderr
    assert "Installed pip plugin ocean-fun 0.1.0 (ocean-fun)" in result.stdout
    assert "Restart the server" in result.stdout
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.distribution("kepu-ocean-fun")  # not in the test's environment

    again = _venv_kepu(venv, "plugins", "install", wheel, "--instance", instance)
    assert again.returncode == 1 and "kepu-ocean-fun 0.1.0 is already installed" in again.stderr

    port = free_port()
    server = _serve(venv, instance, port)
    base = f"http://127.0.0.1:{port}"
    try:
        assert "ocean-fun" in course_ids(base)
        status, course = http("GET", base + "/api/v1/courses/ocean-fun?lang=en")
        assert status == 200 and course["title"] == 'Ocean "fun"'
        right = take_quiz(base, teacher["token"], "ocean-fun", "floating-quiz", RIGHT_ANSWERS)
        assert (right["score"], right["max_score"]) == (6, 6)
        wrong = take_quiz(base, teacher["token"], "ocean-fun", "floating-quiz",
                          {**RIGHT_ANSWERS, "floaters": [0], "push-name": "重力"})  # fmt: skip
        assert wrong["score"] == 4
    finally:
        server.terminate()
        server.wait(timeout=10)

    listing = json.loads(_venv_kepu(venv, "plugins", "list", "--json", "--instance", instance)
                         .stdout)  # fmt: skip
    record = next(r for r in listing if r["name"] == "ocean-fun")
    assert (record["source"], record["status"], record["courses"]) == ("pip", "ok", ["ocean-fun"])

    removed = _venv_kepu(venv, "plugins", "uninstall", "ocean-fun", "--instance", instance)
    assert removed.returncode == 0, removed.stderr
    listing = json.loads(_venv_kepu(venv, "plugins", "list", "--json", "--instance", instance)
                         .stdout)  # fmt: skip
    assert "ocean-fun" not in [r["name"] for r in listing]


def _edited_wheel(wheel: Path, target: Path, edit) -> Path:
    """A copy of ``wheel`` with ``edit(name, text)`` applied to its dist-info files."""
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(target, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if ".dist-info/" in info.filename:
                data = edit(info.filename.rsplit("/", 1)[1], data.decode()).encode()
            out.writestr(info, data)
    return target


CHANGES = [
    ("entry_points.txt", "[kepu_server]", "[other_group]",
     "declares no entry point in the 'kepu_server' group"),
    ("METADATA", "Requires-Dist: kepu-server>=", "Requires-Dist: kepu-server>=99,>=",
     "needs Kepu Server >=0.1.0,>=99"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("file", "old", "new", "message"), CHANGES, ids=["no-entry-point", "requires"]
)
def test_a_wheel_that_is_not_a_plugin_or_needs_a_newer_core_is_refused(
    wheel, instance, app, tmp_path, file, old, new, message
):
    def edit(name, text):
        if name == file:
            assert old in text
            return text.replace(old, new)
        return text

    bad = _edited_wheel(wheel, tmp_path / wheel.name, edit)
    before = snapshot(instance)
    code, out = kepu("plugins", "install", bad, "--instance", instance)
    assert code == 1 and message in out, out
    assert snapshot(instance) == before


def test_writing_plugins_doc_covers_every_core_type_and_command():
    from kepu_server.cli_plugins import plugins
    from kepu_server.quiz.types import CORE_TYPES

    doc = (ROOT / "docs" / "writing_plugins.md").read_text("utf-8")
    for qtype in CORE_TYPES:
        assert f"| `{qtype.name}` |" in doc, f"core type {qtype.name} is not in the reference"
    for command in plugins.commands:
        assert f"kepu plugins {command}" in doc, f"'kepu plugins {command}' is not documented"
    for key in ("KEPU_PACK_MAX_FILES", "KEPU_PACK_MAX_BYTES", "[project.entry-points.kepu_server]"):
        assert key in doc


def scaffold_blocks(doc: str) -> dict[str, str]:
    """The code blocks of docs/writing_plugins.md marked ``<!-- scaffold: FILE -->``."""
    found = re.findall(r"<!-- scaffold: (\S+) -->\n```\w+\n(.*?)```", doc, re.S)
    return dict(found)


def test_a_custom_question_type_as_the_docs_show_is_checked_previewed_served_and_scored(
    tmp_path,
):
    """From ``kepu plugins new`` to a served, scored custom type, exactly as documented."""
    code, out = kepu("plugins", "new", "ocean", "--directory", tmp_path)
    project = tmp_path / "kepu-ocean"
    blocks = scaffold_blocks((ROOT / "docs" / "writing_plugins.md").read_text("utf-8"))
    assert set(blocks) == {"kepu_ocean/__init__.py", "kepu_ocean/course/quizzes/floating-quiz.toml"}
    for file, text in blocks.items():
        with (project / file).open("a", encoding="utf-8") as out_file:
            out_file.write("\n\n" + text)
    tests = project / "tests" / "test_plugin.py"
    tests.write_text(
        tests.read_text("utf-8")
        .replace('"favourite": 1,', '"favourite": 1,\n    "boat-load": 20,')
        .replace("assert total == 6", "assert total == 7")
    )
    code, out = kepu("check", project)
    assert code == 0 and "All good" in out, out
    own_test = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(project)],
        cwd=project, capture_output=True, text=True,
    )  # fmt: skip
    assert own_test.returncode == 0, own_test.stdout + own_test.stderr

    quiz = project / "kepu_ocean" / "course" / "quizzes" / "floating-quiz.toml"
    good = quiz.read_text("utf-8")
    quiz.write_text(good.replace("high = 40", 'high = "many"'))
    code, out = kepu("check", project)
    line = good.splitlines().index('id = "boat-load"')  # the [[questions]] line, 1-based
    assert code == 1
    assert f"{quiz}:{line}: question 'boat-load': 'low' and 'high' must be numbers" in out, out
    quiz.write_text(good)

    instance = tmp_path / "preview"
    from kepu_server import create_app
    from kepu_server.auth import create_api_token, create_user
    from kepu_server.store.db import open_db

    create_app({"KEPU_INSTANCE": str(instance)})  # a new instance, as `kepu serve` makes it
    db = open_db(instance / "kepu.db")
    token = create_api_token(db, create_user(db, "teacher-li", "long enough pw"))
    db.conn.close()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", RUN_KEPU, "serve", "--plugin", str(project), "--host",
         "127.0.0.1", "--port", str(port), "--threads", "2", "--instance", str(instance)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/api/v1/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        status, quiz_json = http("GET", base + "/api/v1/courses/ocean/quizzes/floating-quiz",
                                 token=token)  # fmt: skip
        assert status == 200 and "boat-load" in [q["id"] for q in quiz_json["questions"]]
        right = take_quiz(base, token, "ocean", "floating-quiz",
                          {**RIGHT_ANSWERS, "boat-load": 20})  # fmt: skip
        assert (right["score"], right["max_score"]) == (7, 7)
        wrong = take_quiz(base, token, "ocean", "floating-quiz",
                          {**RIGHT_ANSWERS, "boat-load": 99})  # fmt: skip
        assert wrong["score"] == 6
    finally:
        server.terminate()
        server.wait(timeout=10)
