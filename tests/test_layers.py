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


# sqlite-utils reaches a table without writing SQL: ``db["users"].rows_where(...)``,
# ``db.table("users")``, ``db.query(...)``. Outside store/ that is SQL by another name.
DB_NAMES = {"db", "database", "conn", "connection"}
DB_CALLS = {"get_db", "open_db", "connect"}
DB_METHODS = {"table", "query", "execute", "executemany", "executescript", "rows_where",
              "insert", "insert_all", "upsert", "upsert_all", "delete_where", "transform"}  # fmt: skip


def _is_db(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return node.id in DB_NAMES
    if isinstance(node, ast.Attribute):
        return node.attr in DB_NAMES
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        return name in DB_CALLS
    return False


def table_access_outside_store(package: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        if "store" in path.relative_to(package).parts[:1]:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            hit = (
                isinstance(node, ast.Subscript)
                and _is_db(node.value)
                and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, str)
            ) or (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in DB_METHODS
                and _is_db(node.func.value)
            )
            if hit:
                found.append(f"{path.relative_to(package.parent)}:{node.lineno}")
    return found


def test_no_table_access_outside_the_store():
    assert table_access_outside_store() == []


def test_the_table_check_finds_sqlite_utils_calls_outside_the_store(tmp_path):
    (tmp_path / "cli.py").write_text(
        "def f(db, name):\n"
        '    rows = list(db["users"].rows_where("name = ?", [name]))\n'
        '    get_db().table("answers").insert({"x": 1})\n'
        '    return rows, db.query("select 1"), app.db.execute("pragma x")\n'
    )
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "ok.py").write_text('def g(db):\n    return db["users"].count\n')
    assert sorted(hit.split(":", 1)[1] for hit in table_access_outside_store(tmp_path)) == [
        "2", "3", "4", "4"
    ]  # fmt: skip


def test_xapi_records_without_flask_or_the_views():
    bad = {}
    for path in sorted((PACKAGE / "xapi").glob("*.py")):
        hits = {
            name
            for name in _imports(path)
            if name.split(".")[0] in ("flask", "werkzeug", "flask_babel")
            or name.startswith(("kepu_server.views", "kepu_server.catalog", "kepu_server.auth"))
        }
        if hits:
            bad[path.name] = sorted(hits)
    assert bad == {}


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
