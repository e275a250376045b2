"""The ``local`` command group: up, plan, down, status on the embedded AWS emulator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TypeVar

import click

from ..errors import ValidationFailed
from ..local import emulator as emu
from ..local.edge import EdgeError, UserError, add_user, running_edge, serve_forever
from ..local.session import (
    CLEANUP_NOTE,
    DEFAULT_JOBS,
    DEFAULT_PARALLELISM,
    ORPHAN,
    AppStatus,
    SynthFailed,
    down,
    plan,
    platform_resources,
    status_rows,
    up,
    workspace_for,
)
from ..naming import instance_names
from ..project import load_project
from ..runner import StackFailed, TerraformMissing, error_lines
from .context import CliContext, json_option, pass_cli
from .output import CliError, print_json, print_rows, problems_found

WORKDIR_HELP = "Working folder for the emulator's project copy, stacks, state and logs. Default: <root>/.local."
APP_COLUMNS = (
    ("name", "APP"),
    ("local_url", "LOCAL URL"),
    ("url", "URL"),
    ("api_endpoint", "API ENDPOINT"),
    ("table", "TABLE"),
    ("resources", "RESOURCES"),
    ("status", "STATUS"),
)
T = TypeVar("T")


def _guarded(action: Callable[[], T], untouched: str = "nothing was started") -> T:
    """Run ``action``; turn the expected failures into the one CLI error, closing with what was done about the
    emulator after the failure (or ``untouched`` when the failure came before anything started)."""
    try:
        return action()
    except ValidationFailed as failed:
        raise problems_found(failed.problems, consequence=getattr(failed, CLEANUP_NOTE, untouched)) from None
    except StackFailed as err:
        note = getattr(err, CLEANUP_NOTE, None)
        raise CliError(
            f"stack {err.stack!r}: terraform {err.action} failed: {err.summary()} (full output: {err.log})"
            + (f"; {note}" if note else ""),
            error_lines(err.detail),
        ) from None
    except (TerraformMissing, emu.EmulatorError, SynthFailed, EdgeError, UserError) as err:
        note = getattr(err, CLEANUP_NOTE, None)
        raise CliError(" ".join(str(err).split()) + (f"; {note}" if note else "")) from None


def known_instances(root: Path) -> set[str] | None:
    """The instance names with a file (None when the project does not validate: nothing is marked orphan)."""
    try:
        return {i.name for i in load_project(root).instances}
    except ValidationFailed:
        return None


def orphan_advice(rows: list[AppStatus], main: str) -> None:
    for row in rows:
        if row.status == ORPHAN:
            click.echo(
                f"orphan     {row.name}: its instance file is gone but it is still applied in the emulator; "
                f"restore the file, or drop it with {main} local down, then {main} local up",
                err=True,
            )


def _rows(rows: list[AppStatus]) -> list[dict]:
    return [asdict(row) for row in rows]


def workdir_option(command):
    return click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None, help=WORKDIR_HELP)(
        command
    )


def jobs_option(what: str):
    return click.option("--jobs", type=click.IntRange(1, 16), default=DEFAULT_JOBS, show_default=True, help=what)


parallelism_option = click.option(
    "--parallelism",
    type=click.IntRange(1, 100),
    default=DEFAULT_PARALLELISM,
    show_default=True,
    help="terraform -parallelism of each stack.",
)


@click.group("local")
def local() -> None:
    """Apply the whole platform and every app, for real, on an embedded AWS emulator (moto on 127.0.0.1)."""


@local.command("up")
@workdir_option
@click.option("--port", type=int, default=None, help="Emulator port on 127.0.0.1. Default: a free port.")
@click.option(
    "--instance",
    "instances",
    multiple=True,
    metavar="NAME",
    help="Apply only this instance (repeatable). Default: every instance file.",
)
@jobs_option("Instance stacks applied at the same time.")
@parallelism_option
@json_option("Print the status rows as JSON.")
@pass_cli
def up_command(
    run: CliContext,
    workdir: Path | None,
    port: int | None,
    instances: tuple[str, ...],
    jobs: int,
    parallelism: int,
    as_json: bool,
) -> None:
    """Start the emulator, synthesize for it, apply the platform then the instances; print the status table."""
    run.project(sources=True, consequence="nothing was started")  # the user's files, all problems at once
    rows = _guarded(
        lambda: up(
            run.root,
            workdir,
            lambda line: click.echo(line, err=as_json),
            port=port,
            instances=frozenset(instances) if instances else None,
            jobs=jobs,
            parallelism=parallelism,
        )
    )
    print_rows(_rows(rows), APP_COLUMNS, as_json)
    orphan_advice(rows, run.main)


PLAN_COLUMNS = (
    ("stack", "STACK"),
    ("create", "CREATE"),
    ("update", "UPDATE"),
    ("delete", "DESTROY"),
    ("replace", "REPLACE"),
    ("plan_json", "PLAN (terraform show -json)"),
)


@local.command("plan")
@workdir_option
@click.option(
    "--instance",
    "instances",
    multiple=True,
    metavar="NAME",
    help="Plan only this instance (repeatable), with the platform. Default: every instance file.",
)
@jobs_option("Stacks planned at the same time.")
@parallelism_option
@json_option("Print JSON: one row per stack with its counts and the paths of its saved plan and plan JSON.")
@pass_cli
def plan_command(
    run: CliContext, workdir: Path | None, instances: tuple[str, ...], jobs: int, parallelism: int, as_json: bool
) -> None:
    """Synthesize for the running emulator and plan every stack without applying (e.g. to preview a change of
    platform.yaml); each saved plan and its JSON stay in the working folder. Changes nothing in the emulator."""
    run.project(sources=True)
    rows = _guarded(
        lambda: plan(
            run.root,
            workdir,
            lambda line: click.echo(line, err=as_json),
            instances=frozenset(instances) if instances else None,
            jobs=jobs,
            parallelism=parallelism,
        ),
        untouched="nothing was planned; the emulator is unchanged",
    )
    print_rows([asdict(row) for row in rows], PLAN_COLUMNS, as_json)


@local.command("down")
@workdir_option
@jobs_option("Instance stacks destroyed at the same time.")
@parallelism_option
@json_option("Print JSON: {emulator, apps} after the teardown (both empty when it worked).")
@pass_cli
def down_command(run: CliContext, workdir: Path | None, jobs: int, parallelism: int, as_json: bool) -> None:
    """Destroy the instances, then the platform, and stop the emulator."""
    _guarded(
        lambda: down(run.root, workdir, lambda line: click.echo(line, err=as_json), jobs=jobs, parallelism=parallelism),
        untouched="nothing was destroyed",
    )
    if as_json:
        workspace = workspace_for(run.root, workdir)
        server = emu.running(workspace.root)
        print_json({"emulator": server.endpoint if server else None, "apps": _rows(status_rows(workspace))})


@local.command("status")
@workdir_option
@json_option("Print JSON: {emulator, platform_resources, apps}.")
@pass_cli
def status_command(run: CliContext, workdir: Path | None, as_json: bool) -> None:
    """The emulator's address and, per app, its URL, API endpoint, table and resource count."""
    workspace = workspace_for(run.root, workdir)
    server = emu.running(workspace.root)
    status = status_rows(workspace, known_instances(run.root))
    rows = _rows(status)
    if as_json:
        edge = running_edge(workspace.root)
        print_json(
            {
                "edge": edge.site if edge else None,
                "emulator": server.endpoint if server else None,
                "platform_resources": platform_resources(workspace),
                "apps": rows,
            }
        )
        return
    click.echo(f"emulator: {'running at ' + server.endpoint + f' (pid {server.pid})' if server else 'not running'}")
    click.echo(f"platform: {platform_resources(workspace)} resource(s)")
    edge = running_edge(workspace.root)
    click.echo(f"edge: {'serving ' + str(edge.site) + f' (pid {edge.pid})' if edge else 'not running'}")
    if rows:
        print_rows(rows, APP_COLUMNS, as_json=False)
        orphan_advice(status, run.main)
    else:
        click.echo(f"no app has been applied (run: {run.hint('local up')})")


def _running_endpoint(run: CliContext, workdir: Path | None) -> tuple[Path, str]:
    workspace = workspace_for(run.root, workdir)
    server = emu.running(workspace.root)
    if server is None:
        raise CliError(f"the emulator is not running in {workspace.root}; expected `{run.hint('local up')}` first")
    return workspace.root, server.endpoint


@local.command("serve")
@workdir_option
@click.option(
    "--port", type=click.IntRange(1, 65535), default=None, help="Port of the site on 127.0.0.1. Default: a free port."
)
@pass_cli
def serve_command(run: CliContext, workdir: Path | None, port: int | None) -> None:
    """Serve what was applied on the emulator in the foreground: the site (CloudFront with its viewer function),
    the hosted sign-in UI, each app's HTTP API and its function. `local up` starts the same in the background."""
    root, endpoint = _running_endpoint(run, workdir)
    _guarded(lambda: serve_forever(root, endpoint, click.echo, port=port))


@local.group("user")
def user() -> None:
    """Users of the emulator's user pool."""


@user.command("add")
@click.argument("email")
@click.option("--app", "app", default=None, metavar="NAME", help="Instance whose users' group the user joins.")
@workdir_option
@json_option("Print JSON: {email, password, group}.")
@pass_cli
def user_add_command(run: CliContext, email: str, app: str | None, workdir: Path | None, as_json: bool) -> None:
    """Create EMAIL in the emulator's pool (confirmed) with a generated password, in the app's group; print it."""
    group = None
    if app is not None:
        project = run.project()
        known = [i.name for i in project.instances]
        if app not in known:
            raise CliError(f"--app: got {app!r}, expected one of: {', '.join(known) or '(no instances)'}")
        group = instance_names(project.instance(app)).access_group
    _root, endpoint = _running_endpoint(run, workdir)
    password = _guarded(lambda: add_user(endpoint, None, email, app_group=group))
    if as_json:
        print_json({"email": email, "password": password, "group": group})
    else:
        click.echo(f"user {email}: password {password}" + (f" (group {group})" if group else ""))
