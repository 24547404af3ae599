"""Admin pages: teacher accounts (list, add, reset a password, delete)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.security import generate_password_hash

from kepu_server.auth import admin_required, create_user, current_user
from kepu_server.errors import ApiError, KepuError
from kepu_server.store import accounts
from kepu_server.store.db import get_db, write_transaction
from kepu_server.views.common import account_problem

bp = Blueprint("admin_users", __name__, url_prefix="/admin")


def _user(db, user_id: int) -> dict:
    row = next(db.query("SELECT * FROM users WHERE id = ?", [user_id]), None)
    if row is None:
        raise ApiError(404, "not_found", _("There is no such account."))
    return row


@bp.get("/users")
@admin_required
def users():
    rows = list(
        get_db().query(
            "SELECT u.id, u.name, u.is_admin, u.created_at, "
            "(SELECT COUNT(*) FROM class_sessions s WHERE s.teacher_id = u.id) AS sessions "
            "FROM users u ORDER BY u.is_admin DESC, u.name"
        )
    )
    return render_template("admin_users/users.html", users=rows, me=current_user())


@bp.post("/users")
@admin_required
def add_user():
    form = request.form
    if form.get("password", "") != form.get("password2", form.get("password", "")):
        flash(_("The two passwords differ."), "error")
        return redirect(url_for(".users"))
    try:
        create_user(
            get_db(), form.get("name", ""), form.get("password", ""),
            is_admin=form.get("is_admin") == "1",
        )  # fmt: skip
    except KepuError as exc:
        flash(_("Could not add the account: %(why)s", why=account_problem(exc)), "error")
        return redirect(url_for(".users"))
    flash(_("Added %(name)s. Give them their name and password.", name=form["name"].strip()), "ok")
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/password")
@admin_required
def reset_password(user_id):
    db = get_db()
    user = _user(db, user_id)
    password = request.form.get("password", "")
    if len(password) < 8:
        flash(_("A password needs at least 8 characters."), "error")
        return redirect(url_for(".users"))
    with write_transaction(db):
        db.execute(
            "UPDATE users SET password_hash = ? WHERE id = ?",
            [generate_password_hash(password), user_id],
        )
        # Scripts holding the old credentials stop working too.
        db.execute("DELETE FROM api_tokens WHERE user_id = ?", [user_id])
        accounts.end_web_sessions_of(db, user_id)
    flash(_("New password set for %(name)s.", name=user["name"]), "ok")
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/delete")
@admin_required
def delete_user(user_id):
    """Delete an account. Its classes and results move to the admin who deletes it."""
    db, me = get_db(), current_user()
    user = _user(db, user_id)
    if user_id == me["id"]:
        flash(_("You cannot delete your own account."), "error")
        return redirect(url_for(".users"))
    with write_transaction(db):
        db.execute(
            "UPDATE class_sessions SET teacher_id = ? WHERE teacher_id = ?", [me["id"], user_id]
        )
        db.execute("DELETE FROM rosters WHERE teacher_id = ?", [user_id])
        db.execute("DELETE FROM users WHERE id = ?", [user_id])
    flash(_("Deleted %(name)s. Their classes and results are now in your history.",
            name=user["name"]), "ok")  # fmt: skip
    return redirect(url_for(".users"))


def init_app(app) -> None:
    app.register_blueprint(bp)
