"""Terraform init + plan per workspace on the local AWS emulator, and what a platform-wide change at 500
instances would take spread over 1, 10 and 20 CI runners.

    python benchmarks/plan_bench.py                  # sizes 1, 10, 50
    python benchmarks/plan_bench.py --sizes 1,10     # what a busy machine can afford

For each size N: a throwaway project with N generated instances (benchmarks/synth_bench.py's format) is
brought up on the emulator with the `local up` machinery (generator.local.session.up: synth, init,
apply, platform first), so every workspace has state, as in production. Then each workspace is planned
again (terraform init + plan with refresh: what a platform-wide change costs each workspace), one at a
time for the per-workspace cost, then the instances `--jobs` at a time for one runner's throughput.
Finally `local down`. The projection uses the measured per-workspace costs and the synth benchmark's
per-instance synth cost; runner start-up (checkout, Python, Terraform, pip) is an assumption, printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
from synth_bench import machine, make_project  # noqa: E402

from generator.local import session  # noqa: E402
from generator.runner import find_terraform  # noqa: E402
from generator.runtime import configure_node  # noqa: E402
from generator.workflow.shards import assign  # noqa: E402

#: Assumed per-job overhead of a GitHub-hosted runner: checkout, setup-python (pip cache), setup-terraform, pip.
RUNNER_SETUP_S = 60.0
#: Synth of one shard: process start + provider load, then per instance (CPU per instance: 110 ms in synth_bench.py's
#: 500-instance rounds of 2026-11-30; docs/performance.md). A shard of fewer than 200 instances synthesizes in one
#: process (generator/synth.py: STACKS_PER_WORKER).
SYNTH_START_S, SYNTH_PER_INSTANCE_S = 4.0, 0.11


def plan_all(root: Path, workdir: Path, jobs: int) -> dict:
    workspace = session.workspace_for(root, workdir)
    terraform = session.emulator_terraform(find_terraform(), workspace, lambda _: None, session.DEFAULT_PARALLELISM)
    stacks = ["platform"] + sorted(
        p.name for p in workspace.outdir.joinpath("stacks").iterdir() if p.name != "platform"
    )

    def one(stack: str) -> float:
        started = time.perf_counter()
        terraform.init(stack)
        terraform.plan(stack, out=workspace.data_dir(stack) / "tfplan-bench")
        return time.perf_counter() - started

    times = {stack: one(stack) for stack in stacks}  # one at a time: the per-workspace cost
    instances = stacks[1:]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, instances))
    parallel = time.perf_counter() - started
    return {"platform": times["platform"], "instances": [times[s] for s in instances], "parallel": parallel}


def project_500(platform_s: float, instance_s: float, speedup: float) -> list[str]:
    lines = [
        "| runners | shard sizes | first job (setup + platform synth + plan) | one shard job (setup + synth + "
        "plan) | wall time |",
        "|---:|---|---:|---:|---:|",
    ]
    for runners in (1, 10, 20):
        sizes = sorted({len(s) for s in assign([f"i{n:03d}" for n in range(500)], runners)}, reverse=True)
        first = RUNNER_SETUP_S + SYNTH_START_S + platform_s
        biggest = sizes[0]
        shard = RUNNER_SETUP_S + SYNTH_START_S + biggest * SYNTH_PER_INSTANCE_S + biggest * instance_s / speedup
        lines.append(
            f"| {runners} | {'/'.join(map(str, sizes))} | {first:.0f} s | {shard:.0f} s | "
            f"{(first + shard) / 60:.1f} min |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10,50", help="comma-separated instance counts")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="instance plans at once (one runner)")
    args = parser.parse_args()
    # A time box's SIGTERM runs the finally blocks below, so the emulator and the edge stop with the benchmark.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    configure_node()  # as synth does; also names the Node in the machine line
    print(f"machine: {machine()}", flush=True)
    results = {}
    scratch = Path(tempfile.mkdtemp(prefix="plan-bench-"))
    try:
        for n in [int(s) for s in args.sizes.split(",")]:
            root = make_project(scratch / f"n{n}", n)
            workdir = scratch / f"n{n}-local"
            started = time.perf_counter()
            session.up(root, workdir, lambda line: None, jobs=args.jobs)
            up_s = time.perf_counter() - started
            try:
                results[n] = plan_all(root, workdir, args.jobs) | {"up": up_s}
            finally:
                session.stop_and_forget(session.workspace_for(root, workdir))
            r = results[n]
            print(
                f"  {n} instance(s): local up {up_s:.0f} s; platform init+plan {r['platform']:.1f} s; instance "
                f"init+plan median {statistics.median(r['instances']):.1f} s one at a time; all {n} instances "
                f"{args.jobs} at a time {r['parallel']:.1f} s; load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(
        "\n| instances | local up (apply all) s | platform init+plan s | instance init+plan s (median, one at a "
        f"time) | all instances, {args.jobs} at a time s | throughput speed-up |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for n, r in results.items():
        serial = sum(r["instances"])
        print(
            f"| {n} | {r['up']:.0f} | {r['platform']:.1f} | {statistics.median(r['instances']):.1f} | "
            f"{r['parallel']:.1f} | {serial / r['parallel']:.2f}x |"
        )
    largest = results[max(results)]
    speedup = max(1.0, sum(largest["instances"]) / largest["parallel"])
    instance_s = statistics.median(largest["instances"])
    print(
        f"\nProjected platform-wide change at 500 instances (per-workspace {instance_s:.1f} s, {speedup:.2f}x on "
        f"{args.jobs} jobs per runner, runner setup assumed {RUNNER_SETUP_S:.0f} s, synth {SYNTH_START_S:.0f} s + "
        f"{SYNTH_PER_INSTANCE_S * 1000:.0f} ms per instance; load average at the end "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}):\n"
    )
    print("\n".join(project_500(largest["platform"], instance_s, speedup)))


if __name__ == "__main__":
    main()
