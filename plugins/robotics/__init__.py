"""Robotics (机器人) course plugin for Kepu Server.

Besides its course it adds the ``program`` question type — the worked example of a plugin
question type: a grid puzzle the student solves with "forward / left / right" commands on a
tablet widget, scored on the server by simulating the program (see ``program_question``).
"""

from pathlib import Path

from flask import Blueprint

from kepu_server import QuestionType, hookimpl, load_course_dir

from .program_question import (
    TRANSLATABLE,
    label_program,
    public_program,
    score_program,
    validate_program,
)

COURSE_DIR = Path(__file__).parent / "course"

PROGRAM_TYPE = QuestionType(
    name="program",
    validate=validate_program,
    public=public_program,
    score=score_program,
    label=label_program,
    widget="kepu_robotics/program_widget.html",
    translatable=TRANSLATABLE,
)


@hookimpl
def kepu_courses(app):
    """The robotics course, loaded from the course folder shipped with this package."""
    return [load_course_dir(COURSE_DIR)]


@hookimpl
def kepu_question_types(app):
    """The ``program`` question type (robot on a grid)."""
    return [PROGRAM_TYPE]


@hookimpl
def kepu_blueprints(app):
    """Serves the widget's script and stylesheet at ``/x/robotics/static/``."""
    return [
        Blueprint("kepu_robotics", __name__, static_folder="static", template_folder="templates")
    ]
