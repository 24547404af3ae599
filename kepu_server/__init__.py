"""Kepu Server: a plugin-based science-popularisation learning content server for school LANs.

The plugin API is importable from here::

    from kepu_server import hookimpl, Course, QuestionType, load_course_dir, StartupError
"""

from kepu_server.content.loader import load_course_dir
from kepu_server.content.model import Course
from kepu_server.errors import ContentError, KepuError, PluginError, StartupError
from kepu_server.hookspecs import hookimpl
from kepu_server.quiz.types import QuestionType
from kepu_server.version import __version__


def create_app(config=None):
    """Build the Flask app (see ``kepu_server.app.create_app``)."""
    from kepu_server.app import create_app as _create_app

    return _create_app(config)


__all__ = [
    "ContentError", "Course", "KepuError", "PluginError", "QuestionType", "StartupError",
    "__version__", "create_app", "hookimpl", "load_course_dir",
]  # fmt: skip
