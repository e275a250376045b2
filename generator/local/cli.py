"""The ``local`` command group of main.py: up, down, status on the embedded AWS emulator."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ValidationFailed
from . import emulator as emu
from .session import (DEFAULT_JOBS, DEFAULT_PARALLELISM, AppStatus, SynthFailed, down, platform_resources, status_rows, up,
                      workspace_for)
from .terraform import StackFailed, TerraformMissing

WORKDIR_HELP = "Working folder for the emulator's project copy, stacks, state and logs. Default: <root>/.local."


def _echo(line: str) -> None:
    click.echo(line)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _run(action):
    """Run ``action``; turn the expected failures into one clear message and exit code 1."""
    try:
        return action()
    except ValidationFailed as failed:
        for problem in failed.problems:
            click.echo(str(problem), err=True)
        _fail(f"{len(failed.problems)} problem(s) found; nothing was started.")
    except (TerraformMissing, emu.EmulatorError, SynthFailed) as err:
        _fail(str(err))
    except StackFailed as err:
        _fail(str(err))


def print_table(rows: list[AppStatus]) -> None:
    columns = (("APP", "name"), ("URL", "url"), ("API ENDPOINT", "api_endpoint"), ("TABLE", "table"),
               ("RESOURCES", "resources"))
    cells = [[str(getattr(row, attr)) for _, attr in columns] for row in rows]
    widths = [max([len(title)] + [len(c[i]) for c in cells]) for i, (title, _) in enumerate(columns)]
    click.echo("  ".join(title.ljust(w) for (title, _), w in zip(columns, widths)).rstrip())
    for c in cells:
        click.echo("  ".join(value.ljust(w) for value, w in zip(c, widths)).rstrip())


@click.group("local")
def local() -> None:
    """Apply the whole platform and every app, for real, on an embedded AWS emulator (moto on 127.0.0.1)."""


@local.command("up")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None, help=WORKDIR_HELP)
@click.option("--port", type=int, default=None, help="Emulator port on 127.0.0.1. Default: a free port.")
@click.option("--instance", "instances", multiple=True, metavar="NAME",
              help="Apply only this instance (repeatable). Default: every instance file.")
@click.option("--jobs", type=click.IntRange(1, 16), default=DEFAULT_JOBS, show_default=True,
              help="Instance stacks applied at the same time.")
@click.option("--parallelism", type=click.IntRange(1, 100), default=DEFAULT_PARALLELISM, show_default=True,
              help="terraform -parallelism of each stack.")
@click.pass_context
def up_command(ctx: click.Context, workdir: Path | None, port: int | None, instances: tuple[str, ...], jobs: int,
               parallelism: int) -> None:
    """Start the emulator, synthesize for it, apply the platform then the instances; print the status table."""
    rows = _run(lambda: up(ctx.obj["root"], workdir, _echo, port=port,
                           instances=frozenset(instances) if instances else None, jobs=jobs, parallelism=parallelism))
    print_table(rows)


@local.command("down")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None, help=WORKDIR_HELP)
@click.option("--jobs", type=click.IntRange(1, 16), default=DEFAULT_JOBS, show_default=True,
              help="Instance stacks destroyed at the same time.")
@click.option("--parallelism", type=click.IntRange(1, 100), default=DEFAULT_PARALLELISM, show_default=True,
              help="terraform -parallelism of each stack.")
@click.pass_context
def down_command(ctx: click.Context, workdir: Path | None, jobs: int, parallelism: int) -> None:
    """Destroy the instances, then the platform, and stop the emulator."""
    _run(lambda: down(ctx.obj["root"], workdir, _echo, jobs=jobs, parallelism=parallelism))


@local.command("status")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None, help=WORKDIR_HELP)
@click.pass_context
def status_command(ctx: click.Context, workdir: Path | None) -> None:
    """The emulator's address and, per app, its URL, API endpoint, table and resource count."""
    workspace = workspace_for(ctx.obj["root"], workdir)
    server = emu.running(workspace.root)
    click.echo(f"emulator: {'running at ' + server.endpoint + f' (pid {server.pid})' if server else 'not running'}")
    click.echo(f"platform: {platform_resources(workspace)} resource(s)")
    rows = status_rows(workspace)
    if rows:
        print_table(rows)
    else:
        click.echo("no app has been applied (run: python main.py local up)")
