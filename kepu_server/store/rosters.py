"""A teacher's saved class lists: the ``rosters`` table (names kept as a JSON list)."""

from __future__ import annotations

import json

from kepu_server.clock import now_iso
from kepu_server.store.db import write_transaction


def rosters_of(db, teacher_id: int) -> list[dict]:
    rows = db.query(
        "SELECT id, name, names FROM rosters WHERE teacher_id = ? ORDER BY name", [teacher_id]
    )
    return [{**r, "names": json.loads(r["names"])} for r in rows]


def save_roster(db, teacher_id: int, name: str, names: list[str]) -> None:
    """Create the teacher's roster ``name`` or replace its names."""
    text = json.dumps(names, ensure_ascii=False)
    with write_transaction(db):
        existing = next(
            db.query(
                "SELECT id FROM rosters WHERE teacher_id = ? AND name = ?", [teacher_id, name]
            ),
            None,
        )
        if existing:
            db.execute("UPDATE rosters SET names = ? WHERE id = ?", [text, existing["id"]])
        else:
            db["rosters"].insert(
                {"teacher_id": teacher_id, "name": name, "names": text, "created_at": now_iso()}
            )


def delete_roster(db, teacher_id: int, roster_id: int) -> None:
    with write_transaction(db):
        db.execute("DELETE FROM rosters WHERE id = ? AND teacher_id = ?", [roster_id, teacher_id])
