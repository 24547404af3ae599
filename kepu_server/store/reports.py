"""Participation over time: class sessions, students, hand-ins and mean score ratio.

One row per group (course, lesson, grade band or month) between two dates. A teacher's
report counts only their own classes (``teacher_id``); an admin's counts the school.
"""

from __future__ import annotations

GROUPS = ("course", "lesson", "grade", "month")


def participation(
    db,
    group: str,
    date_from: str | None = None,
    date_to: str | None = None,
    teacher_id: int | None = None,
    grade_of: dict[str, str] | None = None,
) -> list[dict]:
    """Rows ``{key, sessions, students, handins, mean_score}`` ordered by key.

    ``date_from``/``date_to`` are ``YYYY-MM-DD`` (inclusive) compared with the class's start.
    ``grade_of`` maps a course id to its grade band (from the catalog; the database does not
    know it). ``mean_score`` is the mean of score/max over hand-ins with points, or None.
    """
    if group not in GROUPS:
        raise ValueError(f"group must be one of {', '.join(GROUPS)}")
    where, params = ["1 = 1"], []
    if date_from:
        where.append("substr(s.created_at, 1, 10) >= ?")
        params.append(date_from)
    if date_to:
        where.append("substr(s.created_at, 1, 10) <= ?")
        params.append(date_to)
    if teacher_id is not None:
        where.append("s.teacher_id = ?")
        params.append(teacher_id)
    key = {
        "course": "s.course_id",
        "lesson": "COALESCE(s.lesson_id, s.quiz_id, s.guide_id)",
        "grade": "s.course_id",
        "month": "substr(s.created_at, 1, 7)",
    }[group]
    sql = (
        f"SELECT {key} AS key, s.course_id AS course_id, COUNT(DISTINCT s.id) AS sessions, "
        "COUNT(p.id) AS students, COUNT(p.submitted_at) AS handins, "
        "SUM(CASE WHEN p.submitted_at IS NOT NULL AND p.max_score > 0 "
        "THEN p.score / p.max_score END) AS ratio_sum, "
        "SUM(p.submitted_at IS NOT NULL AND p.max_score > 0) AS graded "
        "FROM class_sessions s LEFT JOIN participants p ON p.session_id = s.id "
        f"WHERE {' AND '.join(where)} GROUP BY {key}"  # noqa: S608
        + (", s.course_id" if group == "lesson" else "")
    )
    rows = list(db.query(sql, params))
    if group == "grade":
        rows = _regroup(rows, lambda r: (grade_of or {}).get(r["course_id"], ""))
    elif group == "lesson":
        for r in rows:
            r["key"] = f"{r['course_id']}/{r['key']}"
    out = []
    for r in sorted(rows, key=lambda r: r["key"] or ""):
        mean = r["ratio_sum"] / r["graded"] if r["graded"] else None
        out.append(
            {
                "key": r["key"] or "",
                "sessions": r["sessions"],
                "students": r["students"],
                "handins": r["handins"],
                "mean_score": round(mean, 4) if mean is not None else None,
            }
        )
    return out


def _regroup(rows: list[dict], key_of) -> list[dict]:
    merged: dict[str, dict] = {}
    for r in rows:
        k = key_of(r)
        m = merged.setdefault(
            k, {"key": k, "sessions": 0, "students": 0, "handins": 0, "ratio_sum": 0.0, "graded": 0}
        )
        for f in ("sessions", "students", "handins", "graded"):
            m[f] += r[f] or 0
        m["ratio_sum"] += r["ratio_sum"] or 0.0
    return list(merged.values())
