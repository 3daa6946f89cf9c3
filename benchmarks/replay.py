"""Where a compiled step's replay spends its time, by kind of step, beside the numpy floor.

    OMP_NUM_THREADS=1 python -m benchmarks.replay [tiny_b32|mlp_b64] [--replays 2000]

Each step of the replay is timed on its own (the minimum over the replays), then the steps
are summed by kind: the op table's forwards and VJPs, the engine's bookkeeping (reading
parameters, setting and accumulating .grad), the replayed optimizer step(), and what the
whole replay costs beyond its steps (the loop, the call). The whole compiled step and the
floor's step are timed the same way, one call at a time, alternating with the replays.
"""

import argparse
from time import perf_counter

from . import compiled, floor
from .measure import GROUPS

KINDS = ("op forwards", "op VJPs and sums", ".grad and parameter reads", "replayed calls")


def _kind(text):
    name = text.split("= ", 1)[-1]
    if name.startswith("call "):
        return KINDS[3]
    if name.startswith(("read", "set .grad", "accumulate_grad")):
        return KINDS[2]
    return KINDS[1] if ".vjp" in name or name.startswith("add(") else KINDS[0]


def main():
    workloads = {w.name: w for w in GROUPS["tensor"] if "compiled" in w.engines}
    parser = argparse.ArgumentParser(prog="python -m benchmarks.replay")
    parser.add_argument("workload", nargs="?", default="tiny_b32", choices=list(workloads))
    parser.add_argument("--replays", type=int, default=2000)
    args = parser.parse_args()
    workload = workloads[args.workload]
    step = compiled.BUILDERS[workload.kind](*workload.arguments())
    floor_step = floor.BUILDERS[workload.kind](*workload.arguments())
    step(), floor_step()
    (trace,) = [t for kept in step.compiled._traces.values() for t in kept]
    best = [float("inf")] * len(trace.steps)
    whole, floor_whole = float("inf"), float("inf")
    for _ in range(args.replays):
        slots = trace.constants.copy()
        slots[0] = set()
        for i, data_slot, _ in trace.bindings:
            slots[data_slot] = step.arguments[i]
        for k, (fn, read, write) in enumerate(trace.program):
            start = perf_counter()
            result = fn(*read(slots))
            best[k] = min(best[k], perf_counter() - start)
            if write is not None:
                slots[write] = result
        start = perf_counter()
        step()
        whole = min(whole, perf_counter() - start)
        start = perf_counter()
        floor_step()
        floor_whole = min(floor_whole, perf_counter() - start)
    totals = dict.fromkeys(KINDS, 0.0)
    for s, seconds in zip(trace.steps, best):
        totals[_kind(s.text)] += seconds
    print(f"{workload.title}: {len(trace.steps)} replayed steps, minima over {args.replays}")
    for kind, seconds in totals.items():
        print(f"  {kind:28}{seconds * 1e6:8.1f} µs  {seconds / floor_whole:5.2f}x the floor")
    rest = whole - sum(totals.values())
    print(f"  {'whole minus the steps':28}{rest * 1e6:8.1f} µs  {rest / floor_whole:5.2f}x")
    print(f"  {'whole compiled step':28}{whole * 1e6:8.1f} µs  {whole / floor_whole:5.2f}x")
    print(f"  {'numpy floor':28}{floor_whole * 1e6:8.1f} µs")


if __name__ == "__main__":
    main()
