"""What the participation pages and API share: the query, whose classes count, charts, CSV.

A teacher's report counts only the classes they taught; an admin's counts the school (the
same rule as the list of classes in ``classroom.teaching.list_sessions``).
"""

from __future__ import annotations

import csv
import io
import re

from flask import Response, request, url_for
from flask_babel import gettext as _

from kepu_server.catalog import get_catalog
from kepu_server.errors import ApiError
from kepu_server.store.db import get_db
from kepu_server.store.reports import GROUPS, participation
from kepu_server.views.svg_chart import bar_chart

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def teacher_scope(user: dict) -> int | None:
    """The ``teacher_id`` a user's report is limited to: None (the school) for an admin."""
    return None if user["is_admin"] else user["id"]


def query() -> tuple[str, str | None, str | None]:
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


def rows(group, date_from, date_to, teacher_id: int | None) -> list[dict]:
    catalog = get_catalog()
    grades = {cid: ",".join(c.grades) for cid, c in catalog.courses.items()}
    return participation(get_db(), group, date_from, date_to, teacher_id=teacher_id,
                         grade_of=grades)  # fmt: skip


def charts(found: list[dict]) -> list:
    return [
        bar_chart(_("Students"), [(r["key"], r["students"]) for r in found]),
        bar_chart(_("Mean score"), [(r["key"], (r["mean_score"] or 0) * 100) for r in found],
                  lambda v: f"{v:.0f}%"),
    ]  # fmt: skip


def page_args(view: str, group, date_from, date_to, found: list[dict]) -> dict:
    """What ``_participation.html`` needs; ``view`` is the page's endpoint (its CSV's is
    ``view`` + ``_csv``), and the CSV link keeps the page's filter."""
    dates = {k: v for k, v in (("from", date_from), ("to", date_to)) if v}
    return {"rows": found, "group": group, "groups": GROUPS, "date_from": date_from or "",
            "date_to": date_to or "", "charts": charts(found), "action": url_for(view),
            "csv_url": url_for(view + "_csv", group=group, **dates)}  # fmt: skip


def csv_response(group: str, found: list[dict]) -> Response:
    """The rows as CSV, UTF-8 with a BOM (so that Excel reads the Chinese right)."""
    out = io.StringIO()
    writer = csv.writer(out)
    heads = {"course": _("Course"), "lesson": _("Lesson"), "grade": _("Grade band"),
             "month": _("Month")}  # fmt: skip
    writer.writerow([heads[group], _("Class sessions"), _("Students"), _("Hand-ins"),
                     _("Mean score")])  # fmt: skip
    for r in found:
        mean = "" if r["mean_score"] is None else f"{r['mean_score']:.4f}"
        writer.writerow([r["key"], r["sessions"], r["students"], r["handins"], mean])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=participation.csv"})  # fmt: skip
