"""The bundled AI starter course plugin (科学起跑线 · 人工智能): its blueprint and its course.

Everything goes through the app (fixtures ``app``, ``client``, ``teacher`` from conftest):
the nearest-neighbour page mounted at /x/ai_startline/knn, its static script, and the course
as the content API serves it in both languages.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

COURSE = "ai_startline"
KNN_PAGE = "/x/ai_startline/knn"
KNN_JS = "/x/ai_startline/static/knn.js"
KNN_CSS = "/x/ai_startline/static/knn.css"
GRADES = {"primary", "middle", "high"}
EXTERNAL_URL = re.compile(r"https?://", re.IGNORECASE)
HAN = re.compile(r"[\u4e00-\u9fff]")
STATIC = Path(__file__).resolve().parent.parent / "plugins" / "ai_startline" / "static"


class _Tags(HTMLParser):
    """Collects the tags of a page with their attributes."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.script_text.append(data)


def parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def knn_strings(html: str) -> dict:
    app_tags = [attrs for tag, attrs in parse(html).tags if "data-knn-app" in attrs]
    assert len(app_tags) == 1, "the page has exactly one activity root"
    return json.loads(app_tags[0]["data-strings"])


# ------------------------------------------------------------------ the blueprint and its page


def test_knn_page_in_chinese_by_default(client):
    response = client.get(KNN_PAGE)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "最近邻" in html
    strings = knn_strings(html)
    assert strings["classes"] == {"apple": "苹果", "cherry": "樱桃", "banana": "香蕉"}


def test_knn_page_in_english(client):
    response = client.get(KNN_PAGE + "?lang=en")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Nearest neighbours" in html
    strings = knn_strings(html)
    assert strings["classes"]["apple"] == "apple"
    assert not HAN.search(json.dumps(strings, ensure_ascii=False))


def test_both_languages_have_the_same_strings(client):
    zh = knn_strings(client.get(KNN_PAGE + "?lang=zh").get_data(as_text=True))
    en = knn_strings(client.get(KNN_PAGE + "?lang=en").get_data(as_text=True))
    assert zh.keys() == en.keys()
    assert zh["classes"].keys() == en["classes"].keys()


@pytest.mark.parametrize("query", ["", "?lang=en"])
def test_page_extends_the_core_layout_and_loads_only_its_own_script(client, query):
    html = client.get(KNN_PAGE + query).get_data(as_text=True)
    tags = parse(html)
    scripts = [attrs for tag, attrs in tags.tags if tag == "script"]
    assert scripts, "the page loads knn.js"
    assert [s.get("src") for s in scripts] == [KNN_JS]
    assert not tags.script_text, "no inline JavaScript (the CSP forbids it)"
    assert not any(name.startswith("on") for _, attrs in tags.tags for name in attrs)
    stylesheets = [
        a.get("href") for t, a in tags.tags if t == "link" and a.get("rel") == "stylesheet"
    ]
    assert KNN_CSS in stylesheets
    assert any("kepu.css" in href for href in stylesheets), "extends the core's base.html"
    # k = 1, 3 and 5 can be chosen; the three card classes, the new card, erase and reset exist.
    ks = sorted(int(a["data-k"]) for _, a in tags.tags if "data-k" in a)
    assert ks == [1, 3, 5]
    modes = {a["data-mode"] for _, a in tags.tags if "data-mode" in a}
    assert {"apple", "cherry", "banana", "query", "erase"} <= modes
    actions = {a["data-action"] for _, a in tags.tags if "data-action" in a}
    assert {"reset", "example"} <= actions


@pytest.mark.parametrize("query", ["", "?lang=en"])
def test_page_contains_no_external_url(client, query):
    html = client.get(KNN_PAGE + query).get_data(as_text=True)
    assert not EXTERNAL_URL.search(html)


def test_script_is_served_as_javascript_without_external_urls(client):
    response = client.get(KNN_JS)
    assert response.status_code == 200
    assert response.mimetype in ("text/javascript", "application/javascript")
    source = response.get_data(as_text=True)
    assert "function knnPredict(points, query, k)" in source
    assert not EXTERNAL_URL.search(source)
    assert "import " not in source and "require(" not in source  # no libraries


def test_stylesheet_is_served_without_external_urls(client):
    response = client.get(KNN_CSS)
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert not EXTERNAL_URL.search(response.get_data(as_text=True))
    assert "@import" not in response.get_data(as_text=True)


def test_knn_predict_passes_its_node_tests():
    """The pure function knnPredict, run by Node's own test runner (skipped without node)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    result = subprocess.run(
        [node, "--test", "knn.test.mjs"], cwd=STATIC, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


# ------------------------------------------------------------------ the course


@pytest.fixture
def course(client):
    response = client.get(f"/api/v1/courses/{COURSE}?lang=zh")
    assert response.status_code == 200
    return response.get_json()


def test_course_is_listed_with_all_three_grades(client):
    listed = {c["id"]: c for c in client.get("/api/v1/courses").get_json()}
    assert COURSE in listed
    entry = listed[COURSE]
    assert set(entry["grades"]) == GRADES
    assert entry["lessons"] >= 6
    assert client.get(f"/api/v1/courses/{COURSE}?lang=en").get_json()["title"] == (
        "Science Starting Line · AI"
    )


def test_lessons_cover_every_grade(course):
    lessons = course["lessons"]
    assert len(lessons) >= 6
    for grade in GRADES:
        assert sum(grade in lesson["grades"] for lesson in lessons) >= 2, grade


def test_every_lesson_has_an_english_translation_and_a_quiz(client, course):
    quizzes = {q["id"]: q for q in course["quizzes"]}
    for summary in course["lessons"]:
        base = f"/api/v1/courses/{COURSE}/lessons/{summary['id']}"
        zh = client.get(base + "?lang=zh").get_json()
        en = client.get(base + "?lang=en").get_json()
        assert zh["quiz"] and zh["quiz"] in quizzes, summary["id"]
        assert quizzes[zh["quiz"]]["questions"] >= 6
        assert 30 <= zh["minutes"] <= 45
        assert 3 <= len(zh["sections"]) <= 6
        assert len(en["sections"]) == len(zh["sections"])
        assert len(en["objectives"]) == len(zh["objectives"]) >= 2
        assert HAN.search(zh["title"]) and not HAN.search(en["title"]), summary["id"]
        for section in en["sections"]:
            assert not HAN.search(section["title"]), (summary["id"], section["title"])
        for lang_doc in (zh, en):
            for section in lang_doc["sections"]:
                assert not EXTERNAL_URL.search(section["html"]), (summary["id"], section["title"])


def test_every_quiz_is_explained_and_translated(client, course, teacher):
    headers = {"Authorization": f"Bearer {teacher['token']}"}
    types = set()
    for entry in course["quizzes"]:
        base = f"/api/v1/courses/{COURSE}/quizzes/{entry['id']}"
        zh = client.get(base + "?lang=zh", headers=headers).get_json()
        en = client.get(base + "?lang=en", headers=headers).get_json()
        assert len(zh["questions"]) >= 6
        assert [q["id"] for q in en["questions"]] == [q["id"] for q in zh["questions"]]
        for q_zh, q_en in zip(zh["questions"], en["questions"], strict=True):
            types.add(q_zh["type"])
            assert q_zh["explain"] and q_en["explain"], (entry["id"], q_zh["id"])
            assert q_en["prompt"] != q_zh["prompt"], (entry["id"], q_zh["id"])
            assert not HAN.search(q_en["prompt"]), (entry["id"], q_zh["id"])
    assert types >= {"single", "multiple", "truefalse", "numeric", "text", "ordering", "poll"}


def test_lessons_show_their_diagrams(client, course):
    images = set()
    for summary in course["lessons"]:
        lesson = client.get(f"/api/v1/courses/{COURSE}/lessons/{summary['id']}").get_json()
        for section in lesson["sections"]:
            for _, attrs in parse(section["html"]).tags:
                if attrs.get("src", "").endswith(".svg"):
                    images.add(attrs["src"])
    assert len(images) >= 4
    for src in images:
        response = client.get(src)
        assert response.status_code == 200, src
        assert response.mimetype == "image/svg+xml"
        body = response.get_data(as_text=True)
        assert "<script" not in body
        assert not EXTERNAL_URL.search(body.replace("http://www.w3.org/2000/svg", ""))


def test_guides_are_translated(client, course):
    assert len(course["guides"]) >= 2
    for entry in course["guides"]:
        zh = client.get(f"/courses/{COURSE}/guides/{entry['id']}?lang=zh")
        en = client.get(f"/courses/{COURSE}/guides/{entry['id']}?lang=en")
        assert zh.status_code == en.status_code == 200


@pytest.mark.parametrize(
    ("query", "href"), [("?lang=zh", KNN_PAGE), ("?lang=en", KNN_PAGE + "?lang=en")]
)
def test_lesson_links_to_the_activity(client, query, href):
    lesson = client.get(f"/api/v1/courses/{COURSE}/lessons/learn-from-examples{query}").get_json()
    hrefs = [
        attrs.get("href")
        for section in lesson["sections"]
        for tag, attrs in parse(section["html"]).tags
        if tag == "a"
    ]
    assert href in hrefs
    page = client.get(href)
    assert page.status_code == 200


# ------------------------------------------------------------------ in a real browser


@pytest.mark.browser
@pytest.mark.parametrize(
    ("viewport", "query", "apple"),
    [
        ({"width": 800, "height": 1280}, "", "苹果"),
        ({"width": 1280, "height": 800}, "?lang=en", "apple"),
    ],
)
def test_knn_activity_in_the_browser(browser, live_server, viewport, query, apple):
    context = browser.new_context(viewport=viewport, has_touch=True)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    try:
        page.goto(live_server.url + KNN_PAGE + query)

        # The pure function, as the page loaded it.
        label = page.evaluate(
            """() => KepuKnn.knnPredict(
                [{x: 6.5, y: 8, label: "apple"}, {x: 6.2, y: 7, label: "apple"},
                 {x: 3, y: 8.6, label: "cherry"}, {x: 6, y: 3, label: "banana"}],
                {x: 5, y: 8}, 3).label"""
        )
        assert label == "apple"

        # Touch targets and layout: nothing narrower or lower than 44px, no sideways scrolling.
        small = page.eval_on_selector_all(
            ".knn button",
            """els => els.filter(e => { const r = e.getBoundingClientRect();
                                        return r.width < 44 || r.height < 44; }).length""",
        )
        assert small == 0
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        # The example layout reproduces the lesson's diagram: k = 3 votes apple.
        page.click('[data-action="example"]')
        page.click('[data-k="3"]')
        assert page.get_attribute("[data-prediction]", "data-prediction") == "apple"
        assert page.locator(".knn-link").count() == 3
        assert apple in page.inner_text("[data-result]")

        board = page.locator("[data-board]").bounding_box()
        assert board["width"] >= 400
        if viewport["width"] > viewport["height"]:
            assert board["y"] + board["height"] <= viewport["height"], "board fits the screen"

        # A "mislabelled" cherry among the apples: k = 1 follows it, k = 5 outvotes it.
        page.click('[data-mode="cherry"]')
        page.locator("[data-board]").tap(
            position={"x": board["width"] * 0.8, "y": board["height"] * 0.2}
        )
        page.click('[data-mode="query"]')
        page.locator("[data-board]").tap(
            position={"x": board["width"] * 0.79, "y": board["height"] * 0.21}
        )
        page.click('[data-k="1"]')
        assert page.get_attribute("[data-prediction]", "data-prediction") == "cherry"
        assert page.locator(".knn-link").count() == 1
        page.click('[data-k="5"]')
        assert page.get_attribute("[data-prediction]", "data-prediction") == "apple"
        assert page.locator(".knn-link").count() == 5

        page.click('[data-action="reset"]')
        assert page.locator("[data-prediction]").count() == 0
        assert page.locator("[data-layer='cards'] use").count() == 0
        assert not problems
    finally:
        context.close()


# ------------------------------------------------------------------ the kNN example agrees with itself

COURSE_DIR = STATIC.parent / "course"


def _lesson_cards(lesson: str) -> dict[int, tuple[float, float, str]]:
    text = (COURSE_DIR / "lessons" / lesson).read_text(encoding="utf-8")
    header = "| Apple | Cherry | Banana |" if ".en." in lesson else "| 苹果 | 樱桃 | 香蕉 |"
    table = text.split(header, 1)[1].split("\n\n", 1)[0]
    cards = {}
    for row in table.splitlines()[2:]:
        cells = [c.strip() for c in row.strip("|").split("|")]
        for label, cell in zip(("apple", "cherry", "banana"), cells, strict=True):
            n, x, y = re.search(r"(\d+)\D+\(([\d.]+), ([\d.]+)\)", cell).groups()
            cards[int(n)] = (float(x), float(y), label)
    return cards


def test_knn_lesson_table_diagram_and_activity_show_the_same_cards():
    cards = _lesson_cards("learn-from-examples.md")
    assert len(cards) == 15 and _lesson_cards("learn-from-examples.en.md") == cards
    # The activity's example layout is the table.
    js = (STATIC / "knn.js").read_text(encoding="utf-8")
    example = re.findall(r"\[([\d.]+), ([\d.]+), \"(\w+)\"\]", js.split("var EXAMPLE", 1)[1])
    assert sorted((float(x), float(y), c) for x, y, c in example) == sorted(cards.values())
    # The diagram: equal scales on both axes, and every card where the table puts it.
    svg = (COURSE_DIR / "media" / "knn-scatter.svg").read_text(encoding="utf-8")
    verticals = sorted({float(x) for x in re.findall(r'<line x1="([\d.]+)" y1="480"', svg)})
    horizontals = sorted({float(y) for y in re.findall(r'<line x1="80" y1="([\d.]+)"', svg)})
    x_unit = (verticals[-1] - verticals[0]) / 10
    y_unit = (horizontals[-1] - horizontals[0]) / 10
    assert len(verticals) == len(horizontals) == 11 and x_unit == y_unit

    def at(x, y):
        return 80 + x * x_unit, 480 - y * y_unit

    drawn = [
        (float(a), float(b))
        for a, b in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="(?:11|7)"', svg)
    ]
    drawn += [
        (float(a) + 16, float(b) + 4)
        for a, b in re.findall(r'<path d="M([\d.]+),([\d.]+) Q', svg)[:-1]
    ]
    for x, y, _ in cards.values():
        assert any(
            abs(dx - at(x, y)[0]) < 0.05 and abs(dy - at(x, y)[1]) < 0.05 for dx, dy in drawn
        )


def test_knn_lesson_ranking_is_the_computed_one_and_votes_apple():
    cards = _lesson_cards("learn-from-examples.md")
    query = (5.0, 8.0)
    ranked = sorted(
        cards, key=lambda n: (cards[n][0] - query[0]) ** 2 + (cards[n][1] - query[1]) ** 2
    )
    text = (COURSE_DIR / "lessons" / "learn-from-examples.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d) \| (\d+) 号\w+ \(([\d.]+), ([\d.]+)\) \| ([\d.]+) \|$", text, re.M)
    assert [int(card) for _, card, *_ in rows] == ranked[:5]
    for _, card, _, _, distance in rows:
        x, y, _ = cards[int(card)]
        assert abs(((x - 5) ** 2 + (y - 8) ** 2) ** 0.5 - float(distance)) < 0.05
    votes = [cards[n][2] for n in ranked[:3]]
    assert votes.count("apple") == 2 and "预测为**苹果**" in text
