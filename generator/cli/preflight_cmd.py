"""``preflight``: read-only checks of what the stacks assume exists in the AWS account."""

from __future__ import annotations

import click

from ..workflow.preflight import run_checks
from .context import CliContext, json_option, pass_cli
from .output import CliError, print_json, print_table


@click.command("preflight")
@json_option("Print JSON (one object per check).")
@pass_cli
def preflight_cmd(run: CliContext, as_json: bool) -> None:
    """Check, read-only with your AWS credentials, every assumption of the stacks (hosted zone, certificate,
    Cognito domain, EKS cluster and OIDC provider, state bucket and lock table, IAM role quota).
    One line each: ok, missing, wrong or manual, with the fix. Exit 1 on any missing or wrong."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    project = run.project()
    session = boto3.session.Session()
    try:
        checks = run_checks(project, lambda service, region: session.client(service, region_name=region))
    except (BotoCoreError, ClientError) as err:
        raise CliError(f"cannot check the account: {err}") from None
    rows = [c.as_dict() for c in checks]
    failed = [c for c in checks if c.failed]
    if not as_json:
        print_table(rows, [("status", "STATUS"), ("name", "CHECK"), ("detail", "DETAIL"), ("fix", "FIX")])
    if failed:
        # With --json the error document carries the checks (one JSON document on stdout, as every command).
        raise CliError(
            f"{len(failed)} check(s) failed: {', '.join(c.name for c in failed)}",
            problems=[f"{c.name}: {c.status}: {c.detail}" for c in failed],
            result={"checks": rows},
        )
    if as_json:
        print_json({"checks": rows})


COMMANDS = (preflight_cmd,)
