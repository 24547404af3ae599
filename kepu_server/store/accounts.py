"""Account queries: the one-time setup link and the server side of cookie sessions.

Flask's session lives in a signed cookie, which the server cannot take back by itself; each
sign-in therefore also gets a row in ``web_sessions`` (only its hash is stored), and the cookie
works only while that row exists. Signing out deletes it; a new or reset password deletes all
of the account's rows; deleting the account deletes them with it.
"""

from __future__ import annotations

import sqlite_utils

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
