"""The application factory. Nothing happens at import time; everything in ``create_app``."""

from __future__ import annotations

from flask import Flask

from kepu_server import answer_lane, i18n, seat_lane, security, web_errors
from kepu_server import config as kepu_config
from kepu_server.catalog import CatalogHolder
from kepu_server.errors import StartupError
from kepu_server.store import db as store


def create_app(config: dict | None = None) -> Flask:
    """Build the app: defaults, then ``<instance>/config.toml``, then ``config``."""
    config = dict(config or {})
    instance = kepu_config.instance_path(config)
    for folder in (instance, instance / "plugins", instance / "packs"):
        folder.mkdir(parents=True, exist_ok=True)

    app = Flask("kepu_server", instance_path=str(instance))
    app.config.from_mapping(kepu_config.defaults(instance))
    app.config.update(kepu_config.read_instance_config(instance))
    app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = kepu_config.secret_key(instance)
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    store.init_app(app)
    i18n.init_app(app)
    seat_lane.init_app(app)  # the tablet's unchanged poll, in front of Flask (seat_lane.py)
    answer_lane.init_app(app)  # a tablet's common answer, in front of Flask (answer_lane.py)
    security.init_app(app)
    web_errors.init_app(app)
    app.extensions["kepu"] = CatalogHolder(app)
    _register_views(app)
    _register_plugin_blueprints(app)
    _run_startup_hooks(app)
    return app


def _register_views(app: Flask) -> None:
    from kepu_server.views import VIEW_MODULES

    for module in VIEW_MODULES:
        module.init_app(app)


def _register_plugin_blueprints(app: Flask) -> None:
    """Mount each plugin's blueprints under ``/x/<plugin-name>/`` (once, at start-up)."""
    catalog = app.extensions["kepu"].catalog
    with app.app_context():
        for plugin_name, blueprints in catalog.call("kepu_blueprints", app=app):
            for blueprint in blueprints or []:
                try:
                    app.register_blueprint(blueprint, url_prefix=f"/x/{plugin_name}")
                except Exception as exc:  # noqa: BLE001 - the plugin's mistake, not the core's
                    catalog.dispatcher.fail(plugin_name, "kepu_blueprints", exc)


def _run_startup_hooks(app: Flask) -> None:
    """``kepu_startup``: a ``StartupError`` stops the server; anything else fails the plugin."""
    catalog = app.extensions["kepu"].catalog
    with app.app_context():
        catalog.dispatcher.call("kepu_startup", propagate=(StartupError,), app=app)
