"""``kepu plugins new NAME``: a plugin project that passes ``kepu check`` and its own test.

The templates in ``scaffold/plugin/`` end in ``.tmpl`` so that no tool mistakes them for the
project's own code, course or configuration. Placeholders are plain ``__UPPER__`` words, not
``$`` or ``{}``, which lesson text and TOML use for themselves.
"""

from __future__ import annotations

import re
from pathlib import Path

from kepu_server.errors import KepuError
from kepu_server.version import __version__

TEMPLATES = Path(__file__).parent / "plugin"
NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
FILE_NAMES = {"gitignore": ".gitignore"}


def _title(name: str) -> str:
    return " ".join(part.capitalize() for part in re.split(r"[-_]+", name) if part)


def names_for(name: str) -> dict[str, str]:
    """The names derived from a plugin NAME: package, distribution, project folder."""
    base = re.sub(r"^kepu[-_]", "", name)
    package = "kepu_" + base.replace("-", "_")
    dist = "kepu-" + base.replace("_", "-")
    return {
        "__NAME__": name,
        "__PACKAGE__": package,
        "__DIST__": dist,
        "__WHEEL__": dist.replace("-", "_"),
        "__KEPU_VERSION__": __version__,
    }


def new_plugin(name: str, directory: Path, *, title: str | None = None,
               title_en: str | None = None) -> Path:  # fmt: skip
    """Write the project ``<directory>/kepu-<name>``; returns its path."""
    if not NAME_RE.match(name):
        raise KepuError(
            f"{name!r} is not a valid plugin name: start with a letter, then a-z, 0-9, '-' or "
            "'_' (it is also the course id)"
        )
    values = names_for(name)
    values["__TITLE_EN__"] = _escape(title_en or _title(name))
    values["__TITLE__"] = _escape(title or title_en or _title(name))
    project = Path(directory) / values["__DIST__"]
    if project.exists() and any(project.iterdir()):
        raise KepuError(f"{project} exists already and is not empty")
    for template in sorted(TEMPLATES.rglob("*.tmpl")):
        relative = template.relative_to(TEMPLATES).as_posix()[: -len(".tmpl")]
        relative = FILE_NAMES.get(relative, relative)
        for key, value in values.items():
            relative = relative.replace(key, value)
        text = template.read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace(key, value)
        target = project / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return project


def _escape(title: str) -> str:
    """A title as it may stand inside a TOML or Python double-quoted string."""
    return title.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
