"""The API keeps its OpenAPI document true; a seeded schemathesis run checks it end to end."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PLUGIN
from tests.student_support import launch, seat


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


def test_405_carries_allow(client):
    response = client.delete("/api/v1/health")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/api/v1/courses", "/api/v1/courses/test-course",
                                  "/api/v1/courses/test-course/lessons/water"])  # fmt: skip
@pytest.mark.parametrize("lang", ["xx", "", "ZH", "en-US"])
def test_a_lang_outside_the_enum_is_400(client, path, lang):
    response = client.get(path, query_string={"lang": lang})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_lang"
    assert client.get(path, query_string={"lang": "en"}).status_code == 200


@pytest.mark.parametrize("state", ["", "junk"])
def test_a_state_outside_the_enum_is_400(client, teacher, state):
    response = client.get("/api/v1/sessions", query_string={"state": state},
                          headers={"Authorization": f"Bearer {teacher['token']}"})  # fmt: skip
    assert response.status_code == 400


def test_a_seat_cookie_on_a_teacher_write_is_401(app, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")
    tablet = app.test_client()
    seat(tablet, session["code"], "小明")  # the join sets the seat cookie on this client
    response = tablet.post(f"/api/v1/sessions/{session['id']}/end")
    assert response.status_code == 401, response.get_json()
    response = tablet.post("/api/v1/sessions", json={"course": "test-course", "quiz": "water-quiz"})
    assert response.status_code == 401


def test_every_status_answered_here_is_in_the_document(app, client, teacher):
    spec = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "400" in spec["/api/v1/sessions"]["get"]["responses"]
    assert "403" in spec["/api/v1/plugins"]["get"]["responses"]
    assert "403" in spec["/api/v1/courses/{course}/quizzes/{quiz}"]["get"]["responses"]
    session = launch(app, teacher, quiz_id="water-quiz")
    pupil = seat(app.test_client(), session["code"], "小红")["headers"]
    assert app.test_client().get("/api/v1/plugins", headers=pupil).status_code == 403
    quiz = app.test_client().get("/api/v1/courses/test-course/quizzes/water-quiz", headers=pupil)
    assert quiz.status_code == 403


EXAMPLES = 10  # per operation and generation mode


def test_a_seeded_schemathesis_run_finds_no_5xx_and_no_contradiction(app, teacher, live_server):
    """Property-based requests from /api/v1/openapi.json over a real server (bounded, seeded)."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_headers_conformance, response_schema_conformance]  # fmt: skip
    session = launch(app, teacher, quiz_id="water-quiz")
    pupil = seat(app.test_client(), session["code"], "小明")["headers"]
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    schema = schemathesis.openapi.from_dict(spec)
    failures, calls = [], []
    operations = [result.ok() for result in schema.get_all_operations()]
    called: set[tuple[str, str, str]] = set()  # (method, path, mode) that made a request

    def run_operation(operation, mode, headers) -> None:
        # 10 examples a mode and operation: most of the time is Hypothesis generating cases
        # (not the server answering), and 10 still reach every operation's 2xx and 4xx.
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def run(case):
            response = case.call(base_url=live_server.url, headers=headers, timeout=10)
            calls.append(response.status_code)
            called.add((operation.method, operation.path, mode.name))
            try:
                case.validate_response(response, checks=checks, headers=headers)
            except Exception as exc:  # noqa: BLE001 - collected, reported together below
                failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:600])

        try:
            run()
        except Unsatisfiable:
            pass  # no negative case exists for an operation without inputs

    for operation in operations:
        student = operation.path.startswith("/api/v1/me") or operation.path == "/api/v1/join"
        headers = pupil if student else {"Authorization": f"Bearer {teacher['token']}"}
        for mode in GenerationMode:
            run_operation(operation, mode, headers)
    assert not failures, "\n\n".join(failures[:10])
    assert len(calls) > 4 * len(operations) and any(200 <= status < 300 for status in calls)
    # Every operation in the document was really requested with valid input; every one that
    # takes input, with invalid input too.
    missed = [(op.method, op.path) for op in operations
              if (op.method, op.path, "POSITIVE") not in called]  # fmt: skip
    assert not missed, missed
    takes_input = [op for op in operations if list(op.iter_parameters()) or op.body]
    missed = [(op.method, op.path) for op in takes_input
              if (op.method, op.path, "NEGATIVE") not in called]  # fmt: skip
    assert not missed, missed
