"""The parse cache on disk (content/parse_store.py): a warm restart, and never a wrong page.

Two apps on one real instance folder, one after the other, as two runs of the server.
"""

from __future__ import annotations

import hashlib
import os
import time

import pytest

from kepu_server import create_app
from kepu_server.benchmark.setup import synthetic_content
from kepu_server.content import parse_store
from kepu_server.version import __version__
from tests.conftest import ROOT

LESSON = "/api/v1/courses/synthetic-001/lessons/lesson-02"


@pytest.fixture
def content(tmp_path):
    folder = synthetic_content(tmp_path / "content", ROOT / "content", courses=3, lessons=4)
    time.sleep(0.3)  # older than one timestamp tick: no entry is racy
    return folder


def make_app(instance, content):
    return create_app({"TESTING": True, "KEPU_INSTANCE": str(instance),
                       "KEPU_CONTENT": str(content), "KEPU_RELOAD_INTERVAL": None,
                       "KEPU_LOAD_ENTRY_POINTS": False})  # fmt: skip


def first_run(instance, content):
    app = make_app(instance, content)
    holder = app.extensions["kepu"]
    holder.save_parse_cache()  # what the background check does a second after start-up
    assert (instance / parse_store.FILE_NAME).is_file()
    return holder.parse_cache.parses, app.test_client().get(LESSON).get_json()


def test_a_restart_parses_nothing_and_serves_the_same(instance, content):
    parses, lesson = first_run(instance, content)
    assert parses >= 15
    again = make_app(instance, content)
    assert again.extensions["kepu"].parse_cache.parses == 0
    assert again.test_client().get(LESSON).get_json() == lesson


def test_a_file_changed_while_the_server_was_down_is_parsed_again(instance, content):
    first_run(instance, content)
    file = content / "synthetic-001" / "lessons" / "lesson-02.md"
    st = os.stat(file)
    file.write_text(file.read_text().replace("黑油山研学", "白油山研学", 1))  # same size
    os.utime(file, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the old mtime
    again = make_app(instance, content)
    assert again.extensions["kepu"].parse_cache.parses == 1
    assert "白油山研学" in again.test_client().get(LESSON).get_json()["title"]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "edited", "other version"])
def test_a_damaged_cache_is_ignored(instance, content, damage):
    parses, lesson = first_run(instance, content)
    cache = instance / parse_store.FILE_NAME
    data = cache.read_bytes()
    if damage == "garbage":
        cache.write_bytes(b"\x00\xff not json at all\n")
    elif damage == "truncated":
        cache.write_bytes(data[: len(data) // 2])
    elif damage == "edited":  # still valid JSON, the same stat keys: only the checksum tells
        edited = data.replace("黑油山研学".encode(), "假油山研学".encode())
        assert edited != data
        cache.write_bytes(edited)
    else:  # a cache from another Kepu version, its checksum right
        body = data[: data.rindex(b"\n", 0, len(data) - 1) + 1]
        body = body.replace(f'"kepu": "{__version__}"'.encode(), b'"kepu": "0.0.1"', 1)
        cache.write_bytes(body + hashlib.blake2b(body, digest_size=32).hexdigest().encode() + b"\n")
    again = make_app(instance, content)
    assert again.extensions["kepu"].parse_cache.parses == parses  # a cold start
    assert again.test_client().get(LESSON).get_json() == lesson


def test_kepu_check_reads_every_file_not_the_cache(instance, content, monkeypatch):
    from click.testing import CliRunner

    from kepu_server.cli import cli

    first_run(instance, content)
    file = content / "synthetic-001" / "lessons" / "lesson-02.md"
    file.write_text(file.read_text().replace('id = "lesson-02"', 'id = "Lesson 02"', 1))

    def no_cache(path):
        raise AssertionError("kepu check read the parse cache")

    monkeypatch.setattr(parse_store, "load", no_cache)
    args = ["check", "--instance", str(instance), "--content", str(content)]
    result = CliRunner().invoke(cli, args)
    assert f"{file.resolve()}: 'id' is required" in result.output, result.output
