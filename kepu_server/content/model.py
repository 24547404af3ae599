"""Dataclasses of the content model: what a course folder holds once it is read.

Translations are kept beside the default text as override mappings; ``in_language(lang)``
returns a copy with the overrides applied, so callers never see a half-translated object.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kepu_server.errors import ContentError

GRADES = ("primary", "middle", "high")


@dataclass(frozen=True)
class Section:
    """One screen of a lesson in teacher-paced mode: the text under one ``## `` heading."""

    title: str
    markdown: str
    line: int = 0


@dataclass(frozen=True)
class Step:
    """One numbered step of a hands-on guide."""

    title: str
    markdown: str
    line: int = 0


def _localize(obj, lang: str | None):
    override = obj.translations.get(lang) if lang else None
    if not override:
        return obj
    return dataclasses.replace(obj, **override)


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    grades: tuple[str, ...] = ()
    minutes: int | None = None
    objectives: tuple[str, ...] = ()
    quiz: str | None = None
    guides: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    source: str = ""
    translations: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False)

    def in_language(self, lang: str | None) -> Lesson:
        return _localize(self, lang)


@dataclass(frozen=True)
class Question:
    """One quiz question. ``spec`` is every field of the question as written in the file."""

    id: str
    type: str
    prompt: str
    points: float = 1
    explain: str = ""
    spec: dict[str, Any] = field(default_factory=dict, compare=False)
    line: int | None = None


@dataclass(frozen=True)
class Quiz:
    id: str
    title: str
    questions: tuple[Question, ...] = ()
    pass_ratio: float = 0.6
    shuffle: bool = False
    source: str = ""
    translations: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False)
    shuffle_options: bool = False
    # Of a translation (in ``translations[lang]``): ``(question id, fields it set, file, line)``,
    # so the catalog can check them against each type's ``translatable``.
    translated: tuple[tuple[str, frozenset, str, int | None], ...] = field(
        default=(), compare=False
    )

    def in_language(self, lang: str | None) -> Quiz:
        return _localize(self, lang)

    def question(self, question_id: str) -> Question | None:
        for question in self.questions:
            if question.id == question_id:
                return question
        return None


@dataclass(frozen=True)
class Guide:
    id: str
    title: str
    grades: tuple[str, ...] = ()
    minutes: int | None = None
    group_size: int | None = None
    materials: tuple[str, ...] = ()
    safety: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    source: str = ""
    translations: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False)

    def in_language(self, lang: str | None) -> Guide:
        return _localize(self, lang)


@dataclass
class Course:
    """A course: what a plugin's ``kepu_courses`` hook returns (see ``load_course_dir``).

    ``problems`` lists what was wrong in the folder; the items it names were left out and
    everything else serves. ``plugin`` is filled in by the core with the supplying plugin.
    """

    id: str
    title: str
    language: str = "zh"
    grades: tuple[str, ...] = ()
    summary: str = ""
    version: str = "0"
    path: Path | None = None
    lessons: dict[str, Lesson] = field(default_factory=dict)
    quizzes: dict[str, Quiz] = field(default_factory=dict)
    guides: dict[str, Guide] = field(default_factory=dict)
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[ContentError] = field(default_factory=list)
    plugin: str | None = None

    @property
    def languages(self) -> list[str]:
        return [self.language, *[lang for lang in self.translations if lang != self.language]]

    @property
    def media_dir(self) -> Path | None:
        return self.path / "media" if self.path else None

    def title_in(self, lang: str | None) -> str:
        return self.translations.get(lang, {}).get("title", self.title)

    def summary_in(self, lang: str | None) -> str:
        return self.translations.get(lang, {}).get("summary", self.summary)
