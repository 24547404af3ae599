"""Authoring API: teachers create courses (content packs) and write them file by file.

Any teacher creates a course; its author and admins edit, import into, export and delete
it; bundled, pip and folder-plugin courses are never changed in place (copy them with
``copy_from``). Every write is validated by the loader that serves courses (authoring.packs).
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, request

from kepu_server.auth import current_user, teacher_required
from kepu_server.authoring import packs
from kepu_server.authoring.importing import import_into
from kepu_server.authoring.media import checked_media, media_name
from kepu_server.authoring.packs import check_id, item_path
from kepu_server.authoring.sheet import template_csv, template_xlsx
from kepu_server.catalog import get_catalog
from kepu_server.errors import ApiError
from kepu_server.store import authoring as authors
from kepu_server.store.db import get_db
from kepu_server.views.api_authoring_spec import OPENAPI_PATHS  # noqa: F401 - merged by openapi
from kepu_server.views.common import render_md

bp = Blueprint("api_authoring", __name__, url_prefix="/api/v1/authoring")
ITEM_KINDS = {"lessons": "lesson", "quizzes": "quiz", "guides": "guide"}


def body_json(max_bytes: int | None = None) -> dict:
    limit = max_bytes or current_app.config.get("KEPU_AUTHORING_MAX_BYTES", 1024 * 1024)
    if (request.content_length or 0) > limit:
        raise ApiError(413, "too_large", f"the request body is larger than {limit} bytes")
    data = request.get_json(silent=True, force=True)
    if not isinstance(data, dict):
        raise ApiError(400, "bad_json", "send a JSON object as the request body")
    return data


def pack_root(course_id: str) -> Path:
    """The pack folder of a course the current user may change; 403/404 otherwise."""
    check_id(course_id, "the course id")
    root = packs.packs_dir(current_app) / course_id
    if not root.is_dir():
        if get_catalog().course(course_id) is not None:
            raise ApiError(403, "forbidden", f"{course_id!r} is not an authored course: it is "
                           "never changed in place; make a copy (copy_from) and edit that")  # fmt: skip
        raise ApiError(404, "not_found", f"no authored course {course_id!r}")
    user = current_user()
    if not user["is_admin"] and authors.author_of(get_db(), course_id) != user["id"]:
        raise ApiError(403, "forbidden", "only the course's author or an admin may change it")
    return root


def expected_version(data: dict | None = None) -> str | None:
    header = request.headers.get("If-Match")
    if header:
        return header.strip().strip('"').removeprefix("W/").strip('"')
    value = (data or {}).get("version")
    return value if isinstance(value, str) and value else None


def saved(path: Path, created: bool):
    response = jsonify({"path": f"{path.parent.name}/{path.name}",
                        "version": packs.file_version(path)})  # fmt: skip
    response.status_code = 201 if created else 200
    response.headers["ETag"] = f'"{packs.file_version(path)}"'
    return response


# ---------------------------------------------------------------- courses


@bp.get("/courses")
@teacher_required
def my_courses():
    user = current_user()
    db = get_db()
    ids = (
        sorted(authors.all_authored(db)) if user["is_admin"] else authors.courses_by(db, user["id"])
    )
    catalog = get_catalog()
    return jsonify([{"id": cid, "title": catalog.course(cid).title if catalog.course(cid) else cid,
                     "served": catalog.course(cid) is not None}
                    for cid in ids if (packs.packs_dir(current_app) / cid).is_dir()])  # fmt: skip


@bp.post("/courses")
@teacher_required
def create_course():
    data = body_json()
    course_id = check_id(data.get("id"), "'id'")
    source = data.get("copy_from")
    if source is not None:
        original = get_catalog().course(source if isinstance(source, str) else "")
        if original is None or original.path is None:
            raise ApiError(404, "not_found", f"no served course {source!r} to copy")
        title = data.get("title") if isinstance(data.get("title"), str) else None
        packs.create_pack(current_app, course_id,
                          lambda root: packs.copy_course_into(original.path, root, course_id, title))  # fmt: skip
    else:
        meta = packs.new_course_toml(data, course_id)
        packs.create_pack(current_app, course_id, lambda root: (root / "course.toml").write_text(
            packs.toml_text(meta), encoding="utf-8"))  # fmt: skip
    authors.record_author(get_db(), course_id, current_user()["id"])
    response = jsonify(course_files(packs.packs_dir(current_app) / course_id))
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/authoring/courses/{course_id}"
    return response


def course_files(root: Path) -> dict:
    """Everything an editor shows: course.toml, each file with its version, media, problems."""
    found = {"id": root.name, "course": packs.read_item_toml(root / "course.toml"),
             "version": packs.file_version(root / "course.toml")}  # fmt: skip
    for kind in ITEM_KINDS:
        items: dict[str, dict] = {}
        for path in sorted((root / kind).glob(f"*{packs.KINDS[kind]}")):
            item_id, *lang = path.name[: -len(packs.KINDS[kind])].split(".")
            try:
                entry = packs.read_item(path)
            except (ValueError, StopIteration, UnicodeDecodeError):
                entry = {"version": packs.file_version(path), "unreadable": True}
            items.setdefault(item_id, {"id": item_id, "translations": {}})
            if lang:
                items[item_id]["translations"][lang[0]] = entry
            else:
                items[item_id].update(entry)
        found[kind] = list(items.values())
    media = root / "media"
    found["media"] = sorted(f"media/{p.name}" for p in media.iterdir()) if media.is_dir() else []
    course = get_catalog().course(root.name)
    found["problems"] = [p.as_dict() for p in course.problems] if course else []
    return found


@bp.get("/courses/<course>")
@teacher_required
def get_course(course):
    return jsonify(course_files(pack_root(course)))


@bp.put("/courses/<course>")
@teacher_required
def update_course(course):
    """course.toml: title, grades, language, summary and their translations; the id stays."""
    root = pack_root(course)
    data = body_json()
    path = root / "course.toml"
    old = packs.read_item_toml(path)
    meta = packs.new_course_toml({**old, **data}, course)
    for key in ("version", "order"):
        if key in old:
            meta[key] = old[key]
    expected = expected_version(data)

    def change(new_root: Path) -> None:
        packs.check_version(path, expected)
        (new_root / "course.toml").write_text(packs.toml_text(meta), encoding="utf-8")
        packs.bump_version(new_root)

    packs.apply_change(current_app, course, change)
    return saved(path, created=False)


@bp.delete("/courses/<course>")
@teacher_required
def delete_course(course):
    from kepu_server.install import uninstall

    pack_root(course)
    uninstall(current_app, course)
    authors.forget_author(get_db(), course)
    return Response(status=204)


# ---------------------------------------------------------------- lessons, quizzes, guides


def _put_item(course: str, kind: str, item_id: str):
    root = pack_root(course)
    data = body_json()
    lang = request.args.get("translation") or None
    path = item_path(root, kind, item_id, lang)
    if kind == "quizzes":
        quiz = {k: v for k, v in data.items() if k != "version"}
        quiz["id"] = item_id
        text = packs.toml_text(quiz)
    else:
        meta = data.get("meta", {})
        if not isinstance(meta, dict):
            raise ApiError(400, "bad_request", "'meta' must be an object of front-matter fields")
        text = packs.front_matter_text({**meta, "id": item_id}, data.get("body", ""))
    expected = expected_version(data)
    created = not path.exists()

    def change(new_root: Path) -> None:
        packs.check_version(path, expected)
        target = new_root / path.relative_to(root)
        target.parent.mkdir(exist_ok=True)
        target.write_text(text, encoding="utf-8")
        if lang:
            packs.ensure_language(new_root, lang)
        packs.bump_version(new_root)

    packs.apply_change(current_app, course, change)
    return saved(path, created)


def _delete_item(course: str, kind: str, item_id: str):
    root = pack_root(course)
    lang = request.args.get("translation") or None
    path = item_path(root, kind, item_id, lang)
    if not path.exists():
        raise ApiError(404, "not_found", f"no {ITEM_KINDS[kind]} {item_id!r} in {course!r}")
    expected = expected_version()

    def change(new_root: Path) -> None:
        packs.check_version(path, expected)
        folder = new_root / kind
        names = [path.name] if lang else [p.name for p in folder.glob(f"{item_id}.*")
                                          if p.name.split(".")[0] == item_id]  # fmt: skip
        for name in names:
            (folder / name).unlink()
        packs.bump_version(new_root)

    packs.apply_change(current_app, course, change)
    return Response(status=204)


def _item_views(kind: str, word: str) -> None:
    """PUT and DELETE for one kind, with DESIGN's path variable (<lesson>, <quiz>, <guide>)."""

    def put(course, **ids):
        return _put_item(course, kind, ids[word])

    def delete(course, **ids):
        return _delete_item(course, kind, ids[word])

    rule = f"/courses/<course>/{kind}/<{word}>"
    bp.add_url_rule(rule, f"put_{word}", teacher_required(put), methods=["PUT"])
    bp.add_url_rule(rule, f"delete_{word}", teacher_required(delete), methods=["DELETE"])


for _kind, _word in ITEM_KINDS.items():
    _item_views(_kind, _word)


# ---------------------------------------------------------------- media, import, export


def _upload() -> tuple[str, bytes]:
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(400, "missing_field", "send the file as multipart form field 'file'")
    return upload.filename or "", upload.read()


@bp.post("/courses/<course>/media")
@teacher_required
def upload_media(course):
    root = pack_root(course)
    limit = current_app.config.get("KEPU_MEDIA_MAX_BYTES", 2 * 1024 * 1024)
    if (request.content_length or 0) > limit + 64 * 1024:
        raise ApiError(413, "too_large", f"an image may be at most {limit // 1024} KB")
    filename, data = _upload()
    name, ext = media_name(filename)
    data = checked_media(data, ext, limit)
    stem = name[: -len(ext)]
    number = 1
    while (root / "media" / name).exists() and (root / "media" / name).read_bytes() != data:
        number += 1
        name = f"{stem}-{number}{ext}"

    def change(new_root: Path) -> None:
        (new_root / "media").mkdir(exist_ok=True)
        (new_root / "media" / name).write_bytes(data)

    packs.apply_change(current_app, course, change)
    response = jsonify({"path": f"media/{name}", "url": f"/courses/{course}/media/{name}"})
    response.status_code = 201
    return response


@bp.post("/courses/<course>/import")
@teacher_required
def import_questions(course):
    pack_root(course)
    limit = current_app.config.get("KEPU_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
    if (request.content_length or 0) > limit + 64 * 1024:
        raise ApiError(413, "too_large", f"a question file may be at most {limit // 1024} KB")
    filename, data = _upload()
    found = import_into(current_app, course, data, filename,
                        request.form.get("format") or None, request.form.get("quiz") or None,
                        request.form.get("title") or None)  # fmt: skip
    response = jsonify(found)
    response.status_code = 201
    return response


@bp.get("/courses/<course>/export")
@teacher_required
def export_course(course):
    root = pack_root(course)
    version = re.sub(
        r"[^0-9A-Za-z.]", "", str(packs.read_item_toml(root / "course.toml").get("version", "0"))
    )
    return Response(packs.export_zip(root), mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{course}-{version}.zip"',
        "Cache-Control": "private, no-store"})  # fmt: skip


@bp.post("/preview")
@teacher_required
def preview():
    """The server's own rendering of Markdown, for the editors' live preview."""
    data = body_json()
    text = data.get("markdown", "")
    if not isinstance(text, str):
        raise ApiError(400, "bad_request", "'markdown' must be text")
    course = get_catalog().course(str(data.get("course", "")))
    if course is None:
        html = get_catalog().renderer.render(text, "")
    else:
        html = render_md(course, text)
    from kepu_server.content.parsing import split_sections

    sections = [{"title": t, "html": render_md(course, m) if course else html}
                for t, m, _ in split_sections(text, 1)] if data.get("sections") else None  # fmt: skip
    return jsonify({"html": html, "sections": sections})


@bp.get("/template.<format>")
@teacher_required
def template(format):  # noqa: A002 - the path variable's name
    ext = format
    if ext not in ("xlsx", "csv"):
        raise ApiError(404, "not_found", "the template is template.xlsx or template.csv")
    data = template_xlsx() if ext == "xlsx" else template_csv()
    mimetype = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                if ext == "xlsx" else "text/csv")  # fmt: skip
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="kepu-questions.{ext}"'},
    )


def init_app(app) -> None:
    app.register_blueprint(bp)


@bp.errorhandler(packs.InvalidCourse)
def invalid_course(exc: packs.InvalidCourse):
    response = jsonify({"error": {"code": exc.code, "message": exc.message,
                                  "problems": exc.problems}})  # fmt: skip
    response.status_code = exc.status
    return response
