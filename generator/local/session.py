"""``local up`` / ``down`` / ``status``: the emulator, the synth for its target and Terraform, in order.

Order: the platform first, then every instance (concurrently, they only
share the platform); ``down`` destroys in reverse. Any failure stops the
emulator and discards its state, so nothing is left half-running: the
emulator keeps its resources in memory only, and a stopped emulator's state
would describe resources that no longer exist.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, ValidationFailed
from ..locations import EmulatorSettings
from ..naming import PLATFORM_STACK
from ..project import Project, load_project
from ..runner import Terraform, find_terraform, write_cli_config
from ..states import read_state_file
from . import emulator as emu
from .edge import running_edge, spawn_edge, stop_edge
from .workspace import Workspace, write_local_project

#: Concurrent instance stacks (each runs a Terraform and its provider; the machines have 2 cores).
DEFAULT_JOBS = 2
#: Terraform -parallelism: most of the platform's time is Route 53 and ACM waits, so more is faster.
DEFAULT_PARALLELISM = 20

#: Go's garbage collector for Terraform and its provider plugins (which inherit the environment), unless set by the
#: user: collect only near 1 GiB instead of at every doubling of the heap. Loading the AWS provider's schema, which
#: every Terraform command does once per provider configuration, is most of a command's CPU on the emulator; this
#: cut a ``terraform validate`` from ~18 to ~13 CPU seconds (peak memory ~0.45 -> ~1.3 GB per process; the
#: machines have plenty). https://go.dev/doc/gc-guide#Memory_limit
GO_MEMORY = {"GOGC": "off", "GOMEMLIMIT": "1GiB"}

Echo = Callable[[str], None]


class SynthFailed(Exception):
    """Synthesizing the stacks for the emulator failed (the message is cdktf's)."""


@dataclass(frozen=True)
class AppStatus:
    """One instance's row in the status table (from its state's outputs)."""

    name: str
    url: str
    api_endpoint: str
    table: str
    resources: int
    local_url: str = "-"
    #: "applied", or "orphan (no YAML)" when its instance file is gone.
    status: str = "applied"


#: What ``terraform apply`` prints when the plan is empty (and then applies nothing).
NO_CHANGES = "No changes. Your infrastructure matches the configuration."
#: The status of an app still applied in the emulator whose instance file is gone.
ORPHAN = "orphan (no YAML)"
#: The attribute a failure of ``up``/``down`` carries: what was done about the emulator after it.
CLEANUP_NOTE = "local_cleanup"


def workspace_for(root: Path, workdir: Path | None) -> Workspace:
    from .workspace import DEFAULT_WORKDIR

    return Workspace((workdir or root / DEFAULT_WORKDIR).resolve())


def up(
    root: Path,
    workdir: Path | None,
    echo: Echo,
    port: int | None = None,
    instances: frozenset[str] | None = None,
    jobs: int = DEFAULT_JOBS,
    parallelism: int = DEFAULT_PARALLELISM,
) -> list[AppStatus]:
    """Start (or reuse) the emulator, synthesize for it and apply every stack; return the status rows."""
    binary = find_terraform()  # before anything starts
    project = load_project(root)  # the user's files: errors name them, not the copies
    _check_instances(project, instances)
    workspace = workspace_for(root, workdir)
    workspace.root.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    server = emu.running(workspace.root)
    reused = server is not None
    if server is not None:
        echo(f"emulator: reusing the one at {server.endpoint}")
        if port is not None and port != server.port:
            echo(f"  (--port {port} ignored: stop it first with `local down` to move it)")
    else:
        stale = workspace.stacks_with_state()
        if stale:
            echo(f"emulator: not running; discarding the state it left ({', '.join(stale)})")
            workspace.discard_state()
        server = emu.start(workspace.root, port)
        echo(
            f"emulator: started at {server.endpoint} (pid {server.pid}, data in {emu.data_dir(workspace.root)}) "
            f"in {time.monotonic() - started:.0f} s"
        )
    applying = False
    try:
        terraform, local_project = _synth_and_init(
            binary, root, workspace, server, project, instances, echo, parallelism
        )
        applying = True
        echo(f"[{PLATFORM_STACK}] {apply_stack(terraform, workspace, PLATFORM_STACK)}")
        _each(
            jobs,
            [i.name for i in local_project.instances],
            lambda name: echo(f"[{name}] {apply_stack(terraform, workspace, name)}"),
        )
    except BaseException as failure:
        if applying or not reused:
            note = stop_and_forget(workspace)
        else:  # nothing was applied: the running emulator still matches its state
            note = f"the emulator at {server.endpoint} was left running, unchanged (stop it with `local down`)"
        _after_failure(failure, note, echo)
        raise
    # Serve what was applied on 127.0.0.1: the site, the hosted UI, the APIs and their functions.
    edge_started = time.monotonic()
    spawn_edge(workspace.root, server.endpoint, echo)
    echo(f"edge: started in {time.monotonic() - edge_started:.0f} s")
    echo(terraform_profile(terraform))
    echo(f"up: done in {time.monotonic() - started:.0f} s")
    return status_rows(workspace, {i.name for i in project.instances})


def _check_instances(project: Project, instances: frozenset[str] | None) -> None:
    unknown = sorted(set(instances or ()) - {i.name for i in project.instances})
    if unknown:
        known = ", ".join(i.name for i in project.instances) or "(no instances)"
        raise ValidationFailed([Problem("--instance", "", f"got {n!r}, expected one of: {known}") for n in unknown])


def _synth_and_init(
    binary: str,
    root: Path,
    workspace: Workspace,
    server: emu.Emulator,
    project: Project,
    instances: frozenset[str] | None,
    echo: Echo,
    parallelism: int,
) -> tuple[Terraform, Project]:
    """Write the emulator's copy of the project, synthesize it for the emulator and ``terraform init`` every
    stack; return the Terraform runner and the copy (its instances are the stacks after the platform)."""
    zone_id = ensure_hosted_zone(server, project.platform.domain, project.platform.home_region)
    local_project = write_local_project(root, workspace, zone_id, instances)
    synth_started = time.monotonic()
    from ..runtime import configure_node

    configure_node()  # before cdktf is imported
    from ..synth import synthesize

    try:
        synthesize(
            local_project,
            workspace.outdir,
            True,
            None,
            EmulatorSettings(endpoint=server.endpoint, access_key=emu.ACCESS_KEY, secret_key=emu.SECRET_KEY),
        )
    except ValidationFailed:
        raise
    except Exception as err:  # a jsii/cdktf error: report it as the synth's, not as a traceback
        raise SynthFailed(f"synth for the emulator failed: {str(err).strip()}") from err
    stacks = [PLATFORM_STACK] + [i.name for i in local_project.instances]
    seconds = time.monotonic() - synth_started
    echo(f"synth: {len(stacks)} stack(s) for the emulator in {seconds:.0f} s ({workspace.outdir})")
    terraform = emulator_terraform(binary, workspace, echo, parallelism)
    init_started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(stacks)) as pool:  # light (no provider starts): all at once
        inited = sum(pool.map(lambda stack: terraform.init(stack, reuse=True), stacks))
    echo(
        f"init: {len(stacks)} stack(s) ready in {time.monotonic() - init_started:.0f} s "
        f"({inited} initialized, the others unchanged since their last init)"
    )
    return terraform, local_project


@dataclass(frozen=True)
class StackPlan:
    """One stack's saved plan on the emulator: what it would do, and where the plan and its JSON are."""

    stack: str
    create: int
    update: int
    delete: int
    #: Resources destroyed and created again (delete and create in one change, either order).
    replace: int
    #: The saved plan (``terraform apply <plan_file>`` applies exactly it).
    plan_file: str
    #: ``terraform show -json`` of the saved plan.
    plan_json: str


def plan(
    root: Path,
    workdir: Path | None,
    echo: Echo,
    instances: frozenset[str] | None = None,
    jobs: int = DEFAULT_JOBS,
    parallelism: int = DEFAULT_PARALLELISM,
) -> list[StackPlan]:
    """Synthesize for the running emulator and plan the platform and every instance without applying; save
    each plan and its ``terraform show -json`` in the working folder. Applies nothing: the emulator keeps its
    resources (the hosted zone ``up`` made is looked up, and made again only if it is gone)."""
    binary = find_terraform()
    project = load_project(root)
    _check_instances(project, instances)
    workspace = workspace_for(root, workdir)
    server = emu.running(workspace.root)
    if server is None:
        raise emu.EmulatorError(f"the emulator is not running in {workspace.root}; expected `local up` first")
    terraform, local_project = _synth_and_init(binary, root, workspace, server, project, instances, echo, parallelism)
    stacks = [PLATFORM_STACK] + [i.name for i in local_project.instances]
    plans_dir = workspace.root / "plans"
    plans_dir.mkdir(parents=True, exist_ok=True)

    def one(stack: str) -> StackPlan:
        plan_file = workspace.data_dir(stack) / "tfplan"
        terraform.plan(stack, out=plan_file)
        document = terraform.show_json(stack, plan_file)
        target = plans_dir / f"{stack}.json"
        target.write_text(document)
        counts = count_actions(json.loads(document))
        terraform.say(
            stack,
            f"{counts['create']} to create, {counts['update']} to update in place, "
            f"{counts['delete']} to destroy, {counts['replace']} to replace",
        )
        return StackPlan(stack, **counts, plan_file=str(plan_file), plan_json=str(target))

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, stacks))


def count_actions(plan_document: dict) -> dict[str, int]:
    """Resource changes of a ``terraform show -json`` plan by kind: a replacement counts once, as replace."""
    counts = {"create": 0, "update": 0, "delete": 0, "replace": 0}
    for change in plan_document.get("resource_changes", []):
        actions = change["change"]["actions"]
        if "create" in actions and "delete" in actions:
            counts["replace"] += 1
        elif actions in (["create"], ["update"], ["delete"]):
            counts[actions[0]] += 1
    return counts


def down(
    root: Path, workdir: Path | None, echo: Echo, jobs: int = DEFAULT_JOBS, parallelism: int = DEFAULT_PARALLELISM
) -> None:
    """Destroy every stack that has state (instances, then the platform) and stop the emulator."""
    binary = find_terraform()
    workspace = workspace_for(root, workdir)
    started = time.monotonic()
    server = emu.running(workspace.root)
    stacks = workspace.stacks_with_state()
    if server is None:
        stop_edge(workspace.root)
        if stacks:
            echo(f"emulator: not running, so its resources are gone; discarding the state of {', '.join(stacks)}")
            workspace.discard_state()
        else:
            echo("emulator: not running; nothing to destroy")
        return
    try:
        terraform = emulator_terraform(binary, workspace, echo, parallelism)
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:  # up initialized them: init only what changed
            list(pool.map(lambda stack: terraform.init(stack, reuse=True), stacks))
        _each(
            jobs,
            [s for s in stacks if s != PLATFORM_STACK],
            lambda name: echo(f"[{name}] {destroy_stack(terraform, name)}"),
        )
        if PLATFORM_STACK in stacks:
            echo(f"[{PLATFORM_STACK}] {destroy_stack(terraform, PLATFORM_STACK)}")
    except BaseException as failure:
        _after_failure(failure, stop_and_forget(workspace), echo)
        raise
    stop_edge(workspace.root)
    emu.stop(workspace.root)
    echo(f"emulator: stopped\n{terraform_profile(terraform)}\ndown: done in {time.monotonic() - started:.0f} s")


def stop_and_forget(workspace: Workspace) -> str:
    """Stop the emulator (and the edge serving it) after a failure and discard the state that described its
    memory; say what was done."""
    stop_edge(workspace.root)
    stopped = emu.stop(workspace.root)
    workspace.discard_state()
    return "the emulator was stopped and its state discarded" if stopped else "its state was discarded"


def _after_failure(failure: BaseException, note: str, echo: Echo) -> None:
    """Attach what was done after ``failure`` to it (the CLI prints it with the error, in order); an
    interrupt has no error line, so it is said at once."""
    if isinstance(failure, Exception):
        setattr(failure, CLEANUP_NOTE, note)
    else:
        echo(f"emulator: {note}")


def _each(jobs: int, names: list[str], work: Callable[[str], None]) -> None:
    """Run ``work`` on every name concurrently; let every one finish, then raise the first failure."""
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(work, name) for name in names]
    errors = [f.exception() for f in futures if f.exception() is not None]
    if errors:
        raise errors[0]


def ensure_hosted_zone(server: emu.Emulator, domain: str, region: str) -> str:
    """The emulator's hosted zone for ``domain`` (created on first use): the platform's pre-existing zone."""
    import boto3

    route53 = boto3.client(
        "route53",
        endpoint_url=server.endpoint,
        region_name=region,
        aws_access_key_id=emu.ACCESS_KEY,
        aws_secret_access_key=emu.SECRET_KEY,
    )
    for zone in route53.list_hosted_zones_by_name(DNSName=domain)["HostedZones"]:
        if zone["Name"].rstrip(".") == domain:
            return zone["Id"].rsplit("/", 1)[-1]
    # Real zone ids start with "Z" (platform.yaml's hostedZoneId pattern); moto draws them from [0-9A-Z]
    # at random and cannot be told one over HTTP, so draw until one looks real (about 36 tries, ms each).
    for _ in range(1000):
        created = route53.create_hosted_zone(Name=domain, CallerReference=str(uuid.uuid4()))["HostedZone"]["Id"]
        zone_id = created.rsplit("/", 1)[-1]
        if zone_id.startswith("Z"):
            return zone_id
        route53.delete_hosted_zone(Id=zone_id)
    raise emu.EmulatorError(f"the emulator gave no hosted zone id starting with 'Z' for {domain}")


def status_rows(workspace: Workspace, known: set[str] | None = None) -> list[AppStatus]:
    """One row per instance stack whose state holds resources, from its outputs; with ``known`` (the
    instance names that have a file), the others are marked :data:`ORPHAN`."""
    edge = running_edge(workspace.root)
    rows = []
    for path in sorted(workspace.state_dir.glob("*.tfstate")) if workspace.state_dir.is_dir() else []:
        name = path.name[: -len(".tfstate")]
        state = read_state_file(name, path, strict=False)
        if name == PLATFORM_STACK or state is None or state.resources == 0:
            continue
        outputs = state.outputs
        rows.append(
            AppStatus(
                name=name,
                url=outputs.get("app_url", "-"),
                api_endpoint=outputs.get("api_endpoint", "-"),
                table=outputs.get("table_name", "-"),
                resources=state.resources,
                status=ORPHAN if known is not None and name not in known else "applied",
                local_url=(edge.url_of(name) if edge else None) or "-",
            )
        )
    return rows


def platform_resources(workspace: Workspace) -> int:
    state = read_state_file(PLATFORM_STACK, workspace.state_file(PLATFORM_STACK), strict=False)
    return state.resources if state else 0


def emulator_terraform(binary: str, workspace: Workspace, echo: Echo, parallelism: int) -> Terraform:
    """Terraform for the emulator's stacks: a clean environment (no AWS or TF settings of the user's
    leak in), the offline provider mirror where present, ``.terraform`` outside the synth output."""
    workspace.root.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_")) or k in ("TF_LOG", "TF_LOG_PATH")}
    env.update(TF_CLI_CONFIG_FILE=str(write_cli_config(workspace.root)), AWS_EC2_METADATA_DISABLED="true")
    for name, value in GO_MEMORY.items():
        env.setdefault(name, value)
    return Terraform(
        binary=binary,
        stack_dir=workspace.stack_dir,
        logs_dir=workspace.logs_dir,
        env=env,
        data_dir=workspace.data_dir,
        echo=echo,
        parallelism=parallelism,
    )


def apply_stack(terraform: Terraform, workspace: Workspace, stack: str) -> str:
    """Plan and apply one stack in one Terraform command; a one-line summary ("no changes" when the plan was empty,
    in which case nothing was applied). ``workspace`` is kept for callers; the plan is not saved."""
    started = time.monotonic()
    terraform.say(stack, "applying")
    text = terraform.apply(stack, show=True)
    if NO_CHANGES in text:
        return "no changes"
    return _summary(text, "Apply complete!", time.monotonic() - started)


def destroy_stack(terraform: Terraform, stack: str) -> str:
    """Destroy one stack without refreshing: only Terraform changed the emulator, so its state is current
    (and refreshing ~60 resources through one emulator process costs more than the destroy itself)."""
    started = time.monotonic()
    terraform.say(stack, "destroying")
    text = terraform.destroy(stack, refresh=False, show=True)
    return _summary(text, "Destroy complete!", time.monotonic() - started)


def terraform_profile(terraform: Terraform) -> str:
    """One line: per stack, each Terraform command's wall and CPU seconds (CPU: Terraform and its providers)."""
    by_stack: dict[str, list[str]] = {}
    for t in terraform.times:
        by_stack.setdefault(t.stack, []).append(f"{t.action} {t.wall:.0f}/{t.cpu:.0f}")
    cpu = sum(t.cpu for t in terraform.times)
    parts = "; ".join(f"{stack}: {', '.join(steps)}" for stack, steps in by_stack.items())
    return f"terraform (wall/cpu s): {parts}; cpu total {cpu:.0f} s"


def _summary(text: str, mark: str, seconds: float) -> str:
    line = next((line.strip() for line in text.splitlines() if mark in line), mark)
    return f"{line} ({seconds:.0f} s)"
