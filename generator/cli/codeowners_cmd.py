"""``codeowners``: write (or check) .github/CODEOWNERS from platform.yaml's teams."""

from __future__ import annotations

import click

from ..codeowners import FILE, path, render, stale_problems
from .context import CliContext, pass_cli
from .output import CliError, problems_found


@click.command("codeowners")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when the file is missing or stale.")
@pass_cli
def codeowners_cmd(run: CliContext, check: bool) -> None:
    """Write .github/CODEOWNERS: each instance file owned by its team (platform.yaml teams), the rest by
    platformTeam."""
    project = run.project()
    content = render(project)
    if content is None:
        raise CliError("platform.yaml: teams: got none, expected a mapping of teamName to GitHub team (@org/team)")
    if check:
        stale = stale_problems(project)
        if stale:
            raise problems_found(stale, consequence=None)
        click.echo(f"ok: {FILE} is up to date")
        return
    target = path(project)
    if target.exists() and target.read_text(encoding="utf-8") == content:
        click.echo(f"unchanged  {FILE}")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content, encoding="utf-8")
    click.echo(f"wrote      {FILE}")


COMMANDS = (codeowners_cmd,)
