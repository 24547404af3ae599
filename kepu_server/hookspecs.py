"""The hooks a Kepu Server plugin may implement.

Every hook is documented in ``docs/plugin_hooks.md``. Results of all implementations are
collected (none is ``firstresult``). The core calls them only through
``kepu_server.dispatch.Dispatcher``: in DESIGN's precedence (core, bundled, pip, folder
plugins, packs, content folder), each on its own, so one plugin that raises is recorded as
failed, is not called again, and the others still run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from flask import Blueprint, Flask
    from markdown import Extension

    from kepu_server.content.model import Course
    from kepu_server.quiz.types import QuestionType

hookspec = pluggy.HookspecMarker("kepu_server")
hookimpl = pluggy.HookimplMarker("kepu_server")


@hookspec
def kepu_courses(app: Flask) -> list[Course]:
    """Return the courses this plugin supplies.

    Called whenever the catalog is (re)built: at start-up and when installed content
    changes. Usually ``[load_course_dir(Path(__file__).parent / "course")]``.
    """


@hookspec
def kepu_question_types(app: Flask) -> list[QuestionType]:
    """Return question types (``QuestionType``) that quiz files may then use by ``name``.

    A name already registered by the core or another plugin is refused and recorded.
    """


@hookspec
def kepu_markdown_extensions(app: Flask) -> list[Extension]:
    """Return Python-Markdown extension instances applied to every course's Markdown.

    Their HTML output is sanitised afterwards: only the tags and attributes documented in
    ``docs/plugin_hooks.md`` survive.
    """


@hookspec
def kepu_blueprints(app: Flask) -> list[Blueprint]:
    """Return Flask blueprints; each is mounted under ``/x/<plugin-name>/``.

    Called once when the app is created (a blueprint added by a plugin installed later
    appears after a restart).
    """


@hookspec
def kepu_commands(cli: click.Group) -> None:
    """Add click commands to the ``kepu`` command group ``cli``."""


@hookspec
def kepu_startup(app: Flask) -> None:
    """Run once when the app is created, after plugins are loaded.

    Raise ``StartupError`` to refuse to start; any other exception marks the plugin failed.
    """


@hookspec
def kepu_session_event(app: Flask, event: dict[str, Any]) -> None:
    """Observe a class-session event, e.g. for an exporter.

    ``event`` has ``type`` (``joined`` | ``answered`` | ``submitted`` | ``ended``),
    ``session`` (the class-session id), ``at`` (ISO time) and, by type: ``joined``:
    ``participant`` (id), ``name``; ``answered``: ``participant``, ``question``;
    ``submitted``: ``participant``, ``score``, ``max_score``.
    Called after the event is committed; an exception is logged and never reaches the student.
    """
