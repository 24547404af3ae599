"""Schema steps on a real SQLite file: a database from an older release upgrades in place."""

from __future__ import annotations

from kepu_server.store import answers as answer_store
from kepu_server.store.db import open_db
from kepu_server.store.migrations import migrate, migrations


def test_the_unused_score_override_column_goes_and_a_value_in_it_is_kept(tmp_path):
    db = open_db(tmp_path / "old.db")
    migrations.apply(db, stop_before="0011_answers_drop_override")  # a database of 0.x
    assert "score_override" in db["answers"].columns_dict
    db.execute("PRAGMA foreign_keys = OFF")  # seats of a class not worth building here
    db.execute(
        "INSERT INTO participants (id, session_id, name, token_hash, joined_at) "
        "VALUES (1, 's1', 'A', 'h1', 'now'), (2, 's1', 'B', 'h2', 'now')"
    )
    db.execute(
        "INSERT INTO answers (participant_id, question_id, response, score, score_override, "
        "updated_at) VALUES (1, 'q1', '0', 0.0, 1.0, 'now'), (2, 'q1', '1', 1.0, NULL, 'now')"
    )
    db.conn.commit()
    migrate(db)
    migrate(db)  # every start runs it again: a no-op
    assert "score_override" not in db["answers"].columns_dict
    assert sorted(answer_store.answer_rows(db, session_id="s1")) == [
        (1, "q1", "0", 1.0),  # what the column held is now the answer's score
        (2, "q1", "1", 1.0),
    ]
