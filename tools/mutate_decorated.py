"""Mutation testing of the decorated functions mutmut leaves alone: the click commands' bodies.

mutmut 3.8.1 never mutates a decorated function (its trampoline would run the decorator again), so every
``@click.command`` body of ``generator/cli/`` was outside tools/mutate_python.py's runs; their tests were judged
with hand-made mutants only. This script takes mutmut's own operators to the bodies: for each decorated top-level
function of FILE it asks mutmut for the mutants of the same function without its decorators, puts the decorators
back on each mutated function, writes that into a scratch copy of the repository (never this checkout) and runs
the TESTS there in a pytest process of their own (``-x``: killed at the first failure). The decorators themselves
are not mutated: ``tests/test_cli_help.py`` compares every command's help whole.

With ``--every`` it mutates every function and method of FILE, decorated or not, the same way: for a file in no
mutmut target, such as the tests' own oracles (``tests/iam_eval.py``, ``tests/ci_guard.py``), whose bugs would let
the suite pass having checked nothing.

    python tools/mutate_decorated.py FILE [--every] [--only NAME ...] [--work /tmp/mutation-decorated] \
        [--children 2] -- TESTS...

Prints each verdict, then the score and every survivor's diff; docs/testing.md records and triages them.
Seconds per mutant (a pytest process); not run in CI.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import libcst as cst
from mutate_js import copy_tracked  # tools/ is on sys.path when this script runs
from mutmut import configuration
from mutmut.mutation.file_mutation import create_mutations, deep_replace

REPO = Path(__file__).resolve().parent.parent


def _mutmut_settings() -> None:
    """mutmut reads its settings from the working folder and, without any, guesses where the code is from the
    folder's name (a clone named otherwise fails): give it settings of its own, its defaults, once."""
    if configuration._config is not None:
        return
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        Path("setup.cfg").write_text("[mutmut]\nsource_paths=code\n")
        configuration.config()


def decorated_mutants(source: str, only: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """``(name, mutated source)`` for every mutmut mutant of the bodies of ``source``'s decorated top-level
    functions (``only`` those named, when given), numbered per function from 1 in mutmut's order."""
    _mutmut_settings()
    module = cst.parse_module(source)
    found = []
    for node in module.body:
        if not isinstance(node, cst.FunctionDef) or not node.decorators or (only and node.name.value not in only):
            continue
        bare = node.with_changes(decorators=[])
        _, mutations, _, _ = create_mutations("decorated.py", cst.Module(body=[bare]).code)
        for number, mutation in enumerate(mutations, start=1):
            mutated = deep_replace(
                mutation.contained_by_top_level_function, mutation.original_node, mutation.mutated_node
            )
            # The blank lines before the function (a module's first statement's are the reparsed module's header).
            back = mutated.with_changes(decorators=node.decorators, leading_lines=node.leading_lines)
            text = module.deep_replace(node, back).code
            if text != source:
                found.append((f"{node.name.value}__{number}", text))
    return found


def every_mutants(source: str, only: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """``(name, mutated source)`` for every mutmut mutant of every function and method of ``source``: those mutmut
    itself makes (named after the outermost function holding them, numbered per name from 1 in mutmut's order),
    then the decorated functions' (:func:`decorated_mutants`)."""
    _mutmut_settings()
    module, mutations, _, _ = create_mutations("every.py", source)
    found, numbers = [], {}
    for mutation in mutations:
        holder = mutation.contained_by_top_level_function
        name = holder.name.value if holder is not None else "module"
        if only and name not in only:
            continue
        numbers[name] = numbers.get(name, 0) + 1
        text = module.deep_replace(mutation.original_node, mutation.mutated_node).code
        if text != source:
            found.append((f"{name}__{numbers[name]}", text))
    return found + decorated_mutants(source, only)


def judge(scratch: Path, name: str, path: str, text: str, tests: list[str]) -> str:
    """Write ``text`` as ``path`` in a copy of ``scratch`` of its own (hard links, but for that file) and run the
    tests there, writing no bytecode (a cached one of the original could pass for the mutant)."""
    target = scratch / path
    original = target.read_text()
    copy = scratch.parent / f"{scratch.name}-{name}"
    subprocess.run(["cp", "-al", str(scratch), str(copy)], check=True)
    try:
        (copy / path).unlink()
        (copy / path).write_text(text)
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
            cwd=copy,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
    finally:
        subprocess.run(["rm", "-rf", str(copy)], check=True)
    assert (scratch / path).read_text() == original, "a mutant leaked into the shared scratch copy"
    if done.returncode == 0:
        return "survived"
    failed = [line for line in done.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    return "killed" + (f" by {failed[0].split(' ', 1)[1]}" if failed else f" (exit {done.returncode})")


def changed_lines(path: str, before: str, after: str) -> str:
    """The lines a mutant changed, as a unified diff without its file header."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), path, path, n=0, lineterm="")
    return "\n".join(list(diff)[2:])


def run_mutants(path: str, source: str, mutants, tests: list[str], work: Path, children: int) -> int:
    """Judge each ``(name, text)`` of ``mutants`` of ``path`` (its unmutated ``source`` must pass first) in a
    scratch copy under ``work``; print each verdict, the score and the survivors' diffs; return the survivors'
    count."""
    scratch = copy_tracked(work / "repo")
    baseline = judge(scratch, "unmutated", path, source, tests)
    if baseline != "survived":
        raise SystemExit(f"{path}: the unmutated file fails the tests: {baseline}")
    print(f"{path}: {len(mutants)} mutants", flush=True)
    with ThreadPoolExecutor(max_workers=max(1, children)) as pool:
        verdicts = list(pool.map(lambda m: judge(scratch, m[0], path, m[1], tests), mutants))
    survivors = []
    for (name, text), verdict in zip(mutants, verdicts, strict=True):
        print(f"{name}: {verdict}", flush=True)
        if verdict == "survived":
            survivors.append((name, text))
    print(f"{path} score: {len(mutants) - len(survivors)}/{len(mutants)} killed")
    for name, text in survivors:
        print(f"--- {name}\n{changed_lines(path, source, text)}")
    return len(survivors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", help="a Python file of this repository, e.g. generator/cli/workflow_cmds.py")
    parser.add_argument("tests", nargs="+", help="pytest arguments (after --)")
    parser.add_argument("--every", action="store_true", help="every function and method, decorated or not")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="only this function")
    parser.add_argument("--work", type=Path, default=Path("/tmp/mutation-decorated"))
    parser.add_argument("--children", type=int, default=2)
    args = parser.parse_args()
    source = (REPO / args.file).read_text()
    mutants = (every_mutants if args.every else decorated_mutants)(source, tuple(args.only))
    run_mutants(args.file, source, mutants, args.tests, args.work, args.children)
    return 0


if __name__ == "__main__":
    sys.exit(main())
