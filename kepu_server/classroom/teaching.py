"""A teacher's view of a class session: who may see it, its join URL, what it presents.

Shared by the teacher API (``views/api_teacher.py``) and the /teach pages
(``views/teach.py``), so both apply the same rules: another teacher's session is a 404,
never a 403, so its existence does not show.
"""

from __future__ import annotations

from kepu_server.classroom.sessions import decode, get_session, session_content, update_session
from kepu_server.clock import now_iso
from kepu_server.errors import ApiError
from kepu_server.store import outbox
from kepu_server.store import participants as seat_store
from kepu_server.store import sessions as session_store
from kepu_server.store.db import write_transaction
from kepu_server.store.repairs import open_sessions_started_before
from kepu_server.store.retention import purge_expired
from kepu_server.xapi import record as xapi_record


def owned_session(db, session_id: str, user: dict) -> dict:
    """The session if ``user`` launched it (or is an admin); otherwise a 404."""
    row = get_session(db, session_id)
    if row is None or (row["teacher_id"] != user["id"] and not user["is_admin"]):
        raise ApiError(404, "not_found", "no such class session")
    return row


def open_owned_session(db, session_id: str, user: dict) -> dict:
    """Like ``owned_session`` but refuses (409) a session that has ended."""
    row = owned_session(db, session_id, user)
    if row["state"] != "open":
        raise ApiError(409, "session_ended", "this class session has ended")
    return row


def slides(catalog, session: dict) -> list:
    """What the presenter steps through: the lesson's sections, or a lone guide's steps."""
    _course, lesson, _quiz, guides = session_content(catalog, session)
    if lesson is not None:
        return list(lesson.sections)
    if session["guide_id"] and guides:
        return list(guides[0].steps)
    return []


def session_title(catalog, session: dict) -> str:
    course, lesson, quiz, guides = session_content(catalog, session)
    for item in (lesson, quiz, guides[0] if guides else None):
        if item is not None:
            return item.title
    return session["lesson_id"] or session["quiz_id"] or session["guide_id"] or ""


def session_state(catalog, db, session: dict, join_url: str) -> dict:
    """The JSON state of a session for its teacher (GET /api/v1/sessions/<id>)."""
    course, lesson, quiz, guides = session_content(catalog, session)
    lang = session["language"]
    counts = seat_store.counts_of_session(db, session["id"])
    return {
        "id": session["id"],
        "code": session["code"],
        "join_url": join_url,
        "state": session["state"],
        "version": session["version"],
        "title": session_title(catalog, session),
        "course": session["course_id"],
        "course_title": course.title_in(lang) if course else session["course_id"],
        "lesson": session["lesson_id"],
        "quiz": session["quiz_id"],
        "guide": session["guide_id"],
        "guides": [g.id for g in guides],
        "pacing": session["pacing"],
        "review": session["review"],
        "quiz_open": session["quiz_open"],
        "joining_open": session["joining_open"],
        "current_section": session["current_section"],
        "sections": [s.title for s in slides(catalog, session)],
        "language": lang,
        "roster": session["roster"],
        "participants": counts["joined"],
        "submitted": counts["submitted"],
        "teacher_id": session["teacher_id"],
        "created_at": session["created_at"],
        "ended_at": session["ended_at"],
        "content_missing": course is None or (lesson is None and quiz is None and not guides),
    }


def apply_controls(catalog, db, session: dict, changes: dict) -> dict:
    """Validate and apply teacher controls (section, quiz, joining, review); bumps version."""
    allowed = ("current_section", "quiz_open", "joining_open", "review")
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ApiError(400, "bad_request", f"unknown field: {', '.join(unknown)}")
    if not changes:
        raise ApiError(400, "bad_request", f"send at least one of: {', '.join(allowed)}")
    for key in ("quiz_open", "joining_open", "review"):
        if key in changes and not isinstance(changes[key], bool):
            raise ApiError(400, "bad_request", f"{key!r} must be true or false")
    if "current_section" in changes:
        section = changes["current_section"]
        count = len(slides(catalog, session))
        if isinstance(section, bool) or not isinstance(section, int):
            raise ApiError(400, "bad_request", "'current_section' must be a whole number")
        if count == 0:
            raise ApiError(400, "bad_request", "this class has no sections to show")
        if not 0 <= section < count:
            raise ApiError(400, "bad_request", f"'current_section' must be from 0 to {count - 1}")
    if changes.get("quiz_open") and not session["quiz_id"]:
        raise ApiError(400, "bad_request", "this session has no quiz")
    return update_session(db, session["id"], **changes)


def end_session(db, session: dict, on_ended=None, xapi=None) -> dict:
    """Close joining and answering for good; idempotent. ``on_ended(event)`` runs once.

    The caller passes the plugin event sender (``kepu_server.session_events``): this module
    knows nothing of Flask or plugins. ``xapi`` is the ``xapi.record.Reporter`` (or None).
    """
    if session["state"] == "ended":
        return session
    with write_transaction(db):  # the end statement is queued with the change
        row = update_session(
            db, session["id"], state="ended", ended_at=now_iso(), joining_open=False,
            quiz_open=False,
        )  # fmt: skip
        xapi_record.ended(db, xapi, row)
    if on_ended is not None:
        on_ended({"type": "ended", "session": session["id"]})
    return row


def delete_results(db, session: dict) -> int:
    """Delete every participant of the session with their answers and ticks (cascade)."""
    with write_transaction(db):
        removed = seat_store.delete_participants_of(db, session["id"])
        outbox.delete_for_session(db, session["id"])
    return removed


def delete_session(db, session: dict, on_ended=None, xapi=None) -> None:
    """Delete the session and everything stored about its students."""
    if session["state"] == "open":
        end_session(db, session, on_ended, xapi)
    with write_transaction(db):
        outbox.delete_for_session(db, session["id"])
        session_store.delete_session_rows(db, session["id"])


def list_sessions(db, user: dict, state: str | None = None, limit: int = 200) -> list[dict]:
    """The user's sessions, newest first (an admin's: everyone's), with participant counts."""
    teacher_id = None if user["is_admin"] else user["id"]
    return [decode(row) for row in session_store.session_rows_for(db, teacher_id, state, limit)]


def purge_expired_sessions(db, days: int | None) -> int:
    """Delete classes (and their students' data, and old rosters) older than ``days``.

    Age counts from the end of the class (or its start, if it was never ended). Schools set
    ``retention_days`` in ``config.toml``; children's answers are not kept for ever. The
    server runs this on its own every hour (kepu_server/retention.py).
    """
    return purge_expired(db, days)["sessions"]


def end_forgotten_sessions(db, hours: float | None, on_ended=None, xapi=None) -> int:
    """End the classes left open ``hours`` after they started (``auto_end_hours`` in
    ``config.toml``; 0 keeps them open): they would pile up under "running" and keep their
    codes taken. ``on_ended`` hears ``ended`` as when a teacher ends one."""
    if not hours or hours <= 0:
        return 0
    ended = 0
    for session_id in open_sessions_started_before(db, hours):
        session = get_session(db, session_id)
        if session is not None:
            end_session(db, session, on_ended, xapi)
            ended += 1
    return ended
