"""`python -m benchmarks` (`make bench`): every workload, table, targets, JSON in results/.

The tensor workloads and the memory loops run for each BLAS thread setting, in fresh
processes whose thread variables are set before numpy loads (the tensor workloads in two
rounds of processes); the scalar workloads are pure Python and run once, the chains in
processes of their own. See benchmarks.measure.PROCESSES for which engines share a process.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import numpy as np

from . import report
from .measure import GROUPS, MEMORY_ENGINES, PROCESSES

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# PyTorch runs in a process of its own: the tensor groups' processes take turns twice, so
# that the machine's drift in speed between processes falls on ours and PyTorch alike.
TENSOR_ROUNDS = 2


def child(threads, *args):
    """Run benchmarks.measure in a new process with `threads` BLAS threads; its JSON output."""
    env = {**os.environ, **{name: str(threads) for name in THREAD_VARIABLES}}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.measure", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"benchmarks.measure {' '.join(args)} failed (exit {done.returncode})")
    return json.loads(done.stdout)


def group(threads, name, rounds=1):
    """A group's timings and environments, from one process per entry of PROCESSES in each
    of `rounds` rounds, the block times of the rounds pooled."""
    used = {engine for workload in GROUPS[name] for engine in workload.engines}
    chosen = [engines for engines in PROCESSES if used & set(engines)]
    found = [child(threads, name, *engines) for _ in range(rounds) for engines in chosen]
    return {
        "timings": _pooled(record for result in found for record in result["timings"]),
        "environments": [result["environment"] for result in found[: len(chosen)]],
    }


def _pooled(records):
    """One record per workload and engine holding the block times of every round (a round
    that skipped it or failed decides the record)."""
    pooled = {}
    for record in records:
        key = record["workload"], record["engine"]
        kept = pooled.get(key)
        if kept is None or "median" not in record:
            pooled[key] = {**record, "process": [record.get("process")]}
        elif "median" in kept:
            times = kept["times"] + record["times"]
            kept.update(times=times, median=float(np.median(times)), min=min(times),
                        max=max(times), process=kept["process"] + [record["process"]])  # fmt: skip
    return list(pooled.values())


def _versions():
    found = {"python": platform.python_version()}
    for package in ("tapegrad", "numpy", "torch", "micrograd"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def _commit():
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True
        )
    except OSError:
        return None
    return described.stdout.strip() or None


def main():
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=[1, 2],
        help="BLAS thread settings for the tensor workloads (default: 1 2)",
    )
    parser.add_argument("--no-scalar", action="store_true", help="skip the scalar workloads")
    args = parser.parse_args()
    started = datetime.datetime.now().astimezone()
    results = {
        "date": started.isoformat(timespec="seconds"),
        "commit": _commit(),
        "cpus": os.cpu_count(),
        "versions": _versions(),
        "load_before": os.getloadavg()[0],  # other work on the machine makes figures noisy
        "runs": [],
        "scalar": None,
    }
    for threads in args.threads:
        print(f"tensor workloads, {threads} BLAS thread(s):", file=sys.stderr, flush=True)
        run = {"threads": threads, **group(threads, "tensor", TENSOR_ROUNDS)}
        run["memory"] = [child(threads, "memory", engine) for engine in MEMORY_ENGINES]
        results["runs"].append(run)
    if not args.no_scalar:
        print("scalar workloads (pure Python):", file=sys.stderr, flush=True)
        scalar, chain = group(1, "scalar"), group(1, "chain")
        results["scalar"] = {key: scalar[key] + chain[key] for key in scalar}
    print("drawing a 10k-value graph:", file=sys.stderr, flush=True)
    results["draw"] = group(1, "draw")
    results["load_after"] = os.getloadavg()[0]
    results["targets"] = report.check_targets(results["runs"], results["scalar"])

    versions = ", ".join(f"{k} {v}" for k, v in results["versions"].items() if v)
    print(f"\n{results['date']}  commit {results['commit']}  {results['cpus']} CPUs  {versions}")
    print(
        f"1-minute load average {results['load_before']:.2f} before, "
        f"{results['load_after']:.2f} after (this run's own processes count ~1)"
    )
    if results["load_before"] > 0.5 or results["load_after"] > 1.5:
        print(
            "WARNING: other work ran on this machine meanwhile: figures are noisy, the "
            "2-thread ones most\n(a thread waiting for a busy core stalls BLAS and OpenMP)."
        )
    print("Per step: median (min-max) over blocks of steps. ours / peer: median of the")
    print("block-by-block ratios where the blocks alternated (ours, floor), else of the medians.\n")
    for run in results["runs"]:
        print(report.timing_table(run["timings"], f"BLAS threads: {run['threads']}"))
        heading = "Training loop, MLP b64, 100 warm-up steps + steps, then 1000 keeping every loss"
        print(report.memory_table(run["memory"], heading))
        print()
    if results["scalar"]:
        limit = results["scalar"]["environments"][0]["recursion_limit"]
        print(
            report.timing_table(
                results["scalar"]["timings"], f"Scalar workloads (recursion limit left at {limit})"
            )
        )
        print()
    print(report.timing_table(results["draw"]["timings"], "Drawing (ag.draw_dot, max_nodes=200)"))
    print()
    print(report.target_table(results["targets"]))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"bench-{started:%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(results, indent=1))
    print(f"\nwritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
