"""Authored courses: content packs in ``<instance>/packs/<course>/`` written file by file.

Every write copies the pack into a staging folder, applies the change there, loads the copy
with the same loader and question types that serve courses, and only when that adds no
problem swaps the copy into place in one rename (as an install does). A refused write leaves
the pack byte for byte as it was. Each file has a ``version`` (a hash of its bytes): a write
that names the version it started from is refused with 409 when someone saved in between.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import tomllib
import zipfile
from pathlib import Path

import tomli_w

from kepu_server.catalog import validate_quizzes
from kepu_server.content.loader import LANG_RE, load_course_dir
from kepu_server.content.model import GRADES
from kepu_server.content.parsing import ID_RE
from kepu_server.errors import ApiError, ContentError
from kepu_server.install.staging import install_lock, staging_folder, swap_into_place

KINDS = {"lessons": ".md", "quizzes": ".toml", "guides": ".md"}
MAX_ID = 64


class InvalidCourse(ApiError):
    """A write that would make the course invalid: 422 with ``problems`` [{file, line, message}]."""

    def __init__(self, problems: list[dict]):
        first = problems[0]
        where = f"{first['file']}:{first['line']}" if first.get("line") else first["file"]
        super().__init__(422, "invalid_content",
                         f"not saved: {where}: {first['message']}"
                         + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))  # fmt: skip
        self.problems = problems


def check_id(value, what: str) -> str:
    if not isinstance(value, str) or not ID_RE.match(value) or len(value) > MAX_ID:
        raise ApiError(400, "bad_request", f"{what} must be lower-case letters, digits, '-' or '_'")
    return value


def file_version(path: Path) -> str | None:
    """The version of a file as the editor saw it; None when it does not exist."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except FileNotFoundError:
        return None


def packs_dir(app) -> Path:
    return Path(app.config["KEPU_INSTANCE"]) / "packs"


def item_path(root: Path, kind: str, item_id: str, lang: str | None = None) -> Path:
    check_id(item_id, "the id")
    if lang is not None and not LANG_RE.match(lang):
        raise ApiError(400, "bad_request", "'lang' must be a language code like 'en'")
    suffix = KINDS[kind]
    return root / kind / (f"{item_id}.{lang}{suffix}" if lang else f"{item_id}{suffix}")


# ---------------------------------------------------------------- file formats


def toml_text(data: dict) -> str:
    try:
        return tomli_w.dumps(data)
    except (TypeError, ValueError) as exc:
        # JSON null or a mixed array has no TOML form.
        raise ApiError(400, "bad_request", f"cannot be written as TOML: {exc}") from None


def front_matter_text(meta: dict, body: str) -> str:
    if not isinstance(body, str):
        raise ApiError(400, "bad_request", "'body' must be Markdown text")
    return f"+++\n{toml_text(meta)}+++\n{body.rstrip()}\n"


def read_item(path: Path) -> dict:
    """A file as the editor needs it: ``{meta, body}`` or the quiz's fields, plus ``version``."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        return {"quiz": tomllib.loads(text), "version": file_version(path)}
    lines = text.split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "+++")
    meta = tomllib.loads("\n".join(lines[1:end]))
    return {"meta": meta, "body": "\n".join(lines[end + 1 :]).strip("\n"),
            "version": file_version(path)}  # fmt: skip


# ---------------------------------------------------------------- validation


def _problems(root: Path, question_types) -> list[dict]:
    try:
        course = load_course_dir(root)
    except ContentError as exc:
        return [_relative(exc, root)]
    validate_quizzes(course, question_types)
    return [_relative(p, root) for p in course.problems]


def _relative(problem: ContentError, root: Path) -> dict:
    found = problem.as_dict()
    file = found.get("file") or ""
    try:
        found["file"] = Path(file).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        found["file"] = Path(file).name if file else "course.toml"
    return found


def _key(problem: dict) -> tuple:
    return (problem["file"], problem["message"])


# ---------------------------------------------------------------- writes


def apply_change(app, course_id: str, change) -> None:
    """Copy the pack, let ``change(root)`` edit the copy, validate, then swap it into place.

    Problems the course already had before this write do not block it (a copied course may
    bring some); a new problem refuses the write with 422.
    """
    holder = app.extensions["kepu"]
    types = holder.catalog.question_types
    instance = Path(app.config["KEPU_INSTANCE"])
    target = packs_dir(app) / course_id
    with install_lock(instance), staging_folder(instance) as stage:
        if not target.is_dir():
            raise ApiError(404, "not_found", f"no authored course {course_id!r}")
        before = {_key(p) for p in _problems(target, types)}
        new = stage / course_id
        shutil.copytree(target, new)
        change(new)
        added = [p for p in _problems(new, types) if _key(p) not in before]
        if added:
            raise InvalidCourse(added)
        swap_into_place(new, target, stage / "replaced")
    holder.refresh(force=True)


def create_pack(app, course_id: str, fill) -> None:
    """Make a new pack from ``fill(root)``; the id must be free everywhere on the server."""
    holder = app.extensions["kepu"]
    catalog = holder.refresh()
    instance = Path(app.config["KEPU_INSTANCE"])
    target = packs_dir(app) / course_id
    with install_lock(instance), staging_folder(instance) as stage:
        if catalog.course(course_id) is not None or target.exists():
            raise ApiError(
                409, "exists", f"a course {course_id!r} exists already: choose another id"
            )
        new = stage / course_id
        new.mkdir()
        fill(new)
        problems = _problems(new, catalog.question_types)
        if problems:
            raise InvalidCourse(problems)
        target.parent.mkdir(parents=True, exist_ok=True)
        swap_into_place(new, target, stage / "replaced")
    holder.refresh(force=True)


def new_course_toml(body: dict, course_id: str) -> dict:
    title = body.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ApiError(400, "missing_field", "missing field: title")
    grades = body.get("grades", list(GRADES))
    if not isinstance(grades, list) or not grades or any(g not in GRADES for g in grades):
        raise ApiError(400, "bad_request", f"'grades' must list some of {', '.join(GRADES)}")
    language = body.get("language", "zh")
    if not isinstance(language, str) or not LANG_RE.match(language):
        raise ApiError(400, "bad_request", "'language' must be a language code like 'zh'")
    meta = {"id": course_id, "title": title.strip(), "language": language, "grades": grades,
            "version": "1"}  # fmt: skip
    if isinstance(body.get("summary"), str) and body["summary"].strip():
        meta["summary"] = body["summary"].strip()
    translations = body.get("translations")
    if isinstance(translations, dict):
        meta["translations"] = {
            lang: {k: str(v) for k, v in text.items() if k in ("title", "summary") and v}
            for lang, text in translations.items()
            if isinstance(text, dict) and LANG_RE.match(str(lang))
        }
    return meta


def copy_course_into(source: Path, root: Path, course_id: str, title: str | None) -> None:
    """A served course's folder as a new pack: the same files, a new id, version 1."""
    shutil.copytree(source, root, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", ".*"))  # fmt: skip
    meta = tomllib.loads((root / "course.toml").read_text(encoding="utf-8"))
    meta.pop("requires", None)
    meta.update(id=course_id, version="1")
    if title:
        meta["title"] = title
    (root / "course.toml").write_text(toml_text(meta), encoding="utf-8")


def bump_version(root: Path) -> None:
    """Each save raises ``version`` in course.toml, so an exported copy upgrades an older one."""
    meta_file = root / "course.toml"
    meta = tomllib.loads(meta_file.read_text(encoding="utf-8"))
    current = str(meta.get("version", "0"))
    meta["version"] = str(int(current) + 1) if re.fullmatch(r"\d+", current) else f"{current}.1"
    meta_file.write_text(toml_text(meta), encoding="utf-8")


def check_version(path: Path, expected: str | None) -> None:
    if expected is None:
        return
    current = file_version(path)
    if expected != (current or "new"):
        raise ApiError(409, "conflict",
                       f"{path.parent.name}/{path.name} was changed by someone else since you "
                       "opened it: reload it, redo your change, then save")  # fmt: skip


# ---------------------------------------------------------------- export


def export_zip(root: Path) -> bytes:
    """The pack as a zip with one top folder ``<course>/``, as ``kepu plugins install`` takes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file() and not any(p.startswith(".") for p in path.relative_to(root).parts):
                archive.write(path, f"{root.name}/{path.relative_to(root).as_posix()}")
    return out.getvalue()


def read_item_toml(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def ensure_language(root: Path, lang: str) -> None:
    """A translation file is only served when course.toml offers its language: offer it."""
    meta_file = root / "course.toml"
    meta = tomllib.loads(meta_file.read_text(encoding="utf-8"))
    if lang == meta.get("language", "zh") or lang in meta.get("translations", {}):
        return
    meta.setdefault("translations", {})[lang] = {"title": meta["title"]}
    meta_file.write_text(toml_text(meta), encoding="utf-8")
