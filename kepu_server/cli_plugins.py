"""``kepu plugins ...``: list what is installed (install, enable, disable, uninstall, new)."""

from __future__ import annotations

import json

import click

from kepu_server.cli import cli, instance_options, make_app


@cli.group()
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
