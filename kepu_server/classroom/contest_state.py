"""The quiz contest's state, read from a session row: no writes, no Flask.

A contest runs the session's quiz question by question, in the file's order. The row stores
``contest_state`` (``waiting``, ``open``, ``closed``, ``revealed``, ``finished``), the
question's ``contest_index`` and its ``contest_deadline`` (UNIX seconds on the server's
clock, NULL when the teacher closes it by hand). An ``open`` question whose deadline has
passed *is* closed: nothing has to run at the deadline for answering to stop. So is one
whose class the teacher ended with the ordinary end button.
"""

from __future__ import annotations

import time

from kepu_server.errors import ApiError

MODE = "contest"
STATES = ("waiting", "open", "closed", "revealed", "finished")
DEFAULT_SECONDS = 20
MAX_SECONDS = 3600


def is_contest(session: dict) -> bool:
    return session.get("mode") == MODE


def now() -> float:
    """The server's clock, the only one a deadline is read on."""
    return time.time()


def deadline_passed(session: dict, at: float | None = None) -> bool:
    deadline = session.get("contest_deadline")
    return deadline is not None and (now() if at is None else at) >= deadline


def phase(session: dict, at: float | None = None) -> str | None:
    """The contest's state as it is now (None outside a contest)."""
    if not is_contest(session):
        return None
    state = session.get("contest_state") or "waiting"
    if state == "open" and (deadline_passed(session, at) or session.get("state") == "ended"):
        return "closed"  # past its deadline, or the teacher ended the class mid-question
    return state


def seconds_left(session: dict, at: float | None = None) -> float | None:
    """Seconds until the open question closes; None without a deadline or when not open."""
    if phase(session, at) != "open" or session.get("contest_deadline") is None:
        return None
    return round(max(0.0, session["contest_deadline"] - (now() if at is None else at)), 2)


def current_question(quiz, session: dict):
    """The question at the contest's index (file order), or None before the first."""
    index = session.get("contest_index")
    if quiz is None or index is None or not 0 <= index < len(quiz.questions):
        return None
    return quiz.questions[index]


def check_answerable(session: dict, quiz, question_id: str, at: float | None = None) -> None:
    """409 ``question_closed`` unless ``question_id`` is the open question, before its deadline."""
    if not is_contest(session):
        return
    question = current_question(quiz, session)
    if phase(session, at) != "open" or question is None or question.id != question_id:
        raise ApiError(409, "question_closed", "answering this question is closed")


def clean_options(seconds, leaderboard) -> dict:
    """The launch's ``seconds`` and ``leaderboard`` as stored; 400 for bad values."""
    if seconds is None:
        seconds = DEFAULT_SECONDS
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 <= seconds <= MAX_SECONDS:
        raise ApiError(
            400, "bad_request", f"'seconds' must be a whole number from 0 to {MAX_SECONDS}"
        )
    if leaderboard is None:
        leaderboard = False
    if not isinstance(leaderboard, bool):
        raise ApiError(400, "bad_request", "'leaderboard' must be true or false")
    return {
        "mode": MODE,
        "contest_state": "waiting",
        "contest_index": None,
        "contest_deadline": None,
        "contest_seconds": seconds,
        "contest_leaderboard": int(leaderboard),
        "contest_opened": "{}",
    }
