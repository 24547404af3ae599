"""Helpers shared by the student tests: launch a session, join it, read the database."""

from __future__ import annotations

import json

from kepu_server.classroom.sessions import create_class_session, update_session
from kepu_server.store.db import open_db

# What a right answer looks like for each question of the test plugin's water-quiz.
WATER_RIGHT = {
    "q1": 0, "q2": [0, 2], "q3": True, "q4": 100, "q5": "冰", "q6": ["冰", "水", "水蒸气"],
    "q7": 1, "q8": 200,
}  # fmt: skip
WATER_WRONG = {
    "q1": 1, "q2": [1], "q3": False, "q4": 50, "q5": "水", "q6": ["水", "冰", "水蒸气"],
    "q7": 2, "q8": 1000,
}  # fmt: skip
SECRET_KEYS = {"answer", "answers", "accept", "explain", "solution", "correct"}


def launch(app, teacher, course="test-course", **kwargs) -> dict:
    """A session row, created the way the teacher API does (``create_class_session``)."""
    db = open_db(app.config["KEPU_DATABASE"])
    try:
        found = app.extensions["kepu"].catalog.course(course)
        return create_class_session(db, teacher_id=teacher["id"], course=found, **kwargs)
    finally:
        db.conn.close()


def change(app, session_id: str, **changes) -> dict:
    db = open_db(app.config["KEPU_DATABASE"])
    try:
        return update_session(db, session_id, **changes)
    finally:
        db.conn.close()


def join(client, code: str, name: str, **extra):
    return client.post("/api/v1/join", json={"code": code, "name": name, **extra})


def seat(client, code: str, name: str) -> dict:
    """Join and return ``{"token", "headers", "participant", "session"}``."""
    response = join(client, code, name)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return {**body, "headers": {"Authorization": f"Bearer {body['token']}"}}


def rows(app, sql: str, params=()) -> list[dict]:
    db = open_db(app.config["KEPU_DATABASE"])
    try:
        return [dict(r) for r in db.query(sql, list(params))]
    finally:
        db.conn.close()


def stored_answers(app) -> dict[tuple[int, str], object]:
    return {
        (r["participant_id"], r["question_id"]): json.loads(r["response"])
        for r in rows(app, "SELECT * FROM answers")
    }


def secret_keys_in(value, path="") -> list[str]:
    """Every key that could carry an answer, anywhere in a JSON value."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in SECRET_KEYS:
                found.append(f"{path}.{key}")
            found += secret_keys_in(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += secret_keys_in(item, f"{path}[{i}]")
    return found
