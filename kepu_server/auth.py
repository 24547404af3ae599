"""Who is asking: teachers and admins (cookie session or API token) and the helpers to check it.

Passwords are hashed with werkzeug.security. API tokens and one-time setup tokens are stored
only as SHA-256 hashes, so a copied database does not hand out working credentials.
"""

from __future__ import annotations

import functools
import secrets

from flask import g, redirect, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from kepu_server.clock import now_iso
from kepu_server.errors import AccountError, ApiError
from kepu_server.store import accounts
from kepu_server.store.db import get_db
from kepu_server.store.participants import participant_by_token_hash
from kepu_server.tokens import hash_token


def create_user(db, name: str, password: str, *, is_admin: bool = False) -> int:
    name = name.strip()
    if not name or len(name) > 64:
        raise AccountError("a user name needs 1 to 64 characters", "bad_name", name)
    if len(password) < 8:
        raise AccountError("a password needs at least 8 characters", "short_password", name)
    if accounts.name_taken(db, name):
        raise AccountError(f"a user called {name!r} exists already", "name_taken", name)
    return accounts.insert_user(db, name, generate_password_hash(password), is_admin=is_admin)


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def verify_password(db, name: str, password: str) -> dict | None:
    user = accounts.user_by_name(db, name.strip())
    stored = user["password_hash"] if user else None
    if not stored:
        # The same slow hash as for a real account: the answer's timing must not tell
        # someone on the LAN which teacher names exist.
        check_password_hash(_dummy_hash(), password)
        return None
    return user if check_password_hash(stored, password) else None


def create_api_token(db, user_id: int) -> str:
    token = "kepu_" + secrets.token_urlsafe(32)
    accounts.insert_api_token(db, user_id, hash_token(token))
    return token


def create_setup_token(db) -> str:
    """A one-time link token for creating the first admin; only when there is no admin.

    A new link expires every earlier unused one: a restart without an admin prints a new
    link, and the old one (perhaps still on a screen or in a log) no longer works.
    """
    token = secrets.token_urlsafe(24)
    accounts.replace_setup_tokens(db, hash_token(token), now_iso())
    return token


def password_stamp(user: dict) -> str:
    """A short fingerprint of the user's password hash, kept in their cookie session.

    Changing or resetting the password changes it, so every cookie session signed in with
    the old password stops working, as a second line behind ``web_sessions``.
    """
    return hash_token("session:" + (user.get("password_hash") or ""))[:20]


def start_session(user: dict) -> None:
    """Sign ``user`` in with a fresh cookie session (a planted session is worth nothing).

    The cookie carries a random nonce whose hash is kept in ``web_sessions``: signing out
    deletes it, so a copy of the cookie stops working too.
    """
    session.clear()
    nonce = secrets.token_urlsafe(24)
    accounts.add_web_session(get_db(), user["id"], hash_token(nonce), now_iso())
    session["user_id"] = user["id"]
    session["stamp"] = password_stamp(user)
    session["nonce"] = nonce
    session.permanent = True


def end_session() -> None:
    """Sign this browser out, on the server too."""
    nonce = session.get("nonce")
    if isinstance(nonce, str):
        accounts.end_web_session(get_db(), hash_token(nonce))
    session.clear()


def has_admin(db) -> bool:
    return accounts.has_admin(db)


def bearer_token() -> str | None:
    return bearer_from(request.headers.get("Authorization", ""))


def bearer_from(header: str) -> str | None:
    """The token of an ``Authorization: Bearer ...`` header's value (seat_lane.py reads it too)."""
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


def current_user() -> dict | None:
    """The signed-in teacher or admin (a users row), or None. Cached on ``g``."""
    if "kepu_user" in g:
        return g.kepu_user
    user = None
    db = get_db()
    token = bearer_token()
    if token is not None:
        # A request with a bearer token is judged by that token alone, never by the cookie
        # next to it: bearer requests skip the CSRF check (security.py).
        if token.startswith("kepu_"):
            user = accounts.user_by_api_token_hash(db, hash_token(token))
    elif session.get("user_id"):
        nonce = session.get("nonce")
        # Only while the server still holds this sign-in (signing out ends it); a session
        # from before a password change (or reset) no longer matches the stamp either.
        user = (
            accounts.web_session_user(db, session["user_id"], hash_token(nonce))
            if isinstance(nonce, str)
            else None
        )
        if user is not None and session.get("stamp") != password_stamp(user):
            user = None
    g.kepu_user = user
    return user


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _is_participant_token(token: str | None) -> bool:
    """Whether ``token`` is a student's seat token from joining a class."""
    if not token:
        return False
    return participant_by_token_hash(get_db(), hash_token(token)) is not None


def teacher_required(view):
    """Teachers and admins only: 401 without credentials, 403 for students' tokens."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        user = current_user()
        if user is None:
            # 403 only for a student's real token: an unknown token is no credential (401).
            if _is_participant_token(bearer_token()):
                raise ApiError(403, "forbidden", "this needs a teacher's account")
            if _wants_json():
                raise ApiError(401, "unauthorized", "sign in as a teacher first")
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    """Admins only: 401 without credentials, 403 for teachers and students."""

    @functools.wraps(view)
    @teacher_required
    def wrapped(*args, **kwargs):
        if not current_user()["is_admin"]:
            raise ApiError(403, "forbidden", "this needs an admin account")
        return view(*args, **kwargs)

    return wrapped
