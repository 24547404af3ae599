"""The contest's projector page, ``/teach/sessions/<id>/contest`` (teacher sign-in).

The page is drawn by ``static/contest.js`` from ``GET /api/v1/sessions/<id>/contest``; its
buttons are also plain forms (POST + redirect), so the contest runs without the script.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kepu_server.auth import current_user, teacher_required
from kepu_server.catalog import get_catalog
from kepu_server.classroom import contest as contest_actions
from kepu_server.classroom import teaching
from kepu_server.classroom.sessions import session_content
from kepu_server.errors import ApiError
from kepu_server.store.db import get_db
from kepu_server.views import teaching_web
from kepu_server.views.api_contest import contest_session
from kepu_server.views.contest_json import teacher_contest

bp = Blueprint("teach_contest", __name__, url_prefix="/teach/sessions")


def _words() -> dict:
    return {
        "waiting": _("Get ready! The first question comes when the teacher presses Next."),
        "question": _("Question %(n)s of %(total)s"),
        "answered": _("answered"),
        "closed": _("Time is up"),
        "untimed": _("Open until the teacher closes it"),
        "right_answer": _("Right answer"),
        "finished": _("The contest is over. Well done, everyone!"),
        "leaderboard": _("Leaderboard"),
        "points": _("points"),
        "no_answers": _("Nobody answered this question."),
        "true": _("True"),
        "false": _("False"),
        "offline": _("Connection lost, trying again…"),
    }


@bp.get("/<session_id>/contest")
@teacher_required
def projector(session_id):
    row = teaching.owned_session(get_db(), session_id, current_user())
    if row.get("mode") != "contest":
        return redirect(url_for("teach_session.present", session_id=session_id))
    state = teaching_web.session_state(get_catalog(), get_db(), row)
    return render_template(
        "teach/contest.html", s=state, contest=teacher_contest(row), words=_words()
    )


@bp.post("/<session_id>/contest")
@teacher_required
def control(session_id):
    """The no-script form: ``action`` next, close or reveal, then back to the page."""
    row = contest_session(session_id)
    catalog = get_catalog()
    try:
        contest_actions.act(
            get_db(), row, request.form.get("action"), session_content(catalog, row)[2],
            catalog.question_types, xapi=teaching_web.xapi_reporter(),
        )  # fmt: skip
    except ApiError as exc:
        flash(exc.message, "error")
    return redirect(url_for("teach_contest.projector", session_id=session_id))


def init_app(app) -> None:
    app.register_blueprint(bp)
