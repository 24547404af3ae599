"""Sign-in, sign-out, the one-time setup link for the first admin, and "my account".

A signed-in teacher's UI language is theirs: the language switch in the top bar saves it to
``users.language``, and ``i18n.ui_language`` reads it (the user is loaded before any text is
translated, by ``load_signed_in_user`` below).
"""

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
from werkzeug.security import generate_password_hash

from kepu_server.auth import (
    create_user,
    current_user,
    end_session,
    hash_token,
    start_session,
    teacher_required,
    verify_password,
)
from kepu_server.clock import now_iso
from kepu_server.errors import KepuError
from kepu_server.i18n import UI_LANGUAGES
from kepu_server.security import give_back, take_attempt
from kepu_server.store import accounts
from kepu_server.store.db import get_db, write_transaction
from kepu_server.views.common import account_problem

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: never send a teacher to another host after signing in. Browsers
    # read "/\\host" as "//host" and drop tabs and newlines, so those are refused too.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
        and not any(ch.isspace() for ch in target)
    ):
        return target
    return url_for("teach.home")


@bp.before_app_request
def load_signed_in_user():
    """Load the signed-in user early so the UI speaks their language; keep a new choice."""
    if not session.get("user_id") or request.endpoint == "static":
        return
    user = current_user()
    lang = request.args.get("lang")
    if user and lang in UI_LANGUAGES and user.get("language") != lang:
        accounts.set_language(get_db(), user["id"], lang)
        user["language"] = lang


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        limit = current_app.config["KEPU_LOGIN_LIMIT"]
        # Counted before the (slow) password check and atomically with the limit's check, so
        # concurrent guesses cannot all pass it; a right password hands its attempt back.
        if not take_attempt("login", limit):
            flash(_("Too many failed sign-ins. Wait a minute and try again."), "error")
            return render_template("auth/login.html"), 429
        user = verify_password(
            get_db(), request.form.get("name", ""), request.form.get("password", "")
        )
        if user:
            give_back("login", limit)
            # A fresh session on sign-in: a cookie planted before sign-in is worth nothing.
            start_session(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Wrong name or password."), "error")
        return render_template("auth/login.html"), 401
    return render_template("auth/login.html")


@bp.route("/logout", methods=["POST"])
def logout():
    end_session()
    return redirect(url_for("pages.catalog"))


@bp.route("/setup/<token>", methods=["GET", "POST"])
def setup(token):
    db = get_db()
    if not accounts.setup_token_usable(db, hash_token(token)):
        return render_template("auth/setup_used.html"), 404
    if request.method == "POST":
        password = request.form.get("password", "")
        # The page asks twice; a script that sends the password once is taken at its word.
        if password != request.form.get("password2", password):
            flash(_("The two passwords differ."), "error")
            # Keep the name typed: only the passwords need typing again.
            return render_template("auth/setup.html", name=request.form.get("name", "")), 400
        try:
            # Claiming the link and adding the admin are one transaction: of several
            # concurrent claims, one finds the link unused and the others none.
            with write_transaction(db):
                if not accounts.claim_setup_token(db, hash_token(token), now_iso()):
                    return render_template("auth/setup_used.html"), 404
                user_id = create_user(db, request.form.get("name", ""), password, is_admin=True)
        except KepuError as exc:
            flash(account_problem(exc), "error")
            return render_template("auth/setup.html", name=request.form.get("name", "")), 400
        start_session(accounts.user_by_id(db, user_id))
        flash(_("Welcome! Add your teachers' accounts here."), "ok")
        return redirect(url_for("admin_users.users"))
    return render_template("auth/setup.html")


@bp.route("/account", methods=["GET", "POST"])
@teacher_required
def account():
    """The signed-in user's language and password."""
    user, db = current_user(), get_db()
    status = 200
    if request.method == "POST":
        if request.form.get("form") == "language":
            lang = request.form.get("language")
            if lang in UI_LANGUAGES:
                accounts.set_language(db, user["id"], lang)
                response = redirect(url_for("auth.account"))
                response.set_cookie("lang", lang, max_age=365 * 86400, samesite="Lax")
                return response
            flash(_("Choose a language."), "error")
            status = 400
        else:
            status = _change_password(db, user)
            if status == 303:
                flash(_("Your password was changed."), "ok")
                return redirect(url_for("auth.account"), 303)
    return render_template("auth/account.html", user=user, languages=UI_LANGUAGES), status


def _change_password(db, user: dict) -> int:
    form = request.form
    if not verify_password(db, user["name"], form.get("current", "")):
        flash(_("Your current password is not right."), "error")
        return 400
    new = form.get("password", "")
    if len(new) < 8:
        flash(_("A password needs at least 8 characters."), "error")
        return 400
    if new != form.get("password2", ""):
        flash(_("The two passwords differ."), "error")
        return 400
    # Whoever knew the old password may hold a token or another signed-in browser: the
    # store drops the account's API tokens with the old password.
    accounts.set_password_hash(db, user["id"], generate_password_hash(new))
    # Other browsers signed in with the old password are signed out; this one stays in.
    start_session(accounts.user_by_id(db, user["id"]))
    return 303


def init_app(app) -> None:
    app.register_blueprint(bp)
