"""The pages of one class session: join screen, presenter, dashboard, results.

Controls are plain forms (POST + redirect), so they work with or without the script;
``static/teach.js`` adds keyboard and presentation-clicker keys and live polling.
"""

from __future__ import annotations

import segno
from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from kepu_server.auth import current_user, teacher_required
from kepu_server.catalog import get_catalog
from kepu_server.classroom import results as session_results
from kepu_server.classroom import teaching
from kepu_server.classroom.sessions import session_content
from kepu_server.errors import ApiError
from kepu_server.store import repairs
from kepu_server.store.db import get_db
from kepu_server.store.participants import participant_names
from kepu_server.views import teaching_web
from kepu_server.views.common import render_md, unless_unchanged

bp = Blueprint("teach_session", __name__, url_prefix="/teach/sessions")

BACK_PAGES = {"join": "join_screen", "present": "present", "dashboard": "dashboard"}


def _session(session_id: str) -> dict:
    return teaching.owned_session(get_db(), session_id, current_user())


def _context(row: dict) -> dict:
    catalog = get_catalog()
    state = teaching_web.session_state(catalog, get_db(), row)
    return {"s": state, "row": row}


def _words() -> dict:
    return {"true": _("True"), "false": _("False")}


@bp.get("/<session_id>/join")
@teacher_required
def join_screen(session_id):
    """For the projector: the join code huge, a QR code of the join URL, the LAN address."""
    context = _context(_session(session_id))
    url = context["s"]["join_url"]
    qr = segno.make(url, error="m").svg_inline(
        scale=8, border=2, omitsize=True, dark="#1d2a2f", title=_("QR code to join the class")
    )
    names = participant_names(get_db(), session_id)
    return render_template(
        "teach/join_screen.html",
        qr_svg=qr,
        base_url=teaching_web.join_base_url(),
        other_urls=teaching_web.other_base_urls(),
        names=names,
        **context,
    )


@bp.get("/<session_id>")
@teacher_required
def present(session_id):
    """The presenter: the current section large, with previous and next and the controls."""
    row = _session(session_id)
    context = _context(row)
    catalog = get_catalog()
    course, _lesson, quiz, _guides = session_content(catalog, row)
    slides = teaching.slides(catalog, row)
    index = min(row["current_section"], max(len(slides) - 1, 0))
    current = slides[index] if slides else None
    return render_template(
        "teach/present.html",
        current=current,
        current_html=render_md(course, current.markdown) if current and course else "",
        index=index,
        slides=slides,
        previous=slides[index - 1] if slides and index > 0 else None,
        following=slides[index + 1] if index + 1 < len(slides) else None,
        quiz=quiz,
        **context,
    )


@bp.post("/<session_id>/control")
@teacher_required
def control(session_id):
    """One teacher action from a form: next, prev, goto, quiz, joining, end."""
    db, catalog = get_db(), get_catalog()
    row = _session(session_id)
    action = request.form.get("action", "")
    back = BACK_PAGES.get(request.form.get("back", ""), "present")
    try:
        if action == "end":
            teaching_web.end_session(db, row)
            flash(_("The class has ended. Students can no longer join or answer."), "ok")
            return redirect(url_for(".results", session_id=session_id))
        if row["state"] != "open":
            raise ApiError(409, "session_ended", _("This class has ended."))
        teaching.apply_controls(catalog, db, row, _changes(action, row, catalog))
    except ApiError as exc:
        flash(exc.message, "error")
    return redirect(url_for(f".{back}", session_id=session_id))


def _changes(action: str, row: dict, catalog) -> dict:
    last = len(teaching.slides(catalog, row)) - 1
    current = row["current_section"]
    if action == "next":
        return {"current_section": min(current + 1, max(last, 0))}
    if action == "prev":
        return {"current_section": max(current - 1, 0)}
    if action == "goto":
        try:
            return {"current_section": int(request.form.get("section", ""))}
        except ValueError:
            raise ApiError(400, "bad_request", _("Choose a section.")) from None
    simple = {
        "open_quiz": {"quiz_open": True},
        "close_quiz": {"quiz_open": False},
        "lock": {"joining_open": False},
        "unlock": {"joining_open": True},
        "review_on": {"review": True},
        "review_off": {"review": False},
    }
    if action not in simple:
        raise ApiError(400, "bad_request", _("Unknown action."))
    return simple[action]


@bp.get("/<session_id>/dashboard")
@teacher_required
def dashboard(session_id):
    row = _session(session_id)
    live = session_results.live_dashboard(get_db(), get_catalog(), row, _words())
    return render_template("teach/dashboard.html", live=live, **_context(row))


@bp.get("/<session_id>/dashboard/live")
@teacher_required
def dashboard_fragment(session_id):
    """The dashboard's changing part as HTML; a 304, before any of it is built, while nothing
    in the class changed (``unless_unchanged``)."""
    row = _session(session_id)

    def render():
        live = session_results.live_dashboard(get_db(), get_catalog(), row, _words())
        return make_response(render_template("teach/_dashboard_body.html", live=live))

    return unless_unchanged("dashboard", row, render)


@bp.get("/<session_id>/results")
@teacher_required
def results(session_id):
    row = _session(session_id)
    data = session_results.results(get_db(), get_catalog(), row)
    words, types = _words(), get_catalog().question_types
    for p in data["participants"]:
        p["cells"] = [
            {
                "label": session_results.response_label(types, q, p["answers"][q["id"]], words),
                "correct": session_results.is_correct(q, p["scores"].get(q["id"])),
            }
            if q["id"] in p["answers"]
            else None
            for q in data["questions"]
        ]
    seats = repairs.seats_of(get_db(), session_id)  # the regrade form names seats by id
    return render_template("teach/results.html", data=data, seats=seats, **_context(row))


@bp.post("/<session_id>/delete-results")
@teacher_required
def delete_results(session_id):
    count = teaching.delete_results(get_db(), _session(session_id))
    flash(ngettext("Deleted the results of %(num)d student.",
                   "Deleted the results of %(num)d students.", count), "ok")  # fmt: skip
    return redirect(url_for(".results", session_id=session_id))


@bp.post("/<session_id>/delete")
@teacher_required
def delete_session(session_id):
    teaching_web.delete_session(get_db(), _session(session_id))
    flash(_("The class and everything stored about its students were deleted."), "ok")
    return redirect(url_for("teach.home"))
