"""OpenAPI description of the teacher API (``views/api_teacher.py`` exposes it).

Kept apart from the routes so the route module stays short and readable.
"""

from __future__ import annotations

_ERR = {"$ref": "#/components/responses/Error"}
_AUTH = [{"bearer": []}, {"cookie": []}]
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
       "description": "The session id returned by POST /api/v1/sessions"}  # fmt: skip
_REFUSALS = {"401": _ERR, "403": _ERR, "404": _ERR}


def _json(description: str, schema: dict | None = None) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": schema or {"type": "object"}}}}  # fmt: skip


_STATE = {
    "type": "object",
    "required": [
        "id",
        "code",
        "join_url",
        "state",
        "version",
        "pacing",
        "review",
        "quiz_open",
        "joining_open",
        "current_section",
        "sections",
    ],
    "properties": {
        "id": {"type": "string"},
        "code": {"type": "string", "pattern": "^[1-9][0-9]{5}$"},
        "join_url": {
            "type": "string",
            "description": "<base>/j/<code>; base is "
            "KEPU_PUBLIC_URL, else the server's first LAN URL, else the request's host",
        },
        "state": {"enum": ["open", "ended"]},
        "version": {"type": "integer"},
        "title": {"type": "string"},
        "course": {"type": "string"},
        "lesson": {"type": ["string", "null"]},
        "quiz": {"type": ["string", "null"]},
        "guide": {"type": ["string", "null"]},
        "guides": {"type": "array", "items": {"type": "string"}},
        "pacing": {"enum": ["teacher", "self"]},
        "mode": {"enum": ["normal", "contest"]},
        "review": {"type": "boolean"},
        "quiz_open": {"type": "boolean"},
        "joining_open": {"type": "boolean"},
        "current_section": {"type": "integer", "minimum": 0},
        "sections": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Section titles (a guide-only session: its steps)",
        },
        "language": {"type": "string"},
        "roster": {"type": ["array", "null"], "items": {"type": "string"}},
        "participants": {"type": "integer"},
        "submitted": {"type": "integer"},
    },
}
_LAUNCH = {
    "type": "object",
    "required": ["course"],
    "description": "Exactly one of lesson, quiz, guide.",
    "properties": {
        "course": {"type": "string"},
        "lesson": {"type": "string"},
        "quiz": {"type": "string"},
        "guide": {"type": "string"},
        "pacing": {"enum": ["teacher", "self"], "default": "teacher"},
        "review": {
            "type": "boolean",
            "default": True,
            "description": "Students see scores and explanations after submitting",
        },
        "roster": {
            "type": "array",
            "items": {"type": "string"},
            "maxItems": 200,
            "description": "Names the students tap instead of typing a nickname",
        },
        "language": {"type": "string", "description": "One of the course's languages"},
        "mode": {
            "enum": ["contest"],
            "description": "contest: the quiz question by question "
            "on the projector (POST /api/v1/sessions/{id}/contest)",
        },
        "seconds": {
            "type": "integer",
            "minimum": 0,
            "maximum": 3600,
            "default": 20,
            "description": "Contest: seconds per question; 0 = until the teacher closes",
        },
        "leaderboard": {
            "type": "boolean",
            "default": False,
            "description": "Contest: show a leaderboard after each reveal",
        },
    },
}
_CONTROLS = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": False,
    "properties": {
        "current_section": {
            "type": "integer",
            "minimum": 0,
            "description": "The section teacher-paced tablets show",
        },
        "quiz_open": {"type": "boolean"},
        "joining_open": {"type": "boolean"},
        "review": {"type": "boolean"},
    },
}
_RESULTS = {
    "type": "object",
    "required": ["participants", "questions"],
    "properties": {
        "participants": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "score", "max_score", "submitted", "answers"],
                "properties": {
                    "id": {"type": "integer", "description": "The seat's id in this session"},
                    "name": {"type": "string"},
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "submitted": {"type": "boolean"},
                    "answers": {
                        "type": "object",
                        "description": "question id → response as sent",
                        "additionalProperties": True,
                    },
                    "scores": {
                        "type": "object",
                        "description": "question id → points earned, scored when saved",
                        "additionalProperties": {"type": "number"},
                    },
                },
            },
        },
        "questions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "type", "prompt", "points"],
                "description": "The quiz's questions with their answer keys (teachers only)",
            },
        },
    },
}
_LIVE = {
    "type": "object",
    "required": ["session", "joined", "online", "submitted", "students", "questions", "guides"],
    "properties": {
        "joined": {"type": "integer"},
        "online": {"type": "integer", "description": "Tablets heard from in the last 75 s"},
        "submitted": {"type": "integer"},
        "students": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "id",
                    "name",
                    "section",
                    "answered",
                    "correct",
                    "submitted",
                    "score",
                    "max_score",
                    "ticks",
                    "online",
                ],
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "section": {
                        "type": "integer",
                        "description": "Teacher-paced: the teacher's; else the student's",
                    },
                    "answered": {"type": "integer"},
                    "correct": {"type": "integer", "description": "Answers with full points"},
                    "submitted": {"type": "boolean"},
                    "score": {"type": ["number", "null"], "description": "Set at submission"},
                    "max_score": {"type": ["number", "null"]},
                    "ticks": {"type": "integer", "description": "Guide steps ticked done"},
                    "online": {"type": "boolean"},
                },
            },
        },
        "questions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "id",
                    "type",
                    "prompt",
                    "points",
                    "graded",
                    "answered",
                    "correct",
                    "share_correct",
                    "most_common_wrong",
                ],
                "properties": {
                    "id": {"type": "string"},
                    "type": {"type": "string"},
                    "prompt": {"type": "string"},
                    "points": {"type": "number"},
                    "graded": {"type": "boolean"},
                    "answered": {"type": "integer"},
                    "correct": {"type": "integer"},
                    "share_correct": {"type": ["number", "null"]},
                    "most_common_wrong": {
                        "type": ["object", "null"],
                        "properties": {
                            "response": {},
                            "label": {"type": "string"},
                            "count": {"type": "integer"},
                        },
                    },
                },
            },
        },
        "guides": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "steps": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "title": {"type": "string"},
                                "done": {"type": "integer"},
                            },
                        },
                    },
                },
            },
        },
    },
}
_ETAG = {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}}
_NOT_MODIFIED = {"304": {"description": "Nothing changed since the ETag sent"}}

OPENAPI_PATHS = {
    "/api/v1/sessions": {
        "post": {
            "summary": "Launch a lesson, a quiz or a guide in class", "tags": ["sessions"],
            "security": _AUTH,
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": _LAUNCH}}},
            "responses": {"201": _json("The new session (id, code, join_url, state)", _STATE),
                          "400": _ERR, "401": _ERR, "403": _ERR, "404": _ERR, "413": _ERR},
        },
        "get": {
            "summary": "My class sessions, newest first (an admin: everyone's)",
            "tags": ["sessions"], "security": _AUTH,
            "parameters": [{"name": "state", "in": "query",
                            "schema": {"enum": ["open", "ended"]}}],
            "responses": {"200": _json("sessions", {"type": "array", "items": {"type": "object"}}),
                          "400": _ERR, "401": _ERR, "403": _ERR},
        },
    },
    "/api/v1/sessions/{id}": {
        "get": {"summary": "A session's state", "tags": ["sessions"], "security": _AUTH,
                "parameters": [_ID, _ETAG],
                "responses": {"200": _json("the state", _STATE), **_NOT_MODIFIED, **_REFUSALS}},
        "patch": {
            "summary": "Teacher controls: section shown, quiz open, joining open, review",
            "tags": ["sessions"], "security": _AUTH, "parameters": [_ID],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": _CONTROLS}}},
            "responses": {"200": _json("the new state (version bumped)", _STATE), "400": _ERR,
                          **_REFUSALS, "409": _ERR},
        },
        "delete": {"summary": "Delete the session and all its students' data",
                   "tags": ["sessions"], "security": _AUTH, "parameters": [_ID],
                   "responses": {"204": {"description": "deleted"}, **_REFUSALS}},
    },
    "/api/v1/sessions/{id}/end": {
        "post": {"summary": "End the session: closes joining and answering (idempotent)",
                 "tags": ["sessions"], "security": _AUTH, "parameters": [_ID],
                 "responses": {"200": _json("the ended state", _STATE), **_REFUSALS}},
    },
    "/api/v1/sessions/{id}/live": {
        "get": {"summary": "Live dashboard: students, sections, per-question stats, guide ticks",
                "description": "Poll with If-None-Match; an unchanged dashboard answers 304.",
                "tags": ["sessions"], "security": _AUTH, "parameters": [_ID, _ETAG],
                "responses": {"200": _json("the dashboard", _LIVE), **_NOT_MODIFIED,
                              **_REFUSALS}},
    },
    "/api/v1/sessions/{id}/results": {
        "get": {"summary": "Results: each student's score and answers", "tags": ["results"],
                "security": _AUTH, "parameters": [_ID, _ETAG],
                "responses": {"200": _json("the results", _RESULTS), **_NOT_MODIFIED,
                              **_REFUSALS}},
        "delete": {"summary": "Delete the session's students, answers and ticks",
                   "tags": ["results"], "security": _AUTH, "parameters": [_ID],
                   "responses": {"204": {"description": "deleted"}, **_REFUSALS}},
    },
    "/api/v1/sessions/{id}/results.csv": {
        "get": {"summary": "Results as CSV (UTF-8 with BOM, for Excel)", "tags": ["results"],
                "security": _AUTH,
                "parameters": [_ID, {"name": "labels", "in": "query", "schema": {"type": "boolean"},
                                     "description": "1: the teacher's sheet (translated column "
                                                    "titles, option text instead of indices)"}],
                "responses": {"200": {"description": "CSV: name, score, max_score, submitted, "
                                                     "then one column per question id with the "
                                                     "response as submitted (text as is, other "
                                                     "values as JSON)",
                                      "content": {"text/csv": {"schema": {"type": "string"}}}},
                              **_REFUSALS}},
    },
}  # fmt: skip
