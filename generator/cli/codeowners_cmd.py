"""``codeowners``: write (or check) .github/CODEOWNERS from platform.yaml's teams."""

from __future__ import annotations

import click

from ..codeowners import FILE, path, render, stale_problems
from .context import CliContext, json_option, pass_cli
from .output import CliError, print_json, problems_found


@click.command("codeowners")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when the file is missing or stale.")
@json_option("Print JSON: {file, status} (status: ok, unchanged or wrote).")
@pass_cli
def codeowners_cmd(run: CliContext, check: bool, as_json: bool) -> None:
    """Write .github/CODEOWNERS: each instance file owned by its team (platform.yaml teams), the rest by
    platformTeam."""
    project = run.project()
    content = render(project)
    if content is None:
        raise CliError("platform.yaml: teams: got none, expected a mapping of teamName to GitHub team (@org/team)")
    if check:
        stale = stale_problems(project, run.hint("codeowners"))
        if stale:
            raise problems_found(stale, consequence=None)
        _done(as_json, "ok", f"ok: {FILE} is up to date")
        return
    target = path(project)
    if target.exists() and target.read_text(encoding="utf-8") == content:
        _done(as_json, "unchanged", f"unchanged  {FILE}")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content, encoding="utf-8")
    _done(as_json, "wrote", f"wrote      {FILE}")


def _done(as_json: bool, status: str, line: str) -> None:
    if as_json:
        print_json({"file": FILE, "status": status})
    else:
        click.echo(line)


COMMANDS = (codeowners_cmd,)
