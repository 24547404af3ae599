"""The /teach pages: catalog filters, launch form, join screen, presenter, dashboard, results."""

from __future__ import annotations

import re

import pytest
import segno

COURSE, LESSON, QUIZ, GUIDE = (
    "heiyoushan-trip",
    "heiyoushan-trip",
    "heiyoushan-trip-quiz",
    "field-observation",
)


@pytest.fixture
def signed_in(client, teacher):
    """The test client signed in as the teacher; returns a CSRF token for its forms."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    client.post(
        "/login",
        data={"name": teacher["name"], "password": teacher["password"], "csrf_token": token},
    )
    page = client.get("/teach/").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def start(client, csrf, **form):
    form = {"csrf_token": csrf, "course": COURSE, "pacing": "teacher", "review": "1", **form}
    if not any(k in form for k in ("lesson", "quiz", "guide")):
        form["lesson"] = LESSON
    response = client.post("/teach/launch", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[-800:]
    return response.location.split("/")[3]


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_teacher_catalog_filters(client, signed_in):
    everything = text(client.get("/teach/catalog"))
    assert "黑油山研学（一）出发之前：会冒油的山" in everything
    assert f"/teach/launch?course={COURSE}&amp;lesson={LESSON}" in everything
    assert f"/teach/launch?course={COURSE}&amp;quiz={QUIZ}" in everything
    assert f"/teach/launch?course={COURSE}&amp;guide={GUIDE}" in everything
    assert LESSON in text(client.get("/teach/catalog?grade=primary&minutes=40&language=zh"))
    english = text(client.get("/teach/catalog?language=en"))
    assert "Heiyoushan" in english and "会冒油的山" not in english
    for narrowed in ("grade=high", "minutes=20", "theme=no-such-plugin", "language=fr"):
        assert f"lesson={LESSON}" not in text(client.get(f"/teach/catalog?{narrowed}")), narrowed


def test_launch_form_for_a_lesson_a_quiz_and_a_guide(client, signed_in):
    lesson = text(client.get(f"/teach/launch?course={COURSE}&lesson={LESSON}"))
    assert 'name="pacing" value="teacher"' in lesson and 'name="roster_text"' in lesson
    assert "小测验" in text(client.get(f"/teach/launch?course={COURSE}&quiz={QUIZ}"))
    assert "野外观察" in text(client.get(f"/teach/launch?course={COURSE}&guide={GUIDE}"))
    assert client.get("/teach/launch?course=nope&lesson=x").status_code == 404
    assert client.get(f"/teach/launch?course={COURSE}&lesson=nope").status_code == 404
    assert client.get(f"/teach/launch?course={COURSE}").status_code == 400


def test_a_pasted_class_list_is_used_and_saved_for_next_time(client, db, signed_in):
    sid = start(client, signed_in, roster_mode="paste", roster_text="张三\n李四，王五\n\n张三",
                roster_name="五年级三班")  # fmt: skip
    state = client.get(f"/api/v1/sessions/{sid}").json
    assert state["roster"] == ["张三", "李四", "王五"]
    saved = next(db.query("SELECT id, name FROM rosters"))
    assert saved["name"] == "五年级三班"
    assert "五年级三班 (3)" in text(client.get(f"/teach/launch?course={COURSE}&lesson={LESSON}"))
    again = start(client, signed_in, roster_mode="saved", roster_id=str(saved["id"]))
    assert client.get(f"/api/v1/sessions/{again}").json["roster"] == ["张三", "李四", "王五"]
    # A student taps a name from the list; a name not on it is refused.
    code = client.get(f"/api/v1/sessions/{again}").json["code"]
    assert client.post("/api/v1/join", json={"code": code, "name": "李四"}).status_code == 200
    client.delete_cookie("kepu_participant")  # another tablet
    assert client.post("/api/v1/join", json={"code": code, "name": "赵六"}).status_code >= 400


def test_the_join_screen_for_the_projector(app, client, signed_in):
    app.config["KEPU_LAN_URLS"] = ["http://192.168.1.20:8000/", "http://10.0.0.5:8000/"]
    sid = start(client, signed_in)
    code = client.get(f"/api/v1/sessions/{sid}").json["code"]
    page = text(client.get(f"/teach/sessions/{sid}/join"))
    assert re.search(rf'id="join-code"[^>]*>{code}<', page)
    assert "http://192.168.1.20:8000/j</p>" in page
    assert "<strong>http://10.0.0.5:8000/j</strong>" in page  # the server's other address
    assert f"http://192.168.1.20:8000/j/{code}" in page
    # The QR code is inline SVG of exactly the join URL.
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    expected = segno.make(f"http://192.168.1.20:8000/j/{code}", error="m").svg_inline(
        scale=8, border=2
    )
    assert re.search(r' d="([^"]+)"', svg).group(1) == re.search(r' d="([^"]+)"', expected).group(1)
    # No inline script anywhere (the CSP would block it): every <script> has a src.
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))
    assert " onclick=" not in page and "javascript:" not in page
    # Names of students already in the class show at once (the script then keeps them fresh).
    client.post("/api/v1/join", json={"code": code, "name": "小明"})
    assert "<li>小明</li>" in text(client.get(f"/teach/sessions/{sid}/join"))


def test_the_presenter_turns_pages(client, signed_in):
    sid = start(client, signed_in)
    page = text(client.get(f"/teach/sessions/{sid}"))
    assert 'data-section="0"' in page and "一、出发之前" in page
    assert re.search(r'value="prev" data-action="prev"\s+disabled', page)

    def act(action, **extra):
        response = client.post(f"/teach/sessions/{sid}/control",
                               data={"csrf_token": signed_in, "action": action, **extra})  # fmt: skip
        assert response.status_code == 302 and response.location == f"/teach/sessions/{sid}"
        return text(client.get(f"/teach/sessions/{sid}"))

    assert 'data-section="1"' in act("next")
    assert 'data-section="4"' in act("goto", section="4")
    last = act("next")  # already at the end: stays
    assert 'data-section="4"' in last and re.search(
        r'value="next" data-action="next"\s+disabled', last
    )
    assert 'data-section="3"' in act("prev")
    assert 'data-action="close_quiz"' in act("open_quiz")
    assert client.get(f"/api/v1/sessions/{sid}").json["quiz_open"] is True
    assert 'data-action="unlock"' in act("lock")
    assert client.get(f"/api/v1/sessions/{sid}").json["joining_open"] is False
    bad = act("goto", section="99")
    assert 'data-section="3"' in bad and "flash-error" in bad
    ended = client.post(
        f"/teach/sessions/{sid}/control", data={"csrf_token": signed_in, "action": "end"}
    )
    assert ended.location == f"/teach/sessions/{sid}/results"
    after = act("next")
    assert 'data-action="next"' in after and 'data-section="3"' in after and "flash-error" in after


def test_a_guide_only_session_presents_its_steps(client, signed_in):
    sid = start(client, signed_in, guide=GUIDE, pacing="self")
    page = text(client.get(f"/teach/sessions/{sid}"))
    assert "分工并检查装备" in page and 'data-action="open_quiz"' not in page


def test_a_quiz_only_session_has_no_presenter_tab(client, signed_in):
    sid = start(client, signed_in, quiz=QUIZ, pacing="self")
    page = text(client.get(f"/teach/sessions/{sid}/dashboard"))
    assert f'href="/teach/sessions/{sid}"' not in page
    assert 'data-action="close_quiz"' in page


def test_the_dashboard_polls_cheaply(client, signed_in):
    sid = start(client, signed_in)
    page = text(client.get(f"/teach/sessions/{sid}/dashboard"))
    assert f'data-poll-html="/teach/sessions/{sid}/dashboard/live"' in page
    first = client.get(f"/teach/sessions/{sid}/dashboard/live")
    etag = first.headers["ETag"]
    assert client.get(f"/teach/sessions/{sid}/dashboard/live",
                      headers={"If-None-Match": etag}).status_code == 304  # fmt: skip
    code = client.get(f"/api/v1/sessions/{sid}").json["code"]
    joined = client.post("/api/v1/join", json={"code": code, "name": "<b>小明</b>"})
    client.delete_cookie("kepu_participant")
    token = {"Authorization": f"Bearer {joined.json['token']}"}
    client.patch(
        f"/api/v1/sessions/{sid}", json={"quiz_open": True}, headers={"X-CSRFToken": signed_in}
    )
    client.put("/api/v1/me/answers/q1", json={"response": 0}, headers=token)
    fresh = client.get(f"/teach/sessions/{sid}/dashboard/live", headers={"If-None-Match": etag})
    body = text(fresh)
    assert "&lt;b&gt;小明&lt;/b&gt;" in body and "<b>小明" not in body  # escaped
    assert re.search(r'data-col="answered">1 / 9<', body) and re.search(
        r'data-col="correct">1<', body
    )


def test_results_page_csv_and_deleting(client, db, signed_in):
    sid = start(client, signed_in, quiz=QUIZ, pacing="self")
    code = client.get(f"/api/v1/sessions/{sid}").json["code"]
    joined = client.post("/api/v1/join", json={"code": code, "name": "小明"})
    client.delete_cookie("kepu_participant")
    token = {"Authorization": f"Bearer {joined.json['token']}"}
    client.put("/api/v1/me/answers/q1", json={"response": 1}, headers=token)
    client.put("/api/v1/me/answers/q5", json={"response": 1955}, headers=token)
    page = text(client.get(f"/teach/sessions/{sid}/results"))
    assert "小明" in page and "1 / 9" in page
    assert '<td class="wrong">石油比水重' in page and '<td class="right">1955</td>' in page
    assert f'href="/api/v1/sessions/{sid}/results.csv?labels=1"' in page
    assert client.get(f"/api/v1/sessions/{sid}/results.csv").data.startswith(b"\xef\xbb\xbf")

    deleted = client.post(
        f"/teach/sessions/{sid}/delete-results", data={"csrf_token": signed_in, "sure": "on"}
    )
    assert deleted.status_code == 302 and db["participants"].count == 0 and db["answers"].count == 0
    assert "小明" not in text(client.get(f"/teach/sessions/{sid}/results"))
    gone = client.post(
        f"/teach/sessions/{sid}/delete", data={"csrf_token": signed_in, "sure": "on"}
    )
    assert gone.location == "/teach/" and db["class_sessions"].count == 0
    assert client.get(f"/teach/sessions/{sid}/results").status_code == 404


def test_home_lists_running_classes_and_history(client, signed_in):
    running = start(client, signed_in)
    finished = start(client, signed_in, quiz=QUIZ)
    client.post(f"/api/v1/sessions/{finished}/end", headers={"X-CSRFToken": signed_in})
    home = text(client.get("/teach/"))
    running_part, history_part = home.split("<h2>历史记录</h2>")
    assert f"/teach/sessions/{running}/join" in running_part
    assert f"/teach/sessions/{finished}/results" in history_part
    assert f"/teach/sessions/{running}/results" not in history_part


def test_the_teacher_pages_speak_english_too(client, signed_in):
    sid = start(client, signed_in)
    page = text(client.get(f"/teach/sessions/{sid}?lang=en"))
    assert "Next page" in page and "Open the quiz" in page and "下一页" not in page
    assert "Start a new class" in text(client.get("/teach/"))  # the choice stuck


def test_classes_older_than_the_retention_period_are_deleted(app, client, db, signed_in):
    old = start(client, signed_in)
    recent = start(client, signed_in)
    code = client.get(f"/api/v1/sessions/{old}").json["code"]
    client.post("/api/v1/join", json={"code": code, "name": "小明"})
    db.execute("UPDATE class_sessions SET created_at = '2020-01-01T00:00:00+00:00', "
               "ended_at = '2020-01-01T01:00:00+00:00', state = 'ended' WHERE id = ?", [old])  # fmt: skip
    app.config["KEPU_RETENTION_DAYS"] = 365
    app.extensions.pop("kepu_retention", None)  # an hour has passed since the last purge
    home = text(client.get("/teach/"))
    assert f"/teach/sessions/{old}/" not in home and f"/teach/sessions/{recent}/" in home
    assert [r["id"] for r in db.query("SELECT id FROM class_sessions")] == [recent]
    assert db["participants"].count == 0


def test_a_quiz_no_lesson_links_to_can_be_started_on_its_own(tmp_path, app_config):
    import shutil

    from kepu_server import create_app
    from kepu_server.auth import create_api_token, create_user
    from kepu_server.store.db import open_db
    from tests.conftest import ROOT

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / COURSE, content / COURSE)
    for lesson in (content / COURSE / "lessons").glob("*.md"):
        lesson.write_text(re.sub(r'(?m)^quiz = ".*"\n', "", lesson.read_text("utf-8")), "utf-8")
    app = create_app({**app_config, "KEPU_CONTENT": str(content)})
    db = open_db(app.config["KEPU_DATABASE"])
    token = create_api_token(db, create_user(db, "teacher9", "correct horse 9"))
    db.conn.close()
    page = app.test_client().get("/teach/catalog", headers={"Authorization": f"Bearer {token}"})
    html = page.get_data(as_text=True)
    assert f"/teach/launch?course={COURSE}&amp;quiz={QUIZ}" in html and "小测验" in html
