"""The one dispatcher: DESIGN's precedence, per-plugin isolation, failures that last."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from kepu_server import create_app, hookimpl
from kepu_server.dispatch import Dispatcher, PluginFailures
from kepu_server.plugin_records import PluginRecord
from kepu_server.plugins import load_plugins, new_plugin_manager, register
from tests.conftest import ROOT
from tests.test_plugins import make_folder_plugin, records


def course_folder(root: Path, folder: str, course_id: str) -> Path:
    path = root / folder
    (path / "lessons").mkdir(parents=True)
    (path / "course.toml").write_text(f'id = "{course_id}"\ntitle = "冒名"\nversion = "1.0"\n')
    (path / "lessons" / "a.md").write_text('+++\nid = "a"\ntitle = "A"\n+++\n## x\n')
    return path


def test_a_content_folder_or_pack_cannot_take_a_bundled_course_id(instance, tmp_path, teacher):
    """The bundled course keeps serving; the later source is failed, naming id and keeper;
    ``kepu plugins list --json`` and GET /api/v1/plugins say the same."""
    content = tmp_path / "content"
    course_folder(content, "fake-petroleum", "petroleum")
    course_folder(content, "own", "own-course")
    course_folder(instance / "packs", "robo-copy", "robotics")
    config = {"TESTING": True, "KEPU_INSTANCE": str(instance), "KEPU_CONTENT": str(content)}
    app = create_app(config)
    found = records(app)
    expected = "course id 'petroleum' is already served by 'petroleum'"
    assert found["petroleum"].status == "ok" and found["petroleum"].courses == ["petroleum"]
    assert found["content"].status == "failed" and expected in found["content"].error
    assert found["content"].courses == ["own-course"]  # the rest of the folder serves
    assert found["robotics"].source == "bundled" and found["robotics"].status == "ok"
    pack = found["robo-copy"]
    assert pack.source == "pack" and pack.status == "failed"
    assert "course id 'robotics' is already served by 'robotics'" in pack.error
    client = app.test_client()
    course = client.get("/api/v1/courses/petroleum").get_json()
    assert course["plugin"] == "petroleum" and course["title"] != "冒名"
    assert client.get("/api/v1/courses/own-course").status_code == 200

    api = client.get("/api/v1/plugins", headers={"Authorization": f"Bearer {teacher['token']}"})
    from kepu_server.cli import cli

    listed = CliRunner().invoke(
        cli, ["plugins", "list", "--json", "--instance", str(instance), "--content", str(content)]
    )
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output) == api.get_json()


class Plugin:
    """A plugin object whose hooks record each call in ``calls``."""

    def __init__(self, name: str, calls: list, fail_in: str | None = None):
        self.name, self.calls, self.fail_in = name, calls, fail_in

    @hookimpl
    def kepu_question_types(self, app):
        return self._hook("kepu_question_types")

    @hookimpl
    def kepu_markdown_extensions(self, app):
        return self._hook("kepu_markdown_extensions")

    def _hook(self, hook):
        self.calls.append((self.name, hook))
        if self.fail_in == hook:
            raise RuntimeError(f"{self.name} breaks")
        return [self.name]


def _dispatcher(plugins, failures=None):
    pm = new_plugin_manager()
    recs = []
    for plugin in plugins:
        record = PluginRecord(name=plugin.name)
        assert register(pm, plugin, record), record.error
        recs.append(record)
    return Dispatcher(pm, recs, failures), {r.name: r for r in recs}


def test_registration_order_is_calling_order_and_a_failure_stays_with_its_plugin(caplog):
    calls = []
    plugins = [Plugin("first", calls), Plugin("second", calls, "kepu_question_types"),
               Plugin("third", calls)]  # fmt: skip
    dispatcher, recs = _dispatcher(plugins)
    with caplog.at_level(logging.ERROR, logger="kepu_server.dispatch"):
        results = dispatcher.call("kepu_question_types", app=None)
    assert results == [("first", ["first"]), ("third", ["third"])]  # pluggy would go 3, 2, 1
    assert recs["second"].status == "failed" and "second breaks" in recs["second"].error
    assert "'second'" in caplog.text and "kepu_question_types" in caplog.text
    assert recs["first"].status == recs["third"].status == "ok"
    calls.clear()
    dispatcher.call("kepu_markdown_extensions", app=None)
    assert calls == [("first", "kepu_markdown_extensions"), ("third", "kepu_markdown_extensions")]


def test_try_first_and_wrappers_cannot_jump_the_queue():
    class Pushy:
        @hookimpl(tryfirst=True)
        def kepu_courses(self, app):
            return []

    record = PluginRecord(name="pushy")
    assert not register(new_plugin_manager(), Pushy(), record)
    assert record.status == "failed" and "tryfirst" in record.error


def test_startup_error_stops_the_server_other_errors_fail_only_the_plugin():
    from kepu_server import StartupError

    class Refuses:
        @hookimpl
        def kepu_startup(self, app):
            raise StartupError("no")

    pm = new_plugin_manager()
    register(pm, Refuses(), PluginRecord(name="refuses"))
    with pytest.raises(StartupError):
        Dispatcher(pm).call("kepu_startup", propagate=(StartupError,), app=None)
    assert Dispatcher(pm).call("kepu_startup", app=None) == []  # without propagate: isolated


COUNTING = """
from pathlib import Path
from kepu_server import hookimpl

Path(__file__).with_name("imports.log").open("a").write("x")


@hookimpl
def kepu_courses(app):
    raise RuntimeError("{message}")
"""


def test_a_failed_plugin_is_not_loaded_again_until_its_files_change(app_config, instance):
    folder = make_folder_plugin(instance, "flaky", COUNTING.format(message="broken v1"))
    log = folder / "imports.log"
    app = create_app(app_config)
    holder = app.extensions["kepu"]
    assert records(app)["flaky"].status == "failed" and "broken v1" in records(app)["flaky"].error
    assert log.read_text() == "x"
    log.unlink()  # the log is in the plugin's folder: keep its stamp as it was
    os.utime(folder, ns=(folder.stat().st_atime_ns, folder.stat().st_mtime_ns))
    holder.refresh(force=True)  # e.g. a pack was installed
    rebuilt = records(app)
    assert rebuilt["flaky"].status == "failed" and "broken v1" in rebuilt["flaky"].error
    assert not log.exists(), "a failed plugin was imported again with the same files"
    fixed = COUNTING.replace('raise RuntimeError("{message}")', "return []")
    (folder / "plugin.py").write_text(fixed)
    holder.refresh(force=True)
    assert records(app)["flaky"].status == "ok", records(app)["flaky"].error
    assert log.read_text() == "x"


def test_a_plugin_failing_in_one_hook_is_called_in_no_other(app_config, instance):
    calls = instance / "calls.log"
    code = f"""
from kepu_server import hookimpl

def _log(name):
    open({str(calls)!r}, "a").write(name + "\\n")

@hookimpl
def kepu_question_types(app):
    _log("kepu_question_types")
    raise ValueError("bad types")

@hookimpl
def kepu_courses(app):
    _log("kepu_courses")
    return []

@hookimpl
def kepu_startup(app):
    _log("kepu_startup")

@hookimpl
def kepu_session_event(app, event):
    _log("kepu_session_event")
"""
    make_folder_plugin(instance, "halfbroken", code)
    app = create_app(app_config)
    from kepu_server.session_events import emit_session_event

    with app.test_request_context():
        emit_session_event({"type": "ended", "session": "s"})
    assert calls.read_text().split() == ["kepu_question_types"]
    record = records(app)["halfbroken"]
    assert record.status == "failed" and "kepu_question_types raised ValueError" in record.error
    assert record.errors[0]["file"].endswith("plugin.py") and record.errors[0]["line"] == 10


def test_plugin_failures_forget_a_plugin_whose_files_changed():
    failures = PluginFailures()
    failures.remember("x", ("v1",), [{"message": "m"}])
    assert failures.recall("x", ("v1",)) == [{"message": "m"}]
    assert failures.recall("x", ("v2",)) is None
    assert failures.recall("x", ("v1",)) is None  # forgotten, not resurrected


def test_load_plugins_registers_in_precedence_order():
    pm = new_plugin_manager()
    recs = load_plugins(
        pm, plugins_dir=None, disabled=set(), extra=["tests.plugins.kepu_test_plugin"]
    )
    order = Dispatcher(pm, recs).order()
    assert order[0] == "core"
    bundled = [r.name for r in recs if r.source == "bundled"]
    assert order[1 : 1 + len(bundled)] == bundled
    assert order[-1] == "kepu_test_plugin"
    assert ROOT.exists()
