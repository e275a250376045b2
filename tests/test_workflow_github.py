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
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / ".github" / "workflows" / "instances.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    document = yaml.safe_load(WORKFLOW.read_text())
    # YAML 1.1 reads the key `on` as True; GitHub reads it as "on".
    document["on"] = document.pop(True)
    return document


def steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def commands(workflow: dict) -> list[tuple[str, list[str]]]:
    """Every `python main.py ...` line of every run step, with the workflow's env variables substituted."""
    found = []
    for job_name, job in workflow["jobs"].items():
        env = {"BASE": "origin/main", "ALLOW_REPLACE": "--allow-replace"}
        for step in job["steps"]:
            for line in step.get("run", "").splitlines():
                line = line.strip()
                if not line.startswith("python main.py"):
                    continue
                line = line.split(" > ")[0].split(" || ")[0]
                for key, value in env.items():
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


def test_jobs_shape_permissions_and_pinned_actions(workflow):
    plan, apply = workflow["jobs"]["plan"], workflow["jobs"]["apply"]
    assert plan["if"] == "github.event_name == 'pull_request'"
    assert apply["if"] == "github.event_name == 'push'"
    assert plan["permissions"]["id-token"] == "write" and plan["permissions"]["pull-requests"] == "write"
    assert workflow["permissions"] == {"contents": "read"}
    for job in (plan, apply):
        assert job["runs-on"] == "ubuntu-latest"
        checkout = job["steps"][0]
        assert checkout["uses"] == "actions/checkout@v4" and checkout["with"]["fetch-depth"] == 0
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), step["uses"]
        terraform = next(s for s in job["steps"] if s.get("uses", "").startswith("hashicorp/setup-terraform"))
        assert terraform["with"]["terraform_version"] == "1.11.4" and terraform["with"]["terraform_wrapper"] is False


def test_expressions_are_balanced_and_no_secret_values_are_inlined():
    text = WORKFLOW.read_text()
    assert text.count("${{") == text.count("}}")
    assert not re.search(r"\b\d{12}\b", text), "an account id in the workflow"
    assert not re.search(r"(AKIA|ASIA)[A-Z0-9]{16}", text)


def test_pull_request_runs_validate_changed_diff_synth_plan_in_order(workflow):
    names = [args[0] for job, args in commands(workflow) if job == "plan"]
    assert names == ["validate", "changed", "changed", "diff", "synth", "plan", "orphans"]
    apply_names = [args[0] for job, args in commands(workflow) if job == "apply"]
    assert apply_names == ["validate", "changed", "synth", "apply"]


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
