"""The ``program`` question type: steer a robot across a grid with a short program.

This module is the worked example of a plugin question type. It has no dependency on
``kepu_server``: the pure functions below are wrapped in a ``QuestionType`` by the
package's ``__init__``.

Quiz fields (TOML)::

    type = "program"
    grid = ["S..#", ".#..", "...G"]   # equal-length rows; S start, G goal, # wall, . free
    start_heading = "E"               # N | E | S | W, default "E"
    commands = ["forward", "left", "right"]   # the commands a student may use (default: all)
    max_steps = 12                    # longest program accepted (default 12)
    answer = ["forward", ...]         # reference program; only used by validate()

Movement: ``forward`` moves one cell in the heading (N is up, i.e. towards row 0); ``left``
and ``right`` turn 90 degrees on the spot without moving. Driving into a wall ``#`` or off the
grid is a crash. A program is correct when it runs without crashing and the robot *stands on
the goal when the program ends* (passing over the goal and driving on does not count: a real
robot has to stop at the target).
"""

from __future__ import annotations

from typing import Any

COMMANDS = ("forward", "left", "right")
HEADINGS = ("N", "E", "S", "W")  # clockwise order: "right" is +1, "left" is -1
GRID_CHARS = frozenset("SG#.")
MAX_SIZE = 10
DEFAULT_HEADING = "E"
DEFAULT_MAX_STEPS = 12
MAX_STEPS_LIMIT = 50
TRANSLATABLE = ("prompt", "explain")

_DELTAS = {"N": (-1, 0), "E": (0, 1), "S": (1, 0), "W": (0, -1)}
# The widget's own symbols (static/program.js): the same in every language.
SYMBOLS = {"forward": "⬆", "left": "⟲", "right": "⟳"}


def _find(grid: list[str], char: str) -> tuple[int, int]:
    for row, line in enumerate(grid):
        col = line.find(char)
        if col >= 0:
            return row, col
    raise ValueError(f"no {char!r} in grid")


def _settings(spec: dict[str, Any]) -> tuple[str, list[str], int]:
    heading = spec.get("start_heading", DEFAULT_HEADING)
    commands = spec.get("commands", list(COMMANDS))
    max_steps = spec.get("max_steps", DEFAULT_MAX_STEPS)
    return heading, commands, max_steps


def simulate(grid: list[str], start_heading: str, program: list[str]) -> dict[str, Any]:
    """Run *program* on *grid* and report where the robot ends.

    Returns ``{"row", "col", "heading", "crashed", "on_goal", "steps"}``; ``steps`` is the
    number of commands executed (the crashing one included). Assumes a valid grid.
    """
    row, col = _find(grid, "S")
    heading = start_heading
    steps = 0
    for command in program:
        steps += 1
        if command == "left":
            heading = HEADINGS[(HEADINGS.index(heading) - 1) % 4]
        elif command == "right":
            heading = HEADINGS[(HEADINGS.index(heading) + 1) % 4]
        elif command == "forward":
            d_row, d_col = _DELTAS[heading]
            new_row, new_col = row + d_row, col + d_col
            if not (0 <= new_row < len(grid) and 0 <= new_col < len(grid[0])):
                return _result(row, col, heading, True, False, steps)
            if grid[new_row][new_col] == "#":
                return _result(row, col, heading, True, False, steps)
            row, col = new_row, new_col
        else:
            raise ValueError(f"unknown command {command!r}")
    return _result(row, col, heading, False, grid[row][col] == "G", steps)


def _result(row, col, heading, crashed, on_goal, steps) -> dict[str, Any]:
    return {
        "row": row,
        "col": col,
        "heading": heading,
        "crashed": crashed,
        "on_goal": on_goal,
        "steps": steps,
    }


def _grid_errors(grid: Any) -> list[str]:
    if not isinstance(grid, list) or not grid or not all(isinstance(r, str) for r in grid):
        return ['grid: must be a non-empty list of strings, e.g. ["S..", ".#G"]']
    errors = []
    width = len(grid[0])
    if width == 0:
        errors.append("grid: rows must not be empty")
    if any(len(r) != width for r in grid):
        errors.append("grid: all rows must have the same length")
    if len(grid) > MAX_SIZE or width > MAX_SIZE:
        errors.append(
            f"grid: at most {MAX_SIZE}x{MAX_SIZE} cells "
            f"(this one is {len(grid)} rows x {width} columns)"
        )
    bad = sorted({c for r in grid for c in r} - GRID_CHARS)
    if bad:
        errors.append(
            f"grid: unknown characters {''.join(bad)!r} (use S start, G goal, # wall, . free)"
        )
    for char, name in (("S", "start"), ("G", "goal")):
        count = sum(r.count(char) for r in grid)
        if count != 1:
            errors.append(f"grid: needs exactly one {char} ({name}), found {count}")
    return errors


def validate_program(spec: dict[str, Any]) -> list[str]:
    """Return a list of error messages about a ``program`` question's fields (empty if valid)."""
    errors = _grid_errors(spec.get("grid"))
    heading, commands, max_steps = _settings(spec)
    if heading not in HEADINGS:
        errors.append(f"start_heading: must be one of N, E, S, W, not {heading!r}")
    commands_ok = (
        isinstance(commands, list)
        and commands
        and all(isinstance(c, str) and c in COMMANDS for c in commands)
        and len(set(commands)) == len(commands)
    )
    if not commands_ok:
        errors.append(
            "commands: must be a non-empty list without repeats, taken from "
            '"forward", "left", "right"'
        )
    elif "forward" not in commands:
        errors.append('commands: must include "forward" (the robot could never move)')
    steps_ok = (
        isinstance(max_steps, int)
        and not isinstance(max_steps, bool)
        and 1 <= max_steps <= MAX_STEPS_LIMIT
    )
    if not steps_ok:
        errors.append(f"max_steps: must be a whole number from 1 to {MAX_STEPS_LIMIT}")
    answer = spec.get("answer")
    if answer is None:
        errors.append(
            "answer: a reference program (list of commands) is required to prove "
            "the puzzle can be solved"
        )
        return errors
    if not isinstance(answer, list) or not all(isinstance(c, str) for c in answer):
        errors.append("answer: must be a list of command strings")
        return errors
    if errors:  # cannot check the reference program against a broken puzzle
        return errors
    unknown = [c for c in answer if c not in commands]
    if unknown:
        errors.append(f"answer: uses commands not allowed in this question: {unknown}")
        return errors
    if len(answer) > max_steps:
        errors.append(f"answer: {len(answer)} commands, more than max_steps ({max_steps})")
    run = simulate(spec["grid"], heading, answer)
    if run["crashed"]:
        errors.append(f"answer: the reference program crashes at command {run['steps']}")
    elif not run["on_goal"]:
        errors.append(
            f"answer: the reference program ends at row {run['row'] + 1}, "
            f"column {run['col'] + 1}, not on the goal G"
        )
    return errors


def public_program(spec: dict[str, Any]) -> dict[str, Any]:
    """What a student's device receives: the puzzle, never the reference ``answer``."""
    heading, commands, max_steps = _settings(spec)
    return {
        "grid": list(spec["grid"]),
        "start_heading": heading,
        "commands": list(commands),
        "max_steps": max_steps,
    }


def label_program(spec: dict[str, Any], response: Any) -> str:
    """A program as the teacher's dashboard and CSV show it: the widget's symbols in order,
    ``["forward", "forward", "right"]`` as ``⬆ ⬆ ⟳`` (an empty program as ``∅``)."""
    if not isinstance(response, list) or not all(isinstance(c, str) for c in response):
        return str(response)
    if not response:
        return "∅"
    return " ".join(SYMBOLS.get(command, command) for command in response)


def score_program(spec: dict[str, Any], response: Any) -> float:
    """Score a student's program: 1.0 if it ends on the goal without crashing, else 0.0.

    Raises ``ValueError`` for a malformed response: not a list, a command that is unknown or
    not allowed in this question, or more commands than ``max_steps``.
    """
    heading, commands, max_steps = _settings(spec)
    if not isinstance(response, list):
        raise ValueError("response must be a list of commands")
    for command in response:
        if not isinstance(command, str) or command not in commands:
            raise ValueError(f"unknown or not allowed command: {command!r}")
    if len(response) > max_steps:
        raise ValueError(f"program too long: {len(response)} commands, at most {max_steps}")
    run = simulate(spec["grid"], heading, response)
    return 1.0 if run["on_goal"] and not run["crashed"] else 0.0
