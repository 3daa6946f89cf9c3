"""Where the batch-64 MLP step's time goes, phase by phase: this engine against the same
arithmetic written in plain numpy (fresh arrays, no fusion beyond ours, no engine), with the
numpy floor's whole step for scale.

    OMP_NUM_THREADS=1 python -m benchmarks.phases [--batch 64] [--steps 2000]

The plain version is what an engine that returns fresh gradient arrays could at best cost;
the numpy floor (benchmarks.floor) is cheaper still, because it writes into buffers it
allocated once and folds the learning rate into the loss gradient. The three run in
alternating blocks of steps (not alternating steps, which would make each evict the other's
arrays from the cache), so that drift in the machine's speed hits them alike.
"""

import argparse
import math
from time import perf_counter

import numpy as np

import nn
import nn.functional as F
from autograd import Tensor

from .floor import BUILDERS
from .measure import classifier_args
from .ours import _mlp

PHASES = ("zero_grad", "forward", "loss", "backward", "step")


def _shifted_logsumexp(z):
    shift = z.max(axis=1, keepdims=True)
    return np.log(np.exp(z - shift).sum(axis=1, keepdims=True)) + shift


def plain(params, x, y, lr):
    """One step of the same arithmetic in numpy; yields at each phase boundary."""
    w1, b1, w2, b2 = [p.copy() for p in params]
    rows = np.arange(len(x))
    while True:
        yield
        h = np.matmul(x, w1.T)
        h += b1
        r = np.maximum(h, 0)
        z = np.matmul(r, w2.T)
        z += b2
        yield
        lse = _shifted_logsumexp(z)
        loss = (lse[:, 0] - z[rows, y]).mean()
        yield
        gz = np.exp(z - lse)
        gz[rows, y] -= 1
        gz *= 1 / len(x)
        gr, gw2, gb2 = gz @ w2, gz.T @ r, gz.sum(0)
        gh = gr * (h > 0)
        gw1, gb1 = gh.T @ x, gh.sum(0)
        yield
        for p, g in ((w1, gw1), (b1, gb1), (w2, gw2), (b2, gb2)):
            p -= lr * g
        yield float(loss)


def ours(params, x, y, lr):
    """One training step of this engine, as benchmarks.ours writes it, phase by phase."""
    model = _mlp(params)
    optimizer = nn.optim.SGD(model.parameters(), lr=lr)
    x = Tensor(x)
    while True:
        optimizer.zero_grad()
        yield
        logits = model(x)
        yield
        loss = F.cross_entropy(logits, y)
        yield
        loss.backward()
        yield
        optimizer.step()
        yield loss.item()


def floor(params, x, y, lr):
    """The numpy floor's step, as one phase: it has no separate backward."""
    step = BUILDERS["classifier"](params, x, y, lr)
    while True:
        yield step()


def main():
    parser = argparse.ArgumentParser(prog="python -m benchmarks.phases")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args()
    runs = {
        name: (make(*classifier_args(args.batch)), phases)
        for name, make, phases in (
            ("ours", ours, PHASES),
            ("plain numpy", plain, PHASES),
            ("numpy floor", floor, ("total",)),
        )
    }
    totals = {name: np.zeros(len(phases)) for name, (_, phases) in runs.items()}
    block = 100
    for i in range(args.steps // block + 1):  # the first block warms up
        for name, (run, phases) in runs.items():
            for _ in range(block):
                times = [perf_counter()]
                for _ in phases:
                    next(run)
                    times.append(perf_counter())
                if i:
                    totals[name] += np.diff(times)
    steps = args.steps // block * block
    print(f"MLP 784-128-10 step, batch {args.batch}: mean µs per phase over {steps} steps")
    print(f"{'':12}" + "".join(f"{phase:>11}" for phase in PHASES) + f"{'total':>11}")
    per_step = {name: total / steps * 1e6 for name, total in totals.items()}
    for name, times in per_step.items():
        cells = times if len(times) == len(PHASES) else [math.nan] * len(PHASES)
        print(f"{name:12}" + "".join(f"{t:11.1f}" for t in cells) + f"{times.sum():11.1f}")
    ours_total, plain_total, floor_total = (t.sum() for t in per_step.values())
    print(
        f"plain / floor {plain_total / floor_total:.2f}x, ours / plain "
        f"{ours_total / plain_total:.2f}x, ours / floor {ours_total / floor_total:.2f}x"
    )


if __name__ == "__main__":
    main()
