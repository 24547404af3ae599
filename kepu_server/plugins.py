"""Find and register plugins: built-in defaults, entry points, folder plugins, extras.

The order of registration is the order of precedence; ``kepu_server.dispatch`` calls them.

One ``pluggy.PluginManager`` per catalog build (so per app; never a module global). Each
plugin is registered on its own and checked with ``check_pending`` at once, so a misspelled
hook, a failed import or a bad ``plugin.toml`` marks only that plugin failed.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import sys
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from kepu_server import hookspecs
from kepu_server.default_plugins import question_types as core_question_types
from kepu_server.dispatch import PluginFailures, where
from kepu_server.errors import ContentError, PluginError, toml_error
from kepu_server.plugin_records import PluginRecord
from kepu_server.version import __version__

ENTRY_POINT_GROUP = "kepu_server"
FOLDER_MODULE_PREFIX = "kepu_folder_plugin_"


def new_plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("kepu_server")
    pm.add_hookspecs(hookspecs)
    return pm


def register(pm: pluggy.PluginManager, plugin: Any, record: PluginRecord) -> bool:
    """Register ``plugin`` under ``record.name``; on any error unregister and record it."""
    try:
        pm.register(plugin, name=record.name)
        pm.check_pending()
        callers = pm.get_hookcallers(plugin)
        if not callers:
            # Silence here hides real mistakes (a missing @hookimpl, an empty package).
            raise PluginError("implements no kepu_* hook (is @hookimpl missing?)")
        for caller in callers:
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and (
                    impl.tryfirst or impl.trylast or impl.wrapper or impl.hookwrapper
                ):
                    # The order is DESIGN's precedence (see kepu_server.dispatch).
                    raise PluginError(
                        f"{caller.name}: tryfirst, trylast and wrappers are not supported: "
                        "plugins are called in a fixed order by where they come from"
                    )
    except Exception as exc:  # noqa: BLE001 - any plugin error is recorded, not raised
        if pm.is_registered(plugin):
            pm.unregister(plugin)
        record.fail(exc, getattr(plugin, "__file__", None))
        return False
    return True


def dist_name(ep) -> str:
    """The name of the distribution that installed entry point ``ep`` ("" if unknown)."""
    dist = getattr(ep, "dist", None)
    return (dist.metadata["Name"] if dist else "") or ""


def is_bundled(ep) -> bool:
    """Whether ``ep`` ships inside the ``kepu-server`` distribution itself."""
    return dist_name(ep).lower().replace("_", "-") == "kepu-server"


def entry_point_plugins(disabled: set[str]) -> Iterable[tuple[PluginRecord, Callable[[], Any]]]:
    """Plugins installed with pip (and the bundled ones), by the ``kepu_server`` group."""
    # Bundled plugins first, so a pip plugin can never take a bundled course's id.
    ordered = sorted(
        importlib.metadata.entry_points(group=ENTRY_POINT_GROUP),
        key=lambda ep: (not is_bundled(ep), ep.name),
    )
    for ep in ordered:
        dist = getattr(ep, "dist", None)
        record = PluginRecord(
            name=ep.name,
            version=dist.version if dist else "0",
            source="bundled" if is_bundled(ep) else "pip",
            title=dist_name(ep),
        )
        record.files_stamp = ("entry point", record.version, ep.value)
        if ep.name in disabled:
            record.status = "disabled"
        yield record, ep.load


def read_plugin_toml(folder: Path) -> dict:
    """The metadata of a folder plugin, checked; raises ``ContentError`` with file and line."""
    meta_file = folder / "plugin.toml"
    try:
        text = meta_file.read_text(encoding="utf-8")
        meta = tomllib.loads(text)
    except FileNotFoundError:
        raise ContentError("no plugin.toml in this folder", folder) from None
    except UnicodeDecodeError:
        raise ContentError("not UTF-8 text", meta_file) from None
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(exc, meta_file, 0, text) from None
    except RecursionError:
        raise ContentError("invalid TOML: arrays or tables nested too deeply", meta_file) from None
    for key in ("name", "version"):
        if not isinstance(meta.get(key), str) or not meta[key].strip():
            raise ContentError(f"{key!r} is required and must be text", meta_file)
    if not (folder / "plugin.py").is_file():
        raise ContentError("no plugin.py beside plugin.toml", folder)
    return meta


def meets_requires(requires) -> bool:
    """Whether this server's version satisfies ``requires``, a version specifier such as
    ">=0.1,<1". Raises ``InvalidSpecifier`` when it is not one."""
    return SpecifierSet(str(requires)).contains(Version(__version__), prereleases=True)


def check_requires(meta: dict, meta_file: Path) -> None:
    requires = meta.get("requires")
    if not requires:
        return
    try:
        met = meets_requires(requires)
    except InvalidSpecifier:
        raise ContentError(
            f"'requires' is not a version specifier: {requires!r}", meta_file
        ) from None
    if not met:
        raise PluginError(f"needs Kepu Server {requires}, this server is {__version__}")


def import_folder_plugin(folder: Path, name: str):
    """Import ``plugin.py`` afresh (an upgraded plugin replaces the old module)."""
    module_name = FOLDER_MODULE_PREFIX + name.replace("-", "_")
    sys.modules.pop(module_name, None)
    spec = importlib.util.spec_from_file_location(module_name, folder / "plugin.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def folder_plugins(root: Path | None, disabled: set[str]):
    """Folder plugins in ``<instance>/plugins/``: (record, loader) pairs."""
    if not root or not root.is_dir():
        return
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        record = PluginRecord(name=folder.name, source="folder", path=str(folder))
        try:
            meta = read_plugin_toml(folder)
        except ContentError as exc:
            record.fail(exc)
            yield record, None
            continue
        record.name = meta["name"]
        record.version = meta["version"]
        record.title = str(meta.get("title", ""))
        if record.name in disabled:
            record.status = "disabled"
            yield record, None
            continue
        try:
            check_requires(meta, folder / "plugin.toml")
        except (ContentError, PluginError) as exc:
            record.fail(exc, str(folder / "plugin.toml"))
            yield record, None
            continue
        record.files_stamp = files_stamp(folder)
        yield record, (lambda folder=folder, name=record.name: import_folder_plugin(folder, name))


def files_stamp(folder: Path) -> tuple:
    """Every file under ``folder`` with its size and modification time (no ``__pycache__``)."""
    entries = []
    for path in sorted(folder.rglob("*")):
        if "__pycache__" in path.parts:
            continue
        try:
            st = path.stat()
        except OSError:
            continue
        entries.append((str(path.relative_to(folder)), st.st_mtime_ns, st.st_size))
    return tuple(entries)


def extra_plugins(extra: Iterable[Any]) -> Iterable[tuple[PluginRecord, Callable[[], Any]]]:
    """``KEPU_EXTRA_PLUGINS``: module names or modules (tests), or ``(name, "module:attr",
    path)`` entry points of a plugin project being previewed (``kepu serve --plugin``)."""
    for plugin in extra:
        if isinstance(plugin, tuple | list):
            name, value, path = plugin
            ep = importlib.metadata.EntryPoint(name, value, ENTRY_POINT_GROUP)
            record = PluginRecord(name=name, source="pip", title=f"preview of {path}", path=path)
            record.files_stamp = ("preview", value, path)
            yield record, ep.load
            continue
        module = importlib.import_module(plugin) if isinstance(plugin, str) else plugin
        name = getattr(module, "__name__", repr(module)).rsplit(".", 1)[-1]
        record = PluginRecord(name=name, source="pip", title=name)
        record.files_stamp = ("extra", name)
        yield record, (lambda m=module: m)


def load_plugins(
    pm: pluggy.PluginManager,
    *,
    plugins_dir: Path | None,
    disabled: set[str],
    extra: Iterable[Any] = (),
    entry_points: bool = True,
    failures: PluginFailures | None = None,
) -> list[PluginRecord]:
    """Register everything but the school-content plugin; return a record per plugin.

    Registration order is DESIGN's precedence, which the ``Dispatcher`` calls in: the core's
    built-in question types, bundled plugins, pip plugins, folder plugins, then ``extra``.
    A plugin remembered in ``failures`` (its code raised, and its files have not changed
    since) is not imported again: it keeps its failed record.
    """
    pm.register(core_question_types, name="core")
    records: list[PluginRecord] = []
    extras = list(extra_plugins(extra))
    previewed = {record.name for record, _ in extras}
    candidates = list(entry_point_plugins(disabled)) if entry_points else []
    # A previewed project stands in for an installed copy of itself (not listed twice).
    candidates = [(r, load) for r, load in candidates if r.name not in previewed]
    candidates += list(folder_plugins(plugins_dir, disabled)) + extras
    seen: set[str] = set()
    for record, loader in candidates:
        records.append(record)
        if record.name in seen:
            record.fail(PluginError(f"another plugin is already called {record.name!r}"))
            continue
        seen.add(record.name)
        if record.status != "ok" or loader is None:
            continue
        remembered = failures.recall(record.name, record.files_stamp) if failures else None
        if remembered is not None:
            record.status, record.errors = "failed", remembered
            continue
        try:
            plugin = loader()
        except BaseException as exc:  # noqa: BLE001 - even SystemExit from a plugin is contained
            file, line = where(exc)
            record.fail(exc if isinstance(exc, Exception) else PluginError(repr(exc)), file, line)
        else:
            register(pm, plugin, record)
        if record.status == "failed" and failures is not None:
            failures.remember(record.name, record.files_stamp, record.errors)
    return records


def project_entry_points(file: Path) -> tuple[dict[str, str], list[str]]:
    """A plugin project's ``[project.entry-points.kepu_server]``: ``({name: value}, problems)``.

    A project without one is a problem: the server would never find the plugin.
    """
    try:
        meta = tomllib.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, [str(toml_error(exc, file))]
    found = meta.get("project", {}).get("entry-points", {}).get(ENTRY_POINT_GROUP)
    if not found or not isinstance(found, dict):
        return {}, [f"{file}: no [project.entry-points.kepu_server] table: the server will not "
                    "find this plugin (add e.g. myname = \"my_package\")"]  # fmt: skip
    return {str(k): str(v) for k, v in found.items()}, []


def project_import_root(project: Path) -> Path:
    """Where a project's package is imported from: ``src/`` in a src layout, else the root."""
    return project / "src" if (project / "src").is_dir() else project


def preview_plugins(projects) -> list[tuple[str, str, str]]:
    """``KEPU_EXTRA_PLUGINS`` entries for plugin projects not installed (``kepu serve
    --plugin PATH``): each project's package is imported from its own folder."""
    found = []
    for project in map(Path, projects):
        project = project.resolve()
        if not (project / "pyproject.toml").is_file():
            raise PluginError(
                f"{project}: not a plugin project (no pyproject.toml); a folder plugin is "
                "previewed by copying it into <instance>/plugins/"
            )
        entry_points, problems = project_entry_points(project / "pyproject.toml")
        if problems:
            raise PluginError(problems[0])
        root = str(project_import_root(project))
        if root not in sys.path:
            sys.path.insert(0, root)  # before an installed copy of the same package
        found += [(name, value, str(project)) for name, value in entry_points.items()]
    return found
