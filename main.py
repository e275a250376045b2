"""Command-line interface: validate, synthesize and inspect the platform and its instances.

Run ``python main.py --help``. Every command validates all inputs first and
reports every problem as ``file: field: got X, expected Y`` with exit code 1;
nothing is written unless everything is valid.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from generator.errors import Problem, ValidationFailed
from generator.naming import instance_names
from generator.project import Project, load_project

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = "cdktf.out"


def _fail(problems: list[Problem] | list[str]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    count = len(problems)
    click.echo(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.", err=True)
    sys.exit(1)


def _load(ctx: click.Context) -> Project:
    try:
        return load_project(ctx.obj["root"])
    except ValidationFailed as failed:
        _fail(failed.problems)
        raise  # unreachable: _fail exits


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=HERE, show_default="this repository",
              help="Project folder holding platform.yaml and instances/.")
@click.pass_context
def cli(ctx: click.Context, root: Path) -> None:
    """Generate Terraform workspaces (CDKTF) for the serverless platform and every app instance."""
    ctx.obj = {"root": root.resolve()}


@cli.command()
@click.pass_context
def validate(ctx: click.Context) -> None:
    """Check platform.yaml and every instance file; print all problems."""
    project = _load(ctx)
    click.echo(f"ok: platform.yaml and {len(project.instances)} instance file(s) are valid")


@cli.command()
@click.option("--instance", "instances", multiple=True, metavar="NAME",
              help="Synthesize only this instance (repeatable). Default: the platform and every instance.")
@click.option("--platform/--no-platform", "with_platform", default=None,
              help="Include the platform stack. Default: yes, unless --instance is given.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"Output folder. Default: $CDKTF_OUTDIR (set by `cdktf synth`), else {DEFAULT_OUT}.")
@click.option("--changed", "only_changed", is_flag=True, help="Only the workspaces changed since --base (see `changed`).")
@click.option("--base", default=None, metavar="REF",
              help="Git revision to compare with (e.g. origin/main): refuses edits that replace resources, unless --allow-replace.")
@click.option("--allow-replace", is_flag=True, help="Synthesize even when an edit since --base replaces a table, function, API or prefix.")
@click.pass_context
def synth(ctx: click.Context, instances: tuple[str, ...], with_platform: bool | None, out: Path | None,
          only_changed: bool, base: str | None, allow_replace: bool) -> None:
    """Write the Terraform JSON of the platform and instance workspaces."""
    project = _load(ctx)
    known = {i.name for i in project.instances}
    unknown = [n for n in instances if n not in known]
    if unknown:
        _fail([f"--instance: got {n!r}, expected one of: {', '.join(sorted(known)) or '(no instances)'}" for n in unknown])
    if base is not None or only_changed:
        from generator.workflow.cli import synth_selection  # change safety and --changed (docs/workflow.md)

        chosen = synth_selection(project, base, only_changed and not instances, allow_replace, click.echo)
        if chosen is None:
            click.echo(f"nothing to synthesize: no workspace changed since {base}")
            return
        if only_changed and not instances:
            with_platform, instances = chosen[0], tuple(sorted(chosen[1] or ()))
    outdir = out or Path(os.environ.get("CDKTF_OUTDIR") or ctx.obj["root"] / DEFAULT_OUT)
    from generator.synth import synthesize  # imports cdktf and the providers: only when synthesizing

    selection_platform = with_platform if with_platform is not None else not instances
    try:
        report = synthesize(project, outdir, selection_platform,
                            frozenset(instances) if instances or (only_changed and not selection_platform) else None)
    except ValidationFailed as failed:
        _fail(failed.problems)
    for stack in report.written:
        click.echo(f"wrote      {stack}")
    for stack in report.unchanged:
        click.echo(f"unchanged  {stack}")
    for stack in report.removed:
        click.echo(f"removed    {stack} (no instance file and no state)")
    for stack in report.kept_orphans:
        click.echo(f"orphan     {stack}: its instance file is gone but its workspace may hold resources (check: python main.py orphans); "
                   f"destroy it with: terraform -chdir={outdir / 'stacks' / stack} destroy", err=True)
    click.echo(f"{len(report.written) + len(report.unchanged)} stack(s) in {outdir}")
    global _SYNTH_DONE
    _SYNTH_DONE = True


def _rows(project: Project) -> list[dict[str, str]]:
    domain = project.platform.domain
    rows = []
    for instance in project.instances:
        names = instance_names(instance)
        rows.append({"name": instance.name, "environment": instance.environment, "region": instance.region,
                     "base_name": names.base, "url": f"https://{domain}/{names.ui_prefix}", "api": names.api,
                     "table": names.table, "file": instance.file})
    return rows


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per instance).")
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """One row per instance: name, environment, base name, URL, API name, table."""
    rows = _rows(_load(ctx))
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    columns = ("name", "environment", "region", "base_name", "url", "api", "table")
    widths = {c: max([len(c)] + [len(r[c]) for r in rows]) for c in columns}
    click.echo("  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip())
    for row in rows:
        click.echo("  ".join(row[c].ljust(widths[c]) for c in columns).rstrip())


@cli.command()
@click.option("--team", required=True, help="spec.teamName")
@click.option("--app", "app_name", required=True, help="spec.appName")
@click.option("--env", "environment", required=True, help="spec.environment: dev, staging or prod")
@click.option("--developer", required=True, help="spec.developerName")
@click.option("--region", default=None, help="spec.region (default: us-east-2)")
@click.option("--namespace", default=None, help="metadata.namespace (default: the platform's first namespace)")
@click.option("--name", default=None, help="metadata.name (default: the base name)")
@click.pass_context
def new(ctx: click.Context, team: str, app_name: str, environment: str, developer: str, region: str | None,
        namespace: str | None, name: str | None) -> None:
    """Write a new, valid instance file to instances/<name>.yaml."""
    from generator.scaffold import new_instance

    try:
        path = new_instance(ctx.obj["root"], team=team, app=app_name, environment=environment, developer=developer,
                            region=region, namespace=namespace, name=name)
    except ValidationFailed as failed:
        _fail(failed.problems)
    click.echo(f"wrote {path.relative_to(ctx.obj['root'])}")


@cli.command()
@click.option("--platform", "for_platform", is_flag=True, help="Print platform.yaml's schema instead.")
def schema(for_platform: bool) -> None:
    """Print the JSON Schema of the instance file (or platform.yaml) for editors."""
    from generator.validation.schema import instance_schema, platform_schema

    click.echo(json.dumps(platform_schema() if for_platform else instance_schema(), indent=2))


from generator.local.cli import local  # noqa: E402  (apply everything on the local AWS emulator)

cli.add_command(local)


from generator.workflow.cli import register  # noqa: E402  (changed, diff, plan, apply, orphans, status, graph, tfe-bootstrap)

register(cli, _load)


#: Set by a synth that has written everything; ``python main.py`` then skips the interpreter's teardown.
_SYNTH_DONE = False


def _exit_without_teardown() -> None:
    """End the process now: the teardown only frees memory, ~0.3 s per synth (docs/performance.md).

    atexit handlers still run, so jsii stops node and removes its temporary runtime folder.
    """
    import atexit

    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(0)


if __name__ == "__main__":
    try:
        cli()
    except SystemExit as done:
        if not done.code and _SYNTH_DONE:  # success only: a failure keeps the normal exit path
            _exit_without_teardown()
        raise
