"""OpenAPI 3.1 description of the student API (merged into ``/api/v1/openapi.json``)."""

from __future__ import annotations

_ERR = {"$ref": "#/components/responses/Error"}
_STUDENT = [{"bearer": []}, {"cookie": []}]
_AUTH_ERRORS = {"401": _ERR, "403": _ERR, "409": _ERR}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _ok(description: str, schema: dict | None = None) -> dict:
    return {"200": {"description": description, **_json(schema or {"type": "object"})}}


def _body(schema: dict) -> dict:
    return {"required": True, **_json(schema)}


_PUBLIC_QUESTION = {
    "type": "object",
    "required": ["id", "type", "prompt", "points", "response"],
    "description": "A question as a student may see it: the type's public fields (e.g. "
    "`options`, `items` shuffled per participant, `unit`) plus `response`, the student's own "
    "saved answer or null. Never `answer`, `answers`, `accept` or `explain`.",
    "properties": {
        "id": {"type": "string"},
        "type": {"type": "string"},
        "prompt": {"type": "string", "description": "sanitised HTML"},
        "points": {"type": "number"},
        "response": {},
        "order": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "only with the quiz's `shuffle_options`: `options` are in this "
            "seat's order and `order[i]` is the index in the quiz file of the i-th option "
            "shown; the response names options by that file index",
        },
    },
}
_SUBMISSION = {
    "type": "object",
    "required": ["submitted", "score", "max_score", "review"],
    "properties": {
        "submitted": {"const": True},
        "submitted_at": {"type": "string"},
        "score": {"type": "number"},
        "max_score": {"type": "number"},
        "review": {"type": "boolean"},
        "questions": {
            "type": "array",
            "description": "only when the session's `review` is on",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "correct": {"type": ["boolean", "null"]},
                    "score": {"type": "number"},
                    "points": {"type": "number"},
                    "answered": {"type": "boolean"},
                    "explain": {"type": "string", "description": "HTML"},
                },
            },
        },
    },
}

OPENAPI_PATHS = {
    "/api/v1/join": {
        "post": {
            "summary": "Join a class session with its 6-digit code and a nickname",
            "description": "Returns a participant token (`p_...`) to send as "
            "`Authorization: Bearer`; also set as an HttpOnly cookie for the /me page. "
            "Send `token` (or the bearer header) to get the same seat back on this device. "
            "Failed code guesses are rate-limited per address (429); successful joins never.",
            "tags": ["student"],
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["code", "name"],
                    "properties": {
                        "code": {"type": "string", "pattern": "^[0-9]{6}$"},
                        "name": {"type": "string", "maxLength": 40},
                        "token": {"type": "string", "description": "a seat held already"},
                    },
                }
            ),
            "responses": {
                "200": {
                    "description": "joined (`rejoined` is true when this device got its seat back)",
                    **_json(
                        {
                            "type": "object",
                            "required": ["token", "session", "participant"],
                            "properties": {
                                "token": {"type": "string", "pattern": "^p_"},
                                "session": {"type": "object"},
                                "participant": {"type": "object"},
                                "rejoined": {"type": "boolean"},
                            },
                        }
                    ),
                },
                "400": _ERR,
                "403": _ERR,
                "404": _ERR,
                "409": {
                    "description": "the name is taken; `error.suggestion` offers a free one",
                    **_json({"$ref": "#/components/schemas/Error"}),
                },
                "413": _ERR,
                "429": _ERR,
            },
        }
    },
    "/api/v1/me": {
        "get": {
            "summary": "The student's view of the session (poll with If-None-Match)",
            "description": "Course and lesson titles, pacing, the section shown "
            "(`section: {index, title, html}`: the teacher's in teacher-paced sessions, the "
            "student's own in self-paced ones), whether the quiz is open, the guides with "
            "their steps and the student's ticks, `submitted`, `version`. 304 when the ETag "
            "matches.",
            "tags": ["student"],
            "security": _STUDENT,
            "responses": {**_ok("the state"), "304": {"description": "unchanged"}, **_AUTH_ERRORS},
        }
    },
    "/api/v1/me/quiz": {
        "get": {
            "summary": "The open quiz, without answers or explanations",
            "tags": ["student"],
            "security": _STUDENT,
            "responses": {
                **_ok(
                    "the quiz",
                    {
                        "type": "object",
                        "required": ["id", "title", "questions"],
                        "properties": {
                            "id": {"type": "string"},
                            "title": {"type": "string"},
                            "submitted": {"type": "boolean"},
                            "questions": {"type": "array", "items": _PUBLIC_QUESTION},
                            "result": _SUBMISSION,
                        },
                    },
                ),
                "404": _ERR,
                **_AUTH_ERRORS,
            },
        }
    },
    "/api/v1/me/answers/{question}": {
        "put": {
            "summary": "Save one answer (idempotent; the last write wins)",
            "description": "409 after submission, when the quiz is closed or the session "
            "ended; 400 for a malformed response; 404 for an unknown question. Nothing is "
            "stored on an error. The response never says whether the answer is right.",
            "tags": ["student"],
            "security": _STUDENT,
            "parameters": [
                {"name": "question", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "requestBody": _body(
                {"type": "object", "required": ["response"], "properties": {"response": {}}}
            ),
            "responses": {
                **_ok("saved"),
                "400": _ERR,
                "404": _ERR,
                "413": _ERR,
                **_AUTH_ERRORS,
            },
        }
    },
    "/api/v1/me/submit": {
        "post": {
            "summary": "Hand in the quiz (idempotent)",
            "description": "`{score, max_score}`; per-question `correct` and `explain` only "
            "when the session's `review` is on.",
            "tags": ["student"],
            "security": _STUDENT,
            "responses": {**_ok("submitted", _SUBMISSION), "404": _ERR, **_AUTH_ERRORS},
        }
    },
    "/api/v1/me/section": {
        "put": {
            "summary": "Move to another section of the lesson (self-paced sessions)",
            "tags": ["student"],
            "security": _STUDENT,
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["section"],
                    "properties": {"section": {"type": "integer", "minimum": 0}},
                }
            ),
            "responses": {**_ok("moved"), "400": _ERR, "404": _ERR, **_AUTH_ERRORS},
        }
    },
    "/api/v1/me/guides/{guide}/steps/{step}": {
        "put": {
            "summary": "Tick a guide step done (or not); `step` counts from 0",
            "tags": ["student"],
            "security": _STUDENT,
            "parameters": [
                {"name": "guide", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "step", "in": "path", "required": True, "schema": {"type": "integer"}},
            ],
            "requestBody": _body(
                {
                    "type": "object",
                    "required": ["done"],
                    "properties": {"done": {"type": "boolean"}},
                }
            ),
            "responses": {**_ok("ticked"), "400": _ERR, "404": _ERR, **_AUTH_ERRORS},
        }
    },
}
