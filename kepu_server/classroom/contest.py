"""The quiz contest (projector mode): the teacher's actions, the class's answers, the board.

``act`` moves the state machine (see ``contest_state``) in one write transaction that re-reads
the row, so two clicks at once (a clicker and the keyboard) cannot skip a question. Every move
bumps the session's ``version``, so every tablet's next poll sees it. Scores are those of any
quiz session: each answer was scored once when it was saved; the leaderboard's points are
computed apart and never stored.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from datetime import datetime

from kepu_server.classroom import contest_state as cs
from kepu_server.classroom import participants as seats
from kepu_server.classroom.sessions import get_session, update_session
from kepu_server.errors import ApiError
from kepu_server.quiz.scoring import max_points
from kepu_server.store import answers as answer_store
from kepu_server.store import contest as contest_store
from kepu_server.store.db import write_transaction

ACTIONS = ("next", "close", "reveal")
TOP = 10
BUCKETS = 5


def act(db, session: dict, action, quiz, question_types: dict, xapi=None, on_event=None) -> dict:
    """Apply ``next``, ``close`` or ``reveal``; returns the new session row. 409 when the
    action makes no sense now (``reveal`` before the first question, anything after the end).
    ``xapi``: the xAPI reporter the hand-ins at the end go to (None when off); ``on_event``:
    the plugin event sender, which hears ``submitted`` for each seat handed in at the end."""
    if action not in ACTIONS:
        raise ApiError(400, "bad_request", "'action' must be 'next', 'close' or 'reveal'")
    if quiz is None or not quiz.questions:
        raise ApiError(409, "no_quiz", "this contest has no quiz questions")
    finishing = False
    with write_transaction(db):
        session = get_session(db, session["id"])
        if session["state"] != "open":
            raise ApiError(409, "session_ended", "this class has ended")
        at = cs.now()
        state = cs.phase(session, at)
        if state == "finished":
            raise ApiError(409, "contest_finished", "the contest is over")
        if action == "next":
            index = -1 if session["contest_index"] is None else session["contest_index"]
            if index + 1 >= len(quiz.questions):
                finishing = True
                changes = {"contest_state": "finished", "contest_deadline": None,
                           "quiz_open": False}  # fmt: skip
            else:
                seconds = session["contest_seconds"] or 0
                opened = json.loads(session.get("contest_opened") or "{}")
                opened[str(index + 1)] = at
                changes = {
                    "contest_state": "open",
                    "contest_index": index + 1,
                    "contest_deadline": at + seconds if seconds else None,
                    "contest_opened": json.dumps(opened),
                }
        elif state == "waiting":
            raise ApiError(409, "contest_waiting", "open the first question with 'next'")
        elif action == "close":
            if state != "open":
                return session  # already closed: nothing to do
            changes = {"contest_state": "closed", "contest_deadline": min(
                at, session["contest_deadline"] or at)}  # fmt: skip
        else:  # reveal closes answering too
            if state == "revealed":
                return session
            deadline = session["contest_deadline"]
            changes = {"contest_state": "revealed",
                       "contest_deadline": at if deadline is None else min(at, deadline)}  # fmt: skip
        session = update_session(db, session["id"], **changes)
    if finishing:
        hand_in_all(db, session, quiz, question_types, xapi, on_event)
    return session


def hand_in_all(db, session: dict, quiz, question_types: dict, xapi=None, on_event=None) -> int:
    """The contest is over: every seat counts as handed in (idempotent per seat). Each seat
    newly handed in is one ``submitted`` event, as when a student hands in; returns how many."""
    handed = 0
    for seat_id in contest_store.seat_ids(db, session["id"]):
        handed += hand_in(db, session["id"], seat_id, quiz, question_types, xapi, on_event)
    return handed


def hand_in(db, session_id: str, seat_id: int, quiz, question_types: dict, xapi=None,
            on_event=None) -> bool:  # fmt: skip
    """Hand in one seat (its xAPI statements go with it); ``on_event`` hears ``submitted``
    after the commit, only the first time. A seat of an ended class stays as it is."""
    try:
        participant, new = seats.submit(db, seat_id, quiz, question_types, xapi=xapi)
    except ApiError as exc:
        if exc.code == "session_ended":  # the teacher ended the class meanwhile
            return False
        raise
    if new and on_event is not None:
        on_event(seats.submitted_event(session_id, participant))
    return new


def hand_in_late_seat(db, session_id: str, seat_id: int, quiz, question_types: dict,
                      xapi=None, on_event=None) -> bool:  # fmt: skip
    """A seat that joins once the contest has finished counts as handed in at once (score
    0 of the quiz's points), like every seat at the end; the session is read afresh so a
    finish committed while the seat joined is seen. True when it was handed in now."""
    session = get_session(db, session_id)
    if session is None or session["state"] != "open" or cs.phase(session) != "finished":
        return False
    if quiz is None:
        return False
    return hand_in(db, session_id, seat_id, quiz, question_types, xapi, on_event)


def responses_to(db, session_id: str, question_id: str) -> list[tuple]:
    """``(response, score)`` of every seat that answered ``question_id``."""
    return [
        (json.loads(raw), score)
        for _pid, qid, raw, score in answer_store.answer_rows(db, session_id=session_id)
        if qid == question_id
    ]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _is_index(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _right_options(question) -> set[int]:
    spec = question.spec
    if question.type == "single" and _is_index(spec.get("answer")):
        return {spec["answer"]}
    if question.type == "multiple":
        return {i for i in spec.get("answers") or [] if _is_index(i)}
    return set()


def distribution(qtype, question, responses: list[tuple], words: dict) -> dict:
    """How the class answered, ready to draw: ``{kind, bars: [{label, count, correct}],
    answered, right}``.

    ``options`` (a bar per option) for any type whose public fields list ``options``, and
    true/false; ``buckets`` for numbers; ``common`` (most common answers) for text; else
    ``right_wrong`` from the stored scores, which works for every plugin type.
    """
    points = max_points(qtype, question)
    answered = len(responses)
    right = sum(1 for _r, s in responses if points > 0 and (s or 0) >= points - 1e-9)
    base = {"answered": answered, "right": right if points > 0 else None}
    options = (qtype.public(question.spec) or {}).get("options")
    if question.type == "truefalse":
        key = question.spec.get("answer")
        bars = [
            {"label": words["true"], "count": sum(1 for r, _s in responses if r is True),
             "correct": key is True},
            {"label": words["false"], "count": sum(1 for r, _s in responses if r is False),
             "correct": key is False},
        ]  # fmt: skip
        return {**base, "kind": "options", "bars": bars}
    if isinstance(options, list) and question.type != "ordering":
        good = _right_options(question)
        counts = Counter()
        for response, _s in responses:
            chosen = response if isinstance(response, list) else [response]
            counts.update({i for i in chosen if _is_index(i)})
        bars = [
            {"label": str(text), "count": counts[i], "correct": (i in good) if points else None}
            for i, text in enumerate(options)
        ]
        return {**base, "kind": "options", "bars": bars}
    if question.type == "numeric":
        return {**base, "kind": "buckets", "bars": _buckets(question, responses)}
    if question.type == "text":
        groups: dict[str, list] = {}
        for response, score in responses:
            if isinstance(response, str):
                groups.setdefault(_fold(response), []).append((response, score))
        common = sorted(groups.values(), key=len, reverse=True)[:5]
        bars = [
            {"label": group[0][0], "count": len(group),
             "correct": bool(points) and (group[0][1] or 0) >= points - 1e-9}
            for group in common
        ]  # fmt: skip
        return {**base, "kind": "common", "bars": bars}
    bars = [
        {"label": words["right"], "count": right, "correct": True},
        {"label": words["wrong"], "count": answered - right, "correct": False},
    ]
    return {**base, "kind": "right_wrong", "bars": bars if points else []}


def _buckets(question, responses: list[tuple]) -> list[dict]:
    values = [
        float(r) for r, _s in responses if isinstance(r, int | float) and not isinstance(r, bool)
    ]
    key = question.spec.get("answer")
    tolerance = float(question.spec.get("tolerance") or 0)
    if not values:
        return []
    lo, hi = min(values), max(values)
    if hi - lo < 1e-9:
        return [{"label": f"{lo:g}", "count": len(values),
                 "correct": isinstance(key, int | float) and abs(lo - key) <= tolerance}]  # fmt: skip
    width = (hi - lo) / BUCKETS
    counts = [0] * BUCKETS
    for value in values:
        counts[min(BUCKETS - 1, int((value - lo) / width))] += 1
    bars = []
    for i, count in enumerate(counts):
        start, end = lo + i * width, lo + (i + 1) * width
        correct = isinstance(key, int | float) and start - tolerance <= key <= end + tolerance
        bars.append({"label": f"{start:g}–{end:g}", "count": count, "correct": correct})
    return bars


def leaderboard(db, session: dict, quiz, question_types: dict) -> list[dict]:
    """The top seats by contest points (see docs/contest.md): per question answered in
    time, ``round(1000 * fraction * (1 - elapsed / seconds / 2))`` (``1000 * fraction`` when
    the teacher closes questions by hand). Never stored; scores stay the quiz's own."""
    opened = {int(k): v for k, v in json.loads(session.get("contest_opened") or "{}").items()}
    seconds = session.get("contest_seconds") or 0
    index_of = {q.id: i for i, q in enumerate(quiz.questions)} if quiz else {}
    points_of = {
        q.id: max_points(question_types[q.type], q)
        for q in (quiz.questions if quiz else ())
        if q.type in question_types
    }
    board: dict[int, dict] = {}
    for pid, name, qid, score, updated_at in contest_store.answer_times(db, session["id"]):
        entry = board.setdefault(pid, {"name": name, "points": 0, "score": 0.0})
        entry["score"] += float(score or 0)
        full = points_of.get(qid) or 0
        if not full or qid not in index_of:
            continue
        fraction = float(score or 0) / full
        speed = 1.0
        start = opened.get(index_of[qid])
        if seconds and start is not None:
            elapsed = max(0.0, _epoch(updated_at) - start)
            speed = 1 - min(1.0, elapsed / seconds) / 2
        entry["points"] += round(1000 * fraction * speed)
    ranked = sorted(board.values(), key=lambda e: (-e["points"], -e["score"], e["name"]))
    return ranked[:TOP]


def _epoch(stamp: str) -> float:
    try:
        return datetime.fromisoformat(stamp).timestamp()
    except (TypeError, ValueError):
        return 0.0
