"""The layers stay apart: SQL only in ``kepu_server/store/``, ``classroom/`` free of Flask."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "kepu_server"
SQL = re.compile(r"\b(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE)\b")


def _string_literals(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                yield node.lineno, node.value


def sql_outside_store(package: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        if "store" in path.relative_to(package).parts[:1]:
            continue
        for line, text in _string_literals(path):
            if SQL.search(text):
                found.append(f"{path.relative_to(package.parent)}:{line}: {text[:60]!r}")
    return found


def test_no_sql_outside_the_store():
    assert sql_outside_store() == []


def test_the_sql_check_finds_sql_in_a_view(tmp_path):
    (tmp_path / "views").mkdir()
    (tmp_path / "views" / "x.py").write_text(
        'def f(db):\n    return db.query("SELECT name FROM users WHERE id = ?", [1])\n'
    )
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "ok.py").write_text('Q = "DELETE FROM users"\n')
    assert [hit.split(":")[0] for hit in sql_outside_store(tmp_path)] == [
        f"{tmp_path.name}/views/x.py"
    ]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_classroom_does_not_know_flask_or_the_request():
    bad = {}
    for path in sorted((PACKAGE / "classroom").glob("*.py")):
        hits = {
            name
            for name in _imports(path)
            if name.split(".")[0] in ("flask", "werkzeug", "flask_babel")
            or name.startswith(("kepu_server.auth", "kepu_server.views", "kepu_server.catalog"))
            or name == "kepu_server.store.db.get_db"
        }
        if hits:
            bad[path.name] = sorted(hits)
    assert bad == {}
