"""Shuffled orders are seeded with the server's secret key, and every wrong order is as likely.

Issue 10, finding 1: the order was once seeded with sha256 of the token's hash, so a student
who knew their own token could recompute the order and read off the correct one.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import random

import pytest

from kepu_server.quiz.types import shuffled_items
from kepu_server.tokens import hash_token
from tests.conftest import TEST_PLUGIN
from tests.student_support import launch, seat

ITEMS = ["冰", "水", "水蒸气"]


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


def old_formula(token: str, question_id: str) -> list[str]:
    """The order as the server once drew it, from what a student knows."""
    seed = f"{hash_token(token)[:16]}:{question_id}"
    order = list(ITEMS)
    random.Random(hashlib.sha256(seed.encode()).digest()).shuffle(order)
    if order == ITEMS:
        order = order[1:] + order[:1]
    return order


def test_the_token_and_ids_do_not_give_the_order_the_secret_does(app, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")
    key = app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    recomputed = 0
    for i in range(12):
        student = seat(app.test_client(), session["code"], f"学生{i}")
        headers = student["headers"]
        quiz = app.test_client().get("/api/v1/me/quiz", headers=headers).get_json()
        items = next(q["items"] for q in quiz["questions"] if q["id"] == "q6")
        pid = student["participant"]["id"]
        message = f"shuffle\0{pid}\0q6".encode()
        secret_seed = hmac.new(key, message, hashlib.sha256).digest()
        assert items == shuffled_items(ITEMS, secret_seed)  # the server's own draw
        recomputed += items == old_formula(student["token"], "q6")
    # With 5 wrong orders a wrong guess matches 1 time in 5 by chance, never 12 times in 12.
    assert recomputed < 12


def seeds(n: int):
    key = b"a fixed test key"
    return [hmac.new(key, f"seat{i}".encode(), hashlib.sha256).digest() for i in range(n)]


def test_every_wrong_order_of_three_items_is_equally_likely_and_the_right_one_never():
    n = 3000
    counts = {p: 0 for p in itertools.permutations(ITEMS)}
    for seed in seeds(n):
        counts[tuple(shuffled_items(ITEMS, seed))] += 1
    assert counts.pop(tuple(ITEMS)) == 0
    expected = n / 5
    chi_square = sum((c - expected) ** 2 / expected for c in counts.values())
    assert chi_square < 18.5, counts  # 4 degrees of freedom, p ~ 0.001


def test_two_items_come_in_both_orders_about_half_the_time():
    shown = [tuple(shuffled_items(["先", "后"], seed)) for seed in seeds(2000)]
    assert 900 < shown.count(("先", "后")) < 1100


def test_quiz_question_order_is_seeded_with_the_secret(app, teacher):
    from kepu_server.views.student_state import seat_seed

    with app.app_context():
        first = seat_seed({"id": 1}, "order:")
        app.config["SECRET_KEY"] = "another key"
        assert seat_seed({"id": 1}, "order:") != first
