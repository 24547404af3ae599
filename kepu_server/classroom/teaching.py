"""A teacher's view of a class session: who may see it, its join URL, what it presents.

Shared by the teacher API (``views/api_teacher.py``) and the /teach pages
(``views/teach.py``), so both apply the same rules: another teacher's session is a 404,
never a 403, so its existence does not show.
"""

from __future__ import annotations

import time

from flask import current_app, request

from kepu_server.auth import now_iso
from kepu_server.classroom.events import emit_session_event
from kepu_server.classroom.sessions import decode, get_session, session_content, update_session
from kepu_server.errors import ApiError
from kepu_server.store.db import write_transaction
from kepu_server.store.repairs import open_sessions_started_before
from kepu_server.store.retention import purge_expired


def join_base_url() -> str:
    """The address tablets use: KEPU_PUBLIC_URL, else the first LAN URL, else this request's."""
    public = current_app.config.get("KEPU_PUBLIC_URL")
    if public:
        return str(public).rstrip("/")
    lan = current_app.config.get("KEPU_LAN_URLS") or []
    if lan:
        return str(lan[0]).rstrip("/")
    return request.host_url.rstrip("/")


def other_base_urls() -> list[str]:
    """The server's other LAN addresses, for a join screen's "not working? try" line.

    A PC with Wi-Fi and a cable (or a virtual network) has several; the first may be one the
    tablets cannot reach.
    """
    if current_app.config.get("KEPU_PUBLIC_URL"):
        return []
    lan = [str(u).rstrip("/") for u in current_app.config.get("KEPU_LAN_URLS") or []]
    return lan[1:]


def join_url(code: str) -> str:
    return f"{join_base_url()}/j/{code}"


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


def session_state(catalog, db, session: dict) -> dict:
    """The JSON state of a session for its teacher (GET /api/v1/sessions/<id>)."""
    course, lesson, quiz, guides = session_content(catalog, session)
    lang = session["language"]
    counts = next(
        db.query(
            "SELECT COUNT(*) AS joined, COUNT(submitted_at) AS submitted "
            "FROM participants WHERE session_id = ?",
            [session["id"]],
        )
    )
    return {
        "id": session["id"],
        "code": session["code"],
        "join_url": join_url(session["code"]),
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


def end_session(db, session: dict) -> dict:
    """Close joining and answering for good; idempotent. Plugins hear ``ended`` once."""
    if session["state"] == "ended":
        return session
    row = update_session(
        db, session["id"], state="ended", ended_at=now_iso(), joining_open=False, quiz_open=False
    )
    emit_session_event({"type": "ended", "session": session["id"]})
    return row


def delete_results(db, session: dict) -> int:
    """Delete every participant of the session with their answers and ticks (cascade)."""
    with write_transaction(db):
        cursor = db.execute("DELETE FROM participants WHERE session_id = ?", [session["id"]])
        db.execute("UPDATE class_sessions SET version = version + 1 WHERE id = ?", [session["id"]])
    return cursor.rowcount


def delete_session(db, session: dict) -> None:
    """Delete the session and everything stored about its students."""
    if session["state"] == "open":
        end_session(db, session)
    with write_transaction(db):
        db.execute("DELETE FROM participants WHERE session_id = ?", [session["id"]])
        db.execute("DELETE FROM class_sessions WHERE id = ?", [session["id"]])


def list_sessions(db, user: dict, state: str | None = None, limit: int = 200) -> list[dict]:
    """The user's sessions, newest first (an admin's: everyone's), with participant counts."""
    where, params = [], []
    if not user["is_admin"]:
        where.append("s.teacher_id = ?")
        params.append(user["id"])
    if state in ("open", "ended"):
        where.append("s.state = ?")
        params.append(state)
    sql = (
        "SELECT s.*, u.name AS teacher_name, "
        "(SELECT COUNT(*) FROM participants p WHERE p.session_id = s.id) AS participant_count "
        "FROM class_sessions s LEFT JOIN users u ON u.id = s.teacher_id "
        + (f"WHERE {' AND '.join(where)} " if where else "")
        + "ORDER BY s.created_at DESC, s.rowid DESC LIMIT ?"
    )
    return [decode(row) for row in db.query(sql, [*params, limit])]


PURGE_EVERY_SECONDS = 3600


def purge_expired_sessions(db, days: int | None) -> int:
    """Delete classes (and their students' data, and old rosters) older than ``days``.

    Age counts from the end of the class (or its start, if it was never ended). Schools set
    ``retention_days`` in ``config.toml``; children's answers are not kept for ever. The
    server runs this on its own every hour (kepu_server/retention.py).
    """
    return purge_expired(db, days)["sessions"]


def purge_now_and_then(db) -> None:
    """Run the retention purge at most once an hour per server process (cheap to call)."""
    state = current_app.extensions.setdefault("kepu_retention", {"last": 0.0})
    if time.monotonic() - state["last"] < PURGE_EVERY_SECONDS and state["last"]:
        return
    state["last"] = time.monotonic()
    end_forgotten_sessions(db, current_app.config.get("KEPU_AUTO_END_HOURS"))
    purge_expired_sessions(db, current_app.config.get("KEPU_RETENTION_DAYS"))


def end_forgotten_sessions(db, hours: float | None) -> int:
    """End the classes left open ``hours`` after they started (``auto_end_hours`` in
    ``config.toml``; 0 keeps them open): they would pile up under "running" and keep their
    codes taken. Plugins hear ``ended`` as when a teacher ends one."""
    if not hours or hours <= 0:
        return 0
    ended = 0
    for session_id in open_sessions_started_before(db, hours):
        session = get_session(db, session_id)
        if session is not None:
            end_session(db, session)
            ended += 1
    return ended
