"""Folder plugins (``plugin.toml`` + ``plugin.py``) through the CLI and a running server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_install_packs import (
    course_ids,
    http,
    kepu,
    snapshot,
    take_quiz,
    wait_for,
    write_pack,
    zip_folder,
)

PLUGIN_PY = '''\
"""A folder plugin with its own course and its own question type."""

from pathlib import Path

from kepu_server import QuestionType, hookimpl, load_course_dir


def _score(spec, response):
    if isinstance(response, bool) or not isinstance(response, int | float):
        raise ValueError("a number, please")
    return 1.0 if abs(response - spec["target"]) <= spec["target"] * 0.1 else 0.0


ESTIMATE = QuestionType(
    name="estimate",
    validate=lambda spec: [] if isinstance(spec.get("target"), int | float) else ["'target' must be a number"],
    public=lambda spec: {},
    score=_score,
)


@hookimpl
def kepu_courses(app):
    return [load_course_dir(Path(__file__).parent / "course")]


@hookimpl
def kepu_question_types(app):
    return [ESTIMATE]
'''

ESTIMATE_QUESTION = """
[[questions]]
id = "guess"
type = "estimate"
prompt = "估计一下：长江入海口每秒流过多少立方米的水？"
target = 30000
"""


def write_folder_plugin(folder: Path, name="rivers-plus", version="1.0.0", course_id="rivers",
                        plugin_py=PLUGIN_PY, title="河流"):  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plugin.toml").write_text(
        f'name = "{name}"\nversion = "{version}"\ntitle = "River course"\nrequires = ">=0.1"\n',
        "utf-8",
    )
    (folder / "plugin.py").write_text(plugin_py, "utf-8")
    course = write_pack(folder / "course", course_id=course_id, title=title)
    quiz = course / "quizzes" / "rivers-quiz.toml"
    quiz.write_text(quiz.read_text("utf-8") + ESTIMATE_QUESTION, "utf-8")
    return folder


def test_folder_plugin_is_served_live_with_its_own_question_type(
    instance, live_server, teacher, tmp_path
):
    base = live_server.url
    source = write_folder_plugin(tmp_path / "usb" / "anything")
    code, out = kepu("plugins", "install", source, "--instance", instance)
    assert code == 0, out
    assert "Installed folder plugin rivers-plus 1.0.0 (rivers)" in out
    assert (instance / "plugins" / "rivers-plus" / "plugin.py").is_file()
    assert wait_for(lambda: "rivers" in course_ids(base))

    answers = {"longest": 1, "length": 6300, "guess": 31000}
    result = take_quiz(base, teacher["token"], "rivers", "rivers-quiz", answers)
    assert (result["score"], result["max_score"]) == (3, 3)
    wrong = take_quiz(base, teacher["token"], "rivers", "rivers-quiz", {**answers, "guess": 500})
    assert wrong["score"] == 2

    code, out = kepu("plugins", "disable", "rivers-plus", "--instance", instance)
    assert code == 0
    assert wait_for(lambda: "rivers" not in course_ids(base))
    assert kepu("plugins", "enable", "rivers-plus", "--instance", instance)[0] == 0
    assert wait_for(lambda: "rivers" in course_ids(base))

    # A higher version replaces it; the running server serves the new title.
    newer = write_folder_plugin(tmp_path / "v2", version="1.2.0", title="大河")
    code, out = kepu("plugins", "install", zip_folder(newer, tmp_path / "v2.zip"), "--instance",
                     instance)  # fmt: skip
    assert code == 0 and "from 1.0.0 to 1.2.0" in out, out
    assert wait_for(lambda: http("GET", base + "/api/v1/courses/rivers")[1]["title"] == "大河")

    code, out = kepu("plugins", "uninstall", "rivers-plus", "--instance", instance)
    assert code == 0 and "Uninstalled folder plugin rivers-plus" in out
    assert not (instance / "plugins" / "rivers-plus").exists()
    assert wait_for(lambda: "rivers" not in course_ids(base))


BROKEN = [
    ("syntax error", "def kepu_courses(app:\n", "plugin.py:1"),
    ("misspelled hook", "from kepu_server import hookimpl\n\n@hookimpl\ndef kepu_course(app):\n"
     "    return []\n", "kepu_course"),
    ("raises on import", "raise RuntimeError('no network here')\n", "no network here"),
    ("course clash", PLUGIN_PY.replace('"course"', '"other"'), "already served by 'content'"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "plugin_py", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_folder_plugins_are_refused(instance, app, tmp_path, what, plugin_py, message):
    source = write_folder_plugin(tmp_path / "src", plugin_py=plugin_py)
    write_pack(source / "other", course_id="heiyoushan-trip")
    before = snapshot(instance)
    code, out = kepu("plugins", "install", source, "--instance", instance)
    assert code == 1, out
    assert message in out
    assert snapshot(instance) == before


def test_a_plugin_name_cannot_escape_the_plugins_folder(instance, app, tmp_path):
    source = write_folder_plugin(tmp_path / "src", name="../../escape")
    before = snapshot(instance)
    code, out = kepu("plugins", "install", source, "--instance", instance)
    assert code == 1 and "is not a valid name" in out
    assert snapshot(instance) == before


def test_a_name_taken_by_a_pack_is_refused(instance, app, tmp_path):
    assert kepu("plugins", "install", write_pack(tmp_path / "p"), "--instance", instance)[0] == 0
    source = write_folder_plugin(tmp_path / "src", name="rivers", course_id="brooks")
    code, out = kepu("plugins", "install", source, "--instance", instance)
    assert code == 1 and "a pack plugin called 'rivers' is installed already" in out
