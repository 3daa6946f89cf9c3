"""micrograd (Karpathy's package) on the scalar workloads; imported only when it is installed."""

import sys

from micrograd.engine import Value
from micrograd.nn import MLP

from . import moons


def add_scalar():
    a, b = Value(1.0), Value(2.0)

    def step():
        c = a + b
        c.backward()

    return step


def moons_demo():
    return moons.demo_step(MLP(moons.SIZES[0], list(moons.SIZES[1:])), Value)


def _chain(n):
    x = y = Value(1.0)
    for _ in range(n):
        y = y * 1.0001 + 0.0001
    y.backward()
    return x.grad


def chain(n):
    """The chain, timed with the recursion limit raised for micrograd's recursive toposort.

    step.note records whether it fails at the default limit.
    """

    def step():
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 4 * n + 1000))  # a frame per node on the longest path
        try:
            return _chain(n)
        finally:
            sys.setrecursionlimit(limit)

    try:
        _chain(n)
        step.note = "runs at the default recursion limit"
    except RecursionError:
        step.note = f"RecursionError at the default limit ({sys.getrecursionlimit()}); timed raised"
    return step


BUILDERS = {"add_scalar": add_scalar, "moons": moons_demo, "chain": chain}
