"""A test plugin implementing every hook, loaded by the tests the way a user's plugin is.

Register it with ``create_app({"KEPU_EXTRA_PLUGINS": ["tests.plugins.kepu_test_plugin"]})``.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Blueprint, jsonify
from markdown.extensions import Extension
from markdown.inlinepatterns import SimpleTagInlineProcessor

from kepu_server import QuestionType, StartupError, hookimpl, load_course_dir

COURSE_DIR = Path(__file__).parent / "test_course"
EVENTS: list[dict] = []
STARTED: list[str] = []
MISBEHAVE: list = []  # a callable whose result (or exception) the range scorer returns


class Highlight(Extension):
    """``==text==`` → ``<mark>text</mark>``: shows a plugin Markdown extension at work."""

    def extendMarkdown(self, md):  # noqa: N802
        md.inlinePatterns.register(SimpleTagInlineProcessor(r"(==)(.+?)==", "mark"), "mark", 175)


def _range_validate(spec):
    problems = []
    if not isinstance(spec.get("low"), int | float) or not isinstance(
        spec.get("high"), int | float
    ):
        problems.append("'low' and 'high' must be numbers")
    elif spec["low"] > spec["high"]:
        problems.append("'low' must not be above 'high'")
    return problems


def _range_score(spec, response):
    if isinstance(response, bool) or not isinstance(response, int | float):
        raise ValueError("the response must be a number")
    if MISBEHAVE:  # a test makes the scorer break its contract (tests/test_score_contract.py)
        return MISBEHAVE[0]()
    return 1.0 if spec["low"] <= response <= spec["high"] else 0.0


RANGE = QuestionType(
    name="range",
    validate=_range_validate,
    public=lambda spec: {"unit": spec.get("unit", "")},
    score=_range_score,
    widget=None,
)


@hookimpl
def kepu_courses(app):
    return [load_course_dir(COURSE_DIR)]


@hookimpl
def kepu_question_types(app):
    return [RANGE]


@hookimpl
def kepu_markdown_extensions(app):
    return [Highlight()]


@hookimpl
def kepu_blueprints(app):
    bp = Blueprint("kepu_test_plugin", __name__)

    @bp.get("/hello")
    def hello():
        return jsonify({"hello": "from the test plugin"})

    return [bp]


@hookimpl
def kepu_commands(cli):
    @cli.command("test-plugin-hello")
    @click.option("--instance", envvar="KEPU_INSTANCE")
    def hello(instance):
        """Say hello (added by the test plugin)."""
        click.echo(f"hello from the test plugin in {instance}")


@hookimpl
def kepu_startup(app):
    if app.config.get("TEST_PLUGIN_REFUSE_START"):
        raise StartupError("the test plugin refuses to start")
    STARTED.append(app.config["KEPU_INSTANCE"])


@hookimpl
def kepu_session_event(app, event):
    EVENTS.append(dict(event))
