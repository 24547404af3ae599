"""Small helpers shared by the views: JSON bodies, conditional responses, lookups."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, jsonify, request
from flask_babel import gettext as _

from kepu_server.catalog import content_fingerprint, get_catalog
from kepu_server.content.model import Course, Guide, Lesson
from kepu_server.errors import ApiError
from kepu_server.i18n import content_language
from kepu_server.public_cache import mark_public

# Deeper than any body this API takes (a quiz is about 5 levels); a deeper one could make a
# later step (scoring, storing, echoing) recurse without end.
MAX_JSON_DEPTH = 32


def json_body(required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The request's JSON object: 413 when over the size limit, 400 when not an object.

    Every JSON endpoint reads its body here, so this is the one place that refuses a body
    nested too deep to parse (``RecursionError``) or deeper than ``MAX_JSON_DEPTH``.
    """
    limit = current_app.config["KEPU_MAX_JSON_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "too_large", f"the request body is larger than {limit} bytes")
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise ApiError(413, "too_large", f"the request body is larger than {limit} bytes")
    return json_object(raw, required)


def json_object(raw: bytes, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """``json_body``'s reading of a body already read (and within the limit): the JSON
    object, or 400. The answer lane (answer_lane.py) reads a tablet's answer with it."""
    try:
        data = json.loads(raw) if raw else None
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict) or _nested_deeper_than(data, MAX_JSON_DEPTH):
        raise ApiError(400, "bad_json", "send a JSON object as the request body")
    missing = [key for key in required if key not in data]
    if missing:
        raise ApiError(400, "missing_field", f"missing field: {', '.join(missing)}")
    return data


def _nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` holds lists or objects more than ``limit`` levels deep (no recursion)."""
    level = [value]
    for _depth in range(limit + 1):
        level = [
            child
            for item in level
            if isinstance(item, (dict, list))
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return False
    return True


def conditional_json(payload: Any, status: int = 200, max_age: int = 0):
    """JSON with an ETag; a request whose If-None-Match matches gets an empty 304."""
    response = jsonify(payload)
    response.status_code = status
    response.add_etag()
    response.headers["Cache-Control"] = f"private, max-age={max_age}, must-revalidate"
    return response.make_conditional(request)


def unless_unchanged(kind: str, session: dict, build: Callable[[], Response],
                     cache_control: str = "private, no-cache") -> Response:  # fmt: skip
    """A teacher's live poll of ``session``: an empty 304 while nothing in the class changed.

    The ETag is ``results.change_stamp`` (one query) with the content's fingerprint and the
    UI language, so an unchanged poll costs neither the aggregation nor the rendering that
    ``build`` does; ``build`` runs only when the class changed (and its body gets that ETag).
    """
    from kepu_server.classroom.results import change_stamp
    from kepu_server.i18n import ui_language
    from kepu_server.store.db import get_db

    etag = change_stamp(get_db(), session, kind, content_fingerprint(get_catalog()),
                        ui_language())  # fmt: skip
    response = Response(status=304) if etag in request.if_none_match else build()
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    return response


def cached_json(build: Callable[[], Any], *key: Any):
    """Serve content JSON built once per catalog snapshot, with an ETag; 304 when unchanged.

    Content only changes when the catalog is rebuilt, so the body, and its ETag, are kept
    on the snapshot: a class of tablets re-reading a lesson costs a dictionary lookup.
    ``key`` must hold everything besides the path that changes the body (the language).
    """
    from kepu_server.catalog import get_catalog

    mark_public(request.environ)  # content is the same for everyone (public_cache.py)
    cache = get_catalog().response_cache
    cache_key = (request.path, *key)
    hit = cache.get(cache_key)
    if hit is None:
        body = json.dumps(build(), ensure_ascii=False, separators=(",", ":")).encode()
        hit = (body, hashlib.sha256(body).hexdigest()[:32])
        if len(cache) < 4096:
            cache[cache_key] = hit
    body, etag = hit
    headers = {"ETag": f'"{etag}"', "Cache-Control": "no-cache"}
    if etag in request.if_none_match:
        return Response(status=304, headers=headers)
    return Response(body, mimetype="application/json", headers=headers)


def find_course(course_id: str) -> tuple[Course, str]:
    course = get_catalog().course(course_id)
    if course is None:
        raise ApiError(404, "not_found", f"no course {course_id!r}")
    return course, content_language(course)


def find_lesson(course: Course, lesson_id: str, lang: str) -> Lesson:
    lesson = course.lessons.get(lesson_id)
    if lesson is None:
        raise ApiError(404, "not_found", f"no lesson {lesson_id!r} in course {course.id!r}")
    return lesson.in_language(lang)


def find_guide(course: Course, guide_id: str, lang: str) -> Guide:
    guide = course.guides.get(guide_id)
    if guide is None:
        raise ApiError(404, "not_found", f"no guide {guide_id!r} in course {course.id!r}")
    return guide.in_language(lang)


def media_base(course: Course) -> str:
    return f"/courses/{course.id}/media"


def render_md(course: Course, text: str) -> str:
    return get_catalog().renderer.render(text, media_base(course))


def account_problem(exc) -> str:
    """An ``AccountError`` in the reader's language (the CLI keeps the English text)."""
    reason = getattr(exc, "reason", None)
    if reason == "name_taken":
        return _("An account called %(name)s exists already. Choose another name.", name=exc.name)
    if reason == "bad_name":
        return _("A name needs 1 to 64 characters.")
    if reason == "short_password":
        return _("A password needs at least 8 characters.")
    return str(exc)
