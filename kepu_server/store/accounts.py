"""Account queries: the one-time setup link and the server side of cookie sessions.

Flask's session lives in a signed cookie, which the server cannot take back by itself; each
sign-in therefore also gets a row in ``web_sessions`` (only its hash is stored), and the cookie
works only while that row exists. Signing out deletes it; a new or reset password deletes all
of the account's rows; deleting the account deletes them with it.
"""

from __future__ import annotations

import sqlite_utils

from kepu_server.clock import now_iso
from kepu_server.store.db import write_transaction


def replace_setup_tokens(db: sqlite_utils.Database, token_hash: str, now: str) -> None:
    """Store a new setup link and expire every earlier one that is still unused."""
    with write_transaction(db):
        db.execute("UPDATE setup_tokens SET used_at = ? WHERE used_at IS NULL", [now])
        db.execute(
            "INSERT INTO setup_tokens (token_hash, created_at) VALUES (?, ?)", [token_hash, now]
        )


def setup_token_usable(db: sqlite_utils.Database, token_hash: str) -> bool:
    """The link is unused and there is still no admin."""
    row = db.execute(
        "SELECT 1 FROM setup_tokens WHERE token_hash = ? AND used_at IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM users WHERE is_admin = 1)",
        [token_hash],
    ).fetchone()
    return row is not None


def claim_setup_token(db: sqlite_utils.Database, token_hash: str, now: str) -> bool:
    """Mark the link used, if it is usable; call inside the transaction that adds the admin.

    Under ``BEGIN IMMEDIATE`` only one of several concurrent claims finds the link unused.
    """
    if not setup_token_usable(db, token_hash):
        return False
    db.execute("UPDATE setup_tokens SET used_at = ? WHERE token_hash = ?", [now, token_hash])
    return True


def add_web_session(db: sqlite_utils.Database, user_id: int, nonce_hash: str, now: str) -> None:
    with write_transaction(db):
        db.execute(
            "INSERT INTO web_sessions (nonce_hash, user_id, created_at) VALUES (?, ?, ?)",
            [nonce_hash, user_id, now],
        )


def web_session_user(db: sqlite_utils.Database, user_id: int, nonce_hash: str) -> dict | None:
    """The users row of a live cookie session, or None once it was ended."""
    return next(
        db.query(
            "SELECT users.* FROM web_sessions JOIN users ON users.id = web_sessions.user_id "
            "WHERE web_sessions.nonce_hash = ? AND users.id = ?",
            [nonce_hash, user_id],
        ),
        None,
    )


def end_web_session(db: sqlite_utils.Database, nonce_hash: str) -> None:
    with write_transaction(db):
        db.execute("DELETE FROM web_sessions WHERE nonce_hash = ?", [nonce_hash])


def end_web_sessions_of(db: sqlite_utils.Database, user_id: int) -> None:
    """Sign the account out everywhere (a new password, an admin's reset)."""
    with write_transaction(db):
        db.execute("DELETE FROM web_sessions WHERE user_id = ?", [user_id])


def user_by_id(db, user_id: int) -> dict | None:
    return next(db.query("SELECT * FROM users WHERE id = ?", [user_id]), None)


def user_by_name(db, name: str) -> dict | None:
    return next(db.query("SELECT * FROM users WHERE name = ?", [name]), None)


def user_by_api_token_hash(db, token_hash: str) -> dict | None:
    return next(
        db.query(
            "SELECT users.* FROM api_tokens JOIN users ON users.id = api_tokens.user_id "
            "WHERE token_hash = ?",
            [token_hash],
        ),
        None,
    )


def name_taken(db, name: str) -> bool:
    return bool(db["users"].count_where("name = ?", [name]))


def has_admin(db) -> bool:
    return bool(db["users"].count_where("is_admin = 1"))


def insert_user(db, name: str, password_hash: str, *, is_admin: bool) -> int:
    with write_transaction(db):
        return (
            db["users"]
            .insert(
                {
                    "name": name,
                    "password_hash": password_hash,
                    "is_admin": int(is_admin),
                    "created_at": now_iso(),
                }
            )
            .last_pk
        )


def users_with_session_counts(db) -> list[dict]:
    """Every account, admins first, with how many classes each has launched."""
    return list(
        db.query(
            "SELECT u.id, u.name, u.is_admin, u.created_at, "
            "(SELECT COUNT(*) FROM class_sessions s WHERE s.teacher_id = u.id) AS sessions "
            "FROM users u ORDER BY u.is_admin DESC, u.name"
        )
    )


def set_password_hash(db, user_id: int, password_hash: str) -> None:
    """A new password; the account's API tokens and signed-in browsers stop working."""
    with write_transaction(db):
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [password_hash, user_id])
        db.execute("DELETE FROM api_tokens WHERE user_id = ?", [user_id])
        db.execute("DELETE FROM web_sessions WHERE user_id = ?", [user_id])


def set_language(db, user_id: int, language: str) -> None:
    with write_transaction(db):
        db.execute("UPDATE users SET language = ? WHERE id = ?", [language, user_id])


def delete_user(db, user_id: int, heir_id: int) -> None:
    """Delete an account; its classes and results move to ``heir_id``, its rosters go."""
    with write_transaction(db):
        db.execute(
            "UPDATE class_sessions SET teacher_id = ? WHERE teacher_id = ?", [heir_id, user_id]
        )
        db.execute("DELETE FROM rosters WHERE teacher_id = ?", [user_id])
        db.execute("DELETE FROM users WHERE id = ?", [user_id])


def insert_api_token(db, user_id: int, token_hash: str) -> None:
    with write_transaction(db):
        db["api_tokens"].insert(
            {"user_id": user_id, "token_hash": token_hash, "created_at": now_iso()}
        )
