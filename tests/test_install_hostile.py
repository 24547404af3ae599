"""Hostile and broken sources are refused by name, and leave the instance byte-for-byte unchanged."""

from __future__ import annotations

import os
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from tests.test_install_packs import kepu, snapshot, write_pack, zip_folder

ROOT = Path(__file__).resolve().parent.parent


def _pack_zip(tmp_path: Path, name="pack.zip", **kw) -> Path:
    return zip_folder(write_pack(tmp_path / "src", **kw), tmp_path / name)


def _add(archive: Path, info: zipfile.ZipInfo | str, data: bytes = b"x") -> Path:
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr(info, data)
    return archive


def zip_slip(tmp_path):
    return _add(_pack_zip(tmp_path), "../../evil.txt", b"owned")


def absolute_path(tmp_path):
    return _add(_pack_zip(tmp_path), "/tmp/evil.txt", b"owned")


def windows_absolute_path(tmp_path):
    return _add(_pack_zip(tmp_path), "C:\\evil.txt", b"owned")


def backslash_slip(tmp_path):
    return _add(_pack_zip(tmp_path), "media\\..\\..\\evil.txt", b"owned")


def symlink(tmp_path):
    info = zipfile.ZipInfo("media/passwd.svg")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return _add(_pack_zip(tmp_path), info, b"/etc/passwd")


def device_file(tmp_path):
    info = zipfile.ZipInfo("media/disk")
    info.external_attr = (stat.S_IFBLK | 0o600) << 16
    return _add(_pack_zip(tmp_path), info, b"")


def ten_thousand_files(tmp_path):
    archive = _pack_zip(tmp_path)
    with zipfile.ZipFile(archive, "a") as zf:
        for n in range(10_000):
            zf.writestr(f"media/tiny/{n}.txt", b"")
    return archive


def _patch_sizes(archive: Path, member: str, size: int) -> Path:
    """Rewrite the uncompressed size a member's headers declare (local and central)."""
    data = bytearray(archive.read_bytes())
    name = member.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            if data[start + name_at : start + name_at + len(name)] == name:
                struct.pack_into("<I", data, start + size_at, size)
            start += 4
    archive.write_bytes(bytes(data))
    return archive


def one_gigabyte_declared(tmp_path):
    archive = _add(_pack_zip(tmp_path), "media/huge.txt", b"small really")
    return _patch_sizes(archive, "media/huge.txt", 1024**3)


def lying_small_header(tmp_path):
    archive = _pack_zip(tmp_path)
    with zipfile.ZipFile(archive, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("media/bomb.txt", b"0" * 300_000)
    return _patch_sizes(archive, "media/bomb.txt", 10)


def broken_toml(tmp_path):
    src = write_pack(tmp_path / "src")
    (src / "course.toml").write_text('id = "rivers"\ntitle = "河流\nversion = "1"\n', "utf-8")
    return zip_folder(src, tmp_path / "pack.zip")


def broken_quiz_toml(tmp_path):
    src = write_pack(tmp_path / "src")
    (src / "quizzes" / "rivers-quiz.toml").write_text('id = "rivers-quiz"\n[[questions]\n', "utf-8")
    return zip_folder(src, tmp_path / "pack.zip")


def duplicate_course_id(tmp_path):
    return _pack_zip(tmp_path, course_id="heiyoushan-trip")  # the school course in content/


def unmet_requires(tmp_path):
    return _pack_zip(tmp_path, extra='requires = ">=99"\n')


def folder_plugin_unmet_requires(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "plugin.toml").write_text(
        'name = "future"\nversion = "1.0"\nrequires = ">=99,<100"\n', "utf-8"
    )
    (folder / "plugin.py").write_text("", "utf-8")
    return zip_folder(folder, tmp_path / "plugin.zip")


def not_a_zip(tmp_path):
    path = tmp_path / "pack.zip"
    path.write_bytes(b"this is not a zip file at all")
    return path


def nothing_to_install(tmp_path):
    archive = tmp_path / "pack.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "hello")
    return archive


HOSTILE = [
    (zip_slip, "climbs out of the folder"),
    (absolute_path, "an absolute path"),
    (windows_absolute_path, "an absolute path"),
    (backslash_slip, "climbs out of the folder"),
    (symlink, "'media/passwd.svg' is a symbolic link"),
    (device_file, "'media/disk' is a device file"),
    (ten_thousand_files, "the limit is 2000 (KEPU_PACK_MAX_FILES)"),
    (one_gigabyte_declared, "'media/huge.txt' declares 1024.0 MB uncompressed"),
    (lying_small_header, "'media/bomb.txt' is damaged or lies about its size"),
    (broken_toml, "course.toml:2: invalid TOML"),
    (broken_quiz_toml, "rivers-quiz.toml:2: invalid TOML"),
    (duplicate_course_id, "course id 'heiyoushan-trip' is already served by 'content'"),
    (unmet_requires, "needs Kepu Server >=99"),
    (folder_plugin_unmet_requires, "needs Kepu Server >=99,<100"),
    (not_a_zip, "not a readable zip archive"),
    (nothing_to_install, "neither a content pack (no course.toml) nor a folder plugin"),
]


@pytest.mark.parametrize(("make", "message"), HOSTILE, ids=[m.__name__ for m, _ in HOSTILE])
def test_refused_with_a_message_naming_the_problem(instance, app, tmp_path, make, message):
    archive = make(tmp_path)
    before = snapshot(instance)
    code, out = kepu("plugins", "install", archive, "--instance", instance,
                     "--content", ROOT / "content")  # fmt: skip
    assert code == 1, out
    assert message in out
    assert "Traceback" not in out
    assert snapshot(instance) == before
    assert not (tmp_path.parent / "evil.txt").exists()


def test_an_archive_inside_a_pack_is_kept_as_a_file(instance, app, tmp_path):
    inner = _pack_zip(tmp_path, name="inner.zip", course_id="inner")
    outer_src = write_pack(tmp_path / "outer")
    (outer_src / "media" / "inner.zip").write_bytes(inner.read_bytes())
    code, out = kepu("plugins", "install", zip_folder(outer_src, tmp_path / "outer.zip"),
                     "--instance", instance)  # fmt: skip
    assert code == 0, out
    installed = instance / "packs" / "rivers" / "media"
    assert (installed / "inner.zip").read_bytes() == inner.read_bytes()
    assert sorted(p.name for p in installed.iterdir()) == ["inner.zip", "river.svg"]
    assert not (instance / "packs" / "inner").exists()


def test_a_folder_with_a_symlink_is_refused(instance, app, tmp_path):
    source = write_pack(tmp_path / "usb" / "rivers")
    os.symlink("/etc/passwd", source / "media" / "passwd.svg")
    before = snapshot(instance)
    code, out = kepu("plugins", "install", source, "--instance", instance)
    assert code == 1 and "'media/passwd.svg' is a symbolic link" in out
    assert snapshot(instance) == before


def test_limits_come_from_the_config(instance, app, tmp_path):
    (instance / "config.toml").write_text("pack_max_files = 3\n", "utf-8")
    before = snapshot(instance)
    code, out = kepu("plugins", "install", _pack_zip(tmp_path), "--instance", instance)
    assert code == 1 and "the limit is 3 (KEPU_PACK_MAX_FILES)" in out
    assert snapshot(instance) == before


def test_a_pack_with_a_bad_question_is_refused_with_file_and_line(instance, app, tmp_path):
    src = write_pack(tmp_path / "src")
    quiz = src / "quizzes" / "rivers-quiz.toml"
    quiz.write_text(quiz.read_text("utf-8").replace("answer = 1", "answer = 7"), "utf-8")
    before = snapshot(instance)
    code, out = kepu("plugins", "install", zip_folder(src, tmp_path / "p.zip"), "--instance",
                     instance)  # fmt: skip
    assert code == 1
    assert "p.zip/quizzes/rivers-quiz.toml:4: question 'longest': 'answer' must be" in out
    assert snapshot(instance) == before


def test_a_refusal_leaves_a_brand_new_instance_as_empty_as_it_was(tmp_path):
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    code, out = kepu("plugins", "install", zip_slip(tmp_path), "--instance", fresh)
    assert code == 1 and "climbs out of the folder" in out
    assert list(fresh.iterdir()) == []
    code, out = kepu("plugins", "install", zip_slip(tmp_path), "--instance", tmp_path / "none")
    assert code == 1 and not (tmp_path / "none").exists()
