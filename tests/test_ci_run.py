"""``.ci/run``, CI's entry point, executed with every tool it calls replaced by a stand-in that records the call.

CI is green only if this script fails when a gate fails: a dropped lint gate, a lost ``export CI=true`` (every skip
would pass silently), a ``|| true`` or a missing ``set -e`` would leave CI green having checked less. Each stand-in
writes one line per call, ``<program> <args>`` and the variables the tests read, and exits with the status the
test gives it.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from helpers import REPO

STUB = """#!/bin/sh
name="${0##*/}"
echo "$name $*|in $PWD|CI=$CI|TF_CLI_CONFIG_FILE=$TF_CLI_CONFIG_FILE|CHECKOV=$CHECKOV|AWSCLI=$AWSCLI" >> "$CALLS"
if [ "$name $1 $2" = "python -m venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/pip"; fi
eval "status=\\${FAIL_$(echo "$name" | tr -c 'a-z\\n' _):-0}"
exit "$status"
"""


@pytest.fixture
def ci(tmp_path):
    """A copy of .ci/ in a stand-in checkout (run from elsewhere: the script moves to the checkout itself), stand-ins for its programs and its two tool virtualenvs."""
    repo = tmp_path / "repo"
    shutil.copytree(REPO / ".ci", repo / ".ci")
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for name in ("python", "ruff", "lint-imports", "apt-get", "chromium", "chromedriver", "jq"):
        (bin_ / name).write_text(STUB)
        (bin_ / name).chmod(0o755)
    for venv, tool in (("checkov-venv", "checkov"), ("awscli-venv", "aws")):
        (tmp_path / venv / "bin").mkdir(parents=True)
        shutil.copy(bin_ / "python", tmp_path / venv / "bin" / tool)
    system = (
        tmp_path / "system"
    )  # only what the script and the stand-ins need: no chromium, pip or ruff of this machine
    system.mkdir()
    for tool in ("bash", "dirname", "mkdir", "cp", "tr"):
        (system / tool).symlink_to(shutil.which(tool))
    env = {
        "PATH": f"{bin_}:{system}",
        "CALLS": str(tmp_path / "calls"),
        "CHECKOV_VENV": str(tmp_path / "checkov-venv"),
        "AWSCLI_VENV": str(tmp_path / "awscli-venv"),
    }

    def run(**extra: str) -> tuple[int, list[str]]:
        (tmp_path / "calls").write_text("")
        done = subprocess.run(
            ["bash", str(repo / ".ci" / "run")], cwd=tmp_path, env={**env, **extra}, capture_output=True, text=True
        )
        return done.returncode, (tmp_path / "calls").read_text().splitlines()

    run.repo, run.tmp, run.bin = repo, tmp_path, bin_
    return run


def _vars(ci, tf_config: str | None = None) -> str:
    tf_config = tf_config or f"{ci.repo}/.ci/terraformrc"
    checkov, aws = ci.tmp / "checkov-venv" / "bin" / "checkov", ci.tmp / "awscli-venv" / "bin" / "aws"
    return f"|in {ci.repo}|CI=true|TF_CLI_CONFIG_FILE={tf_config}|CHECKOV={checkov}|AWSCLI={aws}"


def _before_exports(ci, line: str) -> str:
    return f"{line}|in {ci.repo}|CI=true|TF_CLI_CONFIG_FILE=|CHECKOV=|AWSCLI="


def test_ci_installs_lints_then_runs_the_readmes_tests_under_ci_with_its_tools(ci):
    status, calls = ci()
    assert status == 0
    assert calls == [
        _before_exports(ci, "python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt"),
        "ruff check ." + _vars(ci),
        "ruff format --check ." + _vars(ci),
        "lint-imports " + _vars(ci),
        "python -m pytest -q" + _vars(ci),
    ]


def test_the_readmes_test_command_is_the_one_ci_runs():
    readme = (REPO / "README.md").read_text()
    assert "pip install -r requirements-dev.txt && python -m pytest -q\n" in readme
    assert (REPO / ".ci" / "run").read_text().rstrip().endswith("\npython -m pytest -q")


@pytest.mark.parametrize(
    ("failing", "calls_made"),
    [("FAIL_python", 1), ("FAIL_ruff", 2), ("FAIL_lint_imports", 4)],
    ids=["pip-install", "ruff-check", "lint-imports"],
)
def test_a_failing_step_fails_ci_and_nothing_after_it_runs(ci, failing, calls_made):
    status, calls = ci(**{failing: "3"})
    assert status == 3
    assert len(calls) == calls_made, calls


def test_failing_tests_fail_ci(ci):
    """The stand-in python fails every call, pip's included; with pip passing only pytest is left to fail."""
    python = ci.bin / "python"
    python.write_text(STUB.replace('eval "status=', 'case "$*" in "-m pytest -q") exit 1;; esac\neval "status='))
    status, calls = ci()
    assert status == 1
    assert calls[-1] == "python -m pytest -q" + _vars(ci)


@pytest.mark.parametrize("missing", ["chromium", "chromedriver", "jq"])
def test_a_machine_without_chromium_or_the_tool_venvs_gets_them(ci, missing):
    (ci.bin / missing).unlink()
    shutil.rmtree(ci.tmp / "checkov-venv")
    shutil.rmtree(ci.tmp / "awscli-venv")
    status, calls = ci()
    assert status == 0
    pip = "python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt"
    checkov_venv, awscli_venv = ci.tmp / "checkov-venv", ci.tmp / "awscli-venv"
    none = f"|in {ci.repo}" + "|CI=true|TF_CLI_CONFIG_FILE={}|CHECKOV={}|AWSCLI={}"
    assert calls[:7] == [
        _before_exports(ci, pip),
        _before_exports(ci, "apt-get update -qq"),
        _before_exports(ci, "apt-get install -y -qq chromium chromium-driver jq"),
        f"python -m venv {checkov_venv}" + none.format(f"{ci.repo}/.ci/terraformrc", "", ""),
        "pip install --quiet checkov==3.3.30" + none.format(f"{ci.repo}/.ci/terraformrc", "", ""),
        f"python -m venv {awscli_venv}" + none.format(f"{ci.repo}/.ci/terraformrc", f"{checkov_venv}/bin/checkov", ""),
        "pip install --quiet awscli==1.35.15"
        + none.format(f"{ci.repo}/.ci/terraformrc", f"{checkov_venv}/bin/checkov", ""),
    ]
    assert calls[-1] == "python -m pytest -q" + _vars(ci)


def test_terraforms_cli_config_is_kept_when_it_exists_else_ours(ci, tmp_path):
    own = tmp_path / "my.tfrc"
    own.write_text("")
    assert ci(TF_CLI_CONFIG_FILE=str(own))[1][-1] == "python -m pytest -q" + _vars(ci, str(own))
    missing = str(tmp_path / "missing.tfrc")
    assert ci(TF_CLI_CONFIG_FILE=missing)[1][-1] == "python -m pytest -q" + _vars(ci)
    assert (REPO / ".ci" / "terraformrc").read_text() == "disable_checkpoint = true\n"  # no call home from CI


def test_ci_counts_as_ci_whatever_the_caller_set(ci):
    assert ci(CI="false")[1][-1] == "python -m pytest -q" + _vars(ci)
    assert os.access(REPO / ".ci" / "run", os.X_OK)
