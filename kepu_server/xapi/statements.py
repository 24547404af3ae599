"""Build xAPI 1.0.3 statements (pure functions: no database, no Flask).

Every statement has a UUID ``id``, an ADL verb, an activity under the school's
``public_url``, a context naming the course, grade band and school, and a ``timestamp``.
The actor is always an ``account`` with an opaque ``name``: never a nickname or roster name.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from typing import Any

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "launched": "launched",
    "attended": "attended",
    "answered": "answered",
    "completed": "completed",
    "terminated": "terminated",
}
PLATFORM = "Kepu Server"
# The core question types whose response has an xAPI interaction format.
INTERACTION_TYPES = {
    "single": "choice",
    "multiple": "choice",
    "truefalse": "true-false",
    "numeric": "numeric",
    "ordering": "sequencing",
}


@dataclass(frozen=True)
class School:
    public_url: str  # the school's server, e.g. "http://192.168.1.20:8000"
    name: str  # ``[xapi] school``: how the district names this school

    @property
    def base(self) -> str:
        return self.public_url.rstrip("/")


def activity_id(school: School, *parts: str) -> str:
    """``<public_url>/xapi/activities/course/<c>[/lesson/<l>|/quiz/<q>[/question/<id>]]``."""
    return school.base + "/xapi/activities/" + "/".join(str(p) for p in parts)


def registration(session_id: str) -> str:
    """A UUID per class session (the same for every statement about it)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "kepu-class-session:" + session_id))


def teacher_account_name(secret: str, teacher_id: int) -> str:
    """An opaque, stable id for a teacher: an HMAC of the id with the instance's secret."""
    digest = hmac.new(secret.encode(), f"teacher:{teacher_id}".encode(), hashlib.sha256)
    return "t-" + digest.hexdigest()[:20]


def actor(school: School, account_name: str) -> dict:
    return {"objectType": "Agent", "account": {"homePage": school.base, "name": account_name}}


def _verb(name: str) -> dict:
    return {"id": ADL + VERBS[name], "display": {"en-US": name}}


def _activity(aid: str, kind: str, name: str | None = None, extra: dict | None = None) -> dict:
    definition: dict[str, Any] = {"type": "http://adlnet.gov/expapi/activities/" + kind}
    if name:
        definition["name"] = {"und": name}
    definition.update(extra or {})
    return {"objectType": "Activity", "id": aid, "definition": definition}


def class_activity(school: School, session: dict) -> tuple[str, str]:
    """The activity a class session is about, and its ADL activity type."""
    course = session["course_id"]
    if session.get("lesson_id"):
        return activity_id(school, "course", course, "lesson", session["lesson_id"]), "lesson"
    if session.get("quiz_id"):
        return activity_id(school, "course", course, "quiz", session["quiz_id"]), "assessment"
    return activity_id(school, "course", course, "guide", session["guide_id"]), "module"


def context(school: School, session: dict, grades: str, language: str | None = None) -> dict:
    ext = school.base + "/xapi/extensions/"
    ctx: dict[str, Any] = {
        "registration": registration(session["id"]),
        "platform": PLATFORM,
        "contextActivities": {
            "parent": [_activity(activity_id(school, "course", session["course_id"]), "course")],
            "grouping": [
                _activity(school.base + "/xapi/activities/school", "profile", school.name)
            ],
        },
        "extensions": {
            ext + "school": school.name,
            ext + "course": session["course_id"],
            ext + "grade-band": grades,
        },
    }
    if language:
        ctx["language"] = language
    return ctx


def statement(verb: str, who: dict, obj: dict, ctx: dict, at: str, result=None) -> dict:
    st = {
        "id": str(uuid.uuid4()),
        "actor": who,
        "verb": _verb(verb),
        "object": obj,
        "context": ctx,
        "timestamp": at,
    }
    if result is not None:
        st["result"] = result
    return st


def xapi_response(qtype: str, response: Any) -> str | None:
    """The xAPI response string for the types that have one; None (left out) otherwise.

    Free text is never sent: a child may type a name into it.
    """
    kind = INTERACTION_TYPES.get(qtype)
    if kind is None or response is None:
        return None
    if kind == "true-false" and isinstance(response, bool):
        return "true" if response else "false"
    if kind == "numeric" and isinstance(response, int | float) and not isinstance(response, bool):
        return json.dumps(response)
    if kind == "choice":
        values = response if isinstance(response, list) else [response]
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return "[,]".join(str(v) for v in values)
    if kind == "sequencing" and isinstance(response, list):
        return "[,]".join(str(v) for v in response)
    return None


def question_object(school: School, session: dict, question_id: str, qtype: str) -> dict:
    extra = {}
    if qtype in INTERACTION_TYPES:
        extra["interactionType"] = INTERACTION_TYPES[qtype]
    aid = activity_id(
        school, "course", session["course_id"], "quiz", session["quiz_id"], "question", question_id
    )
    return _activity(aid, "cmi.interaction", None, extra)


def answer_result(points: float, score: float, qtype: str, response: Any) -> dict:
    result: dict[str, Any] = {}
    if points > 0:
        result["success"] = score >= points
        result["score"] = {
            "scaled": round(score / points, 4),
            "raw": score,
            "min": 0,
            "max": points,
        }
    text = xapi_response(qtype, response)
    if text is not None:
        result["response"] = text
    return result


def quiz_result(score: float, max_score: float, pass_ratio: float) -> dict:
    result: dict[str, Any] = {"completion": True}
    if max_score > 0:
        scaled = score / max_score
        result["success"] = scaled >= pass_ratio
        result["score"] = {"scaled": round(scaled, 4), "raw": score, "min": 0, "max": max_score}
    return result
