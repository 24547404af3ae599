"""Queries for regrading after the fact: a teacher marks one answer right or wrong, or
accepts one child's answer for the whole class (issue 12, item 5). Every total, the
dashboard and the CSV read the stored per-answer scores, so they all follow."""

from __future__ import annotations

from kepu_server.store.db import write_transaction


def answers_to(db, session_id: str, question_id: str) -> list[dict]:
    """Every seat's stored answer to one question of a class: participant_id, response."""
    return [
        dict(row)
        for row in db.query(
            "SELECT a.participant_id, a.response FROM answers a JOIN participants p "
            "ON p.id = a.participant_id WHERE p.session_id = ? AND a.question_id = ?",
            [session_id, question_id],
        )
    ]


def set_answer_scores(db, question_id: str, scores: dict[int, float], question_ids) -> None:
    """Store new scores for ``question_id`` (``{participant id: score}``) and, for seats that
    have handed in, their total again over the quiz's ``question_ids``."""
    ids = list(question_ids)
    marks = ", ".join("?" for _ in ids)
    with write_transaction(db):
        for participant_id, score in scores.items():
            db.execute(
                "UPDATE answers SET score = ? WHERE participant_id = ? AND question_id = ?",
                [score, participant_id, question_id],
            )
            db.execute(
                "UPDATE participants SET score = (SELECT COALESCE(SUM(score), 0) FROM answers "
                f"WHERE participant_id = ? AND question_id IN ({marks})) "  # noqa: S608
                "WHERE id = ? AND submitted_at IS NOT NULL",
                [participant_id, *ids, participant_id],
            )
