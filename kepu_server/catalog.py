"""The catalog: an immutable snapshot of plugins, courses, question types and the renderer.

A request takes the current snapshot once (``get_catalog``) and uses it to the end, so a
reload — a content pack or folder plugin installed, upgraded, enabled, disabled or removed —
swaps in a new snapshot atomically and never changes what a request in flight sees.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy
from flask import current_app, g
from markdown.extensions import Extension

from kepu_server.content import parse_store
from kepu_server.content.loader import MISSING, UNTRANSLATABLE, field_line, same_value
from kepu_server.content.markdown import MarkdownRenderer
from kepu_server.content.model import Course, Quiz
from kepu_server.content.parse_cache import ParseCache, active
from kepu_server.default_plugins.school_content import SchoolContent
from kepu_server.dispatch import Dispatcher, PluginFailures
from kepu_server.errors import ContentError, PluginError
from kepu_server.plugin_records import PluginRecord
from kepu_server.plugins import load_plugins, new_plugin_manager
from kepu_server.quiz.types import QuestionType
from kepu_server.store.plugin_state import disabled_plugins

log = logging.getLogger(__name__)


@dataclass
class Catalog:
    pm: pluggy.PluginManager
    records: list[PluginRecord]
    courses: dict[str, Course]
    question_types: dict[str, QuestionType]
    renderer: MarkdownRenderer
    dispatcher: Dispatcher
    stamp: Any = None
    built_at: float = field(default_factory=time.time)
    # Serialised content responses, valid for exactly this snapshot (see views.common).
    response_cache: dict = field(default_factory=dict)

    def course(self, course_id: str) -> Course | None:
        return self.courses.get(course_id)

    def record(self, name: str) -> PluginRecord | None:
        return next((r for r in self.records if r.name == name), None)

    def call(self, hook_name: str, **kwargs) -> list[tuple[str, Any]]:
        """Call a hook through this snapshot's dispatcher (precedence, isolation)."""
        return self.dispatcher.call(hook_name, **kwargs)


def build_catalog(
    app, stamp: Any = None, failures: PluginFailures | None = None, cache: ParseCache | None = None
) -> Catalog:
    """Load every plugin and course afresh into a new snapshot.

    ``failures`` (the app's, kept by ``CatalogHolder``) carries plugins that failed in an
    earlier snapshot: they are not loaded or called again until their files change.
    ``cache`` (also the holder's) hands back the parse of each course file that has not
    changed since the last build (``content.parse_cache``); the objects built are new.
    """
    with active(cache):
        return _build(app, stamp, failures)


def _build(app, stamp: Any, failures: PluginFailures | None) -> Catalog:
    config = app.config
    disabled = disabled_plugins(config["KEPU_DATABASE"])
    pm = new_plugin_manager()
    records = load_plugins(
        pm,
        plugins_dir=Path(config["KEPU_INSTANCE"]) / "plugins",
        disabled=disabled,
        extra=config.get("KEPU_EXTRA_PLUGINS", ()),
        entry_points=config.get("KEPU_LOAD_ENTRY_POINTS", True),
        failures=failures,
    )
    content_dir = config.get("KEPU_CONTENT")
    school = SchoolContent(
        Path(content_dir) if content_dir else None,
        Path(config["KEPU_INSTANCE"]) / "packs",
        disabled,
    )
    pm.register(school, name="content")
    all_records = [school.content_record, *records]
    dispatcher = Dispatcher(pm, all_records, failures)
    catalog = Catalog(pm, all_records, {}, {}, MarkdownRenderer(), dispatcher, stamp)
    _collect_question_types(catalog, app)
    _collect_markdown_extensions(catalog, app)
    _collect_courses(catalog, app, school)
    for course in catalog.courses.values():
        validate_quizzes(course, catalog.question_types)
        record = catalog.record(course.plugin or "")
        if record is not None:
            for problem in course.problems:
                record.problem(problem)
    return catalog


def _collect_question_types(catalog: Catalog, app) -> None:
    for plugin_name, types in catalog.call("kepu_question_types", app=app):
        for qtype in types or []:
            if not isinstance(qtype, QuestionType):
                _plugin_problem(catalog, plugin_name, f"not a QuestionType: {qtype!r}")
            elif qtype.name in catalog.question_types:
                _plugin_problem(
                    catalog, plugin_name, f"question type {qtype.name!r} exists already"
                )
            else:
                catalog.question_types[qtype.name] = qtype


def _collect_markdown_extensions(catalog: Catalog, app) -> None:
    extensions = []
    for plugin_name, found in catalog.call("kepu_markdown_extensions", app=app):
        for ext in found or []:
            if isinstance(ext, Extension | str):
                extensions.append(ext)
            else:
                _plugin_problem(catalog, plugin_name, f"not a Markdown extension: {ext!r}")
    catalog.renderer = MarkdownRenderer(extensions)


def _collect_courses(catalog: Catalog, app, school: SchoolContent) -> None:
    results = catalog.call("kepu_courses", app=app)
    catalog.records += school.pack_records  # made while the content plugin ran
    for plugin_name, courses in results:
        for course in courses or []:
            if not isinstance(course, Course):
                _plugin_problem(catalog, plugin_name, f"not a Course: {course!r}")
                continue
            owner = course.plugin or plugin_name
            course.plugin = owner
            taken = catalog.courses.get(course.id)
            record = catalog.record(owner)
            if taken is not None:
                message = f"course id {course.id!r} is already served by {taken.plugin!r}"
                if record is not None:
                    record.fail(PluginError(message), str(course.path or ""))
                continue
            catalog.courses[course.id] = course
            if record is not None:
                record.courses.append(course.id)


def validate_quizzes(course: Course, question_types: dict[str, QuestionType]) -> None:
    """Check every question against its type; a quiz with a bad question is left out.

    A translation that changes a field its type does not translate is left out first (the
    default file serves), so its changed fields are never validated as the quiz's own.
    """
    for quiz in list(course.quizzes.values()):
        for lang in list(quiz.translations):
            found = translation_problems(quiz, lang, question_types)
            if found:
                course.problems.extend(found)
                del quiz.translations[lang]
        problems = quiz_problems(quiz, question_types)
        seen = {(p.line, p.message) for p in problems}
        for lang in quiz.translations:
            # A translation repeats the default file's problems; report only its own.
            for problem in quiz_problems(quiz.in_language(lang), question_types):
                if (problem.line, problem.message) not in seen:
                    seen.add((problem.line, problem.message))
                    problems.append(problem)
        if problems:
            course.problems.extend(problems)
            del course.quizzes[quiz.id]


def translation_problems(
    quiz: Quiz, lang: str, question_types: dict[str, QuestionType]
) -> list[ContentError]:
    """Fields a translation changed that its question's type does not list as translatable.

    A translation may repeat any field of the default file unchanged (DESIGN); a different
    value is an error at its file and line.
    """
    override = quiz.translations[lang]
    shown = {q.id: q for q in override.get("questions", ())}
    problems = []
    for question_id, keys, file, line in override.get("translated", ()):
        original, translated = quiz.question(question_id), shown.get(question_id)
        qtype = question_types.get(original.type) if original else None
        if qtype is None or translated is None:
            continue
        for key in sorted(keys - set(qtype.translatable) - UNTRANSLATABLE):
            if not same_value(translated.spec.get(key), original.spec.get(key, MISSING)):
                problems.append(
                    ContentError(
                        f"question {question_id!r}: a translation may not change {key!r} "
                        f"(the {qtype.name!r} type translates only "
                        f"{', '.join(qtype.translatable)})",
                        file,
                        field_line(Path(file), line, key),
                    )
                )
    return problems


def quiz_problems(quiz: Quiz, question_types: dict[str, QuestionType]) -> list[ContentError]:
    problems = []
    for question in quiz.questions:
        qtype = question_types.get(question.type)
        if qtype is None:
            known = ", ".join(sorted(question_types))
            problems.append(
                ContentError(
                    f"question {question.id!r}: unknown type {question.type!r} (known: {known})",
                    quiz.source,
                    question.line,
                )
            )
            continue
        try:
            messages = qtype.validate(question.spec) or []
        except Exception as exc:  # noqa: BLE001 - a plugin's validate must not crash loading
            messages = [f"the {qtype.name!r} type failed to validate: {exc}"]
        problems += [
            ContentError(f"question {question.id!r}: {m}", quiz.source, question.line)
            for m in messages
        ]
    return problems


def _plugin_problem(catalog: Catalog, plugin_name: str, message: str) -> None:
    record = catalog.record(plugin_name)
    if record is not None:
        record.problem(PluginError(message))


# ---------------------------------------------------------------- live reload


def stamp_roots(app, catalog: Catalog | None) -> list[Path]:
    """The folders whose files make the catalog: each once, none inside another."""
    config = app.config
    roots = [Path(config["KEPU_INSTANCE"]) / "packs", Path(config["KEPU_INSTANCE"]) / "plugins"]
    if config.get("KEPU_CONTENT"):
        roots.append(Path(config["KEPU_CONTENT"]))
    if catalog is not None:
        roots += [c.path for c in catalog.courses.values() if c.path]
    found = sorted({Path(os.path.abspath(root)) for root in roots})
    # Sorted, a folder comes right before everything inside it: keep only outermost ones.
    outer: list[Path] = []
    for root in found:
        if not outer or not root.is_relative_to(outer[-1]):
            outer.append(root)
    return outer


def content_stamp(app, catalog: Catalog | None, roots: list[Path] | None = None) -> tuple:
    """What, when changed, means the catalog must be rebuilt: files and plugin state.

    Each folder is walked once (a course folder inside the content folder is not walked
    again), and the walk never holds a lock a request waits on (``CatalogHolder``).
    """
    entries = []
    for root in roots if roots is not None else stamp_roots(app, catalog):
        if not root.exists():
            entries.append((str(root), None))
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            st = os.stat(dirpath)
            entries.append((dirpath, st.st_mtime_ns))
            for name in filenames:
                try:
                    st = os.stat(os.path.join(dirpath, name))
                except FileNotFoundError:
                    continue
                # ctime too: a tool that restores a same-size file's mtime still moves it.
                entries.append((name, st.st_mtime_ns, st.st_ctime_ns, st.st_size))
    return (tuple(entries), tuple(sorted(disabled_plugins(app.config["KEPU_DATABASE"]))))


def content_fingerprint(catalog: Catalog) -> str:
    """A hash of the snapshot's stamp: the same after a restart when no file changed."""
    found = catalog.response_cache.get(("fingerprint",))
    if found is None:
        found = hashlib.sha256(repr(catalog.stamp).encode()).hexdigest()[:16]
        catalog.response_cache[("fingerprint",)] = found
    return found


class CatalogHolder:
    """Holds the current snapshot; rebuilds it when installed content changed.

    A request only reads ``self.catalog`` (``current``): it never walks a folder, never
    waits for a lock and never waits for a rebuild, which happens on a background thread
    that swaps the new snapshot in when it is complete. ``KEPU_RELOAD_INTERVAL`` is the
    seconds between checks; ``0`` checks within every request instead (tests and authors
    who want each save seen at once); ``None`` never checks (installs still refresh).
    """

    def __init__(self, app):
        self.app = app
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None
        self.failures = PluginFailures()  # lasts as long as the app, across rebuilds
        self.parse_cache = ParseCache()  # so is this: a rebuild parses only changed files
        self.cache_file: Path | None = None  # and its copy on disk, for a warm restart
        if app.config.get("KEPU_PARSE_CACHE", True):
            self.cache_file = Path(app.config["KEPU_INSTANCE"]) / parse_store.FILE_NAME
            self.parse_cache.restore(parse_store.load(self.cache_file))
        self.catalog = build_catalog(app, None, self.failures, self.parse_cache)
        self._roots = stamp_roots(app, self.catalog)
        self.catalog.stamp = content_stamp(app, self.catalog, self._roots)

    def current(self) -> Catalog:
        interval = self.app.config.get("KEPU_RELOAD_INTERVAL", 1.0)
        if interval == 0:
            self.refresh()
        elif interval is not None and self._watcher is None:
            self._start_watcher(float(interval))
        return self.catalog

    def _start_watcher(self, interval: float) -> None:
        with self._lock:
            if self._watcher is not None:
                return
            holder = weakref.ref(self)  # the thread ends with the app it watches
            self._watcher = threading.Thread(
                target=_watch, args=(holder, interval), name="kepu-reload", daemon=True
            )
            self._watcher.start()

    def refresh(self, force: bool = False) -> Catalog:
        """Check now (and rebuild if anything changed); the caller waits, requests do not."""
        with self._lock:
            stamp = content_stamp(self.app, self.catalog, self._roots)
            if force or stamp != self.catalog.stamp:
                with self.app.app_context():
                    new = build_catalog(self.app, stamp, self.failures, self.parse_cache)
                roots = stamp_roots(self.app, new)
                if roots != self._roots:  # a course moved in or out: walk its folders too
                    new.stamp = content_stamp(self.app, new, roots)
                self._roots = roots
                self.catalog = new  # one reference assignment: atomic for other threads
            return self.catalog

    def save_parse_cache(self) -> None:
        """Write the parse cache to the instance folder if it changed (the watcher does)."""
        if self.cache_file is not None and self.parse_cache.dirty:
            parse_store.save(self.cache_file, self.parse_cache.take())


def _watch(holder: weakref.ref, interval: float) -> None:
    while True:
        time.sleep(interval)
        current = holder()
        if current is None:
            return
        try:
            current.refresh()
            current.save_parse_cache()
        except Exception:  # noqa: BLE001 - a bad save must not stop live reload for good
            log.exception("checking the content for changes failed")
        del current


def get_catalog() -> Catalog:
    """The snapshot for this request (taken once, then fixed until the request ends)."""
    if "kepu_catalog" not in g:
        g.kepu_catalog = current_app.extensions["kepu"].current()
    return g.kepu_catalog
