"""micrograd's moons demo step, written once for any scalar value class.

The network mirrors micrograd.nn (neurons of scalar weights, ReLU on hidden layers), so an
engine's Scalar and micrograd's Value build the same graph from the same code.
"""

import random

from nn.data import make_moons

SIZES = (2, 16, 16, 1)


class Neuron:
    def __init__(self, n_in, value, nonlinear):
        self.w = [value(0.0) for _ in range(n_in)]
        self.b = value(0.0)
        self.nonlinear = nonlinear

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlinear else act

    def parameters(self):
        return [*self.w, self.b]


class MLP:
    """micrograd.nn.MLP(2, [16, 16, 1]) with weights of the given value class."""

    def __init__(self, value, sizes=SIZES):
        self.layers = [
            [Neuron(n_in, value, i < len(sizes) - 2) for _ in range(n_out)]
            for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]))
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = [neuron(x) for neuron in layer]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for neuron in layer for p in neuron.parameters()]


def initial_weights(n, seed=0):
    """The starting values every engine copies: U(-1, 1), as micrograd draws them."""
    rng = random.Random(seed)
    return [rng.uniform(-1, 1) for _ in range(n)]


def demo_step(model, value, lr=0.1, alpha=1e-4, n_samples=100):
    """A step function: the full-batch hinge loss + alpha * L2, backward, and SGD."""
    X, y = make_moons(n_samples, noise=0.1, seed=0)
    X, y = X.astype(float).tolist(), [2 * int(label) - 1 for label in y]
    params = model.parameters()
    for p, w in zip(params, initial_weights(len(params))):
        p.data = w

    def step():
        inputs = [[value(a) for a in row] for row in X]
        scores = [model(row) for row in inputs]
        losses = [(1 + -yi * score).relu() for yi, score in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        total = data_loss + alpha * sum(p * p for p in params)
        for p in params:
            p.grad = 0.0
        total.backward()
        for p in params:
            p.data -= lr * p.grad
        return total.data

    return step
