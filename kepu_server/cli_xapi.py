"""``kepu xapi status`` and ``kepu xapi send``: the outbox to the district's LRS."""

from __future__ import annotations

import click

from kepu_server.cli_common import instance_options, make_app


@click.group()
def xapi():
    """The xAPI outbox (statements for the district's Learning Record Store)."""


def _open(instance, content):
    from kepu_server.store.db import open_db

    app = make_app(instance, content)
    return app, open_db(app.config["KEPU_DATABASE"])


@xapi.command("status")
@instance_options
def xapi_status(instance, content):
    """Queue length, last success and last error."""
    from kepu_server.store.outbox import status
    from kepu_server.xapi.record import settings

    app, db = _open(instance, content)
    try:
        st = status(db)
    finally:
        db.conn.close()
    cfg = settings(app.config)
    click.echo(f"Delivery: {'on, to ' + cfg['endpoint'] if cfg else 'off (no [xapi] endpoint)'}")
    click.echo(f"Queued: {st['queued']}")
    click.echo(f"Sent: {st['sent']}")
    click.echo(f"Last success: {st['last_success'] or 'never'}")
    click.echo(f"Last error: {st['last_error'] or 'none'}")


@xapi.command("send")
@instance_options
def xapi_send(instance, content):
    """Send every queued statement now."""
    from kepu_server.errors import KepuError
    from kepu_server.xapi.record import settings
    from kepu_server.xapi.sender import LrsError, flush

    app, db = _open(instance, content)
    cfg = settings(app.config)
    if cfg is None:
        db.conn.close()
        raise KepuError("xAPI delivery is off: add [xapi] with an endpoint to config.toml")
    try:
        sent = flush(db, cfg)
    except LrsError as exc:
        raise KepuError(str(exc)) from None
    finally:
        db.conn.close()
    click.echo(f"Sent {sent} statements.")
