"""A throwaway seat is no answer oracle: explanations come once answering is over for all."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PLUGIN
from tests.student_support import change, launch, seat


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


def explained(body) -> bool:
    return any(item.get("explain") for item in body.get("questions", []) or [])


def test_a_second_seat_that_hands_in_at_once_learns_no_explanation(app, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")  # review defaults to on
    honest = seat(app.test_client(), session["code"], "小明")
    client = app.test_client()
    throwaway = seat(client, session["code"], "小明2")
    submitted = client.post("/api/v1/me/submit", headers=throwaway["headers"]).get_json()
    assert submitted["review"] is True and submitted["review_waiting"] is True
    assert "questions" not in submitted and not explained(submitted)
    quiz = client.get("/api/v1/me/quiz", headers=throwaway["headers"]).get_json()
    assert not explained(quiz["result"])
    page = client.get("/me").get_data(as_text=True)
    assert "review-item" not in page and 'class="review-wait" data-review-waiting' in page
    # The honest seat is still answering; once the teacher closes the quiz, all may review.
    assert client.get("/api/v1/me", headers=honest["headers"]).status_code == 200
    change(app, session["id"], quiz_open=0)
    after = client.get("/api/v1/me/quiz", headers=throwaway["headers"]).get_json()["result"]
    assert after["review_waiting"] is False and explained(after)
    assert "review-item" in client.get("/me").get_data(as_text=True)


def test_ending_the_class_opens_the_review_on_the_ended_page(app, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")
    client = app.test_client()
    student = seat(client, session["code"], "小红")
    client.post("/api/v1/me/submit", headers=student["headers"])
    assert "review-item" not in client.get("/me").get_data(as_text=True)
    change(app, session["id"], state="ended")
    assert "review-item" in client.get("/me").get_data(as_text=True)


def test_review_off_shows_nothing_even_after_closing(app, teacher):
    session = launch(app, teacher, quiz_id="water-quiz", review=False)
    client = app.test_client()
    student = seat(client, session["code"], "小刚")
    client.post("/api/v1/me/submit", headers=student["headers"])
    change(app, session["id"], quiz_open=0)
    result = client.get("/api/v1/me/quiz", headers=student["headers"]).get_json()["result"]
    assert not explained(result) and result["review_waiting"] is False
