"""The spreadsheet template (``.xlsx`` or ``.csv``): one row a question; see docs/authoring.md.

The first row names the columns (any order, any case). A row that is not a valid question is
skipped with its row number (as the spreadsheet shows it) and the reason; nothing is guessed.
"""

from __future__ import annotations

import csv
import io
import math
import re

from kepu_server.authoring.result import ImportFileError, ImportResult, decode_text

COLUMNS = ("type", "id", "prompt", "options", "answer", "tolerance", "unit", "accept",
           "points", "explain")  # fmt: skip
MAX_XLSX_UNPACKED = 50 * 1024 * 1024
TYPES = ("single", "multiple", "truefalse", "numeric", "text", "ordering", "poll")
OPTION_COLUMN = re.compile(r"^option_?(\d+)$")
TRUE_WORDS = {"true", "t", "yes", "y", "1", "对", "是", "正确", "√"}
FALSE_WORDS = {"false", "f", "no", "n", "0", "错", "否", "错误", "×"}
EXAMPLE_ROWS = [
    ["single", "q1", "Which gas do plants take in?", "Oxygen|Carbon dioxide|Helium", "2", "",
     "", "", "1", "Plants take in CO2."],
    ["multiple", "q2", "Which are fossil fuels?", "Coal|Oil|Wind", "1|2", "", "", "", "1", ""],
    ["truefalse", "q3", "Oil floats on water.", "", "true", "", "", "", "1", ""],
    ["numeric", "q4", "Water boils at how many degrees Celsius?", "", "100", "0", "°C", "",
     "1", ""],
    ["text", "q5", "The chemical symbol of water?", "", "", "", "", "H2O|H₂O", "1", ""],
    ["ordering", "q6", "Order from smallest:", "atom|cell|organ", "", "", "", "", "1", ""],
    ["poll", "q7", "Did you enjoy the lesson?", "Yes|No", "", "", "", "", "", ""],
]  # fmt: skip


class _Skip(Exception):
    pass


def parse_csv(data: bytes) -> ImportResult:
    text = decode_text(data)
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        raise ImportFileError(f"not a readable CSV file ({exc})") from None
    return parse_rows(rows)


def parse_xlsx(data: bytes) -> ImportResult:
    import zipfile

    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ImportFileError(f"not an .xlsx workbook ({exc})") from None
    if unpacked > MAX_XLSX_UNPACKED:
        # A question sheet is small; a workbook that unpacks this big is a zip bomb.
        raise ImportFileError("the workbook unpacks to more than 50 MB: is it a question sheet?")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [["" if c is None else c for c in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        raise ImportFileError(f"not an .xlsx workbook ({type(exc).__name__}: {exc})") from None
    return parse_rows(rows)


def parse_rows(rows: list[list]) -> ImportResult:
    """Rows as read from the sheet (first row: column names) to questions."""
    result = ImportResult()
    if not rows:
        raise ImportFileError("the sheet is empty: the first row must name the columns")
    header = [str(h).strip().lower() for h in rows[0]]
    unknown = [h for h in header if h and h not in COLUMNS and not OPTION_COLUMN.match(h)]
    if "type" not in header or "prompt" not in header:
        raise ImportFileError("the first row must name the columns, at least 'type' and 'prompt'")
    if unknown:
        raise ImportFileError(f"row 1: unknown column {unknown[0]!r} (see docs/authoring.md)")
    for number, row in enumerate(rows[1:], 2):
        cells = {h: _cell(row[i]) for i, h in enumerate(header) if h and i < len(row)}
        if not any(cells.values()):
            continue
        try:
            result.add(number, _question(cells))
        except _Skip as exc:
            result.skip(number, str(exc))
    return result


def _cell(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split("|") if part.strip()]


def _options(cells: dict) -> list[str]:
    numbered = sorted((int(m.group(1)), v) for k, v in cells.items()
                      if (m := OPTION_COLUMN.match(k)) and v)  # fmt: skip
    if numbered and cells.get("options"):
        raise _Skip("give options either in 'options' or in option_1..option_n, not both")
    return [v for _, v in numbered] or _list(cells.get("options", ""))


def _number(text: str, column: str) -> float | int:
    try:
        value = float(text)
    except ValueError:
        raise _Skip(f"{column} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise _Skip(f"{column} {text!r} is not a number")
    return int(value) if value.is_integer() and re.fullmatch(r"-?\d+", text) else value


def _choice(text: str, options: list[str]) -> int:
    """An option given by its number (1 = first), its letter (A = first)."""
    if re.fullmatch(r"\d+", text) and 1 <= int(text) <= len(options):
        return int(text) - 1
    if re.fullmatch(r"[A-Za-z]", text) and ord(text.upper()) - 65 < len(options):
        return ord(text.upper()) - 65
    raise _Skip(f"answer {text!r} is not an option number (1-{len(options)}) or letter")


def _question(cells: dict) -> dict:
    qtype = cells.get("type", "").lower()
    if qtype not in TYPES:
        raise _Skip(f"type {cells.get('type', '')!r}: use one of {', '.join(TYPES)}")
    if not cells.get("prompt"):
        raise _Skip("no prompt")
    question: dict = {"type": qtype, "prompt": cells["prompt"]}
    if cells.get("id"):
        if not re.fullmatch(r"[a-z0-9_-]+", cells["id"]):
            raise _Skip(f"id {cells['id']!r}: use lower-case letters, digits, '-' or '_'")
        question["id"] = cells["id"]
    answer = cells.get("answer", "")
    if qtype in ("single", "multiple", "ordering", "poll"):
        options = _options(cells)
        if len(options) < 2:
            raise _Skip("needs at least two options")
        question["items" if qtype == "ordering" else "options"] = options
        if qtype == "single":
            question["answer"] = _choice(answer, options)
        elif qtype == "multiple":
            if not _list(answer):
                raise _Skip("no answer: give the right option numbers, e.g. 1|3")
            question["answers"] = sorted({_choice(a, options) for a in _list(answer)})
    elif qtype == "truefalse":
        word = answer.lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise _Skip(f"answer {answer!r} is neither true nor false")
        question["answer"] = word in TRUE_WORDS
    elif qtype == "numeric":
        question["answer"] = _number(answer, "answer")
        if cells.get("tolerance"):
            question["tolerance"] = abs(_number(cells["tolerance"], "tolerance"))
        if cells.get("unit"):
            question["unit"] = cells["unit"]
    elif qtype == "text":
        accept = _list(cells.get("accept", "")) or _list(answer)
        if not accept:
            raise _Skip("no accepted answers ('accept', | separated)")
        question["accept"] = accept
    if cells.get("points"):
        question["points"] = _number(cells["points"], "points")
    if cells.get("explain"):
        question["explain"] = cells["explain"]
    return question


def template_rows() -> list[list[str]]:
    return [list(COLUMNS), *EXAMPLE_ROWS]


def template_csv() -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(template_rows())
    return out.getvalue().encode("utf-8-sig")  # with BOM: Excel then reads it as UTF-8


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "questions"
    for row in template_rows():
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
