"""Moodle GIFT to the core question types (https://docs.moodle.org/en/GIFT_format).

Mapping: ``{T}``/``{F}``/``{TRUE}``/``{FALSE}`` -> ``truefalse``; one ``=`` among ``~`` ->
``single``; weighted ``~%n%`` answers -> ``multiple`` (positive weights are the right ones);
``{#...}`` with ``answer:tolerance`` or ``min..max`` -> ``numeric``; only ``=`` answers ->
``text``. ``####`` general feedback becomes ``explain``; per-answer ``#feedback`` is added to
``explain`` as a list. Essay ``{}``, matching (``->``), descriptions (no braces) and partial
credit that the core types cannot score are skipped with their line and the reason.
"""

from __future__ import annotations

import re

from kepu_server.authoring.result import ImportResult

# Escaped characters become private-use placeholders while parsing, then come back.
ESCAPES = {"\\~": "\ue000", "\\=": "\ue001", "\\#": "\ue002", "\\{": "\ue003",
           "\\}": "\ue004", "\\:": "\ue005", "\\n": "\n"}  # fmt: skip
RESTORE = {v: k[1] for k, v in ESCAPES.items() if k != "\\n"}
MARKER_RE = re.compile(r"^\s*\[(html|markdown|plain|moodle)\]", re.I)
TITLE_RE = re.compile(r"^\s*::(.*?)::", re.S)
WEIGHT_RE = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
RANGE_RE = re.compile(rf"^({NUMBER})\.\.({NUMBER})$")
TOLERANCE_RE = re.compile(rf"^({NUMBER})(?::({NUMBER}))?$")
TRUEFALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


def _escape(text: str) -> str:
    for raw, placeholder in ESCAPES.items():
        text = text.replace(raw, placeholder)
    return text


def _restore(text: str) -> str:
    for placeholder, char in RESTORE.items():
        text = text.replace(placeholder, char)
    return text


def _clean(text: str) -> str:
    """Text as the author meant it: format marker removed, escapes restored, trimmed."""
    return _restore(MARKER_RE.sub("", text, count=1)).strip()


def _blocks(text: str):
    """(first line number, text) for each question: lines between blank lines, no comments."""
    block: list[str] = []
    start = 0
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        if line.lstrip().startswith("//"):
            continue
        if line.lstrip().startswith("$CATEGORY:"):
            # A line of its own, even without a blank line before the next question.
            if block:
                yield start, "\n".join(block)
            yield number, line.strip()
            block = []
            continue
        if not line.strip():
            if block:
                yield start, "\n".join(block)
            block = []
            continue
        if not block:
            start = number
        block.append(line)
    if block:
        yield start, "\n".join(block)


def parse_gift(text: str) -> ImportResult:
    result = ImportResult()
    for line, raw in _blocks(text):
        if raw.lstrip().startswith("$CATEGORY:"):
            category = raw.split(":", 1)[1].strip()
            result.notes.append(f"line {line}: category {category!r} (not kept)")
            continue
        try:
            question = _question(_escape(raw))
        except _Skip as skip:
            result.skip(line, str(skip))
            continue
        result.add(line, question)
    return result


class _Skip(Exception):
    pass


def _split_braces(text: str) -> tuple[str, str, str]:
    opened = text.find("{")
    if opened < 0:
        raise _Skip("a description (no answers in braces) has no question type")
    closed = text.find("}", opened)
    if closed < 0:
        raise _Skip("an answer block '{' is not closed by '}'")
    after = text[closed + 1 :]
    if "{" in after:
        raise _Skip("more than one answer block (embedded answers / cloze) is not supported")
    return text[:opened], text[opened + 1 : closed], after


def _question(text: str) -> dict:
    title = None
    match = TITLE_RE.match(text)
    if match:
        title = _clean(match.group(1))
        text = text[match.end() :]
    before, body, after = _split_braces(text)
    prompt = _clean(before)
    if _clean(after):
        prompt = f"{prompt} _____ {_clean(after)}".strip()
    if not prompt:
        raise _Skip("the question has no text")
    explain = ""
    if "####" in body:
        body, general = body.split("####", 1)
        explain = _clean(general)
    body = MARKER_RE.sub("", body.strip(), count=1).strip()
    if not body:
        raise _Skip("an essay question ({}) has no core type")
    if "->" in body:
        raise _Skip("a matching question (->) has no core type")
    if body.startswith("#"):
        question = _numeric(body[1:].strip())
    elif _restore(body.split("#", 1)[0]).strip().upper() in TRUEFALSE:
        question = _truefalse(body)
    else:
        question = _choices(body)
    question["prompt"] = prompt
    slug = re.sub(r"[^a-z0-9_-]+", "-", (title or "").lower()).strip("-")
    if slug and slug.isascii():
        question["id"] = slug[:60]  # a question id from the title where it is one
    feedback = question.pop("_feedback", [])
    lines = [explain] if explain else []
    if feedback:
        lines.append("\n".join(f"- {answer}: {text}" for answer, text in feedback))
    if lines:
        question["explain"] = "\n\n".join(lines)
    return question


def _truefalse(body: str) -> dict:
    value, *feedback = body.split("#")
    question = {"type": "truefalse", "answer": TRUEFALSE[_restore(value).strip().upper()]}
    texts = [_clean(f) for f in feedback if _clean(f)]
    if texts:
        question["_feedback"] = [(("TRUE", "FALSE")[i], t) for i, t in enumerate(texts[:2])]
    return question


def _answers(body: str) -> list[tuple[str, float | None, str, str]]:
    """[(marker, weight or None, text, feedback)] from ``=a#fb ~%50%b``."""
    parts = re.split(r"([=~])", body)
    if parts[0].strip():
        raise _Skip(f"text {_restore(parts[0]).strip()!r} before the first '=' or '~' answer")
    found = []
    for marker, chunk in zip(parts[1::2], parts[2::2], strict=True):
        weight = None
        match = WEIGHT_RE.match(chunk)
        if match:
            weight = float(match.group(1))
            chunk = chunk[match.end() :]
        answer, _, feedback = chunk.partition("#")
        if not _clean(answer):
            raise _Skip("an empty answer")
        found.append((marker, weight, _clean(answer), _clean(feedback)))
    if not found:
        raise _Skip("no answers in the braces")
    return found


def _choices(body: str) -> dict:
    answers = _answers(body)
    options = [a[2] for a in answers]
    feedback = [(a[2], a[3]) for a in answers if a[3]]
    markers = {a[0] for a in answers}
    if markers == {"="}:
        if any(w is not None and w != 100 for _, w, _, _ in answers):
            raise _Skip("short answers with partial credit (=%n%) cannot be scored by 'text'")
        return {"type": "text", "accept": options, "_feedback": feedback}
    if any(w is not None for m, w, _, _ in answers if m == "~"):
        if "=" in markers:
            raise _Skip("'=' mixed with weighted '~%n%' answers: the right ones are unclear")
        right = [i for i, a in enumerate(answers) if (a[1] or 0) > 0]
        if not right:
            raise _Skip("no answer has a positive weight")
        return {"type": "multiple", "options": options, "answers": right, "_feedback": feedback}
    right = [i for i, a in enumerate(answers) if a[0] == "="]
    if len(right) != 1:
        raise _Skip(f"{len(right)} '=' answers among '~': a single choice needs exactly one")
    if answers[right[0]][1] not in (None, 100):
        raise _Skip("the right answer has a partial weight")
    return {"type": "single", "options": options, "answer": right[0], "_feedback": feedback}


def _number(text: str) -> float | int:
    value = float(text)
    return (
        int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value
    )


def _numeric(body: str) -> dict:
    feedback = []
    if body.startswith("="):
        answers = _answers(body)
        full = [a for a in answers if a[1] in (None, 100)]
        if len(answers) != 1 or len(full) != 1:
            raise _Skip("several numeric answers (partial credit) have no core type")
        body, feedback = full[0][2], ([(full[0][2], full[0][3])] if full[0][3] else [])
    else:
        body, _, text = body.partition("#")
        if _clean(text):
            feedback = [(_clean(body), _clean(text))]
    body = _restore(body).strip()
    match = RANGE_RE.match(body)
    if match:
        low, high = float(match.group(1)), float(match.group(2))
        if low > high:
            raise _Skip(f"the range {body} has its minimum above its maximum")
        question = {"type": "numeric", "answer": (low + high) / 2, "tolerance": (high - low) / 2}
    else:
        match = TOLERANCE_RE.match(body)
        if not match:
            raise _Skip(f"{body!r} is not a number, 'answer:tolerance' or 'min..max'")
        question = {"type": "numeric", "answer": _number(match.group(1))}
        if match.group(2) is not None:
            question["tolerance"] = abs(_number(match.group(2)))
    question["_feedback"] = feedback
    return question
