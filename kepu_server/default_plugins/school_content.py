"""Serves the school's own course folders (``--content``) and installed content packs.

Both are data only: nothing in them is imported or executed. Each pack is reported as its own
plugin record (source ``pack``, name = its course id) so it can be listed, disabled and
uninstalled; the content folder is the record ``content``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from kepu_server.content.loader import load_course_dir
from kepu_server.errors import ContentError
from kepu_server.hookspecs import hookimpl
from kepu_server.plugin_records import PluginRecord
from kepu_server.version import __version__


def course_folders(root: Path | None) -> list[Path]:
    if not root or not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def _pack_version(folder: Path) -> str:
    try:
        meta = tomllib.loads((folder / "course.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return "0"
    return str(meta.get("version", "0"))


class SchoolContent:
    """The built-in plugin ``content``: one instance per catalog build."""

    def __init__(self, content_dir: Path | None, packs_dir: Path | None, disabled: set[str]):
        self.content_dir = content_dir
        self.packs_dir = packs_dir
        self.disabled = disabled
        self.content_record = PluginRecord(
            name="content", version=__version__, source="bundled",
            title="School course folders", path=str(content_dir) if content_dir else None,
        )  # fmt: skip
        self.pack_records: list[PluginRecord] = []

    @hookimpl
    def kepu_courses(self, app):
        courses = []
        # Packs before the content folder: DESIGN's precedence (the earlier keeps an id).
        for folder in course_folders(self.packs_dir):
            record = PluginRecord(name=folder.name, version="0", source="pack", path=str(folder))
            self.pack_records.append(record)
            if folder.name in self.disabled:
                record.status = "disabled"
                record.version = _pack_version(folder)  # listed with its version all the same
                continue
            try:
                course = load_course_dir(folder)
            except ContentError as exc:
                record.fail(exc)
                continue
            record.version = course.version
            record.title = course.title
            course.plugin = folder.name
            courses.append(course)
        for folder in course_folders(self.content_dir):
            if not (folder / "course.toml").exists():
                continue
            try:
                course = load_course_dir(folder)
            except ContentError as exc:
                self.content_record.fail(exc)
                continue
            course.plugin = "content"
            courses.append(course)
        return courses
