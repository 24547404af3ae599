"""The schema, one named step at a time (``sqlite_utils.Migrations``).

Append new steps at the end; never edit a step that has shipped. Plugins may keep their own
``Migrations`` set under their own name.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils
from sqlite_utils import Migrations

migrations = Migrations("kepu_server")


@migrations(name="0001_accounts")
def accounts(db: sqlite_utils.Database) -> None:
    db["users"].create(
        {
            "id": int,
            "name": str,
            "password_hash": str,
            "is_admin": int,
            "language": str,
            "created_at": str,
        },
        pk="id",
        not_null={"name", "is_admin", "created_at"},
        defaults={"is_admin": 0},
        if_not_exists=True,
    )
    db["users"].create_index(["name"], unique=True, if_not_exists=True)
    db["api_tokens"].create(
        {"id": int, "user_id": int, "token_hash": str, "created_at": str, "last_used_at": str},
        pk="id",
        foreign_keys=[("user_id", "users", "id")],
        not_null={"user_id", "token_hash", "created_at"},
        if_not_exists=True,
    )
    db["api_tokens"].create_index(["token_hash"], unique=True, if_not_exists=True)
    db["setup_tokens"].create(
        {"token_hash": str, "created_at": str, "used_at": str},
        pk="token_hash",
        not_null={"created_at"},
        if_not_exists=True,
    )
    db.execute(
        "CREATE TRIGGER IF NOT EXISTS api_tokens_cascade AFTER DELETE ON users "
        "BEGIN DELETE FROM api_tokens WHERE user_id = OLD.id; END"
    )


@migrations(name="0002_plugin_state")
def plugin_state(db: sqlite_utils.Database) -> None:
    db["plugin_state"].create(
        {"name": str, "enabled": int, "updated_at": str},
        pk="name",
        not_null={"enabled"},
        if_not_exists=True,
    )


@migrations(name="0003_class_sessions")
def class_sessions(db: sqlite_utils.Database) -> None:
    _run_statements(
        db,
        """
        CREATE TABLE IF NOT EXISTS class_sessions (
            id TEXT PRIMARY KEY,
            code TEXT NOT NULL,
            teacher_id INTEGER NOT NULL REFERENCES users(id),
            course_id TEXT NOT NULL,
            lesson_id TEXT,
            quiz_id TEXT,
            guide_id TEXT,
            pacing TEXT NOT NULL DEFAULT 'teacher' CHECK (pacing IN ('teacher', 'self')),
            review INTEGER NOT NULL DEFAULT 1,
            quiz_open INTEGER NOT NULL DEFAULT 0,
            joining_open INTEGER NOT NULL DEFAULT 1,
            current_section INTEGER NOT NULL DEFAULT 0,
            roster TEXT,
            language TEXT,
            state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'ended')),
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            ended_at TEXT
        );
        -- A join code is unique among sessions that are still open.
        CREATE UNIQUE INDEX IF NOT EXISTS class_sessions_open_code
            ON class_sessions(code) WHERE state = 'open';
        CREATE INDEX IF NOT EXISTS class_sessions_teacher ON class_sessions(teacher_id);

        CREATE TABLE IF NOT EXISTS participants (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES class_sessions(id) ON DELETE CASCADE,
            token_hash TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            current_section INTEGER NOT NULL DEFAULT 0,
            joined_at TEXT NOT NULL,
            last_seen_at TEXT,
            submitted_at TEXT,
            score REAL,
            max_score REAL,
            UNIQUE (session_id, name)
        );

        CREATE TABLE IF NOT EXISTS answers (
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            response TEXT NOT NULL,
            score REAL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (participant_id, question_id)
        );

        CREATE TABLE IF NOT EXISTS guide_ticks (
            participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
            guide_id TEXT NOT NULL,
            step INTEGER NOT NULL,
            done INTEGER NOT NULL DEFAULT 1,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (participant_id, guide_id, step)
        );

        CREATE TABLE IF NOT EXISTS rosters (
            id INTEGER PRIMARY KEY,
            teacher_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            names TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """,
    )


@migrations(name="0004_failure_counts")
def failure_counts(db: sqlite_utils.Database) -> None:
    # Rate-limit counters (store/limits.py): shared by every server process on the database.
    _run_statements(
        db,
        """
        CREATE TABLE IF NOT EXISTS failure_counts (
            scope TEXT NOT NULL,
            key TEXT NOT NULL,
            bucket_seconds INTEGER NOT NULL,
            bucket INTEGER NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (scope, key, bucket_seconds, bucket)
        ) WITHOUT ROWID
        """,
    )


@migrations(name="0005_web_sessions")
def web_sessions(db: sqlite_utils.Database) -> None:
    # The server side of cookie sign-ins (store/accounts.py): a copied cookie dies on sign-out.
    _run_statements(
        db,
        """
        CREATE TABLE IF NOT EXISTS web_sessions (
            nonce_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS web_sessions_user ON web_sessions(user_id);
        CREATE TRIGGER IF NOT EXISTS web_sessions_cascade AFTER DELETE ON users
            BEGIN DELETE FROM web_sessions WHERE user_id = OLD.id; END
        """,
    )


@migrations(name="0006_participant_name_key")
def participant_name_key(db: sqlite_utils.Database) -> None:
    # Names in a class differ by their folded key (classroom/names.py), not only by their text.
    from kepu_server.classroom.names import fold_name

    db.execute("ALTER TABLE participants ADD COLUMN name_key TEXT")
    seen: set[tuple[str, str]] = set()
    for row in db.execute("SELECT id, session_id, name FROM participants ORDER BY id").fetchall():
        key = (row[1], fold_name(row[2]))
        if key not in seen:  # an older look-alike seat keeps no key rather than failing
            seen.add(key)
            db.execute("UPDATE participants SET name_key = ? WHERE id = ?", [key[1], row[0]])
    db.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS participants_name_key "
        "ON participants(session_id, name_key) WHERE name_key IS NOT NULL"
    )


@migrations(name="0007_course_authors")
def course_authors(db: sqlite_utils.Database) -> None:
    # Who made each course written in the browser (packs/<course>/): they and admins edit it.
    db["course_authors"].create(
        {"course_id": str, "user_id": int, "created_at": str},
        pk="course_id",
        foreign_keys=[("user_id", "users", "id")],
        not_null={"user_id", "created_at"},
        if_not_exists=True,
    )


@migrations(name="0008_answer_score_override")
def answer_score_override(db: sqlite_utils.Database) -> None:
    # A teacher's regrading of one answer; the score stored on save stays beside it.
    if "score_override" not in db["answers"].columns_dict:
        db["answers"].add_column("score_override", float)


@migrations(name="0009_xapi_outbox")
def xapi_outbox(db: sqlite_utils.Database) -> None:
    # ``xapi_id``: the random id a seat has in xAPI statements (never its nickname).
    # ``xapi_outbox``: statements waiting for the LRS, written in the transaction of their
    # event; ``sent_at`` is set only after the LRS confirmed them.
    _run_statements(
        db,
        """
        ALTER TABLE participants ADD COLUMN xapi_id TEXT;
        CREATE TABLE IF NOT EXISTS xapi_outbox (
            id TEXT PRIMARY KEY,
            session_id TEXT,
            verb TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL,
            sent_at TEXT
        );
        CREATE INDEX IF NOT EXISTS xapi_outbox_pending ON xapi_outbox(created_at)
            WHERE sent_at IS NULL;
        CREATE INDEX IF NOT EXISTS xapi_outbox_session ON xapi_outbox(session_id);
        CREATE TABLE IF NOT EXISTS xapi_state (key TEXT PRIMARY KEY, value TEXT)
        """,
    )


@migrations(name="0011_answers_drop_override")
def answers_drop_override(db: sqlite_utils.Database) -> None:
    # Nothing ever wrote ``score_override``: regrading (store/regrade.py) rewrites ``score``
    # itself, so one column holds every answer's points. A value left by hand is kept.
    if "score_override" not in db["answers"].columns_dict:
        return
    db.execute("UPDATE answers SET score = score_override WHERE score_override IS NOT NULL")
    if sqlite3.sqlite_version_info >= (3, 35, 0):
        db.execute("ALTER TABLE answers DROP COLUMN score_override")
    else:  # an old SQLite: sqlite-utils copies the table without the column
        db["answers"].transform(drop={"score_override"})


def _run_statements(db: sqlite_utils.Database, script: str) -> None:
    # Not ``executescript``: it would COMMIT the migration's transaction half-way.
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


def migrate(db: sqlite_utils.Database) -> None:
    """Apply every pending step; safe to run at every start and from several processes."""
    migrations.apply(db)
