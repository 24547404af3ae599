"""Plugin loading: entry points, folder plugins, the test plugin, and error isolation."""

from __future__ import annotations

from pathlib import Path

import pytest

from kepu_server import create_app
from tests.conftest import TEST_PLUGIN


def make_folder_plugin(instance: Path, name: str, code: str, toml_extra: str = "") -> Path:
    folder = instance / "plugins" / name
    folder.mkdir(parents=True)
    (folder / "plugin.toml").write_text(
        f'name = "{name}"\nversion = "1.0"\ntitle = "{name}"\n{toml_extra}', encoding="utf-8"
    )
    (folder / "plugin.py").write_text(code, encoding="utf-8")
    return folder


def records(app) -> dict:
    return {r.name: r for r in app.extensions["kepu"].catalog.records}


def test_bundled_plugins_are_found_through_the_entry_point_group(app):
    found = records(app)
    for name in ("petroleum", "robotics", "ai_startline"):
        assert found[name].source == "bundled"
        assert found[name].status == "ok", found[name].error
    assert found["content"].courses == ["heiyoushan-trip"]


def test_a_folder_plugin_that_raises_at_import_is_recorded_and_the_rest_serves(
    app_config, instance
):
    make_folder_plugin(instance, "broken", "import os\n\nraise RuntimeError('boom at import')\n")
    app = create_app(app_config)
    record = records(app)["broken"]
    assert record.status == "failed" and record.source == "folder"
    assert "boom at import" in record.error and "plugin.py:3" in record.error
    assert app.test_client().get("/api/v1/courses/heiyoushan-trip").status_code == 200


def test_a_misspelled_hook_is_an_error_not_silence(app_config, instance):
    code = "from kepu_server import hookimpl\n\n@hookimpl\ndef kepu_cources(app):\n    return []\n"
    make_folder_plugin(instance, "typo", code)
    record = records(create_app(app_config))["typo"]
    assert record.status == "failed" and "kepu_cources" in record.error


def test_a_plugin_raising_in_a_hook_fails_alone(app_config, instance):
    code = "from kepu_server import hookimpl\n\n@hookimpl\ndef kepu_courses(app):\n    1 / 0\n"
    make_folder_plugin(instance, "divider", code)
    app = create_app(app_config)
    record = records(app)["divider"]
    assert record.status == "failed" and "ZeroDivisionError" in record.error
    assert "heiyoushan-trip" in app.extensions["kepu"].catalog.courses


def test_requires_is_checked_against_the_core_version(app_config, instance):
    make_folder_plugin(instance, "future", "", 'requires = ">=99"\n')
    record = records(create_app(app_config))["future"]
    assert record.status == "failed" and "needs Kepu Server >=99" in record.error


def test_a_broken_plugin_toml_names_file_and_line(app_config, instance):
    folder = make_folder_plugin(instance, "badtoml", "")
    (folder / "plugin.toml").write_text('name = "badtoml"\nversion = 1.0.0\n')
    record = records(create_app(app_config))["badtoml"]
    assert record.status == "failed" and "plugin.toml:2" in record.error


def test_a_broken_course_folder_is_reported_with_file_and_line(app_config, tmp_path):
    content = tmp_path / "content"
    good = content / "good"
    (good / "lessons").mkdir(parents=True)
    (good / "course.toml").write_text('id = "good"\ntitle = "好"\n')
    (good / "lessons" / "a.md").write_text('+++\nid = "a"\ntitle = "A"\n+++\n## x\n')
    bad = content / "bad"
    bad.mkdir()
    (bad / "course.toml").write_text('id = "bad"\ntitle = "坏\n')
    app = create_app({**app_config, "KEPU_CONTENT": str(content)})
    record = records(app)["content"]
    assert record.courses == ["good"]
    assert f"{bad / 'course.toml'}:2" in record.error
    client = app.test_client()
    assert client.get("/api/v1/courses/good").status_code == 200
    assert client.get("/api/v1/courses/bad").status_code == 404


def test_a_duplicate_course_id_is_refused(app_config, tmp_path):
    content = tmp_path / "content"
    for folder in ("one", "two"):
        (content / folder).mkdir(parents=True)
        (content / folder / "course.toml").write_text('id = "same"\ntitle = "x"\n')
    app = create_app({**app_config, "KEPU_CONTENT": str(content),
                      "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]})  # fmt: skip
    assert list(app.extensions["kepu"].catalog.courses).count("same") == 1
    assert "already served" in records(app)["content"].error


def test_an_unknown_question_type_leaves_the_quiz_out_with_file_and_line(app_config, tmp_path):
    course = tmp_path / "content" / "c"
    (course / "quizzes").mkdir(parents=True)
    (course / "course.toml").write_text('id = "c"\ntitle = "c"\n')
    (course / "quizzes" / "q.toml").write_text(
        'id = "q"\ntitle = "q"\n\n[[questions]]\nid = "a"\ntype = "slider"\nprompt = "?"\n'
    )
    app = create_app({**app_config, "KEPU_CONTENT": str(course.parent)})
    assert "q" not in app.extensions["kepu"].catalog.courses["c"].quizzes
    assert f"{course / 'quizzes' / 'q.toml'}:4: question 'a': unknown type 'slider'" in (
        records(app)["content"].error
    )


def test_disabled_plugins_are_not_loaded(app_config, db):
    db["plugin_state"].insert({"name": "robotics", "enabled": 0, "updated_at": "now"})
    app = create_app(app_config)
    assert records(app)["robotics"].status == "disabled"
    assert "robotics" not in app.extensions["kepu"].catalog.courses


def test_each_app_has_its_own_plugin_manager(app_config, instance):
    first = create_app(app_config)
    second = create_app({**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]})
    assert first.extensions["kepu"].catalog.pm is not second.extensions["kepu"].catalog.pm
    assert "test-course" in second.extensions["kepu"].catalog.courses
    assert "test-course" not in first.extensions["kepu"].catalog.courses


@pytest.mark.parametrize("hook", ["kepu_courses", "kepu_question_types"])
def test_a_hook_returning_the_wrong_kind_is_recorded(app_config, instance, hook):
    code = f"from kepu_server import hookimpl\n\n@hookimpl\ndef {hook}(app):\n    return ['x']\n"
    make_folder_plugin(instance, "wrongkind", code)
    assert "not a" in records(create_app(app_config))["wrongkind"].error


def test_the_plugins_api_reports_name_file_line_and_message(
    app_config, instance, tmp_path, teacher
):
    make_folder_plugin(instance, "broken", "x = 1\nraise RuntimeError('boom at import')\n")
    course = tmp_path / "content" / "c"
    (course / "lessons").mkdir(parents=True)
    (course / "course.toml").write_text('id = "c"\ntitle = "c"\n')
    (course / "lessons" / "a.md").write_text('+++\nid = "a"\ntitle = "A\n+++\n## x\n')
    app = create_app({**app_config, "KEPU_CONTENT": str(course.parent)})
    response = app.test_client().get(
        "/api/v1/plugins", headers={"Authorization": f"Bearer {teacher['token']}"}
    )
    plugins = {p["name"]: p for p in response.get_json()}
    broken = plugins["broken"]
    assert broken["status"] == "failed"
    [error] = broken["errors"]
    assert error["file"].endswith("plugin.py") and error["line"] == 2
    assert "boom at import" in error["message"]
    [problem] = plugins["content"]["errors"]
    assert problem["file"].endswith("a.md") and problem["line"] == 3
    assert "invalid TOML" in problem["message"]
    assert app.test_client().get("/api/v1/courses/c").status_code == 200


def test_a_plugin_with_no_hooks_is_an_error_not_silence(app_config, instance):
    make_folder_plugin(
        instance,
        "empty",
        "from kepu_server import hookimpl\n\ndef kepu_courses(app):\n    return []\n",
    )
    record = records(create_app(app_config))["empty"]
    assert record.status == "failed" and "no kepu_* hook" in record.error
