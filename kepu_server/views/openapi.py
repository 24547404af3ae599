"""``/api/v1/openapi.json``: OpenAPI 3.1, assembled from each API module's ``OPENAPI_PATHS``."""

from __future__ import annotations

from flask import Blueprint

from kepu_server.version import __version__
from kepu_server.views.common import conditional_json

bp = Blueprint("openapi", __name__)

COMPONENTS = {
    "securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer",
                   "description": "A teacher's API token (kepu users token) or a student's "
                                  "participant token from POST /api/v1/join"},
        "cookie": {"type": "apiKey", "in": "cookie", "name": "kepu_session"},
    },
    "schemas": {
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
        "Health": {"type": "object", "required": ["status", "version"],
                   "properties": {"status": {"const": "ok"}, "version": {"type": "string"}}},
        "Course": {"type": "object", "required": ["id", "title", "plugin", "grades", "lessons"],
                   "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                                  "plugin": {"type": ["string", "null"]},
                                  "grades": {"type": "array", "items": {"type": "string"}},
                                  "lessons": {"type": "integer"}}},
        "Lesson": {"type": "object",
                   "required": ["id", "title", "grades", "minutes", "objectives", "quiz",
                                "guides", "sections"],
                   "properties": {"sections": {"type": "array", "items": {
                       "type": "object", "properties": {"title": {"type": "string"},
                                                        "html": {"type": "string"}}}}}},
        "Plugin": {"type": "object",
                   "required": ["name", "version", "source", "status", "error", "courses"],
                   "properties": {"source": {"enum": ["bundled", "pip", "folder", "pack"]},
                                  "status": {"enum": ["ok", "failed", "disabled"]}}},
    },
    "responses": {
        "Error": {"description": "An error",
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    },
}  # fmt: skip


# Paths whose failed guesses are counted (security.py): past the limit they answer 429.
RATE_LIMITED = frozenset({"/api/v1/join"})


def build_spec() -> dict:
    from kepu_server.views import VIEW_MODULES

    paths: dict = {}
    for module in VIEW_MODULES:
        for path, operations in getattr(module, "OPENAPI_PATHS", {}).items():
            paths.setdefault(path, {}).update(operations)
    error = {"$ref": "#/components/responses/Error"}
    for path, operations in paths.items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if method in ("post", "put", "delete", "patch"):
                # A full disk or a locked database (web_errors.py): 503 with Retry-After.
                responses.setdefault("503", error)
            if path in RATE_LIMITED:
                responses.setdefault("429", error)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Kepu Server API", "version": __version__,
                 "description": "The JSON API of a Kepu Server: courses, class sessions, "
                                "students' answers and results."},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": COMPONENTS,
    }  # fmt: skip


OPENAPI_PATHS = {
    "/api/v1/openapi.json": {"get": {
        "summary": "This document (OpenAPI 3.1)", "tags": ["meta"],
        "responses": {"200": {"description": "the OpenAPI document",
                              "content": {"application/json": {"schema": {"type": "object"}}}},
                      "304": {"description": "unchanged (If-None-Match)"}}}},
}  # fmt: skip


@bp.get("/api/v1/openapi.json")
def openapi():
    return conditional_json(build_spec())


def init_app(app) -> None:
    app.register_blueprint(bp)
