"""Participation reports: ``/admin/reports`` (page, CSV) and the admin JSON API.

Rows come from ``store.reports.participation``; the charts are SVG drawn here. The xAPI
delivery settings are shown (never the password).
"""

from __future__ import annotations

import csv
import io
import re

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _

from kepu_server.auth import admin_required
from kepu_server.catalog import get_catalog
from kepu_server.errors import ApiError
from kepu_server.store import outbox
from kepu_server.store.db import get_db
from kepu_server.store.reports import GROUPS, participation
from kepu_server.views.svg_chart import bar_chart
from kepu_server.xapi.record import settings

bp = Blueprint("admin_reports", __name__)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _query() -> tuple[str, str | None, str | None]:
    group = request.args.get("group", "course")
    if group not in GROUPS:
        raise ApiError(400, "bad_request", f"'group' must be one of {', '.join(GROUPS)}")
    dates = []
    for key in ("from", "to"):
        value = request.args.get(key) or None
        if value is not None and not DATE.match(value):
            raise ApiError(400, "bad_request", f"'{key}' must be a date YYYY-MM-DD")
        dates.append(value)
    return group, dates[0], dates[1]


def _rows(group, date_from, date_to) -> list[dict]:
    catalog = get_catalog()
    grades = {cid: ",".join(c.grades) for cid, c in catalog.courses.items()}
    return participation(get_db(), group, date_from, date_to, grade_of=grades)


@bp.get("/api/v1/reports/participation")
@admin_required
def api_participation():
    group, date_from, date_to = _query()
    return jsonify({"group": group, "from": date_from, "to": date_to,
                    "rows": _rows(group, date_from, date_to)})  # fmt: skip


@bp.get("/admin/reports")
@admin_required
def page():
    group, date_from, date_to = _query()
    rows = _rows(group, date_from, date_to)
    charts = [
        bar_chart(_("Students"), [(r["key"], r["students"]) for r in rows]),
        bar_chart(_("Mean score"), [(r["key"], (r["mean_score"] or 0) * 100) for r in rows],
                  lambda v: f"{v:.0f}%"),
    ]  # fmt: skip
    cfg = settings(current_app.config)
    shown = {k: cfg.get(k) for k in ("endpoint", "username", "school")} if cfg else None
    return render_template("admin/reports.html", rows=rows, group=group, groups=GROUPS,
                           date_from=date_from or "", date_to=date_to or "", charts=charts,
                           xapi=shown, queue=outbox.status(get_db()))  # fmt: skip


@bp.get("/admin/reports.csv")
@admin_required
def page_csv():
    group, date_from, date_to = _query()
    out = io.StringIO()
    writer = csv.writer(out)
    heads = {"course": _("Course"), "lesson": _("Lesson"), "grade": _("Grade band"),
             "month": _("Month")}  # fmt: skip
    writer.writerow([heads[group], _("Class sessions"), _("Students"), _("Hand-ins"),
                     _("Mean score")])  # fmt: skip
    for r in _rows(group, date_from, date_to):
        mean = "" if r["mean_score"] is None else f"{r['mean_score']:.4f}"
        writer.writerow([r["key"], r["sessions"], r["students"], r["handins"], mean])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=participation.csv"})  # fmt: skip


def init_app(app) -> None:
    app.register_blueprint(bp)


_ROW = {"type": "object", "properties": {
    "key": {"type": "string"}, "sessions": {"type": "integer"}, "students": {"type": "integer"},
    "handins": {"type": "integer"}, "mean_score": {"type": ["number", "null"]}}}  # fmt: skip
OPENAPI_PATHS = {
    "/api/v1/reports/participation": {
        "get": {
            "summary": "Participation by course, lesson, grade band or month (admins)",
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
                "403": {"description": "not an admin"},
            },
        }
    }
}
