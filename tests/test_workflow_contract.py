"""What the GitHub Actions workflow does, beyond its shape (tests/test_workflow_github.py checks the shape and that
each ``python main.py`` line parses):

- its ``run:`` steps run in bash, as GitHub runs them, against a stand-in ``python`` that records its arguments,
  and write the step outputs, env and summary files the next jobs read;
- the plan comment's ``actions/github-script`` body runs in node against stand-ins of the globals it is given;
- every cross-reference resolves: ``needs.<job>.outputs``, ``steps.<id>.outputs``, the variables a shell line
  reads, the artifacts the summary jobs download, the ``env.INDEX`` an artifact is named by;
- the settings that change what GitHub does (triggers, concurrency, permissions, env, step conditions, the
  actions' inputs) are pinned literally, each with the reason it matters.

Step names are prose and not pinned; steps are found by what they use or run.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import skip_or_fail
from workflow_helpers import load_workflow

PR_JOBS = ("prepare", "plan-shard", "plan-summary")
PUSH_JOBS = ("apply-platform", "apply-shard", "apply-summary")
#: Files GitHub provides to every step (https://docs.github.com/actions/reference/workflow-commands-for-github-actions).
GITHUB_FILES = {"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY"}
#: `changed --json` shaped as main.py prints it (docs/workflow.md, "Many workspaces"; some keys left out), for a
#: change of the platform that needs two shards and removed one instance.
CHANGED = {
    "base": "origin/main",
    "platform": True,
    "instances": ["kim-inventory-dev", "john-inventory-dev"],
    "added": [],
    "removed": ["old-app-dev"],
    "stacks": ["platform", "kim-inventory-dev", "john-inventory-dev"],
    "shards": 2,
    "matrix": ["1/2", "2/2"],
}
#: The same for a change that affects no workspace.
CHANGED_NOTHING = {
    **CHANGED,
    "platform": False,
    "instances": [],
    "removed": [],
    "stacks": [],
    "shards": 0,
    "matrix": [],
}
#: The commit before a push (`github.event.before`), as apply jobs get it in BASE.
BEFORE = "3f2c1e9a0b7d5c4e8f6a1b2c3d4e5f6a7b8c9d0e"
#: Each job's env as GitHub evaluates it for a pull request labelled `allow-replace` (or the push of its merge),
#: the second of two shards; test_env_of_each_job pins the expressions these stand for.
JOB_ENV = {
    "prepare": {"BASE": "origin/main", "ALLOW_REPLACE": "--allow-replace"},
    "plan-shard": {"BASE": "origin/main", "SHARD": "2/2", "ALLOW_REPLACE": "--allow-replace"},
    "plan-summary": {"SHARDS": "2", "PLATFORM": "--platform", "ALLOW_REPLACE": "--allow-replace"},
    "apply-platform": {"BASE": BEFORE},
    "apply-shard": {"BASE": BEFORE, "SHARD": "2/2"},
    "apply-summary": {"SHARDS": "2", "PLATFORM": "--platform"},
}
#: What the stand-in `merge --markdown FILE` writes into FILE.
MARKDOWN = "| workspace | plan |\n| --- | --- |\n| platform | 0 to add, 1 to change, 0 to destroy |\n"

#: A stand-in for `python`: appends its arguments to $STUB_LOG (one JSON list a line); `changed ... --json` prints
#: $STUB_CHANGED, any other `--json` command prints {"ran": its arguments}; `--markdown FILE` writes FILE. (-S: it
#: needs no site packages, and starts faster.)
STUB = """#!{python} -S
import json, os, sys

argv = sys.argv[1:]
with open(os.environ["STUB_LOG"], "a") as log:
    log.write(json.dumps(argv) + "\\n")
if "--markdown" in argv:
    with open(argv[argv.index("--markdown") + 1], "w") as markdown:
        markdown.write(os.environ["STUB_MARKDOWN"])
if "--json" in argv:
    print(os.environ["STUB_CHANGED"] if argv[1:2] == ["changed"] else json.dumps({{"ran": argv}}))
"""

#: github-script's wrapper: the script is the body of an async function of (require, core, github, context)
#: (actions/github-script src/async-function.ts); here each stand-in records its call.
GITHUB_SCRIPT = """
const fs = require('fs');
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const calls = [];
const core = {summary: {addRaw(text) {
  calls.push(['core.summary.addRaw', text]);
  return {write: async () => { calls.push(['core.summary.write']); }};
}}};
const github = {rest: {issues: {createComment: async (args) => { calls.push(['github.rest.issues.createComment', args]); }}}};
const context = {repo: {owner: 'acme', repo: 'platform'}, issue: {number: 42}};
const script = fs.readFileSync(process.argv[2], 'utf8');
new AsyncFunction('require', 'core', 'github', 'context', script)(require, core, github, context)
  .then(() => process.stdout.write(JSON.stringify(calls)))
  .catch((err) => { console.error(err); process.exit(1); });
"""


@pytest.fixture(scope="module")
def workflow() -> dict:
    return load_workflow()


def key(step: dict) -> str:
    """What a step is, without its prose name: the action it uses, else the first line of its shell."""
    if "uses" in step:
        return step["uses"]
    lines = step.get("run", "").splitlines()
    return lines[0] if lines else ""


def the_step(workflow: dict, job: str, uses: str) -> dict:
    """The one step of `job` that uses the action `uses` (any version)."""
    found = [step for step in workflow["jobs"][job]["steps"] if step.get("uses", "").split("@")[0] == uses]
    assert len(found) == 1, (job, uses, found)
    return found[0]


# --- the shell steps, run ------------------------------------------------------------------------------------------


class Runner:
    """A job's `run:` steps, in order, in bash as GitHub runs them, in one working folder: with no `shell:` GitHub
    runs `bash -e {0}` on the script written to a file; ours adds pipefail and skips profiles (no pipes here, so
    nothing the workflow does depends on the difference). `python` is the stand-in STUB."""

    def __init__(self, tmp_path: Path, changed: dict):
        if not shutil.which("jq"):
            skip_or_fail("jq is not installed (GitHub's ubuntu runners have it)")
        self.root = tmp_path
        self.work = tmp_path / "work"
        self.work.mkdir()
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        stub = bin_dir / "python"
        stub.write_text(STUB.format(python=sys.executable))
        stub.chmod(0o755)
        self.files = {name: tmp_path / name.lower() for name in GITHUB_FILES}
        for path in self.files.values():
            path.write_text("")
        self.log = tmp_path / "argv.jsonl"
        self.base_env = {
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(tmp_path),
            "STUB_LOG": str(self.log),
            "STUB_CHANGED": json.dumps(changed),
            "STUB_MARKDOWN": MARKDOWN,
            **{name: str(path) for name, path in self.files.items()},
        }

    def run(self, script: str, env: dict[str, str]) -> None:
        path = self.root / "step.sh"
        path.write_text(script)
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)],
            cwd=self.work,
            env={**self.base_env, **env},
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, (script, done.stdout, done.stderr)

    def run_job(self, workflow: dict, job: str, env: dict[str, str]) -> None:
        for step in workflow["jobs"][job]["steps"]:
            if "run" in step:
                self.run(step["run"], env)

    def argv(self) -> list[list[str]]:
        return [json.loads(line) for line in self.log.read_text().splitlines()] if self.log.exists() else []

    def text(self, name: str) -> str:
        return self.files[name].read_text()

    def summaries(self) -> dict[str, object]:
        folder = self.work / "summaries"
        return {p.name: json.loads(p.read_text()) for p in sorted(folder.iterdir())} if folder.exists() else {}


INSTALL = ["-m", "pip", "install", "-r", "requirements.txt"]
PLAN_PLATFORM = ["main.py", "plan", "platform", "--allow-replace", "--json"]
PLAN_SHARD = ["main.py", "plan", "--changed", "--base", "origin/main", "--shard", "2/2", "--allow-replace", "--json"]
APPLY_PLATFORM = ["main.py", "apply", "platform", "--allow-replace", "--auto-approve", "--json"]
APPLY_SHARD = [
    *["main.py", "apply", "--changed", "--base", BEFORE, "--shard", "2/2"],
    *["--allow-replace", "--auto-approve", "--json"],
]
#: Per job: the python commands its steps run, in order (every step, whatever its `if`: test_step_conditions pins
#: those), the files left in summaries/ (what the job uploads), its step outputs and what it adds to the env.
RUNS = {
    "prepare": (
        [
            INSTALL,
            ["main.py", "validate"],
            ["main.py", "changed", "--base", "origin/main"],
            ["main.py", "changed", "--base", "origin/main", "--json"],
            ["main.py", "diff", "--base", "origin/main", "--allow-replace"],
            ["main.py", "preflight"],
            ["main.py", "synth", "--platform", "--no-instances"],
            PLAN_PLATFORM,
        ],
        {"changed.json": CHANGED, "platform.json": {"ran": PLAN_PLATFORM}},
        'platform=true\nshards=2\nmatrix=["1/2","2/2"]\n',
        "",
    ),
    "plan-shard": (
        [
            INSTALL,
            ["main.py", "synth", "--changed", "--base", "origin/main", "--shard", "2/2", "--allow-replace"],
            PLAN_SHARD,
        ],
        {"shard-2.json": {"ran": PLAN_SHARD}},  # the name `summary merge --shards 2` reads for shard 2
        "",
        "INDEX=2\n",
    ),
    "plan-summary": (
        [
            INSTALL,
            [
                *["main.py", "summary", "merge", "summaries", "--shards", "2", "--platform", "--allow-replace"],
                *["--markdown", "plan.md"],
            ],
        ],
        {},
        "",
        "",
    ),
    "apply-platform": (
        [
            INSTALL,
            ["main.py", "validate"],
            ["main.py", "changed", "--base", BEFORE],
            ["main.py", "changed", "--base", BEFORE, "--json"],
            ["main.py", "synth", "--platform", "--no-instances"],
            APPLY_PLATFORM,
        ],
        {"changed.json": CHANGED, "platform.json": {"ran": APPLY_PLATFORM}},
        'platform=true\nshards=2\nmatrix=["1/2","2/2"]\n',
        "",
    ),
    "apply-shard": (
        [
            INSTALL,
            ["main.py", "synth", "--changed", "--base", BEFORE, "--shard", "2/2", "--allow-replace"],
            APPLY_SHARD,
        ],
        {"shard-2.json": {"ran": APPLY_SHARD}},
        "",
        "INDEX=2\n",
    ),
    "apply-summary": (
        [
            INSTALL,
            [
                *["main.py", "summary", "merge", "summaries", "--shards", "2", "--platform", "--allow-replace"],
                *["--title", "terraform apply", "--markdown", "apply.md"],
            ],
        ],
        {},
        "",
        "",
    ),
}


@pytest.mark.parametrize("job", [*PR_JOBS, *PUSH_JOBS])
def test_each_job_runs_its_shell_steps(workflow, tmp_path, job):
    """Every `run:` step of the job, in bash, in order: the commands, the summaries left to upload, the outputs
    (`platform`, `shards`, `matrix`: what the shard jobs' matrix and the summary's flags come from) and INDEX."""
    argv, summaries, outputs, env = RUNS[job]
    runner = Runner(tmp_path, CHANGED)
    runner.run_job(workflow, job, JOB_ENV[job])
    assert runner.argv() == argv
    assert runner.summaries() == summaries
    assert runner.text("GITHUB_OUTPUT") == outputs
    assert runner.text("GITHUB_ENV") == env
    # apply.md, which the merge wrote, is the job summary of a push; a pull request's goes through github-script
    assert runner.text("GITHUB_STEP_SUMMARY") == (MARKDOWN if job == "apply-summary" else "")


@pytest.mark.parametrize("job", ["prepare", "apply-platform"])
def test_nothing_affected_gives_zero_shards_and_an_empty_matrix(workflow, tmp_path, job):
    """`shards=0` is what skips the shard jobs (`needs.<job>.outputs.shards != '0'`); `matrix=[]` is valid JSON."""
    runner = Runner(tmp_path, CHANGED_NOTHING)
    step = next(s for s in workflow["jobs"][job]["steps"] if s.get("id") == "affected")
    runner.run(step["run"], JOB_ENV[job])
    assert runner.text("GITHUB_OUTPUT") == "platform=false\nshards=0\nmatrix=[]\n"
    assert runner.summaries() == {"changed.json": CHANGED_NOTHING}


@pytest.mark.parametrize("job", PR_JOBS)
def test_without_the_label_no_allow_replace_and_no_empty_argument(workflow, tmp_path, job):
    """ALLOW_REPLACE is '' without the `allow-replace` label; unquoted, it adds no argument (quoted, it would add
    an empty one, which the CLI rejects: `Got unexpected extra argument ()`)."""
    runner = Runner(tmp_path, CHANGED)
    runner.run_job(workflow, job, {**JOB_ENV[job], "ALLOW_REPLACE": ""})
    expected = [[arg for arg in args if arg != "--allow-replace"] for args in RUNS[job][0]]
    assert runner.argv() == expected


@pytest.mark.parametrize("job", ["plan-shard", "apply-shard"])
@pytest.mark.parametrize(("shard", "index"), [("1/2", "1"), ("12/20", "12")])
def test_a_shard_names_its_summary_by_its_index(workflow, tmp_path, job, shard, index):
    """`summary merge --shards N` reads shard-1.json .. shard-N.json (generator/workflow/summary.py); the artifact
    is `summary-shard-<INDEX>`."""
    from generator.workflow.summary import shard_file

    runner = Runner(tmp_path, CHANGED)
    runner.run_job(workflow, job, {**JOB_ENV[job], "SHARD": shard})
    assert list(runner.summaries()) == [f"shard-{index}.json"] == [shard_file(int(index))]
    assert runner.text("GITHUB_ENV") == f"INDEX={index}\n"


# --- the plan comment, run ---------------------------------------------------------------------------------------

REMOVED = (
    "\nRemoved instances (their workspaces keep their resources until destroyed; see `python main.py orphans`): "
    "old-app-dev, old-app-test\n"
)


@pytest.mark.parametrize(
    ("changed", "suffix"),
    [
        (None, ""),  # prepare failed before `changed`: the comment is the merge's alone
        ({**CHANGED, "removed": []}, ""),
        ({**CHANGED, "removed": ["old-app-dev", "old-app-test"]}, REMOVED),
    ],
    ids=["no-changed-json", "nothing-removed", "removed"],
)
def test_the_plan_comment_is_plan_md_and_the_removed_instances(workflow, tmp_path, changed, suffix):
    """The github-script body of the plan-summary job in node: one job summary and one PR comment on this pull
    request, both plan.md's text, followed by the removed instances exactly when `changed --json` lists some."""
    node = shutil.which("node")
    if not node:
        skip_or_fail("node is not installed (actions/github-script runs the script in node)")
    step = the_step(workflow, "plan-summary", "actions/github-script")
    plan = "## terraform plan\n\n" + MARKDOWN
    (tmp_path / "plan.md").write_text(plan)
    if changed is not None:
        (tmp_path / "summaries").mkdir()
        (tmp_path / "summaries" / "changed.json").write_text(json.dumps(changed))
    (tmp_path / "script.js").write_text(step["with"]["script"])
    (tmp_path / "wrapper.js").write_text(GITHUB_SCRIPT)
    done = subprocess.run([node, "wrapper.js", "script.js"], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    body = plan + suffix
    assert json.loads(done.stdout) == [
        ["core.summary.addRaw", body],
        ["core.summary.write"],
        ["github.rest.issues.createComment", {"owner": "acme", "repo": "platform", "issue_number": 42, "body": body}],
    ]


# --- cross-references --------------------------------------------------------------------------------------------


def needed(job: dict) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else needs


def test_needs_references_are_declared_and_needed(workflow):
    """`needs.<job>.outputs.<name>` and `needs.<job>.result` name a job this one needs, and an output it declares:
    an undeclared output or a job not in `needs` evaluates to '' on GitHub, silently."""
    jobs = workflow["jobs"]
    users = set()
    for name, job in jobs.items():
        for ref, output in re.findall(r"needs\.([\w-]+)\.(?:outputs\.([\w-]+)|result)", json.dumps(job)):
            users.add(name)
            assert ref in needed(job), (name, ref)
            if output:
                assert output in jobs[ref]["outputs"], (name, ref, output)
    assert users == {"plan-shard", "plan-summary", "apply-shard", "apply-summary"}


def test_job_outputs_come_from_steps_that_write_them(workflow):
    """Each job output is `${{ steps.<id>.outputs.<k> }}` of a step of that job whose shell writes `<k>=` to
    $GITHUB_OUTPUT (test_each_job_runs_its_shell_steps checks what it writes)."""
    checked = 0
    for name, job in workflow["jobs"].items():
        ids = {step["id"]: step for step in job["steps"] if "id" in step}
        for output, value in job.get("outputs", {}).items():
            match = re.fullmatch(r"\$\{\{ steps\.([\w-]+)\.outputs\.([\w-]+) \}\}", value)
            assert match, (name, output, value)
            step_id, written = match.groups()
            assert step_id in ids, (name, output)
            assert re.search(rf'^echo "{written}=.*" >> "\$GITHUB_OUTPUT"$', ids[step_id]["run"], re.M), (name, output)
            checked += 1
    assert checked == 6  # platform, shards, matrix of prepare and apply-platform


def test_step_references_name_earlier_steps_of_the_job(workflow):
    """`steps.<id>` in a step's `if` names a step before it in the same job (else it is '' and the step never
    runs); in a job output, a step of the job."""
    for name, job in workflow["jobs"].items():
        seen = []
        for step in job["steps"]:
            for ref in re.findall(r"steps\.([\w-]+)\.", step.get("if", "")):
                assert ref in seen, (name, key(step), ref)
            seen.append(step.get("id"))
        for ref in re.findall(r"steps\.([\w-]+)\.", json.dumps(job.get("outputs", {}))):
            assert ref in seen, (name, ref)


def test_every_variable_a_shell_step_reads_is_set(workflow):
    """A `$VAR` missing from the env is '' in bash: `--base ""` or `--shards ""` would fail only at run time, and a
    missing `$ALLOW_REPLACE` would silently refuse a labelled pull request."""
    top = set(workflow["env"])
    read = set()
    for name, job in workflow["jobs"].items():
        env = top | set(job.get("env", {})) | GITHUB_FILES
        for step in job["steps"]:
            for var in re.findall(r"\$\{?([A-Za-z_]\w*)", step.get("run", "")):
                assert var in env, (name, key(step), var)
                read.add(var)
    assert read == {"BASE", "ALLOW_REPLACE", "SHARD", "SHARDS", "PLATFORM", *GITHUB_FILES}


@pytest.mark.parametrize(("summary", "producers"), [("plan-summary", PR_JOBS[:2]), ("apply-summary", PUSH_JOBS[:2])])
def test_the_summary_downloads_what_the_jobs_before_it_upload(workflow, summary, producers):
    """Each job of the run uploads the folder its shell writes summaries into, under a name the summary job's
    pattern matches, and unique (two shards under one name would overwrite); the summary job merges the folder
    it downloads into. An artifact named by `env.X` needs X written to $GITHUB_ENV by a step before it that runs
    whenever the upload does (a failed plan still uploads)."""
    download = the_step(workflow, summary, "actions/download-artifact")
    merge = next(s["run"] for s in workflow["jobs"][summary]["steps"] if "summary merge" in s.get("run", ""))
    assert re.search(r"python main\.py summary merge (\S+) ", merge)[1] == download["with"]["path"].rstrip("/")
    names = []
    for job in producers:
        steps = workflow["jobs"][job]["steps"]
        upload = the_step(workflow, job, "actions/upload-artifact")
        written = re.findall(r'(?<![>&])> "?([^"\s$][^"\s]*)', "\n".join(s.get("run", "") for s in steps))
        assert written and all(t.split("/")[0] + "/" == upload["with"]["path"] for t in written), (job, written)
        name = upload["with"]["name"]
        for var in re.findall(r"\$\{\{ env\.(\w+) \}\}", name):
            setters = [
                s
                for s in steps[: steps.index(upload)]
                if re.search(rf'echo "{var}=.*" >> "\$GITHUB_ENV"', s.get("run", ""))
            ]
            assert [s.get("if") for s in setters] == [upload.get("if")], (job, var)
            name = name.replace(f"${{{{ env.{var} }}}}", "1")
        assert fnmatch.fnmatchcase(name, download["with"]["pattern"]), (job, name)
        names.append(name)
    assert len(set(names)) == len(names), names


def test_the_jsii_cache_is_the_folder_the_generator_uses(workflow, monkeypatch):
    """actions/cache saves the folder generator/jsii_cache.py extracts the providers into, on a runner (HOME set,
    no XDG_CACHE_HOME): another folder would cache nothing and every job would extract the providers again."""
    from generator import jsii_cache

    home = "/home/runner"
    monkeypatch.setenv("HOME", home)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv(jsii_cache.ROOT_ENV, raising=False)
    for job in workflow["jobs"]:
        if job.endswith("summary"):
            continue
        path = the_step(workflow, job, "actions/cache")["with"]["path"]
        assert Path(path.replace("~", home, 1)) == jsii_cache.cache_root(), job


# --- literal settings --------------------------------------------------------------------------------------------


def test_pull_request_types(workflow):
    # opened and reopened plan a new PR; synchronize re-plans each push to it; labeled re-runs the gate when
    # `allow-replace` is added, unlabeled when it is removed (else the earlier green check would stand)
    assert workflow["on"]["pull_request"]["types"] == ["opened", "synchronize", "reopened", "labeled", "unlabeled"]


def test_concurrency(workflow):
    # one run per branch (a new push supersedes the PR's plan); an apply on main is never cancelled half-way,
    # which would leave a workspace's state locked or partly applied
    assert workflow["concurrency"] == {
        "group": "instances-${{ github.ref }}",
        "cancel-in-progress": "${{ github.event_name == 'pull_request' }}",
    }


def test_top_level_env(workflow):
    # TF_IN_AUTOMATION trims terraform's advice to type commands; TF_INPUT=0 makes terraform fail instead of
    # waiting for input forever; HCP Terraform's token for the cloud backend comes from the secret, never the repo
    assert workflow["env"] == {
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "TF_TOKEN_app_terraform_io": "${{ secrets.TF_API_TOKEN }}",
    }


def test_permissions_of_each_job(workflow):
    # a job's permissions replace the workflow's: `contents: read` is what lets the checkout read a private repo,
    # and no job may write to it; `id-token: write` is the OIDC token the AWS roles are assumed with (only the
    # jobs with credentials); `pull-requests: write` only for the job that comments
    plan = {"contents": "read", "id-token": "write"}
    assert {name: job["permissions"] for name, job in workflow["jobs"].items()} == {
        "prepare": plan,
        "plan-shard": plan,
        "plan-summary": {"contents": "read", "pull-requests": "write"},
        "apply-platform": plan,
        "apply-shard": plan,
        "apply-summary": {"contents": "read"},
    }


LABEL = "${{ contains(github.event.pull_request.labels.*.name, 'allow-replace') && '--allow-replace' || '' }}"


def test_env_of_each_job(workflow):
    # a pull request compares with its base branch, a push with the commit before it (what was applied last);
    # ALLOW_REPLACE follows the label; SHARDS falls back to 0 when the first job wrote no output (click rejects
    # `--shards ''`), so the merge still runs; PLATFORM says whether platform.json is expected (missing, it counts
    # as a failed job)
    assert {name: job.get("env") for name, job in workflow["jobs"].items()} == {
        "prepare": {"BASE": "origin/${{ github.base_ref }}", "ALLOW_REPLACE": LABEL},
        "plan-shard": {"BASE": "origin/${{ github.base_ref }}", "SHARD": "${{ matrix.shard }}", "ALLOW_REPLACE": LABEL},
        "plan-summary": {
            "SHARDS": "${{ needs.prepare.outputs.shards || '0' }}",
            "PLATFORM": "${{ needs.prepare.outputs.platform == 'true' && '--platform' || '--no-platform' }}",
            "ALLOW_REPLACE": LABEL,
        },
        "apply-platform": {"BASE": "${{ github.event.before }}"},
        "apply-shard": {"BASE": "${{ github.event.before }}", "SHARD": "${{ matrix.shard }}"},
        "apply-summary": {
            "SHARDS": "${{ needs.apply-platform.outputs.shards || '0' }}",
            "PLATFORM": "${{ needs.apply-platform.outputs.platform == 'true' && '--platform' || '--no-platform' }}",
        },
    }


PLAN_ROLE = "vars.AWS_PLAN_ROLE_ARN != '' && github.event.pull_request.head.repo.full_name == github.repository"
APPLY_ROLE = "vars.AWS_APPLY_ROLE_ARN != ''"
PLATFORM_AFFECTED = "steps.affected.outputs.platform == 'true'"
CHECKOUT, PYTHON, TERRAFORM, CACHE = (
    "actions/checkout@v4",
    "actions/setup-python@v5",
    "hashicorp/setup-terraform@v3",
    "actions/cache@v4",
)
INSTALL_STEP = "python -m pip install -r requirements.txt"
UPLOAD, DOWNLOAD = "actions/upload-artifact@v4", "actions/download-artifact@v4"
#: Per job, its steps in order (by what they use or the first line they run) and each step's `if`.
STEP_CONDITIONS = {
    "prepare": [
        (CHECKOUT, None),
        (PYTHON, None),
        (TERRAFORM, None),
        (INSTALL_STEP, None),
        (CACHE, None),
        ("python main.py validate", None),
        ("mkdir -p summaries", None),
        ('python main.py diff --base "$BASE" $ALLOW_REPLACE', None),
        # credentials only when the role is configured and the PR is not from a fork (whose code must not get them)
        ("aws-actions/configure-aws-credentials@v4", PLAN_ROLE),
        ("python main.py preflight", PLAN_ROLE),  # it reads AWS: only with the credentials
        # the platform is synthesized and planned only when the change affects it
        ("python main.py synth --platform --no-instances", PLATFORM_AFFECTED),
        ("python main.py plan platform $ALLOW_REPLACE --json > summaries/platform.json", PLATFORM_AFFECTED),
        (UPLOAD, "always()"),  # a failed plan still uploads what it wrote, so the summary reports it
    ],
    "plan-shard": [
        (CHECKOUT, None),
        (PYTHON, None),
        (TERRAFORM, None),
        (INSTALL_STEP, None),
        (CACHE, None),
        ('python main.py synth --changed --base "$BASE" --shard "$SHARD" $ALLOW_REPLACE', None),
        ("aws-actions/configure-aws-credentials@v4", PLAN_ROLE),
        ("mkdir -p summaries", None),
        ('echo "INDEX=${SHARD%/*}" >> "$GITHUB_ENV"', "always()"),  # the upload's name, also after a failure
        (UPLOAD, "always()"),
    ],
    "plan-summary": [
        (CHECKOUT, None),
        (PYTHON, None),
        (INSTALL_STEP, None),
        (DOWNLOAD, None),
        ('python main.py summary merge summaries --shards "$SHARDS" $PLATFORM $ALLOW_REPLACE --markdown plan.md', None),
        # the merge exits 1 when a shard failed, and the comment must still say which; no plan.md, nothing to post
        ("actions/github-script@v7", "always() && hashFiles('plan.md') != ''"),
    ],
    "apply-platform": [
        (CHECKOUT, None),
        (PYTHON, None),
        (TERRAFORM, None),
        (INSTALL_STEP, None),
        (CACHE, None),
        ("python main.py validate", None),
        ("mkdir -p summaries", None),
        ("python main.py synth --platform --no-instances", PLATFORM_AFFECTED),
        ("aws-actions/configure-aws-credentials@v4", APPLY_ROLE),  # a push to main is never a fork's
        (
            "python main.py apply platform --allow-replace --auto-approve --json > summaries/platform.json",
            PLATFORM_AFFECTED,
        ),
        (UPLOAD, "always()"),
    ],
    "apply-shard": [
        (CHECKOUT, None),
        (PYTHON, None),
        (TERRAFORM, None),
        (INSTALL_STEP, None),
        (CACHE, None),
        ('python main.py synth --changed --base "$BASE" --shard "$SHARD" --allow-replace', None),
        ("aws-actions/configure-aws-credentials@v4", APPLY_ROLE),
        ("mkdir -p summaries", None),
        ('echo "INDEX=${SHARD%/*}" >> "$GITHUB_ENV"', "always()"),
        (UPLOAD, "always()"),
    ],
    "apply-summary": [
        (CHECKOUT, None),
        (PYTHON, None),
        (INSTALL_STEP, None),
        (DOWNLOAD, None),
        (
            'python main.py summary merge summaries --shards "$SHARDS" $PLATFORM --allow-replace --title "terraform apply" --markdown apply.md',
            None,
        ),
        ('cat apply.md >> "$GITHUB_STEP_SUMMARY"', "always() && hashFiles('apply.md') != ''"),
    ],
}


def test_step_conditions(workflow):
    for name, job in workflow["jobs"].items():
        assert [(key(step), step.get("if")) for step in job["steps"]] == STEP_CONDITIONS[name], name


def test_inputs_of_the_actions(workflow):
    jobs = workflow["jobs"]
    for name in jobs:
        # the summaries need only the commit; the rest run `changed` and `diff` against the base's history
        depth = 1 if name.endswith("summary") else 0
        assert the_step(workflow, name, "actions/checkout")["with"] == {"fetch-depth": depth}, name
        # the Python the project targets (pyproject.toml: py311), and pip's download cache
        assert the_step(workflow, name, "actions/setup-python")["with"] == {"python-version": "3.11", "cache": "pip"}
    for name in ("prepare", "plan-shard", "apply-platform", "apply-shard"):
        # keyed by the OS and requirements.txt: new provider versions make a new cache
        assert the_step(workflow, name, "actions/cache")["with"] == {
            "path": "~/.cache/serverless-platform-generator/jsii-packages",
            "key": "jsii-packages-${{ runner.os }}-${{ hashFiles('requirements.txt') }}",
        }
        role = "AWS_PLAN_ROLE_ARN" if name in PR_JOBS else "AWS_APPLY_ROLE_ARN"
        assert the_step(workflow, name, "aws-actions/configure-aws-credentials")["with"] == {
            "role-to-assume": f"${{{{ vars.{role} }}}}",
            "aws-region": "${{ vars.AWS_REGION }}",
        }
    # a uniquely named artifact per job, of the folder the shell writes; nothing to upload (the job failed before
    # writing) is expected, not worth the default's warning: the merge reports the missing shard
    uploads = {
        "prepare": "summary-prepare",
        "plan-shard": "summary-shard-${{ env.INDEX }}",
        "apply-platform": "summary-prepare",
        "apply-shard": "summary-shard-${{ env.INDEX }}",
    }
    for name, artifact in uploads.items():
        assert the_step(workflow, name, "actions/upload-artifact")["with"] == {
            "name": artifact,
            "path": "summaries/",
            "if-no-files-found": "ignore",
        }
    for name in ("plan-summary", "apply-summary"):
        # every job's summary, merged into one folder (without merge-multiple each lands in a folder of its own)
        assert the_step(workflow, name, "actions/download-artifact")["with"] == {
            "pattern": "summary-*",
            "path": "summaries",
            "merge-multiple": True,
        }
