"""The admin "Plugins" page and API: listing, enable/disable, and content-pack uploads only."""

from __future__ import annotations

import io
import json
import re
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.test_install_folder_plugins import write_folder_plugin
from tests.test_install_hostile import symlink
from tests.test_install_packs import snapshot, write_pack, zip_folder


class SpyStream(io.BytesIO):
    """A request body that remembers whether anyone read it."""

    was_read = False

    def read(self, *args):
        self.was_read = True
        return super().read(*args)

    def readline(self, *args):
        self.was_read = True
        return super().readline(*args)

    def readinto(self, buffer):
        self.was_read = True
        return super().readinto(buffer)


def signed_in(client, user) -> str:
    """Sign ``client`` in through the sign-in form; returns the page's CSRF token."""
    form = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post(
        "/login", data={"name": user["name"], "password": user["password"], "csrf_token": token}
    )
    assert response.status_code == 302, response.status_code
    page = client.get("/admin/plugins")
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True))
    return match.group(1) if match else ""


def course_ids(client) -> list[str]:
    return [c["id"] for c in client.get("/api/v1/courses").get_json()]


def upload(client, path: Path, token: str | None = None, csrf: str | None = None, name=None):
    data = {"pack": (io.BytesIO(path.read_bytes()), name or path.name)}
    if csrf:
        data["csrf_token"] = csrf
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = "/api/v1/plugins/packs" if token else "/admin/plugins/packs?lang=en"
    return client.post(url, data=data, headers=headers, content_type="multipart/form-data")


@pytest.fixture
def pack(tmp_path) -> Path:
    return zip_folder(write_pack(tmp_path / "src" / "rivers"), tmp_path / "rivers.zip", "rivers/")


def test_admin_uploads_a_pack_and_teachers_see_it(client, admin, instance, pack):
    csrf = signed_in(client, admin)
    response = upload(client, pack, csrf=csrf)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "rivers" in page and "1.0.0" in page
    assert (instance / "packs" / "rivers" / "course.toml").is_file()
    assert "rivers" in course_ids(client)


def test_upload_without_csrf_token_is_refused(client, admin, instance, pack):
    signed_in(client, admin)
    before = snapshot(instance, with_database=False)
    response = upload(client, pack)
    assert response.status_code == 400
    assert snapshot(instance, with_database=False) == before


@pytest.mark.parametrize("who", ["nobody", "teacher"])
def test_non_admins_are_stopped_before_the_upload_is_read(client, request, instance, who):
    headers = {}
    if who == "teacher":
        headers["Authorization"] = f"Bearer {request.getfixturevalue('teacher')['token']}"
    for url in ("/admin/plugins/packs", "/api/v1/plugins/packs"):
        body = SpyStream(b"--x\r\nContent-Disposition: form-data; name=\"pack\"; "
                         b"filename=\"p.zip\"\r\n\r\nPK\r\n--x--\r\n")  # fmt: skip
        before = snapshot(instance, with_database=False)
        response = client.post(url, input_stream=body, headers=headers,
                               content_type="multipart/form-data; boundary=x",
                               content_length=len(body.getvalue()))  # fmt: skip
        if who == "teacher":
            assert response.status_code == 403
        elif url.startswith("/api/"):
            assert response.status_code == 401
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        assert not body.was_read
        assert snapshot(instance, with_database=False) == before


def test_the_upload_is_read_for_an_admin(client, admin):
    body = SpyStream(b"--x\r\nContent-Disposition: form-data; name=\"pack\"; "
                     b"filename=\"p.zip\"\r\n\r\nnot a zip\r\n--x--\r\n")  # fmt: skip
    response = client.post("/api/v1/plugins/packs", input_stream=body,
                           headers={"Authorization": f"Bearer {admin['token']}"},
                           content_type="multipart/form-data; boundary=x",
                           content_length=len(body.getvalue()))  # fmt: skip
    assert body.was_read
    assert response.status_code == 422
    assert "not a readable zip archive" in response.get_json()["error"]["message"]


def _folder_plugin_zip(tmp_path):
    return zip_folder(write_folder_plugin(tmp_path / "plug"), tmp_path / "plug.zip")


def _wheel_named(tmp_path):
    path = tmp_path / "kepu_x-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("kepu_x/__init__.py", "")
    return path


def _unsafe(tmp_path):
    return symlink(tmp_path)


def _broken(tmp_path):
    src = write_pack(tmp_path / "broken")
    (src / "lessons" / "rivers.md").write_text("+++\nid = 'rivers'\ntitle = \n+++\n## x\n", "utf-8")
    return zip_folder(src, tmp_path / "broken.zip")


REFUSED = [
    (_folder_plugin_zip, 422, "only a content pack can be installed here"),
    (_wheel_named, 422, "Only content packs (.zip files) can be uploaded."),
    (_unsafe, 422, "is a symbolic link"),
    (_broken, 422, "broken.zip/lessons/rivers.md:3: invalid TOML"),
]


@pytest.mark.parametrize(("make", "status", "message"), REFUSED,
                         ids=["folder-plugin", "wheel", "symlink", "broken-lesson"])  # fmt: skip
def test_anything_but_a_valid_pack_is_refused(client, admin, instance, tmp_path, make, status,
                                              message):  # fmt: skip
    archive = make(tmp_path)
    csrf = signed_in(client, admin)
    before = snapshot(instance, with_database=False)
    page = upload(client, archive, csrf=csrf)
    assert page.status_code == status
    html = page.get_data(as_text=True)
    assert 'id="refusal"' in html
    assert message.replace("'", "&#39;") in html or message in html
    api = upload(client, archive, token=admin["token"])
    assert api.status_code == status
    error = api.get_json()["error"]
    assert message in error["message"] + "\n".join(error["problems"])
    assert snapshot(instance, with_database=False) == before


def test_enable_and_disable_buttons(client, admin, instance, pack):
    csrf = signed_in(client, admin)
    assert upload(client, pack, csrf=csrf).status_code == 303
    response = client.post("/admin/plugins/rivers/disable", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert "rivers" not in course_ids(client)
    page = client.get("/admin/plugins?lang=en").get_data(as_text=True)
    card = page[page.index('data-plugin="rivers"') :]
    assert "Disabled" in card[:800] and "/admin/plugins/rivers/enable" in card[:2000]
    assert client.post("/admin/plugins/rivers/enable", data={"csrf_token": csrf}).status_code == 303
    assert "rivers" in course_ids(client)
    assert client.post("/admin/plugins/rivers/disable").status_code == 400  # no CSRF token


def test_remove_a_pack_from_the_page(client, admin, instance, pack):
    csrf = signed_in(client, admin)
    upload(client, pack, csrf=csrf)
    client.post("/admin/plugins/rivers/uninstall", data={"csrf_token": csrf})  # not ticked
    assert (instance / "packs" / "rivers").is_dir()
    client.post("/admin/plugins/rivers/uninstall", data={"csrf_token": csrf, "sure": "1"})
    assert not (instance / "packs" / "rivers").exists()
    assert "rivers" not in course_ids(client)
    client.post("/admin/plugins/petroleum/uninstall", data={"csrf_token": csrf, "sure": "1"})
    assert "petroleum" in [
        r["name"]
        for r in client.get(
            "/api/v1/plugins", headers={"Authorization": f"Bearer {admin['token']}"}
        ).get_json()
    ]


def test_failed_plugins_show_file_line_and_message(client, admin, instance, tmp_path):
    plugin = write_folder_plugin(instance / "plugins" / "broken", name="broken-plugin",
                                 course_id="brooks")  # fmt: skip
    (plugin / "plugin.py").write_text("import os\n\ndef oops(:\n", "utf-8")
    pack = write_pack(instance / "packs" / "bad-pack", course_id="bad-pack")
    (pack / "course.toml").write_text('id = "bad-pack"\ntitle = [\n', "utf-8")
    signed_in(client, admin)
    html = client.get("/admin/plugins?lang=en").get_data(as_text=True)
    card = html[html.index('data-plugin="broken-plugin"') :]
    assert "Failed" in card[:1500]
    assert re.search(r'<code class="where">[^<]*broken/plugin.py:3</code>', card)
    card = html[html.index('data-plugin="bad-pack"') :]
    assert re.search(r'<code class="where">[^<]*bad-pack/course.toml:2</code> invalid TOML', card)


def test_restart_note_for_pip_plugins(app, client, admin):
    signed_in(client, admin)
    loaded = app.extensions["kepu_pip_loaded"]
    assert "robotics" in loaded
    loaded["robotics"] = "0.0.1"  # as if robotics had been upgraded with pip since start-up
    loaded["gone-plugin"] = "1.0"  # and a plugin uninstalled
    html = client.get("/admin/plugins?lang=en").get_data(as_text=True)
    assert 'id="restart-note"' in html
    card = html[html.index('data-plugin="robotics"') :]
    assert "Restart needed" in card[:1500] and "restart the server to load the new version" in card
    card = html[html.index('data-plugin="gone-plugin"') :]
    assert "it stays loaded until the server restarts" in card[:2000]
    rows = client.post("/api/v1/plugins/robotics/disable",
                       headers={"Authorization": f"Bearer {admin['token']}"}).get_json()  # fmt: skip
    assert rows["plugin"]["needs_restart"] is True


def test_api_enable_disable_and_remove(client, admin, teacher, pack):
    auth = {"Authorization": f"Bearer {admin['token']}"}
    assert upload(client, pack, token=admin["token"]).status_code == 201
    response = client.post("/api/v1/plugins/rivers/disable", headers=auth)
    assert response.status_code == 200
    assert response.get_json()["plugin"]["status"] == "disabled"
    assert client.post("/api/v1/plugins/nope/enable", headers=auth).status_code == 404
    teacher_auth = {"Authorization": f"Bearer {teacher['token']}"}
    assert client.post("/api/v1/plugins/rivers/enable", headers=teacher_auth).status_code == 403
    bad_token = {"Authorization": "Bearer kepu_not-a-real-token"}
    assert client.post("/api/v1/plugins/rivers/enable", headers=bad_token).status_code == 401
    assert client.delete("/api/v1/plugins/petroleum", headers=auth).status_code == 403
    assert client.delete("/api/v1/plugins/rivers", headers=auth).status_code == 204
    assert client.delete("/api/v1/plugins/rivers", headers=auth).status_code == 404
    spec = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/plugins/packs", "/api/v1/plugins/{name}/enable",
                 "/api/v1/plugins/{name}/disable", "/api/v1/plugins/{name}"):  # fmt: skip
        assert path in spec


def test_admin_index_links_plugins_and_users(client, admin, teacher):
    assert client.get("/admin/").status_code == 302  # sign in first
    signed_in(client, teacher)
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/plugins").status_code == 403
    signed_in(client, admin)
    html = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/plugins"' in html and 'href="/admin/users"' in html
    assert "插件" in html  # Chinese by default
    assert "Plugins and content packs" in client.get("/admin/?lang=en").get_data(as_text=True)


def test_upload_to_a_running_server_serves_the_pack_and_scores_its_quiz(
    live_server, admin, teacher, pack
):
    from tests.test_install_packs import RIGHT, course_ids, take_quiz

    boundary = "kepu-test-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="pack"; '
        f'filename="rivers.zip"\r\nContent-Type: application/zip\r\n\r\n'
    ).encode()
    body += pack.read_bytes() + f"\r\n--{boundary}--\r\n".encode()  # fmt: skip
    request = urllib.request.Request(live_server.url + "/api/v1/plugins/packs", data=body,
                                     method="POST")  # fmt: skip
    request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    request.add_header("Authorization", f"Bearer {admin['token']}")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        result = json.loads(response.read())
    assert (result["name"], result["action"], result["courses"]) == (
        "rivers",
        "installed",
        ["rivers"],
    )
    assert "rivers" in course_ids(live_server.url)
    scored = take_quiz(live_server.url, teacher["token"], "rivers", "rivers-quiz", RIGHT)
    assert (scored["score"], scored["max_score"]) == (2, 2)
