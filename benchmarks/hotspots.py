"""Where our engine spends a workload's time: cProfile over repeated steps, top functions.

    python -m benchmarks.hotspots mlp_b64 [--seconds 3] [--top 25] [--sort tottime]

cProfile adds a fixed cost per Python call, so it overstates code made of many tiny calls;
read its shares as where to look, and the timings of `python -m benchmarks` as the truth.
"""

import argparse
import cProfile
import pstats
from time import perf_counter

from . import ours
from .measure import GROUPS


def main():
    workloads = {w.name: w for group in GROUPS.values() for w in group}
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hotspots")
    parser.add_argument("workload", choices=list(workloads))
    parser.add_argument("--seconds", type=float, default=3.0, help="how long to profile")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    args = parser.parse_args()
    workload = workloads[args.workload]
    step = ours.BUILDERS[workload.kind](*workload.arguments())
    step()
    profile, steps, start = cProfile.Profile(), 0, perf_counter()
    while perf_counter() - start < args.seconds:
        profile.runcall(step)
        steps += 1
    print(f"{workload.title}: {steps} steps profiled")
    pstats.Stats(profile).strip_dirs().sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
