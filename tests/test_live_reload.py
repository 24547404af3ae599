"""Live reload off the request path: a background check, a rebuild no request waits for."""

from __future__ import annotations

import shutil
import threading
import time

import pytest

from kepu_server import catalog as catalog_module
from kepu_server import create_app
from tests.conftest import ROOT


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    return folder


def make_app(instance, content, interval):
    return create_app({"TESTING": True, "KEPU_INSTANCE": str(instance),
                       "KEPU_CONTENT": str(content), "KEPU_RELOAD_INTERVAL": interval,
                       "KEPU_LOAD_ENTRY_POINTS": False})  # fmt: skip


def add_course(content, course_id):
    course = content / course_id
    shutil.copytree(content / "heiyoushan-trip", course)
    toml = course / "course.toml"
    toml.write_text(toml.read_text().replace('"heiyoushan-trip"', f'"{course_id}"', 1))


def course_ids(client):
    return [c["id"] for c in client.get("/api/v1/courses").get_json()]


def test_a_new_course_is_picked_up_by_the_background_check(instance, content):
    app = make_app(instance, content, 0.1)
    client = app.test_client()
    assert course_ids(client) == ["heiyoushan-trip"]  # the first request starts the watcher
    add_course(content, "second-trip")
    deadline = time.monotonic() + 10
    while "second-trip" not in course_ids(client):
        assert time.monotonic() < deadline, "the background check never saw the new course"
        time.sleep(0.05)


def test_requests_keep_the_old_snapshot_while_a_rebuild_runs(instance, content, monkeypatch):
    app = make_app(instance, content, 0.1)
    client = app.test_client()
    assert course_ids(client) == ["heiyoushan-trip"]
    building, release = threading.Event(), threading.Event()
    real_build = catalog_module.build_catalog

    def slow_build(*args, **kwargs):
        building.set()
        release.wait(10)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(catalog_module, "build_catalog", slow_build)
    add_course(content, "second-trip")
    assert building.wait(10), "no rebuild started"
    # The rebuild is stuck: requests are still answered at once, from the old snapshot.
    for _ in range(3):
        assert course_ids(client) == ["heiyoushan-trip"]
    release.set()
    deadline = time.monotonic() + 10
    while "second-trip" not in course_ids(client):
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_each_folder_is_walked_once(instance, content, monkeypatch):
    app = make_app(instance, content, None)
    holder = app.extensions["kepu"]
    walked = []
    real_walk = catalog_module.os.walk
    monkeypatch.setattr(
        catalog_module.os, "walk", lambda top, *a, **k: walked.append(str(top)) or real_walk(top)
    )
    holder.refresh()
    assert str(content) in walked
    assert len(walked) == len(set(walked))
    assert not any(w.startswith(str(content) + "/") for w in walked)  # its courses: not again
