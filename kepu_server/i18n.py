"""Languages: the UI in Chinese (default) and English, content in whatever a course offers.

Pages (the UI): ``?lang=`` (remembered in a cookie), the signed-in teacher's setting, the
cookie, then Chinese. The browser's Accept-Language is not used for pages: classroom tablets
are often set up in English, and the product's default is Chinese.

The content API (DESIGN.md): ``?lang=``, then Accept-Language, then the course's default.
"""

from __future__ import annotations

from flask import g, request
from flask_babel import Babel

UI_LANGUAGES = ("zh", "en")
babel = Babel()


def requested_language() -> str | None:
    """An explicit choice for this request: ?lang=, then the 'lang' cookie."""
    return language_choice(request.args.get("lang"), request.cookies.get("lang"))


def language_choice(arg: str | None, cookie: str | None) -> str | None:
    """``requested_language`` from the ``?lang=`` value and the cookie's (seat_lane.py too)."""
    lang = arg or cookie
    if lang:
        lang = lang.split("-")[0].split("_")[0].lower()
    return lang if lang in UI_LANGUAGES else None


def ui_language() -> str:
    if "kepu_lang" in g:
        return g.kepu_lang
    lang = request.args.get("lang")
    lang = lang.split("-")[0].lower() if lang else None
    if lang not in UI_LANGUAGES:
        lang = None
        user = g.get("kepu_user")
        if user and user.get("language") in UI_LANGUAGES:
            lang = user["language"]
    lang = lang or requested_language() or "zh"
    g.kepu_lang = lang
    return lang


def content_language(course) -> str:
    """The language to show ``course`` in (see the module docstring for the order)."""
    offered = course.languages
    lang = request.args.get("lang")
    if lang is not None and request.path.startswith("/api/") and lang not in UI_LANGUAGES:
        # The API's document lists ?lang= as an enum: anything else is a client's mistake.
        from kepu_server.errors import ApiError

        raise ApiError(400, "bad_lang", f"'lang' must be one of {', '.join(UI_LANGUAGES)}")
    if lang:
        lang = lang.split("-")[0].lower()
        if lang in offered:
            return lang
    if not request.path.startswith("/api/"):
        # On pages the content follows the UI language when the course has it.
        ui = ui_language()
        return ui if ui in offered else course.language
    if request.headers.get("Accept-Language"):
        best = request.accept_languages.best_match(offered)
        if best:
            return best
    return course.language


def init_app(app) -> None:
    babel.init_app(app, locale_selector=lambda: "zh_CN" if ui_language() == "zh" else "en")

    @app.after_request
    def remember_language(response):
        lang = request.args.get("lang")
        if lang in UI_LANGUAGES and request.cookies.get("lang") != lang:
            response.set_cookie("lang", lang, max_age=365 * 86400, samesite="Lax")
        return response
