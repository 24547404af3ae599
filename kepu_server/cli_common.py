"""What every ``kepu`` command shares: the instance options, the app, the command group.

Kept apart from ``cli.py`` so that ``cli_plugins.py`` (``kepu plugins ...``) needs nothing from
``cli.py``, which adds it to the group: no import circle.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from kepu_server.errors import KepuError


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


def instance_in(args: list[str]) -> str | None:
    """The ``--instance`` a command line gives (``--instance DIR``, ``--instance=DIR``, or
    ``KEPU_INSTANCE``), parsed by click the way the command itself will parse it."""
    finder = click.Command(
        None,
        params=[click.Option(["--instance"], envvar="KEPU_INSTANCE")],
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        add_help_option=False,
    )
    ctx = finder.make_context("kepu", list(args), resilient_parsing=True)
    return ctx.params.get("instance") or os.environ.get("KEPU_INSTANCE") or None


def plugin_commands(instance: str | None) -> dict[str, click.Command]:
    """The commands that the plugins of ``instance`` add (``kepu_commands``), by name.

    Plugins add them to a group of their own: nothing is left on ``kepu`` for a later call
    with another instance. A plugin that fails is left out (and logged) by the dispatcher.
    """
    from kepu_server.catalog import disabled_plugins
    from kepu_server.config import instance_path
    from kepu_server.dispatch import Dispatcher
    from kepu_server.plugins import load_plugins, new_plugin_manager

    root = instance_path({"KEPU_INSTANCE": instance} if instance else None)
    pm = new_plugin_manager()
    records = load_plugins(
        pm, plugins_dir=root / "plugins", disabled=disabled_plugins(str(root / "kepu.db"))
    )
    group = click.Group("kepu")
    Dispatcher(pm, records).call("kepu_commands", cli=group)
    return dict(group.commands)


class KepuGroup(click.Group):
    """The ``kepu`` group.

    A ``KepuError`` from any command, however it is invoked (``main`` or click's
    ``CliRunner``), prints one clean line, ``Error: <message>``, and exits 1. A name that is
    not a built-in command is looked up among the commands of the instance's plugins.
    """

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KepuError as exc:
            raise click.ClickException(str(exc)) from None

    def resolve_command(self, ctx, args):
        # The rest of the command line says which instance (and so which folder plugins).
        ctx.meta["kepu.instance"] = instance_in(args[1:])
        return super().resolve_command(ctx, args)

    def get_command(self, ctx, cmd_name):
        return self.commands.get(cmd_name) or self.plugin_commands(ctx).get(cmd_name)

    def list_commands(self, ctx):
        return sorted({*self.commands, *self.plugin_commands(ctx)})

    def plugin_commands(self, ctx) -> dict[str, click.Command]:
        instance = ctx.meta.get("kepu.instance") or os.environ.get("KEPU_INSTANCE")
        cache = ctx.meta.setdefault("kepu.plugin_commands", {})
        if instance not in cache:
            cache[instance] = plugin_commands(instance)
        return cache[instance]
