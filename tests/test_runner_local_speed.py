"""The Terraform runner's bookkeeping that ``local up``/``down`` lean on: init reused when its inputs are unchanged,
and every command's wall and CPU seconds recorded (the CPU of the process and of the children it reaped)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from generator.runner import Terraform

FAKE = """#!/bin/sh
echo "$@" >> "{calls}"
case "$1" in
  init) touch .terraform.lock.hcl;;
  apply) "{python}" -c "import time; t = time.process_time(); exec('while time.process_time() - t < 0.3: pass')";;
esac
exit 0
"""


def _terraform(tmp_path: Path) -> tuple[Terraform, Path]:
    fake, calls = tmp_path / "terraform", tmp_path / "calls.txt"
    fake.write_text(FAKE.format(calls=calls, python=sys.executable))
    fake.chmod(0o755)
    (tmp_path / "stacks" / "app").mkdir(parents=True)
    _write_config(tmp_path, {"required_providers": {"aws": {"version": "5.100.0"}}})
    cli = tmp_path / "terraformrc"
    cli.write_text("disable_checkpoint = true\n")
    terraform = Terraform(
        binary=str(fake),
        stack_dir=lambda stack: tmp_path / "stacks" / stack,
        logs_dir=tmp_path / "logs",
        env={"PATH": "/usr/bin:/bin", "TF_CLI_CONFIG_FILE": str(cli)},
        data_dir=lambda stack: tmp_path / "data" / stack,
    )
    return terraform, calls


def _write_config(tmp_path: Path, terraform_block: dict, resources: dict | None = None) -> None:
    config = {"terraform": terraform_block, "resource": resources or {}}
    (tmp_path / "stacks" / "app" / "cdk.tf.json").write_text(json.dumps(config))


def _inits(calls: Path) -> int:
    return sum(line.startswith("init") for line in calls.read_text().splitlines()) if calls.exists() else 0


def test_init_is_reused_until_the_terraform_block_or_cli_config_changes(tmp_path):
    terraform, calls = _terraform(tmp_path)
    assert terraform.init("app", reuse=True) is True
    assert terraform.init("app", reuse=True) is False
    _write_config(tmp_path, {"required_providers": {"aws": {"version": "5.100.0"}}}, {"aws_s3_bucket": {"b": {}}})
    assert terraform.init("app", reuse=True) is False  # resources are not init's business
    assert _inits(calls) == 1
    _write_config(tmp_path, {"required_providers": {"aws": {"version": "5.101.0"}}})
    assert terraform.init("app", reuse=True) is True
    (tmp_path / "terraformrc").write_text('plugin_cache_dir = "/elsewhere"\n')
    assert terraform.init("app", reuse=True) is True
    assert terraform.init("app") is True  # without reuse it always runs
    assert _inits(calls) == 4


def test_every_command_records_its_wall_and_cpu_seconds(tmp_path):
    terraform, _ = _terraform(tmp_path)
    terraform.init("app")
    terraform.apply("app")
    assert [(t.stack, t.action) for t in terraform.times] == [("app", "init"), ("app", "apply")]
    init, apply = terraform.times
    assert apply.cpu >= 0.25 and apply.wall >= apply.cpu * 0.5  # the child's busy loop is counted
    assert init.cpu < 0.25
    log = terraform.log_file("app").read_text()
    assert "# terraform apply: exit 0 after" in log and "(cpu " in log
    assert "$ terraform apply -input=false -auto-approve -lock-timeout=5m -parallelism=10" in log
