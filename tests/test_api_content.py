"""The read-only API and the catalog pages: shapes, languages, 404s as JSON, ETags."""

from __future__ import annotations

import pytest


def test_health(client):
    body = client.get("/api/v1/health").get_json()
    assert body["status"] == "ok" and body["version"]


def test_courses_list_every_bundled_and_school_course(client):
    courses = {c["id"]: c for c in client.get("/api/v1/courses").get_json()}
    assert {"petroleum", "robotics", "ai_startline", "heiyoushan-trip"} <= set(courses)
    school = courses["heiyoushan-trip"]
    assert school["plugin"] == "content" and school["lessons"] == 3  # before, on site, after
    assert set(school) >= {"id", "title", "plugin", "grades", "lessons"}


def test_course_detail_lists_lessons_quizzes_guides(client):
    course = client.get("/api/v1/courses/heiyoushan-trip").get_json()
    # The course.toml order: before the trip, on site, back at school.
    assert [item["id"] for item in course["lessons"]] == [
        "heiyoushan-trip", "heiyoushan-trip-field", "heiyoushan-trip-after"]  # fmt: skip
    assert sorted(item["id"] for item in course["quizzes"]) == [
        "heiyoushan-trip-after-quiz", "heiyoushan-trip-field-quiz", "heiyoushan-trip-quiz"]  # fmt: skip
    assert [item["id"] for item in course["guides"]] == ["field-observation"]


def test_lesson_has_the_fields_of_design_md(client):
    lesson = client.get("/api/v1/courses/heiyoushan-trip/lessons/heiyoushan-trip").get_json()
    assert set(lesson) >= {"id", "title", "grades", "minutes", "objectives", "quiz", "guides",
                           "sections"}  # fmt: skip
    assert lesson["quiz"] == "heiyoushan-trip-quiz"
    assert all(set(s) == {"title", "html"} for s in lesson["sections"])
    assert "/courses/heiyoushan-trip/media/" in "".join(s["html"] for s in lesson["sections"])


def test_language_from_query_then_accept_language_then_default(client):
    url = "/api/v1/courses/heiyoushan-trip/lessons/heiyoushan-trip"
    zh = client.get(url).get_json()
    en = client.get(url + "?lang=en").get_json()
    by_header = client.get(url, headers={"Accept-Language": "en-US,en;q=0.9"}).get_json()
    query_wins = client.get(url + "?lang=zh", headers={"Accept-Language": "en"}).get_json()
    assert zh["language"] == "zh" and en["language"] == "en" and by_header["language"] == "en"
    assert query_wins["title"] == zh["title"] != en["title"]


def test_etag_gives_304_when_unchanged(client):
    first = client.get("/api/v1/courses")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/courses", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/courses/nope",
        "/api/v1/courses/heiyoushan-trip/lessons/nope",
        "/api/v1/courses/nope/lessons/x",
        "/api/v1/nothing/here",
    ],
)
def test_unknown_ids_are_404_json(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_full_quiz_needs_a_teacher(client, teacher):
    url = "/api/v1/courses/heiyoushan-trip/quizzes/heiyoushan-trip-quiz"
    assert client.get(url).status_code == 401
    # An unknown token is no credential (401); a real student's token is a 403 (test_contract).
    assert client.get(url, headers={"Authorization": "Bearer p_student"}).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer kepu_wrong"}).status_code == 401
    quiz = client.get(url, headers={"Authorization": f"Bearer {teacher['token']}"}).get_json()
    assert all("answer" in q or "answers" in q or "accept" in q or "items" in q
               for q in quiz["questions"])  # fmt: skip


def test_plugins_api_needs_a_teacher_and_lists_status(client, teacher):
    assert client.get("/api/v1/plugins").status_code == 401
    plugins = client.get(
        "/api/v1/plugins", headers={"Authorization": f"Bearer {teacher['token']}"}
    ).get_json()
    by_name = {p["name"]: p for p in plugins}
    assert by_name["petroleum"]["source"] == "bundled"
    assert set(by_name["content"]) >= {"name", "version", "source", "status", "error", "courses"}


def test_openapi_describes_the_content_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    for path in ("/api/v1/health", "/api/v1/courses", "/api/v1/courses/{course}",
                 "/api/v1/courses/{course}/lessons/{lesson}"):  # fmt: skip
        assert "get" in spec["paths"][path]


def test_an_unknown_api_post_is_a_404_json_error(client, teacher):
    response = client.post("/api/v1/nothing", data="{not json", content_type="application/json",
                           headers={"Authorization": f"Bearer {teacher['token']}"})  # fmt: skip
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_json_body_refuses_bad_and_huge_bodies(app):
    from kepu_server.errors import ApiError
    from kepu_server.views.common import json_body

    for data, status in (("{not json", 400), ("[1, 2]", 400), ("x" * 70_000, 413)):
        with app.test_request_context("/api/v1/x", method="POST", data=data,
                                      content_type="application/json"):  # fmt: skip
            try:
                json_body()
            except ApiError as exc:
                assert exc.status == status
            else:
                raise AssertionError(f"{data[:10]!r} was accepted")


# ------------------------------------------------------------ pages


def test_catalog_page_is_chinese_by_default_and_english_on_request(client):
    zh = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "黑油山研学" in zh and 'lang="zh-CN"' in zh
    en = client.get("/?lang=en").get_data(as_text=True)
    assert 'lang="en"' in en and "Field Trip" in en


def test_pages_stay_chinese_for_a_browser_set_to_english_until_english_is_chosen(client):
    page = client.get("/courses/heiyoushan-trip", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "课程" in page.get_data(as_text=True) and "黑油山研学" in page.get_data(as_text=True)
    client.get("/?lang=en")  # the language switch; remembered in a cookie
    page = client.get("/courses/heiyoushan-trip").get_data(as_text=True)
    assert "Field Trip" in page and "Courses" in page


def test_catalog_filters_by_grade(client):
    page = client.get("/?grade=high").get_data(as_text=True)
    assert "黑油山研学" not in page


@pytest.mark.parametrize(
    "url, text",
    [
        ("/courses/heiyoushan-trip", "黑油山"),
        ("/courses/heiyoushan-trip/lessons/heiyoushan-trip", "<h2>"),
        ("/courses/heiyoushan-trip/guides/field-observation", '<ol class="steps">'),
    ],
)
def test_pages_render(client, url, text):
    response = client.get(url)
    assert response.status_code == 200
    assert text in response.get_data(as_text=True)


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/courses/nope")
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_media_is_served_inert_and_cannot_escape_the_folder(client):
    svg = client.get("/courses/heiyoushan-trip/media/seep-cross-section.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert "sandbox" in svg.headers["Content-Security-Policy"]
    assert client.get("/courses/heiyoushan-trip/media/../course.toml").status_code == 404
    assert client.get("/courses/heiyoushan-trip/media/%2e%2e/course.toml").status_code == 404


def test_pages_carry_a_strict_content_security_policy(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1]


def test_an_edited_lesson_is_rendered_afresh_and_old_requests_keep_their_snapshot(
    app_config, tmp_path
):
    import shutil

    from kepu_server import create_app
    from kepu_server.catalog import get_catalog
    from tests.conftest import ROOT

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "heiyoushan-trip", content / "heiyoushan-trip")
    app = create_app({**app_config, "KEPU_CONTENT": str(content)})
    client = app.test_client()
    url = "/api/v1/courses/heiyoushan-trip/lessons/heiyoushan-trip"
    before = client.get(url).get_json()["sections"][0]["html"]
    with app.test_request_context():
        in_flight = get_catalog()
    lesson = content / "heiyoushan-trip" / "lessons" / "heiyoushan-trip.md"
    text = lesson.read_text(encoding="utf-8")
    head, first_heading, rest = text.partition("\n## ")
    lesson.write_text(f"{head}\n## {rest.splitlines()[0]}\n**全新的一段。**\n"
                      + "\n".join(rest.splitlines()[1:]), encoding="utf-8")  # fmt: skip
    after = client.get(url).get_json()["sections"][0]["html"]
    assert "<strong>全新的一段。</strong>" in after and after != before
    old = in_flight.courses["heiyoushan-trip"].lessons["heiyoushan-trip"].sections[0].markdown
    assert "全新的一段" not in old  # a request that took the old snapshot keeps it whole
