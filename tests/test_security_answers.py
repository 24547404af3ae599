"""Security review: answer keys a careless plugin nests, headers on every response, timing.

This module is also a small plugin (registered with ``KEPU_EXTRA_PLUGINS``): its question
type ``pick`` returns the answer key nested inside its public fields, as a plugin author who
copies the spec's structure might. The core must strip it at any depth.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from kepu_server import QuestionType, hookimpl, load_course_dir
from kepu_server.quiz.scoring import SECRET_KEYS
from tests.student_support import launch, seat, secret_keys_in

QUIZ = """\
id = "leaky-quiz"
title = "Leaky"

[[questions]]
id = "p1"
type = "pick"
prompt = "Pick the wet one"
explain = "Water is wet."
choices = [{ label = "water", correct = true }, { label = "sand", correct = false }]
"""


def _pick_public(spec):
    # Careless on purpose: the nested "correct" flags and an "explain" ride along.
    return {"choices": spec["choices"], "extra": {"explain": spec.get("explain", "")}}


def _pick_score(spec, response):
    if not isinstance(response, str):
        raise ValueError("the response must be a label")
    return 1.0 if any(c["label"] == response and c["correct"] for c in spec["choices"]) else 0.0


PICK = QuestionType("pick", lambda spec: [], _pick_public, _pick_score)


@hookimpl
def kepu_courses(app):
    return [load_course_dir(Path(app.config["LEAKY_COURSE"]))]


@hookimpl
def kepu_question_types(app):
    return [PICK]


@pytest.fixture
def app_config(app_config, tmp_path):
    course = tmp_path / "leaky"
    (course / "quizzes").mkdir(parents=True)
    (course / "course.toml").write_text(
        'id = "leaky"\ntitle = "Leaky"\nlanguage = "en"\ngrades = ["primary"]\n', encoding="utf-8"
    )
    (course / "quizzes" / "leaky-quiz.toml").write_text(QUIZ, encoding="utf-8")
    return {**app_config, "KEPU_EXTRA_PLUGINS": [__name__], "LEAKY_COURSE": str(course)}


def test_regression_nested_answer_keys_from_a_plugin_never_reach_a_student(app, client, teacher):
    session = launch(app, teacher, course="leaky", quiz_id="leaky-quiz")
    student = seat(client, session["code"], "Ann")
    quiz = client.get("/api/v1/me/quiz", headers=student["headers"])
    assert quiz.status_code == 200
    assert secret_keys_in(quiz.get_json()) == []
    assert [c["label"] for c in quiz.get_json()["questions"][0]["choices"]] == ["water", "sand"]
    page = client.get("/me").get_data(as_text=True)
    assert "Water is wet" not in page
    for key in SECRET_KEYS:
        assert not re.search(rf"(&#34;|&quot;|\"){key}(&#34;|&quot;|\")", page), key
    # Scoring still sees the whole spec.
    saved = client.put("/api/v1/me/answers/p1", json={"response": "water"},
                       headers=student["headers"])  # fmt: skip
    assert saved.status_code == 200
    done = client.post("/api/v1/me/submit", headers=student["headers"]).get_json()
    assert done["score"] == done["max_score"] == 1


# ---------------------------------------------------------------- headers on every response


def test_security_headers_on_pages_errors_static_and_plugin_blueprints(app, client):
    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret detail /home/school/instance")

    for url in ("/", "/no-such-page", "/api/v1/no-such", "/static/kepu.css", "/x/ai_startline/knn",
                "/j", "/login"):  # fmt: skip
        response = client.get(url)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"], url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
    failed = client.get("/boom-for-test")
    assert failed.status_code == 500
    assert "script-src 'self'" in failed.headers["Content-Security-Policy"]
    text = failed.get_data(as_text=True)
    assert "secret detail" not in text and "Traceback" not in text
    app.extensions["kepu_unexpected_errors"].clear()  # this 500 was on purpose


def test_course_media_is_sandboxed_and_cannot_be_climbed_out_of(client):
    svg = client.get("/courses/heiyoushan-trip/media/asphalt-mound.svg")
    assert svg.status_code == 200
    assert "sandbox" in svg.headers["Content-Security-Policy"]
    assert "script-src 'self'" not in svg.headers["Content-Security-Policy"]
    for name in ("../course.toml", "..%2fcourse.toml", "%2e%2e/course.toml", "/etc/passwd",
                 "..\\course.toml", "../lessons/heiyoushan-trip.md"):  # fmt: skip
        response = client.get(f"/courses/heiyoushan-trip/media/{name}", follow_redirects=True)
        assert response.status_code == 404, name


# ---------------------------------------------------------------- sign-in timing


def test_regression_an_unknown_name_costs_a_password_hash_too(client, teacher, monkeypatch):
    """Without it, a fast 401 tells anyone on the LAN which teacher names exist."""
    import kepu_server.auth as auth

    calls = []
    real = auth.check_password_hash
    monkeypatch.setattr(auth, "check_password_hash", lambda h, p: calls.append(h) or real(h, p))
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    started = time.perf_counter()
    response = client.post(
        "/login", data={"name": "nobody-here", "password": "whatever 1", "csrf_token": token}
    )
    assert response.status_code == 401
    assert len(calls) == 1, "no password hash was checked for an unknown name"
    assert time.perf_counter() - started < 5
