"""Mutation testing of the Python code with mutmut, one scoped and time-boxed run per target.

Each target is mutated in a scratch copy of the repository (mutmut writes a ``mutants/`` folder and reads
``[tool.mutmut]`` from ``pyproject.toml``; neither touches this checkout), against only the fast tests that
cover it. A run that hits its time box reports what it checked so far. Results (score and every surviving
mutant with its diff) go to ``<work>/<target>/report.txt``; docs/testing.md records and triages them.

    pip install mutmut==3.8.1
    python tools/mutate_python.py [--minutes 10] [--work /tmp/mutation] [--only GLOB ...] [TARGET ...]
    python tools/mutate_python.py --work /tmp/mutation --reapply 'GLOB' [--tests=ARG ...] TARGET
    python tools/mutate_python.py --work /tmp/mutation --show 'GLOB' TARGET
    python tools/mutate_python.py --work /tmp/mutation --generate TARGET

The second form judges the mutants a run left alive (or did not reach) against this checkout's tests, one
pytest process per mutant: how a new test is shown to kill its mutants, and how a run is finished when
mutmut's own runner cannot. The fourth makes a fresh scratch copy and its mutants and judges none, so the
second can judge one file's mutants against that file's fast tests (``--tests``) on this checkout's code,
without first profiling the target's whole selection.

Targets: lambda_code, validation (generator/validation, project.py, naming.py), rules (rules.py and
naming.py only), cache (generator/cache.py), modules (the permission model's three files, mutmut's runner),
constructs (all of modules/, judged in warm processes by tools/mutate_worker.py), workflow (generator/workflow
less bootstrap.py, states.py), cli (the synth layer and the CLI, in-process), local (generator/local, in-process),
speed (runtime.py, jsii_cache.py, bindings_bytecode.py and modules/_provider_loader.py, in-process, with a jsii
cache of its own under --work unless GENERATOR_JSII_CACHE is set).
The default: lambda_code, validation, cache, constructs, workflow, cli, local, speed.
Slow (minutes per target on two cores): not run in CI.
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import mutate_worker  # tools/ is on sys.path when this script runs
from mutate_js import copy_tracked

REPO = Path(__file__).resolve().parent.parent
#: name -> (source paths, only_mutate globs, the tests that cover it, extra [tool.mutmut] settings)
TARGETS = {
    "lambda_code": (
        ["lambda_code"],
        [],
        [
            "tests/app/test_app_handler.py",
            "tests/app/test_app_access.py",
            # The hand-injected bugs of the tenth session the two files above let through.
            "tests/app/test_app_injected_review.py",
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
            # The field engine on a table of its own, and the workspace-name limit (generator/validation/backends.py).
            "tests/test_validation_rules.py",
            # generator/project.py: which files are read and how they are named, every platform setting in the
            # model, the cross-file messages, Selection.
            "tests/test_project_loading.py",
            "tests/test_project_platform.py",
            # The strict reader on its own (reader.py), with a 400-level nesting in place of the corpus's 60000.
            "tests/test_validation_reader.py",
            "tests/hostile/test_hostile_corpus.py",
            # The hand-injected bugs of the tenth session the files above let through.
            "tests/test_injected_review_validation.py",
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
        # mutmut's time limit per mutant is (tests' measured time + timeout_constant) * 15 s of wall clock. The
        # measured time (0.1 s a test) leaves out the node kernel's start, which every forked mutant pays again
        # (15-25 s on two busy cores): with the default constant of 1 every mutant timed out. 8 gives two minutes.
        {"process_isolation": "forkserver", "forkserver_warmup": "none", "timeout_constant": 8},
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
            "tests/test_workflow_diff.py",
            "tests/test_workflow_graph.py",
            "tests/test_states.py",
            "tests/test_states_injected_review.py",
            "tests/test_workflow_github.py",
            "tests/test_workflow_plan.py",
            "tests/test_workflow_summary.py",
            "tests/test_shards.py",
            "tests/test_preflight.py",
            "tests/test_injected_review_workflow.py",
            # It runs the pipeline's commands in the repository's own git checkout; mutants/ is not one.
            "--deselect",
            "tests/test_workflow_github.py::test_the_cheap_commands_run_for_real",
        ],
        {},
    ),
    # Whether a synthesized stack is reused or rebuilt (the digests of its inputs and of its folder), against its
    # unit tests (no synth; a few seconds). tests/test_cache.py's full synths (about 40 s each) are left out.
    "cache": (["generator"], ["generator/cache.py"], ["tests/test_cache_inputs.py"], {}),
}
#: Every file of modules/ (the constructs and stacks), judged in-process (tools/mutate_worker.py): a fresh
#: process per mutant pays the jsii kernel's start, 15-25 s, which is why "modules" above is three files. In
#: one warm process a mutant costs a full selection at most (about 8 s) and usually the golden snapshot's
#: first synth (1-2 s). _provider_loader.py runs at import time, before any mutant is active: left out.
#: The selection: the golden snapshots first (they fail fastest), then the construct tests and the tests that
#: evaluate what the stacks grant (IAM model, isolation, the policy evaluator), the stacks' own settings and
#: the backends (less the terraform-validate run, 26 s of terraform init per backend).
TARGETS["constructs"] = (
    ["modules"],
    [
        f"modules/{p.name}"
        for p in sorted((REPO / "modules").glob("*.py"))
        if p.name not in ("__init__.py", "_provider_loader.py")
    ],
    [
        "tests/test_golden.py",
        "tests/constructs",
        "tests/test_stacks.py",
        "tests/test_iam_expectations.py",
        "tests/test_isolation.py",
        "tests/test_security_iam.py",
        "tests/test_fresh_ui.py",
        "tests/test_backends.py",
        "--deselect",
        "tests/test_backends.py::test_every_backend_passes_terraform_validate",
    ],
    {},
)
#: The synth layer (the cdktf App, the synth and its output folder, the app's assets, where things are, the
#: frozen model, the terraform runner, CODEOWNERS and the new-instance scaffold) and every CLI command, against
#: the tests that drive them in-process: the golden snapshots and stacks, the CLI's contract and commands, the
#: output folder's guarantees (hostile inputs, killed runs, workers), the workflow commands with a stand-in
#: terraform, the backends. In-process: the synth needs the jsii kernel. Left out: the speed machinery that runs
#: at import time (runtime.py, jsii_cache.py, bindings_bytecode.py, as _provider_loader.py) and cache.py (a target
#: of its own). The tests that run the CLI in a process of its own count too (tools/mutate_worker.py's
#: sitecustomize hook), though the synth's forked workers are not followed.
TARGETS["cli"] = (
    ["generator"],
    [
        *(
            f"generator/{name}.py"
            for name in (
                "app",
                "synth",
                "outfolder",
                "assets",
                "locations",
                "model",
                "errors",
                "runner",
                "codeowners",
                "scaffold",
            )
        ),
        *(
            f"generator/cli/{p.name}"
            for p in sorted((REPO / "generator" / "cli").glob("*.py"))
            if p.name != "__init__.py"
        ),
    ],
    [
        "tests/test_golden.py",
        "tests/test_cli_contract.py",
        "tests/test_cli.py",
        "tests/test_outfolder.py",
        "tests/test_outfolder_injected_review.py",
        "tests/hostile/test_hostile_synth.py",
        "tests/test_synth_workers.py",
        "tests/test_isolation_cli.py",
        "tests/test_stacks.py",
        "tests/test_fresh_ui.py",
        "tests/test_determinism.py",
        "tests/test_preflight.py",
        "tests/test_workflow_git.py",
        "tests/test_workflow_plan.py",
        "tests/test_workflow_github.py",
        "tests/test_runner_local_speed.py",
        "tests/test_runner.py",
        "tests/test_scaffold.py",
        "tests/test_synth_cmd.py",
        "tests/test_assets.py",
        "tests/test_assets_injected_review.py",
        "tests/test_cli_commands.py",
        "tests/test_workflow_cmds.py",
        "tests/test_cli_help.py",
        "tests/test_injected_review_workflow.py",
        "tests/test_injected_review_runner.py",
        "tests/test_backends.py",
        "--deselect",
        "tests/test_backends.py::test_every_backend_passes_terraform_validate",
        "--deselect",
        "tests/test_workflow_github.py::test_the_cheap_commands_run_for_real",
    ],
    {},
)
#: The local platform (generator/local/: the moto emulator's server and its additions, the session that applies
#: the stacks, and the edge that stands in for CloudFront, API Gateway with its JWT authorizer, the hosted UI and
#: Lambda), against its in-process tests. `local up` end to end (tests/e2e, minutes per run) is left out.
TARGETS["local"] = (
    ["generator"],
    ["generator/local/*.py", "generator/local/edge/*.py"],
    [
        "tests/local_edge",
        "tests/test_emulator_lambda_replay.py",
        "tests/test_local_plan_counts.py",
        # moto_server.py's fixes in this process (a mutant is judged in a second); the next file runs them in the
        # emulator's own process, about 30 s a mutant.
        "tests/test_moto_server_inprocess.py",
        "tests/test_emulator_patches.py",
        "tests/test_local_workspace.py",
        "tests/test_local_session.py",
        # up, plan, down and _synth_and_init in order, every step stood in (before it, "no tests": end to end only).
        "tests/test_local_orchestration.py",
        "tests/test_injected_review_local.py",
    ],
    {},
)
#: The speed machinery every synth process installs first (generator/runtime.py's configure_node: the lazy
#: provider index.js and cdktf's stack-trace switch in our jsii cache, the bindings compiled without their checks,
#: the provider packages imported submodule by submodule), against the tests that call it directly on stand-in
#: files and packages. Left out of the selection: the tests comparing whole synths with and without the speed-ups
#: (a module fixture of four synth processes, minutes per mutant); a survivor is run against them by hand.
#: Mutants run in this process too, so give the run a jsii cache of its own (GENERATOR_JSII_CACHE): a mutant of
#: the rewrite must never write into the cache every other synth on the machine uses.
TARGETS["speed"] = (
    ["generator", "modules"],
    [
        "generator/runtime.py",
        "generator/jsii_cache.py",
        "generator/bindings_bytecode.py",
        "modules/_provider_loader.py",
    ],
    [
        "tests/test_speed_lazy_node.py",
        "tests/test_speed_bindings_bytecode.py",
        "tests/test_speed_provider_loader.py",
        "tests/test_runtime.py",
        *(
            arg
            for test in (
                "test_speed_lazy_node.py::test_lazy_and_parallel_synth_are_byte_identical_to_the_plain_single_process",
                "test_speed_lazy_node.py::test_the_lazy_runs_used_our_cache_with_both_providers_rewritten",
                "test_speed_lazy_node.py::test_the_fast_runs_loaded_the_bindings_from_optimized_bytecode",
                "test_speed_lazy_node.py::test_cdktf_stack_trace_helper_got_the_switch_and_it_works",
                "test_speed_provider_loader.py::test_loader_output_is_byte_identical_to_the_plain_import",
                "test_speed_provider_loader.py::test_loader_imports_only_the_submodules_in_use",
            )
            for arg in ("--deselect", f"tests/{test}")
        ),
    ],
    {},
)
#: Targets whose mutants are judged by tools/mutate_worker.py (many mutants per warm process), not by mutmut.
IN_PROCESS = {"constructs", "cli", "local", "speed"}
#: For an in-process target: what each worker runs once, unmutated, before its first mutant (the imports and the
#: jsii kernel warm up without running the whole selection); a target not named here warms up on its selection.
WARM_UP = {"constructs": ["tests/test_golden.py"], "cli": ["tests/test_golden.py"]}
#: Mutants one worker process judges before a fresh one takes over (the jsii kernel keeps every tree built).
WORKER_BATCH = 150

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
    "docs",  # tests/test_isolation.py evaluates the delegation policy docs/security.md documents
    "main.py",
    "README.md",  # the CLI's contract test checks every command is documented there
    "platform.yaml",
    "pytest.ini",
    "cdktf.json",
]


def _toml_list(values: list[str]) -> str:
    return json.dumps(values)


# Run in the scratch copy with mutmut's own modules (pinned 3.8.1): every verdict and each survivor's diff in
# one process. `mutmut results` then `mutmut show` per survivor costs a second or two each, minutes for a
# few hundred survivors.
_REPORT = """
import json, sys
from mutmut.stats import status_by_exit_code
from mutmut.mutation.data import SourceFileMutationData
from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.utils.file_utils import walk_mutatable_files

verdicts, diffs = {}, {}
for path in walk_mutatable_files():
    data = SourceFileMutationData(path=path)
    data.load()
    for name, code in data.exit_code_by_key.items():
        verdict = status_by_exit_code[code]
        verdicts.setdefault(verdict, []).append(name)
        if verdict == "survived" and sys.argv[1] == "diffs":
            diffs[name] = get_diff_for_mutant(name, path=path)
print(json.dumps([verdicts, diffs]))
"""


def _verdicts_and_survivor_diffs(scratch: Path, diffs: bool = True) -> tuple[dict[str, list[str]], dict[str, str]]:
    script = [sys.executable, "-c", _REPORT, "diffs" if diffs else "verdicts"]
    done = subprocess.run(script, cwd=scratch, capture_output=True, text=True, check=True)
    verdicts, diffs = json.loads(done.stdout)
    return verdicts, diffs


def _fresh_scratch(target: str, work: Path) -> Path:
    """``work/target``: a fresh copy of this checkout configured for mutmut to mutate ``target``'s files."""
    sources, only, tests, extra = TARGETS[target]
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
            + "".join(f"{key} = {json.dumps(value)}\n" for key, value in extra.items())
        )
    return scratch


def generate(target: str, work: Path, children: int) -> int:
    """Make a fresh scratch copy of ``target`` and its mutants, and judge none: each is "not checked", for a
    ``--reapply`` with ``--tests`` to judge against chosen fast tests (no baseline of the whole selection first).
    Returns how many mutants there are."""
    scratch = _fresh_scratch(target, work)
    _generate(scratch, children)
    verdicts, _ = _verdicts_and_survivor_diffs(scratch, diffs=False)
    return sum(len(names) for names in verdicts.values())


def run(
    target: str,
    work: Path,
    minutes: float,
    mutmut: str,
    children: int = 1,
    resume: bool = False,
    names: tuple[str, ...] = (),
) -> str:
    scratch = work / target
    if not (resume and (scratch / "mutants").is_dir()):
        scratch = _fresh_scratch(target, work)
    started = time.monotonic()
    if target in IN_PROCESS:
        _generate(scratch, children)
        judged = reapply(target, work, names or ("*",), children, deadline=started + minutes * 60)
        finished = f"judged {len(judged)} in-process" + (
            "" if time.monotonic() < started + minutes * 60 else f", stopped at the {minutes:g}-minute time box"
        )
        return _report(target, scratch, finished, started)
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
    return _report(target, scratch, finished, started)


def _report(target: str, scratch: Path, finished: str, started: float) -> str:
    finished += f" after {(time.monotonic() - started) / 60:.1f} min"
    verdicts, diffs = _verdicts_and_survivor_diffs(scratch)
    killed = len(verdicts.get("killed", []))
    survived = verdicts.get("survived", [])
    checked = killed + len(survived) + len(verdicts.get("timeout", []))
    score = f"{killed}/{checked} killed" + (f" ({100 * killed / checked:.0f}%)" if checked else "")
    report = [f"{target}: {finished}; {score}; verdicts: { {k: len(v) for k, v in verdicts.items()} }"]
    report += [f"--- survivor {name}\n{diffs[name]}" for name in survived]
    text = "\n".join(report) + "\n"
    (scratch / "report.txt").write_text(text)
    return text


#: mutmut's exit codes for the verdicts written back (its ``status_by_exit_code``): pytest's 1 is "killed",
#: 0 "survived", 36 "timeout", 33 "no tests".
_KILLED, _SURVIVED, _TIMEOUT, _NO_TESTS = 1, 0, 36, 33

_WRITE_BACK = """
import json, sys
from mutmut.mutation.data import SourceFileMutationData
from mutmut.utils.file_utils import walk_mutatable_files

codes = json.loads(sys.argv[1])
for path in walk_mutatable_files():
    data = SourceFileMutationData(path=path)
    data.load()
    mine = {name: code for name, code in codes.items() if name in data.exit_code_by_key}
    if mine:
        data.exit_code_by_key.update(mine)
        data.save()
"""


def reapply(
    target: str,
    work: Path,
    patterns: tuple[str, ...],
    children: int,
    tests: tuple[str, ...] = (),
    deadline: float = float("inf"),
    fresh: bool = False,
) -> list[tuple[str, str]]:
    """Run each matching mutant of a finished or stopped run, that is not known killed, against this checkout's tests.

    mutmut's own mutants are used (``MUTANT_UNDER_TEST=<name>``, in a throwaway copy of ``mutants/`` holding
    this checkout's ``tests/``), so a test written after the run is judged on exactly the mutant it was written
    for. The verdicts are written back to the run's records, and the report reflects them. The unmutated code
    must pass the selection first. Each mutant gets its own pytest process (``pytest -x <selection>``), except
    for the targets in :data:`IN_PROCESS`, whose workers judge many mutants each (tools/mutate_worker.py), unless
    ``fresh``: a mutant of code that runs when a module is imported (a click option decorator) is active only in a
    process that imports the module with it. It is also the way to finish a run that mutmut cannot: no fork.
    """
    scratch = work / target
    selection = list(tests) or TARGETS[target][2]
    verdicts, _ = _verdicts_and_survivor_diffs(scratch, diffs=False)
    # In the order of the patterns (the first one matching), so a time-boxed run takes what matters most first.
    ranked = [
        (_first_match(name, patterns), name)
        for verdict, group in verdicts.items()
        if verdict != "killed"
        for name in group
    ]
    names = [name for rank, name in sorted(r for r in ranked if r[0] is not None)]
    results: list[tuple[str, str]] = []
    unwritten: list[tuple[str, str]] = []
    lock = threading.Lock()

    def record(name: str, result: str) -> None:
        nonlocal unwritten
        with lock:
            print(f"{result:>9} {name}", flush=True)  # as they come: a long run shows its progress
            results.append((name, result))
            unwritten.append((name, result))
            if len(unwritten) == 20:  # recorded as it goes: a run stopped early keeps what it judged
                _write_back(scratch, unwritten)
                unwritten = []

    copy = Path(tempfile.mkdtemp(prefix="reapply-", dir=scratch))
    try:
        shutil.copytree(scratch / "mutants", copy, dirs_exist_ok=True)
        shutil.rmtree(copy / "tests")
        shutil.copytree(REPO / "tests", copy / "tests", ignore=shutil.ignore_patterns("__pycache__"))
        if target in IN_PROCESS and not fresh:
            _judge_in_process(copy, target, names, selection, children, deadline, record)
        else:
            _judge_one_process_each(copy, target, names, selection, children, record)
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    _write_back(scratch, unwritten)
    return results


def _judge_one_process_each(copy: Path, target: str, names: list[str], selection: list[str], children: int, record):
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *selection]

    def verdict(name: str, limit: float | None = None) -> str:
        environment = {**os.environ, "MUTANT_UNDER_TEST": name, "PYTHONDONTWRITEBYTECODE": "1"}
        try:
            done = subprocess.run(command, cwd=copy, env=environment, capture_output=True, timeout=limit)
        except subprocess.TimeoutExpired:
            return "timeout"
        if done.returncode in (_SURVIVED, _KILLED):
            return "survived" if done.returncode == _SURVIVED else "killed"
        last = done.stdout.decode(errors="replace").strip().splitlines()[-3:]
        return f"error (pytest exited {done.returncode}: {' / '.join(last)})"

    started = time.monotonic()
    baseline = verdict("")  # no mutant: every function runs its original
    if baseline != "survived":
        raise SystemExit(
            f"reapply {target}: the unmutated code does not pass {' '.join(selection)} ({baseline}); "
            "a run of older code cannot judge tests of newer code: run the target again"
        )
    limit = max(60.0, 10 * (time.monotonic() - started))
    with ThreadPoolExecutor(max_workers=children) as pool:
        for name, result in zip(names, pool.map(lambda name: verdict(name, limit), names), strict=True):
            record(name, result)


def _first_match(name: str, patterns: tuple[str, ...] | list[str]) -> int | None:
    """The index of the first pattern ``name`` matches (None: none)."""
    return next((i for i, pattern in enumerate(patterns) if fnmatch.fnmatchcase(name, pattern)), None)


def _matches(name: str, patterns: tuple[str, ...] | list[str]) -> bool:
    return _first_match(name, patterns) is not None


def _write_back(scratch: Path, results: list[tuple[str, str]]) -> None:
    codes = {"killed": _KILLED, "survived": _SURVIVED, "timeout": _TIMEOUT, "no tests": _NO_TESTS}
    written = {name: codes[result] for name, result in results if result in codes}
    if written:
        subprocess.run([sys.executable, "-c", _WRITE_BACK, json.dumps(written)], cwd=scratch, check=True)


# Mutant generation alone, in the scratch copy (what `mutmut run` does before it tests anything).
_GENERATE = """
import os, sys
from mutmut.__main__ import copy_also_copy_files, copy_src_dir, create_mutants, setup_source_paths
from mutmut.mutation.trampoline import set_mutant_under_test

set_mutant_under_test("mutant_generation")
os.makedirs("mutants", exist_ok=True)
copy_src_dir()
copy_also_copy_files()
setup_source_paths()
print(create_mutants(int(sys.argv[1])))
"""


def _generate(scratch: Path, children: int) -> None:
    with (scratch / "mutmut.log").open("a") as log:
        subprocess.run(
            [sys.executable, "-c", _GENERATE, str(children)], cwd=scratch, stdout=log, stderr=log, check=True
        )


def _pytest_code_verdict(code: int) -> str:
    return {_SURVIVED: "survived", _KILLED: "killed", 3: "killed"}.get(code, f"error (pytest exited {code})")


def _function_of(mutant: str) -> str:
    """The mutated function's name as the baseline records it: the mutant's name less ``__mutmut_<n>``."""
    return mutant.rsplit("__mutmut_", 1)[0]


def _tests_by_function(baseline: dict) -> dict[str, list[str]]:
    """For each mutated function a test of the baseline reached: the tests of the selection a mutant of it needs, in
    the selection's order. A test that called it, and every test using a fixture whose setup called it. Calls
    outside any test (``*``: importing the code, collecting the tests) happen before a mutant is active, so they
    count for nothing: a function only they reach is "no tests" in-process (in a process a test starts, its
    import-time code runs with the mutant active, and that test is listed)."""
    order = {node_id: index for index, node_id in enumerate(baseline["order"])}
    tests: dict[str, list[str]] = {}
    for function, keys in baseline["reached"].items():
        node_ids: set[str] = set()
        for key in keys:
            fixture = key.removeprefix("fixture:")
            node_ids.update(baseline["fixtures"].get(fixture, ()) if fixture != key else (key,))
        if chosen := sorted(node_ids & order.keys(), key=order.__getitem__):
            tests[function] = chosen
    return tests


#: The in-process judge's live workers. They run in sessions of their own (a mutant's signal must not reach this
#: process), so Ctrl-C or SIGTERM reaches only this one: ``_stop_on_signal`` stops them and what they started.
_WORKERS: set[subprocess.Popen] = set()
_STOPPING = threading.Event()


def _stop_on_signal(signum: int, _frame: object) -> None:
    _STOPPING.set()  # no lane starts another worker
    for process in list(_WORKERS):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        mutate_worker.stop_processes(mutate_worker.owned_processes(str(process.pid)))
    raise SystemExit(128 + signum)


def _judge_in_process(
    copy: Path,
    target: str,
    names: list[str],
    selection: list[str],
    children: int,
    deadline: float,
    record,
    limit: float | None = None,
) -> None:
    """Judge ``names`` in warm worker processes (tools/mutate_worker.py), ``children`` at a time; ``record(name,
    verdict)`` gets each verdict as it comes. Mutants of functions the unmutated selection never calls are "no
    tests". A mutant that runs past the limit is a timeout: its worker is killed and a new one goes on. No
    mutant starts after ``deadline`` (time.monotonic()); those left are not judged. ``limit``: seconds a mutant
    may take (default: five times the profiled baseline, at least two minutes)."""
    worker = [sys.executable, str(Path(__file__).with_name("mutate_worker.py"))]
    # pytest's unraisable-exception plugin runs gc.collect() five times at the end of every session: a fifth of
    # a golden pass in a worker whose heap holds the jsii objects of every pass before.
    options = ["-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-p", "no:unraisableexception"]
    pytest_args = [*options, *selection]
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    reached_file = copy / "reached.json"
    started = time.monotonic()
    subprocess.run(
        [*worker, "baseline", str(reached_file), "--", *pytest_args],
        cwd=copy,
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    baseline = json.loads(reached_file.read_text())
    if baseline["exit_code"] != 0:
        log = (copy / "mutate_worker.log").read_text(errors="replace").splitlines()
        raise SystemExit(
            f"in-process judge: the unmutated code does not pass {' '.join(selection)} "
            f"(pytest exited {baseline['exit_code']}); the end of its log:\n" + "\n".join(log[-40:])
        )
    if limit is None:  # the baseline ran under a profiler: slower than a mutant
        limit = max(120.0, 5 * (time.monotonic() - started))
    tests = _tests_by_function(baseline)
    todo = []
    for name in names:
        if _function_of(name) in tests:
            todo.append(name)
        else:
            record(name, "no tests")

    def judge_batch(batch: list[str], number: str) -> list[str]:
        """Judge ``batch`` in one worker; return the mutants it did not get to."""
        if _STOPPING.is_set():
            return batch
        names_file = copy / f"names-{number}.json"
        # Only with the target's own selection: tests named with --tests may not hold the warm-up's.
        warm_up = [*options, *WARM_UP[target]] if target in WARM_UP and selection == TARGETS[target][2] else []
        chosen = {name: tests[_function_of(name)] for name in batch}
        names_file.write_text(json.dumps({"names": batch, "warm_up": warm_up, "tests": chosen}))
        process = subprocess.Popen(
            [*worker, "judge", str(names_file), "--", *pytest_args],
            cwd=copy,
            env=environment,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        _WORKERS.add(process)
        lines: queue.Queue = queue.Queue()

        def read() -> None:
            for line in process.stdout:
                lines.put(line.rstrip("\n"))
            lines.put(None)

        threading.Thread(target=read, daemon=True).start()
        judged: set[str] = set()
        ready, current, since = False, None, time.monotonic()
        while True:
            # Before READY the worker imports and runs the warm-up once, unmutated (jsii's kernel starts).
            wait = limit if ready else 3 * limit
            try:
                line = lines.get(timeout=max(0.1, since + wait - time.monotonic()))
            except queue.Empty:
                line = "TIMEOUT"
            if line is None:
                break
            late = ready and current is None and time.monotonic() > deadline  # no new mutant after the deadline
            if line == "TIMEOUT" or late:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                if line == "TIMEOUT" and current is not None:
                    record(current, "timeout")
                    judged.add(current)
                break
            kind, _, rest = line.partition(" ")
            if kind == "READY":
                ready, since = True, time.monotonic()
            elif kind == "START":
                current, since = rest, time.monotonic()
            elif kind == "DONE":
                code, _, name = rest.partition(" ")
                record(name, _pytest_code_verdict(int(code)))
                judged.add(name)
                current, since = None, time.monotonic()
        process.wait()
        mutate_worker.stop_processes(mutate_worker.owned_processes(str(process.pid)))  # what a killed one left
        _WORKERS.discard(process)
        if _STOPPING.is_set():  # stopped by a signal: the mutant under way gets no verdict
            return [name for name in batch if name not in judged]
        if not ready:  # not a mutant's doing: retrying would fail the same way
            log = (copy / "mutate_worker.log").read_text(errors="replace").splitlines()
            raise SystemExit("in-process judge: a worker did not start; the end of its log:\n" + "\n".join(log[-40:]))
        if current is not None and current not in judged:  # the worker died inside this mutant
            record(current, f"error (worker exited {process.returncode})")
            judged.add(current)
        return [name for name in batch if name not in judged]

    def lane(index: int) -> None:
        pending = todo[index::children]
        round_ = 0
        while pending and time.monotonic() < deadline and not _STOPPING.is_set():
            batch, rest = pending[:WORKER_BATCH], pending[WORKER_BATCH:]
            pending = judge_batch(batch, f"{index}-{round_}") + rest
            round_ += 1

    lanes = [threading.Thread(target=lane, args=(i,)) for i in range(children)]
    for thread in lanes:
        thread.start()
    for thread in lanes:
        thread.join()


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGINT, _stop_on_signal)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    # "rules" is a subset of "validation" (a quicker check of rules.py and naming.py), "modules" of "constructs"
    # (three files through mutmut's own runner): neither runs by default.
    parser.add_argument(
        "targets",
        nargs="*",
        default=["lambda_code", "validation", "cache", "constructs", "workflow", "cli", "local", "speed"],
        choices=[*TARGETS, []],
    )
    parser.add_argument(
        "--minutes", type=float, help="time box per target (default 10; with --reapply: none, for in-process targets)"
    )
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
    parser.add_argument(
        "--reapply",
        action="append",
        default=[],
        metavar="GLOB",
        help="instead of running mutmut: run the target's mutants matching GLOB (repeatable) that are not known "
        "killed, one pytest process each, against this checkout's tests; the verdicts update the run's records",
    )
    parser.add_argument(
        "--tests",
        action="append",
        default=[],
        metavar="ARG",
        help="with --reapply: pytest arguments replacing the selection",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="with --reapply: one pytest process per mutant also for the in-process targets (for mutants of code "
        "that runs at import time, such as option decorators)",
    )
    parser.add_argument(
        "--generate",
        action="store_true",
        help="only make a fresh scratch copy and its mutants, judging none (then --reapply GLOB --tests=... judges "
        "chosen mutants against chosen tests)",
    )
    parser.add_argument(
        "--show",
        action="append",
        default=[],
        metavar="GLOB",
        help="print the diffs of the target's surviving mutants matching GLOB",
    )
    args = parser.parse_args()
    if "speed" in args.targets and not args.show:
        # The speed target's mutants run in these processes and rewrite jsii package caches: never the machine's own
        # (generator/jsii_cache.py's GENERATOR_JSII_CACHE; the other targets of this run share this one too).
        os.environ.setdefault("GENERATOR_JSII_CACHE", str((args.work / "speed-jsii-cache").resolve()))
    if args.show:
        for target in args.targets:
            _, diffs = _verdicts_and_survivor_diffs(args.work / target)
            for name, diff in sorted(diffs.items()):
                if _matches(name, args.show):
                    print(f"--- {name}\n{diff}")
        return 0
    if args.generate:
        for target in args.targets:
            print(f"{target}: {generate(target, args.work, args.children)} mutants, none judged", flush=True)
        return 0
    if args.reapply:
        for target in args.targets:
            deadline = time.monotonic() + args.minutes * 60 if args.minutes else float("inf")
            results = reapply(
                target, args.work, tuple(args.reapply), args.children, tuple(args.tests), deadline, args.fresh
            )
            tally = {result: sum(1 for _, r in results if r == result) for result in {r for _, r in results}}
            print(f"{target}: reapplied {len(results)}: {tally}", flush=True)
        return 0
    mutmut = shutil.which("mutmut") or str(Path(sys.executable).parent / "mutmut")
    for target in args.targets:
        report = run(target, args.work, args.minutes or 10.0, mutmut, args.children, args.resume, tuple(args.only))
        print(report.splitlines()[0], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
