"""Science Starting Line · AI (科学起跑线 · 人工智能): the bundled AI starter course plugin.

Besides its course folder, the plugin is the worked example of the ``kepu_blueprints`` extension
point: a small blueprint, mounted by the core at ``/x/ai_startline/``, that serves an offline,
in-browser nearest-neighbour activity at ``/x/ai_startline/knn``. The page extends the core's
``base.html``; its only script is ``static/knn.js`` (no inline JavaScript, no libraries, no CDN).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, render_template, request

from kepu_server import hookimpl, load_course_dir

COURSE_DIR = Path(__file__).parent / "course"
LANGUAGES = ("zh", "en")

# Every string the activity shows, per language. The page hands the chosen language's strings to
# knn.js through a data- attribute, so the script itself contains no user-visible text.
STRINGS = {
    "zh": {
        "title": "最近邻：新卡片该算哪一类？",
        "intro": "先点一种水果，再点坐标板摆卡片。摆好以后点“新卡片”，再点坐标板放下它（按住可以拖动），"
        "看看离它最近的 k 张卡片怎样投票。",
        "axis_x": "大小 →",
        "axis_y": "↑ 圆不圆",
        "board_label": "坐标板：横轴是大小，纵轴是圆不圆",
        "classes": {"apple": "苹果", "cherry": "樱桃", "banana": "香蕉"},
        "query": "新卡片",
        "erase": "擦掉",
        "example": "示例摆放",
        "reset": "全部清空",
        "tools": "选一种卡片",
        "k_label": "k：看几个最近的邻居",
        "hint_place": "现在点坐标板，摆一张“{label}”卡片。",
        "hint_query": "现在点坐标板，放下新卡片；按住可以拖动。",
        "hint_erase": "点一张卡片，把它擦掉。",
        "count": "已摆放 {n} 张卡片",
        "no_points": "先摆几张水果卡片吧。",
        "no_query": "点“新卡片”，再点坐标板放下它。",
        "nearest": "离新卡片最近的 {k} 张卡片：",
        "fewer": "只有 {n} 张卡片，所以只看了 {n} 张。",
        "distance": "距离 {d}",
        "votes": "投票",
        "vote_count": "{n} 票",
        "prediction": "预测：{label}",
        "summary": "k = {k} → {prediction}（{votes}）",
        "tie": "平票！由离得最近的那张卡片决定。",
        "position": "新卡片：大小 {x}，圆不圆 {y}",
        "try": "试一试：把一张樱桃卡片故意摆进苹果堆里（就像一张标错的卡片），"
        "再把新卡片放在它旁边，比较 k = 1 和 k = 5 的结果。",
        "back": "回到课程：从例子中学习",
        "noscript": "这个互动活动需要开启 JavaScript。",
    },
    "en": {
        "title": "Nearest neighbours: which class is the new card?",
        "intro": "Tap a kind of fruit, then tap the board to place cards. When you are done, tap "
        "“New card” and tap the board to drop it (hold to drag it), and watch how the k nearest "
        "cards vote.",
        "axis_x": "size →",
        "axis_y": "↑ roundness",
        "board_label": "Board: size across, roundness up",
        "classes": {"apple": "apple", "cherry": "cherry", "banana": "banana"},
        "query": "New card",
        "erase": "Erase",
        "example": "Example layout",
        "reset": "Clear all",
        "tools": "Choose a card",
        "k_label": "k: how many nearest neighbours",
        "hint_place": "Now tap the board to place a card: {label}.",
        "hint_query": "Now tap the board to drop the new card; hold to drag it.",
        "hint_erase": "Tap a card to erase it.",
        "count": "{n} cards placed",
        "no_points": "Place some fruit cards first.",
        "no_query": "Tap “New card”, then tap the board to drop it.",
        "nearest": "The {k} cards nearest the new card:",
        "fewer": "There are only {n} cards, so only {n} were used.",
        "distance": "distance {d}",
        "votes": "Votes",
        "vote_count": "{n}",
        "prediction": "Prediction: {label}",
        "summary": "k = {k} → {prediction} ({votes})",
        "tie": "A tie! The single nearest card decides.",
        "position": "New card: size {x}, roundness {y}",
        "try": "Try this: put a cherry card right among the apples (like a mislabelled card), "
        "drop the new card next to it, and compare k = 1 with k = 5.",
        "back": "Back to the lesson: Learning from Examples",
        "noscript": "This interactive activity needs JavaScript turned on.",
    },
}


def page_language() -> str:
    """Chinese unless English is asked for with ``?lang=en`` (or the core's remembered choice)."""
    lang = (request.args.get("lang") or request.cookies.get("lang") or "zh").split("-")[0].lower()
    return lang if lang in LANGUAGES else "zh"


def make_blueprint() -> Blueprint:
    bp = Blueprint(
        "kepu_ai_startline", __name__, static_folder="static", template_folder="templates"
    )

    @bp.get("/knn")
    def knn():
        lang = page_language()
        return render_template(
            "kepu_ai_startline/knn.html", lang=lang, strings=STRINGS[lang], ks=(1, 3, 5)
        )

    return bp


@hookimpl
def kepu_courses(app):
    return [load_course_dir(COURSE_DIR)]


@hookimpl
def kepu_blueprints(app):
    # A fresh Blueprint per app: create_app may run many times in one process (tests).
    return [make_blueprint()]
