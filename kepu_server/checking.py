"""``kepu check``: every problem as one ``file:line: message`` line.

With a path it checks one course folder, folder plugin or plugin project (a folder with a
``pyproject.toml`` and a course folder inside); without, everything the server would load.
Question types come from the core and every installed plugin, so plugin types validate too.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from kepu_server.catalog import validate_quizzes
from kepu_server.content.loader import load_course_dir
from kepu_server.errors import ContentError, PluginError, toml_error
from kepu_server.plugin_records import PluginRecord
from kepu_server.plugins import (
    check_requires,
    import_folder_plugin,
    load_plugins,
    new_plugin_manager,
    read_plugin_toml,
    register,
)


def _format(error: dict) -> str:
    where = error.get("file") or ""
    if where and error.get("line"):
        where = f"{where}:{error['line']}"
    return f"{where}: {error['message']}" if where else error["message"]


def installed_question_types(extra_plugin=None, record: PluginRecord | None = None) -> dict:
    pm = new_plugin_manager()
    load_plugins(pm, plugins_dir=None, disabled=set())
    if extra_plugin is not None:
        register(pm, extra_plugin, record or PluginRecord(name="checked"))
    types = {}
    for impl in pm.hook.kepu_question_types.get_hookimpls():
        try:
            for qtype in impl.function(*(None for _ in impl.argnames)) or []:
                types.setdefault(qtype.name, qtype)
        except Exception:  # noqa: BLE001 - another plugin's failure is not this check's
            continue
    return types


def check_course(folder: Path, question_types: dict) -> list[str]:
    try:
        course = load_course_dir(folder)
    except ContentError as exc:
        return [str(exc)]
    validate_quizzes(course, question_types)
    return [str(p) for p in course.problems]


def course_folders_in(path: Path) -> list[Path]:
    return sorted({p.parent for p in path.rglob("course.toml") if "build" not in p.parts})


def check_path(path: Path) -> list[str]:
    path = path.resolve()
    if path.is_file():
        return [f"{path}: to check an archive or wheel, run 'kepu plugins install --check {path}'"]
    if (path / "course.toml").is_file():
        return check_course(path, installed_question_types())
    if (path / "plugin.toml").is_file():
        return check_folder_plugin(path)
    folders = course_folders_in(path)
    problems = check_pyproject(path / "pyproject.toml")
    if not folders:
        return problems or [f"{path}: no course.toml or plugin.toml found here"]
    types = installed_question_types()
    return problems + [line for folder in folders for line in check_course(folder, types)]


def check_pyproject(file: Path) -> list[str]:
    """A plugin project must declare its entry point, or the server will never find it."""
    if not file.is_file():
        return []
    try:
        meta = tomllib.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return [str(toml_error(exc, file))]
    if not (meta.get("project", {}).get("entry-points", {}).get("kepu_server")):
        return [f"{file}: no [project.entry-points.kepu_server] table: the server will not "
                "find this plugin (add e.g. myname = \"my_package\")"]  # fmt: skip
    return []


def check_folder_plugin(path: Path) -> list[str]:
    try:
        meta = read_plugin_toml(path)
        check_requires(meta, path / "plugin.toml")
    except (ContentError, PluginError) as exc:
        return [str(exc) if isinstance(exc, ContentError) else f"{path / 'plugin.toml'}: {exc}"]
    record = PluginRecord(name=meta["name"], source="folder")
    try:
        module = import_folder_plugin(path, meta["name"])
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        from kepu_server.plugins import _where

        file, line = _where(exc)
        record.fail(exc, file, line)
        return [_format(e) for e in record.errors]
    types = installed_question_types(module, record)
    if record.errors:
        return [_format(e) for e in record.errors]
    problems = []
    for impl_fn in [getattr(module, "kepu_courses", None)]:
        if impl_fn is None:
            continue
        try:
            courses = impl_fn(app=None)
        except ContentError as exc:
            return [str(exc)]
        except Exception as exc:  # noqa: BLE001
            return [f"{path / 'plugin.py'}: kepu_courses raised {type(exc).__name__}: {exc}"]
        for course in courses or []:
            validate_quizzes(course, types)
            problems += [str(p) for p in course.problems]
    return problems


def check_everything(app) -> list[str]:
    """Every error of every plugin, pack and school course the server loaded."""
    catalog = app.extensions["kepu"].catalog
    lines = []
    for record in catalog.records:
        for error in record.errors:
            lines.append(f"[{record.name}] {_format(error)}")
    return lines
