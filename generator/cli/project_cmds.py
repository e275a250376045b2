"""Commands about the project's files: validate, list, new, schema."""

from __future__ import annotations

import json

import click

from ..errors import ValidationFailed
from ..naming import instance_names
from ..project import Project
from .context import REPOSITORY, CliContext, json_option, pass_cli
from .output import CliError, print_json, print_rows, problems_found

LIST_COLUMNS = (
    ("name", "NAME"),
    ("team", "TEAM"),
    ("environment", "ENVIRONMENT"),
    ("region", "REGION"),
    ("base_name", "BASE_NAME"),
    ("url", "URL"),
    ("api", "API"),
    ("table", "TABLE"),
    ("group", "GROUP"),
)


@click.command()
@json_option("Print JSON: {valid, platform, instances}.")
@pass_cli
def validate(run: CliContext, as_json: bool) -> None:
    """Check platform.yaml, every instance file and the app sources a synth reads; print all problems."""
    try:
        project = run.project(sources=True)
    except CliError as failed:
        failed.result["valid"] = False
        raise
    from ..codeowners import stale_problems

    stale = stale_problems(project, run.hint("codeowners"))
    if stale:
        error = problems_found(stale)
        error.result["valid"] = False
        raise error
    if as_json:
        print_json({"valid": True, "platform": "platform.yaml", "instances": [i.file for i in project.instances]})
        return
    click.echo(f"ok: platform.yaml and {len(project.instances)} instance file(s) are valid")


def instance_rows(project: Project) -> list[dict[str, str]]:
    domain = project.platform.domain
    rows = []
    for instance in project.instances:
        names = instance_names(instance)
        rows.append(
            {
                "name": instance.name,
                "team": instance.team,
                "environment": instance.environment,
                "region": instance.region,
                "base_name": names.base,
                "url": f"https://{domain}/{names.ui_prefix}",
                "api": names.api,
                "table": names.table,
                "group": names.access_group,
                "file": instance.file,
            }
        )
    return rows


@click.command("list")
@json_option("Print JSON (one object per instance).")
@pass_cli
def list_(run: CliContext, as_json: bool) -> None:
    """One row per instance: name, team, environment, region, base name, URL, API name, table, Cognito group
    (members may use the app: aws cognito-idp admin-add-user-to-group --group-name GROUP ...)."""
    print_rows(instance_rows(run.project()), LIST_COLUMNS, as_json)


@click.command()
@click.option("--team", required=True, help="spec.teamName")
@click.option("--app", "app_name", required=True, help="spec.appName")
@click.option("--env", "environment", required=True, help="spec.environment: dev, staging or prod")
@click.option("--developer", required=True, help="spec.developerName")
@click.option("--region", default=None, help="spec.region (default: the platform's homeRegion)")
@click.option("--namespace", default=None, help="metadata.namespace (default: the platform's first namespace)")
@click.option("--name", default=None, help="metadata.name (default: the base name)")
@json_option("Print JSON: {file}.")
@pass_cli
def new(
    run: CliContext,
    team: str,
    app_name: str,
    environment: str,
    developer: str,
    region: str | None,
    namespace: str | None,
    name: str | None,
    as_json: bool,
) -> None:
    """Write a new, valid instance file to instances/<name>.yaml."""
    from ..scaffold import new_instance

    try:
        path = new_instance(
            run.root,
            team=team,
            app=app_name,
            environment=environment,
            developer=developer,
            region=region,
            namespace=namespace,
            name=name,
            schemas=REPOSITORY / "schemas",
        )
    except ValidationFailed as failed:
        raise problems_found(failed.problems, "nothing was written") from None
    shown = str(path.relative_to(run.root))
    if as_json:
        print_json({"file": shown})
    else:
        click.echo(f"wrote {shown}")


@click.command()
@click.option("--platform", "for_platform", is_flag=True, help="Print platform.yaml's schema instead.")
@json_option("Accepted for uniformity: the schema is JSON either way.")
def schema(for_platform: bool, as_json: bool) -> None:
    """Print the JSON Schema of the instance file (or platform.yaml) for editors."""
    from ..validation.schema import instance_schema, platform_schema

    click.echo(json.dumps(platform_schema() if for_platform else instance_schema(), indent=2))


COMMANDS = (validate, list_, new, schema)
