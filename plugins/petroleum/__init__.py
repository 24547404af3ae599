"""Petroleum science (石油科普) course plugin for Kepu Server.

This package is the bundled plugin ``petroleum`` (import name ``kepu_petroleum``, found
through the ``kepu_server`` entry-point group like any third-party plugin). It shows the two
simplest things a plugin can do:

* ``kepu_courses`` — supply a course loaded from a course folder shipped as package data
  (``course/``: ``course.toml``, ``lessons/``, ``quizzes/``, ``guides/``, ``media/``);
* ``kepu_markdown_extensions`` — add Markdown syntax to every course's lessons and guides,
  here the ``!!! fact|safety|tip|think "title"`` call-out boxes of :mod:`.callouts`.

Copy this file as a starting point: a hook is a plain function named like its spec in
``kepu_server.hookspecs`` and marked with ``@hookimpl``; it receives the Flask ``app``.
"""

from pathlib import Path

from kepu_server import hookimpl, load_course_dir

from .callouts import CalloutExtension

COURSE_DIR = Path(__file__).parent / "course"


@hookimpl
def kepu_courses(app):
    """The petroleum course (id ``petroleum``), loaded from the folder shipped with us.

    ``load_course_dir`` raises ``ContentError`` only for a broken ``course.toml``; problems in
    single lessons, quizzes or guides are recorded on the course and shown by ``kepu check``.
    """
    return [load_course_dir(COURSE_DIR)]


@hookimpl
def kepu_markdown_extensions(app):
    """Call-out boxes (``!!! safety "标题"`` + an indented body) for every course's Markdown.

    Return *instances*; the core builds a fresh ``markdown.Markdown`` per text and passes
    them in, so an extension must keep no per-document state on itself.
    """
    return [CalloutExtension()]
