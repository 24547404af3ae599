"""Content packs (``<instance>/packs/<course-id>/``) and folder plugins (``<instance>/plugins/``).

Both arrive already copied into a staging folder by ``archive``; here they are validated with
the ``kepu check`` rules and, only when everything passes, swapped into place in one rename.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from kepu_server.catalog import validate_quizzes
from kepu_server.content.loader import load_course_dir
from kepu_server.content.parsing import read_toml
from kepu_server.errors import ContentError
from kepu_server.install.errors import InstallError, InstallResult
from kepu_server.install.rules import (
    check_conflicts,
    check_name,
    check_requires,
    check_upgrade,
    relabel,
    run_probe,
)
from kepu_server.install.staging import swap_into_place
from kepu_server.plugins import read_plugin_toml


def _installed_version(meta_file: Path) -> str:
    """The version of what is installed now; "0" when its file cannot be read."""
    try:
        return str(tomllib.loads(meta_file.read_text(encoding="utf-8")).get("version", "0"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return "0"


def install_pack(catalog, instance: Path, root: Path, stage: Path, label: str, dry_run: bool):
    """Validate the course folder at ``root`` and make it ``<instance>/packs/<course-id>``."""
    root = root.resolve()
    try:
        course = load_course_dir(root)
        meta = read_toml(root / "course.toml")
    except ContentError as exc:
        raise InstallError(
            "invalid", "this is not a valid content pack", relabel([str(exc)], root, label)
        ) from None
    check_requires(meta.get("requires"), f"{label}/course.toml")
    validate_quizzes(course, catalog.question_types)
    if course.problems:
        problems = relabel([str(p) for p in course.problems], root, label)
        raise InstallError(
            "invalid", f"the content pack has {len(problems)} problem(s) (kepu check)", problems
        )
    name = course.id
    check_name(name, "course id")
    check_conflicts(catalog, instance, name, "pack", [name])
    target = instance / "packs" / name
    old = _installed_version(target / "course.toml") if target.is_dir() else None
    action = check_upgrade(name, course.version, old, f"{label}/course.toml")
    result = InstallResult(name, "pack", course.version, action, [name], old)
    if dry_run:
        result.action = "checked"
        return result
    swap_into_place(root, target, stage / "replaced")
    return result


def _folder_plugin_target(catalog, instance: Path, name: str) -> Path:
    """Where the installed plugin called ``name`` lives (its folder may be named otherwise)."""
    record = catalog.record(name)
    if record is not None and record.source == "folder" and record.path:
        return Path(record.path)
    return instance / "plugins" / name


def install_folder_plugin(
    catalog, instance: Path, root: Path, stage: Path, label: str, dry_run: bool
):
    """Validate the folder plugin at ``root`` (loading it in a separate process) and install it."""
    root = root.resolve()
    try:
        meta = read_plugin_toml(root)
    except ContentError as exc:
        raise InstallError(
            "invalid", "this is not a valid folder plugin", relabel([str(exc)], root, label)
        ) from None
    name = meta["name"]
    check_name(name, "plugin name")
    check_requires(meta.get("requires"), f"{label}/plugin.toml")
    report = run_probe(
        catalog, {"name": name, "folder": str(root), "plugins_dir": str(instance / "plugins")}
    )
    if report["problems"]:
        problems = relabel(report["problems"], root, label)
        raise InstallError(
            "invalid", f"the plugin has {len(problems)} problem(s) (kepu check)", problems
        )
    check_conflicts(catalog, instance, name, "folder", report["courses"])
    target = _folder_plugin_target(catalog, instance, name)
    old = _installed_version(target / "plugin.toml") if target.is_dir() else None
    action = check_upgrade(name, meta["version"], old, f"{label}/plugin.toml")
    result = InstallResult(name, "folder", meta["version"], action, report["courses"], old)
    if dry_run:
        result.action = "checked"
        return result
    swap_into_place(root, target, stage / "replaced")
    return result
