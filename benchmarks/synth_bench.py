"""Synthesis speed and scale, against the naive floor measured in the same run.

    python benchmarks/synth_bench.py                 # sizes 1, 50, 500; 3 rounds of the small runs
    python benchmarks/synth_bench.py --quick         # sizes 1 and 10, one round (about a minute)
    python benchmarks/synth_bench.py --validate 20   # also: terraform validate over 20 stacks, 1 vs all cores
    python benchmarks/synth_bench.py --sizes 1,500 --rounds 1 --workers 1,2   # the largest size per worker count
    python benchmarks/synth_bench.py --sizes 1,500 --rounds 1 --without-speedups  # with/without the Python-side levers
    python benchmarks/synth_bench.py --sizes 1,500 --rounds 1 --large-rounds 3  # 500 three times, beside floors

The floor is the naive app's import alone: ``python -c "import
cdktf_cdktf_provider_aws, cdktf_cdktf_provider_kubernetes"`` (with the same
Node that synth uses). Each size is a throwaway copy of the project
(platform.yaml, app sources) with N generated instance files in the format
of instances/*.yaml; the repo's instances/ is never touched. Every command
is a fresh process, as in CI. Reported per run: wall time, CPU time (python,
node and their children: less sensitive to a busy machine than wall time),
peak resident memory of the whole process tree (python + node, sampled every
50 ms), and wall time as a ratio to the floor. Then the incremental runs on
the largest size: a re-run with no change, and a re-run after one instance
file changed, checking that every other stack folder kept its bytes and
mtimes. This is a benchmark, not a test: it is not collected by pytest.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from generator import jsii_cache  # noqa: E402
from generator.runtime import configure_node  # noqa: E402  (sets JSII_NODE the way synth does)

SOURCES = ("lambda_code", "ui", "cloudfront_function")
FLOOR = [sys.executable, "-c", "import cdktf_cdktf_provider_aws, cdktf_cdktf_provider_kubernetes"]
ENVIRONMENTS = ("dev", "dev", "staging", "prod")  # mostly dev instances, as on a busy platform
REGIONS = ("us-east-2", "us-west-2")


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    stdout: str = ""
    largest_mb: float = 0.0  # the largest single process of the tree (a synth worker's node, say)


@dataclass
class Row:
    label: str
    runs: list[Run] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_mb for r in self.runs)

    @property
    def largest_mb(self) -> float:
        return max(r.largest_mb for r in self.runs)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _tree_rss_kb(root: int) -> tuple[int, int]:
    """Summed and largest single RSS of ``root`` and its descendants, in KB."""
    tree, total, largest, todo = _children(), 0, 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, ()))
        try:
            with open(f"/proc/{pid}/status") as status:
                rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
                total, largest = total + rss, max(largest, rss)
        except (OSError, StopIteration):
            pass
    return total, largest


def measure(command: list[str], cwd: Path = REPO, env: dict[str, str] | None = None) -> Run:
    """Run ``command`` to completion; wall time, CPU of the process tree, peak summed RSS of the tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak, largest, done = 0, 0, threading.Event()

    def sample() -> None:
        nonlocal peak, largest
        while not done.is_set():
            total, single = _tree_rss_kb(process.pid)
            peak, largest = max(peak, total), max(largest, single)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, peak / 1024, stdout, largest / 1024)


def instance_yaml(i: int) -> tuple[str, str]:
    environment, region = ENVIRONMENTS[i % len(ENVIRONMENTS)], REGIONS[i % len(REGIONS)]
    developer, team = f"dev{i:03d}", f"team{i:03d}"
    name = f"{developer}-inventory-dev" if environment == "dev" else f"{team}-inventory-{environment}"
    return name, (
        "# yaml-language-server: $schema=../schemas/instance.schema.json\n"
        "apiVersion: kro.run/v1alpha1\nkind: SmartInventoryHubV5\n"
        f"metadata:\n  name: {name}\n  namespace: kro-serverless-stack\n"
        f"spec:\n  teamName: {team}\n  developerName: {developer}\n  appName: inventory\n"
        f"  environment: {environment}\n  region: {region}\n"
    )


def make_project(target: Path, instances: int, platform_overrides: dict[str, str] | None = None) -> Path:
    target.mkdir(parents=True)
    for name in SOURCES:
        shutil.copytree(
            REPO / name, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "node_modules")
        )
    text = (REPO / "platform.yaml").read_text()
    for old, new in (platform_overrides or {}).items():
        text = text.replace(old, new)
    (target / "platform.yaml").write_text(text)
    (target / "instances").mkdir()
    for i in range(instances):
        name, body = instance_yaml(i)
        (target / "instances" / f"{name}.yaml").write_text(body)
    return target


def synth_command(root: Path, workers: int | None = None) -> list[str]:
    command = [sys.executable, str(REPO / "main.py"), "--root", str(root), "synth", "--out", str(root / "cdktf.out")]
    return command + ([f"--workers={workers}"] if workers else [])


def floor_env() -> dict[str, str]:
    """The naive app's environment: jsii's own package cache, so its provider index loads eagerly as usual."""
    return {k: v for k, v in os.environ.items() if k != jsii_cache.CACHE_ENV}


def snapshot(out: Path) -> dict[str, tuple[int, bytes]]:
    stacks = out / "stacks"
    return {
        p.relative_to(stacks).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
        for p in stacks.rglob("*")
        if p.is_file()
    }


def incremental(root: Path) -> list[tuple[str, Run, str]]:
    """Re-run with no change, then with one instance file changed; check what was touched."""
    out = root / "cdktf.out"
    results = []
    before = snapshot(out)
    run = measure(synth_command(root))
    after = snapshot(out)
    touched = sorted(
        {k.split("/")[0] for k in before if before[k] != after.get(k)}
        | {k.split("/")[0] for k in after if k not in before}
    )
    results.append(("re-run, nothing changed", run, f"{len(touched)} stack folder(s) touched"))

    files = sorted((root / "instances").glob("*.yaml"))
    changed = files[len(files) // 2]
    text = changed.read_text()
    old_region, new_region = ("us-east-2", "us-west-2") if "region: us-east-2" in text else ("us-west-2", "us-east-2")
    changed.write_text(text.replace(f"region: {old_region}", f"region: {new_region}"))
    before = after
    run = measure(synth_command(root))
    after = snapshot(out)
    touched = sorted({k.split("/")[0] for k in before if before[k] != after.get(k)})
    expected = [changed.stem]
    verdict = "ok: only its folder changed" if touched == expected else f"UNEXPECTED: touched {touched}"
    results.append((f"re-run, 1 instance changed ({changed.stem})", run, verdict))
    return results


def validate_stacks(root: Path, count: int) -> list[tuple[str, float]]:
    """terraform init + validate over ``count`` instance stacks: one at a time, then one per core."""
    terraform = shutil.which("terraform")
    if terraform is None:
        return [("terraform not on PATH: skipped", 0.0)]
    env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    if not Path(env.get("TF_CLI_CONFIG_FILE", "")).is_file():
        env["TF_CLI_CONFIG_FILE"] = str(REPO / ".ci" / "terraformrc")
    mirror = os.environ.get("TF_PLUGIN_MIRROR", "/opt/tf-plugins")
    stacks = sorted(p for p in (root / "cdktf.out" / "stacks").iterdir() if p.name != "platform")[:count]

    def one(stack: Path, work: Path) -> None:
        shutil.copytree(stack, work)
        init = [terraform, "init", "-backend=false", "-input=false", "-no-color"]
        if Path(mirror).is_dir():
            init.append(f"-plugin-dir={mirror}")
        for command in (init, [terraform, "validate", "-no-color"]):
            done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(
                    f"{stack.name}: {' '.join(command[:2])} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
                )

    results = []
    for workers in (1, os.cpu_count() or 1):
        scratch = Path(tempfile.mkdtemp(prefix="bench-validate-"))
        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda s, folder=scratch: one(s, folder / s.name), stacks))
        results.append((f"init + validate {len(stacks)} stacks, {workers} at a time", time.perf_counter() - start))
        shutil.rmtree(scratch, ignore_errors=True)
    return results


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; node {os.environ.get('JSII_NODE', 'node')}; load average at start {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="sizes 1 and 10, one round")
    parser.add_argument("--sizes", default=None, help="comma-separated instance counts (default 1,50,500)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds of the floor and of sizes <= 50 (default 3)")
    parser.add_argument(
        "--validate", type=int, default=0, metavar="N", help="also time terraform validate over N stacks"
    )
    parser.add_argument(
        "--large-rounds",
        type=int,
        default=1,
        metavar="N",
        help="rounds of the sizes above 50, each beside a floor run of its own (default 1; the median is reported)",
    )
    parser.add_argument(
        "--workers", default="", help="comma-separated synth worker counts to also run the largest size with"
    )
    parser.add_argument(
        "--without-speedups",
        action="store_true",
        help="also run the largest size without the bindings bytecode and with cdktf's stack traces (the levers of "
        "generator/bindings_bytecode.py and jsii_cache's stack-trace switch)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    args = parser.parse_args()
    sizes = [int(s) for s in (args.sizes or ("1,10" if args.quick else "1,50,500")).split(",")]
    rounds = args.rounds or (1 if args.quick else 3)

    configure_node()
    print(f"machine: {machine()}", flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="synth-bench-"))
    try:
        floor, rows = (
            Row("naive floor: import both provider packages"),
            {n: Row(f"platform + {n} instance(s)") for n in sizes},
        )
        for round_ in range(max(rounds, args.large_rounds)):  # interleaved: a busy spell hits every row alike
            floor.runs.append(measure(FLOOR, env=floor_env()))
            for n in sizes:
                if round_ >= (rounds if n <= 50 else args.large_rounds):
                    continue
                root = make_project(scratch / f"n{n}-r{round_}", n)
                rows[n].runs.append(measure(synth_command(root)))
                print(
                    f"  round {round_ + 1}: floor {floor.runs[-1].wall:.2f} s, "
                    f"{n} instance(s) {rows[n].runs[-1].wall:.2f} s",
                    flush=True,
                )
        largest = max(sizes)
        for workers in [int(w) for w in args.workers.split(",") if w]:
            row = rows.setdefault(f"w{workers}", Row(f"platform + {largest} instance(s), --workers={workers}"))
            root = make_project(scratch / f"n{largest}-w{workers}", largest)
            row.runs.append(measure(synth_command(root, workers)))
            print(f"  {row.label}: {row.runs[-1].wall:.2f} s", flush=True)
        if args.without_speedups:
            label = f"platform + {largest} instance(s), without bytecode and stack-trace levers"
            row = rows.setdefault("off", Row(label))
            root = make_project(scratch / f"n{largest}-off", largest)
            env = dict(os.environ, GENERATOR_FAST_BINDINGS="off", CDK_DISABLE_STACK_TRACE="")
            row.runs.append(measure(synth_command(root), env=env))
            print(f"  {row.label}: {row.runs[-1].wall:.2f} s", flush=True)
        increments = incremental(scratch / f"n{largest}-r0")
        validation = []
        if args.validate:
            tf_root = make_project(scratch / "validate", args.validate, {"uiSync: kubernetes": "uiSync: terraform"})
            measure(synth_command(tf_root))
            validation = validate_stacks(tf_root, args.validate)

        base = floor.wall
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"\nload average at the end: {load}")
        print(
            "\n| run | wall s (median) | ratio to floor | CPU s | peak RSS all processes MB "
            "| largest process MB | runs |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        for row in [floor, *rows.values()]:
            print(
                f"| {row.label} | {row.wall:.2f} | {row.wall / base:.2f} | {row.cpu:.2f} | {row.peak_mb:.0f} "
                f"| {row.largest_mb:.0f} | {len(row.runs)} |"
            )
        for label, run, verdict in increments:
            print(
                f"| {label} ({largest} instances): {verdict} | {run.wall:.2f} | {run.wall / base:.2f} "
                f"| {run.cpu:.2f} | {run.peak_mb:.0f} | {run.largest_mb:.0f} | 1 |"
            )
        small = min(sizes)
        for n in sizes:
            if n != small and n in rows:
                marginal = (rows[n].wall - rows[small].wall) / (n - small) * 1000
                marginal_cpu = (rows[n].cpu - rows[small].cpu) / (n - small) * 1000
                print(
                    f"\nmarginal cost {small}->{n} instances: {marginal:.1f} ms wall, "
                    f"{marginal_cpu:.1f} ms CPU per instance",
                    end="",
                )
        print()
        for label, seconds in validation:
            print(f"{label}: {seconds:.1f} s")
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "machine": machine(),
                        "floor": [r.__dict__ | {"stdout": ""} for r in floor.runs],
                        "sizes": {n: [r.__dict__ | {"stdout": ""} for r in row.runs] for n, row in rows.items()},
                        "incremental": [
                            {"label": label, "wall": r.wall, "cpu": r.cpu, "peak_mb": r.peak_mb, "verdict": v}
                            for label, r, v in increments
                        ],
                        "validate": validation,
                    },
                    indent=2,
                )
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
