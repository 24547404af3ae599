"""No response to a student before submission carries an answer key or an explanation.

Every quiz the server has (the bundled courses, the school's course, the test plugin's
water-quiz with every core type plus the plugin type ``range``, robotics' ``program`` when it
is installed) is launched, joined and answered; every JSON body and every page a student can
get is searched for the keys ``answer``/``answers``/``accept``/``explain`` (and the like), for
the explanations' text, for accepted text answers, and for ordering items in the right order.
"""

from __future__ import annotations

import html
import json
import re

import pytest

from kepu_server.quiz.types import CORE_TYPES
from kepu_server.views.common import media_base
from tests.conftest import TEST_PLUGIN
from tests.student_support import change, launch, seat, secret_keys_in

DATA_QUESTION = re.compile(r"data-question='([^']*)'")
KEY_IN_TEXT = re.compile(r"""["'](answer|answers|accept|explain|solution|correct)["']\s*:""")


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


def attempt(question: dict):
    """Some response a child might give (right, wrong or malformed: all must leak nothing)."""
    kind = question["type"]
    return {
        "single": 0, "poll": 0, "multiple": [0], "truefalse": True, "numeric": 1,
        "text": "不知道", "ordering": question.get("items"), "range": 1,
        "program": ["forward"],
    }.get(kind, "x")  # fmt: skip


def secrets_of(catalog, course, quiz) -> list[str]:
    """Strings that must appear nowhere; fills ``ACCEPTS`` with per-question secrets."""
    texts = []
    for q in quiz.questions:
        if q.explain and len(q.explain.strip()) >= 6:
            texts.append(q.explain.strip())
            texts.append(catalog.renderer.render(q.explain, media_base(course)).strip())
        # An accepted text answer must never be a value of its question's public dict ("冰"
        # may well appear elsewhere, as another question's option).
        ACCEPTS[(quiz.id, q.id)] = [a for a in q.spec.get("accept", []) if a not in q.prompt]
        # ... nor the items of an ordering question in the right order, nor a list answer
        # (robotics' reference program).
        if q.type == "ordering" and len(q.spec["items"]) >= 2:
            ACCEPTS[(quiz.id, q.id)].append(q.spec["items"])
        if isinstance(q.spec.get("answer"), list):
            ACCEPTS[(quiz.id, q.id)].append(q.spec["answer"])
    return texts


ACCEPTS: dict[tuple[str, str], list] = {}


def questions_in(value):
    if isinstance(value, dict):
        if "id" in value and "type" in value and "prompt" in value:
            yield value
        for item in value.values():
            yield from questions_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from questions_in(item)


def check_json(body, texts, where, quiz_id=None):
    assert not secret_keys_in(body), (where, secret_keys_in(body))
    for question in questions_in(body):
        shown = {k: v for k, v in question.items() if k != "response"}
        values = json.dumps(shown, ensure_ascii=False)
        for accepted in ACCEPTS.get((quiz_id, question["id"]), []):
            assert json.dumps(accepted, ensure_ascii=False) not in values, (where, accepted)
    text = json.dumps(body, ensure_ascii=False)
    for secret in texts:
        assert secret not in text, (where, secret)


def check_html(page: str, texts, where, quiz_id=None):
    assert not KEY_IN_TEXT.search(page), (where, KEY_IN_TEXT.search(page))
    unescaped = html.unescape(page)
    for secret in texts:
        assert secret not in page and secret not in unescaped, (where, secret)
    for raw in DATA_QUESTION.findall(page):
        question = json.loads(html.unescape(raw))
        check_json(question, texts, where + " data-question", quiz_id)


def every_quiz(catalog):
    for course in catalog.courses.values():
        for quiz in course.quizzes.values():
            yield course, quiz


def test_no_student_response_before_submission_carries_an_answer(app, teacher):
    catalog = app.extensions["kepu"].catalog
    types_seen = set()
    shuffled_options = set()  # questions sent in a per-seat option order (``shuffle_options``)
    for course, quiz in every_quiz(catalog):
        for lang in course.languages:
            localized = quiz.in_language(lang)
            texts = secrets_of(catalog, course, localized)
            session = launch(app, teacher, course.id, quiz_id=quiz.id, language=lang)
            tablet = app.test_client()
            joined = tablet.post("/api/v1/join", json={"code": session["code"], "name": "小明"})
            where = f"{course.id}/{quiz.id}/{lang}"
            check_json(joined.get_json(), texts, where + " join")
            headers = {"Authorization": "Bearer " + joined.get_json()["token"]}
            check_json(tablet.get("/api/v1/me", headers=headers).get_json(), texts, where)
            public = tablet.get("/api/v1/me/quiz", headers=headers).get_json()
            check_json(public, texts, where + " quiz", quiz.id)
            for question in public["questions"]:
                types_seen.add(question["type"])
                if "order" in question:
                    shuffled_options.add((quiz.id, question["type"]))
                put = tablet.put(
                    f"/api/v1/me/answers/{question['id']}",
                    json={"response": attempt(question)},
                    headers=headers,
                )
                assert put.status_code in (200, 400), put.get_json()
                check_json(put.get_json(), texts, where + " put " + question["id"])
            again = tablet.get("/api/v1/me/quiz", headers=headers).get_json()
            check_json(again, texts, where + " quiz after answers", quiz.id)
            page = tablet.get("/me")
            assert page.status_code == 200
            check_html(page.get_data(as_text=True), texts, where + " /me", quiz.id)
            join_page = tablet.get(f"/j/{session['code']}").get_data(as_text=True)
            check_html(join_page, texts, where + " /j")
    expected = {t.name for t in CORE_TYPES} | {"range"}
    if "program" in catalog.question_types:
        expected.add("program")
    assert expected <= types_seen, expected - types_seen
    # The test course's shuffled-quiz was swept with its options in a seat's own order.
    assert {("shuffled-quiz", "single"), ("shuffled-quiz", "multiple")} <= shuffled_options


def test_the_review_comes_only_after_submitting_and_only_when_allowed(app, teacher):
    catalog = app.extensions["kepu"].catalog
    course = catalog.course("test-course")
    quiz = course.quizzes["water-quiz"]
    texts = secrets_of(catalog, course, quiz)
    for review in (False, True):
        session = launch(app, teacher, quiz_id="water-quiz", review=review)
        tablet = app.test_client()
        student = seat(tablet, session["code"], "小明")
        submitted = tablet.post("/api/v1/me/submit", headers=student["headers"]).get_json()
        page = tablet.get("/me").get_data(as_text=True)
        body = json.dumps(submitted, ensure_ascii=False)
        for secret in texts:  # the quiz is still open: classmates are answering
            assert secret not in body and secret not in page
        change(app, session["id"], quiz_open=0)
        submitted = tablet.post("/api/v1/me/submit", headers=student["headers"]).get_json()
        page = tablet.get("/me").get_data(as_text=True)
        body = json.dumps(submitted, ensure_ascii=False)
        if review:
            assert "冰是固态" in body and "冰是固态" in page
        else:
            assert "explain" not in body and "correct" not in body
            for secret in texts:
                assert secret not in body and secret not in page
