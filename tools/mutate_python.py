"""Mutation testing of the Python code with mutmut, one scoped and time-boxed run per target.

Each target is mutated in a scratch copy of the repository (mutmut writes a ``mutants/`` folder and reads
``[tool.mutmut]`` from ``pyproject.toml``; neither touches this checkout), against only the fast tests that
cover it. A run that hits its time box reports what it checked so far. Results (score and every surviving
mutant with its diff) go to ``<work>/<target>/report.txt``; docs/testing.md records and triages them.

    pip install mutmut==3.8.1
    python tools/mutate_python.py [--minutes 10] [--work /tmp/mutation] [TARGET ...]

Targets: lambda_code, validation (generator/validation, project.py, naming.py), rules (rules.py and
naming.py only), modules.
Slow (minutes per target on two cores): not run in CI.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

from mutate_js import copy_tracked  # tools/ is on sys.path when this script runs

REPO = Path(__file__).resolve().parent.parent
#: name -> (source paths, only_mutate globs, the tests that cover it)
TARGETS = {
    "lambda_code": (
        ["lambda_code"],
        [],
        [
            "tests/app/test_app_handler.py",
            # mutmut leaves app.py.meta/.spans beside the code: the bundle's file list is not the real one here.
            "--deselect",
            "tests/app/test_app_handler.py::test_bundle_is_stdlib_and_boto3_only",
        ],
    ),
    "validation": (
        ["generator"],
        ["generator/validation/*", "generator/project.py", "generator/naming.py"],
        ["tests/test_validation.py", "tests/hostile/test_hostile_corpus.py", "tests/test_message_coverage.py"],
    ),
    # The smallest useful run: the field rules and the derived-name limits against their direct tests.
    "rules": (
        ["generator"],
        ["generator/validation/rules.py", "generator/naming.py"],
        ["tests/test_validation_messages.py", "tests/test_validation.py"],
    ),
    "modules": (
        ["modules"],
        [],
        [
            "tests/test_security_iam.py",
            "tests/test_iam_expectations.py",
            "tests/test_golden.py",
            "tests/test_stacks.py",
        ],
    ),
}
ALSO_COPY = [
    "generator",
    "modules",
    "lambda_code",
    "ui",
    "cloudfront_function",
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


def run(target: str, work: Path, minutes: float, mutmut: str) -> str:
    sources, only, tests = TARGETS[target]
    scratch = copy_tracked(work / target)
    with (scratch / "pyproject.toml").open("a") as config:
        config.write(
            "\n[tool.mutmut]\n"
            f"source_paths = {_toml_list(sources)}\n"
            f"only_mutate = {_toml_list(only)}\n"
            f"also_copy = {_toml_list(ALSO_COPY)}\n"
            f"pytest_add_cli_args_test_selection = {_toml_list(tests)}\n"
            'pytest_add_cli_args = ["-p", "no:cacheprovider", "-x", "-q"]\n'
            "use_git_change_detection = false\n"
        )
    try:
        subprocess.run(
            [mutmut, "run", "--max-children", "1"],
            cwd=scratch,
            timeout=minutes * 60,
            capture_output=True,
            text=True,
        )
        finished = "complete"
    except subprocess.TimeoutExpired:
        finished = f"stopped at the {minutes:g}-minute time box"
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
    parser.add_argument("targets", nargs="*", default=list(TARGETS), choices=[*TARGETS, []])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/mutation"))
    args = parser.parse_args()
    mutmut = shutil.which("mutmut") or str(Path(sys.executable).parent / "mutmut")
    for target in args.targets:
        print(run(target, args.work, args.minutes, mutmut).splitlines()[0], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
