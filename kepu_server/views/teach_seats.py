"""A class's seats, for the teacher to repair: free, rename or merge (issue 12, item 3).

A child who taps a classmate's name takes that seat; the classmate is told to ask the
teacher. Here the teacher renames the wrong seat to its real owner, frees a seat so that
the next tablet joining with its name takes it over (answers kept), or merges a child's two
seats (say 小明 and 小明2) into one. The class's tablets find out on their next poll.
"""

from __future__ import annotations

import secrets
import sqlite3

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kepu_server.auth import current_user, teacher_required
from kepu_server.catalog import get_catalog
from kepu_server.classroom import participants as seats
from kepu_server.classroom import teaching
from kepu_server.classroom.names import fold_name
from kepu_server.classroom.sessions import session_content
from kepu_server.errors import ApiError
from kepu_server.store import repairs
from kepu_server.store.db import get_db
from kepu_server.views import teaching_web

bp = Blueprint("teach_seats", __name__, url_prefix="/teach/sessions")


def _owned(session_id: str) -> dict:
    return teaching.owned_session(get_db(), session_id, current_user())


@bp.get("/<session_id>/seats")
@teacher_required
def seats_page(session_id):
    row = _owned(session_id)
    state = teaching_web.session_state(get_catalog(), get_db(), row)
    return render_template(
        "teach/seats.html", s=state, row=row, seats=repairs.seats_of(get_db(), session_id)
    )


def _seat(session_id: str, participant_id: int) -> dict:
    seat = seats.get_participant(get_db(), participant_id)
    if seat is None or seat["session_id"] != session_id:
        raise ApiError(404, "not_found", _("This seat is not in this class any more."))
    return seat


@bp.post("/<session_id>/seats/<int:participant_id>")
@teacher_required
def repair_seat(session_id, participant_id):
    row = _owned(session_id)
    db = get_db()
    seat = _seat(session_id, participant_id)
    action = request.form.get("action")
    back = redirect(url_for(".seats_page", session_id=session_id))
    if action == "free":
        repairs.free_seat(db, seat["id"], secrets.token_hex(16))
        flash(_("%(name)s is free: the next tablet that joins with this name gets it.",
                name=seat["name"]), "ok")  # fmt: skip
    elif action == "rename":
        try:
            name = seats.clean_name(request.form.get("name", ""))
            repairs.rename_seat(db, seat["id"], name, fold_name(name))
        except ApiError:
            flash(_("Type a name of 1 to 40 letters."), "error")
            return back, 400
        except sqlite3.IntegrityError:
            flash(_("Another seat in this class is called %(name)s. Merge the two instead.",
                    name=name), "error")  # fmt: skip
            return back, 409
        flash(_("Renamed %(old)s to %(new)s.", old=seat["name"], new=name), "ok")
    elif action == "merge":
        other_id = request.form.get("into", type=int)
        keep = _seat(session_id, other_id or 0)
        if keep["id"] == seat["id"]:
            flash(_("Choose another seat to merge into."), "error")
            return back, 400
        repairs.merge_seats(db, keep["id"], seat["id"])
        _rescore(db, row, keep["id"])
        flash(_("Merged %(old)s into %(new)s.", old=seat["name"], new=keep["name"]), "ok")
    else:
        flash(_("Choose what to do with the seat."), "error")
        return back, 400
    repairs.bump_session_version(db, session_id)
    return back


def _rescore(db, row: dict, participant_id: int) -> None:
    """A merged seat that was handed in gets the score of its merged answers."""
    seat = seats.get_participant(db, participant_id)
    _course, _lesson, quiz, _guides = session_content(get_catalog(), row)
    if not seat["submitted_at"] or quiz is None:
        return
    graded = seats.grade(quiz, get_catalog().question_types, seats.stored_scores(db, seat["id"]))
    repairs.set_seat_score(
        db, seat["id"], sum(g["score"] for g in graded), sum(g["points"] for g in graded)
    )


def init_app(app) -> None:
    app.register_blueprint(bp)
