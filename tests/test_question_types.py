"""The core question types as pure functions: validate, public, score."""

from __future__ import annotations

import pytest

from kepu_server.content.model import Question
from kepu_server.quiz.scoring import SECRET_KEYS, public_question, score_response
from kepu_server.quiz.types import CORE_TYPES, normalize_text, shuffled_items

T = {t.name: t for t in CORE_TYPES}


def test_every_core_type_of_design_md_is_there():
    assert set(T) == {"single", "multiple", "truefalse", "numeric", "text", "ordering", "poll"}


# ------------------------------------------------------------ validate


@pytest.mark.parametrize(
    "name, spec, ok",
    [
        ("single", {"options": ["a", "b"], "answer": 1}, True),
        ("single", {"options": ["a", "b"], "answer": 2}, False),
        ("single", {"options": ["a", "b"], "answer": True}, False),
        ("single", {"options": ["a"], "answer": 0}, False),
        ("single", {"options": ["a", "a"], "answer": 0}, False),
        ("single", {"options": "ab", "answer": 0}, False),
        ("multiple", {"options": ["a", "b", "c"], "answers": [0, 2]}, True),
        ("multiple", {"options": ["a", "b"], "answers": []}, False),
        ("multiple", {"options": ["a", "b"], "answers": [0, 0]}, False),
        ("multiple", {"options": ["a", "b"], "answers": [3]}, False),
        ("truefalse", {"answer": False}, True),
        ("truefalse", {"answer": "false"}, False),
        ("numeric", {"answer": 3.5, "tolerance": 0.1, "unit": "m"}, True),
        ("numeric", {"answer": "3"}, False),
        ("numeric", {"answer": 3, "tolerance": -1}, False),
        ("numeric", {"answer": float("nan")}, False),
        ("text", {"accept": ["背斜"]}, True),
        ("text", {"accept": []}, False),
        ("text", {"accept": ["  "]}, False),
        ("ordering", {"items": ["a", "b", "c"]}, True),
        ("ordering", {"items": ["a"]}, False),
        ("ordering", {"items": ["a", "b"]}, True),
        ("poll", {"options": ["a", "b"]}, True),
        ("poll", {}, False),
    ],
)
def test_validate(name, spec, ok):
    problems = T[name].validate(spec)
    assert (problems == []) is ok, problems


# ------------------------------------------------------------ score


def score(name, spec, response):
    return T[name].score(spec, response)


def test_single():
    spec = {"options": ["a", "b", "c"], "answer": 1}
    assert score("single", spec, 1) == 1.0
    assert score("single", spec, 0) == 0.0
    for bad in (3, -1, "1", True, None, 1.0, [1]):
        with pytest.raises(ValueError):
            score("single", spec, bad)


def test_multiple_is_all_or_nothing_and_order_free():
    spec = {"options": ["a", "b", "c", "d"], "answers": [0, 2]}
    assert score("multiple", spec, [2, 0]) == 1.0
    assert score("multiple", spec, [0]) == 0.0
    assert score("multiple", spec, [0, 2, 3]) == 0.0
    assert score("multiple", spec, []) == 0.0
    for bad in ([0, 0], [7], 0, "0,2", [True]):
        with pytest.raises(ValueError):
            score("multiple", spec, bad)


def test_truefalse():
    assert score("truefalse", {"answer": True}, True) == 1.0
    assert score("truefalse", {"answer": True}, False) == 0.0
    for bad in ("true", 1, None):
        with pytest.raises(ValueError):
            score("truefalse", {"answer": True}, bad)


@pytest.mark.parametrize(
    "response, expected",
    [
        (10, 1.0), (10.5, 1.0), (9.5, 1.0),  # the edges are inclusive
        (10.50001, 0.0), (9.4999, 0.0),
        ("10.5", 1.0), ("１０", 1.0), (" 9.5 ", 1.0), ("1,0", 1.0),
    ],
)  # fmt: skip
def test_numeric_tolerance_edges(response, expected):
    assert score("numeric", {"answer": 10, "tolerance": 0.5}, response) == expected


def test_numeric_binary_fractions_at_the_edge_still_count():
    assert score("numeric", {"answer": 0.3, "tolerance": 0.1}, 0.4) == 1.0
    assert score("numeric", {"answer": 0.1 + 0.2, "tolerance": 0}, 0.3) == 1.0
    assert score("numeric", {"answer": 1955}, 1955) == 1.0
    assert score("numeric", {"answer": 1955}, 1956) == 0.0


def test_numeric_rejects_non_numbers():
    for bad in ("abc", True, None, [], "nan", "inf", float("inf")):
        with pytest.raises(ValueError):
            score("numeric", {"answer": 1}, bad)


@pytest.mark.parametrize(
    "response, expected",
    [
        ("背斜", 1.0), ("  背斜 ", 1.0), ("背斜构造", 1.0), ("向斜", 0.0),
        ("ＡＮＴＩＣＬＩＮＥ", 1.0), ("Anticline", 1.0), ("anticline ", 1.0), ("anti cline", 0.0),
        ("Straße", 1.0), ("STRASSE", 1.0),  # case-folding, not just lower()
    ],
)  # fmt: skip
def test_text_matches_after_nfkc_trim_casefold(response, expected):
    spec = {"accept": ["背斜", "背斜构造", "anticline", "strasse"]}
    assert score("text", spec, response) == expected


def test_text_rejects_non_text_and_huge_text():
    with pytest.raises(ValueError):
        score("text", {"accept": ["a"]}, 1)
    with pytest.raises(ValueError):
        score("text", {"accept": ["a"]}, "a" * 5000)


def test_normalize_text_folds_full_width_and_case():
    assert normalize_text("　ＡＢＣ１２３ ") == "abc123"


def test_ordering():
    spec = {"items": ["a", "b", "c"]}
    assert score("ordering", spec, ["a", "b", "c"]) == 1.0
    assert score("ordering", spec, ["b", "a", "c"]) == 0.0
    for bad in (["a", "b"], ["a", "b", "c", "c"], ["a", "b", "x"], "abc", [1, 2, 3]):
        with pytest.raises(ValueError):
            score("ordering", spec, bad)


def test_poll_is_never_graded():
    spec = {"options": ["x", "y"]}
    assert score("poll", spec, 1) == 0.0
    assert T["poll"].graded is False
    q = Question("p", "poll", "?", 1, "", spec)
    assert score_response(T["poll"], q, 0) == 0.0
    with pytest.raises(ValueError):
        score("poll", spec, 5)


def test_score_response_scales_by_points():
    q = Question("q", "single", "?", 3, "", {"options": ["a", "b"], "answer": 0})
    assert score_response(T["single"], q, 0) == 3.0
    assert score_response(T["single"], q, 1) == 0.0


# ------------------------------------------------------------ public


@pytest.mark.parametrize("n", [3, 4, 7])
def test_ordering_items_are_never_sent_in_the_correct_order(n):
    items = [f"item{i}" for i in range(n)]
    for seed in range(200):
        order = shuffled_items(items, f"participant-{seed}")
        assert sorted(order) == sorted(items)
        assert order != items


def test_ordering_differs_between_participants():
    items = list("abcdef")
    orders = {tuple(shuffled_items(items, f"p{i}")) for i in range(20)}
    assert len(orders) > 5


FULL_SPECS = {
    "single": {"options": ["a", "b"], "answer": 1},
    "multiple": {"options": ["a", "b"], "answers": [1]},
    "truefalse": {"answer": True},
    "numeric": {"answer": 5, "tolerance": 1, "unit": "kg"},
    "text": {"accept": ["x"]},
    "ordering": {"items": ["a", "b", "c"]},
    "poll": {"options": ["a", "b"]},
}


@pytest.mark.parametrize("name", sorted(FULL_SPECS))
def test_public_question_never_carries_an_answer_key(name):
    spec = {**FULL_SPECS[name], "id": "q", "type": name, "prompt": "?", "explain": "because"}
    q = Question("q", name, "?", 1, "because", spec)
    public = public_question(T[name], q, "<p>?</p>", seed="s")
    assert not SECRET_KEYS & set(public)
    assert {"id", "type", "prompt", "points"} <= set(public)
    assert "tolerance" not in public
    if name == "numeric":
        assert public["unit"] == "kg"
    if name == "ordering":
        assert public["items"] != ["a", "b", "c"]
