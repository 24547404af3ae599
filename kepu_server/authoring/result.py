"""The common result of every import parser."""

from __future__ import annotations

from dataclasses import dataclass, field

FORMATS = ("gift", "aiken", "xlsx", "csv")
EXTENSIONS = {".gift": "gift", ".txt": "aiken", ".aiken": "aiken", ".xlsx": "xlsx", ".csv": "csv"}


@dataclass
class ImportResult:
    """``questions``: dicts in the quiz-file format; ``skipped``: ``[{line, reason}]``."""

    questions: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def skip(self, line: int | None, reason: str) -> None:
        self.skipped.append({"line": line, "reason": reason})

    def add(self, line: int, question: dict) -> None:
        taken = {q["id"] for q in self.questions}
        if question.get("id") in taken or not question.get("id"):
            number = len(self.questions) + 1
            while f"q{number}" in taken:
                number += 1
            question["id"] = f"q{number}"
        self.questions.append(question)
        self.lines.append(line)

    def __post_init__(self):
        self.lines: list[int] = []


class ImportFileError(ValueError):
    """The file cannot be read at all (encoding, not a spreadsheet): nothing is imported."""


def parse(data: bytes, fmt: str) -> ImportResult:
    """Parse ``data`` as ``fmt`` (one of :data:`FORMATS`)."""
    from kepu_server.authoring import aiken, gift, sheet  # noqa: PLC0415 - each needs the others' module

    if fmt == "gift":
        return gift.parse_gift(decode_text(data))
    if fmt == "aiken":
        return aiken.parse_aiken(decode_text(data))
    if fmt == "csv":
        return sheet.parse_csv(data)
    if fmt == "xlsx":
        return sheet.parse_xlsx(data)
    raise ImportFileError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (what Chinese Windows often writes)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportFileError(
            "the file is neither UTF-8 nor GB18030 text; save it as 'CSV UTF-8' or UTF-8 text"
        ) from None
