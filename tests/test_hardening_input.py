"""Hostile request bodies: nested too deep to parse is a 400 JSON error, never a 500."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PLUGIN
from tests.student_support import launch, seat


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


def deep_array(depth: int) -> str:
    return "[" * depth + "]" * depth


def deep_in(field: str, depth: int, **others) -> str:
    head = "".join(f'"{k}": "{v}", ' for k, v in others.items())
    return "{" + head + f'"{field}": ' + deep_array(depth) + "}"


@pytest.mark.parametrize("depth", [5000, 900])
def test_deep_json_is_400_on_every_json_endpoint(app, teacher, depth):
    client = app.test_client()
    session = launch(app, teacher, quiz_id="water-quiz")
    student = seat(app.test_client(), session["code"], "小明")
    json_type = {"Content-Type": "application/json"}
    bearer = {"Authorization": f"Bearer {teacher['token']}", **json_type}
    pupil = {**student["headers"], **json_type}
    calls = [
        ("post", "/api/v1/join", deep_array(depth), json_type),
        ("post", "/api/v1/join", deep_in("name", depth, code=session["code"]), json_type),
        ("post", "/api/v1/sessions", deep_in("course", depth), bearer),
        ("put", "/api/v1/me/answers/q1", deep_in("response", depth), pupil),
        ("put", "/api/v1/me/section", deep_in("section", depth), pupil),
    ]
    for method, path, body, headers in calls:
        response = getattr(client, method)(path, data=body, headers=headers)
        assert response.status_code == 400, (path, response.status_code)
        assert response.get_json()["error"]["code"] == "bad_json"
