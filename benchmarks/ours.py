"""This engine's workloads, written as a user would: nn modules, losses and optimizers."""

import autograd as ag
import nn
import nn.functional as F
from autograd import Scalar, Tensor

from . import moons


def _mlp(params):
    """nn.MLP with ReLU between the layers, starting from the given (weight, bias) arrays."""
    model = nn.MLP([params[0].shape[1], *[w.shape[0] for w in params[0::2]]])
    model.load_state_dict(dict(zip(model.state_dict(), params)))
    return model


def _training_step(params, x, target, lr, loss_fn, kept=None):
    model = _mlp(params)
    optimizer = nn.optim.SGD(model.parameters(), lr=lr)
    x = Tensor(x)

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), target)
        loss.backward()
        optimizer.step()
        if kept is not None:
            kept.append(loss)
        return loss.item()

    return step


def classifier(params, x, y, lr):
    return _training_step(params, x, y, lr, F.cross_entropy)


def classifier_keeping_losses(params, x, y, lr):
    """The classifier's step, every loss kept in a list (a user's log of them)."""
    return _training_step(params, x, y, lr, F.cross_entropy, kept=[])


def binary(params, x, t, lr):
    return _training_step(params, x, t, lr, F.binary_cross_entropy_with_logits)


def _add(a, b):
    def step():
        c = a + b
        c.backward()

    return step


def add():
    """c = a + b; c.backward() on one-element Tensors."""
    return _add(Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True))


def add_scalar():
    return _add(Scalar(1.0), Scalar(2.0))


def moons_demo():
    return moons.demo_step(moons.MLP(Scalar), Scalar)


def chain(n):
    """x = x * 1.0001 + 0.0001, n times, then backward; returns dx_n/dx_0."""

    def step():
        x = y = Scalar(1.0)
        for _ in range(n):
            y = y * 1.0001 + 0.0001
        y.backward()
        return x.grad

    return step


def _big_graph(layers):
    """A `layers`-deep MLP of width 4 on 2 rows, summed: 4 values a layer (2,500: 10,001)."""
    ag.manual_seed(0)
    model = nn.MLP([4] * (layers + 1))
    return model, model(ag.randn(2, 4)).sum()


def draw_source(layers, max_nodes):
    """draw_dot's DOT text of the big graph, module boxes and max_nodes on; its length."""
    model, loss = _big_graph(layers)
    return lambda: len(ag.draw_dot(loss, module=model, max_nodes=max_nodes).source)


def draw_svg(layers, max_nodes):
    """That Digraph rendered to SVG (by `dot`, or the renderer beside the interpreter)."""
    model, loss = _big_graph(layers)
    digraph = ag.draw_dot(loss, module=model, max_nodes=max_nodes)
    return lambda: len(digraph.pipe(format="svg"))


BUILDERS = {
    "classifier": classifier,
    "classifier_keeping_losses": classifier_keeping_losses,
    "binary": binary,
    "add": add,
    "add_scalar": add_scalar,
    "moons": moons_demo,
    "chain": chain,
    "draw_source": draw_source,
    "draw_svg": draw_svg,
}
