"""One test per hook (``test_hook_<name>``), through an app that loads the test plugin.

``test_docs.py`` fails when a hook in ``hookspecs.py`` has no test here.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kepu_server import StartupError, create_app
from tests.conftest import TEST_PLUGIN
from tests.plugins import kepu_test_plugin


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


def test_hook_kepu_courses(client):
    ids = [c["id"] for c in client.get("/api/v1/courses").get_json()]
    assert "test-course" in ids
    course = client.get("/api/v1/courses/test-course").get_json()
    assert course["plugin"] == "kepu_test_plugin"
    assert [lesson["id"] for lesson in course["lessons"]] == ["water"]


def test_hook_kepu_question_types(app, client, teacher):
    catalog = app.extensions["kepu"].catalog
    assert catalog.question_types["range"].name == "range"
    quiz = client.get(
        "/api/v1/courses/test-course/quizzes/water-quiz",
        headers={"Authorization": f"Bearer {teacher['token']}"},
    ).get_json()
    q8 = next(q for q in quiz["questions"] if q["id"] == "q8")
    assert q8["type"] == "range" and q8["low"] == 150


def test_hook_kepu_markdown_extensions(client):
    lesson = client.get("/api/v1/courses/test-course/lessons/water").get_json()
    assert "<mark>固态</mark>" in lesson["sections"][0]["html"]
    assert "<script" not in lesson["sections"][1]["html"]


def test_hook_kepu_blueprints(client):
    response = client.get("/x/kepu_test_plugin/hello")
    assert response.status_code == 200
    assert response.get_json() == {"hello": "from the test plugin"}


def test_hook_kepu_commands(instance):
    """A folder plugin of the instance (re-exporting the test plugin's hook) adds a command;
    ``--instance`` is read by click, in both spellings, and the env var works too."""
    from kepu_server.cli import cli, main

    folder = instance / "plugins" / "hello"
    folder.mkdir(parents=True)
    (folder / "plugin.toml").write_text('name = "hello"\nversion = "1.0"\n')
    (folder / "plugin.py").write_text("from tests.plugins.kepu_test_plugin import kepu_commands\n")
    for args in (["test-plugin-hello", "--instance", str(instance)],
                 [f"--instance={instance}"], []):  # fmt: skip
        args = args if args and args[0] == "test-plugin-hello" else ["test-plugin-hello", *args]
        env = {} if "--instance" in " ".join(args) else {"KEPU_INSTANCE": str(instance)}
        result = CliRunner().invoke(cli, args, env=env)
        assert "hello from the test plugin" in result.output, (args, result.output)
    assert "test-plugin-hello" not in cli.commands  # nothing left behind on the group
    # Another instance has no such plugin: no such command.
    other = instance.parent / "other"
    result = CliRunner().invoke(cli, ["test-plugin-hello", f"--instance={other}"])
    assert result.exit_code == 2 and "No such command" in result.output
    listed = CliRunner().invoke(cli, ["--help"], env={"KEPU_INSTANCE": str(instance)})
    assert "test-plugin-hello" in listed.output
    with pytest.raises(SystemExit) as exited:
        main(["test-plugin-hello", f"--instance={other}"])
    assert exited.value.code == 2


def test_hook_kepu_startup(app_config):
    kepu_test_plugin.STARTED.clear()
    create_app(app_config)
    assert kepu_test_plugin.STARTED == [app_config["KEPU_INSTANCE"]]
    with pytest.raises(StartupError, match="refuses to start"):
        create_app({**app_config, "TEST_PLUGIN_REFUSE_START": True})


def test_hook_kepu_session_event(app):
    from kepu_server.session_events import emit_session_event

    kepu_test_plugin.EVENTS.clear()
    with app.test_request_context():
        emit_session_event({"type": "ended", "session": "abc"})
    assert kepu_test_plugin.EVENTS[-1]["type"] == "ended"
    assert kepu_test_plugin.EVENTS[-1]["session"] == "abc" and "at" in kepu_test_plugin.EVENTS[-1]
