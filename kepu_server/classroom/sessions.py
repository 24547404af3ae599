"""Class sessions: one launch of a lesson, quiz or guide by a teacher.

A row of ``class_sessions`` holds everything the tablets follow: pacing, whether the quiz is
open, the section the teacher shows, whether joining is open, and ``version``, which every
teacher action bumps so a tablet's poll (``GET /api/v1/me``) can answer 304 when nothing moved.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import sqlite3

from kepu_server.classroom import contest_state
from kepu_server.clock import now_iso
from kepu_server.content.model import Course, Guide, Lesson, Quiz
from kepu_server.errors import ApiError
from kepu_server.store import sessions as session_store
from kepu_server.store.db import write_transaction
from kepu_server.xapi import record as xapi_record

PACINGS = ("teacher", "self")
CODE_ATTEMPTS = 50


def new_join_code() -> str:
    """Six digits, never starting with 0 (children drop leading zeros)."""
    return str(secrets.randbelow(900_000) + 100_000)


def create_class_session(
    db,
    *,
    teacher_id: int,
    course: Course,
    lesson_id: str | None = None,
    quiz_id: str | None = None,
    guide_id: str | None = None,
    pacing: str = "teacher",
    review: bool = True,
    roster: list[str] | None = None,
    language: str | None = None,
    mode: str | None = None,
    seconds: int | None = None,
    leaderboard: bool | None = None,
    xapi=None,
) -> dict:
    """Create and return a session row; raises ``ApiError`` (400/404) for a bad request.

    ``{course, lesson}`` brings the lesson's quiz and guides; ``{course, quiz}`` and
    ``{course, guide}`` launch just that. A quiz-only or self-paced session opens its quiz
    at once; in a teacher-paced lesson the teacher opens it.
    """
    if sum(x is not None for x in (lesson_id, quiz_id, guide_id)) != 1:
        raise ApiError(400, "bad_request", "give exactly one of 'lesson', 'quiz' or 'guide'")
    if pacing not in PACINGS:
        raise ApiError(400, "bad_request", "'pacing' must be 'teacher' or 'self'")
    if not isinstance(review, bool):
        raise ApiError(400, "bad_request", "'review' must be true or false")
    if lesson_id is not None:
        lesson = course.lessons.get(lesson_id)
        if lesson is None:
            raise ApiError(404, "not_found", f"no lesson {lesson_id!r} in course {course.id!r}")
        quiz_id = lesson.quiz if lesson.quiz in course.quizzes else None
    elif quiz_id is not None and quiz_id not in course.quizzes:
        raise ApiError(404, "not_found", f"no quiz {quiz_id!r} in course {course.id!r}")
    elif guide_id is not None and guide_id not in course.guides:
        raise ApiError(404, "not_found", f"no guide {guide_id!r} in course {course.id!r}")
    contest = {}
    if mode not in (None, "normal", contest_state.MODE):
        raise ApiError(400, "bad_request", "'mode' must be 'contest' (or left out)")
    if mode == contest_state.MODE:
        if quiz_id is None:
            raise ApiError(400, "bad_request", "a contest needs a quiz (or a lesson with one)")
        contest = contest_state.clean_options(seconds, leaderboard)
        pacing = "teacher"
    elif seconds is not None or leaderboard is not None:
        raise ApiError(400, "bad_request", "'seconds' and 'leaderboard' are for a contest")
    if roster is not None:
        roster = clean_roster(roster)
    if language is not None and language not in course.languages:
        raise ApiError(400, "bad_request", f"course {course.id!r} has no language {language!r}")
    # A contest's quiz is open throughout; which question takes answers is the contest's.
    quiz_open = quiz_id is not None and (lesson_id is None or pacing == "self" or bool(contest))
    row = {
        "id": secrets.token_urlsafe(9),
        "teacher_id": teacher_id,
        "course_id": course.id,
        "lesson_id": lesson_id,
        "quiz_id": quiz_id,
        "guide_id": guide_id,
        "pacing": pacing,
        "review": int(review),
        "quiz_open": int(quiz_open),
        "joining_open": 1,
        "current_section": 0,
        "roster": json.dumps(roster, ensure_ascii=False) if roster is not None else None,
        "language": language or course.language,
        "state": "open",
        "version": 1,
        "created_at": now_iso(),
        **contest,
    }
    for _ in range(CODE_ATTEMPTS):
        row["code"] = new_join_code()
        try:
            with write_transaction(db):  # the launch statement is queued with the class
                session_store.insert_session(db, row)
                xapi_record.launched(db, xapi, row)
            return get_session(db, row["id"])
        except sqlite3.IntegrityError:
            continue  # the code is in use by another open session: draw again
    raise ApiError(503, "no_code", "could not find a free join code; end some old sessions")


def clean_roster(names) -> list[str]:
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ApiError(400, "bad_request", "'roster' must be a list of names")
    cleaned = list(dict.fromkeys(n.strip()[:40] for n in names if n.strip()))
    if len(cleaned) > 200:
        raise ApiError(400, "bad_request", "a roster has at most 200 names")
    return cleaned


def get_session(db, session_id: str) -> dict | None:
    row = session_store.session_row(db, session_id)
    return decode(row) if row else None


def open_session_by_code(db, code: str) -> dict | None:
    row = session_store.open_session_row_by_code(db, code)
    return decode(row) if row else None


def decode(row: dict) -> dict:
    row = dict(row)
    row["roster"] = json.loads(row["roster"]) if row.get("roster") else None
    for key in ("review", "quiz_open", "joining_open", "contest_leaderboard"):
        row[key] = bool(row.get(key))
    return row


def update_session(db, session_id: str, **changes) -> dict:
    """Apply teacher changes and bump ``version`` in one transaction."""
    values = {k: int(v) if isinstance(v, bool) else v for k, v in changes.items()}
    session_store.update_session_row(db, session_id, values)
    return get_session(db, session_id)


def session_content(
    catalog, session: dict, lang: str | None = None
) -> tuple[Course | None, Lesson | None, Quiz | None, list[Guide]]:
    """The course, lesson, quiz and guides of a session, in the session's language (or in
    ``lang``, a student's own choice that the course offers).

    A text question accepts the answers of every language the quiz is written in: a child
    reading the English version may type "ice" where the Chinese file accepts "冰".
    Any of them may be None when a plugin was disabled or removed since the launch; callers
    must then say so kindly rather than fail.
    """
    # Built once per snapshot and choice: every tablet's answer and poll asks for it.
    key = ("session_content", session["course_id"], session["lesson_id"], session["quiz_id"],
           session["guide_id"], session.get("language"), lang)  # fmt: skip
    cache = getattr(catalog, "response_cache", None)
    found = cache.get(key) if cache is not None else None
    if found is None:
        found = _session_content(catalog, session, lang)
        if cache is not None:
            cache[key] = found
    course, lesson, quiz, guides = found
    return course, lesson, quiz, list(guides)


def _session_content(catalog, session: dict, lang: str | None):
    course = catalog.course(session["course_id"])
    if course is None:
        return None, None, None, []
    if lang not in course.languages:
        lang = None
    lang = lang or session.get("language") or course.language
    lesson = course.lessons.get(session["lesson_id"]) if session["lesson_id"] else None
    quiz = course.quizzes.get(session["quiz_id"]) if session["quiz_id"] else None
    guide_ids = list(lesson.guides) if lesson else []
    if session["guide_id"]:
        guide_ids = [session["guide_id"]]
    guides = [course.guides[g].in_language(lang) for g in guide_ids if g in course.guides]
    return (
        course,
        lesson.in_language(lang) if lesson else None,
        _accepting_every_language(quiz, quiz.in_language(lang)) if quiz else None,
        guides,
    )


def _accepting_every_language(default: Quiz, shown: Quiz) -> Quiz:
    """``shown`` whose questions with an ``accept`` list take every translation's answers."""
    versions = [default, *(default.in_language(lang) for lang in default.translations)]
    accepted: dict[str, list] = {}
    for version in versions:
        for question in version.questions:
            for answer in question.spec.get("accept") or ():
                found = accepted.setdefault(question.id, [])
                if answer not in found:
                    found.append(answer)
    if not accepted:
        return shown
    questions = []
    for question in shown.questions:
        extra = accepted.get(question.id)
        if extra and isinstance(question.spec.get("accept"), list):
            own = list(question.spec["accept"])
            spec = {**question.spec, "accept": own + [a for a in extra if a not in own]}
            question = dataclasses.replace(question, spec=spec)
        questions.append(question)
    return dataclasses.replace(shown, questions=tuple(questions))
