"""What hand-injected bugs in the local emulator and session (generator/local/) showed no test held: only a
process running this emulator's server module is taken for the recorded server (a plain moto server someone else
runs is not, so ``local down`` never signals it); the readiness probe wants moto's 200, not any success; a record
without its port is no emulator; the synth for the emulator gets the fake keys whatever AWS keys the shell holds;
an apply is "no changes" only on Terraform's own sentence; Terraform's ``.tfstate.backup`` files are neither apps
nor stacks; and a problem in the copy of a project opened through a symlink names the user's file."""

from __future__ import annotations

import http.server
import os
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import copy_project
from test_emulator_process import spawn  # noqa: F401 -- fixture: a process with given arguments
from workflow_helpers import edit, write_state

import generator.runtime
import generator.synth
from generator.errors import Problem, ValidationFailed
from generator.local import emulator as emu
from generator.local import session
from generator.local.session import AppStatus
from generator.local.workspace import Workspace, write_local_project
from generator.locations import EmulatorSettings


@pytest.mark.parametrize(
    "args",
    [("moto_server",), ("-m", "moto.server"), ("generator.local.moto_server.old",)],
    ids=["moto-cli", "moto-module", "longer-name"],
)
def test_a_plain_moto_server_is_not_taken_for_the_emulators_server(spawn, args):
    """A recycled pid now running someone else's moto must not be trusted, reused or sent SIGTERM by ``down``."""
    assert emu._is_our_server(spawn(*args).pid) is False


class _NoContent(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


def test_a_server_answering_204_instead_of_motos_200_does_not_respond():
    """Whatever else answers on the recorded port with a success other than moto's 200 is not a ready emulator."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NoContent)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert emu._responds(server.server_address[1]) is False
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_the_emulators_synth_gets_the_fake_keys_even_when_real_ones_are_in_the_environment(tmp_path, monkeypatch):
    """A real AWS key in the user's shell must never be written into the stacks synthesized for the emulator."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY000000000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    synthesized: list[object] = []
    monkeypatch.setattr(session, "ensure_hosted_zone", lambda server, domain, region: "ZEMU1")
    monkeypatch.setattr(
        session, "write_local_project", lambda root, workspace, zone, instances: SimpleNamespace(instances=())
    )
    monkeypatch.setattr(generator.runtime, "configure_node", lambda: None)
    monkeypatch.setattr(generator.synth, "synthesize", lambda *args: synthesized.append(args[4]))
    monkeypatch.setattr(
        session,
        "emulator_terraform",
        lambda binary, workspace, echo, parallelism: SimpleNamespace(init=lambda stack, reuse: True),
    )
    project = SimpleNamespace(platform=SimpleNamespace(domain="apps.example.com", home_region="us-east-2"))
    server = emu.Emulator(pid=1, port=4566)
    session._synth_and_init("terraform", tmp_path, Workspace(tmp_path / "w"), server, project, None, print, 20)
    assert synthesized == [
        EmulatorSettings(endpoint="http://127.0.0.1:4566", access_key="testing", secret_key="testing")
    ]


def test_an_apply_whose_output_merely_mentions_no_changes_is_summed_up_as_applied(monkeypatch):
    """Only Terraform's own empty-plan sentence means nothing was applied; an output value saying "No changes"
    must not hide an apply that created resources."""
    text = (
        "aws_ssm_parameter.note: Creation complete after 1s [id=note]\n\n"
        "Apply complete! Resources: 1 added, 0 changed, 0 destroyed.\n\n"
        'Outputs:\n\nnote = "No changes to report"\n'
    )
    clock = iter([10.0, 12.0])
    monkeypatch.setattr(session, "time", SimpleNamespace(monotonic=lambda: next(clock)))
    said: list[tuple[str, str]] = []
    terraform = SimpleNamespace(say=lambda stack, line: said.append((stack, line)), apply=lambda stack, show: text)
    summary = session.apply_stack(terraform, Workspace(Path("/nonexistent")), "app")
    assert summary == "Apply complete! Resources: 1 added, 0 changed, 0 destroyed. (2 s)"
    assert said == [("app", "applying")]


def test_a_problem_in_the_copy_of_a_project_reached_through_a_symlink_names_the_users_file(tmp_path):
    """Opened through a symlink, the project's copy (resolved, as ``local up`` makes it) must still be reported
    against the user's own file, not against a path inside the emulator's working folder."""
    root = copy_project(tmp_path / "real")
    edit(root / "instances" / "john-inventory-dev.yaml", "environment: dev", "environment: qa")
    os.symlink(tmp_path / "real", tmp_path / "link")
    workspace = Workspace((tmp_path / "link" / ".local").resolve())
    with pytest.raises(ValidationFailed) as failed:
        write_local_project(tmp_path / "link", workspace, "Z0EMULATOR123", None)
    copy = tmp_path.resolve() / "real" / ".local" / "project"
    assert failed.value.problems == [
        Problem(
            "instances/john-inventory-dev.yaml",
            "spec.environment",
            "got 'qa', expected one of dev, staging, prod "
            f"(in the emulator's copy, {copy}/instances/john-inventory-dev.yaml)",
        )
    ]


def test_terraforms_backup_state_files_are_no_apps_and_no_stacks(tmp_path):
    """Terraform's local backend leaves ``<stack>.tfstate.backup`` beside each state it rewrites: ``local status``
    must not list it as an app, nor ``local down`` as a stack to destroy."""
    workspace = Workspace(tmp_path / "w")
    write_state(workspace.state_dir, "alpha-app", resources=2, outputs={"table_name": "alpha-table"})
    (workspace.state_dir / "alpha-app.tfstate").rename(workspace.state_dir / "alpha-app.tfstate.backup")
    write_state(workspace.state_dir, "alpha-app", resources=3, outputs={"table_name": "alpha-table"})
    write_state(workspace.state_dir, "platform", resources=5)
    (workspace.state_dir / "platform.tfstate.backup").write_bytes(
        (workspace.state_dir / "platform.tfstate").read_bytes()
    )
    assert session.status_rows(workspace) == [
        AppStatus(name="alpha-app", url="-", api_endpoint="-", table="alpha-table", resources=3)
    ]
    assert workspace.stacks_with_state() == ["alpha-app", "platform"]


def test_a_record_without_a_port_is_no_emulator_even_where_a_server_would_answer(tmp_path, monkeypatch):
    """A record that lost its port must not be completed with a guess (moto's usual 5000): ``up`` would then
    reuse whatever answers there as this folder's emulator."""
    monkeypatch.setattr(emu, "_is_our_server", lambda pid: True)
    monkeypatch.setattr(emu, "_responds", lambda port: True)
    (tmp_path / "emulator").mkdir()
    (tmp_path / "emulator" / "emulator.json").write_text('{"pid": 4242}\n')
    assert emu.running(tmp_path) is None
