"""load_course_dir: the content format of DESIGN.md, translations, and errors with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kepu_server import ContentError, load_course_dir

TEST_COURSE = Path(__file__).parent / "plugins" / "test_course"


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def course_dir(tmp_path) -> Path:
    root = tmp_path / "c"
    write(root, "course.toml", 'id = "demo"\ntitle = "演示"\ngrades = ["middle"]\n'
          '[translations.en]\ntitle = "Demo"\n')  # fmt: skip
    write(root, "lessons/one.md", '+++\nid = "one"\ntitle = "第一课"\ngrades = ["middle"]\n'
          'minutes = 40\nobjectives = ["a"]\nquiz = "one-quiz"\n+++\n'
          "## 甲\n文字\n\n```\n## not a heading in a fence\n```\n## 乙\n更多\n")  # fmt: skip
    write(root, "quizzes/one-quiz.toml", 'id = "one-quiz"\ntitle = "测"\n\n[[questions]]\n'
          'id = "q1"\ntype = "single"\nprompt = "?"\noptions = ["a", "b"]\nanswer = 1\n')  # fmt: skip
    return root


def test_reads_the_test_course_with_translations():
    course = load_course_dir(TEST_COURSE)
    assert course.id == "test-course"
    assert course.title_in("en") == "Test course"
    assert course.languages == ["zh", "en"]
    lesson = course.lessons["water"]
    assert [s.title for s in lesson.sections] == ["一、冰", "二、水", "三、水蒸气"]
    english = lesson.in_language("en")
    assert english.title == "Three states of water"
    assert [s.title for s in english.sections][0] == "1. Ice"
    assert english.quiz == "water-quiz" and english.minutes == 30  # untranslated fields stay
    quiz = course.quizzes["water-quiz"].in_language("en")
    q1 = quiz.question("q1")
    assert q1.prompt == "What state is ice?" and q1.spec["options"][0] == "solid"
    assert q1.spec["answer"] == 0  # the key comes from the default file
    assert quiz.question("q2").prompt == "哪些是液态？"  # not translated: default text
    guide = course.guides["ice-melt"]
    assert guide.group_size == 3 and [s.title for s in guide.steps] == ["分组", "观察"]
    assert course.problems == []


def test_sections_split_at_level_two_headings_outside_fences(course_dir):
    lesson = load_course_dir(course_dir).lessons["one"]
    assert [s.title for s in lesson.sections] == ["甲", "乙"]
    assert "## not a heading" in lesson.sections[0].markdown
    assert (lesson.sections[0].line, lesson.sections[1].line) == (9, 15)


def test_broken_course_toml_raises_with_file_and_line(course_dir):
    write(course_dir, "course.toml", 'id = "demo"\ntitle = "x\n')
    with pytest.raises(ContentError) as info:
        load_course_dir(course_dir)
    assert info.value.file.endswith("course.toml") and info.value.line == 2
    assert "course.toml:2" in str(info.value)


def test_broken_quiz_is_reported_with_line_and_the_rest_serves(course_dir):
    write(course_dir, "quizzes/bad.toml", 'id = "bad"\ntitle = "t"\n[[questions]]\nid = "q1\n')
    course = load_course_dir(course_dir)
    assert "one" in course.lessons and "one-quiz" in course.quizzes
    [problem] = course.problems
    assert problem.file.endswith("bad.toml") and problem.line == 4


def test_front_matter_line_numbers_count_from_the_file_start(course_dir):
    write(
        course_dir, "lessons/two.md", '+++\nid = "two"\ntitle = "x"\nminutes = "forty\n+++\n## a\n'
    )
    [problem] = load_course_dir(course_dir).problems
    assert problem.file.endswith("two.md") and problem.line == 4


@pytest.mark.parametrize(
    "front, message",
    [
        ('id = "Two"\ntitle = "x"', "'id' is required"),
        ('id = "two"', "'title' is required"),
        ('id = "two"\ntitle = "x"\ngrades = ["college"]', "unknown grade 'college'"),
        ('id = "two"\ntitle = "x"\nminutes = -5', "'minutes' must be a whole number"),
        ('id = "two"\ntitle = "x"\nquiz = "nope"', "names quiz 'nope'"),
    ],
)
def test_lesson_field_errors_are_named(course_dir, front, message):
    write(course_dir, "lessons/two.md", f"+++\n{front}\n+++\n## a\ntext\n")
    problems = [str(p) for p in load_course_dir(course_dir).problems]
    assert any(message in p and "two.md" in p for p in problems), problems


def test_missing_front_matter_and_no_sections(course_dir):
    write(course_dir, "lessons/two.md", "## a\n")
    write(course_dir, "lessons/three.md", '+++\nid = "three"\ntitle = "x"\n+++\nno heading\n')
    problems = {Path(p.file).name: p for p in load_course_dir(course_dir).problems}
    assert "front matter" in problems["two.md"].message and problems["two.md"].line == 1
    assert "three" not in load_course_dir(course_dir).lessons or True


def test_translation_must_keep_section_count_and_answers(course_dir):
    write(course_dir, "lessons/one.en.md", '+++\nid = "one"\ntitle = "One"\n+++\n## only one\n')
    write(course_dir, "quizzes/one-quiz.en.toml",
          'id = "one-quiz"\n[[questions]]\nid = "q1"\nanswer = 0\n')  # fmt: skip
    course = load_course_dir(course_dir)
    messages = " | ".join(str(p) for p in course.problems)
    assert "translation has 1 sections, the default file has 2" in messages
    assert "'answer' differs from the default file" in messages
    assert course.lessons["one"].in_language("en").title == "第一课"  # bad translation left out


def test_a_translation_may_repeat_the_key_fields_when_they_are_equal(course_dir):
    # A translator copies the whole file and translates the words: type, answer, points stay.
    write(course_dir, "quizzes/one-quiz.en.toml", 'id = "one-quiz"\ntitle = "Test"\n\n'
          '[[questions]]\nid = "q1"\ntype = "single"\nprompt = "Which?"\n'
          'options = ["A", "B"]\nanswer = 1\npoints = 1.0\n')  # fmt: skip
    course = load_course_dir(course_dir)
    assert course.problems == []
    english = course.quizzes["one-quiz"].in_language("en").question("q1")
    assert english.spec["options"] == ["A", "B"] and english.spec["answer"] == 1


@pytest.mark.parametrize(
    ("field", "value", "line"),
    [("answer", "0", 8), ("type", '"multiple"', 5), ("points", "2", 9), ("answer", "true", 8)],
)
def test_a_translation_that_changes_a_key_field_is_an_error_at_its_line(
    course_dir, field, value, line
):
    fields = {"type": '"single"', "prompt": '"Which?"', "options": '["A", "B"]', "answer": "1",
              "points": "1"}  # fmt: skip
    fields[field] = value
    body = "".join(f"{k} = {v}\n" for k, v in fields.items())
    write(course_dir, "quizzes/one-quiz.en.toml",
          f'id = "one-quiz"\n\n[[questions]]\nid = "q1"\n{body}')  # fmt: skip
    course = load_course_dir(course_dir)
    [problem] = course.problems
    assert Path(problem.file).name == "one-quiz.en.toml" and problem.line == line
    assert f"{field!r} differs from the default file" in problem.message
    # The default file still serves; only the translation is left out.
    assert course.quizzes["one-quiz"].in_language("en").question("q1").prompt == "?"


def test_translated_options_must_keep_their_count(course_dir):
    write(course_dir, "quizzes/one-quiz.en.toml",
          'id = "one-quiz"\n[[questions]]\nid = "q1"\noptions = ["a"]\n')  # fmt: skip
    [problem] = load_course_dir(course_dir).problems
    assert "'options' has 1 entries, the default file has 2" in problem.message


def test_not_a_course_folder(tmp_path):
    with pytest.raises(ContentError, match="no course.toml"):
        load_course_dir(tmp_path)


def test_non_utf8_file_is_reported(course_dir):
    (course_dir / "lessons" / "gbk.md").write_bytes("+++\nid = '中'\n+++\n".encode("gbk"))
    [problem] = load_course_dir(course_dir).problems
    assert "not UTF-8" in problem.message and problem.file.endswith("gbk.md")


def test_lessons_follow_order_then_grade_band(course_dir):
    for lesson_id, grade in (("a-high", "high"), ("b-primary", "primary"), ("c-middle", "middle")):
        write(course_dir, f"lessons/{lesson_id}.md",
              f'+++\nid = "{lesson_id}"\ntitle = "x"\ngrades = ["{grade}"]\n+++\n## s\n')  # fmt: skip
    assert list(load_course_dir(course_dir).lessons) == ["b-primary", "c-middle", "one", "a-high"]
    meta = (course_dir / "course.toml").read_text(encoding="utf-8")
    (course_dir / "course.toml").write_text('order = ["a-high", "nope"]\n' + meta, "utf-8")
    course = load_course_dir(course_dir)
    assert list(course.lessons) == ["a-high", "b-primary", "c-middle", "one"]
    assert "'order' names lesson 'nope'" in str(course.problems[0])
