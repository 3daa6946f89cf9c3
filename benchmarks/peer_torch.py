"""PyTorch (CPU, eager) running the same workloads; imported only when torch is installed."""

import os

import torch
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))


def _mlp(params):
    layers = []
    for w, b in zip(params[0::2], params[1::2]):
        linear = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w))
            linear.bias.copy_(torch.from_numpy(b))
        layers += [linear, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


def _training_step(params, x, target, lr, loss_fn, kept=None):
    model = _mlp(params)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    x, target = torch.from_numpy(x), torch.from_numpy(target)

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


def add():
    a = torch.tensor([1.0], requires_grad=True)
    b = torch.tensor([2.0], requires_grad=True)

    def step():
        c = a + b
        c.backward()

    return step


def chain(n):
    def step():
        x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
        y = x
        for _ in range(n):
            y = y * 1.0001 + 0.0001
        y.backward()
        return x.grad.item()

    return step


BUILDERS = {
    "classifier": classifier,
    "classifier_keeping_losses": classifier_keeping_losses,
    "binary": binary,
    "add": add,
    "chain": chain,
}
