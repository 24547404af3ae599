"""Readable words for a response and for a question's right answer, for the student's review.

The review shows "your answer" beside "the right answer" after handing in (never before: these
read the key). "Your answer" is the type's own ``label(spec, response)``; the right answer of a
core type is worded here from its key.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from kepu_server.quiz.scoring import response_label as label_response


def _words() -> dict:
    return {"true": _("True"), "false": _("False")}


def response_label(qtype, question, response: Any) -> str:
    """``response`` to ``question`` in words, as its type's ``label`` gives them (the same
    words as on the teacher's dashboard and CSV)."""
    return label_response(qtype, question.spec, response, _words())


# Where a core type keeps a response that earns full points (the key, in response form).
_KEY_RESPONSE = {"single": "answer", "multiple": "answers", "truefalse": "answer",
                 "numeric": "answer", "ordering": "items"}  # fmt: skip


def right_answer_label(qtype, question) -> str | None:
    """The right answer in words for a core type; None where there is none to show."""
    spec = question.spec
    if question.type == "text":
        accept = spec.get("accept") or []
        return str(accept[0]) if accept else None
    key = _KEY_RESPONSE.get(question.type)
    if key is None or key not in spec:
        return None
    return response_label(qtype, question, spec[key])
