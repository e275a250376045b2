"""The pull-request workflow commands: changed, diff, plan, apply, orphans, status, graph, tfe-bootstrap.

Every command validates the whole project first, exactly like ``synth``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from ..locations import BOOTSTRAP_STACK
from ..naming import PLATFORM_STACK, instance_names
from ..project import Project
from ..states import StateUnavailable, WorkspaceState, states_for
from ..workflow import plan as planner
from ..workflow.changed import ChangeSet, Snapshot, changed, snapshot_at
from ..workflow.diff import Removal, Replacement, in_place_updates, removals, replacements
from ..workflow.git import GitError, merge_base
from ..workflow.orphans import find as find_orphans
from ..workflow.shards import MAX_SHARDS, PER_SHARD, Shard, select, shards_needed
from .context import DEFAULT_OUT, CliContext, json_option, layout_problems, out_option, pass_cli, shard_option
from .output import CliError, print_json, print_rows, problems_found

#: File suffixes of a Markdown file (lowercase): the diagram written there gets a ```mermaid fence.
MARKDOWN_SUFFIXES = (".md", ".markdown")
#: File suffixes of a diagram (lowercase): given to --out (the synth folder) they mean -o/--output was meant.
DIAGRAM_SUFFIXES = (*MARKDOWN_SUFFIXES, ".mmd", ".mermaid")

STATUS_COLUMNS = (
    ("name", "NAME"),
    ("status", "STATUS"),
    ("url", "URL"),
    ("api", "API"),
    ("table", "TABLE"),
    ("group", "GROUP"),
    ("last_applied", "LAST_APPLIED"),
)


def change_set(project: Project, base: str) -> ChangeSet:
    try:
        return changed(project, base)
    except GitError as err:
        raise CliError(str(err)) from None


def replacing_edits(project: Project, base: str) -> list[Replacement]:
    return edits_since(project, base)[0]


def snapshot_since(project: Project, base: str) -> Snapshot:
    """The project's inputs where the working tree's history meets ``base``."""
    try:
        return snapshot_at(project.root, merge_base(project.root, base))
    except GitError as err:
        raise CliError(str(err)) from None


def edits_since(project: Project, base: str) -> tuple[list[Replacement], list[Removal]]:
    """The replacing edits and the removed instances between ``base`` and the working tree."""
    before = snapshot_since(project, base)
    return replacements(project, before), removals(project, before)


def known_stacks(project: Project) -> list[str]:
    return [PLATFORM_STACK] + [i.name for i in project.instances]


def check_name(project: Project, name: str) -> None:
    known = known_stacks(project)
    if name not in known:
        raise CliError(f"NAME: got {name!r}, expected one of: {', '.join(known)}")


def stacks_to_run(project: Project, names: tuple[str, ...], base: str | None, only_changed: bool) -> list[str]:
    if only_changed:
        if base is None:
            raise CliError(
                "--changed: got no --base, expected --base <git ref> to compare with (e.g. --base origin/main)"
            )
        if names:
            raise CliError("NAME: got names together with --changed, expected one or the other")
        return change_set(project, base).stacks
    for name in names:
        check_name(project, name)
    return list(names) or known_stacks(project)


@click.command("changed")
@click.option(
    "--base",
    required=True,
    metavar="REF",
    help="Git revision to compare with, e.g. origin/main (its merge base with HEAD is used).",
)
@json_option(
    "Print JSON for CI: platform, instances, added, removed, stacks, reasons, shards (the matrix size) and matrix."
)
@shard_option()
@click.option(
    "--per-shard",
    type=click.IntRange(min=1),
    default=PER_SHARD,
    show_default=True,
    help="Affected instance workspaces per shard when sizing the CI matrix.",
)
@click.option(
    "--max-shards",
    type=click.IntRange(min=1),
    default=MAX_SHARDS,
    show_default=True,
    help="At most this many shards (the runners you can give one change).",
)
@pass_cli
def changed_cmd(
    run: CliContext, base: str, as_json: bool, shard: Shard | None, per_shard: int, max_shards: int
) -> None:
    """Which workspaces a change affects since BASE: the platform, instances, and removed instances.
    With --shard K/N, only that shard's instance workspaces."""
    changes = change_set(run.project(), base)
    shards = shards_needed(len(changes.instances), per_shard, max_shards)
    stacks = select(changes.stacks, shard) if shard else changes.stacks
    if as_json:
        data = changes.to_json()
        if shard:
            data["platform"], data["instances"], data["stacks"] = False, stacks, stacks
            data["shard"] = str(shard)
        data["shards"] = shards
        data["matrix"] = [f"{k}/{shards}" for k in range(1, shards + 1)]
        print_json(data)
        return
    click.echo(f"since {base} ({changes.base_commit[:12]}):")
    if changes.empty:
        click.echo("no workspace is affected")
    for stack in stacks:
        click.echo(f"changed    {stack}: {changes.reasons[stack]}")
    for stack in changes.removed:
        click.echo(f"removed    {stack}: {changes.reasons[stack]}")


@click.command("diff")
@click.option("--base", required=True, metavar="REF", help="Git revision to compare with, e.g. origin/main.")
@click.option("--allow-replace", is_flag=True, help="Exit 0 even when an edit replaces a resource.")
@json_option("Print JSON: {replacements, removed, updates}.")
@pass_cli
def diff_cmd(run: CliContext, base: str, allow_replace: bool, as_json: bool) -> None:
    """Flag edits since BASE that replace resources (a renamed table, function, API or prefix) and removed
    instances (their workspaces become orphans), and say which edits update identities in place; exit 1 on a
    replacing edit unless --allow-replace."""
    project = run.project()
    before = snapshot_since(project, base)
    found, gone, updates = replacements(project, before), removals(project, before), in_place_updates(project, before)
    result = {
        "replacements": [vars(r) for r in found],
        "removed": [vars(g) for g in gone],
        "updates": [vars(u) for u in updates],
    }
    if not as_json:
        for item in found:
            click.echo(f"replace    {item}")
            for command in item.keep:
                click.echo(f"    {command}")
        for removal in gone:
            click.echo(f"orphaned   {removal.text(run.main)}")
        for update in updates:
            click.echo(f"update     {update}")
        if not found:
            click.echo(f"no edit since {base} replaces a resource")
    if found and not allow_replace:
        losing = " (destroying data)" if any(r.loses_data for r in found) else ""
        raise CliError(
            f"{len(found)} edit(s) replace resources{losing}; expected --allow-replace to accept them", result=result
        )
    if as_json:
        print_json(result)


def _terraform_options(command):
    for option in reversed(
        (
            click.argument("names", nargs=-1, metavar="[NAME]..."),
            out_option(),
            click.option("--changed", "only_changed", is_flag=True, help="Only the workspaces `changed --base` lists."),
            click.option("--base", default=None, metavar="REF", help="Git revision for --changed."),
            click.option(
                "--allow-replace", is_flag=True, help="Accept plans that destroy a table, bucket or user pool."
            ),
            click.option(
                "--detailed-exitcode", is_flag=True, help="Exit 2 when everything worked and something changes."
            ),
            click.option(
                "--markdown",
                "markdown_file",
                type=click.Path(dir_okay=False, path_type=Path),
                default=None,
                help="Also write the summary as a Markdown table (for a PR comment).",
            ),
            click.option(
                "--jobs",
                type=click.IntRange(min=1),
                default=None,
                help="Instance workspaces run at once, after the platform. Default: one per CPU core.",
            ),
            json_option("Print JSON: {workspaces: [one object per workspace]}."),
            shard_option(),
            pass_cli,
        )
    ):
        command = option(command)
    return command


def _interactive() -> bool:
    """Whether a person can answer the confirmation (stdin and stderr are terminals)."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def _run_terraform(
    run: CliContext,
    apply: bool,
    names: tuple[str, ...],
    out: Path | None,
    only_changed: bool,
    base: str | None,
    allow_replace: bool,
    detailed_exitcode: bool,
    markdown_file: Path | None,
    jobs: int | None,
    as_json: bool,
    auto_approve: bool = False,
    shard: Shard | None = None,
) -> None:
    verb = "apply" if apply else "plan"
    stacks = select(stacks_to_run(run.project(), names, base, only_changed), shard)
    confirm = apply and not auto_approve
    if confirm and stacks and not _interactive():
        raise CliError(
            "apply: not a terminal, so nobody can confirm the plan; expected --auto-approve to apply without "
            "confirmation (CI passes it); nothing was applied"
        )
    if not stacks:
        if as_json:
            print_json({"workspaces": []})
        else:
            click.echo("no workspace to " + verb)
        if markdown_file:
            markdown_file.write_text(planner.markdown([], allow_replace, f"terraform {verb}: no workspace affected"))
        return
    from ..runner import TerraformMissing, find_terraform

    try:
        binary = find_terraform()
    except TerraformMissing as err:
        raise CliError(f"{err}; nothing was run") from None
    outdir = run.outdir(out)
    common = {
        "allow_replace": allow_replace,
        "terraform": binary,
        "echo": lambda line: click.echo(line, err=True),
        "jobs": jobs,
        "main": run.main,
    }
    expected = None
    if confirm:
        preview = planner.run(outdir, stacks, apply=False, **common)
        _show(preview, allow_replace, as_json=False, err=True)
        failing = planner.exit_status(preview, allow_replace, detailed=False)
        if failing:
            _finish(preview, "plan", allow_replace, markdown_file, as_json, detailed_exitcode, "nothing was applied")
        changing = [o for o in preview if o.changes]
        if not changing:
            click.echo("no changes: nothing to apply", err=True)
            _finish(preview, verb, allow_replace, markdown_file, as_json, detailed_exitcode)
        answer = click.prompt(
            f"Apply the changes above to {len(changing)} workspace(s)? Only 'yes' will be accepted",
            default="",
            show_default=False,
            err=True,
        )
        if answer.strip() != "yes":
            raise CliError(f"apply: got {answer.strip()!r}, expected 'yes' to confirm; nothing was applied")
        stacks = [o.stack for o in changing]
        expected = {o.stack: (o.add, o.change, o.destroy) for o in changing}
    outcomes = planner.run(outdir, stacks, apply=apply, expected=expected, **common)
    _finish(outcomes, verb, allow_replace, markdown_file, as_json, detailed_exitcode)


def _show(outcomes: list[planner.Outcome], allow_replace: bool, as_json: bool, err: bool = False) -> None:
    if as_json:
        return
    for outcome in outcomes:
        click.echo(outcome.line(allow_replace), err=err)
        for line in outcome.detail:
            click.echo(f"    {line}", err=err)


def _finish(
    outcomes: list[planner.Outcome],
    verb: str,
    allow_replace: bool,
    markdown_file: Path | None,
    as_json: bool,
    detailed_exitcode: bool,
    consequence: str | None = None,
) -> None:
    """Print the summary (text or JSON) and the Markdown table; exit with the documented code."""
    if markdown_file:
        markdown_file.write_text(planner.markdown(outcomes, allow_replace, f"terraform {verb}"))
    result = {"workspaces": [vars(o) for o in outcomes]}
    status = planner.exit_status(outcomes, allow_replace, detailed_exitcode)
    if status == 1:
        if consequence is None:  # the preview already printed its lines
            _show(outcomes, allow_replace, as_json)
        failed = [o.stack for o in outcomes if o.error]
        blocked = [o.stack for o in outcomes if o.stateful_deletes and not o.error]
        parts = [f"{len(failed)} workspace(s) failed: {', '.join(failed)}"] if failed else []
        if blocked and not allow_replace:
            parts.append(f"{', '.join(blocked)} would destroy stateful data, expected --allow-replace")
        raise CliError("; ".join(parts + ([consequence] if consequence else [])), result=result)
    if as_json:
        print_json(result)
    else:
        _show(outcomes, allow_replace, as_json)
    sys.exit(status)


@click.command("plan")
@_terraform_options
def plan_cmd(run: CliContext, **options) -> None:
    """terraform init + plan for each NAME (default: every workspace), platform first; one summary line each
    (each workspace's full output: <out>/logs/<name>.log). Exit 1 on any failure or an unconfirmed destroy
    of stateful data."""
    _run_terraform(run, False, **options)


@click.command("apply")
@_terraform_options
@click.option(
    "--auto-approve",
    is_flag=True,
    help="Apply without showing the plan and asking for 'yes' (required when not on a terminal, e.g. in CI).",
)
def apply_cmd(run: CliContext, **options) -> None:
    """terraform init + apply for each NAME (default: every workspace), platform first. On a terminal it
    plans, shows the summary and asks for 'yes'; elsewhere it needs --auto-approve. Exit 1 on any failure
    or an unconfirmed destroy of stateful data."""
    _run_terraform(run, True, **options)


@click.command("orphans")
@out_option()
@json_option("Print JSON (one object per orphan).")
@pass_cli
def orphans_cmd(run: CliContext, out: Path | None, as_json: bool) -> None:
    """Workspaces whose state holds resources but whose instance YAML is gone, with the commands that destroy each;
    exit 1 when there is any."""
    project = run.project()
    try:
        found = find_orphans(project, states_for(project.platform.backend), run.outdir(out), run.main)
    except StateUnavailable as err:
        raise CliError(str(err)) from None
    result = {
        "orphans": [
            {"name": o.stack, "state": o.state.where, "resources": o.state.resources, "destroy": list(o.commands)}
            for o in found
        ]
    }
    if not as_json:
        if not found:
            click.echo("no orphaned workspaces: every workspace with state has its YAML")
        for orphan in found:
            click.echo(
                f"orphan     {orphan.stack}: {orphan.state.resources} resource(s) in {orphan.state.where}; "
                "destroy with:"
            )
            for command in orphan.commands:
                click.echo(f"    {command}")
    if found:
        raise CliError(
            f"{len(found)} orphaned workspace(s) found: {', '.join(o.stack for o in found)}; "
            "destroy them with the commands above (or restore their YAML)",
            result=result,
        )
    if as_json:
        print_json(result)


@click.command("status")
@json_option("Print JSON (one object per instance).")
@pass_cli
def status_cmd(run: CliContext, as_json: bool) -> None:
    """One row per instance from its workspace's outputs (URL, API, table, last applied), like kubectl get."""
    project = run.project()
    try:
        rows = status_rows(project, states_for(project.platform.backend))
    except StateUnavailable as err:
        raise CliError(str(err)) from None
    print_rows(rows, STATUS_COLUMNS, as_json)


def _applied_row(name: str, status: str, state: WorkspaceState) -> dict[str, str]:
    out = state.outputs
    when = state.last_applied.strftime("%Y-%m-%d %H:%M UTC") if state.last_applied else "-"
    return {
        "name": name,
        "status": status,
        "url": str(out.get("app_url", "-")),
        "api": str(out.get("api_endpoint", "-")),
        "table": str(out.get("table_name", "-")),
        "group": str(out.get("access_group", "-")),
        "last_applied": when,
    }


def status_rows(project: Project, states) -> list[dict[str, str]]:
    rows = []
    seen = set()
    for instance in project.instances:
        seen.add(instance.name)
        state = states.read(instance.name)
        if state is None or state.resources == 0:
            rows.append(
                {
                    "name": instance.name,
                    "status": "not applied",
                    "url": "-",
                    "api": "-",
                    "table": f"({instance_names(instance).table})",
                    "group": f"({instance_names(instance).access_group})",
                    "last_applied": "never",
                }
            )
        else:
            rows.append(_applied_row(instance.name, "applied", state))
    for stack in states.stacks():
        if stack in seen or stack in (PLATFORM_STACK, BOOTSTRAP_STACK):
            continue
        state = states.read(stack)
        if state is not None and state.resources > 0:
            rows.append(_applied_row(stack, "orphan (no YAML)", state))
    return rows


@click.command("graph")
@click.argument("name")
@out_option(
    f"Synth output to read. Default: $CDKTF_OUTDIR, else {DEFAULT_OUT}; synthesized on the fly when missing there."
)
@click.option(
    "--output",
    "-o",
    "output_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the diagram to this file (.md or .markdown, any case, gets a ```mermaid fence). Default: stdout.",
)
@json_option("Print JSON: {name, mermaid, file}.")
@pass_cli
def graph_cmd(run: CliContext, name: str, out: Path | None, output_file: Path | None, as_json: bool) -> None:
    """The workspace NAME's resources and their dependencies as a Mermaid diagram."""
    from ..workflow.graph import StackUnreadable, mermaid, stack_document

    if out is not None and out.suffix.lower() in DIAGRAM_SUFFIXES and not out.is_dir():
        raise CliError(
            f"--out: got {str(out)!r}, expected the synth output folder to read; the diagram's file is -o/--output"
        )
    project = run.project()
    check_name(project, name)
    try:
        document = stack_document(run.outdir(out), name)
    except StackUnreadable as err:
        raise CliError(str(err)) from None
    if document is None:
        missing = layout_problems(run.root)
        if missing:
            raise problems_found(missing, f"{name} is not synthesized in {run.outdir(out)} and cannot be")
        from ..synth import synthesize

        with tempfile.TemporaryDirectory() as scratch:
            is_platform = name == PLATFORM_STACK
            synthesize(project, Path(scratch) / "out", is_platform, None if is_platform else frozenset([name]))
            document = stack_document(Path(scratch) / "out", name)
    text = mermaid(document, name)
    if output_file is not None:
        fenced = output_file.suffix.lower() in MARKDOWN_SUFFIXES
        output_file.write_text(f"```mermaid\n{text}```\n" if fenced else text)
    if as_json:
        print_json({"name": name, "mermaid": text, "file": str(output_file) if output_file else None})
    elif output_file is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"wrote {output_file}")


@click.command("tfe-bootstrap")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("tfe-bootstrap.out"),
    show_default=True,
    help="Output folder of the bootstrap stack (kept apart from the workspaces' synth output).",
)
@click.option(
    "--synth-dir",
    default=DEFAULT_OUT,
    show_default=True,
    help="The workspaces' synth output, relative to the repository top: each workspace's working directory.",
)
@json_option("Print JSON: {folder, apply}.")
@pass_cli
def bootstrap_cmd(run: CliContext, out: Path, synth_dir: str, as_json: bool) -> None:
    """Synthesize the Terraform Cloud bootstrap stack: workspaces, state sharing and run triggers.

    Needs backend.type: cloud.
    """
    project = run.project()
    if project.platform.backend.type != "cloud":
        raise CliError(
            f"backend.type: got {project.platform.backend.type!r}, expected cloud for tfe-bootstrap "
            f"(see docs/terraform-cloud.md)"
        )
    from ..workflow.bootstrap import synthesize_bootstrap

    folder = synthesize_bootstrap(project, out if out.is_absolute() else run.root / out, synth_dir)
    apply = f"terraform -chdir={folder} init && terraform -chdir={folder} apply"
    if as_json:
        print_json({"folder": str(folder), "apply": apply})
        return
    click.echo(f"wrote      {folder}")
    click.echo(f"apply it with: {apply}")


COMMANDS = (changed_cmd, diff_cmd, plan_cmd, apply_cmd, orphans_cmd, status_cmd, graph_cmd, bootstrap_cmd)
