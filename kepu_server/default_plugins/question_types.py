"""Registers the core question types through the same hook a plugin uses."""

from kepu_server.hookspecs import hookimpl
from kepu_server.quiz.types import CORE_TYPES


@hookimpl
def kepu_question_types(app):
    return list(CORE_TYPES)
