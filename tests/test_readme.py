"""The README's quick start is exactly two commands, and CI runs the README's test command."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    return [
        line for block in blocks for line in block.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]  # fmt: skip


def test_quick_start_has_exactly_two_commands():
    commands = quick_start_commands()
    assert len(commands) == 2, commands
    assert "kepu serve" in commands[0] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start_commands()[1] in ci.splitlines()


def test_ci_checks_lint_and_format_and_ends_with_the_readme_test_command():
    lines = [line for line in (ROOT / ".ci" / "run").read_text("utf-8").splitlines() if line]
    assert lines[-1] == quick_start_commands()[1]
    assert ".venv/bin/ruff check ." in lines and ".venv/bin/ruff format --check ." in lines
