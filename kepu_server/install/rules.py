"""The rules every install obeys: names, versions, ``requires``, and course ids nobody else has."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from packaging.specifiers import InvalidSpecifier
from packaging.version import InvalidVersion, Version

from kepu_server.content.parsing import ID_RE
from kepu_server.install.errors import InstallError
from kepu_server.plugins import meets_requires
from kepu_server.version import __version__

# Names the core uses for itself: no pack or plugin may take them.
RESERVED_NAMES = {"content", "core", "kepu", "kepu_server", "kepu-server"}
SOURCE_OF_KIND = {"pack": "pack", "folder": "folder", "pip": "pip"}


def check_name(name: str, what: str) -> None:
    if not isinstance(name, str) or not ID_RE.match(name):
        raise InstallError(
            "invalid", f"{what} {name!r} is not a valid name: use a-z, 0-9, '-' and '_'"
        )
    if name in RESERVED_NAMES:
        raise InstallError("conflict", f"the name {name!r} is reserved by Kepu Server")


def parse_version(value, where: str) -> Version:
    try:
        return Version(str(value))
    except InvalidVersion:
        raise InstallError(
            "invalid", f"{where}: version {value!r} is not a version number like 1.2.0"
        ) from None


def check_requires(requires, where: str) -> None:
    """Refuse when ``requires`` (a version specifier) excludes this server's version."""
    if not requires:
        return
    try:
        met = meets_requires(requires)
    except InvalidSpecifier:
        raise InstallError(
            "invalid", f"{where}: 'requires' is not a version specifier: {requires!r}"
        ) from None
    if not met:
        raise InstallError(
            "requires",
            f"{where}: needs Kepu Server {requires}, but this server is {__version__}",
        )


def check_upgrade(name: str, new: str, old: str | None, where: str) -> str:
    """'installed' or 'upgraded'; refuses a version that is not higher than the installed."""
    if old is None:
        return "installed"
    new_v, old_v = parse_version(new, where), parse_version(old or "0", f"installed {name}")
    if new_v <= old_v:
        raise InstallError(
            "installed",
            f"{name} {old} is already installed; only a higher version than {old} can "
            f"replace it (this one is {new}). Uninstall it first to go back to an older one.",
        )
    return "upgraded"


def check_conflicts(catalog, instance: Path, name: str, kind: str, course_ids) -> None:
    """Refuse a NAME used by another kind of plugin, or a course id another one serves."""
    source = SOURCE_OF_KIND[kind]
    for record in catalog.records:
        if record.name == name and record.source != source:
            raise InstallError(
                "conflict",
                f"a {record.source} plugin called {name!r} is installed already; "
                "choose another name",
            )
    for course_id in course_ids:
        course = catalog.courses.get(course_id)
        if course is not None and course.plugin != name:
            raise InstallError(
                "conflict",
                f"course id {course_id!r} is already served by {course.plugin!r}; "
                "a course id must be unique on the server",
            )
        # A disabled pack serves nothing now but owns its id: enabling it would clash.
        if (instance / "packs" / course_id).is_dir() and not (kind == "pack" and name == course_id):
            raise InstallError(
                "conflict", f"course id {course_id!r} belongs to the installed pack {course_id!r}"
            )


def run_probe(catalog, request: dict, timeout: float = 120) -> dict:
    """Run ``kepu_server.install.probe`` in a fresh interpreter; its JSON report."""
    if catalog is not None:  # None: ``kepu check`` of a project, with no instance
        request["disabled"] = [r.name for r in catalog.records if r.status == "disabled"]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "kepu_server.install.probe", json.dumps(request)],
            capture_output=True, text=True, timeout=timeout, env=env,
            cwd=request.get("folder") or request.get("sys_path"),
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise InstallError("invalid", f"loading the plugin took over {timeout:.0f} s") from None
    lines = proc.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise InstallError("invalid", "the plugin could not be loaded", tail) from None


def relabel(lines, root: Path, label: str) -> list[str]:
    """Show problems relative to what the user gave, not to the staging folder."""
    prefix = str(root)
    return [line.replace(prefix + os.sep, label + "/").replace(prefix, label) for line in lines]
