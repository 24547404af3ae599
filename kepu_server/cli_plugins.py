"""``kepu plugins ...``: list, install, enable, disable, uninstall and scaffold plugins.

``cli.py`` adds the ``plugins`` group to ``kepu``; this module needs nothing from it.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import click

from kepu_server.cli_common import instance_options, make_app
from kepu_server.errors import KepuError


@click.group()
def plugins():
    """Course plugins and content packs."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@instance_options
def plugins_list(as_json, instance, content):
    """Name, version, source, status, error and course ids of every plugin."""
    app = make_app(instance, content)
    records = [r.as_dict() for r in app.extensions["kepu"].catalog.records]
    if as_json:
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    for r in records:
        courses = ", ".join(r["courses"]) or "-"
        click.echo(
            f"{r['name']:<20} {r['version']:<10} {r['source']:<8} {r['status']:<9} {courses}"
        )
        if r["error"]:
            for line in r["error"].splitlines():
                click.echo(f"    error: {line}")


@plugins.command("install")
@click.argument("source")
@click.option("--check", "dry_run", is_flag=True, help="Only validate SOURCE; install nothing.")
@instance_options
def plugins_install(source, dry_run, instance, content):
    """Install or upgrade a plugin or content pack from SOURCE.

    SOURCE is a content pack (.zip or a folder with course.toml), a folder plugin (a folder
    or .zip with plugin.toml and plugin.py), a wheel (.whl), a plugin project folder, or a
    pip requirement such as "kepu-ocean==1.2". Everything is checked before anything is
    copied; a refused SOURCE leaves the instance untouched. A running server picks up packs
    and folder plugins by itself; pip plugins need a restart.
    """
    from kepu_server.install import install

    with undo_bootstrap_on_refusal(instance):
        app = make_app(instance, content)
        result = install(app, source, dry_run=dry_run)
    click.echo(result.describe())


@contextlib.contextmanager
def undo_bootstrap_on_refusal(instance: str | None):
    """On a refusal, remove what opening a brand-new instance folder created just now.

    A refused install leaves the instance exactly as it was, even one that did not exist:
    ``create_app`` makes the database, secret key and folders of a fresh instance.
    """
    from kepu_server.config import instance_path

    root = instance_path({"KEPU_INSTANCE": instance} if instance else None)
    parts = [root / n for n in ("kepu.db", "kepu.db-wal", "kepu.db-shm", "secret_key")]
    folders = [root / "plugins", root / "packs", root]
    new = [p for p in parts + folders if not p.exists()]
    try:
        yield
    except KepuError:
        for path in new:
            if path in folders:
                with contextlib.suppress(OSError):
                    path.rmdir()  # only when still empty
            else:
                path.unlink(missing_ok=True)
        raise


@plugins.command("uninstall")
@click.argument("name")
@instance_options
def plugins_uninstall(name, instance, content):
    """Remove the plugin or content pack NAME (a pack's NAME is its course id).

    Class results that used its courses stay in the database.
    """
    from kepu_server.install import uninstall

    app = make_app(instance, content)
    click.echo(uninstall(app, name))


def _set_enabled(name, enabled, instance, content):
    from kepu_server.install import set_enabled

    app = make_app(instance, content)
    changed = set_enabled(app, name, enabled)
    state = "enabled" if enabled else "disabled"
    if changed:
        click.echo(f"{name} is now {state}. A running server applies this within seconds.")
    else:
        click.echo(f"{name} was already {state}.")


@plugins.command("enable")
@click.argument("name")
@instance_options
def plugins_enable(name, instance, content):
    """Serve the courses of the plugin or content pack NAME again."""
    _set_enabled(name, True, instance, content)


@plugins.command("disable")
@click.argument("name")
@instance_options
def plugins_disable(name, instance, content):
    """Stop serving the courses of NAME without removing it (class results stay readable)."""
    _set_enabled(name, False, instance, content)


@plugins.command("new")
@click.argument("name")
@click.option(
    "--directory", "-d", type=click.Path(file_okay=False), default=".", show_default=True,
    help="Create the project folder kepu-NAME inside this folder.",
)  # fmt: skip
@click.option("--title", help="The course title in Chinese (default: from NAME).")
@click.option("--title-en", help="The course title in English (default: from NAME).")
def plugins_new(name, directory, title, title_en):
    """Start a new course plugin called NAME (also its course id), ready to edit and build.

    The project passes 'kepu check' and its own test as generated, and 'pip wheel .' turns
    it into a wheel that a school installs with 'kepu plugins install'.
    """
    from kepu_server.scaffold import new_plugin

    project = new_plugin(name, Path(directory), title=title, title_en=title_en)
    click.echo(f"Created {project}")
    click.echo("Next steps:")
    click.echo(f"  kepu check {project}")
    click.echo(f"  cd {project} && python -m pytest")
    click.echo("  pip wheel --no-deps -w dist .      # then: kepu plugins install dist/*.whl")
