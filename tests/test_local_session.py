"""``local up``/``down``/``status``'s parts (generator/local/session.py) in one process, without a synth or a real
Terraform: the working folder a command uses, the ``--instance`` check, a plan's counts, the status rows read from
state (orphans, the edge's URLs), stopping the emulator and the edge after a failure and what is said about it,
running every instance's work, the emulator's hosted zone (moto's server in this process), and the Terraform the
emulator's stacks get (environment, CLI config) with the exact command lines and summaries of applying and
destroying a stack (a stand-in terraform that records its calls).

``up``, ``down``, ``plan`` and ``_synth_and_init``, the steps in order with these parts stood in, are in
tests/test_local_orchestration.py; tests/e2e runs them for real."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import copy_project
from workflow_helpers import write_state

from generator import runner
from generator.errors import Problem, ValidationFailed
from generator.local import emulator as emu
from generator.local import session
from generator.local.session import AppStatus
from generator.local.workspace import Workspace
from generator.project import load_project
from generator.runner import CommandTime, StackFailed, Terraform

DEV = "john-inventory-dev"
PROD = "team-backend-inventory-prod"
STAGING = "team-backend-inventory-staging"

#: A stand-in terraform: records its arguments, working folder and TF_DATA_DIR, prints ``<bin>/<command>.out`` and
#: exits with ``<bin>/<command>.exit`` (0 when absent).
STAND_IN = """#!/bin/sh
printf '%s | %s | %s\\n' "$*" "$(pwd)" "$TF_DATA_DIR" >> "{bin}/calls.txt"
if [ -f "{bin}/$1.out" ]; then cat "{bin}/$1.out"; fi
if [ -f "{bin}/$1.exit" ]; then exit "$(cat "{bin}/$1.exit")"; fi
exit 0
"""

APPLY_OUTPUT = """\
aws_s3_bucket.site: Creating...
aws_s3_bucket.site: Still creating... [10s elapsed]
aws_s3_bucket.site: Creation complete after 12s [id=site]
aws_s3_object.index: Creation complete after 1s [id=index.html]

Apply complete! Resources: 2 added, 0 changed, 0 destroyed.

Outputs:

app_url = "https://inventory.apps.example.com"
"""

NO_CHANGES_OUTPUT = """\
aws_s3_bucket.site: Refreshing state... [id=site]

No changes. Your infrastructure matches the configuration.

Terraform has compared your real infrastructure against your configuration and found no differences, so no changes
are needed.

Apply complete! Resources: 0 added, 0 changed, 0 destroyed.
"""

DESTROY_OUTPUT = """\
aws_s3_object.index: Destroying... [id=index.html]
aws_s3_bucket.site: Still destroying... [id=site, 10s elapsed]
aws_s3_bucket.site: Destruction complete after 11s

Destroy complete! Resources: 5 destroyed.
"""


def _only_env(monkeypatch, values: dict[str, str]) -> None:
    """This process's environment is exactly ``values`` for the test."""
    for key in list(os.environ):
        monkeypatch.delenv(key)
    for key, value in values.items():
        monkeypatch.setenv(key, value)


def _clock(monkeypatch, *readings: float) -> None:
    """``time.monotonic`` as session.py sees it: ``readings`` in order (runner.py keeps the real clock)."""
    monkeypatch.setattr(session, "time", SimpleNamespace(monotonic=iter(readings).__next__))


@pytest.fixture
def stand_in(tmp_path):
    """(the stand-in terraform's folder, the emulator's Terraform running it on a workspace in ``tmp_path``)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    binary = folder / "terraform"
    binary.write_text(STAND_IN.format(bin=folder))
    binary.chmod(0o755)
    workspace = Workspace(tmp_path / "w")
    for stack in ("platform", "app"):
        workspace.stack_dir(stack).mkdir(parents=True)
    said: list[str] = []
    terraform = session.emulator_terraform(str(binary), workspace, said.append, 20)
    return SimpleNamespace(folder=folder, workspace=workspace, terraform=terraform, said=said)


def _calls(folder: Path) -> list[str]:
    return (folder / "calls.txt").read_text().splitlines()


# ---------------------------------------------------------------- the working folder and the --instance check


def test_workspace_for_is_the_projects_dot_local_unless_a_workdir_is_given(tmp_path, monkeypatch):
    root = tmp_path / "p"
    assert session.workspace_for(root, None) == Workspace(tmp_path / "p" / ".local")
    assert session.workspace_for(root, tmp_path / "elsewhere") == Workspace(tmp_path / "elsewhere")
    monkeypatch.chdir(tmp_path)
    assert session.workspace_for(Path("p"), None) == Workspace(tmp_path / "p" / ".local")  # absolute
    assert session.workspace_for(root, Path("w")) == Workspace(tmp_path / "w")  # relative to the current folder
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "link")
    assert session.workspace_for(root, tmp_path / "link") == Workspace(tmp_path / "real")  # resolved


def test_check_instances_names_every_unknown_instance(tmp_path):
    project = load_project(copy_project(tmp_path / "p"))
    session._check_instances(project, None)
    session._check_instances(project, frozenset())
    session._check_instances(project, frozenset({DEV, PROD}))
    with pytest.raises(ValidationFailed) as failed:
        session._check_instances(project, frozenset({"zzz-app", DEV, "aaa-app"}))
    known = f"{DEV}, {PROD}, {STAGING}"
    assert failed.value.problems == [
        Problem("--instance", "", f"got 'aaa-app', expected one of: {known}"),
        Problem("--instance", "", f"got 'zzz-app', expected one of: {known}"),
    ]


def test_check_instances_of_a_project_without_instances(tmp_path):
    root = copy_project(tmp_path / "p")
    for path in (root / "instances").iterdir():
        path.unlink()
    with pytest.raises(ValidationFailed) as failed:
        session._check_instances(load_project(root), frozenset({DEV}))
    assert failed.value.problems == [Problem("--instance", "", f"got '{DEV}', expected one of: (no instances)")]


# ---------------------------------------------------------------- plans and state


def test_count_actions_counts_each_kind_and_a_replacement_once():
    document = {
        "resource_changes": [
            {"address": "a", "change": {"actions": ["create"]}},
            {"address": "b", "change": {"actions": ["create"]}},
            {"address": "c", "change": {"actions": ["update"]}},
            {"address": "d", "change": {"actions": ["delete"]}},
            {"address": "e", "change": {"actions": ["delete", "create"]}},
            {"address": "f", "change": {"actions": ["create", "delete"]}},
            {"address": "g", "change": {"actions": ["no-op"]}},
            {"address": "h", "change": {"actions": ["read"]}},
        ]
    }
    assert session.count_actions(document) == {"create": 2, "update": 1, "delete": 1, "replace": 2}
    assert session.count_actions({}) == {"create": 0, "update": 0, "delete": 0, "replace": 0}


def _write_app_states(workspace: Workspace) -> None:
    state = workspace.state_dir
    write_state(state, "platform", resources=40, outputs={"app_url": "https://apps.example.com"})
    write_state(
        state,
        "zeta-app",
        resources=7,
        outputs={
            "app_url": "https://apps.example.com/zeta-app/",
            "api_endpoint": "https://zeta.execute-api.us-east-2.amazonaws.com",
            "table_name": "zeta-app-table",
        },
    )
    write_state(state, "alpha-app", resources=2, outputs={"table_name": "alpha-app-table"})
    write_state(state, "destroyed-app", resources=0, outputs={"table_name": "destroyed"})
    (state / "torn-app.tfstate").write_text('{"version": 4, "resour')


def test_status_rows_are_the_instances_with_resources_sorted_with_their_outputs(tmp_path):
    workspace = Workspace(tmp_path / "w")
    assert session.status_rows(workspace) == []  # no state folder yet
    _write_app_states(workspace)
    assert session.status_rows(workspace) == [
        AppStatus(name="alpha-app", url="-", api_endpoint="-", table="alpha-app-table", resources=2),
        AppStatus(
            name="zeta-app",
            url="https://apps.example.com/zeta-app/",
            api_endpoint="https://zeta.execute-api.us-east-2.amazonaws.com",
            table="zeta-app-table",
            resources=7,
            local_url="-",
            status="applied",
        ),
    ]
    rows = session.status_rows(workspace, {"zeta-app", "destroyed-app"})
    assert [(r.name, r.status) for r in rows] == [("alpha-app", "orphan (no YAML)"), ("zeta-app", "applied")]
    assert [r.status for r in session.status_rows(workspace, set())] == ["orphan (no YAML)", "orphan (no YAML)"]


def test_a_status_row_says_dash_for_each_output_the_state_lacks(tmp_path):
    workspace = Workspace(tmp_path / "w")
    write_state(workspace.state_dir, "beta-app", resources=1, outputs={"app_url": "https://apps.example.com/beta/"})
    write_state(workspace.state_dir, "gamma-app", resources=3, outputs={})
    assert session.status_rows(workspace) == [
        AppStatus(name="beta-app", url="https://apps.example.com/beta/", api_endpoint="-", table="-", resources=1),
        AppStatus(name="gamma-app", url="-", api_endpoint="-", table="-", resources=3),
    ]


@pytest.fixture
def sleeper():
    """Start a process that only sleeps, with ``marker`` in its command line (what the emulator's and the edge's
    records are checked against); every one started is ended after the test."""
    started: list[subprocess.Popen] = []

    def start(marker: str) -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", marker])
        started.append(process)
        cmdline = Path(f"/proc/{process.pid}/cmdline")
        deadline = time.monotonic() + 10
        while marker.encode() not in cmdline.read_bytes():  # empty for a moment after the fork
            assert time.monotonic() < deadline, f"{process.args} did not start"
            time.sleep(0.01)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()


def _record_edge(workspace: Workspace, pid: int, site: str | None, apps: dict[str, str]) -> None:
    (workspace.root / "edge").mkdir(parents=True, exist_ok=True)
    record = {"pid": pid, "site": site, "hostedUi": None, "apis": {}, "apps": apps}
    (workspace.root / "edge" / "edge.json").write_text(json.dumps(record))


def test_status_rows_take_each_apps_local_url_from_the_running_edge(tmp_path, sleeper):
    workspace = Workspace(tmp_path / "w")
    _write_app_states(workspace)
    edge = sleeper("generator.local.edge")
    _record_edge(workspace, edge.pid, "http://127.0.0.1:8421", {"alpha-app": "http://127.0.0.1:8421/alpha/"})
    assert [r.local_url for r in session.status_rows(workspace)] == [
        "http://127.0.0.1:8421/alpha/",
        "http://127.0.0.1:8421/zeta-app/",
    ]
    _record_edge(workspace, edge.pid, None, {})  # an edge that serves no site
    assert [r.local_url for r in session.status_rows(workspace)] == ["-", "-"]
    _record_edge(workspace, os.getpid(), "http://127.0.0.1:8421", {})  # a record whose process is not an edge
    assert [r.local_url for r in session.status_rows(workspace)] == ["-", "-"]


def test_platform_resources_counts_the_platform_states_resources(tmp_path):
    workspace = Workspace(tmp_path / "w")
    assert session.platform_resources(workspace) == 0
    write_state(workspace.state_dir, "app", resources=4)
    assert session.platform_resources(workspace) == 0
    write_state(workspace.state_dir, "platform", resources=3)
    assert session.platform_resources(workspace) == 3
    workspace.state_file("platform").write_text("{not json")
    assert session.platform_resources(workspace) == 0


# ---------------------------------------------------------------- after a failure


def test_stop_and_forget_without_an_emulator_discards_the_state(tmp_path):
    workspace = Workspace(tmp_path / "w")
    write_state(workspace.state_dir, "platform", resources=3)
    write_state(workspace.state_dir, "app", resources=1)
    workspace.logs_dir.mkdir()
    assert session.stop_and_forget(workspace) == "its state was discarded"
    assert not workspace.state_dir.exists()
    assert sorted(p.name for p in workspace.root.iterdir()) == ["logs"]


def test_stop_and_forget_with_a_stale_record_leaves_the_recorded_process_alone(tmp_path):
    workspace = Workspace(tmp_path / "w")
    write_state(workspace.state_dir, "platform", resources=3)
    emu.data_dir(workspace.root).mkdir(parents=True)
    record = emu.data_dir(workspace.root) / "emulator.json"
    record.write_text(json.dumps({"pid": os.getpid(), "port": 1}))  # a recycled pid: this very test process
    _record_edge(workspace, os.getpid(), None, {})
    assert session.stop_and_forget(workspace) == "its state was discarded"
    assert not record.exists()
    assert not (workspace.root / "edge" / "edge.json").exists()
    assert not workspace.state_dir.exists()


def test_stop_and_forget_stops_the_edge_and_the_emulator(tmp_path, sleeper):
    workspace = Workspace(tmp_path / "w")
    write_state(workspace.state_dir, "platform", resources=3)
    server, edge = sleeper("generator.local.moto_server"), sleeper("generator.local.edge")
    emu.data_dir(workspace.root).mkdir(parents=True)
    (emu.data_dir(workspace.root) / "emulator.json").write_text(json.dumps({"pid": server.pid, "port": 1}))
    _record_edge(workspace, edge.pid, "http://127.0.0.1:8421", {})
    assert session.stop_and_forget(workspace) == "the emulator was stopped and its state discarded"
    # Both were sent SIGTERM; they may still be exiting (their command line reads empty then), so wait for them.
    # The emulator's is reaped by emu.stop (0: the status is gone) or here (-SIGTERM).
    assert server.wait(timeout=5) in (0, -signal.SIGTERM) and edge.wait(timeout=5) in (0, -signal.SIGTERM)
    assert sorted(p.name for p in workspace.root.iterdir()) == ["edge", "emulator"]
    assert list((workspace.root / "edge").iterdir()) == [] and list(emu.data_dir(workspace.root).iterdir()) == []


def test_after_failure_attaches_the_note_to_an_error_and_says_it_for_an_interrupt():
    said: list[str] = []
    error = ValidationFailed([Problem("platform.yaml", "name", "got 'x', expected y")])
    session._after_failure(error, "the emulator was stopped and its state discarded", said.append)
    assert error.local_cleanup == "the emulator was stopped and its state discarded"
    assert said == []
    for interrupt in (KeyboardInterrupt(), SystemExit(1)):
        session._after_failure(interrupt, "its state was discarded", said.append)
        assert not hasattr(interrupt, "local_cleanup")
    assert said == ["emulator: its state was discarded", "emulator: its state was discarded"]


# ---------------------------------------------------------------- every instance's work


def test_each_runs_every_name_and_raises_the_first_failure_in_name_order():
    done: list[str] = []

    def work(name: str) -> None:
        if name == "a":
            time.sleep(0.1)  # fails last in time, first in order
            raise ValueError("a failed")
        if name == "c":
            raise ValueError("c failed")
        time.sleep(0.05)
        done.append(name)

    with pytest.raises(ValueError) as failed:
        session._each(3, ["a", "b", "c", "d"], work)
    assert str(failed.value) == "a failed"
    assert sorted(done) == ["b", "d"]  # the others finished before it was raised


def test_each_runs_jobs_at_once_and_at_least_one():
    barrier = threading.Barrier(2, timeout=5)
    met: list[str] = []
    session._each(2, ["a", "b"], lambda name: (barrier.wait(), met.append(name)))  # serial would break the barrier
    assert sorted(met) == ["a", "b"]
    ran: list[str] = []
    session._each(0, ["x", "y"], ran.append)
    assert sorted(ran) == ["x", "y"]
    assert session._each(2, [], ran.append) is None


@pytest.mark.parametrize("jobs", [0, 1])
def test_each_with_one_job_or_none_runs_one_name_at_a_time(jobs):
    running, most = [0], [0]
    lock = threading.Lock()

    def work(name: str) -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)  # long enough for a second thread to start, were there one
        with lock:
            running[0] -= 1

    session._each(jobs, ["a", "b", "c"], work)
    assert most == [1]


# ---------------------------------------------------------------- the emulator's hosted zone


@pytest.fixture(scope="module")
def moto_endpoint():
    """moto's server in this process (its Route 53 is what the emulator answers with)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    yield server.get_host_and_port()[1]
    server.stop()


@pytest.fixture
def zone_ids(moto_endpoint, monkeypatch):
    """(the emulator at moto's port, the zone ids moto hands out in order: set by the test); moto starts empty."""
    import moto.route53.models

    request = urllib.request.Request(f"http://127.0.0.1:{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=30).close()
    ids: list[str] = []
    monkeypatch.setattr(moto.route53.models, "create_route53_zone_id", lambda *a, **k: ids.pop(0))
    return emu.Emulator(pid=0, port=moto_endpoint), ids


def _zones(server: emu.Emulator) -> list[tuple[str, str]]:
    import boto3

    route53 = boto3.client(
        "route53",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return sorted((z["Name"], z["Id"]) for z in route53.list_hosted_zones()["HostedZones"])


def test_ensure_hosted_zone_creates_the_zone_once_and_reuses_it(zone_ids):
    server, ids = zone_ids
    ids += ["ZEMU00000000000000001", "ZEMU00000000000000002", "ZEMU00000000000000003"]
    assert session.ensure_hosted_zone(server, "apps.example.com", "us-east-2") == "ZEMU00000000000000001"
    assert _zones(server) == [("apps.example.com.", "/hostedzone/ZEMU00000000000000001")]
    assert session.ensure_hosted_zone(server, "apps.example.com", "us-west-2") == "ZEMU00000000000000001"
    assert _zones(server) == [("apps.example.com.", "/hostedzone/ZEMU00000000000000001")]
    assert session.ensure_hosted_zone(server, "other.example.com", "us-east-2") == "ZEMU00000000000000002"
    assert _zones(server) == [
        ("apps.example.com.", "/hostedzone/ZEMU00000000000000001"),
        ("other.example.com.", "/hostedzone/ZEMU00000000000000002"),
    ]
    assert ids == ["ZEMU00000000000000003"]  # reusing created nothing


def test_ensure_hosted_zone_draws_until_an_id_looks_like_a_real_one(zone_ids):
    """Real zone ids start with Z (platform.yaml's hostedZoneId pattern); the others are deleted again."""
    server, ids = zone_ids
    ids += ["A0000000000000000000001", "90000000000000000000002", "ZOK00000000000000000003", "ZNOTUSED0000000000004"]
    assert session.ensure_hosted_zone(server, "apps.example.com", "us-east-2") == "ZOK00000000000000000003"
    assert _zones(server) == [("apps.example.com.", "/hostedzone/ZOK00000000000000000003")]
    assert ids == ["ZNOTUSED0000000000004"]


class _Route53:
    """A Route 53 client as boto3 makes one, answering as AWS does: zones listed by name from ``DNSName`` on."""

    def __init__(self, zones: list[dict], created_ids: list[str]):
        self.zones, self.created_ids, self.calls = zones, created_ids, []

    def list_hosted_zones_by_name(self, **kwargs):
        self.calls.append(("list", kwargs))
        return {"HostedZones": self.zones}

    def create_hosted_zone(self, **kwargs):
        self.calls.append(("create", kwargs))
        return {"HostedZone": {"Id": f"/hostedzone/{self.created_ids.pop(0)}", "Name": kwargs["Name"] + "."}}

    def delete_hosted_zone(self, **kwargs):
        self.calls.append(("delete", kwargs))


def _fake_boto3(monkeypatch, client: _Route53) -> list[tuple]:
    import boto3

    made: list[tuple] = []
    monkeypatch.setattr(boto3, "client", lambda *args, **kwargs: made.append((args, kwargs)) or client)
    return made


def test_ensure_hosted_zone_skips_the_other_zones_aws_lists_after_the_name(monkeypatch):
    # ListHostedZonesByName starts at DNSName: a sub-domain's zone comes next when the domain has none.
    client = _Route53([{"Name": "www.apps.example.com.", "Id": "/hostedzone/ZWWW"}], ["ZNEW"])
    made = _fake_boto3(monkeypatch, client)
    assert session.ensure_hosted_zone(emu.Emulator(pid=1, port=4566), "apps.example.com", "us-east-2") == "ZNEW"
    assert made == [
        (
            ("route53",),
            {
                "endpoint_url": "http://127.0.0.1:4566",
                "region_name": "us-east-2",
                "aws_access_key_id": "testing",
                "aws_secret_access_key": "testing",
            },
        )
    ]
    assert [(name, {k: v for k, v in kwargs.items() if k != "CallerReference"}) for name, kwargs in client.calls] == [
        ("list", {"DNSName": "apps.example.com"}),
        ("create", {"Name": "apps.example.com"}),
    ]


def test_ensure_hosted_zone_gives_up_after_1000_draws(monkeypatch):
    client = _Route53([], [f"A{i}" for i in range(1001)])
    _fake_boto3(monkeypatch, client)
    with pytest.raises(emu.EmulatorError) as failed:
        session.ensure_hosted_zone(emu.Emulator(pid=1, port=4566), "apps.example.com", "us-east-2")
    assert str(failed.value) == "the emulator gave no hosted zone id starting with 'Z' for apps.example.com"
    creates = [kwargs for name, kwargs in client.calls if name == "create"]
    deletes = [kwargs for name, kwargs in client.calls if name == "delete"]
    assert len(creates) == 1000 and len({c["CallerReference"] for c in creates}) == 1000  # each one new
    assert deletes == [{"Id": f"A{i}"} for i in range(1000)]


# ---------------------------------------------------------------- Terraform for the emulator


def test_emulator_terraform_gets_a_clean_environment_and_the_offline_mirror(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    (mirror / "registry.terraform.io" / "hashicorp" / "aws" / "5.100.0").mkdir(parents=True)
    monkeypatch.setattr(runner, "DEFAULT_PLUGIN_MIRRORS", ())
    _only_env(
        monkeypatch,
        {
            "PATH": "/usr/bin:/bin",
            "HOME": "/home/dev",
            "AWS_PROFILE": "prod-admin",
            "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "not-for-the-emulator",
            "AWS_ENDPOINT_URL": "https://aws.example.com",
            "AWS_REGION": "eu-west-1",
            "TF_WORKSPACE": "prod",
            "TF_VAR_token": "secret",
            "TF_CLI_CONFIG_FILE": "/home/dev/.terraformrc",
            "TF_DATA_DIR": "/home/dev/.terraform",
            "TF_PLUGIN_MIRROR": str(mirror),
            "TF_LOG": "DEBUG",
            "TF_LOG_PATH": "/tmp/tf.log",
            "MY_AWS_SETTING": "kept",
            "TFLINT_CONFIG": "kept too",
            "GOGC": "50",
        },
    )
    workspace = Workspace(tmp_path / "new" / "w")
    said: list[str] = []
    terraform = session.emulator_terraform("/opt/bin/terraform", workspace, said.append, 7)
    config = tmp_path / "new" / "w" / "terraformrc"
    assert terraform.env == {
        "PATH": "/usr/bin:/bin",
        "HOME": "/home/dev",
        "TF_LOG": "DEBUG",
        "TF_LOG_PATH": "/tmp/tf.log",
        "MY_AWS_SETTING": "kept",
        "TFLINT_CONFIG": "kept too",
        "GOGC": "50",  # the user's own setting wins
        "GOMEMLIMIT": "1GiB",
        "TF_CLI_CONFIG_FILE": str(config),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    assert config.read_text() == (
        "disable_checkpoint = true\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        '    include = ["registry.terraform.io/hashicorp/aws"]\n'
        "  }\n"
        "  direct {\n"
        '    exclude = ["registry.terraform.io/hashicorp/aws"]\n'
        "  }\n"
        "}\n"
    )
    assert terraform.binary == "/opt/bin/terraform"
    assert terraform.parallelism == 7
    assert terraform.stack_dir("app") == tmp_path / "new" / "w" / "cdktf.out" / "stacks" / "app"
    assert terraform.data_dir("app") == tmp_path / "new" / "w" / "terraform-data" / "app"
    assert terraform.logs_dir == tmp_path / "new" / "w" / "logs"
    assert terraform.logs_dir.is_dir()
    terraform.say("app", "applying")
    assert said == ["  [app] applying"]


def test_emulator_terraform_without_a_mirror_caches_plugins_and_sets_go_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "DEFAULT_PLUGIN_MIRRORS", ())
    _only_env(monkeypatch, {"PATH": "/usr/bin:/bin"})
    workspace = Workspace(tmp_path / "w")
    terraform = session.emulator_terraform("terraform", workspace, print, 20)
    assert terraform.env == {
        "PATH": "/usr/bin:/bin",
        "GOGC": "off",
        "GOMEMLIMIT": "1GiB",
        "TF_CLI_CONFIG_FILE": str(tmp_path / "w" / "terraformrc"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    assert (tmp_path / "w" / "terraformrc").read_text() == (
        f'disable_checkpoint = true\nplugin_cache_dir = "{tmp_path / "w" / "plugin-cache"}"\n'
    )
    assert terraform.parallelism == 20


def test_apply_stack_plans_and_applies_in_one_command_and_sums_it_up(stand_in, monkeypatch):
    (stand_in.folder / "apply.out").write_text(APPLY_OUTPUT)
    _clock(monkeypatch, 100.0, 107.6)
    summary = session.apply_stack(stand_in.terraform, stand_in.workspace, "platform")
    assert summary == "Apply complete! Resources: 2 added, 0 changed, 0 destroyed. (8 s)"
    w = stand_in.workspace.root
    assert _calls(stand_in.folder) == [
        "apply -no-color -input=false -auto-approve -lock-timeout=5m -parallelism=20"
        f" | {w}/cdktf.out/stacks/platform | {w}/terraform-data/platform"
    ]
    assert stand_in.said == [
        "  [platform] applying",
        "  [platform] aws_s3_bucket.site: Still creating... [10s elapsed]",
        "  [platform] aws_s3_bucket.site: Creation complete after 12s [id=site]",
        "  [platform] aws_s3_object.index: Creation complete after 1s [id=index.html]",
    ]
    assert [(t.stack, t.action) for t in stand_in.terraform.times] == [("platform", "apply")]


def test_apply_stack_of_an_empty_plan_says_no_changes(stand_in, monkeypatch):
    (stand_in.folder / "apply.out").write_text(NO_CHANGES_OUTPUT)
    _clock(monkeypatch, 100.0, 130.0)
    assert session.apply_stack(stand_in.terraform, stand_in.workspace, "app") == "no changes"
    assert stand_in.said == ["  [app] applying"]


def test_apply_stack_without_terraforms_summary_line_says_the_mark(stand_in, monkeypatch):
    (stand_in.folder / "apply.out").write_text("something unexpected\n")
    _clock(monkeypatch, 10.0, 10.4)
    assert session.apply_stack(stand_in.terraform, stand_in.workspace, "app") == "Apply complete! (0 s)"


def test_apply_stack_lets_a_failure_through(stand_in, monkeypatch):
    (stand_in.folder / "apply.out").write_text("Error: creating S3 Bucket (site): BucketAlreadyExists\n")
    (stand_in.folder / "apply.exit").write_text("1")
    _clock(monkeypatch, 10.0, 11.0)
    with pytest.raises(StackFailed) as failed:
        session.apply_stack(stand_in.terraform, stand_in.workspace, "app")
    assert (failed.value.stack, failed.value.action) == ("app", "apply")
    assert failed.value.summary() == "Error: creating S3 Bucket (site): BucketAlreadyExists"


def test_destroy_stack_destroys_without_refreshing_and_sums_it_up(stand_in, monkeypatch):
    (stand_in.folder / "destroy.out").write_text(DESTROY_OUTPUT)
    _clock(monkeypatch, 50.0, 52.8)
    assert session.destroy_stack(stand_in.terraform, "app") == "Destroy complete! Resources: 5 destroyed. (3 s)"
    w = stand_in.workspace.root
    assert _calls(stand_in.folder) == [
        "destroy -no-color -input=false -auto-approve -parallelism=20 -refresh=false"
        f" | {w}/cdktf.out/stacks/app | {w}/terraform-data/app"
    ]
    assert stand_in.said == [
        "  [app] destroying",
        "  [app] aws_s3_bucket.site: Still destroying... [id=site, 10s elapsed]",
        "  [app] aws_s3_bucket.site: Destruction complete after 11s",
    ]


def test_destroy_stack_without_terraforms_summary_line_says_the_mark(stand_in, monkeypatch):
    _clock(monkeypatch, 50.0, 111.7)
    assert session.destroy_stack(stand_in.terraform, "platform") == "Destroy complete! (62 s)"


def test_terraform_profile_is_one_line_per_stack_in_the_order_they_ran(tmp_path):
    terraform = Terraform("terraform", lambda stack: tmp_path / stack, tmp_path / "logs")
    assert session.terraform_profile(terraform) == "terraform (wall/cpu s): ; cpu total 0 s"
    terraform.times += [
        CommandTime("platform", "init", 1.4, 0.6),
        CommandTime("platform", "apply", 61.7, 42.2),
        CommandTime("app", "init", 0.2, 0.1),
        CommandTime("app", "apply", 20.2, 10.0),
        CommandTime("platform", "destroy", 9.6, 3.4),
    ]
    assert session.terraform_profile(terraform) == (
        "terraform (wall/cpu s): platform: init 1/1, apply 62/42, destroy 10/3; app: init 0/0, apply 20/10; "
        "cpu total 56 s"
    )


def test_summary_is_the_first_line_with_the_mark_and_the_seconds():
    text = "Plan: 1 to add\n   Apply complete! Resources: 1 added.  \nApply complete! a second one\n"
    assert session._summary(text, "Apply complete!", 0.4) == "Apply complete! Resources: 1 added. (0 s)"
    assert session._summary("", "Destroy complete!", 1234.6) == "Destroy complete! (1235 s)"
