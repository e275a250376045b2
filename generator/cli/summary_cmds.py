"""``summary merge``: one PR comment from the plan summaries of the fanned-out CI jobs."""

from __future__ import annotations

from pathlib import Path

import click

from ..workflow import summary as summaries
from .context import json_option
from .output import CliError, print_json


@click.group("summary")
def summary() -> None:
    """Plan summaries of sharded CI runs."""


@summary.command("merge")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--shards", type=click.IntRange(min=0), required=True, help="N: the shards the run was split into.")
@click.option("--platform/--no-platform", default=False, help="Expect platform.json (the platform was planned).")
@click.option("--allow-replace", is_flag=True, help="Accept plans that destroy a table, bucket or user pool.")
@click.option(
    "--markdown",
    "markdown_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the merged summary here (the PR comment).",
)
@click.option("--title", default="terraform plan", show_default=True, help="Heading of the comment.")
@json_option("Print JSON: {workspaces, missing}.")
def merge_cmd(
    folder: Path,
    shards: int,
    platform: bool,
    allow_replace: bool,
    markdown_file: Path | None,
    title: str,
    as_json: bool,
) -> None:
    """Merge FOLDER/platform.json and FOLDER/shard-K.json (K = 1..N; each `plan --json`) into one summary,
    destructive workspaces first; exit 1 when a shard failed or left no summary, or a plan destroys stateful data."""
    merged = summaries.merge(folder, shards, platform)
    if not as_json:
        for line in merged.missing:
            click.echo(f"failed     {line}")
        for outcome in merged.outcomes:
            click.echo(outcome.line(allow_replace))
    if markdown_file:
        markdown_file.write_text(summaries.report(merged, allow_replace, title))
    result = {"workspaces": [vars(o) for o in merged.outcomes], "missing": merged.missing}
    if merged.failed(allow_replace):
        failed = [o.stack for o in merged.outcomes if o.error]
        blocked = [o.stack for o in merged.outcomes if o.stateful_deletes and not allow_replace]
        parts = [f"{len(merged.missing)} job(s) without a summary"] if merged.missing else []
        parts += [f"{len(failed)} workspace(s) failed: {', '.join(failed)}"] if failed else []
        parts += [f"{', '.join(blocked)} would destroy stateful data, expected --allow-replace"] if blocked else []
        raise CliError("; ".join(parts), result=result)
    if as_json:
        print_json(result)
