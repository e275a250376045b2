"""Mutation testing of the Python code with mutmut, one scoped and time-boxed run per target.

Each target is mutated in a scratch copy of the repository (mutmut writes a ``mutants/`` folder and reads
``[tool.mutmut]`` from ``pyproject.toml``; neither touches this checkout), against only the fast tests that
cover it. A run that hits its time box reports what it checked so far. Results (score and every surviving
mutant with its diff) go to ``<work>/<target>/report.txt``; docs/testing.md records and triages them.

    pip install mutmut==3.8.1
    python tools/mutate_python.py [--minutes 10] [--work /tmp/mutation] [--only GLOB ...] [TARGET ...]

Targets: lambda_code, validation (generator/validation, project.py, naming.py), rules (rules.py and
naming.py only), modules, workflow (generator/workflow less bootstrap.py, states.py).
Slow (minutes per target on two cores): not run in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from mutate_js import copy_tracked  # tools/ is on sys.path when this script runs

REPO = Path(__file__).resolve().parent.parent
#: name -> (source paths, only_mutate globs, the tests that cover it, extra [tool.mutmut] settings)
TARGETS = {
    "lambda_code": (
        ["lambda_code"],
        [],
        [
            "tests/app/test_app_handler.py",
            "tests/app/test_app_access.py",
            # mutmut leaves app.py.meta/.spans beside the code: the bundle's file list is not the real one here.
            "--deselect",
            "tests/app/test_app_handler.py::test_bundle_is_stdlib_and_boto3_only",
        ],
        {},
    ),
    "validation": (
        ["generator"],
        ["generator/validation/*", "generator/project.py", "generator/naming.py"],
        [
            "tests/test_validation.py",
            "tests/test_validation_messages.py",
            "tests/test_validation_isolation.py",
            "tests/hostile/test_hostile_corpus.py",
            # The backend settings' checks (generator/validation/backends.py); the rest of the file synthesizes.
            "tests/test_backends.py::test_backend_settings_that_cannot_work_are_errors",
            "tests/test_backends.py::test_workspace_names_fit_terraform_cloud",
            # The JSON schemas written from the rules: equal to the checked-in files editors use.
            "tests/test_backends.py::test_backend_fields_are_in_the_json_schema",
            "tests/test_cli.py::test_checked_in_schemas_match_the_validator",
            # 6 s (PyYAML recursing 60000 levels), again for every mutant of reader.py it covers: left out for
            # time. test_message_coverage.py is left out too: it runs no code, it reads the source (which in
            # mutants/ holds every mutant's text, so it fails there).
            "--deselect",
            "tests/hostile/test_hostile_corpus.py::test_generated_bad_instance_file_is_refused[deep-nesting.yaml]",
        ],
        {},
    ),
    # The smallest useful run: the field rules and the derived-name limits against their direct tests.
    "rules": (
        ["generator"],
        ["generator/validation/rules.py", "generator/naming.py"],
        ["tests/test_validation_messages.py", "tests/test_validation.py"],
        {},
    ),
    # The files of modules/ that hold logic of their own rather than resource arguments: the permission model
    # (app_permissions.py), the policy-document builder and the TLS-only statement (policy_document.py) and the
    # permissions boundary (app_boundary_policy.py), against the construct tests that synthesize them alone.
    # Every mutant needs a jsii synth in a fresh process (jsii's node kernel does not survive a fork): the
    # whole of modules/ (thousands of mutants) does not fit a session.
    "modules": (
        ["modules"],
        ["modules/app_permissions.py", "modules/policy_document.py", "modules/app_boundary_policy.py"],
        [
            "tests/constructs/test_app_boundary_policy.py",
            "tests/constructs/test_policy_document.py",
            "tests/constructs/test_app_execution_role.py",
            "tests/constructs/test_app_uploader_role.py",
            "tests/constructs/test_lambda_execution_role.py",
            "tests/constructs/test_ui_uploader_role.py",
            # deny_insecure_transport (policy_document.py) is the buckets' TLS-only statement.
            "tests/constructs/test_private_bucket.py",
            "tests/constructs/test_log_bucket.py",
        ],
        {"process_isolation": "forkserver", "forkserver_warmup": "none"},
    ),
    # The pull-request workflow's logic (which workspaces a change touches, replacing edits, orphans, shards,
    # plan counts and the summary comment) and the state reader, against their fast tests (git repositories
    # in tmp, a fake terraform; no synth). bootstrap.py synthesizes the tfe stack: left out.
    "workflow": (
        ["generator"],
        [
            "generator/workflow/changed.py",
            "generator/workflow/diff.py",
            "generator/workflow/git.py",
            "generator/workflow/graph.py",
            "generator/workflow/orphans.py",
            "generator/workflow/plan.py",
            "generator/workflow/preflight.py",
            "generator/workflow/shards.py",
            "generator/workflow/summary.py",
            "generator/states.py",
        ],
        [
            "tests/test_workflow_git.py",
            "tests/test_workflow_github.py",
            "tests/test_workflow_plan.py",
            "tests/test_workflow_summary.py",
            "tests/test_shards.py",
            "tests/test_preflight.py",
            # It runs the pipeline's commands in the repository's own git checkout; mutants/ is not one.
            "--deselect",
            "tests/test_workflow_github.py::test_the_cheap_commands_run_for_real",
        ],
        {},
    ),
}
ALSO_COPY = [
    "generator",
    "modules",
    "lambda_code",
    "ui",
    "cloudfront_function",
    ".github",  # the workflow tests read the pipeline files
    "instances",
    "schemas",
    "security",
    "main.py",
    "platform.yaml",
    "pytest.ini",
    "cdktf.json",
]


def _toml_list(values: list[str]) -> str:
    return json.dumps(values)


def run(
    target: str,
    work: Path,
    minutes: float,
    mutmut: str,
    children: int = 1,
    resume: bool = False,
    names: tuple[str, ...] = (),
) -> str:
    sources, only, tests, extra = TARGETS[target]
    scratch = work / target
    if not (resume and (scratch / "mutants").is_dir()):
        scratch = copy_tracked(scratch)
        with (scratch / "pyproject.toml").open("a") as config:
            config.write(
                "\n[tool.mutmut]\n"
                f"source_paths = {_toml_list(sources)}\n"
                f"only_mutate = {_toml_list(only)}\n"
                f"also_copy = {_toml_list(ALSO_COPY)}\n"
                f"pytest_add_cli_args_test_selection = {_toml_list(tests)}\n"
                'pytest_add_cli_args = ["-p", "no:cacheprovider", "-x", "-q"]\n'
                "use_git_change_detection = false\n"
                + "".join(f"{key} = {json.dumps(value)}\n" for key, value in extra.items())
            )
    started = time.monotonic()
    # Its own process group: at the time box the forked workers are stopped with mutmut, not left running.
    with (scratch / "mutmut.log").open("a") as log:
        process = subprocess.Popen(
            [mutmut, "run", "--max-children", str(children), *names],
            cwd=scratch,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        try:
            process.wait(timeout=minutes * 60)
            finished = "complete" if process.returncode == 0 else f"mutmut exited {process.returncode} (see mutmut.log)"
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()
            finished = f"stopped at the {minutes:g}-minute time box"
    finished += f" after {(time.monotonic() - started) / 60:.1f} min"
    results = subprocess.run([mutmut, "results", "--all", "true"], cwd=scratch, capture_output=True, text=True)
    lines = [line.strip() for line in results.stdout.splitlines() if ":" in line]
    verdicts: dict[str, list[str]] = {}
    for line in lines:
        name, _, verdict = line.rpartition(":")
        verdicts.setdefault(verdict.strip(), []).append(name.strip())
    killed = len(verdicts.get("killed", []))
    survived = verdicts.get("survived", [])
    checked = killed + len(survived) + len(verdicts.get("timeout", []))
    score = f"{killed}/{checked} killed" + (f" ({100 * killed / checked:.0f}%)" if checked else "")
    report = [f"{target}: {finished}; {score}; verdicts: { {k: len(v) for k, v in verdicts.items()} }"]
    for name in survived:
        diff = subprocess.run([mutmut, "show", name], cwd=scratch, capture_output=True, text=True).stdout
        report.append(f"--- survivor {name}\n{diff}")
    text = "\n".join(report) + "\n"
    (scratch / "report.txt").write_text(text)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    # "rules" is a subset of "validation" (a quicker check of rules.py and naming.py): not run by default.
    parser.add_argument(
        "targets", nargs="*", default=["lambda_code", "validation", "modules", "workflow"], choices=[*TARGETS, []]
    )
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/mutation"))
    parser.add_argument("--resume", action="store_true", help="keep the scratch copy's mutants and verdicts")
    parser.add_argument("--children", type=int, default=1, help="mutants tested in parallel (mutmut --max-children)")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="GLOB",
        help="only the mutants matching this mutmut name pattern (repeatable), e.g. 'lambda_code.app.x_list_items*'",
    )
    args = parser.parse_args()
    mutmut = shutil.which("mutmut") or str(Path(sys.executable).parent / "mutmut")
    for target in args.targets:
        report = run(target, args.work, args.minutes, mutmut, args.children, args.resume, tuple(args.only))
        print(report.splitlines()[0], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
