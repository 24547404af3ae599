"""The parse cache (content/parse_cache.py): a rebuild re-parses only the files that changed.

Real course folders in a temporary directory, the real change check and real rebuilds; the
pages are asked through the app, so "served" means what a visitor would get.
"""

from __future__ import annotations

import os
import random
import shutil
import time
import tomllib

import pytest

from kepu_server import create_app
from kepu_server.benchmark.setup import synthetic_content
from kepu_server.content import parse_cache
from kepu_server.content.loader import load_course_dir
from kepu_server.content.parsing import simple_toml, split_sections
from tests.conftest import ROOT

LESSON = "/courses/synthetic-001/lessons/lesson-02"


@pytest.fixture
def content(tmp_path):
    folder = synthetic_content(tmp_path / "content", ROOT / "content", courses=3, lessons=4)
    time.sleep(0.3)  # older than one timestamp tick, so no entry starts out racy
    return folder


def make_app(instance, content):
    return create_app({"TESTING": True, "KEPU_INSTANCE": str(instance),
                       "KEPU_CONTENT": str(content), "KEPU_RELOAD_INTERVAL": None,
                       "KEPU_LOAD_ENTRY_POINTS": False})  # fmt: skip


def lesson_file(content):
    return content / "synthetic-001" / "lessons" / "lesson-02.md"


def test_a_rebuild_after_one_saved_lesson_parses_only_that_file(instance, content):
    app = make_app(instance, content)
    holder, client = app.extensions["kepu"], app.test_client()
    first = holder.parse_cache.parses
    assert first >= 3 * 4 + 3  # every lesson and course.toml, parsed once at start-up
    assert "（改）" not in client.get(LESSON).get_data(as_text=True)
    file = lesson_file(content)
    file.write_text(file.read_text().replace("黑油山研学", "黑油山研学（改）", 1))
    holder.refresh()
    assert holder.parse_cache.parses == first + 1
    assert "（改）" in client.get(LESSON).get_data(as_text=True)
    before = holder.parse_cache.parses
    holder.refresh(force=True)  # nothing changed: nothing parsed, the same pages
    assert holder.parse_cache.parses == before
    assert "（改）" in client.get(LESSON).get_data(as_text=True)


def test_a_same_size_change_with_its_old_mtime_restored_is_still_served(instance, content):
    app = make_app(instance, content)
    holder, client = app.extensions["kepu"], app.test_client()
    file = lesson_file(content)
    old, st = file.read_text(), os.stat(file)
    new = old.replace("黑油山研学", "白油山研学", 1)  # as many bytes as before
    assert new != old and len(new.encode()) == len(old.encode())
    file.write_text(new)
    os.utime(file, ns=(st.st_atime_ns, st.st_mtime_ns))  # size and mtime as they were
    assert (os.stat(file).st_size, os.stat(file).st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    holder.refresh()
    assert "白油山研学" in client.get(LESSON).get_data(as_text=True)


def test_two_same_size_saves_in_one_tick_are_both_seen(instance, content, monkeypatch):
    """A file saved again within its timestamp tick keeps its stat key: a racy entry."""
    app = make_app(instance, content)
    holder, client = app.extensions["kepu"], app.test_client()
    file = lesson_file(content)
    old = file.read_text()
    file.write_text(old.replace("黑油山研学", "白油山研学", 1))
    holder.refresh()  # parses the saved file: changed just now, so its entry is racy
    assert "白油山研学" in client.get(LESSON).get_data(as_text=True)
    st = os.stat(file)
    file.write_text(old.replace("黑油山研学", "红油山研学", 1))
    os.utime(file, ns=(st.st_atime_ns, st.st_mtime_ns))
    # Make the stat key exactly the old one (a coarse file system would have): the check
    # must then come from the bytes.
    real_stat = os.stat

    def same_key(path, *args, **kwargs):
        found = real_stat(path, *args, **kwargs)
        if os.fspath(path) == str(file):
            return os.stat_result((*found[:7], st.st_atime, st.st_mtime, st.st_ctime),
                                  {"st_mtime_ns": st.st_mtime_ns, "st_ctime_ns": st.st_ctime_ns})  # fmt: skip
        return found

    monkeypatch.setattr(parse_cache.os, "stat", same_key)
    holder.refresh(force=True)
    assert "红油山研学" in client.get(LESSON).get_data(as_text=True)


def test_a_broken_file_is_reported_on_every_rebuild(instance, content):
    app = make_app(instance, content)
    holder = app.extensions["kepu"]
    file = lesson_file(content)
    file.write_text(file.read_text().replace('id = "lesson-02"', 'id = "Lesson 02"', 1))
    seen = []
    for _ in range(2):
        holder.refresh(force=True)
        course = holder.catalog.course("synthetic-001")
        assert "lesson-02" not in course.lessons
        seen.append([str(p) for p in course.problems if p.file == str(file.resolve())])
    assert len(seen[0]) == 1 and "'id' is required" in seen[0][0] and seen[1] == seen[0]


def test_without_a_build_nothing_is_cached(content):
    """``kepu check`` and installs read the files themselves, every time."""
    folder = content / "synthetic-002"
    assert load_course_dir(folder).lessons["lesson-01"].sections
    file = folder / "lessons" / "lesson-01.md"
    file.write_text(file.read_text().replace("黑油山研学", "黑油山研学（改）", 1))
    assert "（改）" in load_course_dir(folder).lessons["lesson-01"].title


# ------------------------------------------------ the fast paths agree with the slow ones

PIECES = ['id', ' ', '=', '"', 'x', '\n', '[', ']', ',', '\t', '-', '0', '1', 'true', 'false',
          '#', '\\', '\\"', '\\\\', '\\n', "'", '.', '黑', '_', '"a"', ' = ', '"b", ', '\u3000',
          '\x01', '+', '1.5', '{', '}', '[t]']  # fmt: skip


def test_simple_toml_is_tomllib_wherever_it_answers():
    rng = random.Random(11)
    answered = 0
    for _ in range(40000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 16)))
        mine = simple_toml(text)
        if mine is None:
            continue
        answered += 1
        assert mine == tomllib.loads(text), repr(text)
        assert [type(v) for v in mine.values()] == [type(v) for v in tomllib.loads(text).values()]
    assert answered > 1000
    for file in [*ROOT.glob("content/*/lessons/*.md"), *ROOT.glob("plugins/*/course/*/*.md")]:
        front = file.read_text(encoding="utf-8").split("+++")[1]
        assert simple_toml(front) in (None, tomllib.loads(front)), file


def reference_split(body, first_line):
    """The line-by-line split the loader used before (kept here as the definition)."""
    chunks, in_fence = [], False
    for offset, line in enumerate(body.split("\n")):
        if line.strip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if not in_fence and line.startswith("## "):
            chunks.append([line[3:].strip(), [], first_line + offset])
        elif chunks:
            chunks[-1][1].append(line)
        elif line.strip():
            chunks.append(["", [line], first_line + offset])
    return [(title, "\n".join(text).strip("\n"), line) for title, text, line in chunks]


def test_split_sections_is_the_line_by_line_split():
    pieces = ["## ", "## a", "##", "# x", "```", "~~~", " ```py", "\u3000~~~", "\t", " ",
              "\n", "\n", "\n", "text", "\r", "\x0b", "\x85", "## t ", "a ## b", "`"]  # fmt: skip
    rng = random.Random(5)
    for _ in range(40000):
        body = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        assert split_sections(body, 3) == reference_split(body, 3), repr(body)
    for file in ROOT.glob("content/*/lessons/*.md"):
        body = file.read_text(encoding="utf-8").split("+++", 2)[2]
        assert split_sections(body, 9) == reference_split(body, 9)


def test_a_translation_is_matched_to_its_own_default_file(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(ROOT / "content" / "heiyoushan-trip", course)
    loaded = load_course_dir(course)
    for lesson in loaded.lessons.values():
        assert set(lesson.translations) == {"en"}
        assert lesson.in_language("en").title != lesson.title
