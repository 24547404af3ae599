"""``QuestionType`` and the core question types of DESIGN.md, as pure functions.

Each type has ``validate(spec) -> [messages]``, ``public(spec) -> dict`` (the only type fields a
student's device receives), ``score(spec, response) -> fraction`` (raises ``ValueError`` for
a malformed response) and, where it needs them, ``label(spec, response) -> str`` (a response in
words for the teacher) and ``shuffle(spec, rng) -> dict`` (public fields in a per-seat order).
``spec`` is the question's table from the quiz file.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DEFAULT_TRANSLATABLE = ("prompt", "explain", "options", "items", "accept", "unit")


@dataclass(frozen=True)
class QuestionType:
    """A kind of quiz question, supplied by the core or by a plugin's ``kepu_question_types``.

    ``validate(spec)`` returns a list of problems with the question's fields; ``public(spec)``
    returns the only type-specific fields a student may see; ``score(spec, response)`` returns
    a fraction of the question's points from 0.0 to 1.0 and raises ``ValueError`` for a
    malformed response; ``widget`` names a Jinja template for the tablet (None: a text box).
    ``graded=False`` makes the question count 0 of 0 points (like ``poll``).

    Optional, with defaults so older plugins keep working: ``label(spec, response)`` words a
    response for the dashboard, results page and CSV (default: ``default_label``, text as it
    is and anything else as JSON); ``shuffle(spec, rng)`` returns public fields to show in this
    seat's order (``rng`` is a ``random.Random`` seeded with a server secret; default: none);
    ``option_order=True`` lets a quiz's ``shuffle_options`` show the ``options`` list in a
    per-seat order (the response stays an index into the file's list); ``translatable`` names
    the fields a translation file may change (any other field it repeats must be equal).
    """

    name: str
    validate: Callable[[dict], list[str]]
    public: Callable[[dict], dict]
    score: Callable[[dict, Any], float]
    widget: str | None = None
    graded: bool = True
    translatable: tuple[str, ...] = DEFAULT_TRANSLATABLE
    label: Callable[[dict, Any], str] | None = None
    shuffle: Callable[[dict, random.Random], dict] | None = None
    option_order: bool = False


# ---------------------------------------------------------------- helpers


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def _options_problems(spec: dict, key: str = "options", minimum: int = 2) -> list[str]:
    options = spec.get(key)
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        return [f"{key!r} must be a list of text"]
    if len(options) < minimum:
        return [f"{key!r} needs at least {minimum} entries"]
    if len(set(options)) != len(options):
        return [f"{key!r} has the same entry twice"]
    return []


def _index(response, count: int) -> int:
    if not _is_int(response):
        raise ValueError("the response must be the index of an option (a whole number)")
    if not 0 <= response < count:
        raise ValueError(f"the response must be an option index from 0 to {count - 1}")
    return response


def normalize_text(value: str) -> str:
    """NFKC, trim, case-fold: full-width letters and digits match their ASCII forms."""
    return unicodedata.normalize("NFKC", value).strip().casefold()


def default_label(spec, response) -> str:
    """A response in words when its type has no ``label``: text as it is, numbers plainly,
    ``true``/``false``, anything else as JSON."""
    if isinstance(response, bool):
        return "true" if response else "false"
    if isinstance(response, str):
        return response
    if isinstance(response, float) and math.isfinite(response):
        return f"{response:g}"
    if _is_int(response):
        return str(response)
    return json.dumps(response, ensure_ascii=False)


def _option_label(spec, response) -> str:
    options = spec.get("options")
    if isinstance(options, list) and _is_int(response) and 0 <= response < len(options):
        return str(options[response])
    return default_label(spec, response)


def _options_label(spec, response) -> str:
    options = spec.get("options")
    if (
        isinstance(options, list)
        and isinstance(response, list)
        and all(_is_int(i) and 0 <= i < len(options) for i in response)
    ):
        return "; ".join(str(options[i]) for i in sorted(response))
    return default_label(spec, response)


def _numeric_label(spec, response) -> str:
    text = default_label(spec, response)
    unit = spec.get("unit")
    return f"{text} {unit}" if _is_number(response) and isinstance(unit, str) and unit else text


def _sequence_label(spec, response) -> str:
    if isinstance(response, list):
        return " → ".join(str(item) for item in response)
    return default_label(spec, response)


def seeded_rng(seed: bytes | str | random.Random) -> random.Random:
    """A generator drawn from ``seed``: secret bytes from the server (an HMAC keyed by the
    app's secret) for anything a student sees; a plain string only for public orders. A
    generator passed in is used as it is."""
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, str):
        seed = hashlib.sha256(seed.encode()).digest()
    return random.Random(bytes(seed))


def shuffled_items(items: list[str], seed: bytes | str | random.Random) -> list[str]:
    """The items in a per-participant order (``seed``), never the correct one for 3 or more.

    For 3 or more items every wrong order is equally likely (rejection sampling: a draw that
    comes out correct is drawn again, never "rotated", which would favour some orders). Two
    items are shuffled fairly instead: always showing the one wrong order of two would hand
    every student the answer (reverse it), so their order must tell nothing.
    """
    order = list(items)
    if len(order) < 2:
        return order
    rng = seeded_rng(seed)
    rng.shuffle(order)
    if len(set(items)) == len(items) >= 3:
        while order == list(items):
            rng.shuffle(order)
    return order


# ---------------------------------------------------------------- single


def _single_validate(spec):
    problems = _options_problems(spec)
    answer = spec.get("answer")
    if not problems and not (_is_int(answer) and 0 <= answer < len(spec["options"])):
        problems.append("'answer' must be the 0-based index of the right option")
    return problems


def _single_score(spec, response):
    return 1.0 if _index(response, len(spec["options"])) == spec["answer"] else 0.0


# ---------------------------------------------------------------- multiple


def _multiple_validate(spec):
    problems = _options_problems(spec)
    answers = spec.get("answers")
    if problems:
        return problems
    if (
        not isinstance(answers, list)
        or not answers
        or not all(_is_int(a) and 0 <= a < len(spec["options"]) for a in answers)
        or len(set(answers)) != len(answers)
    ):
        problems.append("'answers' must be a non-empty list of distinct 0-based option indices")
    return problems


def _multiple_score(spec, response):
    if not isinstance(response, list):
        raise ValueError("the response must be a list of option indices")
    chosen = [_index(r, len(spec["options"])) for r in response]
    if len(set(chosen)) != len(chosen):
        raise ValueError("the response names the same option twice")
    return 1.0 if set(chosen) == set(spec["answers"]) else 0.0


# ---------------------------------------------------------------- truefalse


def _truefalse_validate(spec):
    return [] if isinstance(spec.get("answer"), bool) else ["'answer' must be true or false"]


def _truefalse_score(spec, response):
    if not isinstance(response, bool):
        raise ValueError("the response must be true or false")
    return 1.0 if response == spec["answer"] else 0.0


# ---------------------------------------------------------------- numeric


def _numeric_validate(spec):
    problems = []
    if not _is_number(spec.get("answer")):
        problems.append("'answer' must be a number")
    tolerance = spec.get("tolerance", 0)
    if not _is_number(tolerance) or tolerance < 0:
        problems.append("'tolerance' must be a number >= 0")
    if "unit" in spec and not isinstance(spec["unit"], str):
        problems.append("'unit' must be text")
    return problems


def parse_number(response) -> float:
    """A number from JSON, or from text a tablet keyboard produced ("３.５", "1,955")."""
    if _is_number(response):
        return float(response)
    if isinstance(response, str):
        text = unicodedata.normalize("NFKC", response).strip().replace(",", "")
        try:
            value = float(text)
        except ValueError:
            raise ValueError("the response must be a number") from None
        if math.isfinite(value):
            return value
    raise ValueError("the response must be a number")


def _numeric_score(spec, response):
    value = parse_number(response)
    tolerance = float(spec.get("tolerance", 0))
    # A small epsilon keeps "within tolerance, inclusive" true despite binary fractions.
    slack = 1e-9 * max(1.0, abs(spec["answer"]))
    return 1.0 if abs(value - spec["answer"]) <= tolerance + slack else 0.0


def _numeric_public(spec):
    return {"unit": spec["unit"]} if spec.get("unit") else {}


# ---------------------------------------------------------------- text


def _text_validate(spec):
    accept = spec.get("accept")
    if (
        not isinstance(accept, list)
        or not accept
        or not all(isinstance(a, str) and a.strip() for a in accept)
    ):
        return ["'accept' must be a non-empty list of text"]
    return []


def _text_score(spec, response):
    if not isinstance(response, str):
        raise ValueError("the response must be text")
    if len(response) > 1000:
        raise ValueError("the response is too long")
    given = normalize_text(response)
    return 1.0 if any(given == normalize_text(a) for a in spec["accept"]) else 0.0


# ---------------------------------------------------------------- ordering


def _ordering_validate(spec):
    return _options_problems(spec, "items", minimum=2)


def _ordering_public(spec):
    # A student's seat gets its own order from ``_ordering_shuffle``; this order is only a
    # fallback and is never the correct one.
    return {"items": shuffled_items(spec["items"], "public:" + str(spec.get("id")))}


def _ordering_shuffle(spec, rng):
    return {"items": shuffled_items(list(spec["items"]), rng)}


def _ordering_score(spec, response):
    if not isinstance(response, list) or not all(isinstance(r, str) for r in response):
        raise ValueError("the response must be the list of items in the chosen order")
    if sorted(response) != sorted(spec["items"]):
        raise ValueError("the response must contain every item exactly once")
    return 1.0 if response == list(spec["items"]) else 0.0


# ---------------------------------------------------------------- poll


def _poll_score(spec, response):
    _index(response, len(spec["options"]))
    return 0.0


def _options_public(spec):
    return {"options": list(spec["options"])}


CORE_TYPES = (
    QuestionType("single", _single_validate, _options_public, _single_score,
                 label=_option_label, option_order=True),
    QuestionType("multiple", _multiple_validate, _options_public, _multiple_score,
                 label=_options_label, option_order=True),
    QuestionType("truefalse", _truefalse_validate, lambda spec: {}, _truefalse_score),
    QuestionType("numeric", _numeric_validate, _numeric_public, _numeric_score,
                 label=_numeric_label),
    QuestionType("text", _text_validate, lambda spec: {}, _text_score),
    QuestionType("ordering", _ordering_validate, _ordering_public, _ordering_score,
                 label=_sequence_label, shuffle=_ordering_shuffle),
    QuestionType("poll", lambda spec: _options_problems(spec), _options_public, _poll_score,
                 graded=False, label=_option_label),
)  # fmt: skip
