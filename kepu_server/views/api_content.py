"""The read-only JSON API: health, courses, lessons, (teachers) quizzes and plugins."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from kepu_server.auth import teacher_required
from kepu_server.catalog import get_catalog
from kepu_server.errors import ApiError
from kepu_server.i18n import content_language
from kepu_server.public_cache import mark_public
from kepu_server.version import __version__
from kepu_server.views.common import cached_json, conditional_json, find_course, find_lesson
from kepu_server.views.serialize import course_detail, course_summary, lesson_detail, quiz_full

bp = Blueprint("api_content", __name__, url_prefix="/api/v1")


@bp.get("/health")
def health():
    mark_public(request.environ)  # constant for the life of the process
    return jsonify({"status": "ok", "version": __version__})


@bp.get("/courses")
def courses():
    catalog = get_catalog()
    langs = tuple(content_language(c) for c in catalog.courses.values())
    return cached_json(
        lambda: [
            course_summary(c, lang) for c, lang in zip(catalog.courses.values(), langs, strict=True)
        ],
        langs,
    )


# Path variables carry DESIGN's names (<course>, <lesson>, <quiz>), as in the OpenAPI document.
@bp.get("/courses/<course>")
def course(course):
    found, lang = find_course(course)
    return cached_json(lambda: course_detail(found, lang), lang)


@bp.get("/courses/<course>/lessons/<lesson>")
def lesson(course, lesson):
    found, lang = find_course(course)
    return cached_json(lambda: lesson_detail(found, find_lesson(found, lesson, lang), lang), lang)


@bp.get("/courses/<course>/quizzes/<quiz>")
@teacher_required
def quiz(course, quiz):
    found, lang = find_course(course)
    chosen = found.quizzes.get(quiz)
    if chosen is None:
        raise ApiError(404, "not_found", f"no quiz {quiz!r} in course {course!r}")
    return conditional_json(quiz_full(found, chosen.in_language(lang), lang))


@bp.get("/plugins")
@teacher_required
def plugins():
    return jsonify([record.as_dict() for record in get_catalog().records])


def init_app(app) -> None:
    app.register_blueprint(bp)


_COURSE = {"name": "course", "in": "path", "required": True, "schema": {"type": "string"}}
_ERR = {"$ref": "#/components/responses/Error"}
_LANG = {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["zh", "en"]}}


def _ok(description, schema=None):
    content = {"application/json": {"schema": schema or {"type": "object"}}}
    return {"200": {"description": description, "content": content}}


OPENAPI_PATHS = {
    "/api/v1/health": {
        "get": {"summary": "Server health and version", "tags": ["content"],
                "responses": _ok("ok", {"$ref": "#/components/schemas/Health"})}
    },
    "/api/v1/courses": {
        "get": {"summary": "Every course served", "tags": ["content"], "parameters": [_LANG],
                "responses": {**_ok("courses", {"type": "array",
                                                "items": {"$ref": "#/components/schemas/Course"}}),
                              "400": _ERR}}
    },
    "/api/v1/courses/{course}": {
        "get": {"summary": "A course with its lessons, quizzes and guides", "tags": ["content"],
                "parameters": [_COURSE, _LANG], "responses": {**_ok("the course"), "400": _ERR,
                                                              "404": _ERR}}
    },
    "/api/v1/courses/{course}/lessons/{lesson}": {
        "get": {"summary": "A lesson with its sections rendered to HTML", "tags": ["content"],
                "parameters": [_COURSE, {**_COURSE, "name": "lesson"}, _LANG],
                "responses": {**_ok("the lesson", {"$ref": "#/components/schemas/Lesson"}),
                              "400": _ERR, "404": _ERR}}
    },
    "/api/v1/courses/{course}/quizzes/{quiz}": {
        "get": {"summary": "A whole quiz, answers included (teachers)", "tags": ["content"],
                "security": [{"bearer": []}, {"cookie": []}],
                "parameters": [_COURSE, {**_COURSE, "name": "quiz"}, _LANG],
                "responses": {**_ok("the quiz"), "400": _ERR, "401": _ERR, "403": _ERR,
                              "404": _ERR}}
    },
    "/api/v1/plugins": {
        "get": {"summary": "Installed plugins with status and errors (teachers)",
                "tags": ["plugins"], "security": [{"bearer": []}, {"cookie": []}],
                "responses": {**_ok("plugins", {"type": "array",
                                                "items": {"$ref": "#/components/schemas/Plugin"}}),
                              "401": _ERR, "403": _ERR}}
    },
}  # fmt: skip
