"""Packs: one file's size, Windows-unsafe and over-long names are refused before extracting."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest

from tests.test_install_packs import kepu, snapshot, write_pack, zip_folder

ROOT = Path(__file__).resolve().parent.parent


def _install_refused(instance: Path, source: Path, message: str) -> str:
    before = snapshot(instance)
    code, out = kepu("plugins", "install", source, "--instance", instance,
                     "--content", ROOT / "content")  # fmt: skip
    assert code == 1, out
    assert message in out, out
    assert "Traceback" not in out and "Errno" not in out
    assert snapshot(instance) == before
    return out


def test_a_tiny_zip_holding_a_40_mb_course_toml_is_refused_at_once(instance, app, tmp_path):
    src = write_pack(tmp_path / "src")
    archive = zip_folder(src, tmp_path / "pack.zip")
    with zipfile.ZipFile(archive, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("lessons/huge.md", b"#" * (40 * 1024 * 1024))
    assert archive.stat().st_size < 100 * 1024
    started = time.monotonic()
    _install_refused(instance, archive, "'lessons/huge.md' declares 40.0 MB; the limit for "
                     "one such file is 512 KB (KEPU_PACK_MAX_TEXT_BYTES)")  # fmt: skip
    assert time.monotonic() - started < 5


def test_a_folder_with_an_oversized_course_toml_is_refused(instance, app, tmp_path):
    src = write_pack(tmp_path / "src")
    with open(src / "course.toml", "a", encoding="utf-8") as out:
        out.write("# " + "x" * (600 * 1024) + "\n")
    _install_refused(instance, src, "'course.toml' holds 0.6 MB; the limit for one such file")


def test_a_big_media_file_has_its_own_limit(instance, app, tmp_path):
    archive = zip_folder(write_pack(tmp_path / "src"), tmp_path / "pack.zip")
    with zipfile.ZipFile(archive, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("media/film.mp4", b"\0" * (9 * 1024 * 1024))
    _install_refused(instance, archive, "(KEPU_PACK_MAX_FILE_BYTES)")


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("media/CON", "'CON' is a device name on Windows"),
        ("media/aux.svg", "'aux.svg' is a device name on Windows"),
        ("media/Lpt1.png", "'Lpt1.png' is a device name on Windows"),
        ("media/trail. ", "a name ending in a dot or a space"),
        ("media/dot.", "a name ending in a dot or a space"),
        ("media/what?.png", "Windows forbids them"),
        ("media/" + "长" * 100 + ".png", "a file or folder name longer than 255 bytes"),
        ("media/" + "/".join(["d" * 50] * 6) + ".png", "a path longer than 240 characters"),
    ],
)
def test_names_windows_or_the_disk_cannot_hold_are_refused(
    instance, app, tmp_path, member, message
):
    archive = zip_folder(write_pack(tmp_path / "src"), tmp_path / "pack.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr(member, b"x")
    _install_refused(instance, archive, message)


def test_ordinary_names_still_install(instance, app, tmp_path):
    archive = zip_folder(write_pack(tmp_path / "src"), tmp_path / "pack.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr("media/console.png", b"x")  # CON only as a whole stem
        zf.writestr("media/a.b.c.png", b"x")
    code, out = kepu("plugins", "install", archive, "--instance", instance)
    assert code == 0, out
