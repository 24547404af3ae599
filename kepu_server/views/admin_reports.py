"""Participation reports: ``/admin/reports`` (page, CSV) and the JSON API.

The page and its CSV count the whole school (admins only); the API gives a teacher their
own classes and an admin the school. Rows come from ``store.reports.participation`` through
``views/reports_web.py``; the xAPI delivery settings are shown (never the password).
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from kepu_server.auth import admin_required, current_user, teacher_required
from kepu_server.store import outbox
from kepu_server.store.db import get_db
from kepu_server.store.reports import GROUPS
from kepu_server.views import reports_web
from kepu_server.xapi.record import settings

bp = Blueprint("admin_reports", __name__)


@bp.get("/api/v1/reports/participation")
@teacher_required
def api_participation():
    group, date_from, date_to = reports_web.query()
    scope = reports_web.teacher_scope(current_user())
    return jsonify({"group": group, "from": date_from, "to": date_to,
                    "rows": reports_web.rows(group, date_from, date_to, scope)})  # fmt: skip


@bp.get("/admin/reports")
@admin_required
def page():
    group, date_from, date_to = reports_web.query()
    found = reports_web.rows(group, date_from, date_to, None)
    cfg = settings(current_app.config)
    shown = {k: cfg.get(k) for k in ("endpoint", "username", "school")} if cfg else None
    args = reports_web.page_args("admin_reports.page", group, date_from, date_to, found)
    return render_template("admin/reports.html", **args, xapi=shown, queue=outbox.status(get_db()))


@bp.get("/admin/reports.csv")
@admin_required
def page_csv():
    group, date_from, date_to = reports_web.query()
    return reports_web.csv_response(group, reports_web.rows(group, date_from, date_to, None))


def init_app(app) -> None:
    app.register_blueprint(bp)


_ROW = {"type": "object", "properties": {
    "key": {"type": "string"}, "sessions": {"type": "integer"}, "students": {"type": "integer"},
    "handins": {"type": "integer"}, "mean_score": {"type": ["number", "null"]}}}  # fmt: skip
OPENAPI_PATHS = {
    "/api/v1/reports/participation": {
        "get": {
            "summary": "Participation by course, lesson, grade band or month: a teacher's "
            "own classes, or the whole school for an admin",
            "tags": ["reports"],
            "security": [{"bearer": []}, {"cookie": []}],
            "parameters": [
                {
                    "name": "group",
                    "in": "query",
                    "schema": {"type": "string", "enum": list(GROUPS)},
                },
                {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
                {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
            ],
            "responses": {
                "200": {
                    "description": "`{group, from, to, rows}`; mean_score is score/max "
                    "averaged over graded hand-ins",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"rows": {"type": "array", "items": _ROW}},
                            }
                        }
                    },
                },
                "400": {"description": "bad group or date"},
                "401": {"description": "not signed in"},
                "403": {"description": "a student's token"},
            },
        }
    }
}
