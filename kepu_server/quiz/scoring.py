"""Scoring and the student-safe view of a question, for any registered question type.

Scoring happens on the server only. ``public_question`` is the single place that decides what
a student's device receives about a question: the core fields plus what the type's
``public(spec)`` returns, minus any key that could carry an answer.
"""

from __future__ import annotations

import hashlib
import logging
import math
from typing import Any

from kepu_server.content.model import Question
from kepu_server.quiz.types import QuestionType, default_label, seeded_rng

log = logging.getLogger(__name__)

# Never sent to a student before they submit, whatever a plugin's ``public`` returns.
SECRET_KEYS = frozenset({"answer", "answers", "accept", "explain", "solution", "correct"})


def max_points(qtype: QuestionType, question: Question) -> float:
    return float(question.points) if qtype.graded else 0.0


class ScoreError(Exception):
    """A question type's ``score`` broke its contract: raised (not ``ValueError``) or returned
    something other than a number from 0 to 1. ``source`` names where the type comes from."""

    def __init__(self, qtype: QuestionType, problem: str):
        self.source = type_source(qtype)
        super().__init__(f"question type {qtype.name!r} (from {self.source}) {problem}")


def type_source(qtype: QuestionType) -> str:
    """The module that defines the type's scorer: the plugin to blame in a log line."""
    return getattr(qtype.score, "__module__", None) or "an unknown module"


def score_response(qtype: QuestionType, question: Question, response: Any) -> float:
    """Points earned for ``response``; the one place a type's ``score`` is called.

    ``ValueError`` for a malformed response (the student's fault, a 400); ``ScoreError`` when
    the type itself misbehaves: any other exception, or a result that is not a real number
    from 0.0 to 1.0 (``None``, a bool, text, NaN, 2.0).
    """
    try:
        fraction = qtype.score(question.spec, response)
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - a plugin's bug must not become a 500
        raise ScoreError(qtype, f"raised {type(exc).__name__}: {exc}") from exc
    if (
        isinstance(fraction, bool)
        or not isinstance(fraction, int | float)
        or not math.isfinite(fraction)
        or not 0.0 <= fraction <= 1.0
    ):
        raise ScoreError(qtype, f"returned {fraction!r}, not a number from 0 to 1")
    return float(fraction) * max_points(qtype, question)


def check_response(qtype: QuestionType, question: Question, response: Any) -> float:
    """The points ``response`` earns; raises like ``score_response`` (kept for callers)."""
    return score_response(qtype, question, response)


def _without_secrets(value: Any) -> Any:
    """``value`` with every secret key dropped at any depth (a plugin may nest its fields)."""
    if isinstance(value, dict):
        return {k: _without_secrets(v) for k, v in value.items() if k not in SECRET_KEYS}
    if isinstance(value, list | tuple):
        return [_without_secrets(v) for v in value]
    return value


def response_label(
    qtype: QuestionType | None, spec: dict, response: Any, words: dict | None = None
) -> str:
    """``response`` in words for a teacher (dashboard, results page, CSV, review).

    The type's own ``label`` decides (``default_label`` when it has none, or when it fails:
    a plugin's bug must not break the dashboard). ``words`` may give the translated text
    for a ``true`` / ``false`` response.
    """
    text = None
    label = getattr(qtype, "label", None)
    if callable(label):
        try:
            text = label(spec, response)
        except Exception:  # noqa: BLE001
            log.warning("question type %r: label() failed", getattr(qtype, "name", "?"))
    if not isinstance(text, str):
        text = default_label(spec, response)
    if isinstance(response, bool) and words:
        return words.get(text, text)
    return text


def _rng(seed: bytes | str, question: Question, purpose: str):
    if isinstance(seed, bytes):
        return seeded_rng(hashlib.sha256(purpose.encode() + b"\0" + seed).digest())
    return seeded_rng(f"{seed}:{question.id}:{purpose}")


def public_question(
    qtype: QuestionType,
    question: Question,
    prompt_html: str,
    seed: bytes | str = "",
    shuffle_options: bool = False,
) -> dict[str, Any]:
    """What a student's device may see of ``question`` (``prompt_html`` already rendered).

    ``seed`` orders what the type shuffles (its ``shuffle``) and, when the quiz sets
    ``shuffle_options`` and the type allows it (``option_order``), the options: for a
    student, bytes the server derived for this seat and question from its secret key (so the
    student cannot recompute the order); a string only for orders anyone may see (the
    printable worksheet, tests). Shuffled options come with ``order``: ``order[i]`` is the
    index in the file of the ``i``-th option shown, which is what the response names.
    """
    spec = question.spec
    fields = _without_secrets(qtype.public(spec) or {})
    if qtype.shuffle is not None:
        rng = seeded_rng(seed) if isinstance(seed, bytes) else seeded_rng(f"{seed}:{question.id}")
        fields.update(_without_secrets(qtype.shuffle(spec, rng) or {}))
    options = fields.get("options")
    if shuffle_options and qtype.option_order and isinstance(options, list) and options:
        order = list(range(len(options)))
        _rng(seed, question, "options").shuffle(order)
        fields["options"] = [options[i] for i in order]
        fields["order"] = order
    return {
        **fields,
        "id": question.id,
        "type": question.type,
        "prompt": prompt_html,
        "points": max_points(qtype, question),
    }
