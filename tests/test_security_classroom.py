"""Security review: students, join codes, answer keys and what an uploaded pack may hold.

Each test marked "regression" failed before its fix; the others pin behaviour the review
checked and found sound, so that it stays that way.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import TEST_PLUGIN
from tests.student_support import join, launch, seat
from tests.test_install_packs import snapshot, write_pack, zip_folder


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPU_EXTRA_PLUGINS": [TEST_PLUGIN], "KEPU_MAX_PARTICIPANTS": 3}


def upload(client, admin, archive):
    with open(archive, "rb") as fh:
        return client.post(
            "/api/v1/plugins/packs",
            data={"pack": (fh, archive.name)},
            headers={"Authorization": f"Bearer {admin['token']}"},
        )


# ---------------------------------------------------------------- answer keys


def test_regression_two_ordering_items_are_shown_in_an_order_that_tells_nothing():
    """Two items were once always sent in the one wrong order: reversing it gave the answer."""
    from kepu_server.quiz.types import CORE_TYPES, shuffled_items

    ordering = next(t for t in CORE_TYPES if t.name == "ordering")
    assert ordering.validate({"items": ["先", "后"]}) == []
    shown = [tuple(shuffled_items(["先", "后"], f"participant-{i}")) for i in range(200)]
    assert 60 < shown.count(("先", "后")) < 140  # both orders, about equally often


def test_the_teachers_quiz_endpoint_refuses_students(app, client, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")
    student = seat(client, session["code"], "小明")
    url = "/api/v1/courses/test-course/quizzes/water-quiz"
    assert client.get(url, headers=student["headers"]).status_code == 403
    assert client.get(url).status_code == 401  # only the participant cookie
    body = client.get(url, headers=student["headers"]).get_data(as_text=True)
    assert '"answer"' not in body and '"accept"' not in body


# ---------------------------------------------------------------- joining


def test_regression_a_class_has_a_limited_number_of_seats(app, client, teacher):
    session = launch(app, teacher, quiz_id="water-quiz")
    seats = [seat(app.test_client(), session["code"], f"学生{i}") for i in range(3)]
    full = join(app.test_client(), session["code"], "第四个")
    assert full.status_code == 409
    assert full.get_json()["error"]["code"] == "class_full"
    # A student already seated still gets their own seat back.
    again = join(app.test_client(), session["code"], "学生0", token=seats[0]["token"])
    assert again.status_code == 200


def test_a_roster_class_seats_its_whole_roster(app, client, teacher):
    names = [f"同学{i}" for i in range(5)]
    session = launch(app, teacher, quiz_id="water-quiz", roster=names)
    for name in names:
        assert join(app.test_client(), session["code"], name).status_code == 200


def test_forged_forwarded_for_does_not_reset_the_join_failure_limit(app, live_server):
    """waitress does not trust X-Forwarded-For; the limit counts the socket's address."""
    app.config["KEPU_JOIN_FAILURE_LIMIT"] = "3/minute"
    statuses = []
    for i in range(5):
        request = urllib.request.Request(
            live_server.url + "/api/v1/join",
            data=json.dumps({"code": "123456", "name": "猜"}).encode(),
            headers={"Content-Type": "application/json", "X-Forwarded-For": f"10.9.8.{i}",
                     "X-Real-IP": f"10.9.7.{i}", "Forwarded": f"for=10.9.6.{i}"},
            method="POST",
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)
    assert statuses[:3] == [404, 404, 404]
    assert statuses[3:] == [429, 429]


# ---------------------------------------------------------------- packs


def _pack_with_member(tmp_path, member: str) -> Path:
    archive = zip_folder(write_pack(tmp_path / "src"), tmp_path / "pack.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr(member, b"x")
    return archive


@pytest.mark.parametrize(
    "member",
    ["media/\x1b[2Jfake.svg", "media/photo\u202egvs.exe", "lessons/line\nbreak.md",
     "media/river.svg:hidden"],
    ids=["escape", "rtl-override", "newline", "windows-stream"],
)  # fmt: skip
def test_regression_member_names_with_control_characters_are_refused(
    client, admin, instance, tmp_path, member
):
    before = snapshot(instance, with_database=False)
    response = upload(client, admin, _pack_with_member(tmp_path, member))
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == "unsafe"
    assert snapshot(instance, with_database=False) == before


def test_regression_a_course_id_with_a_trailing_newline_is_refused(
    client, admin, instance, tmp_path
):
    """``^[a-z0-9_-]+$`` matched "rivers\\n": the pack would install as a second "rivers"."""
    folder = write_pack(tmp_path / "src")
    toml = (folder / "course.toml").read_text(encoding="utf-8")
    (folder / "course.toml").write_text(
        toml.replace('id = "rivers"', 'id = "rivers\\n"'), encoding="utf-8"
    )
    response = upload(client, admin, zip_folder(folder, tmp_path / "nl.zip"))
    assert response.status_code == 422, response.get_json()
    assert list((instance / "packs").iterdir()) == []


def test_a_python_file_in_a_pack_is_never_run(client, admin, instance, tmp_path):
    marker = tmp_path / "ran"
    folder = write_pack(tmp_path / "src")
    code = f"open({str(marker)!r}, 'w').write('ran')\n"
    for name in ("__init__.py", "plugin.py", "lessons/evil.py", "kepu_server/__init__.py"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(code, encoding="utf-8")
    response = upload(client, admin, zip_folder(folder, tmp_path / "py.zip"))
    assert response.status_code == 201, response.get_json()
    assert client.get("/api/v1/courses/rivers").status_code == 200
    assert not marker.exists()


@pytest.mark.parametrize("path", ["/j/{code}", "/j?code={code}"])
def test_regression_the_join_page_is_no_unlimited_code_oracle(app, client, teacher, path):
    """GET /j/<code> showed a class's title for a right code and a 404 for a wrong one,
    without counting the miss: a script could walk all 900 000 codes past the limit."""
    app.config["KEPU_JOIN_FAILURE_LIMIT"] = "3/minute"
    session = launch(app, teacher, quiz_id="water-quiz")
    wrong = "100000" if session["code"] != "100000" else "100001"
    for _ in range(3):
        client.get(path.format(code=wrong))
    found = client.get(path.format(code=session["code"]))
    assert found.status_code == 429
    assert "Water" not in found.get_data(as_text=True)
    assert "水" not in found.get_data(as_text=True).split("<main", 1)[-1]
    # The API's join counts the same misses.
    assert join(client, session["code"], "小红").status_code == 429


def test_a_wrong_name_still_shows_the_class_roster(app, client, teacher):
    session = launch(app, teacher, quiz_id="water-quiz", roster=["张三", "李四"])
    form = client.get(f"/j/{session['code']}").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', form).group(1)
    page = client.post("/j", data={"code": session["code"], "name": "王五", "csrf_token": token})
    assert page.status_code == 400
    assert "张三" in page.get_data(as_text=True)


def test_regression_a_new_ipv6_address_per_guess_is_no_fresh_limit(app, teacher):
    """A device can take any number of addresses in its IPv6 /64: count failures per /64."""
    app.config["KEPU_JOIN_FAILURE_LIMIT"] = "3/minute"
    session = launch(app, teacher, quiz_id="water-quiz")
    wrong = "100000" if session["code"] != "100000" else "100001"
    for i in range(3):
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = f"fd00:1:2:3::{i + 1:x}"
        assert join(guesser, wrong, "猜").status_code == 404
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "fd00:1:2:3:aaaa::99"
    assert join(guesser, session["code"], "猜").status_code == 429
    neighbour = app.test_client()  # another network is not affected
    neighbour.environ_base["REMOTE_ADDR"] = "fd00:1:2:4::1"
    assert join(neighbour, session["code"], "小明").status_code in (200, 201)


@pytest.mark.parametrize("where", ["quizzes/rivers-quiz.toml", "course.toml", "lessons/rivers.md"])
def test_regression_deeply_nested_toml_is_a_content_error(client, admin, instance, tmp_path, where):
    """tomllib overflows Python's stack on "[[[[…": a 422 naming the file, never a 500."""
    folder = write_pack(tmp_path / "src")
    bomb = "deep = " + "[" * 100_000 + "]" * 100_000 + "\n"
    target = folder / where
    text = target.read_text(encoding="utf-8")
    if where.endswith(".md"):
        text = text.replace("+++\n", "+++\n" + bomb, 1)
    else:
        text = bomb + text if where == "course.toml" else text + "\n" + bomb
    target.write_text(text, encoding="utf-8")
    before = snapshot(instance, with_database=False)
    response = upload(client, admin, zip_folder(folder, tmp_path / "deep.zip"))
    assert response.status_code == 422, response.get_json()
    assert "nested" in json.dumps(response.get_json())
    assert snapshot(instance, with_database=False) == before
