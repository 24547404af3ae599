"""``kepu import FILE --course ID``: the web's question import, from the command line.

``cli.py`` adds the command to ``kepu``; this module needs nothing from it.
"""

from __future__ import annotations

from pathlib import Path

import click

from kepu_server.cli_common import instance_options, make_app
from kepu_server.errors import ApiError, KepuError


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--course", required=True, help="The authored course (a pack in <instance>/packs/).")
@click.option("--format", "fmt", type=click.Choice(["gift", "aiken", "xlsx", "csv"]),
              help="The file's format [from its extension].")  # fmt: skip
@click.option("--quiz", help="The quiz to add to (created when missing) [the file's name].")
@instance_options
def import_command(file, course, fmt, quiz, instance, content):
    """Import GIFT, Aiken, .xlsx or .csv questions into a quiz of an authored course."""
    from kepu_server.authoring.importing import import_into
    from kepu_server.authoring.packs import packs_dir

    app = make_app(instance, content)
    if not (packs_dir(app) / course).is_dir():
        served = app.extensions["kepu"].catalog.course(course) is not None
        raise KepuError(
            f"{course!r} is not an authored course"
            + (" (it is never changed in place: copy it first)" if served else "")
        )
    path = Path(file)
    try:
        with app.app_context():
            found = import_into(app, course, path.read_bytes(), path.name, fmt, quiz)
    except ApiError as exc:
        problems = getattr(exc, "problems", [])
        for problem in problems[1:]:
            line = f":{problem['line']}" if problem.get("line") else ""
            click.echo(f"{problem['file']}{line}: {problem['message']}", err=True)
        raise KepuError(exc.message) from None
    for skipped in found["skipped"]:
        click.echo(f"skipped {path.name}:{skipped['line']}: {skipped['reason']}", err=True)
    click.echo(f"Imported {found['imported']} question(s) into {course}/{found['path']}"
               f" ({len(found['skipped'])} skipped).")  # fmt: skip
