"""Import parsers: Moodle GIFT, Aiken and the spreadsheet template, construct by construct."""

from __future__ import annotations

import pytest

from kepu_server.authoring.result import ImportFileError, parse
from kepu_server.authoring.sheet import template_csv, template_xlsx
from kepu_server.quiz.types import CORE_TYPES

TYPES = {t.name: t for t in CORE_TYPES}

GIFT = r"""// A comment line is ignored
$CATEGORY: $course$/science/plants

::Q1:: [html]Who's buried in <b>Grant's</b> tomb?{~Grant#No ~Jefferson =no one#Right!####Nobody is buried there.}

Grant is {~buried =entombed ~living} in Grant's tomb.

The sun rises in the east.{T}

::tf-2::[markdown]2+2 \= 5?{FALSE#Right, it is false#No}

Two of these are prime:{
~%50%2
~%50%3
~%-100%4
}

What is pi to two places?{#3.14:0.01}

Pick a number between 1 and 5 {#1..5}

Boiling point of water in degrees C? {#=100}

Who discovered the laws of planetary motion?{=Kepler =Johannes Kepler}

[plain]Escaped \{ brace \} \~ tilde \# hash and colon \: {=yes}

Write an essay about oil. {}

Match the pairs {=cat -> kitten =dog -> puppy}

Just a description with no braces.

How old? {#=2000:0 =%50%1900:50}

Half right {=%50%a =b}

Two right answers among distractors {=a =b ~c}

Unclosed {=a ~b

Backwards range {#5..1}

Not a number {#abc}

Who? {~%100%x =y}

[moodle]Is water wet?{TRUE}
"""


def by_prompt(result, fragment):
    return next(q for q in result.questions if fragment in q["prompt"])


def valid(question):
    assert TYPES[question["type"]].validate(question) == []


def test_gift_maps_every_core_construct():
    result = parse(GIFT.encode(), "gift")
    for question in result.questions:
        valid(question)
    q = by_prompt(result, "Grant's</b> tomb")
    assert q["id"] == "q1" and q["type"] == "single" and q["answer"] == 2
    assert q["options"] == ["Grant", "Jefferson", "no one"] and "[html]" not in q["prompt"]
    assert q["explain"].startswith("Nobody is buried there.") and "no one: Right!" in q["explain"]
    missing = by_prompt(result, "Grant is")
    assert missing["prompt"] == "Grant is _____ in Grant's tomb." and missing["answer"] == 1
    assert by_prompt(result, "sun rises")["answer"] is True
    tf = by_prompt(result, "2+2")
    assert tf == {**tf, "id": "tf-2", "type": "truefalse", "answer": False, "prompt": "2+2 = 5?"}
    multiple = by_prompt(result, "prime")
    assert multiple["type"] == "multiple" and multiple["answers"] == [0, 1]
    assert by_prompt(result, "pi to")["answer"] == 3.14
    assert by_prompt(result, "pi to")["tolerance"] == 0.01
    ranged = by_prompt(result, "between 1 and 5")
    assert (ranged["answer"], ranged["tolerance"]) == (3, 2)
    assert by_prompt(result, "Boiling")["answer"] == 100
    assert by_prompt(result, "Kepler".lower()[:0] + "planetary")["accept"] == [
        "Kepler", "Johannes Kepler"]  # fmt: skip
    escaped = by_prompt(result, "Escaped")
    assert escaped["prompt"] == "Escaped { brace } ~ tilde # hash and colon :"
    assert by_prompt(result, "water wet")["answer"] is True
    assert result.notes == ["line 2: category '$course$/science/plants' (not kept)"]


def test_gift_skips_what_has_no_core_type_by_line():
    skipped = {s["line"]: s["reason"] for s in parse(GIFT.encode(), "gift").skipped}
    lines = GIFT.split("\n")

    def line_of(fragment):
        return next(n for n, text in enumerate(lines, 1) if fragment in text)

    assert "essay" in skipped[line_of("Write an essay")]
    assert "matching" in skipped[line_of("Match the pairs")]
    assert "description" in skipped[line_of("Just a description")]
    assert "partial credit" in skipped[line_of("How old?")]
    assert "partial credit" in skipped[line_of("Half right")]
    assert "exactly one" in skipped[line_of("Two right answers")]
    assert "not closed" in skipped[line_of("Unclosed")]
    assert "minimum above" in skipped[line_of("Backwards range")]
    assert "not a number" in skipped[line_of("Not a number")]
    assert "unclear" in skipped[line_of("Who? {")]
    assert len(skipped) == 10


AIKEN = """Which planet is largest?
A. Mars
B. Jupiter
C) Venus
ANSWER: B

What is H2O?
A. Water
B. Salt
ANSWER: A
Which gas burns?
A. Methane
B. Nitrogen
ANSWER: D

No options here
ANSWER: A

Missing answer line
A. One
B. Two

Out of order
A. One
C. Three
ANSWER: A

Only one option
A. One
ANSWER: A
"""


def test_aiken_singles_and_broken_blocks_by_line():
    result = parse(AIKEN.encode("utf-8-sig"), "aiken")
    assert [q["prompt"] for q in result.questions] == ["Which planet is largest?", "What is H2O?"]
    assert result.questions[0]["options"] == ["Mars", "Jupiter", "Venus"]
    assert result.questions[0]["answer"] == 1 and result.questions[1]["answer"] == 0
    for question in result.questions:
        valid(question)
    skipped = {s["line"]: s["reason"] for s in result.skipped}
    assert "names no option" in skipped[14]
    assert "without options" in skipped[16]
    assert "no 'ANSWER:'" in skipped[19]
    assert "option C where B" in skipped[25]
    assert "at least two" in skipped[28]
    assert len(skipped) == 5


SHEET = [
    ["Type", "ID", "Prompt", "option_1", "option_2", "option_3", "answer", "tolerance", "unit",
     "accept", "points", "explain"],
    ["single", "s1", "植物吸收哪种气体?", "氧气", "二氧化碳", "氦气", "B", "", "", "", "2", "光合作用"],
    ["multiple", "", "Fossil fuels?", "Coal", "Oil", "Wind", "1|2", "", "", "", "", ""],
    ["truefalse", "", "油浮在水上。", "", "", "", "对", "", "", "", "", ""],
    ["numeric", "", "Boiling point?", "", "", "", "100", "0.5", "°C", "", "", ""],
    ["text", "", "Symbol of water?", "", "", "", "", "", "", "H2O|H₂O", "", ""],
    ["ordering", "", "Smallest first", "atom", "cell", "organ", "", "", "", "", "", ""],
    ["poll", "", "Enjoyed it?", "Yes", "No", "", "", "", "", "", "", ""],
    ["", "", "", "", "", "", "", "", "", "", "", ""],
    ["essay", "", "Write about oil", "", "", "", "", "", "", "", "", ""],
    ["single", "", "Answer out of range", "a", "b", "", "5", "", "", "", "", ""],
    ["truefalse", "", "Maybe?", "", "", "", "maybe", "", "", "", "", ""],
    ["numeric", "", "Not a number", "", "", "", "lots", "", "", "", "", ""],
    ["single", "Bad Id", "Bad id", "a", "b", "", "1", "", "", "", "", ""],
    ["text", "", "", "", "", "", "", "", "", "x", "", ""],
]  # fmt: skip


def check_sheet(result):
    assert [q["type"] for q in result.questions] == [
        "single", "multiple", "truefalse", "numeric", "text", "ordering", "poll"]  # fmt: skip
    for question in result.questions:
        valid(question)
    single = result.questions[0]
    assert single == {"type": "single", "prompt": "植物吸收哪种气体?", "id": "s1",
                      "options": ["氧气", "二氧化碳", "氦气"], "answer": 1, "points": 2,
                      "explain": "光合作用"}  # fmt: skip
    assert result.questions[1]["answers"] == [0, 1]
    assert result.questions[2]["answer"] is True
    assert result.questions[3] == {**result.questions[3], "answer": 100, "tolerance": 0.5,
                                   "unit": "°C"}  # fmt: skip
    assert result.questions[4]["accept"] == ["H2O", "H₂O"]
    assert result.questions[5]["items"] == ["atom", "cell", "organ"]
    reasons = {s["line"]: s["reason"] for s in result.skipped}
    assert sorted(reasons) == [10, 11, 12, 13, 14, 15]
    assert "use one of" in reasons[10] and "not an option number" in reasons[11]
    assert "neither true nor false" in reasons[12] and "not a number" in reasons[13]
    assert "lower-case" in reasons[14] and "no prompt" in reasons[15]


def sheet_csv(encoding: str) -> bytes:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(SHEET)
    return out.getvalue().encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_the_encodings_excel_writes(encoding):
    check_sheet(parse(sheet_csv(encoding), "csv"))


def test_xlsx_read_with_openpyxl():
    import io

    from openpyxl import Workbook

    book = Workbook()
    for row in SHEET:
        book.active.append([_xlsx_value(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    check_sheet(parse(out.getvalue(), "xlsx"))


def _xlsx_value(value: str):
    # Excel stores numbers as numbers: the parser must read 100.0 as 100 and 2.0 as 2.
    try:
        return float(value)
    except ValueError:
        return value


def test_files_that_cannot_be_read_at_all():
    with pytest.raises(ImportFileError, match="neither UTF-8 nor GB18030"):
        parse(b"type,prompt\n\xff\xfe\xff", "csv")
    with pytest.raises(ImportFileError, match="not an .xlsx"):
        parse(b"not a zip", "xlsx")
    with pytest.raises(ImportFileError, match="unknown column"):
        parse(b"type,prompt,colour\nsingle,x,red\n", "csv")
    with pytest.raises(ImportFileError, match="at least 'type' and 'prompt'"):
        parse(b"question\nx\n", "csv")


def test_the_blank_templates_import_cleanly():
    for data, fmt in ((template_csv(), "csv"), (template_xlsx(), "xlsx")):
        result = parse(data, fmt)
        assert len(result.questions) == 7 and result.skipped == []
        for question in result.questions:
            valid(question)


def test_the_examples_in_docs_authoring_import_as_documented():
    import re

    from tests.conftest import ROOT

    text = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    gift = re.search(r"```gift\n(.*?)```", text, re.S).group(1)
    result = parse(gift.encode(), "gift")
    assert [q["id"] for q in result.questions] == ["boil", "h2o", "q3"]
    assert result.questions[1]["explain"] == "Two H, one O."
    assert [s["line"] for s in result.skipped] == [9]
    sheet = re.search(r"```csv\n(.*?)```", text, re.S).group(1)
    result = parse(sheet.encode(), "csv")
    assert [q["type"] for q in result.questions] == ["single", "truefalse", "numeric", "text"]
    assert [s["line"] for s in result.skipped] == [6]
