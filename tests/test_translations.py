"""The UI is Chinese by default: every UI string has a translation, and the .mo files are fresh."""

from __future__ import annotations

import io

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from tests.conftest import ROOT

CATALOGS = ROOT / "kepu_server" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def load_po(path):
    with open(path, "rb") as f:
        return read_po(f, locale="zh_Hans_CN")


def used_msgids() -> dict[str, str]:
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT / "kepu_server", METHODS, OPTIONS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"kepu_server/{filename}:{lineno}")
    return found


def test_every_ui_string_has_a_chinese_translation():
    translated = set()
    for po in CATALOGS.glob("*.po"):
        translated |= {m.id if isinstance(m.id, str) else m.id[0]
                       for m in load_po(po) if m.id and m.string and not m.fuzzy}  # fmt: skip
    missing = {m: where for m, where in used_msgids().items() if m not in translated}
    assert not missing, "untranslated:\n" + "\n".join(f"{w}: {m!r}" for m, w in missing.items())


@pytest.mark.parametrize("po", sorted(CATALOGS.glob("*.po")), ids=lambda p: p.stem)
def test_compiled_catalogs_match_their_po_files(po):
    catalog = load_po(po)
    fresh = io.BytesIO()
    write_mo(fresh, catalog)
    fresh.seek(0)
    with open(po.with_suffix(".mo"), "rb") as f:
        shipped = read_mo(f)

    def as_dict(catalog):
        return {str(m.id): str(m.string) for m in catalog if m.id}

    assert as_dict(shipped) == as_dict(read_mo(fresh)), (
        f"run: pybabel compile -d kepu_server/translations -D {po.stem}"
    )


def test_pages_are_chinese_by_default_and_english_on_request(client):
    zh = client.get("/").get_data(as_text=True)
    assert "课程目录" in zh and "教师登录" in zh
    en = client.get("/?lang=en").get_data(as_text=True)
    assert "Course catalog" in en and "Teacher sign-in" in en
