"""The results JSON, the live dashboard and both CSVs of one class agree on every score.

One class of the test plugin's water quiz, which has every core type (single, multiple,
truefalse, numeric, text, ordering, poll) and a plugin type (``range``, q8). Every view is a
query over the per-answer scores stored when each answer was saved, so they cannot disagree;
this test fails if one of them recomputes, or sums differently.
"""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import TEST_PLUGIN
from tests.student_support import WATER_RIGHT, WATER_WRONG, launch, seat

# Each child's answers: all right, all wrong, a mix, and one who answered only two.
CLASS = {
    "小明": WATER_RIGHT,
    "小红": WATER_WRONG,
    "小刚": {**WATER_RIGHT, "q2": [1], "q5": "水", "q8": 5},
    "小丽": {"q1": 0, "q6": ["水", "冰", "水蒸气"]},
}
SUBMITS = {"小明", "小红"}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN]}


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_results_dashboard_and_csv_agree_on_every_score(app, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")
    pupils = app.test_client()
    for name, answers in CLASS.items():
        kid = seat(app.test_client(), session["code"], name)
        for question, response in answers.items():
            saved = pupils.put(f"/api/v1/me/answers/{question}", json={"response": response},
                               headers=kid["headers"])  # fmt: skip
            assert saved.status_code == 200, (name, question, saved.get_json())
        if name in SUBMITS:
            assert pupils.post("/api/v1/me/submit", headers=kid["headers"]).status_code == 200

    desk = app.test_client()
    auth = {"Authorization": f"Bearer {teacher['token']}"}
    base = f"/api/v1/sessions/{session['id']}"
    results = desk.get(f"{base}/results", headers=auth).get_json()
    live = desk.get(f"{base}/live", headers=auth).get_json()
    raw = _csv(desk.get(f"{base}/results.csv", headers=auth).get_data(as_text=True))
    sheet = desk.get(f"{base}/results.csv?labels=1", headers=auth).get_data(as_text=True)
    sheet_rows = list(csv.reader(io.StringIO(sheet.lstrip("\ufeff"))))

    questions = {q["id"]: q for q in results["questions"]}
    assert {q["type"] for q in questions.values()} >= {
        "single", "multiple", "truefalse", "numeric", "text", "ordering", "poll", "range"
    }  # fmt: skip
    by_name = {p["name"]: p for p in results["participants"]}
    students = {s["name"]: s for s in live["students"]}
    raw_by_name = {row["name"]: row for row in raw}
    sheet_by_name = {row[0]: row for row in sheet_rows[1:]}
    total = sum(q["points"] for q in questions.values())
    assert set(by_name) == set(students) == set(raw_by_name) == set(sheet_by_name) == set(CLASS)

    for name, answers in CLASS.items():
        p = by_name[name]
        # The results' own total is the sum of its per-question scores...
        assert p["score"] == pytest.approx(sum(p["scores"].values()))
        # ...which every other view shows too.
        assert students[name]["score"] == pytest.approx(p["score"]), name
        assert float(raw_by_name[name]["score"]) == pytest.approx(p["score"]), name
        assert float(raw_by_name[name]["max_score"]) == pytest.approx(total)
        assert p["max_score"] == pytest.approx(total)
        assert any(cell == f"{p['score']:g}" for cell in sheet_by_name[name]), name
        # And the dashboard's count of right answers is the count of full-point scores.
        full = sum(1 for q, s in p["scores"].items()
                   if questions[q]["points"] and s >= questions[q]["points"] - 1e-9)  # fmt: skip
        assert students[name]["correct"] == full, name
        assert students[name]["answered"] == len(answers), name

    # All right scores the whole quiz; all wrong scores nothing; the mix loses q2, q5, q8.
    assert by_name["小明"]["score"] == pytest.approx(total)
    assert by_name["小红"]["score"] == 0
    lost = sum(questions[q]["points"] for q in ("q2", "q5", "q8"))
    assert by_name["小刚"]["score"] == pytest.approx(total - lost)

    # Per question, the dashboard's right/answered counts match the results' scores.
    for stats in live["questions"]:
        qid, points = stats["id"], questions[stats["id"]]["points"]
        scored = [p["scores"][qid] for p in by_name.values() if qid in p["scores"]]
        assert stats["answered"] == len(scored), qid
        if points:
            assert stats["correct"] == sum(1 for s in scored if s >= points - 1e-9), qid
