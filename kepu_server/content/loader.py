"""Read a course folder (``course.toml``, ``lessons/``, ``quizzes/``, ``guides/``, ``media/``).

``load_course_dir`` never executes anything from the folder. A broken ``course.toml`` raises
``ContentError``; a broken lesson, quiz or guide is recorded in ``Course.problems`` with its
file and line and left out, so the rest of the course still serves.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from kepu_server.content.model import (
    GRADES,
    Course,
    Guide,
    Lesson,
    Question,
    Quiz,
    Section,
    Step,
)
from kepu_server.content.parse_cache import parsed
from kepu_server.content.parsing import (
    ID_RE,
    file_text,
    grades,
    optional_id,
    positive_int,
    read_toml,
    required_id,
    required_str,
    same_id,
    split_front_matter,
    split_sections,
    str_tuple,
)
from kepu_server.errors import ContentError

LANG_RE = re.compile(r"^[a-z]{2}(?:[-_][A-Za-z]{2,4})?\Z")
# Fields of a question that carry the right answer or scoring: a translation may repeat them
# (a translator often copies the whole file) but only with the default file's value. Which of a
# question's other fields a translation may change is its type's ``translatable``, checked by
# the catalog (``catalog.translation_problems``), which knows the types.
UNTRANSLATABLE = {"id", "type", "answer", "answers", "points", "tolerance"}
KEY_DEFAULTS = {"points": 1, "tolerance": 0}  # what the default file means when it leaves them out


def load_course_dir(path: str | Path) -> Course:
    """Build a :class:`Course` from a course folder.

    Raises ``ContentError`` (with file and line) when ``course.toml`` is missing or invalid;
    problems in other files are collected in ``course.problems`` and those items left out.
    """
    path = Path(path).resolve()
    meta_file = path / "course.toml"
    if not meta_file.is_file():
        raise ContentError("no course.toml in this folder", path)
    meta = parsed(meta_file, "toml", _parse_toml, fresh=True)
    course = Course(
        id=required_id(meta, meta_file),
        title=required_str(meta, "title", meta_file),
        language=str(meta.get("language", "zh")),
        grades=grades(meta.get("grades", list(GRADES)), meta_file),
        summary=str(meta.get("summary", "")),
        version=str(meta.get("version", "0")),
        path=path,
    )
    for lang, text in (meta.get("translations") or {}).items():
        if not isinstance(text, dict):
            raise ContentError(f"[translations.{lang}] must be a table", meta_file)
        course.translations[lang] = {
            k: str(v) for k, v in text.items() if k in ("title", "summary")
        }

    _load_items(course, path / "lessons", ".md", _load_lesson, course.lessons)
    _load_items(course, path / "quizzes", ".toml", _load_quiz, course.quizzes)
    _load_items(course, path / "guides", ".md", _load_guide, course.guides)
    course.lessons = _ordered(course.lessons, meta.get("order"), meta_file, course)
    course.guides = _ordered(course.guides, None, meta_file, course)
    _check_references(course)
    return course


def _ordered(items: dict, order, meta_file: Path, course: Course) -> dict:
    """Lessons in the order ``course.toml`` gives (``order = [ids]``), the rest by grade band.

    A primary lesson comes before a middle-school one, so a course reads from easy to hard
    even when its file names sort otherwise.
    """
    rank = {grade: i for i, grade in enumerate(GRADES)}

    def by_grade(item) -> tuple:
        return (min((rank[g] for g in item.grades), default=len(GRADES)), item.source)

    listed: list[str] = []
    if order is not None:
        try:
            listed = list(str_tuple(order, "order", meta_file))
        except ContentError as exc:
            course.problems.append(exc)
        for unknown in [i for i in listed if i not in items]:
            course.problems.append(
                ContentError(
                    f"'order' names lesson {unknown!r}, which is not in lessons/", meta_file
                )  # fmt: skip
            )
    first = [items[i] for i in dict.fromkeys(listed) if i in items]
    rest = sorted((item for item in items.values() if item not in first), key=by_grade)
    return {item.id: item for item in [*first, *rest]}


def _load_items(course, folder: Path, suffix: str, load_one, into: dict) -> None:
    if not folder.is_dir():
        return
    with os.scandir(folder) as found:  # what Path.suffix == suffix keeps, without a stat each
        names = [e.name for e in found if e.name.endswith(suffix) and e.is_file()]
    files = sorted(folder / n for n in names if len(n) > len(suffix))  # ".md" has no suffix
    langs = {file: _translation_lang(file) for file in files}
    # Each default file's translations, in file order: one pass, not one per default file.
    by_stem: dict[str, list[tuple[str, Path]]] = {}
    for file, lang in langs.items():
        if lang:
            by_stem.setdefault(file.name.split(".")[0], []).append((lang, file))
    for file in (f for f in files if not langs[f]):
        try:
            item = load_one(file)
            if item.id in into:
                raise ContentError(
                    f"duplicate id {item.id!r} (also in {into[item.id].source})", file
                )
            translations = by_stem.get(file.name.split(".")[0], ())
            item = _attach_translations(item, translations, load_one, course)
            into[item.id] = item
        except ContentError as exc:
            course.problems.append(exc)
    for file, lang in langs.items():
        if lang and not (folder / f"{file.name.split('.')[0]}{suffix}").exists():
            course.problems.append(ContentError("translation without a default file", file))


def _translation_lang(file: Path) -> str | None:
    parts = file.name.split(".")
    if len(parts) == 3 and LANG_RE.match(parts[1]):
        return parts[1]
    return None


def _attach_translations(item, translations, load_one, course: Course):
    for lang, other in translations:
        try:
            item.translations[lang] = load_one(other, default=item)
        except ContentError as exc:
            course.problems.append(exc)
    return item


def _parse_toml(file: Path, data: bytes) -> dict:
    return read_toml(file, data=data)


def _parse_lesson(file: Path, data: bytes) -> tuple[dict, tuple[Section, ...], int]:
    """A lesson's front matter, its sections (frozen, so shared by snapshots), body line."""
    meta, body, body_line = split_front_matter(file, data)
    return meta, tuple(Section(*part) for part in split_sections(body, body_line)), body_line


def _parse_guide(file: Path, data: bytes) -> tuple[dict, tuple[Step, ...], int]:
    meta, body, body_line = split_front_matter(file, data)
    return meta, tuple(Step(*part) for part in split_sections(body, body_line)), body_line


def _load_lesson(file: Path, default: Lesson | None = None):
    meta, sections, body_line = parsed(file, "lesson", _parse_lesson)
    if default is not None:
        same_id(meta, default, file)
        if len(sections) != len(default.sections):
            raise ContentError(
                f"translation has {len(sections)} sections, the default file has "
                f"{len(default.sections)}",
                file,
            )
        override: dict[str, Any] = {"sections": sections}
        if "title" in meta:
            override["title"] = str(meta["title"])
        if "objectives" in meta:
            override["objectives"] = str_tuple(meta["objectives"], "objectives", file)
        return override
    if not sections:
        raise ContentError("no sections: start each one with a '## ' heading", file, body_line)
    return Lesson(
        id=required_id(meta, file),
        title=required_str(meta, "title", file),
        grades=grades(meta.get("grades", []), file),
        minutes=positive_int(meta, "minutes", file),
        objectives=str_tuple(meta.get("objectives", []), "objectives", file),
        quiz=optional_id(meta, "quiz", file),
        guides=str_tuple(meta.get("guides", []), "guides", file),
        sections=sections,
        source=str(file),
    )


def _load_guide(file: Path, default: Guide | None = None):
    meta, steps, body_line = parsed(file, "guide", _parse_guide)
    if default is not None:
        same_id(meta, default, file)
        if len(steps) != len(default.steps):
            raise ContentError(
                f"translation has {len(steps)} steps, the default file has {len(default.steps)}",
                file,
            )
        override: dict[str, Any] = {"steps": steps}
        if "title" in meta:
            override["title"] = str(meta["title"])
        for key in ("materials", "safety"):
            if key in meta:
                override[key] = str_tuple(meta[key], key, file)
        return override
    if not steps:
        raise ContentError("no steps: start each one with a '## ' heading", file, body_line)
    return Guide(
        id=required_id(meta, file),
        title=required_str(meta, "title", file),
        grades=grades(meta.get("grades", []), file),
        minutes=positive_int(meta, "minutes", file),
        group_size=positive_int(meta, "group_size", file),
        materials=str_tuple(meta.get("materials", []), "materials", file),
        safety=str_tuple(meta.get("safety", []), "safety", file),
        steps=steps,
        source=str(file),
    )


def _parse_quiz(file: Path, data: bytes) -> tuple[dict, list[int]]:
    """A quiz's TOML and the line of each ``[[questions]]``."""
    meta = read_toml(file, data=data)
    lines = file_text(file, data).split("\n")
    return meta, [n for n, line in enumerate(lines, 1) if line.strip().startswith("[[questions]]")]


def _load_quiz(file: Path, default: Quiz | None = None):
    meta, lines = parsed(file, "quiz", _parse_quiz, fresh=True)
    raw = meta.get("questions", [])
    if not isinstance(raw, list) or not all(isinstance(q, dict) for q in raw):
        raise ContentError("'questions' must be an array of tables ([[questions]])", file)
    if default is not None:
        return _quiz_translation(meta, raw, lines, default, file)
    questions: list[Question] = []
    seen: set[str] = set()
    for index, spec in enumerate(raw):
        line = lines[index] if index < len(lines) else None
        qid = spec.get("id")
        if not isinstance(qid, str) or not ID_RE.match(qid):
            raise ContentError("each question needs an 'id' of [a-z0-9_-]", file, line)
        if qid in seen:
            raise ContentError(f"duplicate question id {qid!r}", file, line)
        seen.add(qid)
        if not isinstance(spec.get("type"), str):
            raise ContentError(f"question {qid!r} needs a 'type'", file, line)
        if not isinstance(spec.get("prompt"), str) or not spec["prompt"].strip():
            raise ContentError(f"question {qid!r} needs a 'prompt'", file, line)
        points = spec.get("points", 1)
        if isinstance(points, bool) or not isinstance(points, int | float) or points < 0:
            raise ContentError(f"question {qid!r}: 'points' must be a number >= 0", file, line)
        explain = spec.get("explain", "")
        if not isinstance(explain, str):
            raise ContentError(f"question {qid!r}: 'explain' must be text", file, line)
        questions.append(
            Question(qid, spec["type"], spec["prompt"], points, explain, dict(spec), line)
        )
    if not questions:
        raise ContentError("a quiz needs at least one [[questions]]", file)
    pass_ratio = meta.get("pass_ratio", 0.6)
    if (
        isinstance(pass_ratio, bool)
        or not isinstance(pass_ratio, int | float)
        or not (0 <= pass_ratio <= 1)
    ):
        raise ContentError("'pass_ratio' must be a number from 0 to 1", file)
    for flag in ("shuffle", "shuffle_options"):
        if not isinstance(meta.get(flag, False), bool):
            raise ContentError(f"'{flag}' must be true or false", file)
    return Quiz(
        id=required_id(meta, file),
        title=required_str(meta, "title", file),
        questions=tuple(questions),
        pass_ratio=float(pass_ratio),
        shuffle=meta.get("shuffle", False),
        shuffle_options=meta.get("shuffle_options", False),
        source=str(file),
    )


def _quiz_translation(meta, raw, lines, default: Quiz, file: Path) -> dict:
    same_id(meta, default, file)
    by_id = {q.id: q for q in default.questions}
    merged = dict(by_id)
    translated: list[tuple] = []
    for index, spec in enumerate(raw):
        line = lines[index] if index < len(lines) else None
        original = by_id.get(spec.get("id"))
        if original is None:
            raise ContentError(
                f"question {spec.get('id')!r} is not in the default file", file, line
            )
        for key in sorted(UNTRANSLATABLE & (spec.keys() - {"id"})):
            default_value = original.spec.get(key, KEY_DEFAULTS.get(key, MISSING))
            if not same_value(spec[key], default_value):
                raise ContentError(
                    f"question {original.id!r}: {key!r} differs from the default file "
                    f"({spec[key]!r}, not {original.spec.get(key, KEY_DEFAULTS.get(key))!r}); a translation may repeat "
                    "it only unchanged",
                    file,
                    field_line(file, line, key),
                )
        for key in ("options", "items", "accept"):
            if key in spec:
                if not isinstance(spec[key], list):
                    raise ContentError(
                        f"question {original.id!r}: {key!r} must be a list", file, line
                    )
                if key != "accept" and len(spec[key]) != len(original.spec.get(key, [])):
                    raise ContentError(
                        f"question {original.id!r}: {key!r} has {len(spec[key])} entries, the "
                        f"default file has {len(original.spec.get(key, []))}",
                        file,
                        line,
                    )
        new_spec = {**original.spec, **{k: v for k, v in spec.items() if k != "id"}}
        translated.append((original.id, frozenset(spec.keys() - {"id"}), str(file), line))
        merged[original.id] = Question(
            original.id,
            original.type,
            str(new_spec.get("prompt", original.prompt)),
            original.points,
            str(new_spec.get("explain", original.explain)),
            new_spec,
            original.line,
        )
    override: dict[str, Any] = {
        "questions": tuple(merged[q.id] for q in default.questions),
        "translated": tuple(translated),
    }
    if "title" in meta:
        override["title"] = str(meta["title"])
    return override


MISSING = object()


def same_value(a: Any, b: Any) -> bool:
    """Equal as TOML means it: ``1`` and ``1.0`` are the same number, ``true`` is not ``1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def field_line(file: Path, question_line: int | None, key: str) -> int | None:
    """The line of ``key = ...`` in the question starting at ``question_line`` (or that line)."""
    if question_line is None:
        return None
    try:
        lines = file.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return question_line
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number in range(question_line, len(lines)):
        text = lines[number]
        if text.strip().startswith("[["):
            break
        if pattern.match(text):
            return number + 1
    return question_line


def _check_references(course: Course) -> None:
    for lesson in list(course.lessons.values()):
        if lesson.quiz and lesson.quiz not in course.quizzes:
            course.problems.append(
                ContentError(
                    f"lesson {lesson.id!r} names quiz {lesson.quiz!r}, which is not in quizzes/",
                    lesson.source,
                )
            )
        for guide in lesson.guides:
            if guide not in course.guides:
                course.problems.append(
                    ContentError(
                        f"lesson {lesson.id!r} names guide {guide!r}, which is not in guides/",
                        lesson.source,
                    )
                )
