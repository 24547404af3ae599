"""Teachers' authoring pages under /teach/author/: my courses, a course, and its editors.

The pages are server-rendered forms; ``static/author.js`` sends them to the authoring API
(``views/api_authoring.py``) with fetch and shows its answers (422 problems at their field,
409 when someone else saved first). No build step, nothing from a CDN.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _

from kepu_server.auth import current_user, teacher_required
from kepu_server.catalog import get_catalog
from kepu_server.content.model import GRADES
from kepu_server.store import authoring as authors
from kepu_server.store.db import get_db
from kepu_server.views.api_authoring import course_files, pack_root

bp = Blueprint("author", __name__, url_prefix="/teach/author")
CORE_TYPES = ("single", "multiple", "truefalse", "numeric", "text", "ordering", "poll")


def labels() -> dict[str, str]:
    """What author.js says, translated here (the script holds no UI text of its own)."""
    return {
        "saved": _("Saved."), "saving": _("Saving…"), "conflict": _("Not saved"),
        "failed": _("Not saved:"), "uploaded": _("Image added."), "add_option": _("Add option"),
        "remove": _("Remove"), "up": _("Move up"), "down": _("Move down"),
        "right": _("Right answer"), "question": _("Question"), "add_question": _("Add question"),
        "prompt": _("Question text (Markdown)"), "points": _("Points"), "type": _("Type"),
        "explain": _("Explanation shown after submitting"), "answer": _("Answer"),
        "tolerance": _("Tolerance (±)"), "unit": _("Unit"), "true": _("True"),
        "false": _("False"), "accept": _("Accepted answers, one a line"),
        "items": _("Items in the correct order"), "fields": _("Fields of this type (JSON)"),
        "bad_json": _("The fields are not valid JSON."), "imported": _("Imported:"),
        "skipped": _("Skipped:"), "line": _("line"),
    }  # fmt: skip


@bp.get("/")
@teacher_required
def home():
    user = current_user()
    db = get_db()
    ids = (
        sorted(authors.all_authored(db)) if user["is_admin"] else authors.courses_by(db, user["id"])
    )
    catalog = get_catalog()
    mine = [{"id": cid, "title": catalog.course(cid).title if catalog.course(cid) else cid,
             "problems": len(catalog.course(cid).problems) if catalog.course(cid) else 0}
            for cid in ids]  # fmt: skip
    served = sorted(((c.id, c.title) for c in catalog.courses.values()), key=lambda c: c[0])
    return render_template("author/home.html", mine=mine, served=served, grades=GRADES,
                           labels=labels())  # fmt: skip


def _editor(course_id: str) -> dict:
    root = pack_root(course_id)
    return {"files": course_files(root), "course_id": course_id, "labels": labels(),
            "grades": GRADES}  # fmt: skip


@bp.get("/<course>")
@teacher_required
def course(course):
    return render_template("author/course.html", **_editor(course))


def _item(data: dict, kind: str, item_id: str) -> dict:
    found = next((i for i in data["files"][kind] if i["id"] == item_id), None)
    return found or {"id": item_id, "new": True, "translations": {}}


@bp.get("/<course>/lessons/<lesson>")
@teacher_required
def lesson(course, lesson):
    data = _editor(course)
    return render_template("author/lesson.html", item=_item(data, "lessons", lesson), **data)


@bp.get("/<course>/guides/<guide>")
@teacher_required
def guide(course, guide):
    data = _editor(course)
    return render_template("author/guide.html", item=_item(data, "guides", guide), **data)


@bp.get("/<course>/quizzes/<quiz>")
@teacher_required
def quiz(course, quiz):
    data = _editor(course)
    types = sorted(get_catalog().question_types)
    plugin_types = [t for t in types if t not in CORE_TYPES]
    return render_template("author/quiz.html", item=_item(data, "quizzes", quiz),
                           core_types=CORE_TYPES, plugin_types=plugin_types, **data)  # fmt: skip


def init_app(app) -> None:
    app.register_blueprint(bp)
