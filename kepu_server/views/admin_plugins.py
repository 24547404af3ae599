"""Admin pages and API: plugins and content packs (and the ``/admin/`` index).

The web manages content packs only: they are data, nothing in them runs. Plugins with code
(folder plugins, pip plugins) are installed on the server with ``kepu plugins install``; here
they can be seen, enabled and disabled.

Uploads are checked for an admin BEFORE the body is read: the upload endpoints are exempt from
the app-wide CSRF check (which would parse the whole multipart body first) and run that check
themselves right after ``admin_required``.
"""

from __future__ import annotations

import os
import tempfile

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from kepu_server.auth import admin_required, bearer_token
from kepu_server.catalog import get_catalog
from kepu_server.errors import ApiError
from kepu_server.i18n import content_language
from kepu_server.install import InstallError, install, pip_versions, restart_notes, uninstall
from kepu_server.install import set_enabled as set_plugin_enabled
from kepu_server.security import csrf

bp = Blueprint("admin_plugins", __name__, url_prefix="/admin")
api = Blueprint("api_plugins", __name__, url_prefix="/api/v1/plugins")

STATUS_CODES = {"unsafe": 422, "invalid": 422, "requires": 422, "not_allowed": 422,
                "conflict": 409, "installed": 409, "not_found": 404, "pip": 502}  # fmt: skip


def plugin_rows() -> tuple[list[dict], dict[str, str]]:
    """Every plugin as shown to admins, with what waits for a restart."""
    notes = restart_notes(current_app.extensions["kepu_pip_loaded"])
    catalog = get_catalog()
    rows = []
    for record in catalog.records:
        row = record.as_dict()
        row["path"] = record.path
        row["course_links"] = [(c, _course_title(catalog, c)) for c in record.courses]
        if record.source in ("bundled", "pip") and len(record.courses) == 1:
            # A pip plugin's title is its distribution name; its course's title says more.
            row["title"] = row["course_links"][0][1]
        row["restart"] = notes.get(record.name)
        row["needs_restart"] = row["restart"] is not None
        rows.append(row)
    known = {row["name"] for row in rows}
    installed = pip_versions()
    for name, why in sorted(notes.items()):
        if name not in known:
            rows.append({"name": name, "version": installed.get(name, "?"), "source": "pip",
                         "status": "ok", "title": "", "error": None, "errors": [],
                         "courses": [], "course_links": [], "needs_restart": True, "restart": why, "path": None})  # fmt: skip
    return rows, notes


def _course_title(catalog, course_id: str) -> str:
    course = catalog.courses.get(course_id)
    if course is None:
        return course_id
    return course.translations.get(content_language(course), {}).get("title", course.title)


def _refresh() -> None:
    # Rebuild now, so the page after the redirect already shows the change.
    current_app.extensions["kepu"].refresh()


def _check_upload_csrf() -> None:
    """The CSRF check the app skips for uploads, made once the caller is known to be an admin."""
    if bearer_token() is None:
        try:
            csrf.protect()
        except CSRFError as exc:
            raise ApiError(400, "csrf_failed", exc.description) from None


def _save_upload(field: str = "pack") -> tuple[str, str]:
    """The uploaded zip saved to a temporary file: (path, file name as uploaded)."""
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        raise InstallError("invalid", _("Choose a content pack (.zip) to upload."))
    name = os.path.basename(upload.filename.replace("\\", "/"))
    if not name.lower().endswith(".zip"):
        raise InstallError("not_allowed", _("Only content packs (.zip files) can be uploaded."))
    handle, path = tempfile.mkstemp(suffix=".zip", prefix="kepu-upload-")
    with os.fdopen(handle, "wb") as out:
        upload.save(out)
    return path, name


def _install_upload() -> object:
    path = None
    try:
        path, name = _save_upload()
        return install(current_app, path, allowed={"pack"}, label=name)
    finally:
        if path:
            os.unlink(path)


# ---------------------------------------------------------------- pages


@bp.get("/")
@admin_required
def index():
    rows, notes = plugin_rows()
    failed = [r for r in rows if r["status"] == "failed" or r["errors"]]
    return render_template("admin/index.html", plugins=rows, failed=failed, notes=notes,
                           courses=len(get_catalog().courses))  # fmt: skip


@bp.get("/plugins")
@admin_required
def plugins():
    rows, notes = plugin_rows()
    return render_template("admin/plugins.html", plugins=rows, notes=notes)


@bp.post("/plugins/packs")
@admin_required
def upload_pack():
    _check_upload_csrf()
    try:
        result = _install_upload()
    except InstallError as exc:
        rows, notes = plugin_rows()
        return render_template("admin/plugins.html", plugins=rows, notes=notes, refusal=exc), (
            STATUS_CODES.get(exc.kind, 400)
        )
    _refresh()
    if result.action == "upgraded":
        flash(_("Upgraded the content pack %(name)s from %(old)s to %(new)s.", name=result.name,
                old=result.previous_version, new=result.version), "ok")  # fmt: skip
    else:
        flash(_("Installed the content pack %(name)s %(version)s. Teachers can use it now.",
                name=result.name, version=result.version), "ok")  # fmt: skip
    return redirect(url_for(".plugins"), 303)


@bp.post("/plugins/<name>/<any(enable, disable):action>")
@admin_required
def change_state(name, action):
    try:
        changed = set_plugin_enabled(current_app, name, action == "enable")
    except InstallError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".plugins"), 303)
    _refresh()
    if not changed:
        flash(_("Nothing changed: %(name)s already was in that state.", name=name), "ok")
    elif action == "enable":
        flash(_("Enabled %(name)s: its courses are back in the catalog.", name=name), "ok")
    else:
        flash(_("Disabled %(name)s: its courses are hidden; class results stay readable.",
                name=name), "ok")  # fmt: skip
    return redirect(url_for(".plugins"), 303)


@bp.post("/plugins/<name>/uninstall")
@admin_required
def remove_pack(name):
    record = get_catalog().record(name)
    if record is None or record.source != "pack":
        flash(_("Only content packs can be removed here; remove plugins on the server with "
                "'kepu plugins uninstall'."), "error")  # fmt: skip
        return redirect(url_for(".plugins"), 303)
    if not request.form.get("sure"):
        flash(_("Tick “Sure” to remove a content pack."), "error")
        return redirect(url_for(".plugins"), 303)
    try:
        uninstall(current_app, name)
    except InstallError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".plugins"), 303)
    _refresh()
    flash(_("Removed the content pack %(name)s. Class results stay readable.", name=name), "ok")
    return redirect(url_for(".plugins"), 303)


# ---------------------------------------------------------------- JSON API


def _api_error(exc: InstallError):
    body = {"error": {"code": exc.kind, "message": exc.message, "problems": exc.problems}}
    return jsonify(body), STATUS_CODES.get(exc.kind, 400)


def _record(name: str) -> dict | None:
    return next((row for row in plugin_rows()[0] if row["name"] == name), None)


@api.post("/packs")
@admin_required
def upload_pack_api():
    _check_upload_csrf()
    try:
        result = _install_upload()
    except InstallError as exc:
        return _api_error(exc)
    _refresh()
    return jsonify({**result.as_dict(), "plugin": _record(result.name)}), 201


# Two plain rules rather than one <any(...)> rule: each is a path of the OpenAPI document.
@api.post("/<name>/enable", defaults={"action": "enable"})
@api.post("/<name>/disable", defaults={"action": "disable"})
@admin_required
def change_state_api(name, action):
    try:
        changed = set_plugin_enabled(current_app, name, action == "enable")
    except InstallError as exc:
        return _api_error(exc)
    _refresh()
    return jsonify({"name": name, "changed": changed, "plugin": _record(name)})


@api.delete("/<name>")
@admin_required
def remove_pack_api(name):
    record = get_catalog().record(name)
    if record is None:
        raise ApiError(404, "not_found", f"no plugin or content pack called {name!r}")
    if record.source != "pack":
        raise ApiError(403, "forbidden", "only content packs can be removed over the web; "
                       "use 'kepu plugins uninstall' on the server")  # fmt: skip
    try:
        uninstall(current_app, name)
    except InstallError as exc:
        return _api_error(exc)
    _refresh()
    return "", 204


def init_app(app) -> None:
    # What the pip plugins were when this process loaded them: a difference later means a
    # restart is needed (their code is imported once per process).
    app.extensions["kepu_pip_loaded"] = pip_versions()
    app.register_blueprint(bp)
    app.register_blueprint(api)


_NAME = {
    "name": "name",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "A plugin's NAME; a content pack's NAME is its course id",
}
_ADMIN = {"tags": ["plugins"], "security": [{"bearer": []}, {"cookie": []}]}
_ERR = {"$ref": "#/components/responses/Error"}
_STATE = {
    **_ADMIN,
    "parameters": [_NAME],
    "responses": {
        "200": {
            "description": "`{name, changed, plugin}`; a running server applies it at once",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        "401": _ERR,
        "403": _ERR,
        "404": _ERR,
    },
}

OPENAPI_PATHS = {
    "/api/v1/plugins/packs": {
        "post": {**_ADMIN, "summary": "Install or upgrade a content pack (admins)",
                 "description": "multipart/form-data with the .zip in the field `pack`. Only "
                                "content packs: no code is ever installed over the web. A "
                                "refusal (422 unsafe or invalid, 409 already installed or a "
                                "course id clash) carries `error.problems`, one `file:line: "
                                "message` each, and changes nothing.",
                 "requestBody": {"required": True, "content": {"multipart/form-data": {
                     "schema": {"type": "object", "required": ["pack"], "properties": {
                         "pack": {"type": "string", "format": "binary"}}}}}},
                 "responses": {"201": {"description": "`{name, kind, version, action, courses, "
                                                      "previous_version, plugin}`",
                                       "content": {"application/json": {"schema": {"type": "object"}}}},
                               "401": _ERR, "403": _ERR, "409": _ERR, "413": _ERR, "422": _ERR}},
    },
    "/api/v1/plugins/{name}/enable": {"post": {**_STATE, "summary": "Enable a plugin or pack (admins)"}},
    "/api/v1/plugins/{name}/disable": {"post": {**_STATE, "summary": "Disable a plugin or pack; its courses disappear, results stay (admins)"}},
    "/api/v1/plugins/{name}": {
        "delete": {**_ADMIN, "summary": "Remove a content pack (admins; plugins with code are "
                                        "removed on the server with kepu plugins uninstall)",
                   "parameters": [_NAME],
                   "responses": {"204": {"description": "removed"}, "401": _ERR, "403": _ERR,
                                 "404": _ERR}},
    },
}  # fmt: skip
