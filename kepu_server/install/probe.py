"""Load a plugin that is not installed yet, in a separate Python process, and report on it.

The installer runs ``python -m kepu_server.install.probe REQUEST_JSON`` so that importing a
new plugin's code (and an older version of it that may be installed) never touches the
process doing the install. The last line of the output is a JSON object::

    {"courses": ["ocean"], "question_types": ["range"], "problems": ["file:line: message"]}

``REQUEST_JSON`` has ``name`` (the plugin's NAME) and either ``folder`` (a folder plugin) or
``sys_path`` + ``entry_point`` (an unpacked wheel and its ``module[:attr]``); optionally
``plugins_dir`` (the instance's folder plugins) and ``disabled`` (names to leave out).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def probe(request: dict) -> dict:
    """Register the plugin beside the core and the installed plugins; check its courses."""
    from importlib.metadata import EntryPoint

    from kepu_server.catalog import validate_quizzes
    from kepu_server.errors import ContentError
    from kepu_server.plugin_records import PluginRecord
    from kepu_server.plugins import (
        ENTRY_POINT_GROUP,
        _where,
        import_folder_plugin,
        load_plugins,
        new_plugin_manager,
        register,
    )

    name = request["name"]
    if request.get("sys_path"):
        # First on the path, so the new version wins over an installed older one.
        sys.path.insert(0, request["sys_path"])
    pm = new_plugin_manager()
    # The installed version of the same plugin is left out (its types would clash), and so
    # are disabled plugins: their question types are not available to quizzes.
    load_plugins(pm, plugins_dir=request.get("plugins_dir") and Path(request["plugins_dir"]),
                 disabled={name, *request.get("disabled", ())})  # fmt: skip
    record = PluginRecord(name=name)
    try:
        if request.get("folder"):
            module = import_folder_plugin(Path(request["folder"]), name)
        else:
            module = EntryPoint(name, request["entry_point"], ENTRY_POINT_GROUP).load()
    except BaseException as exc:  # noqa: BLE001 - the report is the point
        file, line = _where(exc)
        record.fail(exc if isinstance(exc, Exception) else RuntimeError(repr(exc)), file, line)
        return {"courses": [], "question_types": [], "problems": _lines(record)}
    register(pm, module, record)
    if record.errors:
        return {"courses": [], "question_types": [], "problems": _lines(record)}

    types, own_types, problems = {}, [], []
    for impl in reversed(pm.hook.kepu_question_types.get_hookimpls()):
        try:
            found = impl.function(*(None for _ in impl.argnames)) or []
        except Exception as exc:  # noqa: BLE001
            if impl.plugin_name == name:
                problems.append(f"kepu_question_types raised {type(exc).__name__}: {exc}")
            continue
        for qtype in found:
            if impl.plugin_name == name:
                own_types.append(qtype.name)
                if qtype.name in types:
                    problems.append(f"question type {qtype.name!r} exists already")
                    continue
            types.setdefault(qtype.name, qtype)

    courses = []
    hook = getattr(module, "kepu_courses", None)
    if hook is not None:
        try:
            courses = list(hook(app=None) or [])
        except ContentError as exc:
            problems.append(str(exc))
        except Exception as exc:  # noqa: BLE001
            file, line = _where(exc)
            where = f"{file}:{line}: " if file else ""
            problems.append(f"{where}kepu_courses raised {type(exc).__name__}: {exc}")
    for course in courses:
        validate_quizzes(course, types)
        problems += [str(p) for p in course.problems]
    return {"courses": [c.id for c in courses], "question_types": own_types, "problems": problems}


def _lines(record) -> list[str]:
    return (record.error or "the plugin could not be loaded").splitlines()


def main() -> None:
    sys.dont_write_bytecode = True  # nothing may be left in the staging folder
    result = probe(json.loads(sys.argv[1]))
    sys.stdout.write("\n" + json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
