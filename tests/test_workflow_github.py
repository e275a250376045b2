"""The GitHub Actions workflow: valid YAML of the right shape, paths that match `changed`, and every
``python main.py`` command it runs parses against the real CLI (the cheap ones run for real).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from workflow_helpers import WORKFLOW, load_workflow

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def workflow() -> dict:
    return load_workflow()


def steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def commands(workflow: dict) -> list[tuple[str, list[str]]]:
    """Every `python main.py ...` line of every run step, with the workflow's env variables substituted."""
    found = []
    for job_name, job in workflow["jobs"].items():
        env = {
            "BASE": "origin/main",
            "ALLOW_REPLACE": "--allow-replace",
            "SHARDS": "2",
            "SHARD": "1/2",
            "PLATFORM": "--platform",
        }
        for step in job["steps"]:
            for line in step.get("run", "").splitlines():
                line = line.strip()
                if not line.startswith("python main.py"):
                    continue
                line = line.split(" > ")[0].split(" || ")[0]
                for key, value in sorted(env.items(), key=lambda item: -len(item[0])):  # $SHARDS before $SHARD
                    line = line.replace(f'"${key}"', value).replace(f"${key}", value)
                found.append((job_name, shlex.split(line)[2:]))
    return found


def test_triggers_pull_requests_on_instances_and_pushes_to_main(workflow):
    on = workflow["on"]
    assert "instances/**" in on["pull_request"]["paths"]
    assert on["pull_request"]["branches"] == ["main"]
    assert "labeled" in on["pull_request"]["types"]  # adding the allow-replace label re-runs the gate
    assert on["push"]["branches"] == ["main"]
    assert on["push"]["paths"] == on["pull_request"]["paths"]


def test_trigger_paths_cover_everything_changed_treats_as_global(workflow):
    from generator.workflow.changed import GLOBAL_PATHS

    paths = set(workflow["on"]["pull_request"]["paths"])
    for path in GLOBAL_PATHS:
        assert (path + "**" if path.endswith("/") else path) in paths, path


PR_JOBS = ("prepare", "plan-shard", "plan-summary")
PUSH_JOBS = ("apply-platform", "apply-shard", "apply-summary")
FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository"


def test_jobs_fan_out_prepare_then_shards_then_one_summary(workflow):
    jobs = workflow["jobs"]
    assert list(jobs) == [*PR_JOBS, *PUSH_JOBS]
    assert "needs" not in jobs["prepare"] and "needs" not in jobs["apply-platform"]
    assert jobs["plan-shard"]["needs"] == "prepare"
    assert jobs["plan-summary"]["needs"] == ["prepare", "plan-shard"]
    assert jobs["apply-shard"]["needs"] == "apply-platform"  # the platform applies first
    assert jobs["apply-summary"]["needs"] == ["apply-platform", "apply-shard"]
    for job in PR_JOBS:
        assert "github.event_name == 'pull_request'" in jobs[job]["if"]
    for job in PUSH_JOBS:
        assert "github.event_name == 'push'" in jobs[job]["if"]
    for summary in ("plan-summary", "apply-summary"):  # runs when a shard failed, to report it
        assert jobs[summary]["if"].startswith("always() && ")
    for shard, first in (("plan-shard", "prepare"), ("apply-shard", "apply-platform")):
        strategy = jobs[shard]["strategy"]
        assert strategy["fail-fast"] is False
        assert strategy["matrix"]["shard"] == f"${{{{ fromJSON(needs.{first}.outputs.matrix) }}}}"
        assert f"needs.{first}.outputs.shards != '0'" in jobs[shard]["if"]
        assert jobs[shard]["env"]["SHARD"] == "${{ matrix.shard }}"
        assert set(jobs[first]["outputs"]) == {"platform", "shards", "matrix"}


def test_roles_plan_jobs_read_only_applies_only_in_production_forks_get_no_credentials(workflow):
    jobs = workflow["jobs"]
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in jobs.items():
        credentials = [s for s in job["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-credentials")]
        roles = {s["with"]["role-to-assume"] for s in credentials}
        if name in ("prepare", "plan-shard"):
            assert roles == {"${{ vars.AWS_PLAN_ROLE_ARN }}"}, name
            assert all(FORK_GUARD in s["if"] for s in credentials), name
            assert "environment" not in job
        elif name in ("apply-platform", "apply-shard"):
            assert roles == {"${{ vars.AWS_APPLY_ROLE_ARN }}"}, name
            assert job["environment"] == "production"
        else:
            assert credentials == [] and "id-token" not in job["permissions"], name
        assert ("id-token" in job["permissions"]) == bool(credentials), name
    assert "AWS_APPLY_ROLE_ARN" not in "".join(str(jobs[j]) for j in PR_JOBS)  # the PR plan never has apply rights
    assert jobs["plan-summary"]["permissions"]["pull-requests"] == "write"


def test_pinned_actions_and_terraform(workflow):
    for name, job in workflow["jobs"].items():
        assert job["runs-on"] == "ubuntu-latest"
        checkout = job["steps"][0]
        assert checkout["uses"] == "actions/checkout@v4"
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), step["uses"]
        if name.endswith("summary"):
            continue
        assert checkout["with"]["fetch-depth"] == 0
        terraform = next(s for s in job["steps"] if s.get("uses", "").startswith("hashicorp/setup-terraform"))
        assert terraform["with"]["terraform_version"] == "1.11.4" and terraform["with"]["terraform_wrapper"] is False


def test_preflight_runs_with_the_plan_role_before_anything_is_planned(workflow):
    steps = workflow["jobs"]["prepare"]["steps"]
    names = [step.get("name") or step.get("uses") for step in steps]
    preflight = names.index("Preflight")
    assert names.index("aws-actions/configure-aws-credentials@v4") < preflight < names.index("Plan the platform")
    assert steps[preflight]["run"] == "python main.py preflight"
    # a fork's pull request gets no credentials, so it runs no preflight either
    assert "github.event.pull_request.head.repo.full_name == github.repository" in steps[preflight]["if"]


def test_expressions_are_balanced_and_no_secret_values_are_inlined():
    text = WORKFLOW.read_text()
    assert text.count("${{") == text.count("}}")
    assert not re.search(r"\b\d{12}\b", text), "an account id in the workflow"
    assert not re.search(r"(AKIA|ASIA)[A-Z0-9]{16}", text)


def test_each_job_runs_its_commands_in_order(workflow):
    """With the env substituted as in commands(): BASE=origin/main, the allow-replace label, shard 1/2 of 2."""

    def run(job: str) -> list[str]:
        return [" ".join(args) for j, args in commands(workflow) if j == job]

    assert run("prepare") == [
        "validate",
        "changed --base origin/main",
        "changed --base origin/main --json",
        "diff --base origin/main --allow-replace",
        "preflight",
        "synth --platform --no-instances",
        "plan platform --allow-replace --json",
    ]
    assert run("plan-shard") == [
        "synth --changed --base origin/main --shard 1/2 --allow-replace",
        "plan --changed --base origin/main --shard 1/2 --allow-replace --json",
    ]
    assert run("plan-summary") == ["summary merge summaries --shards 2 --platform --allow-replace --markdown plan.md"]
    assert run("apply-platform") == [
        "validate",
        "changed --base origin/main",
        "changed --base origin/main --json",
        "synth --platform --no-instances",
        "apply platform --allow-replace --auto-approve --json",
    ]
    assert run("apply-shard") == [
        "synth --changed --base origin/main --shard 1/2 --allow-replace",
        "apply --changed --base origin/main --shard 1/2 --allow-replace --auto-approve --json",
    ]
    assert run("apply-summary") == [
        "summary merge summaries --shards 2 --platform --allow-replace --title terraform apply --markdown apply.md"
    ]


def test_every_command_parses_against_the_cli(workflow):
    import click

    from main import cli

    for job, args in commands(workflow):
        with cli.make_context("main.py", list(args), resilient_parsing=False) as parent:
            name, command, rest = cli.resolve_command(parent, parent._protected_args + parent.args)
            try:
                command.make_context(name, rest, parent=parent)
            except click.UsageError as err:
                pytest.fail(f"{job}: python main.py {' '.join(args)}: {err}")


def test_the_cheap_commands_run_for_real():
    """validate, changed and diff against this repository (in CI the checkout is clean; HEAD stands in for the base)."""
    env = {**os.environ, "BASE": "HEAD"}
    for line in (
        "python main.py validate",
        'python main.py changed --base "$BASE" --json',
        'python main.py diff --base "$BASE"',
    ):
        assert line.split(" --")[0] in WORKFLOW.read_text()
        done = subprocess.run(
            ["bash", "-c", line.replace("python ", f"{sys.executable} ", 1)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, (line, done.stdout, done.stderr)
