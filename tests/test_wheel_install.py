"""``pip install .`` into a fresh virtualenv serves the bundled plugins (not only editable).

Builds the wheel, checks what it ships, installs it into a new venv (offline: the
dependencies are the test environment's, see ``tests/venvs.py``; the wheel's own files come
first) and runs that venv's ``kepu`` from a folder with no checkout around it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests import venvs
from tests.conftest import ROOT, free_port
from tests.venvs import venv_over_this_one

BUNDLED = ("petroleum", "robotics", "ai_startline")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    [built] = out.glob("kepu_server-*.whl")
    return built


def test_the_wheel_ships_the_bundled_plugins_templates_and_translations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in BUNDLED:
        assert f"kepu_{name}/__init__.py" in names
        assert f"kepu_{name}/course/course.toml" in names
    assert "kepu_server/templates/base.html" in names
    assert "kepu_server/static/kepu.css" in names
    assert "kepu_server/translations/zh_Hans_CN/LC_MESSAGES/core.mo" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    for name in BUNDLED:
        assert f"{name} = kepu_{name}" in text


def test_a_fresh_venv_serves_the_bundled_courses(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    python = venv_over_this_one(env_dir)
    bin_dir = venvs.bin_dir(env_dir)
    # --no-deps: the dependencies are the test environment's (offline); the wheel's own
    # files, installed into the new environment, come first on its sys.path.
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    where = subprocess.run(
        [str(python), "-c", "import kepu_server, kepu_petroleum; print(kepu_server.__file__); "
         "print(kepu_petroleum.__file__)"],
        check=True, capture_output=True, text=True, cwd=tmp_path,
    ).stdout.split()  # fmt: skip
    assert all(Path(p).is_relative_to(env_dir) for p in where), where  # the wheel's, not ours
    elsewhere = tmp_path / "school-pc"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEPU_", "PYTHON"))}
    listed = subprocess.run(
        [str(bin_dir / "kepu"), "plugins", "list", "--json"],
        cwd=elsewhere, capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    plugins = {p["name"]: p for p in json.loads(listed.stdout)}
    for name in BUNDLED:
        assert plugins[name]["source"] == "bundled" and plugins[name]["status"] == "ok"
        assert plugins[name]["courses"] == [name], plugins[name]
    checked = subprocess.run([str(bin_dir / "kepu"), "check"], cwd=elsewhere, env=env,
                             capture_output=True, text=True, timeout=120)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    port = free_port()
    server = subprocess.Popen(
        [str(bin_dir / "kepu"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=elsewhere, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        body = None
        for _ in range(150):
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/courses").read()
                break
            except OSError:
                time.sleep(0.1)
        assert body is not None, "the server did not answer"
        ids = {c["id"] for c in json.loads(body)}
        assert set(BUNDLED) <= ids
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/").read().decode()
        assert "石油科普" in page
    finally:
        server.terminate()
        server.wait(timeout=10)
