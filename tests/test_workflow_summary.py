"""`summary merge`: the shard jobs' plan summaries (tests/samples/shard_summaries) become one PR comment."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from generator.workflow import summary

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "tests" / "samples" / "shard_summaries"


def test_destructive_first_then_failed_then_the_rest_platform_first():
    merged = summary.merge(SAMPLES, shards=2, platform=True)
    assert [o.stack for o in merged.outcomes] == [
        "bob-inventory-dev",
        "dan-inventory-dev",
        "cat-inventory-dev",
        "platform",
        "amy-inventory-dev",
    ]
    assert merged.missing == []
    assert merged.failed(allow_replace=True)  # cat-inventory-dev's init failed


def test_a_missing_shard_summary_fails_the_merge(tmp_path):
    for name in ("platform.json", "shard-1.json"):
        shutil.copy(SAMPLES / name, tmp_path / name)
    merged = summary.merge(tmp_path, shards=2, platform=True)
    assert merged.missing == ["shard 2/2: no summary (shard-2.json missing: the job failed before planning)"]
    assert merged.failed(allow_replace=True)
    (tmp_path / "shard-2.json").write_text("[")
    assert (
        summary.merge(tmp_path, shards=2, platform=True)
        .missing[0]
        .startswith("shard 2/2: unreadable summary shard-2.json")
    )


def test_clean_shards_pass_and_blocked_deletes_fail_without_allow_replace(tmp_path):
    shutil.copy(SAMPLES / "shard-1.json", tmp_path / "shard-1.json")
    merged = summary.merge(tmp_path, shards=1, platform=False)
    assert not merged.failed(allow_replace=True)
    assert merged.failed(allow_replace=False)  # bob-inventory-dev destroys its table


def test_the_command_writes_the_comment_and_exits_1(tmp_path):
    comment = tmp_path / "plan.md"
    done = subprocess.run(
        [
            sys.executable,
            "main.py",
            "summary",
            "merge",
            str(SAMPLES),
            "--shards",
            "3",
            "--platform",
            "--markdown",
            str(comment),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[0] == (
        "failed     shard 3/3: no summary (shard-3.json missing: the job failed before planning)"
    )
    assert comment.read_text() == (
        "### terraform plan\n\n"
        "- **failed** shard 3/3: no summary (shard-3.json missing: the job failed before planning)\n\n"
        "5 workspace(s); 2 destroy something, 1 failed, 1 job(s) without a summary\n\n"
        "| Workspace | Add | Change | Destroy | Result |\n|---|---:|---:|---:|---|\n"
        "| `bob-inventory-dev` | 1 | 0 | 1 | **blocked**: destroys aws_dynamodb_table.table_table_1 |\n"
        "| `dan-inventory-dev` | 0 | 1 | 1 | changes |\n"
        "| `cat-inventory-dev` | - | - | - | error: terraform init failed (see cdktf.out/logs/cat-inventory-dev.log) |\n"
        "| `platform` | 0 | 1 | 0 | changes |\n"
        "| `amy-inventory-dev` | 0 | 2 | 0 | changes |\n"
    )
