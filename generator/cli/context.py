"""The typed context every command receives (``@pass_cli``): the project folder and what follows from it."""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path

import click

from ..assets import AUTH_PAGES_DIR, LAMBDA_DIR, SITE_PAGES_DIR, UI_TEMPLATE_DIR, VIEWER_REQUEST_FILE
from ..errors import Problem, ValidationFailed
from ..locations import DEFAULT_OUTDIR
from ..project import INSTANCES_DIR, PLATFORM_FILE, Project, load_project
from .output import problems_found

#: The synth output folder when neither --out nor $CDKTF_OUTDIR says otherwise (relative to the project).
DEFAULT_OUT = DEFAULT_OUTDIR
#: The repository holding main.py: the default project folder.
REPOSITORY = Path(__file__).resolve().parents[2]

#: What a project folder must hold to be synthesized: (path, file or folder, what it is).
PROJECT_LAYOUT = (
    (PLATFORM_FILE, "file", "the platform settings"),
    (INSTANCES_DIR, "folder", "one YAML file per app instance"),
    (LAMBDA_DIR, "folder", "the inventory API's code (the Lambda bundle)"),
    (UI_TEMPLATE_DIR, "folder", "the app's UI template"),
    (AUTH_PAGES_DIR, "folder", "the shared sign-in callback and logout pages"),
    (SITE_PAGES_DIR, "folder", "the platform's home and not-found pages"),
    (str(Path(VIEWER_REQUEST_FILE).parent), "folder", "the viewer-request CloudFront Function"),
)


def layout_problems(root: Path) -> list[Problem]:
    """Every file or folder of :data:`PROJECT_LAYOUT` missing from ``root``, one problem each."""
    problems = []
    for path, kind, what in PROJECT_LAYOUT:
        target = root / path
        if not (target.is_file() if kind == "file" else target.is_dir()):
            problems.append(Problem(path, "", f"missing {kind} in {root}, expected {what}"))
    return problems


@dataclass
class CliContext:
    """One CLI run: ``root`` is the project folder (``--root``); ``synth_done`` lets main() skip teardown;
    ``as_json`` is set by any command's ``--json`` (errors are then printed as JSON too)."""

    root: Path
    synth_done: bool = False
    as_json: bool = False
    root_given: bool = False

    def project(self, sources: bool = False, consequence: str | None = None) -> Project:
        """Validate platform.yaml and every instance file (with ``sources``, first check that the folder holds
        everything a synth reads); raise the CLI error listing every problem."""
        problems = layout_problems(self.root) if sources else []
        try:
            project = load_project(self.root)
        except ValidationFailed as failed:
            named = {p.file for p in failed.problems}  # platform.yaml and instances/ are named there already
            problems = [p for p in problems if p.file not in named] + failed.problems
        if problems:
            raise problems_found(sorted(set(problems)), consequence) from None
        return project

    def outdir(self, out: Path | None) -> Path:
        """The synth output: ``--out``, else ``$CDKTF_OUTDIR`` (set by ``cdktf synth``), else ``<root>/cdktf.out``."""
        return out or Path(os.environ.get("CDKTF_OUTDIR") or self.root / DEFAULT_OUT)

    @property
    def main(self) -> str:
        """How to run this CLI again in a hint: ``python main.py``, with ``--root`` when it was given."""
        return "python main.py" + (f" --root {shlex.quote(str(self.root))}" if self.root_given else "")

    def hint(self, command: str) -> str:
        return f"{self.main} {command}"


pass_cli = click.make_pass_decorator(CliContext)

OUT_OPTION_HELP = f"Synth output folder. Default: $CDKTF_OUTDIR, else {DEFAULT_OUT}."


def out_option(help_text: str = OUT_OPTION_HELP):
    """The ``--out`` option every command reading or writing the synth output shares."""
    return click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None, help=help_text)


def _json_mode(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    run = ctx.find_object(CliContext)
    if value and run is not None:
        run.as_json = True
    return value


def json_option(what: str):
    """``--json``: the result as one JSON document on stdout, and errors as ``{"error": ..., "problems": [...]}``."""
    return click.option("--json", "as_json", is_flag=True, is_eager=True, callback=_json_mode, help=what)


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
