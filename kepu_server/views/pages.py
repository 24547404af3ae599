"""Public catalog pages: the course list, a course, a lesson with its sections, a guide."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Callable

from flask import Blueprint, Response, abort, g, render_template, request, send_file, session
from flask_babel import gettext as _

from kepu_server.auth import bearer_token, current_user
from kepu_server.catalog import get_catalog
from kepu_server.content.model import GRADES
from kepu_server.i18n import content_language, ui_language
from kepu_server.public_cache import mark_public
from kepu_server.quiz.scoring import public_question
from kepu_server.views.common import find_course, find_guide, find_lesson, render_md
from kepu_server.views.serialize import course_detail, course_summary, guide_detail, lesson_detail

bp = Blueprint("pages", __name__)

# Course media is served as inert files: an SVG from a content pack must not run script.
MEDIA_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; sandbox"
MEDIA_TYPES = {".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp3", ".mp4", ".webm",
               ".pdf", ".txt", ".csv"}  # fmt: skip


# Public pages are the same for every anonymous visitor and tablet: rendered once per catalog
# snapshot, language and filter, kept on the snapshot (rebuilt with it), and served with an
# ETag. They carry no CSRF token and so set no session cookie: nothing on them posts.
PAGE_CACHE_LIMIT = 2048


def _has(course_id: str, kind: str, item_id: str) -> bool:
    """Whether the course has that lesson or guide: all a cached page needs to know first
    (its language and the item in it are only worked out when the page is rendered)."""
    found = get_catalog().course(course_id)
    return found is not None and item_id in getattr(found, kind)


def public_page(render: Callable[[], str], *key) -> Response | str:
    """``render()`` for a signed-in teacher; for anyone else, the cached page (or a 304)."""
    if bearer_token() is not None or session.get("user_id") or "_flashes" in session:
        return render()  # the page names the teacher, or shows a message for this visitor
    mark_public(request.environ)  # the same for every anonymous visitor (public_cache.py)
    cache = get_catalog().response_cache
    cache_key = ("page", request.path, ui_language(), request.args.get("lang", "")[:8], *key)
    hit = cache.get(cache_key)
    if hit is None:
        g.kepu_public_page = True  # base.html leaves the CSRF token out
        body = render().encode()
        hit = (body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
        if len(cache) < PAGE_CACHE_LIMIT:
            cache[cache_key] = hit
    body, etag = hit
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Cookie"}
    if etag.strip('"') in request.if_none_match:
        return Response(status=304, headers=headers)
    return Response(body, mimetype="text/html", headers=headers)


@bp.get("/")
def catalog():
    grade = request.args.get("grade")
    theme = request.args.get("theme")
    if theme and theme not in {c.plugin for c in get_catalog().courses.values()}:
        # An unknown theme shows an empty list: rendered, but junk must not fill the cache.
        return _catalog_page(grade, theme)
    grade = grade if grade in GRADES else None
    return public_page(lambda: _catalog_page(grade, theme or None), grade, theme or None)


def _catalog_page(grade, theme):
    themes = theme_choices()
    courses = []
    for course in get_catalog().courses.values():
        lang = content_language(course)
        if grade in GRADES and grade not in course.grades:
            continue
        if theme and course.plugin != theme:
            continue
        courses.append(course_summary(course, lang))
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
    if get_catalog().course(course_id) is None:
        find_course(course_id)  # the 404 (not cached)
    return public_page(lambda: _course_page(course_id))


def _course_page(course_id):
    found, lang = find_course(course_id)
    detail = course_detail(found, lang)
    by_grade = {g: [les for les in detail["lessons"] if g in les["grades"]] for g in GRADES}
    return render_template(
        "catalog/course.html", course=detail, by_grade=by_grade, user=current_user()
    )


@bp.get("/courses/<course_id>/lessons/<lesson_id>")
def lesson(course_id, lesson_id):
    if not _has(course_id, "lessons", lesson_id):
        find_lesson(*find_course(course_id)[:1], lesson_id, None)  # the 404 (not cached)
    return public_page(lambda: _lesson_page(course_id, lesson_id))


def _lesson_page(course_id, lesson_id):
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
    if not _has(course_id, "guides", guide_id):
        find_guide(*find_course(course_id)[:1], guide_id, None)  # the 404 (not cached)
    return public_page(lambda: _guide_page(course_id, guide_id))


def _guide_page(course_id, guide_id):
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
    return {"ui_lang": ui_language(), "current_user": current_user,
            "public_page": g.get("kepu_public_page", False)}  # fmt: skip


@bp.app_template_global()
def grade_label(grade: str) -> str:
    """A grade's translated name; the three labels are looked up once per request."""
    labels = g.get("kepu_grade_labels")
    if labels is None:
        labels = g.kepu_grade_labels = {
            "primary": _("Primary"), "middle": _("Middle school"), "high": _("High school"),
        }  # fmt: skip
    return labels.get(grade, grade)


def init_app(app) -> None:
    app.register_blueprint(bp)
