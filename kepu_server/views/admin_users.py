"""Admin pages: teacher accounts (list, add, reset a password, delete)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.security import generate_password_hash

from kepu_server.auth import admin_required, create_user, current_user
from kepu_server.errors import ApiError, KepuError
from kepu_server.store import accounts
from kepu_server.store.db import get_db
from kepu_server.views.common import account_problem

bp = Blueprint("admin_users", __name__, url_prefix="/admin")


def _user(db, user_id: int) -> dict:
    row = accounts.user_by_id(db, user_id)
    if row is None:
        raise ApiError(404, "not_found", _("There is no such account."))
    return row


@bp.get("/users")
@admin_required
def users():
    rows = accounts.users_with_session_counts(get_db())
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
    # Scripts holding the old credentials stop working too (the store drops its API tokens).
    accounts.set_password_hash(db, user_id, generate_password_hash(password))
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
    accounts.delete_user(db, user_id, heir_id=me["id"])
    flash(_("Deleted %(name)s. Their classes and results are now in your history.",
            name=user["name"]), "ok")  # fmt: skip
    return redirect(url_for(".users"))


def init_app(app) -> None:
    app.register_blueprint(bp)
