"""Queue the statements of a classroom event, inside that event's transaction.

Each function does nothing when ``[xapi]`` is not configured (then nothing is queued and
nothing leaves the server). Called by the classroom code between ``BEGIN IMMEDIATE`` and
``COMMIT``, so the statement and the event are stored together or not at all.
"""

from __future__ import annotations

import secrets

from flask import current_app, has_app_context

from kepu_server.clock import now_iso
from kepu_server.store import outbox
from kepu_server.xapi import statements as xs


def settings(config) -> dict | None:
    """The ``[xapi]`` table when delivery is on (it has an ``endpoint``), else None."""
    value = config.get("KEPU_XAPI")
    if isinstance(value, dict) and value.get("endpoint"):
        return value
    return None


def _school() -> xs.School | None:
    if not has_app_context() or settings(current_app.config) is None:
        return None
    from kepu_server.views.teaching_web import join_base_url

    cfg = settings(current_app.config)
    return xs.School(current_app.config.get("KEPU_PUBLIC_URL") or join_base_url(),
                     str(cfg.get("school") or ""))  # fmt: skip


def _course_facts(session: dict) -> tuple[str, str | None, str]:
    from kepu_server.catalog import get_catalog

    course = get_catalog().course(session["course_id"])
    if course is None:
        return "", session.get("language"), session["course_id"]
    return ",".join(course.grades), session.get("language"), course.title


def new_seat_id() -> str:
    return "s-" + secrets.token_hex(10)


def _class_object(school: xs.School, session: dict, title: str | None) -> dict:
    aid, kind = xs.class_activity(school, session)
    return xs._activity(aid, kind, title)


def _teacher(school: xs.School, session: dict) -> dict:
    name = xs.teacher_account_name(current_app.config["SECRET_KEY"], session["teacher_id"])
    return xs.actor(school, name)


def launched(db, session: dict) -> None:
    school = _school()
    if school is None:
        return
    grades, lang, _ = _course_facts(session)
    ctx = xs.context(school, session, grades, lang)
    st = xs.statement("launched", _teacher(school, session), _class_object(school, session, None),
                      ctx, session["created_at"])  # fmt: skip
    outbox.enqueue(db, [st], session["id"])


def ended(db, session: dict) -> None:
    school = _school()
    if school is None:
        return
    grades, lang, _ = _course_facts(session)
    ctx = xs.context(school, session, grades, lang)
    st = xs.statement("terminated", _teacher(school, session),
                      _class_object(school, session, None), ctx, now_iso())  # fmt: skip
    outbox.enqueue(db, [st], session["id"])


def attended(db, session: dict, seat_id: str) -> None:
    school = _school()
    if school is None:
        return
    grades, lang, _ = _course_facts(session)
    ctx = xs.context(school, session, grades, lang)
    st = xs.statement("attended", xs.actor(school, seat_id),
                      _class_object(school, session, None), ctx, now_iso())  # fmt: skip
    outbox.enqueue(db, [st], session["id"])


def handed_in(db, session: dict, seat_id: str, quiz, graded: list[dict], answers: dict) -> None:
    """One ``answered`` per answered question, then ``completed`` for the quiz."""
    school = _school()
    if school is None or not session.get("quiz_id"):
        return
    grades, lang, _ = _course_facts(session)
    ctx = xs.context(school, session, grades, lang)
    who = xs.actor(school, seat_id)
    at = now_iso()
    types = {q.id: q.type for q in quiz.questions}
    batch = []
    for g in graded:
        if not g["answered"]:
            continue
        qtype = types.get(g["id"], "")
        batch.append(
            xs.statement("answered", who, xs.question_object(school, session, g["id"], qtype), ctx,
                         at, xs.answer_result(g["points"], g["score"], qtype, answers.get(g["id"])))
        )  # fmt: skip
    score = sum(g["score"] for g in graded)
    points = sum(g["points"] for g in graded)
    quiz_obj = xs._activity(
        xs.activity_id(school, "course", session["course_id"], "quiz", session["quiz_id"]),
        "assessment",
    )
    batch.append(xs.statement("completed", who, quiz_obj, ctx, at,
                              xs.quiz_result(score, points, quiz.pass_ratio)))  # fmt: skip
    outbox.enqueue(db, batch, session["id"])
