"""The ``kepu`` command: serve, check, plugins, users, db.

Every error a user can cause prints one clean line (``Error: ...``) and exits 1; tracebacks
are for bugs only.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import click

from kepu_server.cli_authoring import import_command
from kepu_server.cli_common import KepuGroup, instance_options, make_app
from kepu_server.cli_plugins import plugins
from kepu_server.cli_xapi import xapi
from kepu_server.errors import KepuError
from kepu_server.version import __version__


@click.group(cls=KepuGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kepu")
def cli():
    """Kepu Server: science courses for school LANs."""


cli.add_command(plugins)
cli.add_command(xapi)
cli.add_command(import_command)


# ---------------------------------------------------------------- serve


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback and link-local, from every network
    interface (``ifaddr``: Windows, Linux and macOS alike; sends no packet)."""
    import ifaddr

    found = {
        ip.ip
        for adapter in ifaddr.get_adapters()
        for ip in adapter.ips
        if ip.is_IPv4 and not ip.ip.startswith(("127.", "169.254."))
    }
    return sorted(found)


@cli.command()
# Without an option, config.toml's host / port / threads apply, then DESIGN's defaults.
@click.option("--host", help="Address to listen on [config.toml 'host', else 0.0.0.0].")
@click.option("--port", type=click.IntRange(1, 65535), help="[config.toml 'port', else 8000]")
@click.option("--threads", type=click.IntRange(1, 256), help="[config.toml 'threads', else 8]")
@click.option(
    "--plugin",
    "projects",
    multiple=True,
    type=click.Path(exists=True, file_okay=False),
    help="Also load the plugin project at PATH, not installed (a preview).",
)
@instance_options
def serve(host, port, threads, projects, instance, content):
    """Run the server (waitress). On a fresh instance, prints a one-time setup link."""
    from kepu_server import serving
    from kepu_server.auth import create_setup_token, has_admin
    from kepu_server.plugins import preview_plugins
    from kepu_server.store.db import open_db

    given = {"KEPU_HOST": host, "KEPU_PORT": port, "KEPU_THREADS": threads}
    extra = {"KEPU_EXTRA_PLUGINS": preview_plugins(projects)} if projects else {}
    # No GC passes while the catalog is built (about a tenth of a 2,000-lesson start-up):
    # it is frozen below, before serving, and lives as long as the process.
    gc.disable()
    app = make_app(instance, content, **{k: v for k, v in given.items() if v is not None}, **extra)
    host, port, threads = (app.config[key] for key in given)
    hosts = lan_addresses() if host in ("0.0.0.0", "::") else [host]
    urls = [f"http://{h}:{port}/" for h in hosts] or [f"http://127.0.0.1:{port}/"]
    app.config["KEPU_LAN_URLS"] = urls
    click.echo(f"Kepu Server {__version__} — instance {app.config['KEPU_INSTANCE']}")
    catalog = app.extensions["kepu"].catalog
    click.echo(f"Serving {len(catalog.courses)} courses: {', '.join(catalog.courses)}")
    for record in catalog.records:
        if record.status == "failed" or record.errors:
            click.echo(f"Warning: plugin {record.name}: {record.error}", err=True)
    click.echo("Open on this network:")
    for url in urls:
        click.echo(f"  {url}")
    db = open_db(app.config["KEPU_DATABASE"])
    try:
        if not has_admin(db):
            token = create_setup_token(db)
            click.echo("No admin account yet. Create it with this one-time link:")
            click.echo(f"  {urls[0].rstrip('/')}/setup/{token}")
    finally:
        db.conn.close()
    from kepu_server.retention import start_retention

    start_retention(app)  # at start-up, then hourly, whether or not a teacher opens a page

    from kepu_server.xapi.sender import start_worker

    start_worker(app)  # only when [xapi] is configured
    gc.freeze()  # the catalog lives as long as the process: keep it out of every GC pass
    gc.enable()
    serving.serve(app, host=host, port=port, threads=threads)


# ---------------------------------------------------------------- check


@cli.command()
@click.argument("path", required=False, type=click.Path(exists=True))
@instance_options
def check(path, instance, content):
    """Validate a course folder or plugin at PATH, or everything the server would load."""
    from kepu_server.checking import check_everything, check_path

    if path:
        problems = check_path(Path(path))
    else:  # every file read and parsed now: the parse cache on disk is not consulted
        problems = check_everything(make_app(instance, content, KEPU_PARSE_CACHE=False))
    for line in problems:
        click.echo(line, err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    click.echo("All good: no problems found.")


# ---------------------------------------------------------------- users


def _interactive() -> bool:
    """True when a person is typing at a terminal (CliRunner swaps sys.stdin, so it counts)."""
    stdin = sys.stdin
    return bool(stdin is not None and hasattr(stdin, "isatty") and stdin.isatty())


@cli.group()
def users():
    """Teacher and admin accounts."""


@users.command("add")
@click.argument("name")
@click.option("--admin", is_flag=True, help="May add users and install plugins.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@instance_options
def users_add(name, admin, password_stdin, instance, content):
    """Add a teacher (or, with --admin, an admin) called NAME."""
    from kepu_server.auth import create_user
    from kepu_server.store.db import open_db

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        # Ask twice only at a terminal: piped input (a script, a test) gives the password once.
        password = click.prompt("Password", hide_input=True, confirmation_prompt=_interactive())
    app = make_app(instance, content)
    db = open_db(app.config["KEPU_DATABASE"])
    try:
        create_user(db, name, password, is_admin=admin)
    finally:
        db.conn.close()
    click.echo(f"Added {'admin' if admin else 'teacher'} {name}.")


@users.command("token")
@click.argument("name")
@instance_options
def users_token(name, instance, content):
    """Print a new API token for NAME (the last line of the output)."""
    from kepu_server.auth import create_api_token
    from kepu_server.store.accounts import user_by_name
    from kepu_server.store.db import open_db

    app = make_app(instance, content)
    db = open_db(app.config["KEPU_DATABASE"])
    try:
        user = user_by_name(db, name)
        if user is None:
            raise KepuError(f"no user called {name!r}")
        token = create_api_token(db, user["id"])
    finally:
        db.conn.close()
    click.echo(f"New API token for {name} (send it as 'Authorization: Bearer <token>'):")
    click.echo(token)


# ---------------------------------------------------------------- db


@cli.group()
def db():
    """Back up and restore the database."""


@db.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@instance_options
def db_backup(file, instance, content):
    """Copy the live database to FILE (safe while the server runs)."""
    from kepu_server.store.backup import backup

    app = make_app(instance, content)
    size = backup(app.config["KEPU_DATABASE"], file)
    click.echo(f"Backed up to {file} ({size} bytes).")


@db.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@instance_options
def db_restore(file, yes, instance, content):
    """Replace the database with FILE (stop the server first). The old one is kept aside."""
    from kepu_server.config import instance_path
    from kepu_server.store.backup import restore

    target = instance_path({"KEPU_INSTANCE": instance} if instance else None) / "kepu.db"
    # DESIGN's `kepu db restore FILE` has no flag: without a terminal (scripts, cron, tests)
    # it restores at once. Nothing is lost either way: the old database is kept aside.
    if not yes and target.exists() and _interactive():
        click.confirm(f"Replace {target} with {file}?", abort=True)
    kept = restore(file, target)
    click.echo(
        f"Restored {file} into {target}." + (f" The old database is at {kept}." if kept else "")
    )


def main(argv=None) -> None:
    try:
        cli.main(args=argv, prog_name="kepu", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:  # KepuGroup turns every KepuError into one of these
        exc.show()
        sys.exit(exc.exit_code)
    except (OSError, ValueError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)


# ---------------------------------------------------------------- bench


@cli.command(context_settings={"ignore_unknown_options": True, "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def bench(args):
    """Self-test this PC: pages, API and a hall of tablets beside a bare Flask app
    (``kepu bench --help`` for options; docs/capacity.md reads the figures)."""
    from kepu_server.benchmark.run import main

    main(list(args))


if __name__ == "__main__":
    main()
