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


def test_hook_kepu_commands(app_config, monkeypatch):
    from kepu_server import cli as cli_module

    monkeypatch.setattr(
        "kepu_server.plugins.load_plugins",
        lambda pm, **kw: [pm.register(kepu_test_plugin, name="kepu_test_plugin")],
    )
    cli_module._register_plugin_commands()
    result = CliRunner().invoke(cli_module.cli, ["test-plugin-hello"])
    assert result.exit_code == 0 and "hello from the test plugin" in result.output
    cli_module.cli.commands.pop("test-plugin-hello")


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
