"""``kepu check``: every problem as one ``file:line: message`` line.

With a path it checks one course folder, folder plugin or plugin project (a folder with a
``pyproject.toml``, as ``kepu plugins new`` makes); without, everything the server would load.
A plugin (folder or project) is loaded beside the core and the installed plugins, so its own
question types validate its own quizzes; a project is loaded in a separate Python process,
exactly as ``kepu plugins install`` does (``kepu_server.install.probe``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kepu_server.catalog import validate_quizzes
from kepu_server.content.loader import load_course_dir
from kepu_server.content.model import Course
from kepu_server.dispatch import Dispatcher, where
from kepu_server.errors import ContentError, KepuError, PluginError
from kepu_server.plugin_records import PluginRecord
from kepu_server.plugins import (
    check_requires,
    import_folder_plugin,
    load_plugins,
    new_plugin_manager,
    project_entry_points,
    project_import_root,
    read_plugin_toml,
    register,
)
from kepu_server.quiz.types import QuestionType


def _format(error: dict) -> str:
    where_ = error.get("file") or ""
    if where_ and error.get("line"):
        where_ = f"{where_}:{error['line']}"
    return f"{where_}: {error['message']}" if where_ else error["message"]


def installed_dispatcher(plugins_dir: Path | None = None, disabled=()) -> Dispatcher:
    """The core and every installed plugin (but ``disabled``), registered as the server does."""
    pm = new_plugin_manager()
    records = load_plugins(pm, plugins_dir=plugins_dir, disabled=set(disabled))
    return Dispatcher(pm, records)


def question_types(dispatcher: Dispatcher, own: str | None = None):
    """``(types, own type names, problems)``: every working plugin's question types, the
    earlier plugin keeping a name; a clash by plugin ``own`` is one of its problems."""
    types: dict[str, QuestionType] = {}
    own_types, problems = [], []
    for plugin_name, found in dispatcher.call("kepu_question_types", app=None):
        for qtype in found or []:
            if not isinstance(qtype, QuestionType):
                if plugin_name == own:
                    problems.append(f"kepu_question_types: not a QuestionType: {qtype!r}")
                continue
            if plugin_name == own:
                own_types.append(qtype.name)
                if qtype.name in types:
                    problems.append(f"question type {qtype.name!r} exists already")
                    continue
            types.setdefault(qtype.name, qtype)
    return types, own_types, problems


def installed_question_types() -> dict[str, QuestionType]:
    return question_types(installed_dispatcher())[0]


def plugin_report(dispatcher: Dispatcher, plugin: Any, record: PluginRecord) -> dict[str, list]:
    """Register ``plugin`` last (beside the installed ones); check its types and courses.

    ``{"courses": [ids], "question_types": [names], "problems": ["file:line: message"]}``.
    """
    dispatcher.records.append(record)
    if not register(dispatcher.pm, plugin, record):
        return {"courses": [], "question_types": [], "problems": _lines(record)}
    types, own_types, problems = question_types(dispatcher, own=record.name)
    found = dispatcher.call("kepu_courses", only={record.name}, app=None)
    if record.name in dispatcher.broken:
        return {"courses": [], "question_types": own_types, "problems": _lines(record)}
    courses = []
    for _name, result in found:
        for course in result or []:
            if isinstance(course, Course):
                courses.append(course)
            else:
                problems.append(f"kepu_courses: not a Course: {course!r}")
    for course in courses:
        validate_quizzes(course, types)
        problems += [str(p) for p in course.problems]
    return {"courses": [c.id for c in courses], "question_types": own_types, "problems": problems}


def _lines(record: PluginRecord) -> list[str]:
    return [_format(e) for e in record.errors] or ["the plugin could not be loaded"]


def check_course(folder: Path, types: dict) -> list[str]:
    try:
        course = load_course_dir(folder)
    except ContentError as exc:
        return [str(exc)]
    validate_quizzes(course, types)
    return [str(p) for p in course.problems]


def course_folders_in(path: Path) -> list[Path]:
    return sorted({p.parent for p in path.rglob("course.toml") if "build" not in p.parts})


def check_path(path: Path) -> list[str]:
    path = Path(path).resolve()
    if path.is_file():
        return [f"{path}: to check an archive or wheel, run 'kepu plugins install --check {path}'"]
    if (path / "course.toml").is_file():
        return check_course(path, installed_question_types())
    if (path / "plugin.toml").is_file():
        return check_folder_plugin(path)
    if (path / "pyproject.toml").is_file():
        entry_points, problems = project_entry_points(path / "pyproject.toml")
        if entry_points:
            return problems + check_project(path, entry_points)
    else:
        problems = []
    folders = course_folders_in(path)
    if not folders:
        return problems or [f"{path}: no course.toml or plugin.toml found here"]
    types = installed_question_types()
    return problems + [line for folder in folders for line in check_course(folder, types)]


def check_project(project: Path, entry_points: dict[str, str]) -> list[str]:
    """Load each entry point of a plugin project in a fresh Python process (the probe)."""
    from kepu_server.install.rules import run_probe

    problems = []
    for name, value in entry_points.items():
        request = {"name": name, "entry_point": value,
                   "sys_path": str(project_import_root(project))}  # fmt: skip
        try:
            report = run_probe(None, request)
        except KepuError as exc:  # the probe itself could not run or report
            problems.append(f"{project}: plugin {name!r}: {exc}")
            continue
        problems += report["problems"]
    return problems


def check_folder_plugin(path: Path) -> list[str]:
    try:
        meta = read_plugin_toml(path)
        check_requires(meta, path / "plugin.toml")
    except (ContentError, PluginError) as exc:
        return [str(exc) if isinstance(exc, ContentError) else f"{path / 'plugin.toml'}: {exc}"]
    record = PluginRecord(name=meta["name"], source="folder")
    dispatcher = installed_dispatcher(disabled={meta["name"]})
    try:
        module = import_folder_plugin(path, meta["name"])
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        file, line = where(exc)
        record.fail(exc, file, line)
        return _lines(record)
    return plugin_report(dispatcher, module, record)["problems"]


def check_everything(app) -> list[str]:
    """Every error of every plugin, pack and school course the server loaded."""
    catalog = app.extensions["kepu"].catalog
    lines = []
    for record in catalog.records:
        for error in record.errors:
            lines.append(f"[{record.name}] {_format(error)}")
    return lines
