"""Run one group of workloads in this process and print the measurements as JSON.

    python -m benchmarks.measure tensor|scalar|chain|draw [ENGINE ...]   timings (default: all)
    python -m benchmarks.measure memory ENGINE                peak RSS and growth of a training loop
                                                              (also keeping its losses)

The BLAS thread count comes from the environment (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS),
which must be set before numpy is imported; `python -m benchmarks` starts processes for
each setting. Times are medians over blocks of steps; the blocks of the engines sharing a
process (see PROCESSES) alternate, so that drift in the machine's speed hits them alike, and
in the groups of ALTERNATED those of the workloads too.
"""

import argparse
import gc
import importlib
import json
import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter

import numpy as np

ENGINES = {
    "ours": "benchmarks.ours",
    "compiled": "benchmarks.compiled",
    "floor": "benchmarks.floor",
    "torch": "benchmarks.peer_torch",
    "micrograd": "benchmarks.peer_micrograd",
}
PEERS = ("torch", "micrograd")  # optional: skipped when not installed
MEMORY_ENGINES = ("ours", "compiled", "floor", "torch")  # those with the batch-64 training loop
# Engines timed in one process, their blocks interleaved. PyTorch gets a process of its own:
# its OpenMP threads spin after their work. micrograd shares ours: its graphs are reference
# cycles left to the cycle collector, so the scalar workloads end each block with a timed
# gc.collect() (Workload.collect), and each engine pays for freeing its own garbage.
PROCESSES = (("ours", "compiled", "floor", "micrograd"), ("torch",))
BLOCK_SECONDS = 0.05


def _layers(sizes, rng):
    """float32 (weight, bias) arrays in PyTorch's layout, drawn as nn.Linear draws them."""
    params = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        bound = 1 / math.sqrt(n_in)
        params.append(rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, n_out).astype(np.float32))
    return params


def classifier_args(batch):
    """MLP 784-128-10 on random images with integer labels, lr 0.01."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 784), np.float32)
    return _layers((784, 128, 10), rng), x, rng.integers(0, 10, batch), 0.01


def binary_args(batch):
    """MLP 2-16-16-1 on random points with 0/1 float targets of shape (batch, 1), lr 0.1."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 2), np.float32)
    t = (rng.random((batch, 1)) < 0.5).astype(np.float32)
    return _layers((2, 16, 16, 1), rng), x, t, 0.1


TENSOR_ENGINES = ("ours", "compiled", "floor", "torch")
CHAIN_ENGINES = ("ours", "floor", "torch", "micrograd")


@dataclass
class Workload:
    name: str
    title: str
    kind: str  # the key of its builder in each engine module's BUILDERS
    engines: tuple
    arguments: Callable[[], tuple] = tuple  # makes the builder's arguments
    repeats: int = 21
    warmup: bool = True  # False for long steps: the first timed step doubles as warm-up
    collect: bool = False  # end each block with a gc.collect(), timed as part of the block


GROUPS = {
    "tensor": [
        Workload("mlp_b64", "MLP 784-128-10 step, batch 64", "classifier", TENSOR_ENGINES,
                 lambda: classifier_args(64)),
        Workload("mlp_b1024", "MLP 784-128-10 step, batch 1024", "classifier", TENSOR_ENGINES,
                 lambda: classifier_args(1024), repeats=11),
        Workload("tiny_b32", "MLP 2-16-16-1 BCE step, batch 32", "binary", TENSOR_ENGINES,
                 lambda: binary_args(32)),
        Workload("add", "a + b, backward (1-elem Tensor)", "add", ("ours", "torch")),
    ],
    "scalar": [
        Workload("add_scalar", "a + b, backward (Scalar)", "add_scalar", ("ours", "micrograd"),
                 collect=True),
        Workload("moons", "moons demo step (Scalars)", "moons", ("ours", "micrograd"),
                 repeats=7, collect=True),
    ],
    # Processes of their own: how the cost of a million-node graph grows with its size depends
    # on what the process did before (after the moons workloads, ours' chain backward grew
    # 12.7x from 100k to 1M links; in a fresh process 9.6x).
    "chain": [
        Workload("chain_100k", "scalar chain, 100k links", "chain", CHAIN_ENGINES,
                 lambda: (100_000,), repeats=5, warmup=False, collect=True),
        Workload("chain_1m", "scalar chain, 1M links", "chain", ("ours", "floor"),
                 lambda: (1_000_000,), repeats=5, warmup=False, collect=True),
    ],
    # ag.draw_dot at size: a 10,001-value graph (a 2,500-layer MLP) with module boxes, max_nodes
    "draw": [
        Workload("draw_source", "draw_dot DOT text, 10k values", "draw_source", ("ours",),
                 lambda: (2_500, 200), repeats=5, warmup=False),
        Workload("draw_svg", "draw_dot render to SVG, 10k values", "draw_svg", ("ours",),
                 lambda: (2_500, 200), repeats=5, warmup=False),
    ],
}  # fmt: skip
# Groups whose workloads' blocks alternate too, not only their engines': the chain's growth
# is a ratio between its two sizes, so drift in the machine's speed must hit both alike. (Its
# ratio stays one of medians: block by block, the times of the two sizes do not move together.)
ALTERNATED = {"chain"}


def load(engine):
    """The engine's module, or None when it is an optional peer that is not installed."""
    try:
        return importlib.import_module(ENGINES[engine])
    except ModuleNotFoundError as error:
        if engine in PEERS and error.name.split(".")[0] == engine:
            return None
        raise


def _block(step, n, collect=False):
    """Seconds per step over n consecutive steps (and a full collection after them)."""
    start = perf_counter()
    for _ in range(n):
        step()
    if collect:
        gc.collect()
    return (perf_counter() - start) / n


def _steps_per_block(step):
    """How many steps fill about BLOCK_SECONDS."""
    n = 1
    while True:
        per_step = _block(step, n)
        if per_step * n >= BLOCK_SECONDS / 8:
            return max(1, round(BLOCK_SECONDS / per_step))
        n *= 4


def _start(workload, engine, record):
    """The engine's step, run once (twice with warm-up) and its results noted in record, and
    its times so far (the first step's, unless that was warm-up); None if skipped or failed."""
    module = load(engine)
    if module is None:
        record["skipped"] = f"{engine} is not installed"
        return None
    try:
        step = module.BUILDERS[workload.kind](*workload.arguments())
        start = perf_counter()
        values = [step()]
        if workload.collect:
            gc.collect()
        first = perf_counter() - start
        if workload.warmup:  # the second result checks the first step's update
            values.append(step())
        record.update(values=values, note=getattr(step, "note", None))
        record["steps_per_block"] = _steps_per_block(step) if workload.warmup else 1
        return step, [] if workload.warmup else [first]
    except Exception as error:  # a failing engine is reported, the others still run
        record["error"] = f"{type(error).__name__}: {error}"
        return None


def time_workloads(workloads, engines, log):
    """One record per workload and engine: median, min and max seconds per step, or why it
    has none. The blocks of all the steps alternate, round by round."""
    records, running = {}, {}
    for workload in workloads:
        chosen = [e for e in workload.engines if e in engines]
        for engine in chosen:
            key = workload.name, engine
            records[key] = {"workload": workload.name, "engine": engine}
            started = _start(workload, engine, records[key])
            if started:
                running[key] = workload, *started
        if chosen:
            names = [e for e in chosen if (workload.name, e) in running]
            log(f"  {workload.name}: {', '.join(names) or 'nothing to run'}")
    gc.collect()
    while running:
        for key, (workload, step, t) in list(running.items()):
            if len(t) == workload.repeats:
                del running[key]
                records[key].update(median=float(np.median(t)), min=min(t), max=max(t), times=t,
                                    process=os.getpid())  # fmt: skip
                continue
            try:
                t.append(_block(step, records[key]["steps_per_block"], workload.collect))
            except Exception as error:
                records[key]["error"] = f"{type(error).__name__}: {error}"
                del running[key]
    return list(records.values())


def _status_mb(field):
    """A memory figure of this process from /proc/self/status, in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not found in /proc/self/status")


def memory(engine, steps=1000, warmup=100):
    """Peak RSS of the batch-64 training loop, and what it gains over `steps` more steps
    (10,000 replays for the compiled step)."""
    steps = 10_000 if engine == "compiled" else steps
    module = load(engine)
    if module is None:
        return {"engine": engine, "skipped": f"{engine} is not installed"}
    step = module.BUILDERS["classifier"](*classifier_args(64))
    for _ in range(warmup):
        step()
    gc.collect()
    rss, objects = _status_mb("VmRSS"), len(gc.get_objects())
    for _ in range(steps):
        step()
    gc.collect()
    found = {
        "engine": engine,
        "peak_rss_mb": _status_mb("VmHWM"),
        "rss_growth_mb": _status_mb("VmRSS") - rss,
        "object_growth": len(gc.get_objects()) - objects,
        "steps": steps,
    }
    if "classifier_keeping_losses" in module.BUILDERS:
        found["kept_losses_kb_per_step"] = _kept_losses_growth(module, steps)
    return found


def _kept_losses_growth(module, steps):
    """RSS growth per step, in KB, of the batch-64 loop when it keeps every step's loss."""
    step = module.BUILDERS["classifier_keeping_losses"](*classifier_args(64))
    step()
    gc.collect()
    rss = _status_mb("VmRSS")
    for _ in range(steps):
        step()
    gc.collect()
    return (_status_mb("VmRSS") - rss) * 1024 / steps


def environment():
    """What this process ran with: versions, recursion limit, BLAS libraries and threads."""
    info = {"numpy": np.__version__, "recursion_limit": sys.getrecursionlimit()}
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return info
    info["threadpools"] = [
        {k: pool.get(k) for k in ("internal_api", "num_threads", "version")}
        for pool in threadpool_info()
    ]
    return info


def main():
    parser = argparse.ArgumentParser(prog="python -m benchmarks.measure")
    parser.add_argument("group", choices=[*GROUPS, "memory"])
    parser.add_argument("engines", nargs="*", choices=list(ENGINES), help="default: all")
    args = parser.parse_args()
    engines = args.engines or list(ENGINES)
    log = lambda message: print(message, file=sys.stderr, flush=True)
    if args.group == "memory":
        if len(engines) != 1 or engines[0] not in MEMORY_ENGINES:
            parser.error(f"memory measures one engine of {', '.join(MEMORY_ENGINES)}")
        result = memory(engines[0])
    else:
        workloads = GROUPS[args.group]
        if args.group in ALTERNATED:
            timings = time_workloads(workloads, engines, log)
        else:
            timings = [r for w in workloads for r in time_workloads([w], engines, log)]
        result = {"timings": timings, "environment": environment()}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
