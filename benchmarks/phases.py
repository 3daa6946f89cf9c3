"""Where the batch-64 MLP step's time goes, phase by phase: this engine against the same
arithmetic written in plain numpy (fresh arrays, no fusion beyond ours, no engine).

    OMP_NUM_THREADS=1 python -m benchmarks.phases [--batch 64] [--steps 2000]

The plain version is what an engine that returns fresh gradient arrays could at best cost;
the numpy floor (benchmarks.floor) is cheaper still, because it writes into buffers it
allocated once and folds the learning rate into the loss gradient.
"""

import argparse
from time import perf_counter

import numpy as np

import nn
import nn.functional as F
from autograd import Tensor

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


def main():
    parser = argparse.ArgumentParser(prog="python -m benchmarks.phases")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args()
    runs = {
        name: make(*classifier_args(args.batch))
        for name, make in (("ours", ours), ("plain numpy", plain))
    }
    totals = {name: np.zeros(len(PHASES)) for name in runs}
    for step in range(args.steps + 100):  # the first 100 steps warm up
        for name, run in runs.items():  # alternate, so drift in the machine hits both alike
            times = [perf_counter()]
            for _ in PHASES:
                next(run)
                times.append(perf_counter())
            if step >= 100:
                totals[name] += np.diff(times)
    print(f"MLP 784-128-10 step, batch {args.batch}: mean µs per phase over {args.steps} steps")
    print(f"{'':12}" + "".join(f"{phase:>11}" for phase in PHASES) + f"{'total':>11}")
    for name, total in totals.items():
        per_step = total / args.steps * 1e6
        print(f"{name:12}" + "".join(f"{t:11.1f}" for t in per_step) + f"{per_step.sum():11.1f}")


if __name__ == "__main__":
    main()
