"""The workflow commands of ``main.py``: changed, diff, plan, apply, orphans, status, graph, tfe-bootstrap.

:func:`register` adds them to the CLI group; ``load`` and ``fail`` are
main.py's project loader and validation-error printer, so every command
validates the whole project first, exactly like ``synth``. Other errors are
one line on stderr with exit status 1.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Callable

import click

from ..naming import PLATFORM_STACK, instance_names
from ..project import Project
from . import terraform
from ..locations import BOOTSTRAP_STACK
from .changed import ChangeSet, changed, snapshot_at
from .diff import Replacement, replacements
from .git import GitError, merge_base
from .orphans import find as find_orphans
from ..states import StateUnavailable, states_for

DEFAULT_OUT = "cdktf.out"


def error(message: str) -> None:
    """Print one clear line and exit 1."""
    click.echo(message, err=True)
    sys.exit(1)


def outdir_of(ctx: click.Context, out: Path | None) -> Path:
    return out or Path(os.environ.get("CDKTF_OUTDIR") or ctx.obj["root"] / DEFAULT_OUT)


def change_set(project: Project, base: str) -> ChangeSet:
    try:
        return changed(project, base)
    except GitError as err:
        error(str(err))
        raise  # unreachable


def replacing_edits(project: Project, base: str) -> list[Replacement]:
    try:
        return replacements(project, snapshot_at(project.root, merge_base(project.root, base)))
    except GitError as err:
        error(str(err))
        raise  # unreachable


def synth_selection(project: Project, base: str | None, only_changed: bool, allow_replace: bool,
                    echo: Callable[[str], None]) -> tuple[bool, frozenset[str] | None] | None:
    """What ``synth --changed --base`` builds, after the change-safety check; None: nothing to build.

    Returns (with the platform, instance names). Exits 1 when an edit replaces a resource without ``allow_replace``.
    """
    if base is None:
        if only_changed:
            error("--changed: got no --base, expected --base <git ref> to compare with (e.g. --base origin/main)")
        return True, None
    found = replacing_edits(project, base)
    for item in found:
        echo(f"replace    {item}")
    if found and not allow_replace:
        error(f"{len(found)} edit(s) since {base} replace resources (listed above); "
              f"expected --allow-replace to synthesize them anyway")
    if not only_changed:
        return True, None
    changes = change_set(project, base)
    for name in changes.removed:
        echo(f"removed    {name}: {changes.reasons[name]}; see python main.py orphans")
    if not changes.platform and not changes.instances:
        return None
    return changes.platform, frozenset(changes.instances)


def _stacks_to_run(ctx: click.Context, project: Project, names: tuple[str, ...], base: str | None, only_changed: bool) -> list[str]:
    known = [PLATFORM_STACK] + [i.name for i in project.instances]
    if only_changed:
        if base is None:
            error("--changed: got no --base, expected --base <git ref> to compare with (e.g. --base origin/main)")
        if names:
            error("NAME: got names together with --changed, expected one or the other")
        return change_set(project, base).stacks
    unknown = [n for n in names if n not in known]
    if unknown:
        error(f"NAME: got {unknown[0]!r}, expected one of: {', '.join(known)}")
    return list(names) or known


def register(cli: click.Group, load: Callable[[click.Context], Project]) -> None:
    """Add the workflow commands to ``cli``."""

    @cli.command("changed")
    @click.option("--base", required=True, metavar="REF", help="Git revision to compare with, e.g. origin/main (its merge base with HEAD is used).")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON for CI: platform, instances, added, removed, stacks, reasons.")
    @click.pass_context
    def changed_cmd(ctx: click.Context, base: str, as_json: bool) -> None:
        """Which workspaces a change affects since BASE: the platform, instances, and removed instances."""
        changes = change_set(load(ctx), base)
        if as_json:
            click.echo(json.dumps(changes.to_json(), indent=2))
            return
        click.echo(f"since {base} ({changes.base_commit[:12]}):")
        if changes.empty:
            click.echo("no workspace is affected")
        for stack in changes.stacks:
            click.echo(f"changed    {stack}: {changes.reasons[stack]}")
        for stack in changes.removed:
            click.echo(f"removed    {stack}: {changes.reasons[stack]}")

    @cli.command("diff")
    @click.option("--base", required=True, metavar="REF", help="Git revision to compare with, e.g. origin/main.")
    @click.option("--allow-replace", is_flag=True, help="Exit 0 even when an edit replaces a resource.")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per replacing edit).")
    @click.pass_context
    def diff_cmd(ctx: click.Context, base: str, allow_replace: bool, as_json: bool) -> None:
        """Flag edits since BASE that replace resources (a renamed table, function, API or prefix); exit 1 unless --allow-replace."""
        found = replacing_edits(load(ctx), base)
        if as_json:
            click.echo(json.dumps([vars(r) for r in found], indent=2))
        else:
            for item in found:
                click.echo(f"replace    {item}")
            if not found:
                click.echo(f"no edit since {base} replaces a resource")
        if found and not allow_replace:
            error(f"{len(found)} edit(s) replace resources{' (destroying data)' if any(r.loses_data for r in found) else ''}; "
                  f"expected --allow-replace to accept them")

    def terraform_command(apply: bool):
        verb = "apply" if apply else "plan"

        @click.argument("names", nargs=-1, metavar="[NAME]...")
        @click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
                      help=f"Synth output folder. Default: $CDKTF_OUTDIR, else {DEFAULT_OUT}.")
        @click.option("--changed", "only_changed", is_flag=True, help="Only the workspaces `changed --base` lists.")
        @click.option("--base", default=None, metavar="REF", help="Git revision for --changed.")
        @click.option("--allow-replace", is_flag=True, help="Accept plans that destroy a table, bucket or user pool.")
        @click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when everything worked and something changes.")
        @click.option("--markdown", "markdown_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                      help="Also write the summary as a Markdown table (for a PR comment).")
        @click.option("--jobs", type=click.IntRange(min=1), default=None,
                      help="Instance workspaces run at once, after the platform. Default: one per CPU core.")
        @click.pass_context
        def command(ctx, names, out, only_changed, base, allow_replace, detailed_exitcode, markdown_file, jobs):
            project = load(ctx)
            stacks = _stacks_to_run(ctx, project, names, base, only_changed)
            if not stacks:
                click.echo("no workspace to " + verb)
                if markdown_file:
                    markdown_file.write_text(terraform.markdown([], allow_replace, f"terraform {verb}: no workspace affected"))
                return
            outcomes = terraform.run(outdir_of(ctx, out), stacks, apply=apply, allow_replace=allow_replace,
                                     echo=lambda line: click.echo(line, err=True), jobs=jobs)
            for outcome in outcomes:
                click.echo(outcome.line(allow_replace))
            if markdown_file:
                markdown_file.write_text(terraform.markdown(outcomes, allow_replace, f"terraform {verb}"))
            sys.exit(terraform.exit_status(outcomes, allow_replace, detailed_exitcode))

        command.__doc__ = (f"terraform init + {verb} for each NAME (default: every workspace), platform first; one summary "
                           f"line each. Exit 1 on any failure or an unconfirmed destroy of stateful data.")
        return command

    cli.command("plan")(terraform_command(apply=False))
    cli.command("apply")(terraform_command(apply=True))

    @cli.command("orphans")
    @click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help=f"Synth output folder. Default: $CDKTF_OUTDIR, else {DEFAULT_OUT}.")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per orphan).")
    @click.pass_context
    def orphans_cmd(ctx: click.Context, out: Path | None, as_json: bool) -> None:
        """Workspaces whose state holds resources but whose instance YAML is gone, with the commands that destroy each."""
        project = load(ctx)
        try:
            found = find_orphans(project, states_for(project.platform.backend), outdir_of(ctx, out))
        except StateUnavailable as err:
            error(str(err))
        if as_json:
            click.echo(json.dumps([{"name": o.stack, "state": o.state.where, "resources": o.state.resources,
                                    "destroy": list(o.commands)} for o in found], indent=2))
            return
        if not found:
            click.echo("no orphaned workspaces: every workspace with state has its YAML")
        for orphan in found:
            click.echo(f"orphan     {orphan.stack}: {orphan.state.resources} resource(s) in {orphan.state.where}; destroy with:")
            for command in orphan.commands:
                click.echo(f"    {command}")

    @cli.command("status")
    @click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per instance).")
    @click.pass_context
    def status_cmd(ctx: click.Context, as_json: bool) -> None:
        """One row per instance from its workspace's outputs (URL, API, table, last applied), like kubectl get."""
        project = load(ctx)
        try:
            states = states_for(project.platform.backend)
            rows = _status_rows(project, states)
        except StateUnavailable as err:
            error(str(err))
        if as_json:
            click.echo(json.dumps(rows, indent=2))
            return
        columns = ("name", "status", "url", "api", "table", "last_applied")
        widths = {c: max([len(c)] + [len(r[c]) for r in rows]) for c in columns}
        click.echo("  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip())
        for row in rows:
            click.echo("  ".join(row[c].ljust(widths[c]) for c in columns).rstrip())

    @cli.command("graph")
    @click.argument("name")
    @click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help=f"Synth output to read. Default: $CDKTF_OUTDIR, else {DEFAULT_OUT}; synthesized on the fly when missing there.")
    @click.option("--output", "-o", "output_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="Write the diagram to this file (.md gets a ```mermaid fence). Default: stdout.")
    @click.pass_context
    def graph_cmd(ctx: click.Context, name: str, out: Path | None, output_file: Path | None) -> None:
        """The workspace NAME's resources and their dependencies as a Mermaid diagram."""
        from .graph import mermaid, stack_document

        project = load(ctx)
        known = [PLATFORM_STACK] + [i.name for i in project.instances]
        if name not in known:
            error(f"NAME: got {name!r}, expected one of: {', '.join(known)}")
        document = stack_document(outdir_of(ctx, out), name)
        if document is None:
            from ..synth import synthesize

            with tempfile.TemporaryDirectory() as scratch:
                is_platform = name == PLATFORM_STACK
                synthesize(project, Path(scratch) / "out", is_platform, None if is_platform else frozenset([name]))
                document = stack_document(Path(scratch) / "out", name)
        text = mermaid(document, name)
        if output_file is None:
            click.echo(text, nl=False)
            return
        output_file.write_text(f"```mermaid\n{text}```\n" if output_file.suffix == ".md" else text)
        click.echo(f"wrote {output_file}")

    @cli.command("tfe-bootstrap")
    @click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("tfe-bootstrap.out"), show_default=True,
                  help="Output folder of the bootstrap stack (kept apart from the workspaces' synth output).")
    @click.option("--synth-dir", default=DEFAULT_OUT, show_default=True,
                  help="The workspaces' synth output, relative to the repository top: each workspace's working directory.")
    @click.pass_context
    def bootstrap_cmd(ctx: click.Context, out: Path, synth_dir: str) -> None:
        """Synthesize the Terraform Cloud bootstrap stack: workspaces, state sharing and run triggers (backend.type: cloud)."""
        project = load(ctx)
        if project.platform.backend.type != "cloud":
            error(f"backend.type: got {project.platform.backend.type!r}, expected cloud for tfe-bootstrap (see docs/terraform-cloud.md)")
        from .bootstrap import synthesize_bootstrap

        folder = synthesize_bootstrap(project, out if out.is_absolute() else ctx.obj["root"] / out, synth_dir)
        click.echo(f"wrote      {folder}")
        click.echo(f"apply it with: terraform -chdir={folder} init && terraform -chdir={folder} apply")


def _status_rows(project: Project, states) -> list[dict[str, str]]:
    rows = []
    seen = set()
    for instance in project.instances:
        seen.add(instance.name)
        state = states.read(instance.name)
        names = instance_names(instance)
        if state is None or state.resources == 0:
            rows.append({"name": instance.name, "status": "not applied", "url": "-", "api": "-",
                         "table": f"({names.table})", "last_applied": "never"})
            continue
        out = state.outputs
        rows.append({"name": instance.name, "status": "applied", "url": str(out.get("app_url", "-")),
                     "api": str(out.get("api_endpoint", "-")), "table": str(out.get("table_name", "-")),
                     "last_applied": state.last_applied.strftime("%Y-%m-%d %H:%M UTC") if state.last_applied else "-"})
    for stack in states.stacks():
        if stack in seen or stack in (PLATFORM_STACK, BOOTSTRAP_STACK):
            continue
        state = states.read(stack)
        if state is not None and state.resources > 0:
            out = state.outputs
            rows.append({"name": stack, "status": "orphan (no YAML)", "url": str(out.get("app_url", "-")),
                         "api": str(out.get("api_endpoint", "-")), "table": str(out.get("table_name", "-")),
                         "last_applied": state.last_applied.strftime("%Y-%m-%d %H:%M UTC") if state.last_applied else "-"})
    return rows
