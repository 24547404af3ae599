"""The JSON shapes of the content API (shared by pages, the teacher and student APIs)."""

from __future__ import annotations

from kepu_server.catalog import get_catalog
from kepu_server.content.model import Course, Guide, Lesson, Quiz
from kepu_server.quiz.scoring import max_points
from kepu_server.views.common import render_md


def course_summary(course: Course, lang: str) -> dict:
    return {
        "id": course.id,
        "title": course.title_in(lang),
        "summary": course.summary_in(lang),
        "plugin": course.plugin,
        "language": lang,
        "languages": course.languages,
        "grades": list(course.grades),
        "lessons": len(course.lessons),
        "version": course.version,
    }


def course_detail(course: Course, lang: str) -> dict:
    return {
        **course_summary(course, lang),
        "lessons": [lesson_summary(lesson.in_language(lang)) for lesson in course.lessons.values()],
        "quizzes": [
            {"id": q.id, "title": q.in_language(lang).title, "questions": len(q.questions)}
            for q in course.quizzes.values()
        ],
        "guides": [
            {
                "id": g.id,
                "title": g.in_language(lang).title,
                "grades": list(g.grades),
                "minutes": g.minutes,
            }
            for g in course.guides.values()
        ],  # fmt: skip
    }


def lesson_summary(lesson: Lesson) -> dict:
    return {
        "id": lesson.id,
        "title": lesson.title,
        "grades": list(lesson.grades),
        "minutes": lesson.minutes,
        "quiz": lesson.quiz,
        "guides": list(lesson.guides),
        "sections": len(lesson.sections),
    }


def lesson_detail(course: Course, lesson: Lesson, lang: str) -> dict:
    return {
        "id": lesson.id,
        "course": course.id,
        "language": lang,
        "title": lesson.title,
        "grades": list(lesson.grades),
        "minutes": lesson.minutes,
        "objectives": list(lesson.objectives),
        "quiz": lesson.quiz if lesson.quiz in course.quizzes else None,
        "guides": [g for g in lesson.guides if g in course.guides],
        "sections": [
            {"title": s.title, "html": render_md(course, s.markdown)} for s in lesson.sections
        ],
    }


def guide_detail(course: Course, guide: Guide, lang: str) -> dict:
    return {
        "id": guide.id,
        "course": course.id,
        "language": lang,
        "title": guide.title,
        "grades": list(guide.grades),
        "minutes": guide.minutes,
        "group_size": guide.group_size,
        "materials": list(guide.materials),
        "safety": list(guide.safety),
        "steps": [{"title": s.title, "html": render_md(course, s.markdown)} for s in guide.steps],
    }


def quiz_full(course: Course, quiz: Quiz, lang: str) -> dict:
    """The whole quiz, answers and explanations included: for teachers only."""
    types = get_catalog().question_types
    questions = []
    for q in quiz.questions:
        spec = {k: v for k, v in q.spec.items() if k not in ("prompt", "explain")}
        questions.append(
            {
                **spec,
                "id": q.id,
                "type": q.type,
                "prompt": render_md(course, q.prompt),
                "points": max_points(types[q.type], q),
                "explain": render_md(course, q.explain) if q.explain else "",
            }
        )
    return {
        "id": quiz.id,
        "course": course.id,
        "language": lang,
        "title": quiz.title,
        "pass_ratio": quiz.pass_ratio,
        "shuffle": quiz.shuffle,
        "questions": questions,
    }
