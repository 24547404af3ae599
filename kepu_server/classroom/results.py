"""A session's results for its teacher: the results JSON, the CSV export, the live dashboard.

Everything is read with three indexed queries per call (participants, answers, guide ticks of
one session) and aggregated in Python: a class of 40 with a 10-question quiz is 400 answer
rows, so a dashboard polled every 2 seconds costs a few milliseconds.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from kepu_server.classroom.sessions import session_content
from kepu_server.classroom.teaching import slides
from kepu_server.quiz.scoring import max_points
from kepu_server.quiz.scoring import response_label as label_response
from kepu_server.store import answers as answer_store
from kepu_server.store import participants as participant_store
from kepu_server.store import polls

EPSILON = 1e-9
# A tablet polls every 2 s and its last_seen_at is written at most every 30 s: one not seen
# for this long has lost the Wi-Fi, run out of battery or been closed.
OFFLINE_AFTER = timedelta(seconds=75)


def decode_response(raw: str) -> Any:
    """An answer's stored response (JSON text) as the value the student sent."""
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return raw


def quiz_questions(catalog, session: dict) -> list[dict]:
    """The session's quiz questions for the teacher: fields, answer key and points."""
    _course, _lesson, quiz, _guides = session_content(catalog, session)
    if quiz is None:
        return []
    types = catalog.question_types
    out = []
    for q in quiz.questions:
        qtype = types.get(q.type)
        spec = {k: v for k, v in q.spec.items() if k not in ("prompt", "explain")}
        out.append(
            {
                **spec,
                "id": q.id,
                "type": q.type,
                "prompt": q.prompt,
                "points": max_points(qtype, q) if qtype else 0.0,
            }
        )
    return out


def response_label(
    types: dict, question: dict | None, response: Any, words: dict | None = None
) -> str:
    """A response as a teacher reads it, worded by its question type's ``label`` (option text
    instead of an index, and so on). ``words`` may give the text for ``true`` and ``false``."""
    qtype = types.get(question["type"]) if question is not None else None
    return label_response(qtype, question or {}, response, words)


def is_correct(question: dict | None, score: float | None) -> bool | None:
    """True/False for a graded answer at full points or not; None when not graded (a poll)."""
    if question is None or not question["points"]:
        return None
    return score is not None and score >= question["points"] - EPSILON


def _rows(db, session_id: str):
    """The session's participants (dicts) and answers (tuples: the hot path of the dashboard)."""
    participants = participant_store.participants_of_session(db, session_id)
    return participants, answer_store.answer_rows(db, session_id=session_id)


def results(db, catalog, session: dict, detail: bool = False) -> dict:
    """``{participants: [{id, name, score, max_score, submitted, answers, scores}], questions}``.

    Every score is the sum of the per-answer scores stored when each answer was saved (a
    teacher's regrading rewrites them), over the quiz's current questions, out of the quiz's total:
    the same numbers the dashboard, the CSV, the results page and the student's own hand-in
    show. ``scores`` is ``{question_id: points earned}``.
    """
    questions = quiz_questions(catalog, session)
    participants, answers = _rows(db, session["id"])
    out = []
    for p, (responses, scores) in zip(
        participants, per_participant(participants, answers, questions), strict=True
    ):
        out.append(
            {
                "id": p["id"],
                "name": p["name"],
                "score": sum(scores.values()),
                "max_score": sum(q["points"] for q in questions),
                "submitted": p["submitted_at"] is not None,
                "answers": responses,
                "scores": scores,
            }
        )
        if detail:  # the teacher's sheet: the hand-in time too
            out[-1]["submitted_at"] = p["submitted_at"]
    data = {"participants": out, "questions": questions}
    return data | {"pass_ratio": _pass_ratio(catalog, session)} if detail else data


def _pass_ratio(catalog, session: dict) -> float | None:
    _course, _lesson, quiz, _guides = session_content(catalog, session)
    return quiz.pass_ratio if quiz is not None else None


def per_participant(participants: list[dict], answers, questions: list[dict]) -> list[tuple]:
    """For each participant: ``({question_id: response}, {question_id: points})``.

    Only the quiz's current questions count: an answer to a question removed since stays in
    the database but not in any total.
    """
    current = {q["id"] for q in questions}
    index = {p["id"]: ({}, {}) for p in participants}
    for participant_id, question_id, response, score in answers:
        if question_id not in current or participant_id not in index:
            continue
        responses, scores = index[participant_id]
        responses[question_id] = decode_response(response)
        scores[question_id] = float(score or 0.0)
    return [index[p["id"]] for p in participants]


def _csv_cell(value: Any) -> Any:
    # A nickname like "=HYPERLINK(...)" must stay text in Excel, not become a formula.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def _number(value: float) -> str:
    return f"{value:g}"


def results_csv(
    db, catalog, session: dict, headings: dict[str, str] | None = None, local_time=None
) -> str:
    """The results as CSV text with a BOM (Excel then reads the Chinese correctly).

    Without ``headings`` it is the results JSON as a table (DESIGN: "the same as CSV"):
    columns ``name, score, max_score, submitted`` and one per question id, each holding the
    response exactly as submitted (text as it is, anything else as JSON). With ``headings``
    (translated column titles for name, submitted, score, max_score, and the words yes, no,
    true and false) it is the teacher's Excel sheet: option text instead of indices, and
    ``local_time`` turns a stored hand-in time into the school's clock.
    """
    if headings is None:
        return _raw_csv(results(db, catalog, session))
    data = results(db, catalog, session, detail=True)
    questions, types = data["questions"], catalog.question_types
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    title_row = [headings["name"], headings["submitted"], headings["handed_in_at"],
                 headings["score"], headings["max_score"], headings["passed"]]  # fmt: skip
    for q in questions:
        title_row.append(_csv_cell(f"{q['id']}: {_short(q['prompt'])}"))
        if q["points"]:
            title_row.append(_csv_cell(f"{q['id']} {headings['right']}"))
    writer.writerow(title_row)
    ratio = data["pass_ratio"]
    for p in data["participants"]:
        passed = ""
        if p["submitted"] and ratio is not None and p["max_score"]:
            passed = (
                headings["yes"]
                if p["score"] >= ratio * p["max_score"] - EPSILON
                else headings["no"]
            )
        row = [
            _csv_cell(p["name"]),
            headings["yes"] if p["submitted"] else headings["no"],
            (local_time or str)(p["submitted_at"] or ""),
            _number(p["score"]),
            _number(p["max_score"]),
            passed,
        ]
        for q in questions:
            answered = q["id"] in p["answers"]
            answer = p["answers"].get(q["id"])
            row.append(_csv_cell(response_label(types, q, answer, headings)) if answered else "")
            if q["points"]:
                verdict = is_correct(q, p["scores"].get(q["id"])) if answered else None
                row.append("✓" if verdict else "✗" if answered else "")
        writer.writerow(row)
    return "\ufeff" + buffer.getvalue()


def _raw_csv(data: dict) -> str:
    question_ids = [q["id"] for q in data["questions"]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["name", "score", "max_score", "submitted", *question_ids])
    for p in data["participants"]:
        row = [_csv_cell(p["name"]), _number(p["score"]), _number(p["max_score"]),
               "true" if p["submitted"] else "false"]  # fmt: skip
        for qid in question_ids:
            if qid not in p["answers"]:
                row.append("")
                continue
            response = p["answers"][qid]
            text = (
                response if isinstance(response, str) else json.dumps(response, ensure_ascii=False)
            )
            row.append(_csv_cell(text))
        writer.writerow(row)
    return "\ufeff" + buffer.getvalue()


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.replace("*", "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def live_dashboard(db, catalog, session: dict, words: dict | None = None) -> dict:
    """The live dashboard: students, their section and counts, per-question stats, ticks.

    ``words`` (translated ``true``/``false``) is for the wrong answers' labels.
    """
    questions = quiz_questions(catalog, session)
    by_id = {q["id"]: q for q in questions}
    participants, answers = _rows(db, session["id"])
    totals = {
        p["id"]: sum(scores.values())
        for p, (_responses, scores) in zip(
            participants, per_participant(participants, answers, questions), strict=True
        )
    }
    max_score = sum(q["points"] for q in questions)
    per_student = {p["id"]: {"answered": 0, "correct": 0} for p in participants}
    per_question = {q["id"]: {"answered": 0, "correct": 0, "wrong": Counter(), "votes": Counter()}
                    for q in questions}  # fmt: skip
    for participant_id, question_id, response, score in answers:
        question = by_id.get(question_id)
        if question is None:
            continue  # the quiz changed since: an answer to a question no longer there
        verdict = is_correct(question, score)
        student, stats = per_student[participant_id], per_question[question_id]
        student["answered"] += 1
        stats["answered"] += 1
        if verdict:
            student["correct"] += 1
            stats["correct"] += 1
        elif verdict is False:
            stats["wrong"][response] += 1
        else:
            stats["votes"][response] += 1  # a poll: what the class chose
    ticks = _ticks(db, session["id"])
    teacher_paced = session["pacing"] == "teacher"
    now = datetime.now(UTC)
    students = []
    for p in participants:
        counts = per_student[p["id"]]
        students.append(
            {
                "id": p["id"],
                "name": p["name"],
                "section": session["current_section"] if teacher_paced else p["current_section"],
                "answered": counts["answered"],
                "correct": counts["correct"],
                "submitted": p["submitted_at"] is not None,
                "score": totals[p["id"]],
                "max_score": max_score,
                "ticks": ticks["by_participant"].get(p["id"], 0),
                # A yes/no rather than the time itself, so the dashboard's ETag changes only
                # when a tablet drops out, not each time a tablet checks in.
                "online": _online(p["last_seen_at"] or p["joined_at"], now),
            }
        )
    return {
        "session": {
            "id": session["id"],
            "code": session["code"],
            "state": session["state"],
            "version": session["version"],
            "pacing": session["pacing"],
            "current_section": session["current_section"],
            "sections": [s.title for s in slides(catalog, session)],
            "quiz_open": session["quiz_open"],
            "joining_open": session["joining_open"],
        },
        "joined": len(students),
        "online": sum(s["online"] for s in students),
        "submitted": sum(s["submitted"] for s in students),
        "students": students,
        "questions": [
            _question_stats(catalog.question_types, q, per_question[q["id"]], words)
            for q in questions
        ],
        "guides": _guide_stats(catalog, session, ticks["by_step"]),
    }


def change_stamp(db, session: dict, *context: Any) -> str:
    """A hash of everything a teacher's live view of ``session`` is made of: the session
    row, every seat (and whether it is online), every answer and every tick, plus
    ``context`` (the content's fingerprint, the language). One query, no aggregation and no
    rendering, so an unchanged poll (``If-None-Match``) is answered before any of either.
    """
    online_since = (datetime.now(UTC) - OFFLINE_AFTER).isoformat(timespec="seconds")
    parts = (repr(sorted(session.items())), *polls.class_changes(db, session["id"], online_since),
             *map(str, context))  # fmt: skip
    return hashlib.sha256("\x1c".join(parts).encode()).hexdigest()[:32]


def _online(seen: str | None, now: datetime) -> bool:
    try:
        return seen is not None and now - datetime.fromisoformat(seen) < OFFLINE_AFTER
    except (TypeError, ValueError):
        return False


def _question_stats(types: dict, question: dict, stats: dict, words: dict | None) -> dict:
    graded = bool(question["points"])
    common = stats["wrong"].most_common(1)
    wrong = None
    if common:
        raw, count = common[0]
        response = decode_response(raw)
        label = response_label(types, question, response, words)
        wrong = {"response": response, "label": label, "count": count}
    return {
        "id": question["id"],
        "type": question["type"],
        "prompt": _short(question["prompt"], 80),
        "points": question["points"],
        "graded": graded,
        "answered": stats["answered"],
        "correct": stats["correct"],
        "share_correct": round(stats["correct"] / stats["answered"], 3)
        if graded and stats["answered"]
        else None,
        "most_common_wrong": wrong,
        "tally": _tally(types, question, stats["votes"], words) if not graded else None,
    }


def _tally(types: dict, question: dict, votes: Counter, words: dict | None) -> list[dict]:
    """A poll's votes per option (every option, most first), or per answer given."""
    counted = Counter()
    for raw, count in votes.items():
        counted[response_label(types, question, decode_response(raw), words)] += count
    options = question.get("options")
    if isinstance(options, list):
        for option in options:
            counted.setdefault(option, 0)
    total = sum(counted.values())
    return [
        {"label": label, "count": count, "share": round(count / total, 3) if total else 0.0}
        for label, count in counted.most_common()
    ]


def _ticks(db, session_id: str) -> dict:
    by_participant: Counter = Counter()
    by_step: Counter = Counter()
    for participant_id, guide_id, step in participant_store.ticks_of_session(db, session_id):
        by_participant[participant_id] += 1
        by_step[(guide_id, step)] += 1
    return {"by_participant": by_participant, "by_step": by_step}


def _guide_stats(catalog, session: dict, by_step: Counter) -> list[dict]:
    _course, _lesson, _quiz, guides = session_content(catalog, session)
    return [
        {
            "id": guide.id,
            "title": guide.title,
            "steps": [
                {"title": step.title, "done": by_step.get((guide.id, index), 0)}
                for index, step in enumerate(guide.steps)
            ],
        }
        for guide in guides
    ]
