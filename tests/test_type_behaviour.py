"""What each question type owns: its ``label`` for the teacher, its ``shuffle`` and which fields
a translation may change (``translatable``), with defaults for plugins that set none of them."""

from __future__ import annotations

import random
from pathlib import Path

from kepu_robotics import PROGRAM_TYPE

from kepu_server import QuestionType, load_course_dir
from kepu_server.catalog import validate_quizzes
from kepu_server.content.model import Question
from kepu_server.quiz.scoring import public_question, response_label
from kepu_server.quiz.types import CORE_TYPES

TYPES = {t.name: t for t in CORE_TYPES} | {"program": PROGRAM_TYPE}
GRID = '["S.G"]'


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def course_with_program(tmp_path: Path, translation: str):
    root = tmp_path / "c"
    write(root, "course.toml", 'id = "demo"\ntitle = "演示"\n')
    write(root, "quizzes/robot.toml", 'id = "robot"\ntitle = "机器人"\n\n[[questions]]\n'
          f'id = "p1"\ntype = "program"\nprompt = "到 G"\ngrid = {GRID}\n'
          'answer = ["forward", "forward"]\n')  # fmt: skip
    write(root, "quizzes/robot.en.toml", translation)
    course = load_course_dir(root)
    validate_quizzes(course, TYPES)
    return course


def test_a_translation_may_repeat_a_plugin_field_unchanged(tmp_path):
    course = course_with_program(tmp_path, 'id = "robot"\n\n[[questions]]\nid = "p1"\n'
                                 f'type = "program"\nprompt = "Reach G"\ngrid = {GRID}\n')  # fmt: skip
    assert course.problems == []
    assert course.quizzes["robot"].in_language("en").question("p1").prompt == "Reach G"


def test_a_translation_may_not_change_what_its_type_does_not_translate(tmp_path):
    # ``grid`` is not in the program type's ``translatable`` (prompt, explain): a changed grid
    # would be a different puzzle in English, scored against the Chinese one.
    course = course_with_program(tmp_path, 'id = "robot"\n\n[[questions]]\nid = "p1"\n'
                                 'prompt = "Reach G"\ngrid = ["SG."]\n')  # fmt: skip
    [problem] = course.problems
    assert Path(problem.file).name == "robot.en.toml" and problem.line == 6
    assert "may not change 'grid'" in problem.message and "'program'" in problem.message
    quiz = course.quizzes["robot"]  # the default file serves, without the bad translation
    assert "en" not in quiz.translations and quiz.in_language("en").question("p1").prompt == "到 G"


def test_core_translatable_fields_are_read_too(tmp_path):
    root = tmp_path / "c"
    write(root, "course.toml", 'id = "demo"\ntitle = "演示"\n')
    write(root, "quizzes/n.toml", 'id = "n"\ntitle = "数"\n\n[[questions]]\nid = "q1"\n'
          'type = "numeric"\nprompt = "多高？"\nanswer = 8848\nunit = "米"\n')  # fmt: skip
    write(root, "quizzes/n.en.toml", 'id = "n"\n\n[[questions]]\nid = "q1"\nunit = "m"\n'
          'hint = "big"\n')  # fmt: skip
    course = load_course_dir(root)
    validate_quizzes(course, TYPES)
    [problem] = course.problems  # ``unit`` is translatable for numeric, ``hint`` is not
    assert "may not change 'hint'" in problem.message and problem.line == 6


# ---------------------------------------------------------------- labels


def test_the_program_answer_reads_as_commands_not_json():
    program = {"grid": ["S.G"], "answer": ["forward", "forward"]}
    text = response_label(PROGRAM_TYPE, program, ["forward", "forward", "right", "left"])
    assert text == "⬆ ⬆ ⟳ ⟲"
    assert "[" not in text and '"' not in text
    assert response_label(PROGRAM_TYPE, program, []) == "∅"


def test_core_labels_and_the_default_for_a_plugin_without_one():
    spec = {"options": ["固态", "液态", "气态"]}
    assert response_label(TYPES["single"], spec, 1) == "液态"
    assert response_label(TYPES["multiple"], spec, [2, 0]) == "固态; 气态"
    assert response_label(TYPES["ordering"], {}, ["b", "a"]) == "b → a"
    assert response_label(TYPES["numeric"], {"unit": "米"}, 8848) == "8848 米"
    assert response_label(TYPES["truefalse"], {}, False, {"false": "错"}) == "错"
    bare = QuestionType("bare", lambda s: [], lambda s: {}, lambda s, r: 1.0)
    assert bare.label is None and bare.shuffle is None and not bare.option_order
    assert response_label(bare, {}, {"x": [1, 2]}) == '{"x": [1, 2]}'
    assert response_label(bare, {}, "文字") == "文字"

    def broken(spec, response):
        raise KeyError("oops")

    careless = QuestionType("careless", lambda s: [], lambda s: {}, lambda s, r: 1.0, label=broken)
    assert response_label(careless, {}, 3) == "3"  # a plugin's bug does not break the dashboard


# ---------------------------------------------------------------- shuffle


def test_a_plugin_type_can_shuffle_with_the_seat_generator_and_keeps_no_secret():
    seen = []

    def shuffle(spec, rng):
        assert isinstance(rng, random.Random)
        cards = list(spec["cards"])
        rng.shuffle(cards)
        seen.append(cards)
        return {"cards": cards, "answer": "leak"}  # a careless shuffle: the key is dropped

    qtype = QuestionType("cards", lambda s: [], lambda s: {"cards": s["cards"]},
                         lambda s, r: 1.0, shuffle=shuffle)  # fmt: skip
    question = Question("c1", "cards", "?", 1, "", {"cards": list("abcdefgh"), "answer": "x"})
    first = public_question(qtype, question, "?", b"seat one" * 4)
    again = public_question(qtype, question, "?", b"seat one" * 4)
    other = public_question(qtype, question, "?", b"seat two" * 4)
    assert first["cards"] == again["cards"] != other["cards"]
    assert sorted(first["cards"]) == list("abcdefgh") and "answer" not in first
