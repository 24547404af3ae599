"""A careless plugin type whose ``public`` returns its whole spec still leaks no key.

``public_question`` strips every answer-carrying key (``quiz/scoring.SECRET_KEYS``) at any
depth, whatever a plugin returns. The core types never return those keys, so only a plugin
like this one shows the stripping works: the sweep below looks for the key names *and* for
their values in everything a student's tablet receives before handing in.
"""

from __future__ import annotations

import json

import pytest

from kepu_server.security import PARTICIPANT_COOKIE
from tests.student_support import launch, leaks, leaky_course, seat

SPEC_SECRETS = {"answer": "MAGMA-7731", "accept": ["OBSIDIAN-4402"],
                "solution": "PUMICE-9913", "correct": "BASALT-5520"}  # fmt: skip
EXPLAIN = "EXPLAIN-TUFF-6604"

QUIZ = f"""id = "rocks-quiz"
title = "Rocks"

[[questions]]
id = "r1"
type = "leaky"
prompt = "Name the rock."
explain = "{EXPLAIN}"
answer = "{SPEC_SECRETS["answer"]}"
accept = {json.dumps(SPEC_SECRETS["accept"])}
solution = "{SPEC_SECRETS["solution"]}"
correct = "{SPEC_SECRETS["correct"]}"
"""


@pytest.fixture
def app_config(app_config, tmp_path):
    with leaky_course(app_config, tmp_path, "rocks", "rocks-quiz", QUIZ) as config:
        yield config


def test_a_plugin_public_that_returns_everything_leaks_no_key_name_or_value(app, teacher):
    assert app.extensions["kepu"].catalog.course("rocks").quizzes["rocks-quiz"]
    session = launch(app, teacher, course="rocks", quiz_id="rocks-quiz")
    kid = seat(app.test_client(), session["code"], "Ana")
    client = app.test_client()
    client.set_cookie(PARTICIPANT_COOKIE, kid["token"])
    seen = [
        client.get("/me").get_data(as_text=True),  # the tablet page with the open quiz
        client.get("/api/v1/me", headers=kid["headers"]).get_data(as_text=True),
        client.get("/api/v1/me/quiz", headers=kid["headers"]).get_data(as_text=True),
        client.put(
            "/api/v1/me/answers/r1", json={"response": "granite"}, headers=kid["headers"]
        ).get_data(as_text=True),  # fmt: skip
        client.post("/api/v1/me/submit", headers=kid["headers"]).get_data(as_text=True),
        client.get("/me").get_data(as_text=True),  # handed in, the review still waiting
    ]
    assert "Name the rock." in seen[0]  # the page really shows the quiz
    quiz = json.loads(seen[2])
    question = quiz["questions"][0]
    assert question["nested"] == {"ok": 1}  # the plugin's own harmless field survives
    for key in ("answer", "answers", "accept", "explain", "solution", "correct"):
        assert key not in question and key not in question["nested"], key
    values = [SPEC_SECRETS["answer"], *SPEC_SECRETS["accept"], SPEC_SECRETS["solution"],
              SPEC_SECRETS["correct"], EXPLAIN]  # fmt: skip
    for text in seen:
        assert not leaks(text, values), leaks(text, values)
