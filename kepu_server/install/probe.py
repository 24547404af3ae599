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

    from kepu_server.checking import installed_dispatcher, plugin_report
    from kepu_server.dispatch import where
    from kepu_server.plugin_records import PluginRecord
    from kepu_server.plugins import ENTRY_POINT_GROUP, import_folder_plugin

    name = request["name"]
    if request.get("sys_path"):
        # First on the path, so the new version wins over an installed older one.
        sys.path.insert(0, request["sys_path"])
    # The installed version of the same plugin is left out (its types would clash), and so
    # are disabled plugins: their question types are not available to quizzes.
    dispatcher = installed_dispatcher(
        request.get("plugins_dir") and Path(request["plugins_dir"]),
        {name, *request.get("disabled", ())},
    )
    record = PluginRecord(name=name)
    try:
        if request.get("folder"):
            module = import_folder_plugin(Path(request["folder"]), name)
        else:
            module = EntryPoint(name, request["entry_point"], ENTRY_POINT_GROUP).load()
    except BaseException as exc:  # noqa: BLE001 - the report is the point
        file, line = where(exc)
        record.fail(exc if isinstance(exc, Exception) else RuntimeError(repr(exc)), file, line)
        return {"courses": [], "question_types": [], "problems": _lines(record)}
    return plugin_report(dispatcher, module, record)


def _lines(record) -> list[str]:
    return (record.error or "the plugin could not be loaded").splitlines()


def main() -> None:
    sys.dont_write_bytecode = True  # nothing may be left in the staging folder
    result = probe(json.loads(sys.argv[1]))
    sys.stdout.write("\n" + json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
