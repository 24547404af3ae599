"""Teacher and admin accounts: ``users``, their API tokens and the one-time setup tokens."""

from __future__ import annotations

from kepu_server.clock import now_iso
from kepu_server.store.db import write_transaction


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
    """A new password; the account's API tokens stop working with the old one."""
    with write_transaction(db):
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [password_hash, user_id])
        db.execute("DELETE FROM api_tokens WHERE user_id = ?", [user_id])


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


def insert_setup_token(db, token_hash: str) -> None:
    with write_transaction(db):
        db["setup_tokens"].insert({"token_hash": token_hash, "created_at": now_iso()})


def unused_setup_token(db, token_hash: str) -> dict | None:
    return next(
        db.query(
            "SELECT * FROM setup_tokens WHERE token_hash = ? AND used_at IS NULL", [token_hash]
        ),
        None,
    )


def mark_setup_token_used(db, token_hash: str) -> None:
    with write_transaction(db):
        db.execute(
            "UPDATE setup_tokens SET used_at = ? WHERE token_hash = ?", [now_iso(), token_hash]
        )
