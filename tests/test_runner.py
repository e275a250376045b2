"""The Terraform runner (generator/runner.py) in one process, with a stand-in terraform that records its calls:
the CLI config it writes (offline mirror or plugin cache), the exact command line and environment of each
command, what a failure reports, and the one-line and multi-line reading of Terraform's diagnostics."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from generator import runner
from generator.runner import StackFailed, Terraform, TerraformMissing

#: A stand-in terraform: records its arguments and environment, then answers as ``$FAKE_EXIT`` says.
FAKE = """#!/bin/sh
printf '%s\\n' "$*" >> calls.txt
env | grep -E '^(TF_IN_AUTOMATION|TF_INPUT|TF_DATA_DIR|KEEP)=' | sort > env.txt
printf 'line one\\n  aws_s3_bucket.b: Still creating... [10s elapsed]\\nline three\\n'
printf 'to stderr\\n' >&2
exit "${FAKE_EXIT:-0}"
"""

#: Terraform's framed diagnostics as it prints them (after an init preamble that is not the reason).
DIAGNOSTICS = """\
Initializing the backend...
╷
│ Error: Terraform encountered problems during initialisation, including problems
│ with the configuration, described below.
╵
╷
│ Warning: Deprecated attribute
│
│ The attribute "x" is deprecated.
╵
╷
│ Error: Invalid provider configuration
│
│   with provider["registry.terraform.io/hashicorp/aws"],
│   on cdk.tf.json line 12:
│
│ Provider "registry.terraform.io/hashicorp/aws" requires explicit configuration.
╵
╷
│ Error: No valid credential sources found
│
│ Please see the provider's documentation.
╵
"""


def _terraform(tmp_path: Path, data_dir: bool = True, exit_code: int = 0, **kwargs) -> Terraform:
    fake = tmp_path / "terraform"
    fake.write_text(FAKE)
    fake.chmod(0o755)
    (tmp_path / "stacks" / "app").mkdir(parents=True, exist_ok=True)
    return Terraform(
        binary=str(fake),
        stack_dir=lambda stack: tmp_path / "stacks" / stack,
        logs_dir=tmp_path / "logs",
        env={"PATH": "/usr/bin:/bin", "KEEP": "kept", "FAKE_EXIT": str(exit_code)},
        data_dir=(lambda stack: tmp_path / "data" / stack) if data_dir else None,
        **kwargs,
    )


def _calls(tmp_path: Path) -> list[str]:
    return (tmp_path / "stacks" / "app" / "calls.txt").read_text().splitlines()


def _env(tmp_path: Path) -> list[str]:
    return (tmp_path / "stacks" / "app" / "env.txt").read_text().splitlines()


# ---------------------------------------------------------------- the CLI config


def test_plugin_mirrors_are_the_environments_then_the_machine_images(monkeypatch):
    monkeypatch.delenv("TF_PLUGIN_MIRROR", raising=False)
    assert runner.plugin_mirrors() == [Path("/opt/tf-plugins")]
    monkeypatch.setenv("TF_PLUGIN_MIRROR", f"/a{os.pathsep}{os.pathsep}/b/c")
    assert runner.plugin_mirrors() == [Path("/a"), Path("/b/c"), Path("/opt/tf-plugins")]


def test_mirrored_providers_lists_host_namespace_type_folders_sorted(tmp_path):
    for provider in ("registry.terraform.io/hashicorp/kubernetes", "registry.terraform.io/hashicorp/aws"):
        (tmp_path / provider / "1.0.0" / "linux_amd64").mkdir(parents=True)
    (tmp_path / "example.com" / "team").mkdir(parents=True)
    (tmp_path / "example.com" / "team" / "notes.txt").write_text("a file, not a provider")
    assert runner.mirrored_providers(tmp_path) == [
        "registry.terraform.io/hashicorp/aws",
        "registry.terraform.io/hashicorp/kubernetes",
    ]
    assert runner.mirrored_providers(tmp_path / "example.com") == []


def test_cli_config_uses_the_first_mirror_that_holds_providers(tmp_path, monkeypatch):
    empty, mirror, later = tmp_path / "empty", tmp_path / "mirror", tmp_path / "later"
    empty.mkdir()
    (mirror / "registry.terraform.io" / "hashicorp" / "aws" / "5.100.0").mkdir(parents=True)
    (mirror / "registry.terraform.io" / "hashicorp" / "tfe" / "0.1.0").mkdir(parents=True)
    (later / "registry.terraform.io" / "hashicorp" / "null" / "3.0.0").mkdir(parents=True)
    monkeypatch.setenv("TF_PLUGIN_MIRROR", os.pathsep.join(map(str, (tmp_path / "absent", empty, mirror, later))))
    out = tmp_path / "out"
    out.mkdir()
    path = runner.write_cli_config(out)
    assert path == out / "terraformrc"
    included = '"registry.terraform.io/hashicorp/aws", "registry.terraform.io/hashicorp/tfe"'
    assert path.read_text() == (
        "disable_checkpoint = true\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        f"    include = [{included}]\n"
        "  }\n"
        "  direct {\n"
        f"    exclude = [{included}]\n"
        "  }\n"
        "}\n"
    )
    assert not (out / "plugin-cache").exists()


def test_cli_config_without_a_mirror_caches_plugins_in_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("TF_PLUGIN_MIRROR", str(tmp_path / "absent"))
    monkeypatch.setattr(runner, "DEFAULT_PLUGIN_MIRRORS", ())
    out = tmp_path / "new" / "folder"
    path = runner.write_cli_config(out)
    assert (out / "plugin-cache").is_dir()
    assert path.read_text() == f'disable_checkpoint = true\nplugin_cache_dir = "{out / "plugin-cache"}"\n'
    assert runner.write_cli_config(out) == path  # a second time: the cache folder is already there


def test_find_terraform_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(TerraformMissing) as err:
        runner.find_terraform()
    assert str(err.value) == (
        "terraform: not found on PATH; install Terraform >= 1.5 "
        "(https://developer.hashicorp.com/terraform/install) and put it on PATH"
    )
    fake = tmp_path / "terraform"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert runner.find_terraform() == str(fake)


# ---------------------------------------------------------------- each command


def test_each_command_runs_with_exactly_its_arguments(tmp_path):
    terraform = _terraform(tmp_path, parallelism=3)
    plan_file = tmp_path / "app.plan"
    terraform.plan("app")
    terraform.plan("app", out=plan_file, destroy=True, lock=False)
    terraform.show_json("app", plan_file)
    terraform.apply_plan("app", plan_file)
    terraform.apply("app")
    terraform.destroy("app")
    terraform.destroy("app", refresh=False)
    terraform.init("app")
    assert _calls(tmp_path) == [
        "plan -no-color -input=false -detailed-exitcode -parallelism=3 -lock-timeout=5m",
        f"plan -no-color -input=false -detailed-exitcode -parallelism=3 -out={plan_file} -lock=false -destroy",
        f"show -no-color -json {plan_file}",
        f"apply -no-color -input=false -lock-timeout=5m -parallelism=3 {plan_file}",
        "apply -no-color -input=false -auto-approve -lock-timeout=5m -parallelism=3",
        "destroy -no-color -input=false -auto-approve -parallelism=3",
        "destroy -no-color -input=false -auto-approve -parallelism=3 -refresh=false",
        "init -no-color -input=false",
    ]
    assert [t.action for t in terraform.times] == [
        "plan",
        "plan",
        "show",
        "apply",
        "apply",
        "destroy",
        "destroy",
        "init",
    ]
    assert Terraform(binary="x", stack_dir=lambda s: tmp_path, logs_dir=tmp_path / "l").parallelism == 10


def test_commands_return_terraforms_output_and_plan_says_whether_there_are_changes(tmp_path):
    output = "line one\n  aws_s3_bucket.b: Still creating... [10s elapsed]\nline three\n"
    terraform = _terraform(tmp_path)
    assert terraform.plan("app") == (False, output)
    assert terraform.destroy("app") == output
    assert terraform.apply("app") == output
    assert terraform.show_json("app", tmp_path / "p") == output
    assert terraform.run("app", "x", ["version"]) == (0, output)
    changes = _terraform(tmp_path, exit_code=2)
    assert changes.plan("app") == (True, output)


def test_terraform_gets_the_callers_environment_with_automation_set(tmp_path):
    _terraform(tmp_path).apply("app")
    assert _env(tmp_path) == [
        "KEEP=kept",
        "TF_DATA_DIR=" + str(tmp_path / "data" / "app"),
        "TF_INPUT=0",
        "TF_IN_AUTOMATION=1",
    ]
    _terraform(tmp_path, data_dir=False).apply("app")
    assert _env(tmp_path) == ["KEEP=kept", "TF_INPUT=0", "TF_IN_AUTOMATION=1"]


def test_progress_lines_are_echoed_only_when_asked(tmp_path):
    echoed: list[str] = []
    terraform = _terraform(tmp_path, echo=echoed.append)
    terraform.apply("app")
    terraform.destroy("app")
    assert echoed == []
    terraform.apply("app", show=True)
    terraform.destroy("app", show=True)
    terraform.apply_plan("app", tmp_path / "p", show=True)
    assert echoed == ["  [app] aws_s3_bucket.b: Still creating... [10s elapsed]"] * 3
    terraform.say("other", "hello")
    assert echoed[-1] == "  [other] hello"


def test_the_stack_log_holds_each_command_its_output_and_its_exit(tmp_path):
    terraform = _terraform(tmp_path)
    assert terraform.log_file("app") == tmp_path / "logs" / "app.log"
    terraform.apply("app")
    log = terraform.log_file("app").read_text().splitlines()
    assert log[:6] == [
        "",
        "$ terraform apply -input=false -auto-approve -lock-timeout=5m -parallelism=10",
        "line one",
        "  aws_s3_bucket.b: Still creating... [10s elapsed]",
        "line three",
        "to stderr",
    ]
    assert log[6].startswith("# terraform apply: exit 0 after ") and log[6].endswith(" s)")
    assert len(log) == 7
    assert terraform.new_log("app") == terraform.log_file("app")
    assert terraform.log_file("app").read_text() == ""


def test_a_failed_command_raises_with_its_error_output_and_log(tmp_path):
    terraform = _terraform(tmp_path, exit_code=1)
    with pytest.raises(StackFailed) as err:
        terraform.apply("app")
    failed = err.value
    log = tmp_path / "logs" / "app.log"
    assert (failed.stack, failed.action, failed.detail, failed.log) == ("app", "apply", "to stderr\n", log)
    assert str(failed) == f"stack 'app': terraform apply failed:\nto stderr\n(full output: {log})"
    assert failed.summary() == "to stderr"
    assert "# terraform apply: exit 1 after " in log.read_text()
    assert [t.action for t in terraform.times] == ["apply"]  # a failed command is timed too


def test_a_failure_without_error_output_reports_the_last_30_lines_of_output(tmp_path):
    fake = tmp_path / "terraform"
    fake.write_text('#!/bin/sh\nfor i in $(seq 1 40); do echo "out $i"; done\nexit 3\n')
    fake.chmod(0o755)
    (tmp_path / "stacks" / "app").mkdir(parents=True)
    terraform = Terraform(binary=str(fake), stack_dir=lambda s: tmp_path / "stacks" / s, logs_dir=tmp_path / "logs")
    with pytest.raises(StackFailed) as err:
        terraform.plan("app")
    assert err.value.detail == "".join(f"out {i}\n" for i in range(11, 41))


def test_a_binary_that_cannot_run_is_a_stack_failure_not_a_crash(tmp_path):
    (tmp_path / "stacks" / "app").mkdir(parents=True)
    terraform = Terraform(
        binary=str(tmp_path / "missing"), stack_dir=lambda s: tmp_path / "stacks" / s, logs_dir=tmp_path / "logs"
    )
    with pytest.raises(StackFailed) as err:
        terraform.init("app")
    assert err.value.action == "init"
    assert err.value.detail == f"cannot run {tmp_path / 'missing'}: No such file or directory"


def test_init_inputs_ignore_an_unreadable_config(tmp_path):
    terraform = _terraform(tmp_path)
    assert terraform._init_inputs("app") == ""  # no cdk.tf.json
    (tmp_path / "stacks" / "app" / "cdk.tf.json").write_text("{not json")
    assert terraform._init_inputs("app") == ""
    (tmp_path / "stacks" / "app" / "cdk.tf.json").write_text(json.dumps({"terraform": {}}))
    first = terraform._init_inputs("app")
    assert len(first) == 64
    (tmp_path / "stacks" / "app" / ".terraform.lock.hcl").write_text("")
    assert terraform._init_inputs("app") != first  # a lock file appearing is a new input


# ---------------------------------------------------------------- reading diagnostics


def test_error_summary_is_the_first_real_error_with_its_body_on_one_line():
    assert runner.error_summary(DIAGNOSTICS) == (
        "Error: Invalid provider configuration "
        'Provider "registry.terraform.io/hashicorp/aws" requires explicit configuration.'
    )
    assert runner.error_summary(DIAGNOSTICS, limit=14) == "Error: Invalid"
    assert runner.error_summary("first\n\n│ last line\n╵\n") == "last line"
    assert runner.error_summary("") == "no output"
    assert runner.error_summary("Error: a\nError: b\n") == "Error: a"


def test_error_lines_keep_every_error_with_its_body_and_drop_warnings_and_frames():
    assert runner.error_lines(DIAGNOSTICS) == [
        "Error: Invalid provider configuration",
        'with provider["registry.terraform.io/hashicorp/aws"],',
        "on cdk.tf.json line 12:",
        'Provider "registry.terraform.io/hashicorp/aws" requires explicit configuration.',
        "Error: No valid credential sources found",
        "Please see the provider's documentation.",
    ]
    assert runner.error_lines(DIAGNOSTICS, limit=2) == [
        "Error: Invalid provider configuration",
        'with provider["registry.terraform.io/hashicorp/aws"],',
    ]
    assert runner.error_lines("a\n\nb\n╵\nc\nd\ne\nf\n") == ["b", "c", "d", "e", "f"]


def test_error_summary_and_lines_have_their_default_limits():
    long = "Error: " + "x" * 400
    assert runner.error_summary(long) == long[:300]
    failed = StackFailed("app", "plan", long, Path("log"))
    assert failed.summary() == long[:300]
    assert failed.summary(12) == "Error: xxxxx"
    many = "".join(f"Error: e{n}\n" for n in range(25))
    assert runner.error_lines(many) == [f"Error: e{n}" for n in range(20)]


def test_error_summary_takes_the_three_lines_after_the_error():
    assert runner.error_summary("Error: A\none\ntwo\nthree\nfour\n") == "Error: A one two three"


def test_a_warning_after_an_error_ends_that_errors_lines():
    text = "╷\n│ Error: Bad thing\n│\n│ Details.\n╵\n╷\n│ Warning: Deprecated\n│\n│ Use y instead.\n╵\n╷\n│ Error: Two\n╵\n"
    assert runner.error_lines(text) == ["Error: Bad thing", "Details.", "Error: Two"]


def test_only_frame_characters_are_stripped_from_the_front_and_a_line_of_them_alone_is_dropped():
    # A line made of every frame character is as much a frame as one made of some of them.
    framed = "╷\n│ Error: A\n│ ─ │╷╵\n│ Body.\n╵\n"
    assert runner.error_lines(framed) == ["Error: A", "Body."]
    assert runner.error_summary(framed) == "Error: A Body."
    # Without a diagnostic, the last lines: a line starting with X keeps it, frame lines are dropped.
    plain = "XML error at line 3\n─────\nX marks the spot\n─ │╷╵\n"
    assert runner.error_lines(plain) == ["XML error at line 3", "X marks the spot"]
    assert runner.error_summary(plain) == "X marks the spot"
    assert runner.error_summary("last words\n─────\n") == "last words"


def test_init_inputs_are_the_terraform_and_module_blocks_the_cli_config_and_the_lock_file(tmp_path):
    terraform = _terraform(tmp_path)
    stack = tmp_path / "stacks" / "app" / "cdk.tf.json"
    blocks = {"backend": {"local": {"path": "s.tfstate"}}, "required_providers": {"aws": {"version": "5.100.0"}}}

    def inputs(document: dict) -> str:
        stack.write_text(json.dumps(document))
        return terraform._init_inputs("app")

    first = inputs({"terraform": blocks, "resource": {"aws_s3_bucket": {"a": {}}}})
    assert inputs({"terraform": blocks, "resource": {"aws_s3_bucket": {"b": {}}}}) == first  # resources: no input
    reordered = {"required_providers": blocks["required_providers"], "backend": blocks["backend"]}
    assert inputs({"resource": {}, "terraform": reordered}) == first  # the same blocks in another key order
    assert inputs({"terraform": blocks, "module": {"m": {"source": "./m"}}}) != first
    assert inputs({"terraform": {**blocks, "backend": {"local": {"path": "other.tfstate"}}}}) != first
    config = tmp_path / "cli.tfrc"
    config.write_text("disable_checkpoint = true\n")
    terraform.env["TF_CLI_CONFIG_FILE"] = str(config)
    with_config = inputs({"terraform": blocks})
    assert with_config != first
    config.write_text("disable_checkpoint = false\n")
    assert inputs({"terraform": blocks}) != with_config


def test_each_command_is_timed_from_its_start_to_its_end(tmp_path, monkeypatch):
    terraform = _terraform(tmp_path)
    ticks = iter([100.0, 102.5, 200.0, 200.25])
    monkeypatch.setattr(runner, "time", SimpleNamespace(monotonic=lambda: next(ticks)))
    terraform.apply("app")
    terraform.plan("app")
    assert [(t.stack, t.action, t.wall) for t in terraform.times] == [("app", "apply", 2.5), ("app", "plan", 0.25)]
    assert all(t.cpu >= 0 for t in terraform.times)
    last = terraform.log_file("app").read_text().splitlines()[-1]
    assert last.startswith("# terraform plan: exit 0 after 0.2 s (cpu ")
