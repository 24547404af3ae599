"""Regrading after the fact (Moodle's word): the teacher marks one child's answer right or
wrong, or accepts that answer for everyone in the class who gave it (a text answer " YIXI "
the key did not foresee). Scores are stored per answer, so the results page, the dashboard,
the CSV, the totals of seats that handed in and the child's own review all follow."""

from __future__ import annotations

import json
import unicodedata

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from kepu_server.auth import current_user, teacher_required
from kepu_server.catalog import get_catalog
from kepu_server.classroom import teaching
from kepu_server.classroom.sessions import session_content
from kepu_server.errors import ApiError
from kepu_server.quiz.scoring import max_points
from kepu_server.store import regrade, repairs
from kepu_server.store.db import get_db

bp = Blueprint("teach_regrade", __name__, url_prefix="/teach/sessions")


def same_answer(a, b) -> bool:
    """Two stored responses (JSON text) that mean the same: text after NFKC, trim, case-fold."""
    a, b = json.loads(a), json.loads(b)
    if isinstance(a, str) and isinstance(b, str):
        fold = lambda s: unicodedata.normalize("NFKC", s).strip().casefold()  # noqa: E731
        return fold(a) == fold(b)
    return a == b


@bp.post("/<session_id>/regrade")
@teacher_required
def regrade_answer(session_id):
    db = get_db()
    row = teaching.owned_session(db, session_id, current_user())
    _course, _lesson, quiz, _guides = session_content(get_catalog(), row)
    question = quiz.question(request.form.get("question", "")) if quiz else None
    qtype = get_catalog().question_types.get(question.type) if question else None
    points = max_points(qtype, question) if qtype else 0.0
    if not points:
        raise ApiError(400, "bad_request", _("Choose a question that is graded."))
    answers = {
        a["participant_id"]: a["response"] for a in regrade.answers_to(db, session_id, question.id)
    }
    participant_id = request.form.get("participant", type=int)
    if participant_id not in answers:
        raise ApiError(400, "bad_request", _("This student has not answered that question."))
    action = request.form.get("verdict")
    if action == "right":
        scores = {participant_id: points}
    elif action == "wrong":
        scores = {participant_id: 0.0}
    elif action == "accept":
        given = answers[participant_id]
        scores = {pid: points for pid, response in answers.items() if same_answer(response, given)}
    else:
        raise ApiError(400, "bad_request", _("Choose right, wrong or accept for everyone."))
    regrade.set_answer_scores(db, question.id, scores, [q.id for q in quiz.questions])
    repairs.bump_session_version(db, session_id)
    flash(_("Regraded: %(n)s answers changed.", n=len(scores)), "ok")
    return redirect(url_for("teach_session.results", session_id=session_id))


def init_app(app) -> None:
    app.register_blueprint(bp)
