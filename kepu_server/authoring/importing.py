"""Import a question file into an authored course's quiz: the web's and ``kepu import``'s path.

The questions land in ``quizzes/<quiz>.toml`` (appended when the quiz exists, ids renumbered
where they clash) through the same validated, atomic write as every other save.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from kepu_server.authoring import packs
from kepu_server.authoring.result import EXTENSIONS, FORMATS, ImportFileError, parse
from kepu_server.errors import ApiError


def format_for(filename: str, fmt: str | None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise ApiError(400, "bad_request", f"'format' must be one of {', '.join(FORMATS)}")
        return fmt
    found = EXTENSIONS.get(Path(filename).suffix.lower())
    if found is None:
        raise ApiError(400, "bad_request",
                       f"say which format {filename!r} is in: {', '.join(FORMATS)}")  # fmt: skip
    return found


def import_into(app, course_id: str, data: bytes, filename: str, fmt: str | None,
                quiz_id: str | None, title: str | None = None) -> dict:  # fmt: skip
    """Parse ``data`` and save its questions; returns ``{quiz, imported, skipped, path}``.

    Raises ``ApiError`` (400 unreadable file, 422 nothing importable or the quiz would be
    invalid) with nothing written.
    """
    fmt = format_for(filename, fmt)
    stem = re.sub(r"[^a-z0-9_-]+", "-", Path(filename).stem.lower()).strip("-")
    quiz_id = packs.check_id(quiz_id or stem or "imported", "'quiz'")
    try:
        result = parse(data, fmt)
    except ImportFileError as exc:
        raise ApiError(400, "unreadable_file", str(exc)) from None
    if not result.questions:
        error = packs.InvalidCourse([{"file": filename or fmt, "line": s["line"],
                                      "message": s["reason"]} for s in result.skipped]
                                    or [{"file": filename or fmt, "line": None,
                                         "message": "no questions found in the file"}])  # fmt: skip
        error.message = f"nothing imported: {error.message.removeprefix('not saved: ')}"
        raise error
    root = packs.packs_dir(app) / course_id
    path = packs.item_path(root, "quizzes", quiz_id)
    added = []

    def change(new_root: Path) -> None:
        target = new_root / "quizzes" / path.name
        if target.exists():
            quiz = tomllib.loads(target.read_text(encoding="utf-8"))
        else:
            quiz = {"id": quiz_id, "title": title or Path(filename).stem or quiz_id}
        questions = list(quiz.get("questions", []))
        taken = {q.get("id") for q in questions}
        for question in result.questions:
            number = len(questions) + 1
            while question["id"] in taken:
                question["id"] = f"q{number}"
                number += 1
            taken.add(question["id"])
            questions.append(question)
            added.append(question["id"])
        quiz["questions"] = questions
        target.parent.mkdir(exist_ok=True)
        target.write_text(packs.toml_text(quiz), encoding="utf-8")
        packs.bump_version(new_root)

    packs.apply_change(app, course_id, change)
    return {"quiz": quiz_id, "imported": len(added), "questions": added,
            "skipped": result.skipped, "notes": result.notes,
            "path": f"quizzes/{path.name}"}  # fmt: skip
