"""``synth``: validate, then write the Terraform JSON of the selected workspaces."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from ..errors import ValidationFailed
from ..locations import stack_dir
from ..project import Project
from ..workflow.shards import Shard, assign
from .context import CliContext, json_option, layout_problems, out_option, pass_cli, shard_option
from .output import CliError, print_json, problems_found
from .workflow_cmds import change_set, replacing_edits

NOTHING_WRITTEN = "nothing was written"
NO_BASE = "--changed: got no --base, expected --base <git ref> to compare with (e.g. --base origin/main)"


def synth_selection(
    project: Project,
    base: str | None,
    only_changed: bool,
    allow_replace: bool,
    echo: Callable[[str], None] = click.echo,
    main: str = "python main.py",
) -> tuple[bool, frozenset[str] | None] | None:
    """What ``synth --changed --base`` builds, after the change-safety check; None: nothing to build.

    Returns (with the platform, instance names); raises CliError when an edit replaces a
    resource without ``allow_replace``.
    """
    if base is None:
        if only_changed:
            raise CliError(NO_BASE)
        return True, None
    found = replacing_edits(project, base)
    for item in found:
        echo(f"replace    {item}")
    if found and not allow_replace:
        raise CliError(
            f"{len(found)} edit(s) since {base} replace resources (listed above); "
            f"expected --allow-replace to synthesize them anyway"
        )
    if not only_changed:
        return True, None
    changes = change_set(project, base)
    for name in changes.removed:
        echo(f"removed    {name}: {changes.reasons[name]}; see {main} orphans")
    if not changes.platform and not changes.instances:
        return None
    return changes.platform, frozenset(changes.instances)


@click.command()
@click.option(
    "--instance",
    "instances",
    multiple=True,
    metavar="NAME",
    help="Synthesize only this instance (repeatable). Default: the platform and every instance.",
)
@click.option(
    "--platform/--no-platform",
    "with_platform",
    default=None,
    help="Include the platform stack. Default: yes, unless --instance is given.",
)
@click.option(
    "--no-instances",
    "no_instances",
    is_flag=True,
    help="No instance stack: with --platform, the platform alone (the first CI job).",
)
@out_option()
@click.option(
    "--changed", "only_changed", is_flag=True, help="Only the workspaces changed since --base (see `changed`)."
)
@click.option(
    "--base",
    default=None,
    metavar="REF",
    help="Git revision to compare with (e.g. origin/main): refuses edits that replace resources, "
    "unless --allow-replace.",
)
@click.option(
    "--allow-replace",
    is_flag=True,
    help="Synthesize even when an edit since --base replaces a table, function, API or prefix.",
)
@shard_option()
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Synth processes over the instance stacks. Default: from the cores, the free memory and the number of "
    "stacks to build (docs/performance.md).",
)
@json_option("Print JSON: {outdir, written, unchanged, removed, orphans}.")
@pass_cli
def synth(
    run: CliContext,
    instances: tuple[str, ...],
    with_platform: bool | None,
    no_instances: bool,
    out: Path | None,
    only_changed: bool,
    base: str | None,
    allow_replace: bool,
    shard: Shard | None,
    workers: int | None,
    as_json: bool,
) -> None:
    """Write the Terraform JSON of the platform and instance workspaces.
    With --shard K/N, only that shard's instance workspaces (of the --changed ones, or of all)."""
    project = run.project(consequence=NOTHING_WRITTEN)
    known = {i.name for i in project.instances}
    unknown = [n for n in instances if n not in known]
    if unknown:
        expected = ", ".join(sorted(known)) or "(no instances)"
        raise problems_found([f"--instance: got {n!r}, expected one of: {expected}" for n in unknown], NOTHING_WRITTEN)
    if base is not None or only_changed:
        chosen = synth_selection(
            project,
            base,
            only_changed and not instances,
            allow_replace,
            lambda line: click.echo(line, err=as_json),
            run.main,
        )
        if chosen is None:
            if as_json:
                print_json({"outdir": None, "written": [], "unchanged": [], "removed": [], "orphans": []})
            else:
                click.echo(f"nothing to synthesize: no workspace changed since {base}")
            return
        if only_changed and not instances:
            with_platform, instances = chosen[0], tuple(sorted(chosen[1] or ()))
    if shard is not None:
        pool = instances or (() if only_changed else tuple(i.name for i in project.instances))
        instances = tuple(assign(pool, shard.count)[shard.index - 1])
        with_platform, only_changed = False, True  # a shard never holds the platform; an empty shard builds nothing
        if not instances:
            if as_json:
                print_json({"outdir": None, "written": [], "unchanged": [], "removed": [], "orphans": []})
            else:
                click.echo(f"nothing to synthesize: shard {shard} is empty")
            return
    if no_instances:
        if instances or shard or only_changed:
            raise CliError("--no-instances: got --instance, --shard or --changed too, expected none of them")
        with_platform = True if with_platform is None else with_platform
    missing = layout_problems(run.root)  # everything a synth reads, checked before it starts
    if missing:
        raise problems_found(missing, NOTHING_WRITTEN)
    outdir = run.outdir(out)
    from ..synth import synthesize  # imports cdktf and the providers: only when synthesizing

    selection_platform = with_platform if with_platform is not None else not instances
    chosen_instances = frozenset(instances) if instances or (only_changed and not selection_platform) else None
    if no_instances:
        chosen_instances = frozenset()
    try:
        report = synthesize(project, outdir, selection_platform, chosen_instances, workers=workers)
    except ValidationFailed as failed:
        raise problems_found(failed.problems, NOTHING_WRITTEN) from None
    except OSError as err:
        raise CliError(
            f"--out {outdir}: cannot write the synth output there ({err.strerror or err}); {NOTHING_WRITTEN}"
        ) from None
    if as_json:
        print_json(
            {
                "outdir": str(outdir),
                "written": report.written,
                "unchanged": report.unchanged,
                "removed": report.removed,
                "orphans": report.kept_orphans,
            }
        )
    else:
        for stack in report.written:
            click.echo(f"wrote      {stack}")
        for stack in report.unchanged:
            click.echo(f"unchanged  {stack}")
        for stack in report.removed:
            click.echo(f"removed    {stack} (no instance file and no state)")
        for stack in report.kept_orphans:
            click.echo(
                f"orphan     {stack}: its instance file is gone but its workspace may hold resources "
                f"(check: {run.hint('orphans')}); destroy it with: "
                f"terraform -chdir={stack_dir(outdir, stack)} destroy",
                err=True,
            )
        click.echo(f"{len(report.written) + len(report.unchanged)} stack(s) in {outdir}")
    run.synth_done = True


COMMANDS = (synth,)
