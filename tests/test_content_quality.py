"""Editorial rules every served course keeps (bundled plugins and the school's ``content/``).

A class notices these faster than a reviewer does, so the suite checks them per course:

1. **Single-choice keys do not pile up at one position.** Over all ``single`` questions of a
   course whose quiz does not set ``shuffle_options = true``, no option position (the 0-based
   ``answer``) holds more than 40% of the keys. A quiz that shuffles options per seat is not
   counted: its position tells a pupil nothing. (A course with only one or two counted keys
   cannot pass: shuffle those quizzes.) If the loader does not know ``shuffle_options``, the
   quiz counts as not shuffling.
2. **True/false keys are balanced.** Of a course's ``truefalse`` keys, 35% to 65% are true.
3. **Primary lessons are easy to read.** In the Chinese text of a lesson for ``primary``
   pupils (the default file when the course's language is ``zh``, else ``<lesson>.zh.md``), the
   sentences average at most 22 characters and none has more than 60. How that is measured:
   - the front matter, headings (``#`` lines), table rows (``|`` lines), fenced code blocks and
     HTML comments are skipped;
   - Markdown markup is stripped: images are dropped, a link keeps its text, inline code is
     dropped, ``**``/``*``/``_``/``~`` and list or quote markers go, HTML tags go;
   - a pinyin annotation ``{烃|tīng}`` counts as its base text only (``烃``);
   - sentences are split at 。！？； and at line breaks; a sentence counts when it holds at
     least one CJK character; its length is the number of its CJK characters plus letters and
     digits (``str.isalnum``) — punctuation and spaces are not counted.
4. **A lesson fits a class period.** ``minutes`` is at most 40 for a lesson whose grades
   include ``primary``, at most 45 otherwise.

Every message names the file, and the line where there is one.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from kepu_server.content.loader import load_course_dir

ROOT = Path(__file__).resolve().parent.parent
COURSE_DIRS = sorted(
    [p.parent for p in (ROOT / "plugins").glob("*/course/course.toml")]
    + [p.parent for p in (ROOT / "content").glob("*/course.toml")]
)

MAX_KEY_SHARE = 0.40
TRUE_SHARE = (0.35, 0.65)
MAX_AVERAGE_SENTENCE = 22
MAX_SENTENCE = 60
MAX_MINUTES = {"primary": 40, "other": 45}

SENTENCE_END = re.compile(r"[。！？；]")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
RUBY = re.compile(r"\{([^{}|\n]+)\|[^{}|\n]+\}")
MARKUP = [
    (re.compile(r"<!--.*?-->"), ""),
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"`[^`]*`"), ""),  # inline code
    (re.compile(r"<[^>]+>"), ""),  # HTML tags
    (re.compile(r"^\s*(?:>\s*)+"), ""),  # block quotes
    (re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+"), ""),  # list markers
    (re.compile(r"[*_~]+"), ""),
]


def course_id(folder: Path) -> str:
    return folder.name if folder.name != "course" else folder.parent.name


@pytest.fixture(scope="module", params=COURSE_DIRS, ids=course_id)
def course(request):
    return load_course_dir(request.param)


def rel(path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# ------------------------------------------------------------------ measuring


def readable_lines(markdown_file: str) -> list[tuple[int, str]]:
    """(line number, text) of the prose lines of a Markdown file, markup stripped."""
    lines = Path(markdown_file).read_text(encoding="utf-8").split("\n")
    out: list[tuple[int, str]] = []
    index = 0
    if lines and lines[0].strip() == "+++":
        index = next((i for i in range(1, len(lines)) if lines[i].strip() == "+++"), 0) + 1
    fence = None
    for number, line in enumerate(lines[index:], start=index + 1):
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence):
                fence = None
            continue
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
            continue
        if stripped.startswith(("#", "|")):
            continue
        text = RUBY.sub(r"\1", line)
        for pattern, replacement in MARKUP:
            text = pattern.sub(replacement, text)
        if text.strip():
            out.append((number, text))
    return out


def sentence_length(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def chinese_sentences(markdown_file: str) -> list[tuple[int, int, str]]:
    """(line, length, text) of each Chinese sentence of a Markdown file (rule 3)."""
    found = []
    for number, line in readable_lines(markdown_file):
        for piece in SENTENCE_END.split(line):
            if CJK.search(piece):
                found.append((number, sentence_length(piece), piece.strip()))
    return found


def chinese_file(course, lesson) -> Path | None:
    source = Path(lesson.source)
    if course.language == "zh":
        return source
    translated = source.with_name(f"{source.stem}.zh.md")
    return translated if translated.exists() else None


def countable_quizzes(course):
    return [q for q in course.quizzes.values() if not getattr(q, "shuffle_options", False)]


# ------------------------------------------------------------------ the measuring itself


def test_the_sentence_rule_measures_what_its_docstring_says(tmp_path):
    lesson = tmp_path / "l.md"
    lesson.write_text(
        '+++\nid = "x"\ntitle = "很长很长很长很长的标题。"\n+++\n'
        "## 一、这个标题不算\n"
        "石油里有很多{烃|tīng}。**它们**能燃烧！\n"
        "| 表格 | 不算 |\n"
        "```\n代码也不算，代码也不算。\n```\n"
        "- 看[这张图](media/a.svg)：![图](media/a.svg)`code`\n"
        "AI 有 3 种；no Chinese here.\n",
        encoding="utf-8",
    )
    assert chinese_sentences(str(lesson)) == [
        (6, 7, "石油里有很多烃"),
        (6, 5, "它们能燃烧"),
        (11, 4, "看这张图："),
        (12, 5, "AI 有 3 种"),
    ]


# ------------------------------------------------------------------ the rules


def test_single_choice_keys_do_not_pile_up_at_one_position(course):
    keys: Counter = Counter()
    where: dict[int, list[str]] = {}
    for quiz in countable_quizzes(course):
        for question in quiz.questions:
            if question.type == "single":
                position = question.spec["answer"]
                keys[position] += 1
                where.setdefault(position, []).append(f"{rel(quiz.source)}:{question.line}")
    total = sum(keys.values())
    if not total:
        return
    position, count = keys.most_common(1)[0]
    assert count / total <= MAX_KEY_SHARE, (
        f"course {course.id}: {count} of {total} single-choice keys are option "
        f"{'ABCDEFGH'[position]} ({count / total:.0%} > {MAX_KEY_SHARE:.0%}); rebalance or set "
        f"shuffle_options = true: " + ", ".join(where[position])
    )


def test_true_false_keys_are_balanced(course):
    keys = [
        (bool(question.spec["answer"]), f"{rel(quiz.source)}:{question.line}")
        for quiz in course.quizzes.values()
        for question in quiz.questions
        if question.type == "truefalse"
    ]
    if not keys:
        return
    true = sum(1 for answer, _ in keys if answer)
    low, high = TRUE_SHARE
    assert low <= true / len(keys) <= high, (
        f"course {course.id}: {true} of {len(keys)} true/false keys are true "
        f"({true / len(keys):.0%}, allowed {low:.0%}-{high:.0%}): "
        + ", ".join(place for _, place in keys)
    )


def test_primary_lessons_read_in_short_sentences(course):
    problems = []
    for lesson in course.lessons.values():
        if "primary" not in lesson.grades:
            continue
        file = chinese_file(course, lesson)
        if file is None:
            continue
        sentences = chinese_sentences(str(file))
        if not sentences:
            continue
        average = sum(length for _, length, _ in sentences) / len(sentences)
        if average > MAX_AVERAGE_SENTENCE:
            problems.append(
                f"{rel(file)}: sentences average {average:.1f} characters "
                f"(> {MAX_AVERAGE_SENTENCE})"
            )
        for line, length, text in sentences:
            if length > MAX_SENTENCE:
                problems.append(
                    f"{rel(file)}:{line}: sentence of {length} characters "
                    f"(> {MAX_SENTENCE}): {text[:30]}…"
                )
    assert not problems, "\n".join(problems)


def test_lessons_fit_a_class_period(course):
    problems = []
    for lesson in course.lessons.values():
        limit = MAX_MINUTES["primary" if "primary" in lesson.grades else "other"]
        if lesson.minutes is not None and lesson.minutes > limit:
            problems.append(
                f"{rel(lesson.source)}: minutes = {lesson.minutes} (> {limit} for "
                f"{'/'.join(lesson.grades)}); split it into sessions"
            )
    assert not problems, "\n".join(problems)
