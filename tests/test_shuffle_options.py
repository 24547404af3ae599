"""``shuffle_options``: single and multiple options in a per-seat order drawn from the server's
secret, while the response stays the option's index in the file (DESIGN, quiz fields)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from kepu_server import load_course_dir
from kepu_server.quiz.types import seeded_rng
from tests.conftest import TEST_PLUGIN
from tests.student_support import launch, rows, seat

FILE = {
    "s1": ["水", "水蒸气", "冰", "雨", "雾", "露水"],
    "s2": ["冰", "雨水", "牛奶", "水蒸气", "石头"],
    "s3": ["冰", "水", "水蒸气", "雪"],
}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


def shown(client, headers) -> dict:
    quiz = client.get("/api/v1/me/quiz", headers=headers).get_json()
    return {q["id"]: q for q in quiz["questions"]}


def test_each_seat_sees_its_own_order_and_the_file_index_is_what_counts(app, teacher):
    session = launch(app, teacher, quiz_id="shuffled-quiz")
    key = app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    orders = set()
    for i in range(6):
        client = app.test_client()
        student = seat(client, session["code"], f"学生{i}")
        questions = shown(client, student["headers"])
        assert shown(client, student["headers"]) == questions  # the same seat, the same order
        for qid in ("s1", "s2"):
            q = questions[qid]
            assert sorted(q["order"]) == list(range(len(FILE[qid])))
            assert q["options"] == [FILE[qid][i] for i in q["order"]]
        orders.add(tuple(questions["s1"]["order"]))
        # DESIGN: ``single`` and ``multiple`` only; a poll keeps the file's order.
        assert questions["s3"]["options"] == FILE["s3"] and "order" not in questions["s3"]
        # Drawn from the server's secret (as ordering items are), not from the token or ids.
        seed = hmac.new(key, f"shuffle\0{student['participant']['id']}\0s1".encode(),
                        hashlib.sha256).digest()  # fmt: skip
        expected = list(range(6))
        seeded_rng(hashlib.sha256(b"options\0" + seed).digest()).shuffle(expected)
        assert questions["s1"]["order"] == expected

        # The child taps the option by its text; the tablet sends its index in the file.
        s1 = questions["s1"]
        tapped = s1["options"].index("冰")
        put = client.put("/api/v1/me/answers/s1", json={"response": s1["order"][tapped]},
                         headers=student["headers"])  # fmt: skip
        assert put.status_code == 200, put.get_json()
        s2 = questions["s2"]
        chosen = sorted(s2["order"][s2["options"].index(text)] for text in ("牛奶", "雨水"))
        assert chosen == [1, 2]
        put = client.put("/api/v1/me/answers/s2", json={"response": chosen},
                         headers=student["headers"])  # fmt: skip
        assert put.status_code == 200
        body = client.post("/api/v1/me/submit", headers=student["headers"]).get_json()
        assert (body["score"], body["max_score"]) == (2, 2)
    assert len(orders) >= 3  # 6 seats over 720 orders: the same order for all is no shuffle
    stored = rows(app, "SELECT question_id, response FROM answers WHERE question_id = 's1'")
    assert {r["response"] for r in stored} == {"2"}  # the file's index, whatever was shown


def test_without_shuffle_options_the_options_keep_the_file_order(app, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")
    client = app.test_client()
    student = seat(client, session["code"], "小明")
    q1 = shown(client, student["headers"])["q1"]
    assert q1["options"] == ["固态", "液态", "气态"] and "order" not in q1


def test_shuffle_options_is_read_from_the_quiz_file(tmp_path):
    root = tmp_path / "c"
    (root / "quizzes").mkdir(parents=True)
    (root / "course.toml").write_text('id = "c"\ntitle = "C"\n', encoding="utf-8")
    question = '[[questions]]\nid = "q"\ntype = "single"\nprompt = "?"\noptions = ["a", "b"]\n'
    for name, flag in (("off", ""), ("on", "shuffle_options = true\n"),
                       ("bad", 'shuffle_options = "yes"\n')):  # fmt: skip
        (root / "quizzes" / f"{name}.toml").write_text(
            f'id = "{name}"\ntitle = "T"\n{flag}\n{question}answer = 0\n', encoding="utf-8"
        )
    course = load_course_dir(root)
    assert course.quizzes["off"].shuffle_options is False
    assert course.quizzes["on"].shuffle_options is True
    [problem] = course.problems
    assert "'shuffle_options' must be true or false" in problem.message
