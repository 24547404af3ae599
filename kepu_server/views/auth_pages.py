"""Sign-in, sign-out and the one-time setup link that creates the first admin."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from kepu_server.auth import create_user, has_admin, hash_token, now_iso, verify_password
from kepu_server.errors import KepuError
from kepu_server.security import count_failure, over_limit
from kepu_server.store.db import get_db, write_transaction

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: never send a teacher to another host after signing in.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("pages.catalog")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        limit = current_app.config["KEPU_LOGIN_LIMIT"]
        if over_limit("login", limit):
            flash(_("Too many failed sign-ins. Wait a minute and try again."), "error")
            return render_template("auth/login.html"), 429
        user = verify_password(
            get_db(), request.form.get("name", ""), request.form.get("password", "")
        )
        if user:
            session.clear()
            session["user_id"] = user["id"]
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
        count_failure("login", limit)
        flash(_("Wrong name or password."), "error")
        return render_template("auth/login.html"), 401
    return render_template("auth/login.html")


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("pages.catalog"))


@bp.route("/setup/<token>", methods=["GET", "POST"])
def setup(token):
    db = get_db()
    row = next(db.query("SELECT * FROM setup_tokens WHERE token_hash = ? AND used_at IS NULL",
                        [hash_token(token)]), None)  # fmt: skip
    if row is None or has_admin(db):
        return render_template("auth/setup_used.html"), 404
    if request.method == "POST":
        password = request.form.get("password", "")
        if password != request.form.get("password2", ""):
            flash(_("The two passwords differ."), "error")
            return render_template("auth/setup.html"), 400
        try:
            user_id = create_user(db, request.form.get("name", ""), password, is_admin=True)
        except KepuError as exc:
            flash(str(exc), "error")
            return render_template("auth/setup.html"), 400
        with write_transaction(db):
            db.execute(
                "UPDATE setup_tokens SET used_at = ? WHERE token_hash = ?",
                [now_iso(), hash_token(token)],
            )
        session.clear()
        session["user_id"] = user_id
        return redirect(url_for("pages.catalog"))
    return render_template("auth/setup.html")


def init_app(app) -> None:
    app.register_blueprint(bp)
