"""Scoring and the student-safe view of a question, for any registered question type.

Scoring happens on the server only. ``public_question`` is the single place that decides what
a student's device receives about a question: the core fields plus what the type's
``public(spec)`` returns, minus any key that could carry an answer.
"""

from __future__ import annotations

from typing import Any

from kepu_server.content.model import Question
from kepu_server.quiz.types import QuestionType, shuffled_items

# Never sent to a student before they submit, whatever a plugin's ``public`` returns.
SECRET_KEYS = frozenset({"answer", "answers", "accept", "explain", "solution", "correct"})


def max_points(qtype: QuestionType, question: Question) -> float:
    return float(question.points) if qtype.graded else 0.0


def score_response(qtype: QuestionType, question: Question, response: Any) -> float:
    """Points earned for ``response``; raises ``ValueError`` when it is malformed."""
    fraction = qtype.score(question.spec, response)
    if isinstance(fraction, bool) or not isinstance(fraction, int | float):
        raise TypeError(f"question type {qtype.name!r} returned a non-number score")
    return max(0.0, min(1.0, float(fraction))) * max_points(qtype, question)


def check_response(qtype: QuestionType, question: Question, response: Any) -> None:
    """Raise ``ValueError`` if ``response`` is not a well-formed answer to ``question``."""
    qtype.score(question.spec, response)


def _without_secrets(value: Any) -> Any:
    """``value`` with every secret key dropped at any depth (a plugin may nest its fields)."""
    if isinstance(value, dict):
        return {k: _without_secrets(v) for k, v in value.items() if k not in SECRET_KEYS}
    if isinstance(value, list | tuple):
        return [_without_secrets(v) for v in value]
    return value


def public_question(
    qtype: QuestionType, question: Question, prompt_html: str, seed: str = ""
) -> dict[str, Any]:
    """What a student's device may see of ``question`` (``prompt_html`` already rendered)."""
    fields = _without_secrets(qtype.public(question.spec) or {})
    if question.type == "ordering" and "items" in question.spec:
        fields["items"] = shuffled_items(list(question.spec["items"]), f"{seed}:{question.id}")
    return {
        **fields,
        "id": question.id,
        "type": question.type,
        "prompt": prompt_html,
        "points": max_points(qtype, question),
    }
