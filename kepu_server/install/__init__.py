"""Install, upgrade and remove course plugins and content packs; enable and disable them.

One entry point for the CLI and the admin page::

    result = install(app, "ocean-pack.zip")                   # or a folder, a wheel, "kepu-x==1.2"
    result = install(app, upload, allowed={"pack"}, label="ocean.zip")   # from the web
    uninstall(app, "ocean")
    set_enabled(app, "ocean", False)

What a source is, is decided by what it holds: ``course.toml`` makes a content pack,
``plugin.toml`` a folder plugin, a ``.whl``, a Python project folder or a pip requirement a pip
plugin. Everything is copied into a staging folder inside the instance and validated there
first; only a source that passes every rule is moved into place, in one rename. A refusal
raises :class:`InstallError` and leaves the instance folder as it was, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

from kepu_server.install.archive import (
    Limits,
    UnsafeArchive,
    content_root,
    copy_folder,
    extract_zip,
)
from kepu_server.install.errors import InstallError, InstallResult
from kepu_server.install.local import install_folder_plugin, install_pack
from kepu_server.install.pip_plugins import (
    build_wheel,
    install_wheel,
    installed_entry_points,
    is_requirement,
    pip_versions,
    restart_notes,
    uninstall_pip_plugin,
)
from kepu_server.install.staging import install_lock, remove_folder, staging_folder
from kepu_server.install.state import forget
from kepu_server.install.state import set_enabled as _set_enabled

ALL_KINDS = frozenset({"pack", "folder", "pip"})
KIND_NAMES = {"pack": "a content pack", "folder": "a folder plugin", "pip": "a pip plugin"}
PROJECT_FILES = ("pyproject.toml", "setup.py")

__all__ = [
    "ALL_KINDS", "InstallError", "InstallResult", "install", "pip_versions", "restart_notes",
    "set_enabled", "uninstall",
]  # fmt: skip


def _instance(app) -> Path:
    return Path(app.config["KEPU_INSTANCE"])


def _allow(kind: str, allowed) -> None:
    if kind not in allowed:
        only = " or ".join(KIND_NAMES[k] for k in sorted(allowed))
        raise InstallError(
            "not_allowed",
            f"this is {KIND_NAMES[kind]}; only {only} can be installed here"
            + (" (plugins with code are installed on the server with 'kepu plugins install')"
               if kind != "pack" else ""),
        )  # fmt: skip


def install(app, source, *, allowed=ALL_KINDS, label: str | None = None, dry_run=False):
    """Install ``source`` (a path or a pip requirement) into ``app``'s instance.

    ``allowed`` limits the kinds accepted (the web accepts only ``{"pack"}``); ``label`` is
    how problems name the source (an uploaded file's name); ``dry_run`` validates only.
    Returns an :class:`InstallResult`; raises :class:`InstallError`.
    """
    instance = _instance(app)
    catalog = app.extensions["kepu"].refresh()
    limits = Limits.from_config(app.config)
    text = str(source)
    path = Path(text).expanduser()
    label = label or path.name or text
    with install_lock(instance), staging_folder(instance) as stage:
        try:
            if path.is_dir() and not any((path / m).is_file() for m in PROJECT_FILES):
                root = stage / "new"
                root.mkdir()
                copy_folder(path, root, limits)
            elif path.is_dir():
                _allow("pip", allowed)
                wheel = build_wheel(str(path.resolve()), stage / "dist", local_project=True)
                return install_wheel(catalog, instance, wheel, stage, label, limits, dry_run)
            elif path.is_file() and path.suffix.lower() == ".whl":
                _allow("pip", allowed)
                return install_wheel(catalog, instance, path, stage, label, limits, dry_run)
            elif path.is_file() and path.suffix.lower() == ".zip":
                root = stage / "new"
                root.mkdir()
                extract_zip(path, root, limits)
                root = content_root(root)
            elif path.is_file():
                raise InstallError(
                    "invalid",
                    f"{label}: install a .zip content pack, a .whl wheel or a folder",
                )
            elif "pip" in allowed and not path.exists() and is_requirement(text):
                wheel = build_wheel(text, stage / "dist", local_project=False)
                return install_wheel(catalog, instance, wheel, stage, label, limits, dry_run)
            else:
                raise InstallError("not_found", f"{text}: no such file or folder")
        except UnsafeArchive as exc:
            raise InstallError("unsafe", f"{label} was refused as unsafe: {exc}") from None
        except OSError as exc:
            raise InstallError("invalid", f"{label} could not be read: {exc}") from None
        if (root / "course.toml").is_file():
            _allow("pack", allowed)
            return install_pack(catalog, instance, root, stage, label, dry_run)
        if (root / "plugin.toml").is_file():
            _allow("folder", allowed)
            return install_folder_plugin(catalog, instance, root, stage, label, dry_run)
        if any((root / m).is_file() for m in PROJECT_FILES):
            raise InstallError(
                "invalid", f"{label} holds a Python project: build a wheel and install that"
            )
        raise InstallError(
            "invalid",
            f"{label} is neither a content pack (no course.toml) nor a folder plugin "
            "(no plugin.toml)",
        )


def uninstall(app, name: str) -> str:
    """Remove the pack or plugin called ``name``; returns a sentence saying what was done."""
    instance = _instance(app)
    catalog = app.extensions["kepu"].refresh()
    record = catalog.record(name)
    with install_lock(instance), staging_folder(instance) as stage:
        if record is not None and record.source == "pack":
            target = instance / "packs" / name
            if not target.is_dir():
                raise InstallError("not_found", f"the pack folder {target} is gone already")
            remove_folder(target, stage / "removed")
            text = f"Uninstalled content pack {name}."
        elif record is not None and record.source == "folder" and record.path:
            remove_folder(Path(record.path), stage / "removed")
            text = f"Uninstalled folder plugin {name}."
        elif record is not None and record.source == "bundled":
            raise InstallError(
                "not_allowed", f"{name!r} is part of Kepu Server; disable it instead"
            )
        elif name in installed_entry_points():
            dist = uninstall_pip_plugin(name)
            text = f"Uninstalled pip plugin {name} ({dist}). Restart the server to unload it."
        else:
            raise InstallError("not_found", f"no plugin or content pack called {name!r}")
    forget(app.config["KEPU_DATABASE"], name)
    return text


def set_enabled(app, name: str, enabled: bool) -> bool:
    """Enable or disable ``name``; False when it already was. Takes effect on the next reload."""
    catalog = app.extensions["kepu"].refresh()
    changed = _set_enabled(
        app.config["KEPU_DATABASE"], catalog, name, enabled, extra_names=installed_entry_points()
    )
    return changed
