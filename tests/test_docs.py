"""Keep docs/plugin_hooks.md honest: every hook documented with its signature and tested."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from kepu_server import hookspecs

ROOT = Path(__file__).resolve().parent.parent
HOOKS = sorted(
    name for name, fn in vars(hookspecs).items()
    if name.startswith("kepu_") and inspect.isfunction(fn)
)  # fmt: skip


def test_there_are_hooks():
    assert {"kepu_courses", "kepu_question_types", "kepu_markdown_extensions", "kepu_blueprints",
            "kepu_commands", "kepu_startup", "kepu_session_event"} <= set(HOOKS)  # fmt: skip


def test_every_hook_is_documented_with_its_exact_signature():
    docs = (ROOT / "docs" / "plugin_hooks.md").read_text(encoding="utf-8")
    for name in HOOKS:
        params = ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
        assert re.search(rf"^## {name}\({re.escape(params)}\)", docs, re.M), (
            f"docs/plugin_hooks.md has no section '## {name}({params})'"
        )


def test_every_hook_has_a_test_of_its_own():
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py"))
    for name in HOOKS:
        assert f"def test_hook_{name}(" in tests, f"no test_hook_{name} in tests/"


# ---------------------------------------------------------------- every example runs

FENCE = re.compile(r"(?:<!-- (not-run|scaffold): ?(.*?) -->\n)?```(\w*)\n(.*?)```", re.S)
DOCS = sorted((ROOT / "docs").glob("*.md"))


def examples(doc: Path, language: str) -> list[tuple[str | None, str, str]]:
    """``(marker, marker text, code)`` of each fenced block in ``language``."""
    text = doc.read_text(encoding="utf-8")
    return [(m[0] or None, m[1], m[3]) for m in FENCE.findall(text) if m[2] == language]


def test_every_python_example_is_run_or_says_why_not():
    for doc in DOCS:
        for marker, reason, _code in examples(doc, "python"):
            if marker == "not-run":
                assert reason.strip(), f"{doc.name}: a not-run example must say why"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_toml_example_parses(doc):
    import tomllib

    for marker, _reason, code in examples(doc, "toml"):
        if marker != "not-run":
            tomllib.loads(code)


def _exercise(app, module, hook: str, tmp_path: Path) -> None:
    """Make the app call ``hook`` of the example the way the server does, and check it."""
    catalog = app.extensions["kepu"].catalog
    client = app.test_client()
    if hook == "kepu_courses":
        assert client.get("/api/v1/courses/test-course").status_code == 200
    elif hook == "kepu_question_types":
        qtype = catalog.question_types["range"]
        assert qtype.validate({"low": 1, "high": 2}) == [] and qtype.validate({"low": 3, "high": 2})
        assert qtype.score({"low": 1, "high": 2}, 1.5) == 1.0
        assert "low" not in qtype.public({"low": 1, "high": 2, "unit": "m"})
        from kepu_server.content.model import Question
        from kepu_server.quiz.scoring import public_question, response_label

        if "label_range" in vars(module):  # plugin_hooks.md: label and shuffle as well
            assert response_label(qtype, {"unit": "m"}, 1.5) == "1.5 m"
            cards = catalog.question_types["cards"]
            spec = {"cards": list("abcdefgh")}
            question = Question("c1", "cards", "?", 1, "", spec)
            orders = {tuple(public_question(cards, question, "?", bytes([i]) * 32)["cards"])
                      for i in range(4)}  # fmt: skip
            assert len(orders) > 1 and all(sorted(o) == spec["cards"] for o in orders)
            assert response_label(cards, spec, ["b", "a"]) == "b → a"
    elif hook == "kepu_markdown_extensions":
        assert "<mark>x</mark>" in catalog.renderer.render("==x==")
    elif hook == "kepu_blueprints":
        rules = [r.rule for r in app.url_map.iter_rules()]
        assert any(rule.startswith(f"/x/{module.__name__}/") for rule in rules), rules
    elif hook == "kepu_commands":
        import click
        from click.testing import CliRunner

        group = click.Group("kepu")
        catalog.dispatcher.call("kepu_commands", cli=group)
        [name] = group.commands
        result = CliRunner().invoke(group, [name])
        assert result.exit_code == 0, result.output
    elif hook == "kepu_startup":
        pass  # ran in create_app, with the config.toml key the example asks for
    elif hook == "kepu_session_event":
        _one_class_session(app, client)
    else:
        raise AssertionError(f"no exercise for {hook}: add one to tests/test_docs.py")


def _one_class_session(app, client) -> None:
    """joined, answered, submitted, ended: each event reaches the plugin for real."""
    from kepu_server.auth import create_api_token, create_user
    from kepu_server.store.db import open_db

    db = open_db(app.config["KEPU_DATABASE"])
    token = create_api_token(db, create_user(db, "docs-teacher", "long enough pw"))
    db.conn.close()
    teacher = {"Authorization": f"Bearer {token}"}
    session = client.post("/api/v1/sessions", json={"course": "test-course", "quiz": "water-quiz"},
                          headers=teacher).get_json()  # fmt: skip
    joined = client.post("/api/v1/join", json={"code": session["code"], "name": "小红"}).get_json()
    student = {"Authorization": f"Bearer {joined['token']}"}
    assert (
        client.put("/api/v1/me/answers/q1", json={"response": 0}, headers=student).status_code
        == 200
    )
    assert client.post("/api/v1/me/submit", json={}, headers=student).status_code == 200
    ended = client.post(f"/api/v1/sessions/{session['id']}/end", headers=teacher)
    assert ended.status_code == 200


@pytest.mark.parametrize("doc", [d for d in DOCS if examples(d, "python")], ids=lambda p: p.name)
def test_every_python_example_runs_as_a_plugin(doc, tmp_path):
    """A doc's Python examples, in order, make one plugin module (as an author pastes them into
    ``plugin.py``); the server loads it and calls each hook it defines, for real."""
    import shutil
    import types

    from kepu_server import create_app

    shutil.copytree(ROOT / "tests" / "plugins" / "test_course", tmp_path / "course")
    name = "docs_" + doc.stem
    module = types.ModuleType(name)
    module.__file__ = str(tmp_path / "plugin.py")
    for marker, _reason, code in examples(doc, "python"):
        if marker != "not-run":
            exec(compile(code, f"{doc}", "exec"), module.__dict__)
    hooks = [h for h in HOOKS if h in module.__dict__]
    assert hooks, f"{doc.name}: its examples implement no hook"
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.toml").write_text(f'myplugin_folder = "{tmp_path}"\n')
    app = create_app({"TESTING": True, "KEPU_INSTANCE": str(instance), "KEPU_CONTENT": "",
                      "KEPU_RELOAD_INTERVAL": None, "KEPU_EXTRA_PLUGINS": [module]})  # fmt: skip
    for hook in hooks:
        _exercise(app, module, hook, tmp_path)
    record = app.extensions["kepu"].catalog.record(name)
    assert record.status == "ok" and not record.errors, record.error


def test_every_setting_the_readme_documents_is_read_by_the_code():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Settings: `instance/config.toml`", 1)[1].split("\n#", 1)[0]
    keys = re.findall(r"^\| `(\w+)` \|", section, re.M)
    assert {"host", "port", "threads"} <= set(keys)
    code = "\n".join(p.read_text("utf-8") for p in (ROOT / "kepu_server").rglob("*.py"))
    for key in keys:
        assert f'"KEPU_{key.upper()}"' in code, f"README documents {key!r}; nothing reads it"
