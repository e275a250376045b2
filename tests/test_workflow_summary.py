"""`summary merge`: the shard jobs' plan summaries (tests/samples/shard_summaries) become one PR comment."""

from __future__ import annotations

import json
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


def write_summaries(folder: Path, **documents) -> Path:
    """``platform.json`` / ``shard-K.json`` files in ``folder``: keyword ``platform`` or ``shard_K`` -> JSON text."""
    folder.mkdir(parents=True, exist_ok=True)
    for key, text in documents.items():
        name = "platform.json" if key == "platform" else key.replace("_", "-") + ".json"
        (folder / name).write_text(text)
    return folder


def row(stack: str, **values) -> dict:
    return {"stack": stack, **values}


def test_the_report_puts_failed_jobs_then_the_counts_above_the_table(tmp_path):
    folder = write_summaries(
        tmp_path,
        shard_1=json.dumps({"workspaces": [row("amy-app-dev", change=2), row("bob-app-dev", add=1, destroy=1)]}),
        shard_3=json.dumps({"error": "synth failed"}),
    )
    merged = summary.merge(folder, shards=4, platform=True)
    assert summary.report(merged, allow_replace=False, title="terraform plan") == (
        "### terraform plan\n"
        "\n"
        "- **failed** platform: no summary (platform.json missing: the job failed before planning)\n"
        "- **failed** shard 2/4: no summary (shard-2.json missing: the job failed before planning)\n"
        "- **failed** shard 3/4: failed before planning: synth failed\n"
        "- **failed** shard 4/4: no summary (shard-4.json missing: the job failed before planning)\n"
        "\n"
        "2 workspace(s); 1 destroy something, 0 failed, 4 job(s) without a summary\n"
        "\n"
        "| Workspace | Add | Change | Destroy | Result |\n"
        "|---|---:|---:|---:|---|\n"
        "| `bob-app-dev` | 1 | 0 | 1 | changes |\n"
        "| `amy-app-dev` | 0 | 2 | 0 | changes |\n"
    )


def test_the_report_of_complete_summaries_has_no_failed_jobs_and_counts_errors_and_destroys(tmp_path):
    folder = write_summaries(
        tmp_path,
        platform=json.dumps([row("platform", add=3, error="Error: boom")]),
        shard_1=json.dumps(
            [
                row("cat-app-dev", destroy=2, stateful_deletes=["aws_s3_bucket.b", "aws_dynamodb_table.t"]),
                row("dan-app-dev", error="init | failed", log="logs/dan.log"),
                row("eve-app-dev", destroy=1),
                row("fay-app-dev", add=1, applied=True),
                row("gus-app-dev"),
            ]
        ),
    )
    merged = summary.merge(folder, shards=1, platform=True)
    assert merged.missing == []
    assert summary.report(merged, allow_replace=True, title="terraform apply") == (
        "### terraform apply\n"
        "\n"
        "6 workspace(s); 2 destroy something, 2 failed, 0 job(s) without a summary\n"
        "\n"
        "| Workspace | Add | Change | Destroy | Result |\n"
        "|---|---:|---:|---:|---|\n"
        "| `cat-app-dev` | 0 | 0 | 2 | allowed: destroys aws_s3_bucket.b, aws_dynamodb_table.t |\n"
        "| `eve-app-dev` | 0 | 0 | 1 | changes |\n"
        "| `platform` | - | - | - | error: Error: boom |\n"
        "| `dan-app-dev` | - | - | - | error: init / failed |\n"
        "| `fay-app-dev` | 1 | 0 | 0 | applied |\n"
        "| `gus-app-dev` | 0 | 0 | 0 | no changes |\n"
    )


def test_the_counts_line_goes_under_the_title_even_when_an_error_holds_a_blank_line(tmp_path):
    folder = write_summaries(tmp_path, shard_1=json.dumps([row("amy-app-dev", error="Error: one\n\ntwo")]))
    merged = summary.merge(folder, shards=1, platform=False)
    assert summary.report(merged, allow_replace=False, title="t") == (
        "### t\n"
        "\n"
        "1 workspace(s); 0 destroy something, 1 failed, 0 job(s) without a summary\n"
        "\n"
        "| Workspace | Add | Change | Destroy | Result |\n"
        "|---|---:|---:|---:|---|\n"
        "| `amy-app-dev` | - | - | - | error: Error: one\n\ntwo |\n"
    )


def test_a_stateful_delete_without_a_destroy_count_ranks_first(tmp_path):
    folder = write_summaries(
        tmp_path,
        shard_1=json.dumps(
            [row("b-app-dev"), row("a-app-dev"), row("z-app-dev", stateful_deletes=["aws_s3_bucket.b"])]
        ),
        shard_2=json.dumps([row("platform", destroy=1), row("c-app-dev", destroy=1), row("platform", error="x")]),
    )
    merged = summary.merge(folder, shards=2, platform=False)
    assert [(o.stack, o.destroy, o.error) for o in merged.outcomes] == [
        ("platform", 1, None),
        ("c-app-dev", 1, None),
        ("z-app-dev", 0, None),
        ("platform", 0, "x"),
        ("a-app-dev", 0, None),
        ("b-app-dev", 0, None),
    ]


def test_merge_reads_the_platform_only_when_asked_and_every_shard_up_to_n(tmp_path):
    folder = write_summaries(
        tmp_path,
        platform=json.dumps([row("platform")]),
        shard_1=json.dumps([row("a-app-dev")]),
        shard_2=json.dumps([row("b-app-dev")]),
        shard_3=json.dumps([row("c-app-dev")]),
    )
    assert [o.stack for o in summary.merge(folder, shards=2, platform=False).outcomes] == ["a-app-dev", "b-app-dev"]
    assert [o.stack for o in summary.merge(folder, shards=0, platform=True).outcomes] == ["platform"]
    assert [o.stack for o in summary.merge(folder, shards=3, platform=True).outcomes] == [
        "platform",
        "a-app-dev",
        "b-app-dev",
        "c-app-dev",
    ]


def test_summary_rows_become_outcomes_and_unknown_keys_are_ignored(tmp_path):
    document = {
        "workspaces": [
            {
                "stack": "a-app-dev",
                "add": 1,
                "change": 2,
                "destroy": 3,
                "stateful_deletes": ["aws_s3_bucket.b"],
                "error": None,
                "applied": True,
                "seconds": 4.5,
                "log": "logs/a-app-dev.log",
                "detail": ["Error: x"],
                "status": "not a field",
            }
        ],
        "exit": 1,
    }
    merged = summary.merge(write_summaries(tmp_path, shard_1=json.dumps(document)), shards=1, platform=False)
    assert merged.missing == []
    assert merged.outcomes == [
        summary.Outcome(
            stack="a-app-dev",
            add=1,
            change=2,
            destroy=3,
            stateful_deletes=["aws_s3_bucket.b"],
            error=None,
            applied=True,
            seconds=4.5,
            log="logs/a-app-dev.log",
            detail=["Error: x"],
        )
    ]


def test_a_summary_that_is_a_failure_says_why_the_job_failed(tmp_path):
    folder = write_summaries(tmp_path, platform=json.dumps({"error": "synth failed: bad YAML"}), shard_1="{}")
    merged = summary.merge(folder, shards=1, platform=True)
    assert merged.outcomes == []
    assert merged.missing == [
        "platform: failed before planning: synth failed: bad YAML",
        "shard 1/1: failed before planning: no workspaces",
    ]


def test_each_kind_of_unreadable_summary_is_one_failed_job(tmp_path):
    folder = write_summaries(
        tmp_path,
        shard_1="[",
        shard_2=json.dumps([{"add": 1}]),
        shard_3=json.dumps(["a-app-dev"]),
        shard_4="5",
        shard_6=json.dumps({"workspaces": [row("a-app-dev")]}),
    )
    (folder / "shard-5.json").mkdir()
    merged = summary.merge(folder, shards=6, platform=False)
    assert merged.missing == [
        "shard 1/6: unreadable summary shard-1.json (Expecting value: line 1 column 2 (char 1))",
        "shard 2/6: unreadable summary shard-2.json "
        "(Outcome.__init__() missing 1 required positional argument: 'stack')",
        "shard 3/6: unreadable summary shard-3.json ('str' object has no attribute 'items')",
        "shard 4/6: unreadable summary shard-4.json ('int' object is not iterable)",
        f"shard 5/6: unreadable summary shard-5.json ([Errno 21] Is a directory: '{folder / 'shard-5.json'}')",
    ]
    assert [o.stack for o in merged.outcomes] == ["a-app-dev"]


def test_failed_is_true_for_a_missing_summary_alone(tmp_path):
    merged = summary.merge(write_summaries(tmp_path, shard_1=json.dumps([row("a-app-dev")])), shards=2, platform=False)
    assert merged.failed(allow_replace=True) is True
    clean = summary.merge(tmp_path, shards=1, platform=False)
    assert clean.failed(allow_replace=False) is False


def test_failed_follows_the_plan_gate_for_errors_and_stateful_deletes():
    blocked = summary.Merged([summary.Outcome("a-app-dev", destroy=1, stateful_deletes=["aws_s3_bucket.b"])])
    assert blocked.failed(allow_replace=False) is True
    assert blocked.failed(allow_replace=True) is False
    errored = summary.Merged([summary.Outcome("a-app-dev", error="x")])
    assert errored.failed(allow_replace=True) is True
    changing = summary.Merged([summary.Outcome("a-app-dev", add=1)])
    assert changing.failed(allow_replace=False) is False  # changes alone (exit status 2 when detailed) pass
    assert summary.Merged().failed(allow_replace=False) is False


def test_shard_files_are_numbered_from_the_index():
    assert summary.shard_file(7) == "shard-7.json"
    assert summary.PLATFORM_FILE == "platform.json"
