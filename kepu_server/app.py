"""The application factory. Nothing happens at import time; everything in ``create_app``."""

from __future__ import annotations

import logging

from flask import Flask

from kepu_server import config as kepu_config
from kepu_server import i18n, security, web_errors
from kepu_server.catalog import CatalogHolder
from kepu_server.errors import StartupError
from kepu_server.store import db as store

log = logging.getLogger(__name__)


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
    mounted = set()
    with app.app_context():
        for plugin_name, blueprints in catalog.call_each("kepu_blueprints", app=app):
            for blueprint in blueprints or []:
                try:
                    app.register_blueprint(blueprint, url_prefix=f"/x/{plugin_name}")
                    mounted.add(plugin_name)
                except Exception as exc:  # noqa: BLE001 - recorded against the plugin
                    record = catalog.record(plugin_name)
                    if record is not None:
                        record.fail(exc)
    app.config["KEPU_MOUNTED_PLUGINS"] = sorted(mounted)


def _run_startup_hooks(app: Flask) -> None:
    catalog = app.extensions["kepu"].catalog
    with app.app_context():
        for impl in reversed(catalog.pm.hook.kepu_startup.get_hookimpls()):
            try:
                # pluggy lets an implementation take fewer arguments than the spec.
                impl.function(*(app for _ in impl.argnames))
            except StartupError:
                raise
            except Exception as exc:  # noqa: BLE001 - a broken plugin must not stop the school
                log.exception("plugin %s failed at start-up", impl.plugin_name)
                record = catalog.record(impl.plugin_name)
                if record is not None:
                    record.fail(exc)
