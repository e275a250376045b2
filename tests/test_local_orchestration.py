"""``local up``, ``local plan`` and ``local down`` (generator/local/session.py's ``up``, ``_synth_and_init``, ``plan``
and ``down``) in this process, in well under a second each: every expensive collaborator stands in, recording its
call in one log in the order they ran, and the clock moves only when a stand-in says its work took time, so every
"in N s" is exact.

Standing in (on session.py's module namespace): ``find_terraform``, the emulator module (``running``, ``start``,
``stop``, ``data_dir`` and its keys), ``ensure_hosted_zone``, ``write_local_project``, the synth
(``generator.synth.synthesize``) and ``generator.runtime.configure_node``, ``emulator_terraform`` (a Terraform whose
``init``/``plan``/``show_json``/``say``/``apply``/``destroy`` only record), ``spawn_edge``, ``stop_edge``,
``status_rows`` and ``time``; ``_each`` is the real one behind a recorder. Real: the project (a copy of the repo's
example, loaded), the working folder and its state files, ``stop_and_forget``, ``apply_stack``, ``destroy_stack``,
``terraform_profile`` and ``count_actions``.

tests/test_local_session.py tests those real parts on their own; tests/e2e runs the whole thing against the emulator.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import copy_project
from workflow_helpers import write_state

import generator.runtime
import generator.synth
from generator.errors import Problem, ValidationFailed
from generator.local import session
from generator.local.emulator import Emulator, EmulatorError
from generator.local.session import AppStatus, StackPlan, SynthFailed
from generator.local.workspace import Workspace
from generator.locations import EmulatorSettings
from generator.runner import CommandTime, StackFailed, TerraformMissing

DEV = "john-inventory-dev"
PROD = "team-backend-inventory-prod"
STAGING = "team-backend-inventory-staging"
TERRAFORM = "/opt/terraform/bin/terraform"
ZONE = "ZEMU00000000000000001"
#: What Terraform's stand-in prints for each stack's apply and destroy (the summary lines session.py picks).
APPLIED = {
    "platform": "aws_route53_record.site: Creation complete after 2s\n\n"
    "Apply complete! Resources: 60 added, 0 changed, 0 destroyed.\n",
    DEV: "Apply complete! Resources: 9 added, 0 changed, 0 destroyed.\n",
    PROD: "Apply complete! Resources: 9 added, 0 changed, 0 destroyed.\n",
    STAGING: "No changes. Your infrastructure matches the configuration.\n\n"
    "Apply complete! Resources: 0 added, 0 changed, 0 destroyed.\n",
}
DESTROYED = {
    "platform": "Destroy complete! Resources: 60 destroyed.\n",
    DEV: "Destroy complete! Resources: 9 destroyed.\n",
    PROD: "Destroy complete! Resources: 8 destroyed.\n",
    STAGING: "Destroy complete! Resources: 7 destroyed.\n",
}
#: How long each stand-in's work takes on the held clock (seconds; none ends in .5, so rounding is plain).
SECONDS = {
    "emu.start": 2.6,
    "synthesize": 41.2,
    "init": 0.3,
    "apply platform": 61.7,
    f"apply {DEV}": 20.2,
    f"apply {PROD}": 18.8,
    f"apply {STAGING}": 3.3,
    "destroy platform": 30.6,
    f"destroy {DEV}": 11.3,
    f"destroy {PROD}": 9.8,
    f"destroy {STAGING}": 7.1,
    "spawn_edge": 1.4,
}
#: The stand-in Terraform's command times: what ``terraform_profile`` (real) sums up in the last lines.
PROFILE = "terraform (wall/cpu s): platform: init 1/1, apply 62/42; john-inventory-dev: apply 20/10; cpu total 53 s"


@dataclass(frozen=True)
class Instance:
    name: str


@dataclass(frozen=True)
class LocalCopy:
    """``write_local_project``'s answer as session.py reads it: the instances it wrote (its stacks after the
    platform's)."""

    instances: tuple[Instance, ...]


def _call(name: str, *args, **kwargs) -> tuple:
    """One log entry: the stand-in's name and its arguments as given (keyword arguments last, as a dict)."""
    return (name, *args, kwargs) if kwargs else (name, *args)


class StandInTerraform:
    """``emulator_terraform``'s answer: records each command, takes its ``SECONDS`` on the held clock, prints
    ``APPLIED``/``DESTROYED``, raises what ``world.failures`` holds for it, and counts how many ran at once."""

    def __init__(self, world: World):
        self.world = world
        self.times = [
            CommandTime("platform", "init", 1.4, 0.6),
            CommandTime("platform", "apply", 61.7, 42.2),
            CommandTime(DEV, "apply", 20.2, 10.0),
        ]
        #: Seconds (real ones) each command holds its place, so that two running at once overlap.
        self.pause = 0.0
        #: A barrier every command waits at (set: they must run that many at once, or the wait times out).
        self.meet: threading.Barrier | None = None
        #: The most commands of each kind (``init``, ``plan``, ...) that ran at once.
        self.peak: dict[str, int] = {}
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _command(self, action: str, stack: str, *args, **kwargs):
        with self._lock:
            self._running[action] = self._running.get(action, 0) + 1
            self.peak[action] = max(self.peak.get(action, 0), self._running[action])
        try:
            self.world.record(action, stack, *args, **kwargs)
            time.sleep(self.pause)
            if self.meet is not None:
                self.meet.wait()
            self.world.took(action if action == "init" else f"{action} {stack}")
            self.world.fail_if(f"{action} {stack}")
            yield
        finally:
            with self._lock:
                self._running[action] -= 1

    def init(self, stack: str, *args, **kwargs) -> bool:
        with self._command("init", stack, *args, **kwargs):
            return stack in self.world.fresh

    def plan(self, stack: str, *args, **kwargs) -> tuple[bool, str]:
        with self._command("plan", stack, *args, **kwargs):
            return True, ""

    def show_json(self, stack: str, *args, **kwargs) -> str:
        with self._command("show_json", stack, *args, **kwargs):
            return self.world.documents[stack]

    def apply(self, stack: str, *args, **kwargs) -> str:
        with self._command("apply", stack, *args, **kwargs):
            return APPLIED[stack]

    def destroy(self, stack: str, *args, **kwargs) -> str:
        with self._command("destroy", stack, *args, **kwargs):
            return DESTROYED[stack]

    def say(self, stack: str, line: str) -> None:
        self.world.record("say", stack, line)


class World:
    """The project, its working folder and every stand-in, with what they are set to answer."""

    def __init__(self, tmp_path: Path, monkeypatch):
        self.root = copy_project(tmp_path / "p")
        #: The working folder: its parent does not exist yet (``up`` makes both).
        self.w = tmp_path.resolve() / "new" / "w"
        self.workspace = Workspace(self.w)
        self.log: list[tuple] = []
        self.said: list[str] = []
        self.echo = self.said.append
        self.now = 1000.0
        #: The emulator ``emu.running`` finds (None: none runs).
        self.running: Emulator | None = None
        #: What ``emu.stop`` answers (True: there was one to stop).
        self.stopped = True
        #: The instances ``write_local_project`` finds in the project (in file order).
        self.instances = (DEV, PROD, STAGING)
        #: The stacks whose ``init`` runs (the others are unchanged since their last one).
        self.fresh = {"platform"}
        #: ``terraform show -json`` of each stack's saved plan.
        self.documents: dict[str, str] = {}
        #: What a stand-in raises, by its name (``"synthesize"``) or its command and stack (``"apply platform"``).
        self.failures: dict[str, BaseException] = {}
        self.rows = [AppStatus(name=DEV, url="https://apps.example.com/dev/", api_endpoint="-", table="t", resources=9)]
        self.terraform = StandInTerraform(self)
        self._lock = threading.Lock()

        emulator = SimpleNamespace(
            running=lambda workdir: self.record("emu.running", workdir) or self.running,
            start=self.start,
            stop=lambda workdir: self.record("emu.stop", workdir) or self.stopped,
            data_dir=lambda workdir: workdir / "emulator",
            ACCESS_KEY="emulator-key-id",
            SECRET_KEY="emulator-secret",
            EmulatorError=EmulatorError,
        )
        monkeypatch.setattr(session, "emu", emulator)
        monkeypatch.setattr(session, "time", SimpleNamespace(monotonic=lambda: self.now))
        monkeypatch.setattr(session, "find_terraform", self.find_terraform)
        monkeypatch.setattr(session, "ensure_hosted_zone", self.ensure_hosted_zone)
        monkeypatch.setattr(session, "write_local_project", self.write_local_project)
        monkeypatch.setattr(generator.runtime, "configure_node", lambda: self.record("configure_node"))
        monkeypatch.setattr(generator.synth, "synthesize", self.synthesize)
        monkeypatch.setattr(session, "emulator_terraform", self.emulator_terraform)
        monkeypatch.setattr(session, "spawn_edge", self.spawn_edge)
        monkeypatch.setattr(session, "stop_edge", lambda root: self.record("stop_edge", root))
        monkeypatch.setattr(session, "status_rows", self.status_rows)
        each = session._each
        monkeypatch.setattr(
            session, "_each", lambda jobs, names, work: self.record("_each", jobs, names) or each(jobs, names, work)
        )

    def at_the_default_workdir(self) -> None:
        """From here on the working folder is the project's own ``.local`` (no ``--workdir``)."""
        self.w = self.root.resolve() / ".local"
        self.workspace = Workspace(self.w)

    # ------------------------------------------------------------ recording, the clock, failures

    def record(self, name: str, *args, **kwargs) -> None:
        with self._lock:
            self.log.append(_call(name, *args, **kwargs))

    def took(self, work: str) -> None:
        with self._lock:
            self.now += SECONDS.get(work, 0.0)

    def fail_if(self, name: str) -> None:
        if name in self.failures:
            raise self.failures[name]

    def settled(self) -> list[tuple]:
        """The log with each run of ``init`` calls sorted: they run all at once, in the threads' order."""
        out: list[tuple] = []
        run: list[tuple] = []
        for entry in [*self.log, ("end",)]:
            if entry[0] == "init":
                run.append(entry)
                continue
            out += sorted(run)
            run = []
            out.append(entry)
        return out[:-1]

    def _echo(self, echo) -> object:
        return "echo" if echo is self.echo else echo

    # ------------------------------------------------------------ the stand-ins

    def find_terraform(self) -> str:
        self.record("find_terraform")
        self.fail_if("find_terraform")
        return TERRAFORM

    def start(self, workdir: Path, port: int | None) -> Emulator:
        self.record("emu.start", workdir, port)
        self.took("emu.start")
        return Emulator(pid=31337, port=port or 45123)

    def ensure_hosted_zone(self, server: Emulator, domain: str, region: str) -> str:
        self.record("ensure_hosted_zone", server, domain, region)
        self.fail_if("ensure_hosted_zone")
        return ZONE

    def write_local_project(self, root, workspace, hosted_zone_id, instances) -> LocalCopy:
        self.record("write_local_project", root, workspace, hosted_zone_id, instances)
        return LocalCopy(tuple(Instance(n) for n in self.instances if instances is None or n in instances))

    def synthesize(self, *args, **kwargs) -> None:
        self.record("synthesize", *args, **kwargs)
        self.took("synthesize")
        self.fail_if("synthesize")

    def emulator_terraform(self, binary, workspace, echo, parallelism) -> StandInTerraform:
        self.record("emulator_terraform", binary, workspace, self._echo(echo), parallelism)
        return self.terraform

    def spawn_edge(self, workdir, endpoint, echo) -> None:
        self.record("spawn_edge", workdir, endpoint, self._echo(echo))
        self.took("spawn_edge")

    def status_rows(self, workspace, known=None) -> list[AppStatus]:
        self.record("status_rows", workspace, known)
        return self.rows


@pytest.fixture
def world(tmp_path, monkeypatch) -> World:
    return World(tmp_path, monkeypatch)


def _synth_calls(world: World, server: Emulator, instances: frozenset[str] | None, copy: tuple[str, ...]) -> list:
    """What ``_synth_and_init`` asks for before ``init``, in order, for the emulator ``server``: the zone for the
    platform's domain in its home region, the copy with that zone and the instances asked for, the synth of the
    copy (``copy``: its instances) into the working folder with the platform, for the emulator."""
    w = world.w
    return [
        ("ensure_hosted_zone", server, "apps.example.com", "us-east-2"),
        ("write_local_project", world.root, Workspace(w), ZONE, instances),
        ("configure_node",),
        (
            "synthesize",
            LocalCopy(tuple(Instance(n) for n in copy)),
            w / "cdktf.out",
            True,
            None,
            EmulatorSettings(endpoint=server.endpoint, access_key="emulator-key-id", secret_key="emulator-secret"),
        ),
    ]


def applied(stack: str) -> list:
    """What ``apply_stack`` asks of the stand-in Terraform for ``stack``: it says so, then plans and applies it."""
    return [("say", stack, "applying"), ("apply", stack, {"show": True})]


def destroyed(stack: str) -> list:
    """What ``destroy_stack`` asks: it says so, then destroys without refreshing."""
    return [("say", stack, "destroying"), ("destroy", stack, {"refresh": False, "show": True})]


def inits(*stacks: str) -> list:
    """``terraform init`` of each stack, reusing what an earlier init left."""
    return [("init", stack, {"reuse": True}) for stack in stacks]


# ---------------------------------------------------------------- up


def test_up_starts_the_emulator_applies_the_platform_then_each_instance_and_serves_them(world):
    rows = session.up(world.root, world.w, world.echo, instances=frozenset({DEV, STAGING}), jobs=1, parallelism=7)
    assert rows is world.rows
    w = world.w
    server = Emulator(pid=31337, port=45123)
    assert world.settled() == [
        ("find_terraform",),
        ("emu.running", w),
        ("emu.start", w, None),
        *_synth_calls(world, server, frozenset({DEV, STAGING}), (DEV, STAGING)),
        ("emulator_terraform", TERRAFORM, Workspace(w), "echo", 7),
        *inits(DEV, "platform", STAGING),
        *applied("platform"),
        ("_each", 1, [DEV, STAGING]),
        *applied(DEV),
        *applied(STAGING),
        ("spawn_edge", w, "http://127.0.0.1:45123", "echo"),
        ("status_rows", Workspace(w), {DEV, PROD, STAGING}),  # every instance with a file: the others are orphans
    ]
    assert world.said == [
        f"emulator: started at http://127.0.0.1:45123 (pid 31337, data in {w}/emulator) in 3 s",
        f"synth: 3 stack(s) for the emulator in 41 s ({w}/cdktf.out)",
        "init: 3 stack(s) ready in 1 s (1 initialized, the others unchanged since their last init)",
        "[platform] Apply complete! Resources: 60 added, 0 changed, 0 destroyed. (62 s)",
        f"[{DEV}] Apply complete! Resources: 9 added, 0 changed, 0 destroyed. (20 s)",
        f"[{STAGING}] no changes",
        "edge: started in 1 s",
        PROFILE,
        "up: done in 131 s",
    ]
    assert w.is_dir()


def test_up_discards_the_state_a_stopped_emulator_left_and_starts_one_on_the_port_asked(world):
    world.fresh = {"platform", DEV, PROD, STAGING}
    write_state(world.workspace.state_dir, "platform", resources=40)
    write_state(world.workspace.state_dir, PROD, resources=9)
    write_state(world.workspace.state_dir, DEV, resources=0)  # no resources: nothing to say about it
    rows = session.up(world.root, world.w, world.echo, port=4599, jobs=1, parallelism=7)
    assert rows is world.rows
    w = world.w
    server = Emulator(pid=31337, port=4599)
    assert world.settled() == [
        ("find_terraform",),
        ("emu.running", w),
        ("emu.start", w, 4599),
        *_synth_calls(world, server, None, (DEV, PROD, STAGING)),
        ("emulator_terraform", TERRAFORM, Workspace(w), "echo", 7),
        *inits(DEV, "platform", PROD, STAGING),
        *applied("platform"),
        ("_each", 1, [DEV, PROD, STAGING]),
        *applied(DEV),
        *applied(PROD),
        *applied(STAGING),
        ("spawn_edge", w, "http://127.0.0.1:4599", "echo"),
        ("status_rows", Workspace(w), {DEV, PROD, STAGING}),
    ]
    assert world.said == [
        f"emulator: not running; discarding the state it left ({PROD}, platform)",
        f"emulator: started at http://127.0.0.1:4599 (pid 31337, data in {w}/emulator) in 3 s",
        f"synth: 4 stack(s) for the emulator in 41 s ({w}/cdktf.out)",
        "init: 4 stack(s) ready in 1 s (4 initialized, the others unchanged since their last init)",
        "[platform] Apply complete! Resources: 60 added, 0 changed, 0 destroyed. (62 s)",
        f"[{DEV}] Apply complete! Resources: 9 added, 0 changed, 0 destroyed. (20 s)",
        f"[{PROD}] Apply complete! Resources: 9 added, 0 changed, 0 destroyed. (19 s)",
        f"[{STAGING}] no changes",
        "edge: started in 1 s",
        PROFILE,
        "up: done in 150 s",
    ]
    assert not world.workspace.state_dir.exists()


@pytest.mark.parametrize(
    "port, port_line",
    [
        (None, []),
        (4566, []),  # the port it runs on
        (8000, ["  (--port 8000 ignored: stop it first with `local down` to move it)"]),
    ],
)
def test_up_reuses_a_running_emulator_and_keeps_its_state(world, port, port_line):
    world.running = Emulator(pid=4242, port=4566)
    world.fresh = set()
    write_state(world.workspace.state_dir, "platform", resources=40)
    rows = session.up(world.root, world.w, world.echo, port=port, instances=frozenset({PROD}), jobs=1, parallelism=7)
    assert rows is world.rows
    w = world.w
    assert world.settled() == [
        ("find_terraform",),
        ("emu.running", w),
        *_synth_calls(world, Emulator(pid=4242, port=4566), frozenset({PROD}), (PROD,)),
        ("emulator_terraform", TERRAFORM, Workspace(w), "echo", 7),
        *inits("platform", PROD),
        *applied("platform"),
        ("_each", 1, [PROD]),
        *applied(PROD),
        ("spawn_edge", w, "http://127.0.0.1:4566", "echo"),
        ("status_rows", Workspace(w), {DEV, PROD, STAGING}),
    ]
    assert world.said == [
        "emulator: reusing the one at http://127.0.0.1:4566",
        *port_line,
        f"synth: 2 stack(s) for the emulator in 41 s ({w}/cdktf.out)",
        "init: 2 stack(s) ready in 1 s (0 initialized, the others unchanged since their last init)",
        "[platform] Apply complete! Resources: 60 added, 0 changed, 0 destroyed. (62 s)",
        f"[{PROD}] Apply complete! Resources: 9 added, 0 changed, 0 destroyed. (19 s)",
        "edge: started in 1 s",
        PROFILE,
        "up: done in 124 s",
    ]
    assert sorted(p.name for p in world.workspace.state_dir.iterdir()) == ["platform.tfstate"]


def test_up_by_default_works_in_the_projects_folder_two_instances_at_once_with_a_parallelism_of_20(world):
    world.at_the_default_workdir()
    world.running = Emulator(pid=4242, port=4566)
    rows = session.up(world.root, None, world.echo, instances=frozenset({DEV}))
    assert rows is world.rows
    w = world.w
    assert world.settled() == [
        ("find_terraform",),
        ("emu.running", w),
        *_synth_calls(world, Emulator(pid=4242, port=4566), frozenset({DEV}), (DEV,)),
        ("emulator_terraform", TERRAFORM, Workspace(w), "echo", 20),
        *inits(DEV, "platform"),
        *applied("platform"),
        ("_each", 2, [DEV]),
        *applied(DEV),
        ("spawn_edge", w, "http://127.0.0.1:4566", "echo"),
        ("status_rows", Workspace(w), {DEV, PROD, STAGING}),
    ]
    assert world.said == [
        "emulator: reusing the one at http://127.0.0.1:4566",
        f"synth: 2 stack(s) for the emulator in 41 s ({w}/cdktf.out)",
        "init: 2 stack(s) ready in 1 s (1 initialized, the others unchanged since their last init)",
        "[platform] Apply complete! Resources: 60 added, 0 changed, 0 destroyed. (62 s)",
        f"[{DEV}] Apply complete! Resources: 9 added, 0 changed, 0 destroyed. (20 s)",
        "edge: started in 1 s",
        PROFILE,
        "up: done in 125 s",
    ]
    assert w == world.root.resolve() / ".local" and w.is_dir()


def test_up_failing_before_any_apply_leaves_a_reused_emulator_running_and_its_state(world):
    world.running = Emulator(pid=4242, port=4566)
    write_state(world.workspace.state_dir, "platform", resources=40)
    world.failures["synthesize"] = RuntimeError("  jsii.errors.JavaScriptError: Resolution error\n")
    with pytest.raises(SynthFailed) as failed:
        session.up(world.root, world.w, world.echo, jobs=1, parallelism=7)
    assert str(failed.value) == "synth for the emulator failed: jsii.errors.JavaScriptError: Resolution error"
    assert failed.value.local_cleanup == (
        "the emulator at http://127.0.0.1:4566 was left running, unchanged (stop it with `local down`)"
    )
    w = world.w
    assert world.log == [
        ("find_terraform",),
        ("emu.running", w),
        *_synth_calls(world, Emulator(pid=4242, port=4566), None, (DEV, PROD, STAGING)),
    ]
    assert world.said == ["emulator: reusing the one at http://127.0.0.1:4566"]
    assert sorted(p.name for p in world.workspace.state_dir.iterdir()) == ["platform.tfstate"]


def test_up_failing_before_any_apply_stops_the_emulator_it_started(world):
    world.failures["ensure_hosted_zone"] = EmulatorError("route53 answered 500")
    with pytest.raises(EmulatorError) as failed:
        session.up(world.root, world.w, world.echo, jobs=1, parallelism=7)
    assert str(failed.value) == "route53 answered 500"
    assert failed.value.local_cleanup == "the emulator was stopped and its state discarded"
    w = world.w
    assert world.log == [
        ("find_terraform",),
        ("emu.running", w),
        ("emu.start", w, None),
        ("ensure_hosted_zone", Emulator(pid=31337, port=45123), "apps.example.com", "us-east-2"),
        ("stop_edge", w),
        ("emu.stop", w),
    ]
    assert world.said == [f"emulator: started at http://127.0.0.1:45123 (pid 31337, data in {w}/emulator) in 3 s"]


def test_up_failing_in_an_apply_lets_the_others_finish_then_stops_a_reused_emulator_and_forgets_it(world):
    world.running = Emulator(pid=4242, port=4566)
    write_state(world.workspace.state_dir, "platform", resources=40)
    failure = StackFailed(DEV, "apply", "Error: creating table: ResourceInUseException", world.w / "logs" / "dev.log")
    world.failures[f"apply {DEV}"] = failure
    with pytest.raises(StackFailed) as failed:
        session.up(world.root, world.w, world.echo, instances=frozenset({DEV, STAGING}), jobs=1, parallelism=7)
    assert failed.value is failure
    assert failed.value.local_cleanup == "the emulator was stopped and its state discarded"
    w = world.w
    assert world.settled() == [
        ("find_terraform",),
        ("emu.running", w),
        *_synth_calls(world, Emulator(pid=4242, port=4566), frozenset({DEV, STAGING}), (DEV, STAGING)),
        ("emulator_terraform", TERRAFORM, Workspace(w), "echo", 7),
        *inits(DEV, "platform", STAGING),
        *applied("platform"),
        ("_each", 1, [DEV, STAGING]),
        *applied(DEV),
        *applied(STAGING),
        ("stop_edge", w),
        ("emu.stop", w),
    ]
    assert world.said == [
        "emulator: reusing the one at http://127.0.0.1:4566",
        f"synth: 3 stack(s) for the emulator in 41 s ({w}/cdktf.out)",
        "init: 3 stack(s) ready in 1 s (1 initialized, the others unchanged since their last init)",
        "[platform] Apply complete! Resources: 60 added, 0 changed, 0 destroyed. (62 s)",
        f"[{STAGING}] no changes",
    ]
    assert not world.workspace.state_dir.exists()


def test_up_interrupted_says_what_was_done_about_the_emulator_at_once(world):
    world.running = Emulator(pid=4242, port=4566)
    world.failures["synthesize"] = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt) as interrupted:
        session.up(world.root, world.w, world.echo, jobs=1, parallelism=7)
    assert not hasattr(interrupted.value, "local_cleanup")
    assert world.said == [
        "emulator: reusing the one at http://127.0.0.1:4566",
        "emulator: the emulator at http://127.0.0.1:4566 was left running, unchanged (stop it with `local down`)",
    ]
    assert world.log == [
        ("find_terraform",),
        ("emu.running", world.w),
        *_synth_calls(world, Emulator(pid=4242, port=4566), None, (DEV, PROD, STAGING)),
    ]


def test_up_refuses_an_unknown_instance_before_anything_starts(world):
    with pytest.raises(ValidationFailed) as failed:
        session.up(world.root, None, world.echo, instances=frozenset({DEV, "nope-app"}))
    assert failed.value.problems == [
        Problem("--instance", "", f"got 'nope-app', expected one of: {DEV}, {PROD}, {STAGING}"),
    ]
    assert world.log == [("find_terraform",)]
    assert world.said == []
    assert not (world.root / ".local").exists()  # the working folder it would have used


def test_up_looks_for_terraform_before_reading_the_project(world):
    (world.root / "platform.yaml").unlink()
    missing = TerraformMissing("terraform: not found on PATH")
    world.failures["find_terraform"] = missing
    with pytest.raises(TerraformMissing) as failed:
        session.up(world.root, world.w, world.echo)
    assert failed.value is missing
    assert world.log == [("find_terraform",)]
    assert world.said == []
    assert not world.w.parent.exists()


# ---------------------------------------------------------------- _synth_and_init on its own


def _synth_and_init(world: World, server: Emulator, instances: frozenset[str] | None):
    project = session.load_project(world.root)
    return session._synth_and_init(TERRAFORM, world.root, world.workspace, server, project, instances, world.echo, 5)


def test_synth_and_init_returns_the_terraform_and_the_copy_and_inits_every_stack(world):
    world.fresh = {DEV, STAGING}
    world.terraform.meet = threading.Barrier(4, timeout=10)  # every init at once
    server = Emulator(pid=4242, port=4566)
    terraform, copy = _synth_and_init(world, server, None)
    assert terraform is world.terraform
    assert copy == LocalCopy((Instance(DEV), Instance(PROD), Instance(STAGING)))
    w = world.w
    assert world.settled() == [
        *_synth_calls(world, server, None, (DEV, PROD, STAGING)),
        ("emulator_terraform", TERRAFORM, Workspace(w), "echo", 5),
        *inits(DEV, "platform", PROD, STAGING),
    ]
    assert world.said == [
        f"synth: 4 stack(s) for the emulator in 41 s ({w}/cdktf.out)",
        "init: 4 stack(s) ready in 1 s (2 initialized, the others unchanged since their last init)",
    ]
    assert world.terraform.peak == {"init": 4}


def test_synth_and_init_inits_every_stack_at_once_however_many(world):
    world.instances = tuple(f"app-{i:02d}" for i in range(40))  # more than a thread pool's default workers
    world.fresh = set()
    world.terraform.meet = threading.Barrier(41, timeout=10)
    server = Emulator(pid=4242, port=4566)
    terraform, copy = _synth_and_init(world, server, None)
    assert terraform is world.terraform
    assert copy == LocalCopy(tuple(Instance(f"app-{i:02d}") for i in range(40)))
    w = world.w
    assert world.settled() == [
        *_synth_calls(world, server, None, tuple(f"app-{i:02d}" for i in range(40))),
        ("emulator_terraform", TERRAFORM, Workspace(w), "echo", 5),
        *[("init", f"app-{i:02d}", {"reuse": True}) for i in range(40)],
        *inits("platform"),
    ]
    assert world.said == [
        f"synth: 41 stack(s) for the emulator in 41 s ({w}/cdktf.out)",
        "init: 41 stack(s) ready in 12 s (0 initialized, the others unchanged since their last init)",
    ]
    assert world.terraform.peak == {"init": 41}


def test_synth_and_init_lets_a_validation_failure_through_unchanged(world):
    failure = ValidationFailed([Problem("instances/x.yaml", "spec.table", "got 'a', expected b")])
    world.failures["synthesize"] = failure
    with pytest.raises(ValidationFailed) as failed:
        _synth_and_init(world, Emulator(pid=4242, port=4566), frozenset({DEV}))
    assert failed.value is failure
    assert world.log == _synth_calls(world, Emulator(pid=4242, port=4566), frozenset({DEV}), (DEV,))
    assert world.said == []


def test_synth_and_init_reports_any_other_error_as_the_synths(world):
    failure = RuntimeError("\n  jsii.errors.JavaScriptError: Error: Unresolved token\n\n")
    world.failures["synthesize"] = failure
    with pytest.raises(SynthFailed) as failed:
        _synth_and_init(world, Emulator(pid=4242, port=4566), frozenset({DEV}))
    assert str(failed.value) == "synth for the emulator failed: jsii.errors.JavaScriptError: Error: Unresolved token"
    assert failed.value.__cause__ is failure
    assert world.log == _synth_calls(world, Emulator(pid=4242, port=4566), frozenset({DEV}), (DEV,))
    assert world.said == []


# ---------------------------------------------------------------- plan

PLATFORM_PLAN = (
    '{"format_version": "1.2", "resource_changes": ['
    '{"address": "a", "change": {"actions": ["create"]}}, {"address": "b", "change": {"actions": ["update"]}}]}'
)
PROD_PLAN = (
    '{"resource_changes": [{"address": "t", "change": {"actions": ["delete", "create"]}},'
    ' {"address": "u", "change": {"actions": ["delete"]}}, {"address": "v", "change": {"actions": ["create"]}},'
    ' {"address": "w", "change": {"actions": ["create"]}}, {"address": "x", "change": {"actions": ["no-op"]}}]}'
)


@pytest.mark.parametrize("jobs", [0, 1])
def test_plan_saves_each_stacks_plan_and_its_json_one_stack_at_a_time(world, jobs):
    world.running = Emulator(pid=4242, port=4566)
    world.documents = {"platform": PLATFORM_PLAN, PROD: PROD_PLAN}
    w = world.w
    (w / "plans").mkdir(parents=True)
    (w / "plans" / "platform.json").write_text("{} from the last plan")
    world.terraform.pause = 0.05
    plans = session.plan(world.root, w, world.echo, instances=frozenset({PROD}), jobs=jobs, parallelism=7)
    data = w / "terraform-data"
    assert plans == [
        StackPlan("platform", 1, 1, 0, 0, plan_file=f"{data}/platform/tfplan", plan_json=f"{w}/plans/platform.json"),
        StackPlan(PROD, 2, 0, 1, 1, plan_file=f"{data}/{PROD}/tfplan", plan_json=f"{w}/plans/{PROD}.json"),
    ]
    assert world.settled() == [
        ("find_terraform",),
        ("emu.running", w),
        *_synth_calls(world, Emulator(pid=4242, port=4566), frozenset({PROD}), (PROD,)),
        ("emulator_terraform", TERRAFORM, Workspace(w), "echo", 7),
        *inits("platform", PROD),
        ("plan", "platform", {"out": data / "platform" / "tfplan"}),
        ("show_json", "platform", data / "platform" / "tfplan"),
        ("say", "platform", "1 to create, 1 to update in place, 0 to destroy, 0 to replace"),
        ("plan", PROD, {"out": data / PROD / "tfplan"}),
        ("show_json", PROD, data / PROD / "tfplan"),
        ("say", PROD, "2 to create, 0 to update in place, 1 to destroy, 1 to replace"),
    ]
    assert world.said == [
        f"synth: 2 stack(s) for the emulator in 41 s ({w}/cdktf.out)",
        "init: 2 stack(s) ready in 1 s (1 initialized, the others unchanged since their last init)",
    ]
    assert sorted(p.name for p in (w / "plans").iterdir()) == ["platform.json", f"{PROD}.json"]
    assert (w / "plans" / "platform.json").read_text() == PLATFORM_PLAN
    assert (w / "plans" / f"{PROD}.json").read_text() == PROD_PLAN
    peak = world.terraform.peak
    assert (peak["plan"], peak["show_json"]) == (1, 1)  # (init runs all at once: the _synth_and_init tests)


def test_plan_refuses_to_run_without_an_emulator(world):
    with pytest.raises(EmulatorError) as failed:
        session.plan(world.root, world.w, world.echo)
    assert str(failed.value) == f"the emulator is not running in {world.w}; expected `local up` first"
    assert world.log == [("find_terraform",), ("emu.running", world.w)]
    assert world.said == []
    assert not world.w.parent.exists()


def test_plan_without_a_workdir_looks_for_the_emulator_in_the_projects_folder(world):
    root = world.root.resolve()
    with pytest.raises(EmulatorError) as failed:
        session.plan(world.root, None, world.echo)
    assert str(failed.value) == f"the emulator is not running in {root}/.local; expected `local up` first"
    assert world.log == [("find_terraform",), ("emu.running", root / ".local")]
    assert world.said == []


def test_plan_refuses_an_unknown_instance_before_asking_for_the_emulator(world):
    with pytest.raises(ValidationFailed) as failed:
        session.plan(world.root, world.w, world.echo, instances=frozenset({"nope-app"}))
    assert failed.value.problems == [
        Problem("--instance", "", f"got 'nope-app', expected one of: {DEV}, {PROD}, {STAGING}"),
    ]
    assert world.log == [("find_terraform",)]


# ---------------------------------------------------------------- down


def test_down_without_an_emulator_discards_the_state_it_left(world):
    write_state(world.workspace.state_dir, "platform", resources=40)
    write_state(world.workspace.state_dir, DEV, resources=9)
    write_state(world.workspace.state_dir, PROD, resources=0)
    assert session.down(world.root, world.w, world.echo) is None
    assert world.log == [("find_terraform",), ("emu.running", world.w), ("stop_edge", world.w)]
    assert world.said == [
        f"emulator: not running, so its resources are gone; discarding the state of {DEV}, platform",
    ]
    assert not world.workspace.state_dir.exists()


def test_down_without_an_emulator_or_state_has_nothing_to_destroy(world):
    world.at_the_default_workdir()
    write_state(world.workspace.state_dir, PROD, resources=0)
    assert session.down(world.root, None, world.echo) is None
    assert world.log == [("find_terraform",), ("emu.running", world.w), ("stop_edge", world.w)]
    assert world.said == ["emulator: not running; nothing to destroy"]
    assert sorted(p.name for p in world.workspace.state_dir.iterdir()) == [f"{PROD}.tfstate"]


@pytest.mark.parametrize("jobs", [0, 1])  # 0 (a caller's own count, not the CLI's 1-16) is one at a time too
def test_down_destroys_the_instances_then_the_platform_and_stops_the_edge_and_the_emulator(world, jobs):
    world.running = Emulator(pid=4242, port=4566)
    for stack, resources in (("platform", 40), (STAGING, 7), (DEV, 9), (PROD, 0)):
        write_state(world.workspace.state_dir, stack, resources=resources)
    world.terraform.pause = 0.05
    assert session.down(world.root, world.w, world.echo, jobs=jobs, parallelism=7) is None
    w = world.w
    assert world.log == [
        ("find_terraform",),
        ("emu.running", w),
        ("emulator_terraform", TERRAFORM, Workspace(w), "echo", 7),
        *inits(DEV, STAGING, "platform"),
        ("_each", jobs, [DEV, STAGING]),
        *destroyed(DEV),
        *destroyed(STAGING),
        *destroyed("platform"),
        ("stop_edge", w),
        ("emu.stop", w),
    ]
    assert world.said == [
        f"[{DEV}] Destroy complete! Resources: 9 destroyed. (11 s)",
        f"[{STAGING}] Destroy complete! Resources: 7 destroyed. (7 s)",
        "[platform] Destroy complete! Resources: 60 destroyed. (31 s)",
        f"emulator: stopped\n{PROFILE}\ndown: done in 50 s",
    ]
    assert world.terraform.peak == {"init": 1, "destroy": 1}  # --jobs 1: one Terraform at a time, init included
    assert sorted(p.name for p in world.workspace.state_dir.iterdir()) == [
        f"{DEV}.tfstate",
        "platform.tfstate",
        f"{PROD}.tfstate",
        f"{STAGING}.tfstate",
    ]


def test_down_leaves_the_platform_alone_when_it_has_no_state(world):
    world.running = Emulator(pid=4242, port=4566)
    write_state(world.workspace.state_dir, PROD, resources=8)
    assert session.down(world.root, world.w, world.echo) is None
    w = world.w
    assert world.log == [
        ("find_terraform",),
        ("emu.running", w),
        ("emulator_terraform", TERRAFORM, Workspace(w), "echo", 20),
        *inits(PROD),
        ("_each", 2, [PROD]),
        *destroyed(PROD),
        ("stop_edge", w),
        ("emu.stop", w),
    ]
    assert world.said == [
        f"[{PROD}] Destroy complete! Resources: 8 destroyed. (10 s)",
        f"emulator: stopped\n{PROFILE}\ndown: done in 10 s",
    ]


def test_down_failing_lets_the_other_instances_finish_then_stops_the_emulator_and_forgets_it(world):
    world.running = Emulator(pid=4242, port=4566)
    for stack in ("platform", DEV, STAGING):
        write_state(world.workspace.state_dir, stack, resources=5)
    failure = StackFailed(DEV, "destroy", "Error: deleting table: ResourceInUseException", world.w / "dev.log")
    world.failures[f"destroy {DEV}"] = failure
    with pytest.raises(StackFailed) as failed:
        session.down(world.root, world.w, world.echo, jobs=1, parallelism=7)
    assert failed.value is failure
    assert failed.value.local_cleanup == "the emulator was stopped and its state discarded"
    w = world.w
    assert world.log == [
        ("find_terraform",),
        ("emu.running", w),
        ("emulator_terraform", TERRAFORM, Workspace(w), "echo", 7),
        *inits(DEV, STAGING, "platform"),
        ("_each", 1, [DEV, STAGING]),
        *destroyed(DEV),
        *destroyed(STAGING),
        ("stop_edge", w),
        ("emu.stop", w),
    ]
    assert world.said == [f"[{STAGING}] Destroy complete! Resources: 7 destroyed. (7 s)"]
    assert not world.workspace.state_dir.exists()


def test_down_interrupted_says_at_once_that_the_state_was_discarded(world):
    world.running = Emulator(pid=4242, port=4566)
    world.stopped = False  # the emulator had exited meanwhile
    write_state(world.workspace.state_dir, "platform", resources=5)
    world.failures["init platform"] = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt) as interrupted:
        session.down(world.root, world.w, world.echo, jobs=1, parallelism=7)
    assert not hasattr(interrupted.value, "local_cleanup")
    w = world.w
    assert world.log == [
        ("find_terraform",),
        ("emu.running", w),
        ("emulator_terraform", TERRAFORM, Workspace(w), "echo", 7),
        *inits("platform"),
        ("stop_edge", w),
        ("emu.stop", w),
    ]
    assert world.said == ["emulator: its state was discarded"]
    assert not world.workspace.state_dir.exists()
