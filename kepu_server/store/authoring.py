"""Who authored which course (``course_authors``): the queries the authoring views need."""

from __future__ import annotations

from datetime import UTC, datetime

from kepu_server.store.db import write_transaction


def record_author(db, course_id: str, user_id: int) -> None:
    with write_transaction(db):
        db["course_authors"].upsert(
            {"course_id": course_id, "user_id": user_id,
             "created_at": datetime.now(UTC).isoformat(timespec="seconds")},
            pk="course_id",
        )  # fmt: skip


def author_of(db, course_id: str) -> int | None:
    row = next(db.query("SELECT user_id FROM course_authors WHERE course_id = ?", [course_id]),
               None)  # fmt: skip
    return row["user_id"] if row else None


def courses_by(db, user_id: int) -> list[str]:
    query = "SELECT course_id FROM course_authors WHERE user_id = ? ORDER BY created_at, course_id"
    return [row["course_id"] for row in db.query(query, [user_id])]


def all_authored(db) -> dict[str, int]:
    return {r["course_id"]: r["user_id"] for r in db.query("SELECT * FROM course_authors")}


def forget_author(db, course_id: str) -> None:
    with write_transaction(db):
        db.execute("DELETE FROM course_authors WHERE course_id = ?", [course_id])
