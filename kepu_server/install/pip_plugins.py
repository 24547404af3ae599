"""Plugins installed with pip into the server's own Python environment.

A wheel is unpacked into staging (under the same safety rules as a content pack) and checked
before pip sees it: it must declare an entry point in the ``kepu_server`` group, its
``Requires-Dist: kepu-server`` must accept this server, its courses must pass ``kepu check``
and must not reuse another plugin's course id. A requirement ("kepu-ocean==1.2") or a project
folder is first turned into a wheel with ``pip wheel``, then checked the same way.

A running server loads a new or upgraded pip plugin only after a restart: its code is already
imported. ``restart_notes`` tells the admin page which plugins are waiting for one.
"""

from __future__ import annotations

import configparser
import importlib
import importlib.metadata
import subprocess
import sys
from email.parser import Parser
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from kepu_server.install.archive import Limits, extract_zip
from kepu_server.install.errors import InstallError, InstallResult
from kepu_server.install.rules import (
    check_conflicts,
    check_requires,
    check_upgrade,
    relabel,
    run_probe,
)
from kepu_server.plugins import ENTRY_POINT_GROUP
from kepu_server.plugins import dist_name as ep_dist_name

PIP = [sys.executable, "-m", "pip"]
PIP_QUIET = ["--no-input", "--disable-pip-version-check"]


def is_requirement(text: str) -> bool:
    try:
        Requirement(text)
    except InvalidRequirement:
        return False
    return True


def _run_pip(args: list[str], what: str) -> str:
    proc = subprocess.run([*PIP, *args, *PIP_QUIET], capture_output=True, text=True)
    if proc.returncode != 0:
        tail = [line for line in (proc.stderr or proc.stdout).strip().splitlines() if line][-6:]
        raise InstallError("pip", f"pip could not {what}", tail)
    return proc.stdout


def build_wheel(requirement: str, dest: Path, *, local_project: bool) -> Path:
    """``pip wheel`` a requirement or a project folder into ``dest``; the plugin's wheel."""
    args = ["wheel", "--no-deps", "-w", str(dest)]
    if local_project:
        # Offline-friendly: use the setuptools already installed instead of downloading one.
        args.append("--no-build-isolation")
    _run_pip([*args, requirement], f"build a wheel from {requirement}")
    wheels = sorted(dest.glob("*.whl"))
    if len(wheels) != 1:
        raise InstallError("pip", f"pip made {len(wheels)} wheels from {requirement}; expected 1")
    return wheels[0]


def read_wheel_metadata(unpacked: Path) -> tuple[str, str, dict[str, str], str | None]:
    """(distribution name, version, {entry-point name: value}, kepu-server specifier)."""
    infos = sorted(unpacked.glob("*.dist-info"))
    if len(infos) != 1 or not (infos[0] / "METADATA").is_file():
        raise InstallError("invalid", "not a wheel: no single *.dist-info/METADATA inside")
    meta = Parser().parsestr((infos[0] / "METADATA").read_text(encoding="utf-8"))
    requires_core = None
    for line in meta.get_all("Requires-Dist") or []:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        if req.name.lower().replace("_", "-") == "kepu-server" and req.marker is None:
            requires_core = str(req.specifier) or None
    entry_points: dict[str, str] = {}
    ep_file = infos[0] / "entry_points.txt"
    if ep_file.is_file():
        parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
        parser.optionxform = str  # entry-point names are case-sensitive
        parser.read_string(ep_file.read_text(encoding="utf-8"))
        if parser.has_section(ENTRY_POINT_GROUP):
            entry_points = dict(parser.items(ENTRY_POINT_GROUP))
    return meta["Name"], meta["Version"], entry_points, requires_core


def installed_entry_points() -> dict[str, importlib.metadata.EntryPoint]:
    """The ``kepu_server`` entry points installed now (read afresh from disk)."""
    importlib.invalidate_caches()
    return {ep.name: ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def _normal(name: str) -> str:
    return name.lower().replace("_", "-")


def install_wheel(catalog, instance: Path, wheel: Path, stage: Path, label: str, limits: Limits,
                  dry_run: bool) -> InstallResult:  # fmt: skip
    """Check the wheel, then ``pip install`` it."""
    unpacked = stage / "wheel"
    unpacked.mkdir()
    extract_zip(wheel, unpacked, limits)
    dist_name, version, entry_points, requires_core = read_wheel_metadata(unpacked)
    if not entry_points:
        raise InstallError(
            "invalid",
            f"{label} is not a Kepu Server plugin: it declares no entry point in the "
            f"{ENTRY_POINT_GROUP!r} group ([project.entry-points.{ENTRY_POINT_GROUP}])",
        )
    check_requires(requires_core, f"{label} (Requires-Dist)")
    installed = installed_entry_points()
    courses: list[str] = []
    for name, value in entry_points.items():
        other = installed.get(name)
        if other is not None and _normal(ep_dist_name(other)) != _normal(dist_name):
            raise InstallError(
                "conflict", f"the plugin name {name!r} is taken by {ep_dist_name(other)}"
            )
        report = run_probe(catalog, {"name": name, "sys_path": str(unpacked), "entry_point": value,
                            "plugins_dir": str(instance / "plugins")})  # fmt: skip
        if report["problems"]:
            problems = relabel(report["problems"], unpacked.resolve(), label)
            raise InstallError(
                "invalid", f"plugin {name!r} has {len(problems)} problem(s) (kepu check)", problems
            )
        check_conflicts(catalog, instance, name, "pip", report["courses"])
        courses += report["courses"]
    try:
        old = importlib.metadata.distribution(dist_name).version
    except importlib.metadata.PackageNotFoundError:
        old = None
    if old is not None and _normal(dist_name) == "kepu-server":
        raise InstallError("conflict", "this is Kepu Server itself, not a plugin")
    action = check_upgrade(dist_name, version, old, label)
    result = InstallResult(", ".join(entry_points), "pip", version, action, courses, old, True)
    if dry_run:
        result.action = "checked"
        return result
    _run_pip(["install", str(wheel)], f"install {label}")
    return result


def uninstall_pip_plugin(name: str) -> str:
    """``pip uninstall`` the distribution that provides the entry point ``name``."""
    ep = installed_entry_points().get(name)
    if ep is None:
        raise InstallError("not_found", f"no pip plugin called {name!r}")
    dist_name = ep_dist_name(ep)
    if _normal(dist_name) == "kepu-server":
        raise InstallError(
            "not_allowed",
            f"{name!r} is bundled with Kepu Server and cannot be uninstalled; disable it instead",
        )
    _run_pip(["uninstall", "-y", dist_name], f"uninstall {dist_name}")
    return dist_name


def pip_versions() -> dict[str, str]:
    """{entry-point name: distribution version} of every pip or bundled plugin installed now."""
    found = {}
    for name, ep in installed_entry_points().items():
        dist = getattr(ep, "dist", None)
        found[name] = dist.version if dist else "0"
    return found


def restart_notes(loaded: dict[str, str]) -> dict[str, str]:
    """Plugins whose installed version differs from the one this process loaded at start.

    ``loaded`` is ``pip_versions()`` taken when the app was created. Returns
    {name: "installed" | "upgraded" | "uninstalled"}.
    """
    now = pip_versions()
    notes = {}
    for name, version in now.items():
        if name not in loaded:
            notes[name] = "installed"
        elif loaded[name] != version:
            notes[name] = "upgraded"
    for name in loaded.keys() - now.keys():
        notes[name] = "uninstalled"
    return notes
