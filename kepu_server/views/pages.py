"""Public catalog pages: the course list, a course, a lesson with its sections, a guide."""

from __future__ import annotations

import mimetypes

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import gettext as _

from kepu_server.auth import current_user
from kepu_server.catalog import get_catalog
from kepu_server.content.model import GRADES
from kepu_server.i18n import content_language, ui_language
from kepu_server.quiz.scoring import public_question
from kepu_server.views.common import find_course, find_guide, find_lesson, render_md
from kepu_server.views.serialize import course_detail, course_summary, guide_detail, lesson_detail

bp = Blueprint("pages", __name__)

# Course media is served as inert files: an SVG from a content pack must not run script.
MEDIA_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; sandbox"
MEDIA_TYPES = {".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp3", ".mp4", ".webm",
               ".pdf", ".txt", ".csv"}  # fmt: skip


@bp.get("/")
def catalog():
    grade = request.args.get("grade")
    theme = request.args.get("theme")
    courses = []
    for course in get_catalog().courses.values():
        lang = content_language(course)
        if grade in GRADES and grade not in course.grades:
            continue
        if theme and course.plugin != theme:
            continue
        courses.append(course_summary(course, lang))
    themes = theme_choices()
    return render_template(
        "catalog/index.html", courses=courses, grade=grade, theme=theme, themes=themes,
        grades=GRADES, user=current_user(),
    )  # fmt: skip


def theme_choices() -> list[tuple[str, str]]:
    """(plugin name, label) for the theme filter: a theme is named by its course titles."""
    titles: dict[str, list[str]] = {}
    for course in get_catalog().courses.values():
        if course.plugin:
            titles.setdefault(course.plugin, []).append(course.title_in(content_language(course)))
    return sorted(
        ((name, _("School courses") if name == "content" else " / ".join(found))
         for name, found in titles.items()),
        key=lambda item: item[1],
    )  # fmt: skip


@bp.get("/courses/<course_id>")
def course(course_id):
    found, lang = find_course(course_id)
    detail = course_detail(found, lang)
    by_grade = {g: [les for les in detail["lessons"] if g in les["grades"]] for g in GRADES}
    return render_template(
        "catalog/course.html", course=detail, by_grade=by_grade, user=current_user()
    )


@bp.get("/courses/<course_id>/lessons/<lesson_id>")
def lesson(course_id, lesson_id):
    found, lang = find_course(course_id)
    detail = lesson_detail(found, find_lesson(found, lesson_id, lang), lang)
    guides = [find_guide(found, g, lang) for g in detail["guides"]]
    quiz = found.quizzes.get(detail["quiz"]) if detail["quiz"] else None
    quiz = quiz.in_language(lang) if quiz else None
    user = current_user()
    # The printed worksheet's questions, for a signed-in teacher: what a tablet would see
    # (public fields only, never a key), with space to write on paper.
    worksheet = worksheet_questions(found, quiz) if user and quiz else []
    return render_template(
        "catalog/lesson.html", course=course_summary(found, lang), lesson=detail, guides=guides,
        quiz=quiz, user=user, worksheet=worksheet,
    )  # fmt: skip


def worksheet_questions(course, quiz) -> list[dict]:
    types = get_catalog().question_types
    return [
        public_question(types[q.type], q, render_md(course, q.prompt), "worksheet")
        for q in quiz.questions
        if q.type in types
    ]


@bp.get("/courses/<course_id>/guides/<guide_id>")
def guide(course_id, guide_id):
    found, lang = find_course(course_id)
    detail = guide_detail(found, find_guide(found, guide_id, lang), lang)
    return render_template(
        "catalog/guide.html", course=course_summary(found, lang), guide=detail, user=current_user()
    )


@bp.get("/courses/<course_id>/media/<path:name>")
def media(course_id, name):
    found, _ = find_course(course_id)
    root = found.media_dir
    if root is None:
        abort(404)
    root = root.resolve()
    target = (root / name).resolve()
    if (
        root not in target.parents
        or not target.is_file()
        or target.suffix.lower() not in MEDIA_TYPES
    ):
        abort(404)
    response = send_file(
        target, mimetype=mimetypes.guess_type(target.name)[0], conditional=True, max_age=3600
    )
    response.headers["Content-Security-Policy"] = MEDIA_CSP
    return response


@bp.app_context_processor
def layout_context():
    return {"ui_lang": ui_language(), "current_user": current_user}


def init_app(app) -> None:
    app.register_blueprint(bp)
