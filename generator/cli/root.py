"""The ``main.py`` command group and its entry point."""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path

import click

from . import codeowners_cmd, local_cmds, project_cmds, summary_cmds, synth_cmd, workflow_cmds
from .context import CliContext

#: The repository holding main.py: the default project folder.
REPOSITORY = Path(__file__).resolve().parents[2]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=REPOSITORY,
    show_default="this repository",
    help="Project folder holding platform.yaml and instances/.",
)
@click.pass_context
def cli(ctx: click.Context, root: Path) -> None:
    """Generate Terraform workspaces (CDKTF) for the serverless platform and every app instance.

    Exit codes: 0 done; 1 a problem was found or a step failed; 2 usage error
    (and, for plan --detailed-exitcode, changes pending).
    """
    if isinstance(ctx.obj, CliContext):
        ctx.obj.root = root.resolve()
    else:
        ctx.obj = CliContext(root=root.resolve())


for _module in (project_cmds, synth_cmd, workflow_cmds, codeowners_cmd):
    for _command in _module.COMMANDS:
        cli.add_command(_command)
cli.add_command(local_cmds.local)
cli.add_command(summary_cmds.summary)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI. After a synth that wrote everything, end without the interpreter's teardown
    (it only frees memory, ~0.3 s; docs/performance.md); atexit handlers still run, so jsii
    stops node and removes its temporary folder."""
    run = CliContext(root=REPOSITORY)
    try:
        cli.main(args=argv, prog_name="main.py", obj=run)
    except SystemExit as done:
        if not done.code and run.synth_done:
            sys.stdout.flush()
            sys.stderr.flush()
            atexit._run_exitfuncs()
            os._exit(0)
        raise
