"""The typed context every command receives (``@pass_cli``): the project folder and what follows from it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import click

from ..errors import ValidationFailed
from ..locations import DEFAULT_OUTDIR
from ..project import Project, load_project
from .output import problems_found

#: The synth output folder when neither --out nor $CDKTF_OUTDIR says otherwise (relative to the project).
DEFAULT_OUT = DEFAULT_OUTDIR


@dataclass
class CliContext:
    """One CLI run: ``root`` is the project folder (``--root``); ``synth_done`` lets main() skip teardown."""

    root: Path
    synth_done: bool = False

    def project(self) -> Project:
        """Validate platform.yaml and every instance file; raise the CLI error listing every problem."""
        try:
            return load_project(self.root)
        except ValidationFailed as failed:
            raise problems_found(failed.problems) from None

    def outdir(self, out: Path | None) -> Path:
        """The synth output: ``--out``, else ``$CDKTF_OUTDIR`` (set by ``cdktf synth``), else ``<root>/cdktf.out``."""
        return out or Path(os.environ.get("CDKTF_OUTDIR") or self.root / DEFAULT_OUT)


pass_cli = click.make_pass_decorator(CliContext)

OUT_OPTION_HELP = f"Synth output folder. Default: $CDKTF_OUTDIR, else {DEFAULT_OUT}."


def out_option(help_text: str = OUT_OPTION_HELP):
    """The ``--out`` option every command reading or writing the synth output shares."""
    return click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None, help=help_text)


def json_option(what: str = "Print JSON instead of text."):
    return click.option("--json", "as_json", is_flag=True, help=what)


def shard_option():
    """``--shard K/N``: only the K-th of N balanced shards of the instance workspaces (never the platform)."""
    from ..workflow.shards import ShardError, parse

    def convert(_ctx: click.Context, _param: click.Parameter, value: str | None):
        if value is None:
            return None
        try:
            return parse(value)
        except ShardError as err:
            raise click.BadParameter(str(err).removeprefix("--shard: ")) from None

    return click.option(
        "--shard",
        default=None,
        metavar="K/N",
        callback=convert,
        help="Only the K-th of N balanced shards of the instance workspaces, by name; never the platform "
        "(CI matrix jobs; docs/workflow.md).",
    )
