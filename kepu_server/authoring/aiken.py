"""Aiken format to ``single`` questions (https://docs.moodle.org/en/Aiken_format).

A question is a line of text, then options ``A.`` or ``A)`` one a line, then
``ANSWER: X``. A block that breaks these rules is skipped with the line where it went wrong.
"""

from __future__ import annotations

import re

from kepu_server.authoring.result import ImportResult

OPTION_RE = re.compile(r"^([A-Z])[.)]\s+(.*\S)\s*$")
ANSWER_RE = re.compile(r"^ANSWER\s*[:：]\s*(\S*)\s*$", re.I)


def parse_aiken(text: str) -> ImportResult:
    result = ImportResult()
    block: list[tuple[int, str]] = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        if not line.strip():
            if block and not _has_options(block):
                continue  # a blank line before the options: the question text goes on
            if block:
                _finish(block, result)
            block = []
            continue
        block.append((number, line.strip()))
        if ANSWER_RE.match(line.strip()):
            _finish(block, result)
            block = []
    if block:
        _finish(block, result)
    return result


def _has_options(block) -> bool:
    return any(OPTION_RE.match(line) for _, line in block[1:])


def _finish(block: list[tuple[int, str]], result: ImportResult) -> None:
    start = block[0][0]
    prompt_lines: list[str] = []
    letters: list[str] = []
    options: list[str] = []
    for number, line in block:
        answer = ANSWER_RE.match(line)
        option = OPTION_RE.match(line)
        if answer:
            letter = answer.group(1).upper()
            if not options:
                return result.skip(start, "a question without options A., B., ...")
            if len(options) < 2:
                return result.skip(start, "a question needs at least two options")
            if letter not in letters:
                return result.skip(
                    number, f"'ANSWER: {answer.group(1)}' names no option ({', '.join(letters)})"
                )
            if len(set(options)) != len(options):
                return result.skip(start, "the same option twice")
            question = {"type": "single", "prompt": "\n".join(prompt_lines),
                        "options": options, "answer": letters.index(letter)}  # fmt: skip
            return result.add(start, question)
        if option and prompt_lines:
            expected = chr(ord("A") + len(options))
            if option.group(1) != expected:
                return result.skip(number, f"option {option.group(1)} where {expected} was due")
            letters.append(option.group(1))
            options.append(option.group(2))
        elif options:
            return result.skip(number, f"{line!r} after the options, where 'ANSWER:' was due")
        else:
            prompt_lines.append(line)
    result.skip(start, "no 'ANSWER:' line ends this question")
