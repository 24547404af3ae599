"""Keep docs/plugin_hooks.md honest: every hook documented with its signature and tested."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

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
