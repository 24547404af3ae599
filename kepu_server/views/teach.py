"""Teacher pages: my classes and history, the catalog for teachers, launching a class.

The pages of one running class (join screen, presenter, dashboard, results) are in
``views/teach_session.py``; both blueprints are registered by ``init_app`` here.
"""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kepu_server.auth import current_user, teacher_required
from kepu_server.catalog import get_catalog
from kepu_server.classroom import teaching
from kepu_server.content.model import GRADES
from kepu_server.errors import ApiError
from kepu_server.i18n import content_language
from kepu_server.store import rosters as roster_store
from kepu_server.store.db import get_db
from kepu_server.views import teaching_web
from kepu_server.views.api_teacher import launch_from_body
from kepu_server.views.pages import theme_choices

bp = Blueprint("teach", __name__, url_prefix="/teach")

DURATIONS = (20, 40, 60, 90)
ROSTER_SPLIT = re.compile(r"[\n\r,，、;；\t]+")


@bp.get("/")
@teacher_required
def home():
    db, user = get_db(), current_user()
    teaching_web.purge_now_and_then(db)
    catalog = get_catalog()
    rows = teaching.list_sessions(db, user)
    for row in rows:
        row["title"] = teaching.session_title(catalog, row)
    return render_template(
        "teach/home.html",
        open_sessions=[r for r in rows if r["state"] == "open"],
        history=[r for r in rows if r["state"] == "ended"],
        user=user,
    )


@bp.get("/catalog")
@teacher_required
def catalog():
    """Every lesson, quiz and guide, filtered by theme, grade, duration and language."""
    args = request.args
    theme, grade, language = args.get("theme") or "", args.get("grade") or "", args.get("language")
    minutes = args.get("minutes", type=int)
    cat = get_catalog()
    languages: set[str] = set()
    entries = []
    for course in cat.courses.values():
        lang = language if language in course.languages else content_language(course)
        languages.update(course.languages)
        if theme and course.plugin != theme:
            continue
        if language and language not in course.languages:
            continue
        lessons = []
        for lesson in course.lessons.values():
            lesson = lesson.in_language(lang)
            if grade in GRADES and grade not in lesson.grades:
                continue
            if minutes and (lesson.minutes or 0) > minutes:
                continue
            lessons.append(lesson)
        guides = [
            g.in_language(lang)
            for g in course.guides.values()
            if not (grade in GRADES and g.grades and grade not in g.grades)
            and not (minutes and (g.minutes or 0) > minutes)
        ]
        # Quizzes no lesson links to (quizzes carry no grade or length, so only unfiltered).
        linked = {lesson.quiz for lesson in course.lessons.values()}
        loose = [] if grade or minutes else [
            q.in_language(lang) for q in course.quizzes.values() if q.id not in linked
        ]  # fmt: skip
        if lessons or guides or loose:
            entries.append(
                {"course": course, "title": course.title_in(lang), "lang": lang,
                 "lessons": lessons, "guides": guides, "loose_quizzes": loose,
                 "quizzes": {q.id: q.in_language(lang) for q in course.quizzes.values()}}
            )  # fmt: skip
    return render_template(
        "teach/catalog.html", entries=entries, themes=theme_choices(), theme=theme, grade=grade,
        grades=GRADES, minutes=minutes, durations=DURATIONS, language=language or "",
        languages=sorted(languages),
    )  # fmt: skip


def _launch_target(args) -> tuple:
    """``(course, kind, item)`` named by ?course= and one of ?lesson= ?quiz= ?guide=."""
    course = get_catalog().course(args.get("course", ""))
    if course is None:
        raise ApiError(404, "not_found", _("This course is not installed."))
    for kind, items in (("lesson", course.lessons), ("quiz", course.quizzes),
                        ("guide", course.guides)):  # fmt: skip
        if args.get(kind):
            item = items.get(args[kind])
            if item is None:
                raise ApiError(404, "not_found", _("This course has no such item."))
            return course, kind, item
    raise ApiError(400, "bad_request", _("Choose a lesson, a quiz or a guide to start."))


def parse_roster(text: str) -> list[str]:
    """Names pasted one per line (or separated by commas), blanks and repeats dropped."""
    return list(dict.fromkeys(n.strip() for n in ROSTER_SPLIT.split(text or "") if n.strip()))


@bp.route("/launch", methods=["GET", "POST"])
@teacher_required
def launch():
    """GET: the launch form (pacing, review, language, roster). POST: start the class."""
    source = request.form if request.method == "POST" else request.args
    course, kind, item = _launch_target(source)
    db, user = get_db(), current_user()
    rosters = roster_store.rosters_of(db, user["id"])
    lang = content_language(course)
    context = {"course": course, "course_title": course.title_in(lang), "kind": kind,
               "item": item.in_language(lang), "rosters": rosters, "lang": lang}  # fmt: skip
    if request.method == "GET":
        return render_template("teach/launch.html", **context)
    form = request.form
    roster = None
    if form.get("roster_mode") == "saved":
        chosen = next((r for r in rosters if str(r["id"]) == form.get("roster_id")), None)
        roster = chosen["names"] if chosen else None
    elif form.get("roster_mode") == "paste":
        roster = parse_roster(form.get("roster_text", "")) or None
        if roster is None:
            # Not a silent nickname class: the teacher meant a list and gave none.
            flash(
                _("The class list is empty. Paste the names, one per line, or choose “No list”."),
                "error",
            )
            return render_template("teach/launch.html", **context), 400
    body = {"course": course.id, kind: item.id, "pacing": form.get("pacing", "teacher"),
            "review": form.get("review") == "1", "roster": roster,
            "language": form.get("language") or None}  # fmt: skip
    try:
        if body["pacing"] == "contest":
            body.update(contest_fields(form))
        if roster and form.get("roster_name", "").strip():
            roster_store.save_roster(db, user["id"], form["roster_name"].strip()[:60], roster)
        row = launch_from_body(body)
    except ApiError as exc:
        flash(exc.message, "error")
        return render_template("teach/launch.html", **context), exc.status
    return redirect(url_for("teach_session.join_screen", session_id=row["id"]))


def contest_fields(form) -> dict:
    """The launch form's contest choices as ``POST /api/v1/sessions`` takes them."""
    text = (form.get("seconds") or "").strip()
    try:
        seconds = int(text) if text else None
    except ValueError:
        raise ApiError(400, "bad_request", _("Seconds per question: a whole number.")) from None
    return {"pacing": "teacher", "mode": "contest", "seconds": seconds,
            "leaderboard": form.get("leaderboard") == "1"}  # fmt: skip


@bp.post("/rosters/<int:roster_id>/delete")
@teacher_required
def delete_roster(roster_id):
    roster_store.delete_roster(get_db(), current_user()["id"], roster_id)
    flash(_("The class list was deleted."), "ok")
    back = request.referrer or ""
    return redirect(back if back.startswith(request.host_url) else url_for("teach.home"))


def init_app(app) -> None:
    from kepu_server.views import teach_session

    app.register_blueprint(bp)
    app.register_blueprint(teach_session.bp)
