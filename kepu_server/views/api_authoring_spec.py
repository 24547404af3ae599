"""OpenAPI description of the authoring API (``views/api_authoring.py`` exposes it)."""

from __future__ import annotations

_ERR = {"$ref": "#/components/responses/Error"}
_AUTH = [{"bearer": []}, {"cookie": []}]
_REFUSALS = {"401": _ERR, "403": _ERR, "404": _ERR}
_COURSE = {"name": "course", "in": "path", "required": True, "schema": {"type": "string"}}
_LANG = {"name": "translation", "in": "query", "schema": {"type": "string"},
         "description": "Write the translation file (e.g. lessons/<id>.en.md) instead"}  # fmt: skip
_IF_MATCH = {"name": "If-Match", "in": "header", "schema": {"type": "string"},
             "description": "The file's version as read; 409 when it changed since "
                            "(or send 'version' in the body; 'new' for a file that must not exist)"}  # fmt: skip
_PROBLEMS = {"description": "Not saved: the course would be invalid; error.problems lists "
                            "{file, line, message}",
             "content": {"application/json": {"schema": {"type": "object"}}}}  # fmt: skip
_SAVED = {"description": "Saved: {path, version}",
          "content": {"application/json": {"schema": {"type": "object", "properties": {
              "path": {"type": "string"}, "version": {"type": "string"}}}}}}  # fmt: skip
_OBJECT = {"content": {"application/json": {"schema": {"type": "object"}}}}
_FILE = {"content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file"],
         "properties": {"file": {"type": "string", "format": "binary"},
                        "format": {"enum": ["gift", "aiken", "xlsx", "csv"]},
                        "quiz": {"type": "string"}, "title": {"type": "string"}}}}}}  # fmt: skip


def _json(description: str) -> dict:
    return {"description": description, **_OBJECT}


def _item(word: str, body: str) -> dict:
    param = {"name": word, "in": "path", "required": True, "schema": {"type": "string"}}
    return {
        "put": {"summary": f"Create or replace a {word} ({body})", "tags": ["authoring"],
                "security": _AUTH, "parameters": [_COURSE, param, _LANG, _IF_MATCH],
                "requestBody": {"required": True, **_OBJECT},
                "responses": {"200": _SAVED, "201": _SAVED, "400": _ERR, **_REFUSALS,
                              "409": _ERR, "413": _ERR, "422": _PROBLEMS}},
        "delete": {"summary": f"Delete a {word} (with its translations unless lang is given)",
                   "tags": ["authoring"], "security": _AUTH,
                   "parameters": [_COURSE, param, _LANG, _IF_MATCH],
                   "responses": {"204": {"description": "Deleted"}, **_REFUSALS, "409": _ERR,
                                 "422": _PROBLEMS}},
    }  # fmt: skip


_BASE = "/api/v1/authoring/courses"
OPENAPI_PATHS = {
    _BASE: {
        "get": {
            "summary": "My authored courses (an admin: all)",
            "tags": ["authoring"],
            "security": _AUTH,
            "responses": {
                "200": {
                    "description": "[{id, title, served}]",
                    "content": {
                        "application/json": {
                            "schema": {"type": "array", "items": {"type": "object"}}
                        }
                    },
                },
                "401": _ERR,
                "403": _ERR,
            },
        },
        "post": {
            "summary": "Create a course: {id, title, grades, language, summary} or "
            "{id, copy_from} (a copy of any served course)",
            "tags": ["authoring"],
            "security": _AUTH,
            "requestBody": {"required": True, **_OBJECT},
            "responses": {
                "201": _json("The new course's files"),
                "400": _ERR,
                **_REFUSALS,
                "409": _ERR,
                "422": _PROBLEMS,
            },
        },
    },
    _BASE + "/{course}": {
        "get": {
            "summary": "The course's files as the editors need them, each with its version",
            "tags": ["authoring"],
            "security": _AUTH,
            "parameters": [_COURSE],
            "responses": {
                "200": _json("course.toml, lessons, quizzes, guides, media"),
                **_REFUSALS,
            },
        },
        "put": {
            "summary": "Change course.toml: title, grades, language, summary, translations",
            "tags": ["authoring"],
            "security": _AUTH,
            "parameters": [_COURSE, _IF_MATCH],
            "requestBody": {"required": True, **_OBJECT},
            "responses": {"200": _SAVED, "400": _ERR, **_REFUSALS, "409": _ERR, "422": _PROBLEMS},
        },
        "delete": {
            "summary": "Delete the authored course (its pack)",
            "tags": ["authoring"],
            "security": _AUTH,
            "parameters": [_COURSE],
            "responses": {"204": {"description": "Deleted"}, **_REFUSALS},
        },
    },
    _BASE + "/{course}/lessons/{lesson}": _item("lesson", "{meta, body}"),
    _BASE + "/{course}/quizzes/{quiz}": _item("quiz", "the quiz file's fields as JSON"),
    _BASE + "/{course}/guides/{guide}": _item("guide", "{meta, body}"),
    _BASE + "/{course}/media": {
        "post": {
            "summary": "Upload an image (PNG, JPEG; SVG sanitised) -> {path} for Markdown",
            "tags": ["authoring"],
            "security": _AUTH,
            "parameters": [_COURSE],
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {"file": {"type": "string", "format": "binary"}},
                        }
                    }
                },
            },
            "responses": {
                "201": _json("{path, url}"),
                "400": _ERR,
                **_REFUSALS,
                "413": _ERR,
                "415": _ERR,
            },
        },
    },
    _BASE + "/{course}/import": {
        "post": {
            "summary": "Import GIFT, Aiken, .xlsx or .csv questions into a quiz",
            "tags": ["authoring"],
            "security": _AUTH,
            "parameters": [_COURSE],
            "requestBody": {"required": True, **_FILE},
            "responses": {
                "201": _json("{quiz, imported, skipped: [{line, reason}]}"),
                "400": _ERR,
                **_REFUSALS,
                "422": _PROBLEMS,
            },
        },
    },
    _BASE + "/{course}/export": {
        "get": {
            "summary": "The course as a content-pack zip",
            "tags": ["authoring"],
            "security": _AUTH,
            "parameters": [_COURSE],
            "responses": {
                "200": {
                    "description": "zip",
                    "content": {
                        "application/zip": {"schema": {"type": "string", "format": "binary"}}
                    },
                },
                **_REFUSALS,
            },
        },
    },
    "/api/v1/authoring/preview": {
        "post": {
            "summary": "Render Markdown as the server does ({markdown, course, sections})",
            "tags": ["authoring"],
            "security": _AUTH,
            "requestBody": {"required": True, **_OBJECT},
            "responses": {"200": _json("{html, sections}"), "400": _ERR, "401": _ERR, "403": _ERR},
        },
    },
    "/api/v1/authoring/template.{format}": {
        "get": {
            "summary": "The blank question spreadsheet (xlsx or csv)",
            "tags": ["authoring"],
            "security": _AUTH,
            "parameters": [
                {
                    "name": "format",
                    "in": "path",
                    "required": True,
                    "schema": {"enum": ["xlsx", "csv"]},
                }
            ],
            "responses": {"200": {"description": "the template file"}, **_REFUSALS},
        },
    },
}


# Every id in a path is checked before anything else: a malformed one is a 400 (bad_request).
for _path, _ops in OPENAPI_PATHS.items():
    if "{" in _path:
        for _op in _ops.values():
            _op["responses"].setdefault("400", _ERR)
