"""The ``kepu`` command: serve, check, plugins, users, db.

Every error a user can cause prints one clean line (``Error: ...``) and exits 1; tracebacks
are for bugs only.
"""

from __future__ import annotations

import gc
import socket
import sys
from pathlib import Path

import click

from kepu_server.errors import KepuError
from kepu_server.version import __version__


def instance_options(func):
    """``--instance`` and ``--content`` on every command that uses the instance folder."""
    func = click.option(
        "--content",
        "content",
        type=click.Path(file_okay=False),
        envvar="KEPU_CONTENT",
        help="The school's course folders [./content].",
    )(func)
    func = click.option(
        "--instance",
        "instance",
        type=click.Path(file_okay=False),
        envvar="KEPU_INSTANCE",
        help="The instance folder [./instance].",
    )(func)
    return func  # fmt: skip


def make_app(instance: str | None, content: str | None, **extra):
    from kepu_server.app import create_app

    config = dict(extra)
    if instance:
        config["KEPU_INSTANCE"] = str(Path(instance).resolve())
    if content:
        config["KEPU_CONTENT"] = str(Path(content).resolve())
    return create_app(config)


class KepuGroup(click.Group):
    """The ``kepu`` group: a ``KepuError`` from any command, however it is invoked (``main``
    or click's ``CliRunner``), prints one clean line, ``Error: <message>``, and exits 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KepuError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=KepuGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kepu")
def cli():
    """Kepu Server: science courses for school LANs."""


# ---------------------------------------------------------------- serve


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback (asks the OS; sends no packet)."""
    found = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(info[4][0])
    except OSError:
        pass
    found |= set(_interface_addresses())
    return sorted(a for a in found if not a.startswith("127."))


def _interface_addresses() -> list[str]:
    """Each network interface's IPv4 address on Linux (where the host name often maps to
    127.0.1.1 only); elsewhere the host-name lookup above is what there is."""
    try:
        import fcntl
        import struct
    except ImportError:
        return []
    addresses = []
    for _index, name in getattr(socket, "if_nameindex", list)():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            try:
                packed = fcntl.ioctl(  # SIOCGIFADDR
                    sock.fileno(), 0x8915, struct.pack("256s", name[:15].encode())
                )
            except OSError:
                continue
        addresses.append(socket.inet_ntoa(packed[20:24]))
    return addresses


@cli.command()
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256))
@instance_options
def serve(host, port, threads, instance, content):
    """Run the server (waitress). On a fresh instance, prints a one-time setup link."""
    from kepu_server import serving
    from kepu_server.auth import create_setup_token, has_admin
    from kepu_server.store.db import open_db

    app = make_app(instance, content, KEPU_HOST=host, KEPU_PORT=port, KEPU_THREADS=threads)
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
    gc.freeze()  # the catalog lives as long as the process: keep it out of every GC pass
    serving.serve(app, host=host, port=port, threads=threads)


# ---------------------------------------------------------------- check


@cli.command()
@click.argument("path", required=False, type=click.Path(exists=True))
@instance_options
def check(path, instance, content):
    """Validate a course folder or plugin at PATH, or everything the server would load."""
    from kepu_server.checking import check_everything, check_path

    problems = check_path(Path(path)) if path else check_everything(make_app(instance, content))
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
    from kepu_server.store.db import open_db

    app = make_app(instance, content)
    db = open_db(app.config["KEPU_DATABASE"])
    try:
        rows = list(db["users"].rows_where("name = ?", [name]))
        if not rows:
            raise KepuError(f"no user called {name!r}")
        token = create_api_token(db, rows[0]["id"])
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


def _register_plugin_commands() -> None:
    """Let plugins add commands (``kepu_commands``); a failing plugin is skipped quietly."""
    from kepu_server.config import instance_path
    from kepu_server.plugins import load_plugins, new_plugin_manager

    instance = None
    if "--instance" in sys.argv[:-1]:
        instance = sys.argv[sys.argv.index("--instance") + 1]
    root = instance_path({"KEPU_INSTANCE": instance} if instance else None)
    pm = new_plugin_manager()
    try:
        load_plugins(pm, plugins_dir=root / "plugins", disabled=set())
    except Exception:  # noqa: BLE001 - the CLI must work even when plugins are broken
        return
    for impl in pm.hook.kepu_commands.get_hookimpls():
        try:
            impl.function(*(cli for _ in impl.argnames))  # it may take no argument
        except Exception:  # noqa: BLE001
            continue


def main(argv=None) -> None:
    from kepu_server import cli_plugins  # noqa: F401 - registers ``kepu plugins``

    _register_plugin_commands()
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


# ``kepu plugins`` lives in its own module; importing it here makes ``cli`` complete for
# whoever imports it (``CliRunner().invoke(cli, ...)``), not only when run through ``main``.
import kepu_server.cli_plugins  # noqa: E402, F401

if __name__ == "__main__":
    # Run through the imported module so ``kepu plugins`` registers on the same group.
    from kepu_server.cli import main as imported_main

    imported_main()
