"""The robotics plugin: its `program` question type (pure functions), course and widget."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLUGIN_DIR = ROOT / "plugins" / "robotics"
COURSE_DIR = PLUGIN_DIR / "course"


def _load_program_module():
    # Loaded by path so the pure functions are tested without importing kepu_server.
    spec = importlib.util.spec_from_file_location(
        "robotics_program_question", PLUGIN_DIR / "program_question.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pq = _load_program_module()

GRID = ["S..#", ".#..", "...G"]
SOLUTION = ["forward", "forward", "right", "forward", "forward", "left", "forward"]


def make_spec(**changes):
    spec = {
        "id": "q1",
        "type": "program",
        "prompt": "Reach G",
        "explain": "Because.",
        "points": 1,
        "grid": list(GRID),
        "start_heading": "E",
        "commands": ["forward", "left", "right"],
        "max_steps": 12,
        "answer": list(SOLUTION),
    }
    spec.update(changes)
    return {k: v for k, v in spec.items() if v is not _DROP}


_DROP = object()


def errors_mentioning(spec, word):
    return [m for m in pq.validate_program(spec) if word in m]


# ------------------------------------------------------------------ validate


def test_validate_accepts_a_solvable_puzzle():
    assert pq.validate_program(make_spec()) == []


def test_validate_applies_defaults_for_optional_fields():
    spec = make_spec(start_heading=_DROP, commands=_DROP, max_steps=_DROP)
    assert pq.validate_program(spec) == []


@pytest.mark.parametrize(
    "grid, word",
    [
        (["...#", ".#..", "...G"], "exactly one S"),
        (["S.S#", ".#..", "...G"], "exactly one S"),
        (["S..#", ".#..", "...."], "exactly one G"),
        (["S..G", ".#..", "...G"], "exactly one G"),
        (["S..#", ".#.", "...G"], "same length"),
        (["S..x", ".#..", "...G"], "unknown characters"),
        (["S" + "." * 9 + "G"], "at most 10x10"),
        (["S"] + ["."] * 9 + ["G"], "at most 10x10"),
        ([], "non-empty list"),
        ("S..G", "non-empty list"),
        ([1, 2], "non-empty list"),
        (None, "non-empty list"),
        ([""], "must not be empty"),
    ],
)
def test_validate_rejects_bad_grids(grid, word):
    assert errors_mentioning(make_spec(grid=grid), word), pq.validate_program(make_spec(grid=grid))


def test_validate_accepts_a_10_by_10_grid():
    grid = ["S" + "." * 9] + ["." * 10] * 8 + ["." * 9 + "G"]
    spec = make_spec(grid=grid, max_steps=30, answer=["forward"] * 9 + ["right"] + ["forward"] * 9)
    assert pq.validate_program(spec) == []


@pytest.mark.parametrize("heading", ["X", "north", "", 1, None])
def test_validate_rejects_bad_heading(heading):
    assert errors_mentioning(make_spec(start_heading=heading), "start_heading")


@pytest.mark.parametrize(
    "commands",
    [[], ["forward", "jump"], ["forward", "forward"], "forward", None, [1]],
)
def test_validate_rejects_bad_commands(commands):
    assert errors_mentioning(make_spec(commands=commands), "commands")


def test_validate_requires_forward_among_commands():
    assert errors_mentioning(make_spec(commands=["left", "right"], answer=[]), "forward")


@pytest.mark.parametrize("max_steps", [0, -1, 51, True, "12", 3.5, None])
def test_validate_rejects_bad_max_steps(max_steps):
    assert errors_mentioning(make_spec(max_steps=max_steps), "max_steps")


def test_validate_requires_a_reference_answer():
    assert errors_mentioning(make_spec(answer=_DROP), "answer")


@pytest.mark.parametrize("answer", ["forward", [1, 2], {"a": 1}])
def test_validate_rejects_malformed_answer(answer):
    assert errors_mentioning(make_spec(answer=answer), "answer")


def test_validate_rejects_reference_using_disallowed_command():
    spec = make_spec(commands=["forward", "right"])
    assert errors_mentioning(spec, "not allowed")


def test_validate_rejects_reference_longer_than_max_steps():
    assert errors_mentioning(make_spec(max_steps=6), "more than max_steps")


def test_validate_rejects_reference_that_crashes_into_a_wall():
    # Third forward drives into the wall at row 1, column 4.
    spec = make_spec(answer=["forward", "forward", "forward"])
    assert errors_mentioning(spec, "crashes at command 3")


def test_validate_rejects_reference_that_drives_off_the_grid():
    spec = make_spec(answer=["left", "forward"])
    assert errors_mentioning(spec, "crashes at command 2")


def test_validate_rejects_reference_that_does_not_end_on_goal():
    spec = make_spec(answer=["forward"])
    assert errors_mentioning(spec, "not on the goal")


def test_validate_rejects_reference_that_only_passes_over_the_goal():
    spec = make_spec(grid=["S.G."], answer=["forward", "forward", "forward"])
    assert errors_mentioning(spec, "not on the goal")


def test_validate_rejects_unsolvable_puzzle_whatever_the_reference():
    walled_in = ["S#.", "##.", "..G"]
    for answer in ([], ["forward"], ["right", "forward"], ["right", "right", "forward"]):
        assert pq.validate_program(make_spec(grid=walled_in, answer=answer)) != []


def test_validate_does_not_crash_on_garbage():
    for spec in (
        {},
        {"grid": 5, "commands": 5, "max_steps": [], "answer": 5},
        {"grid": [None], "answer": None},
    ):
        assert pq.validate_program(spec)


# ------------------------------------------------------------------ public


def test_public_sends_the_puzzle_and_never_the_answer():
    public = pq.public_program(make_spec())
    assert public == {
        "grid": GRID,
        "start_heading": "E",
        "commands": ["forward", "left", "right"],
        "max_steps": 12,
    }
    assert "answer" not in public and "explain" not in public


def test_public_fills_defaults():
    public = pq.public_program(make_spec(start_heading=_DROP, commands=_DROP, max_steps=_DROP))
    assert public["start_heading"] == "E"
    assert public["commands"] == ["forward", "left", "right"]
    assert public["max_steps"] == 12


def test_public_returns_copies():
    spec = make_spec()
    public = pq.public_program(spec)
    public["grid"].append("....")
    public["commands"].append("jump")
    assert spec["grid"] == GRID and spec["commands"] == ["forward", "left", "right"]


# ------------------------------------------------------------------ score


def test_score_reference_solution_is_full_marks():
    assert pq.score_program(make_spec(), list(SOLUTION)) == 1.0


def test_score_another_correct_route_is_full_marks():
    other = ["right", "forward", "forward", "left", "forward", "forward", "forward"]
    assert pq.score_program(make_spec(), other) == 1.0


def test_score_empty_program_is_zero():
    assert pq.score_program(make_spec(), []) == 0.0


def test_score_crash_into_wall_is_zero():
    assert pq.score_program(make_spec(), ["forward", "forward", "forward"]) == 0.0


def test_score_crash_then_commands_that_would_reach_goal_is_still_zero():
    # The robot crashes at command 3; later commands never run.
    program = ["right", "forward", "left", "forward", "forward", "forward"]
    grid = ["S...", "..#.", "...G"]
    spec = make_spec(
        grid=grid, answer=["right", "forward", "forward", "left", "forward", "forward", "forward"]
    )
    assert pq.validate_program(spec) == []
    assert pq.score_program(spec, program) == 0.0


@pytest.mark.parametrize(
    "program",
    [
        ["left", "forward"],  # north off the top
        ["right", "right", "forward"],  # west off the left edge
        ["right", "forward", "forward", "forward"],  # south off the bottom
    ],
)
def test_score_driving_off_the_grid_is_a_crash(program):
    assert pq.score_program(make_spec(), program) == 0.0


def test_score_driving_off_the_right_edge_is_a_crash():
    spec = make_spec(grid=["G.S"], answer=["right", "right", "forward", "forward"])
    assert pq.score_program(spec, ["forward"]) == 0.0


def test_score_turning_only_does_not_move():
    spec = make_spec(grid=["SG"], answer=["forward"])
    assert pq.score_program(spec, ["left", "right", "left", "left", "left", "left"]) == 0.0


def test_score_left_and_right_turn_the_right_way():
    # Start facing north in the middle; the goal is to the east.
    spec = make_spec(grid=["...", ".SG", "..."], start_heading="N", answer=["right", "forward"])
    assert pq.score_program(spec, ["right", "forward"]) == 1.0
    assert pq.score_program(spec, ["left", "forward"]) == 0.0
    assert pq.score_program(spec, ["left", "left", "left", "forward"]) == 1.0


@pytest.mark.parametrize(
    "heading, goal_grid",
    [
        ("N", [".G.", ".S.", "..."]),
        ("E", ["...", ".SG", "..."]),
        ("S", ["...", ".S.", ".G."]),
        ("W", ["...", "GS.", "..."]),
    ],
)
def test_score_forward_follows_the_start_heading(heading, goal_grid):
    spec = make_spec(grid=goal_grid, start_heading=heading, answer=["forward"])
    assert pq.validate_program(spec) == []
    assert pq.score_program(spec, ["forward"]) == 1.0


def test_score_passing_over_the_goal_without_stopping_is_zero():
    spec = make_spec(grid=["S.G."], answer=["forward", "forward"])
    assert pq.score_program(spec, ["forward", "forward"]) == 1.0
    assert pq.score_program(spec, ["forward", "forward", "forward"]) == 0.0


def test_score_exactly_max_steps_is_allowed():
    spec = make_spec(max_steps=7)
    assert pq.score_program(spec, list(SOLUTION)) == 1.0


def test_score_too_long_program_is_rejected():
    spec = make_spec(max_steps=7)
    with pytest.raises(ValueError, match="too long"):
        pq.score_program(spec, list(SOLUTION) + ["left"])


def test_score_default_max_steps_is_12():
    spec = make_spec(max_steps=_DROP)
    with pytest.raises(ValueError):
        pq.score_program(spec, ["left"] * 13)
    assert pq.score_program(spec, ["left"] * 12) == 0.0


@pytest.mark.parametrize("response", [None, "forward", 3, {"0": "forward"}, ("forward",), True])
def test_score_rejects_a_response_that_is_not_a_list(response):
    with pytest.raises(ValueError):
        pq.score_program(make_spec(), response)


@pytest.mark.parametrize("response", [["jump"], ["forward", "Forward"], [1], [None], [["forward"]]])
def test_score_rejects_unknown_commands(response):
    with pytest.raises(ValueError):
        pq.score_program(make_spec(), response)


def test_score_rejects_a_command_not_allowed_in_this_question():
    spec = make_spec(
        commands=["forward", "right"],
        answer=[
            "forward",
            "forward",
            "right",
            "forward",
            "forward",
            "right",
            "right",
            "right",
            "forward",
        ],
    )
    assert pq.validate_program(spec) == []
    with pytest.raises(ValueError, match="not allowed"):
        pq.score_program(spec, ["left"])


def test_score_returns_a_float():
    assert isinstance(pq.score_program(make_spec(), []), float)
    assert isinstance(pq.score_program(make_spec(), list(SOLUTION)), float)


def test_simulate_reports_position_and_crash():
    run = pq.simulate(GRID, "E", ["forward", "right", "forward"])
    assert (run["row"], run["col"], run["heading"], run["crashed"]) == (0, 1, "S", True)
    run = pq.simulate(GRID, "E", SOLUTION)
    assert (run["row"], run["col"], run["on_goal"], run["steps"]) == (2, 3, True, 7)


# ------------------------------------------------------------------ the course files


def _quiz_files():
    return sorted(
        p for p in (COURSE_DIR / "quizzes").glob("*.toml") if not p.name.endswith(".en.toml")
    )


def _program_questions():
    for path in _quiz_files():
        quiz = tomllib.loads(path.read_text(encoding="utf-8"))
        for question in quiz["questions"]:
            if question["type"] == "program":
                yield path, question


def test_course_program_questions_are_valid_and_solvable():
    found = list(_program_questions())
    assert len({path for path, _ in found}) >= 2
    for path, question in found:
        assert pq.validate_program(question) == [], (path.name, question["id"])
        assert pq.score_program(question, question["answer"]) == 1.0


def test_program_question_translations_only_touch_translatable_fields():
    for path, question in _program_questions():
        en = tomllib.loads(path.with_name(path.stem + ".en.toml").read_text(encoding="utf-8"))
        translated = next(q for q in en["questions"] if q["id"] == question["id"])
        assert set(translated) <= {"id", *pq.TRANSLATABLE}
        assert translated["prompt"] and translated["explain"]


# ------------------------------------------------------------------ through the app

ROBOTICS_QUIZZES = sorted(p.stem for p in _quiz_files())


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_plugin_registers_program_type_and_course(app):
    from kepu_server.catalog import get_catalog

    with app.test_request_context():
        catalog = get_catalog()
        record = catalog.record("robotics")
        assert record is not None and record.status == "ok", record
        qtype = catalog.question_types["program"]
        assert qtype.widget == "kepu_robotics/program_widget.html"
        assert set(qtype.translatable) == {"prompt", "explain"}
        course = catalog.course("robotics")
        assert course is not None
        assert course.problems == []
        assert sorted(course.quizzes) == ROBOTICS_QUIZZES


def test_course_is_listed_with_lessons_for_every_band(client):
    courses = client.get("/api/v1/courses").get_json()
    robotics = next(c for c in courses if c["id"] == "robotics")
    assert robotics["plugin"] == "robotics"
    assert robotics["lessons"] >= 7
    detail = client.get("/api/v1/courses/robotics").get_json()
    for band in ("primary", "middle", "high"):
        assert sum(band in lesson["grades"] for lesson in detail["lessons"]) >= 2
    assert len(detail["guides"]) >= 2


def test_every_lesson_has_matching_english_sections(client):
    detail = client.get("/api/v1/courses/robotics").get_json()
    for summary in detail["lessons"]:
        url = f"/api/v1/courses/robotics/lessons/{summary['id']}"
        zh = client.get(url + "?lang=zh").get_json()
        en = client.get(url + "?lang=en").get_json()
        assert 3 <= len(zh["sections"]) <= 6
        assert len(en["sections"]) == len(zh["sections"])
        assert zh["quiz"] in ROBOTICS_QUIZZES and en["title"] != zh["title"]
        for section in zh["sections"] + en["sections"]:
            assert "http://" not in section["html"] and "https://" not in section["html"]


def test_lesson_diagrams_are_served(client):
    html = "".join(
        s["html"]
        for lesson in ("what-is-a-robot", "motors-gears", "loops-conditions", "line-following")
        for s in client.get(f"/api/v1/courses/robotics/lessons/{lesson}").get_json()["sections"]
    )
    sources = re.findall(r'<img[^>]*src="([^"]+)"', html)
    assert len(sources) >= 4
    for src in sources:
        response = client.get(src)
        assert response.status_code == 200, src
        assert b"<script" not in response.data


@pytest.mark.parametrize("quiz_id", ROBOTICS_QUIZZES)
def test_quiz_loads_for_teachers_in_both_languages(client, teacher, quiz_id):
    url = f"/api/v1/courses/robotics/quizzes/{quiz_id}"
    zh = client.get(url + "?lang=zh", headers=_bearer(teacher["token"]))
    en = client.get(url + "?lang=en", headers=_bearer(teacher["token"]))
    assert zh.status_code == 200 and en.status_code == 200
    zh, en = zh.get_json(), en.get_json()
    assert len(zh["questions"]) >= 6
    assert [q["id"] for q in zh["questions"]] == [q["id"] for q in en["questions"]]
    for q_zh, q_en in zip(zh["questions"], en["questions"], strict=True):
        assert q_zh["explain"] and q_en["explain"]
        assert q_zh["prompt"] != q_en["prompt"]
        if q_zh["type"] == "program":
            assert q_zh["grid"] == q_en["grid"] and q_zh["answer"] == q_en["answer"]


def test_public_form_of_every_robotics_question_hides_answers(app):
    from kepu_server.catalog import get_catalog
    from kepu_server.quiz.scoring import public_question

    with app.test_request_context():
        catalog = get_catalog()
        course = catalog.course("robotics")
        seen_program = 0
        for quiz in course.quizzes.values():
            for lang in (None, "en"):
                for question in quiz.in_language(lang).questions:
                    qtype = catalog.question_types[question.type]
                    public = public_question(qtype, question, "<p>prompt</p>", seed="s")
                    assert not {"answer", "answers", "accept", "explain"} & set(public)
                    if question.type == "program":
                        seen_program += 1
                        assert set(public) == {
                            "id",
                            "type",
                            "prompt",
                            "points",
                            "grid",
                            "start_heading",
                            "commands",
                            "max_steps",
                        }
        assert seen_program >= 4


def test_program_question_scores_through_the_core(app):
    from kepu_server.catalog import get_catalog
    from kepu_server.quiz.scoring import score_response

    with app.test_request_context():
        catalog = get_catalog()
        quiz = catalog.course("robotics").quizzes["robot-commands-quiz"]
        question = next(q for q in quiz.questions if q.type == "program")
        qtype = catalog.question_types["program"]
        assert score_response(qtype, question, question.spec["answer"]) == question.points
        assert score_response(qtype, question, ["forward"]) == 0
        with pytest.raises(ValueError):
            score_response(qtype, question, "forward")


def test_student_quiz_never_contains_the_reference_program(client, teacher):
    created = client.post(
        "/api/v1/sessions",
        json={"course": "robotics", "quiz": "robot-commands-quiz"},
        headers=_bearer(teacher["token"]),
    )
    assert created.status_code in (200, 201), created.get_data(as_text=True)
    joined = client.post("/api/v1/join", json={"code": created.get_json()["code"], "name": "robo"})
    assert joined.status_code in (200, 201), joined.get_data(as_text=True)
    student = _bearer(joined.get_json()["token"])
    quiz = client.get("/api/v1/me/quiz", headers=student)
    assert quiz.status_code == 200
    body = quiz.get_data(as_text=True)
    program = [q for q in quiz.get_json()["questions"] if q["type"] == "program"]
    assert len(program) == 2
    for question in program:
        assert "answer" not in question and "explain" not in question
        assert {"grid", "start_heading", "commands", "max_steps"} <= set(question)
    assert '"answer"' not in body and '"explain"' not in body
    # A wrong-typed response is refused with a 4xx; a good one is accepted and scored.
    qid = program[0]["id"]
    bad = client.put(f"/api/v1/me/answers/{qid}", json={"response": "forward"}, headers=student)
    assert 400 <= bad.status_code < 500
    good = ["forward", "forward", "right", "forward", "forward", "left", "forward"]
    ok = client.put(f"/api/v1/me/answers/{qid}", json={"response": good}, headers=student)
    assert ok.status_code in (200, 204)
    result = client.post("/api/v1/me/submit", headers=student).get_json()
    assert result["score"] >= 1


def test_widget_static_files_are_served(client):
    js = client.get("/x/robotics/static/program.js")
    assert js.status_code == 200
    assert "javascript" in js.content_type
    text = js.get_data(as_text=True)
    assert "window.KepuWidgets" in text and "KepuWidgets.program" in text
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in text
    css = client.get("/x/robotics/static/program.css")
    assert css.status_code == 200


def test_widget_template_renders_without_inline_script(app):
    from flask import render_template

    question = {
        "id": "q5",
        "type": "program",
        "prompt": "<p>x</p>",
        "points": 1.0,
        "grid": GRID,
        "start_heading": "E",
        "commands": ["forward", "left", "right"],
        "max_steps": 12,
    }
    with app.test_request_context("/me"):
        html = render_template("kepu_robotics/program_widget.html", question=question)
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == ['<script src="/x/robotics/static/program.js">']
    assert re.search(r"<script[^>]*>\s*[^<\s]", html) is None  # nothing inline
    assert 'href="/x/robotics/static/program.css"' in html
    assert "kp-program" in html and "style=" not in html


# ------------------------------------------------------------------ in a real browser


@pytest.mark.browser
@pytest.mark.parametrize(
    ("viewport", "language", "query", "prompt", "success"),
    [
        ({"width": 800, "height": 1280}, "zh", "", "帮机器人走到终点", "到达终点"),
        ({"width": 1280, "height": 800}, "en", "?lang=en", "Help the robot", "Goal reached"),
    ],
)
def test_program_widget_on_the_student_page(
    browser, live_server, client, teacher, viewport, language, query, prompt, success
):
    created = client.post(
        "/api/v1/sessions",
        json={"course": "robotics", "quiz": "robot-commands-quiz", "language": language},
        headers=_bearer(teacher["token"]),
    )
    assert created.status_code in (200, 201), created.get_data(as_text=True)
    session = created.get_json()
    context = browser.new_context(viewport=viewport, has_touch=True, locale="zh-CN")
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(live_server.url + "/j/" + session["code"] + query)
        page.fill("input[name=name]", "robo")
        page.locator("form[data-join-form] button").first.click()
        page.wait_for_url("**/me**")
        page.goto(live_server.url + "/me" + query)
        page.click('[data-goto="4"]')
        assert prompt in page.locator('.question[data-qid="q5"] .q-prompt').inner_text()
        widget = page.locator('.question[data-qid="q5"] .kp-program')
        widget.locator("svg rect.kp-cell").first.wait_for()
        assert widget.locator("svg rect.kp-cell").count() == 12  # 3 x 4 cells
        assert widget.locator("svg rect.kp-cell-wall").count() == 2

        # Big touch targets, no sideways scrolling.
        small = page.eval_on_selector_all(
            '.question[data-qid="q5"] .kp-program button',
            """els => els.filter(e => { const r = e.getBoundingClientRect();
                                        return r.width < 44 || r.height < 44; }).length""",
        )
        assert small == 0
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        # Build the program, with one mistake undone on the way.
        for command in SOLUTION[:3]:
            widget.locator(f'button[data-command="{command}"]').click()
        widget.locator('button[data-command="left"]').click()
        widget.locator(".kp-undo").click()
        for command in SOLUTION[3:]:
            widget.locator(f'button[data-command="{command}"]').click()
        assert widget.locator(".kp-program-list li").count() == len(SOLUTION)

        # The local preview animates to the goal.
        widget.locator(".kp-run").click()
        widget.locator(".kp-program-status.kp-ok").wait_for(timeout=10000)
        assert success in widget.locator(".kp-program-status").inner_text()

        # Every change was saved to the server.
        results_url = f"/api/v1/sessions/{session['id']}/results"
        for _ in range(50):
            results = client.get(results_url, headers=_bearer(teacher["token"])).get_json()
            answers = results["participants"][0]["answers"] if results["participants"] else {}
            if answers.get("q5") == SOLUTION:
                break
            page.wait_for_timeout(100)
        assert answers.get("q5") == SOLUTION

        # Clear empties the program; a crash shows in the preview.
        widget.locator(".kp-clear").click()
        assert widget.locator(".kp-program-list li.kp-empty").count() == 1
        for _ in range(3):
            widget.locator('button[data-command="forward"]').click()
        widget.locator(".kp-run").click()
        widget.locator(".kp-program-status.kp-bad").wait_for(timeout=10000)
        assert not problems
    finally:
        context.close()


def test_a_program_answer_reads_as_commands_on_the_dashboard_and_in_the_csv(client, teacher):
    """Issue 12, item 9: the dashboard once showed ["forward", "forward", "forward"]."""
    made = client.post("/api/v1/sessions", json={"course": "robotics",
                       "quiz": "robot-commands-quiz"}, headers=_bearer(teacher["token"]))  # fmt: skip
    session = made.get_json()
    quiz = client.get("/api/v1/courses/robotics/quizzes/robot-commands-quiz",
                      headers=_bearer(teacher["token"])).get_json()  # fmt: skip
    program = next(q for q in quiz["questions"] if q["type"] == "program")
    wrong = ["forward", "forward", "forward", "right"]
    assert pq.score_program(program, wrong) == 0.0  # a wrong program, so it is the one shown
    for name in ("甲", "乙"):
        joined = client.post("/api/v1/join", json={"code": session["code"], "name": name})
        put = client.put(f"/api/v1/me/answers/{program['id']}", json={"response": wrong},
                         headers=_bearer(joined.get_json()["token"]))  # fmt: skip
        assert put.status_code == 200, put.get_json()
    live = client.get(f"/api/v1/sessions/{session['id']}/live",
                      headers=_bearer(teacher["token"])).get_json()  # fmt: skip
    stats = next(q for q in live["questions"] if q["id"] == program["id"])
    assert stats["most_common_wrong"]["label"] == "⬆ ⬆ ⬆ ⟳"
    assert stats["most_common_wrong"]["count"] == 2
    sheet = client.get(f"/api/v1/sessions/{session['id']}/results.csv?labels=1",
                       headers=_bearer(teacher["token"])).get_data(as_text=True)  # fmt: skip
    assert sheet.count("⬆ ⬆ ⬆ ⟳") == 2 and '"forward"' not in sheet
