"""Readable words for a response and for a question's right answer, for the student's review.

The review shows "your answer" beside "the right answer" after handing in (never before: these
read the key). A plugin type that brings its own ``label(spec, response)`` (see the seams work)
is asked first; the core types are spelled out here; anything else falls back to plain text.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _


def _option(spec: dict, key: str, index: Any) -> str:
    values = spec.get(key) or []
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(values):
        return str(values[index])
    return str(index)


def _number(value: Any, unit: str) -> str:
    text = (
        f"{value:g}"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else str(value)
    )
    return f"{text} {unit}".strip()


def response_label(qtype, question, response: Any) -> str:
    """``response`` to ``question`` in words (an option's text, not its index)."""
    spec = question.spec
    label = getattr(qtype, "label", None)
    if callable(label):
        try:
            return str(label(spec, response))
        except Exception:  # noqa: BLE001 - a plugin's label must not break the review
            pass
    kind = question.type
    if kind in ("single", "poll"):
        return _option(spec, "options", response)
    if kind == "multiple" and isinstance(response, list):
        return "、".join(_option(spec, "options", i) for i in sorted(response, key=str))
    if kind == "truefalse" and isinstance(response, bool):
        return _("True") if response else _("False")
    if kind == "numeric":
        return _number(response, spec.get("unit", ""))
    if kind == "ordering" and isinstance(response, list):
        return " → ".join(str(x) for x in response)
    if isinstance(response, str):
        return response.strip()
    return json.dumps(response, ensure_ascii=False)


def right_answer_label(qtype, question) -> str | None:
    """The right answer in words for a core type; None where there is none to show."""
    spec = question.spec
    kind = question.type
    if kind == "single":
        return _option(spec, "options", spec.get("answer"))
    if kind == "multiple":
        return "、".join(_option(spec, "options", i) for i in spec.get("answers") or [])
    if kind == "truefalse":
        return _("True") if spec.get("answer") else _("False")
    if kind == "numeric":
        return _number(spec.get("answer"), spec.get("unit", ""))
    if kind == "text":
        accept = spec.get("accept") or []
        return str(accept[0]) if accept else None
    if kind == "ordering":
        return " → ".join(str(x) for x in spec.get("items") or [])
    return None
