"""The ``main.py`` command group and its entry point."""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path

import click

from . import codeowners_cmd, local_cmds, preflight_cmd, project_cmds, summary_cmds, synth_cmd, workflow_cmds
from .context import REPOSITORY, CliContext
from .output import EXIT_FAILED, CliError, os_error_line, report

#: Set to see the traceback of an unexpected error instead of its one line.
DEBUG_ENV = "GENERATOR_DEBUG"


class CommandGroup(click.Group):
    """The group that prints every error the same way: one ``error:`` line (JSON too with ``--json``),
    never a traceback; an OSError names the file and what failed, anything unexpected says so on one line."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[override]
        run = extra.setdefault("obj", CliContext(root=REPOSITORY))
        argv = list(sys.argv[1:] if args is None else args)
        if not standalone_mode:
            return super().main(argv, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(argv, prog_name, complete_var, False, **extra)
        except click.ClickException as error:
            as_json = run.as_json or (isinstance(error, click.UsageError) and "--json" in argv)
            report(error, as_json)
            sys.exit(error.exit_code)
        except click.Abort:
            report(CliError("aborted"), run.as_json)
            sys.exit(EXIT_FAILED)
        except OSError as error:
            report(CliError(os_error_line(error)), run.as_json)
            sys.exit(EXIT_FAILED)
        except Exception as error:
            if os.environ.get(DEBUG_ENV):
                raise
            message = f"unexpected {type(error).__name__}: {' '.join(str(error).split())[:300]}"
            report(CliError(f"{message} (set {DEBUG_ENV}=1 for the traceback)"), run.as_json)
            sys.exit(EXIT_FAILED)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=CommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    show_default="this repository",
    help="Project folder holding platform.yaml and instances/.",
)
@click.pass_context
def cli(ctx: click.Context, root: Path | None) -> None:
    """Generate Terraform workspaces (CDKTF) for the serverless platform and every app instance.

    Exit codes: 0 done; 1 a problem was found or a step failed (orphans: orphaned workspaces found);
    2 usage error (and, for plan --detailed-exitcode, changes pending). With --json, stdout holds one
    JSON document, also on error: {"error": ..., "problems": [...]}.
    """
    if not isinstance(ctx.obj, CliContext):
        ctx.obj = CliContext(root=REPOSITORY)
    ctx.obj.root = (root or REPOSITORY).resolve()
    ctx.obj.root_given = root is not None


for _module in (project_cmds, synth_cmd, workflow_cmds, preflight_cmd, codeowners_cmd):
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
