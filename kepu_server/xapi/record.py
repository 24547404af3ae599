"""Queue the statements of a classroom event, inside that event's transaction.

Each function takes a ``Reporter``, what the statements need from the running server (the
school's address and name, the secret that hides teacher ids, course facts), which the web
layer builds (``views/teaching_web.xapi_reporter``); ``None`` means ``[xapi]`` is not
configured, and then nothing is queued and nothing leaves the server. Called by the classroom
code between ``BEGIN IMMEDIATE`` and ``COMMIT``, so the statement and the event are stored
together or not at all. Nothing here knows Flask.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from kepu_server.clock import now_iso
from kepu_server.store import outbox
from kepu_server.xapi import statements as xs


def settings(config) -> dict | None:
    """The ``[xapi]`` table when delivery is on (it has an ``endpoint``), else None."""
    value = config.get("KEPU_XAPI")
    if isinstance(value, dict) and value.get("endpoint"):
        return value
    return None


@dataclass(frozen=True)
class Reporter:
    """What statements need from the server. ``course(course_id)`` gives ``(grades, title)``
    of a course (grades as a comma-separated band list), or None for one no longer served."""

    school: xs.School
    secret: str
    course: Callable[[str], tuple[str, str] | None]


def reporter(config, public_url: str, course) -> Reporter | None:
    """A ``Reporter`` when ``config`` turns xAPI on, else None (nothing will be queued)."""
    cfg = settings(config)
    if cfg is None:
        return None
    school = xs.School(str(public_url), str(cfg.get("school") or ""))
    return Reporter(school, config["SECRET_KEY"], course)


def _course_facts(reporter: Reporter, session: dict) -> tuple[str, str | None, str]:
    facts = reporter.course(session["course_id"])
    if facts is None:
        return "", session.get("language"), session["course_id"]
    grades, title = facts
    return grades, session.get("language"), title


def new_seat_id() -> str:
    return "s-" + secrets.token_hex(10)


def _class_object(school: xs.School, session: dict, title: str | None) -> dict:
    aid, kind = xs.class_activity(school, session)
    return xs._activity(aid, kind, title)


def _teacher(reporter: Reporter, session: dict) -> dict:
    name = xs.teacher_account_name(reporter.secret, session["teacher_id"])
    return xs.actor(reporter.school, name)


def launched(db, reporter: Reporter | None, session: dict) -> None:
    if reporter is None:
        return
    school = reporter.school
    grades, lang, _ = _course_facts(reporter, session)
    ctx = xs.context(school, session, grades, lang)
    st = xs.statement("launched", _teacher(reporter, session), _class_object(school, session, None),
                      ctx, session["created_at"])  # fmt: skip
    outbox.enqueue(db, [st], session["id"])


def ended(db, reporter: Reporter | None, session: dict) -> None:
    if reporter is None:
        return
    school = reporter.school
    grades, lang, _ = _course_facts(reporter, session)
    ctx = xs.context(school, session, grades, lang)
    st = xs.statement("terminated", _teacher(reporter, session),
                      _class_object(school, session, None), ctx, now_iso())  # fmt: skip
    outbox.enqueue(db, [st], session["id"])


def attended(db, reporter: Reporter | None, session: dict, seat_id: str) -> None:
    if reporter is None:
        return
    school = reporter.school
    grades, lang, _ = _course_facts(reporter, session)
    ctx = xs.context(school, session, grades, lang)
    st = xs.statement("attended", xs.actor(school, seat_id),
                      _class_object(school, session, None), ctx, now_iso())  # fmt: skip
    outbox.enqueue(db, [st], session["id"])


def handed_in(
    db, reporter: Reporter | None, session: dict, seat_id: str, quiz, graded: list, answers: dict
) -> None:
    """One ``answered`` per answered question, then ``completed`` for the quiz."""
    if reporter is None or not session.get("quiz_id"):
        return
    school = reporter.school
    grades, lang, _ = _course_facts(reporter, session)
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
