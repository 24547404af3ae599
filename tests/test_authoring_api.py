"""The authoring API: create, write, validate, version, media, import, export, permissions."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from kepu_server import create_app
from kepu_server.auth import create_api_token, create_user
from kepu_server.cli import cli

BASE = "/api/v1/authoring/courses"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
QUESTIONS = [
    {"id": "s", "type": "single", "prompt": "Single?", "options": ["a", "b"], "answer": 1},
    {"id": "m", "type": "multiple", "prompt": "Multiple?", "options": ["a", "b", "c"],
     "answers": [0, 2]},
    {"id": "tf", "type": "truefalse", "prompt": "True?", "answer": True, "explain": "Yes."},
    {"id": "n", "type": "numeric", "prompt": "Number?", "answer": 9.8, "tolerance": 0.1,
     "unit": "m/s²"},
    {"id": "t", "type": "text", "prompt": "Text?", "accept": ["H2O"]},
    {"id": "o", "type": "ordering", "prompt": "Order?", "items": ["1", "2", "3"]},
    {"id": "p", "type": "poll", "prompt": "Poll?", "options": ["x", "y"]},
]  # fmt: skip
LESSON = {"meta": {"title": "水的旅行", "grades": ["primary"], "minutes": 30,
                   "objectives": ["know the water cycle"], "quiz": "water-quiz"},
          "body": "## 一、蒸发\n\nWater rises. ![cloud](media/cloud.png)\n\n## 二、降雨\n\nIt falls."}  # fmt: skip


def auth(user):
    return {"Authorization": f"Bearer {user['token']}"}


@pytest.fixture
def other(db):
    user_id = create_user(db, "teacher2", "correct horse 3")
    return {"id": user_id, "token": create_api_token(db, user_id)}


@pytest.fixture
def course(client, teacher):
    body = {"id": "water", "title": "水", "grades": ["primary"], "language": "zh"}
    response = client.post(BASE, json=body, headers=auth(teacher))
    assert response.status_code == 201, response.json
    return "water"


def write_course(client, teacher, course_id="water"):
    h = auth(teacher)
    quiz = {"title": "Water quiz", "questions": QUESTIONS}
    assert (
        client.put(f"{BASE}/{course_id}/quizzes/water-quiz", json=quiz, headers=h).status_code
        == 201
    )
    upload = {"file": (io.BytesIO(PNG), "Cloud.PNG")}
    media = client.post(f"{BASE}/{course_id}/media", data=upload, headers=h)
    assert media.status_code == 201 and media.json["path"] == "media/cloud.png"
    assert (
        client.put(f"{BASE}/{course_id}/lessons/water-cycle", json=LESSON, headers=h).status_code
        == 201
    )
    guide = {
        "meta": {
            "title": "Make rain",
            "materials": ["jar", "ice"],
            "safety": ["hot water"],
            "group_size": 4,
        },
        "body": "## Fill\n\nFill the jar.\n\n## Wait\n\nWatch.",
    }
    assert (
        client.put(f"{BASE}/{course_id}/guides/rain-jar", json=guide, headers=h).status_code == 201
    )


def test_a_written_course_is_served_at_once(app, client, teacher, course):
    write_course(client, teacher)
    lesson = client.get("/api/v1/courses/water/lessons/water-cycle").json
    assert [s["title"] for s in lesson["sections"]] == ["一、蒸发", "二、降雨"]
    assert "/courses/water/media/cloud.png" in lesson["sections"][0]["html"]
    assert client.get("/courses/water/media/cloud.png").data == PNG
    quiz = client.get("/api/v1/courses/water/quizzes/water-quiz", headers=auth(teacher)).json
    assert [q["type"] for q in quiz["questions"]] == [q["type"] for q in QUESTIONS]
    pack = Path(app.config["KEPU_INSTANCE"]) / "packs" / "water"
    text = (pack / "lessons" / "water-cycle.md").read_text(encoding="utf-8")
    assert text.startswith("+++\n") and 'quiz = "water-quiz"' in text
    listed = client.get("/api/v1/plugins", headers=auth(teacher)).json
    assert any(p["name"] == "water" and p["source"] == "pack" for p in listed)
    # A translation beside the default file, side by side.
    en = {"meta": {"title": "Water's journey"}, "body": "## Evaporation\n\nUp.\n\n## Rain\n\nDown."}
    assert client.put(f"{BASE}/water/lessons/water-cycle?translation=en", json=en,
                      headers=auth(teacher)).status_code == 201  # fmt: skip
    assert (
        client.get("/api/v1/courses/water/lessons/water-cycle?lang=en").json["title"]
        == "Water's journey"
    )
    files = client.get(f"{BASE}/water", headers=auth(teacher)).json
    assert files["lessons"][0]["translations"]["en"]["meta"]["title"] == "Water's journey"


def test_an_invalid_write_is_refused_with_its_file_and_line(app, client, teacher, course):
    write_course(client, teacher)
    pack = Path(app.config["KEPU_INSTANCE"]) / "packs" / "water"
    before = {p: p.read_bytes() for p in pack.rglob("*") if p.is_file()}
    bad = {
        "title": "Water quiz",
        "questions": [QUESTIONS[0], {**QUESTIONS[0], "id": "x", "answer": 7}],
    }
    response = client.put(f"{BASE}/water/quizzes/water-quiz", json=bad, headers=auth(teacher))
    assert response.status_code == 422
    problem = response.json["error"]["problems"][0]
    assert problem["file"] == "quizzes/water-quiz.toml" and problem["line"] == 14
    assert "'x'" in problem["message"]
    # Deleting the quiz the lesson names would break the lesson: refused as well.
    assert (
        client.delete(f"{BASE}/water/quizzes/water-quiz", headers=auth(teacher)).status_code == 422
    )
    lesson = {"meta": {"minutes": 30}, "body": "## no title in meta"}
    assert (
        client.put(f"{BASE}/water/lessons/x", json=lesson, headers=auth(teacher)).status_code == 422
    )
    assert client.put(f"{BASE}/water/lessons/x", json={"meta": {"title": None}},
                      headers=auth(teacher)).status_code == 400  # fmt: skip
    after = {p: p.read_bytes() for p in pack.rglob("*") if p.is_file()}
    assert after == before


def test_two_teachers_do_not_overwrite_each_other(client, teacher, course):
    h = auth(teacher)
    first = client.put(f"{BASE}/water/lessons/l1", json={"meta": {"title": "A"}, "body": "## A"},
                       headers=h)  # fmt: skip
    version = first.json["version"]
    ok = client.put(f"{BASE}/water/lessons/l1", json={"meta": {"title": "B"}, "body": "## B"},
                    headers={**h, "If-Match": f'"{version}"'})  # fmt: skip
    assert ok.status_code == 200
    stale = client.put(
        f"{BASE}/water/lessons/l1",
        json={"meta": {"title": "C"}, "body": "## C", "version": version},
        headers=h,
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.json["error"]["message"]
    assert client.get("/api/v1/courses/water/lessons/l1").json["title"] == "B"


def test_who_may_change_a_course(app, client, teacher, other, admin, course):
    lesson = {"meta": {"title": "A"}, "body": "## A"}
    assert client.put(f"{BASE}/water/lessons/l1", json=lesson).status_code == 401
    assert (
        client.put(f"{BASE}/water/lessons/l1", json=lesson, headers=auth(other)).status_code == 403
    )
    assert client.get(f"{BASE}/water/export", headers=auth(other)).status_code == 403
    assert (
        client.put(f"{BASE}/water/lessons/l1", json=lesson, headers=auth(admin)).status_code == 201
    )
    assert client.get(BASE, headers=auth(other)).json == []
    assert [c["id"] for c in client.get(BASE, headers=auth(teacher)).json] == ["water"]
    # Bundled courses are never changed in place.
    response = client.put(f"{BASE}/petroleum/lessons/l1", json=lesson, headers=auth(admin))
    assert response.status_code == 403 and "copy" in response.json["error"]["message"]
    assert (
        client.put(f"{BASE}/nothing/lessons/l1", json=lesson, headers=auth(teacher)).status_code
        == 404
    )
    taken = client.post(BASE, json={"id": "petroleum", "title": "x"}, headers=auth(teacher))
    assert taken.status_code == 409


def test_copying_a_bundled_course_leaves_it_unchanged(app, client, teacher):
    original = client.get("/api/v1/courses/petroleum").json
    source = Path(app.extensions["kepu"].catalog.course("petroleum").path)
    before = {p: p.read_bytes() for p in source.rglob("*") if p.is_file()}
    response = client.post(BASE, json={"id": "our-oil", "copy_from": "petroleum",
                                       "title": "我们的石油"}, headers=auth(teacher))  # fmt: skip
    assert response.status_code == 201, response.json
    lesson_id = original["lessons"][0]["id"]
    copied = client.get(f"/api/v1/courses/our-oil/lessons/{lesson_id}").json
    files = client.get(f"{BASE}/our-oil", headers=auth(teacher)).json
    item = next(item for item in files["lessons"] if item["id"] == lesson_id)
    edit = {"meta": {**item["meta"], "title": "改过的课"}, "body": item["body"] + "\n\n新的一段。"}
    response = client.put(f"{BASE}/our-oil/lessons/{lesson_id}", json=edit, headers=auth(teacher))
    assert response.status_code == 200, response.json
    # One section less than its English translation: refused, with the file that says so.
    short = {"meta": item["meta"], "body": "## 只有一节"}
    refused = client.put(f"{BASE}/our-oil/lessons/{lesson_id}", json=short, headers=auth(teacher))
    assert refused.status_code == 422
    assert refused.json["error"]["problems"][0]["file"] == f"lessons/{lesson_id}.en.md"
    assert client.get(f"/api/v1/courses/our-oil/lessons/{lesson_id}").json["title"] == "改过的课"
    assert copied["title"] != "改过的课"
    assert client.get("/api/v1/courses/petroleum").json == original
    assert {p: p.read_bytes() for p in source.rglob("*") if p.is_file()} == before


def test_media_is_type_checked_sanitised_and_size_limited(app, client, teacher, course):
    h = auth(teacher)

    def upload(data, name):
        return client.post(
            f"{BASE}/water/media", data={"file": (io.BytesIO(data), name)}, headers=h
        )

    assert upload(b"GIF89a....", "x.png").status_code == 415
    assert upload(b"<html>", "x.html").status_code == 415
    assert upload(b"\xff\xd8\xff\xe0" + b"0" * 10, "photo.JPG").json["path"] == "media/photo.jpg"
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>'
           b'<foreignObject><div>x</div></foreignObject><a href="http://evil.example/">'
           b'<circle r="3" onclick="x()"/></a><image href="http://evil.example/i.png"/>'
           b'<rect style="fill:url(http://evil.example/#p)" width="2"/></svg>')  # fmt: skip
    path = upload(svg, "d.svg").json["path"]
    stored = (Path(app.config["KEPU_INSTANCE"]) / "packs" / "water" / path).read_bytes()
    for bad in (b"script", b"alert", b"foreignObject", b"onload", b"onclick", b"evil.example"):
        assert bad not in stored
    assert b"<circle" in stored
    assert upload(b'<!DOCTYPE x [<!ENTITY a "b">]><svg/>', "bomb.svg").status_code == 415
    app.config["KEPU_MEDIA_MAX_BYTES"] = 1000
    assert upload(PNG + b"\x00" * 2000, "big.png").status_code == 413


GIFT = b"""// imported
::one:: 2+2? {=4 ~3 ~5}

Essay {}

Number? {#10:1}
"""


def test_import_over_http(app, client, teacher, course):
    h = auth(teacher)
    data = {"file": (io.BytesIO(GIFT), "bank.gift"), "quiz": "bank"}
    response = client.post(f"{BASE}/water/import", data=data, headers=h)
    assert response.status_code == 201, response.json
    assert response.json["quiz"] == "bank" and response.json["imported"] == 2
    assert response.json["skipped"] == [
        {"line": 4, "reason": "an essay question ({}) has no core type"}
    ]
    quiz = client.get("/api/v1/courses/water/quizzes/bank", headers=h).json
    assert [q["type"] for q in quiz["questions"]] == ["single", "numeric"]
    # Again into the same quiz: appended, clashing ids renumbered.
    again = client.post(
        f"{BASE}/water/import",
        data={"file": (io.BytesIO(GIFT), "bank.gift"), "quiz": "bank"},
        headers=h,
    )
    assert again.status_code == 201 and len(set(again.json["questions"])) == 2
    assert len(client.get("/api/v1/courses/water/quizzes/bank", headers=h).json["questions"]) == 4
    pack = Path(app.config["KEPU_INSTANCE"]) / "packs" / "water"
    before = {p: p.read_bytes() for p in pack.rglob("*") if p.is_file()}
    broken = client.post(f"{BASE}/water/import",
                         data={"file": (io.BytesIO(b"Essay {}\n\nMatch {=a -> b}"), "x.gift")},
                         headers=h)  # fmt: skip
    assert broken.status_code == 422
    assert [p["line"] for p in broken.json["error"]["problems"]] == [1, 3]
    unreadable = client.post(
        f"{BASE}/water/import", headers=h, data={"file": (io.BytesIO(b"\xff\xfe\xff"), "x.csv")}
    )
    assert unreadable.status_code == 400 and "GB18030" in unreadable.json["error"]["message"]
    bad_xlsx = client.post(
        f"{BASE}/water/import", headers=h, data={"file": (io.BytesIO(b"PK junk"), "x.xlsx")}
    )
    assert bad_xlsx.status_code == 400
    unknown = client.post(
        f"{BASE}/water/import", headers=h, data={"file": (io.BytesIO(b"x"), "x.doc")}
    )
    assert unknown.status_code == 400
    assert {p: p.read_bytes() for p in pack.rglob("*") if p.is_file()} == before
    template = client.get("/api/v1/authoring/template.xlsx", headers=h)
    assert template.status_code == 200 and template.data[:2] == b"PK"
    assert client.get("/api/v1/authoring/template.csv", headers=h).data.startswith(b"\xef\xbb\xbf")


def test_kepu_import_on_the_command_line(app, client, teacher, course, tmp_path):
    bank = tmp_path / "bank.txt"
    bank.write_text("Largest planet?\nA. Mars\nB. Jupiter\nANSWER: B\n\nBroken\nA. x\n",
                    encoding="utf-8")  # fmt: skip
    runner = app.test_cli_runner()
    args = ["import", str(bank), "--course", "water", "--instance", app.config["KEPU_INSTANCE"],
            "--content", app.config["KEPU_CONTENT"]]  # fmt: skip
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Imported 1 question(s) into water/quizzes/bank.toml (1 skipped)" in result.output
    assert "bank.txt:6" in result.output
    served = client.get("/api/v1/courses/water/quizzes/bank", headers=auth(teacher)).json
    assert served["questions"][0]["options"] == ["Mars", "Jupiter"]
    refused = runner.invoke(cli, [*args[:3], "petroleum", *args[4:]])
    assert refused.exit_code == 1 and "never changed in place" in refused.output


def test_export_installs_on_a_second_server(app, client, teacher, course, tmp_path):
    write_course(client, teacher)
    response = client.get(f"{BASE}/water/export", headers=auth(teacher))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "water/course.toml" in names and "water/media/cloud.png" in names
    archive = tmp_path / "water.zip"
    archive.write_bytes(response.data)
    second_instance = tmp_path / "second"
    second_instance.mkdir()
    second = create_app({"TESTING": True, "KEPU_INSTANCE": str(second_instance),
                         "KEPU_RELOAD_INTERVAL": 0})  # fmt: skip
    result = second.test_cli_runner().invoke(
        cli, ["plugins", "install", str(archive), "--instance", str(second_instance)]
    )
    assert result.exit_code == 0, result.output
    other = second.test_client()
    for path in (
        "/api/v1/courses/water",
        "/api/v1/courses/water/lessons/water-cycle",
        "/courses/water/media/cloud.png",
    ):
        first = client.get(path)
        assert other.get(path).data == first.data, path


def test_an_edit_is_served_without_waiting_for_the_reload_poll(instance, teacher, db):
    app = create_app(
        {"TESTING": True, "KEPU_INSTANCE": str(instance), "KEPU_RELOAD_INTERVAL": 3600}
    )
    client = app.test_client()
    h = auth(teacher)
    assert client.post(BASE, json={"id": "fast", "title": "Fast"}, headers=h).status_code == 201
    for title in ("One", "Two"):
        client.put(
            f"{BASE}/fast/lessons/l", json={"meta": {"title": title}, "body": "## x"}, headers=h
        )
        assert client.get("/api/v1/courses/fast/lessons/l").json["title"] == title


def test_plugin_question_types_validate_through_their_own_type(client, teacher, course):
    program = {"id": "robot", "type": "program", "prompt": "Go to G", "grid": ["S..G"],
               "start_heading": "E", "commands": ["forward", "left", "right"],
               "answer": ["forward", "forward", "forward"]}  # fmt: skip
    url = f"{BASE}/water/quizzes/robots"
    ok = client.put(url, json={"title": "R", "questions": [program]}, headers=auth(teacher))
    assert ok.status_code == 201, ok.json
    wrong = {**program, "answer": ["forward"]}  # stops short of G: the type says so
    refused = client.put(url, json={"title": "R", "questions": [wrong], "version": ok.json["version"]},
                         headers=auth(teacher))  # fmt: skip
    assert refused.status_code == 422
    assert "'robot'" in refused.json["error"]["problems"][0]["message"]


def test_deleting_a_course_and_its_items(app, client, teacher, other, course):
    h = auth(teacher)
    client.put(f"{BASE}/water/lessons/l1", json={"meta": {"title": "A"}, "body": "## A"}, headers=h)
    client.put(f"{BASE}/water/lessons/l1?translation=en", json={"meta": {"title": "A"}, "body": "## A"},
               headers=h)  # fmt: skip
    assert client.delete(f"{BASE}/water/lessons/l1", headers=h).status_code == 204
    pack = Path(app.config["KEPU_INSTANCE"]) / "packs" / "water"
    assert list((pack / "lessons").iterdir()) == []
    assert client.get("/api/v1/courses/water/lessons/l1").status_code == 404
    assert client.delete(f"{BASE}/water", headers=auth(other)).status_code == 403
    assert client.delete(f"{BASE}/water", headers=h).status_code == 204
    assert not pack.exists() and client.get("/api/v1/courses/water").status_code == 404
    assert client.get(BASE, headers=h).json == []


def test_cookie_uploads_need_the_csrf_token(app, client, teacher, course):
    response = client.post(
        "/login", data={"name": teacher["name"], "password": teacher["password"]}
    )
    assert response.status_code in (302, 303, 400)
    with client.session_transaction() as session:
        signed_in = bool(session.get("user_id"))
    if not signed_in:  # the login form itself wants a token: take it from the page
        import re

        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        client.post("/login", data={"name": teacher["name"], "password": teacher["password"],
                                    "csrf_token": token})  # fmt: skip
    upload = {"file": (io.BytesIO(PNG), "x.png")}
    refused = client.post(f"{BASE}/water/media", data=upload)
    assert refused.status_code == 400 and refused.json["error"]["code"] == "csrf_failed"
    page = client.get("/teach/author/water").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    upload = {"file": (io.BytesIO(PNG), "x.png")}
    ok = client.post(f"{BASE}/water/media", data=upload, headers={"X-CSRFToken": token})
    assert ok.status_code == 201


def test_changing_the_course_itself(client, teacher, course):
    h = auth(teacher)
    files = client.get(f"{BASE}/water", headers=h).json
    body = {"title": "水和我们", "summary": "新的简介", "grades": ["primary", "middle"],
            "translations": {"en": {"title": "Water and us"}}, "version": files["version"]}  # fmt: skip
    response = client.put(f"{BASE}/water", json=body, headers=h)
    assert response.status_code == 200, response.json
    served = client.get("/api/v1/courses/water?lang=en").json
    assert served["title"] == "Water and us" and served["grades"] == ["primary", "middle"]
    assert client.put(f"{BASE}/water", json=body, headers=h).status_code == 409
    assert (
        client.put(f"{BASE}/water", json={"grades": ["kindergarten"]}, headers=h).status_code == 400
    )


@pytest.mark.parametrize("fmt", ["gift", "aiken", "csv", "xlsx"])
def test_hostile_question_files_get_4xx_and_change_nothing(app, client, teacher, course, fmt):
    import random

    pack = Path(app.config["KEPU_INSTANCE"]) / "packs" / "water"
    before = {p: p.read_bytes() for p in pack.rglob("*") if p.is_file()}
    rng = random.Random(fmt)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (60 * 1024 * 1024))
    samples = [bytes(rng.randrange(256) for _ in range(2000)), b"type,prompt\n\x00,\x00\n",
               b'type,prompt\n"' + b"a" * 200_000,
               b"{" * 5000, b"::t::{#1e999..1}", b"x {#1e999}", b"PK\x03\x04" + b"\x00" * 100,
               bomb.getvalue()]  # fmt: skip
    for data in samples:
        response = client.post(f"{BASE}/water/import", headers=auth(teacher),
                               data={"file": (io.BytesIO(data), "x"), "format": fmt})  # fmt: skip
        assert 400 <= response.status_code < 500, (data[:20], response.json)
    assert {p: p.read_bytes() for p in pack.rglob("*") if p.is_file()} == before
