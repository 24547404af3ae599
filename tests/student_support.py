"""Helpers shared by the student tests: launch a session, join it, read the database, wait,
and a careless plugin type over a one-quiz course for the answer-leak sweeps."""

from __future__ import annotations

import contextlib
import json
import sys
import time
import types

from kepu_server import QuestionType, hookimpl
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


def wait_for(predicate, timeout=15.0, what="condition"):
    """Poll ``predicate`` until it returns something true (returned) or ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


# A careless plugin type: its ``public`` returns the whole spec, answer keys and all, plus a
# nested copy of the answer. Only ``public_question``'s stripping stands between it and a child.
LEAKY = QuestionType(
    name="leaky",
    validate=lambda spec: [],
    public=lambda spec: {**spec, "nested": {"answer": spec.get("answer"), "ok": 1}},
    score=lambda spec, response: 1.0 if response == spec["answer"] else 0.0,
)


@hookimpl
def _leaky_question_types(app):
    return [LEAKY]


@contextlib.contextmanager
def leaky_course(app_config: dict, tmp_path, course: str, quiz: str, quiz_text: str):
    """``app_config`` over a content folder holding one course ``course`` (English, middle
    school, titled ``course.title()``) with one quiz ``quiz`` (``quiz_text`` is its TOML),
    and the ``leaky`` type's plugin loaded. Use it in a module's ``app_config`` fixture."""
    plugin = types.ModuleType("kepu_leaky_plugin")
    plugin.kepu_question_types = _leaky_question_types
    sys.modules[plugin.__name__] = plugin
    folder = tmp_path / "content" / course
    (folder / "quizzes").mkdir(parents=True)
    (folder / "course.toml").write_text(
        f'id = "{course}"\ntitle = "{course.title()}"\nlanguage = "en"\ngrades = ["middle"]\n',
        "utf-8",
    )
    (folder / "quizzes" / f"{quiz}.toml").write_text(quiz_text, "utf-8")
    try:
        yield {**app_config, "KEPU_CONTENT": str(tmp_path / "content"),
               "KEPU_EXTRA_PLUGINS": [plugin]}  # fmt: skip
    finally:
        sys.modules.pop(plugin.__name__, None)


def leaks(text: str, values) -> list[str]:
    """What of an answer key shows in one body a tablet received: every answer-carrying key
    name at any depth of a JSON body (``SECRET_KEYS``), and every one of ``values`` (the key's
    own values, as strings) in its text. A page (not JSON) is searched for the values only.

    The seat's own answer comes back to it as the contest question's ``response``: what it
    typed is no leak, so that one field is left out of the search for values.
    """
    try:
        body = json.loads(text)
    except ValueError:
        return [value for value in values if value in text]
    found = secret_keys_in(body)
    question = (body.get("contest") or {}).get("question") if isinstance(body, dict) else None
    if isinstance(question, dict):
        question.pop("response", None)
    text = json.dumps(body, ensure_ascii=False)  # escapes undone: a value shows as itself
    return found + [value for value in values if value in text]
