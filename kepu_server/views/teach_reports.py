"""A teacher's own participation report: ``/teach/reports`` and its CSV.

The same rows, charts and CSV as ``/admin/reports``, counting only the classes the signed-in
teacher taught (an admin's "my classes" are the school's, as on ``/teach/``).
"""

from __future__ import annotations

from flask import Blueprint, render_template

from kepu_server.auth import current_user, teacher_required
from kepu_server.views import reports_web

bp = Blueprint("teach_reports", __name__, url_prefix="/teach")


@bp.get("/reports")
@teacher_required
def page():
    group, date_from, date_to = reports_web.query()
    user = current_user()
    found = reports_web.rows(group, date_from, date_to, reports_web.teacher_scope(user))
    args = reports_web.page_args("teach_reports.page", group, date_from, date_to, found)
    return render_template("teach/reports.html", **args, user=user)


@bp.get("/reports.csv")
@teacher_required
def page_csv():
    group, date_from, date_to = reports_web.query()
    scope = reports_web.teacher_scope(current_user())
    return reports_web.csv_response(group, reports_web.rows(group, date_from, date_to, scope))


def init_app(app) -> None:
    app.register_blueprint(bp)
