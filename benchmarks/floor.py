"""The floor: each workload written by hand for itself, with no engine.

The training steps in numpy: float32 throughout, every buffer allocated once, the loss
gradient fused with the loss (softmax-CE: p - onehot; BCE with logits: sigmoid - t) and the
learning rate folded into it, so the backward matmuls produce lr * grad and the update is one
in-place subtraction. The scalar chain in plain Python: the same graph of one object per
value, sorted and swept back by a minimal reverse mode, to show what such a graph costs, and
how that grows with its size, before any engine's own work.
"""

import numpy as np


class _MLP:
    """Linear layers with ReLU between them, trained one batch at a time."""

    def __init__(self, params, batch):
        self.weights = [np.array(w, np.float32) for w in params[0::2]]
        self.biases = [np.array(b, np.float32) for b in params[1::2]]
        self.outs = [np.empty((batch, len(b)), np.float32) for b in self.biases]
        self.grads = [np.empty_like(out) for out in self.outs]
        self.masks = [np.empty_like(out) for out in self.outs[:-1]]
        self.weight_steps = [np.empty_like(w) for w in self.weights]
        self.bias_steps = [np.empty_like(b) for b in self.biases]

    def forward(self, x):
        """Logits for x; keeps the activations for backward."""
        self.inputs = [x, *self.outs[:-1]]
        last = len(self.weights) - 1
        for i, (w, b, out) in enumerate(zip(self.weights, self.biases, self.outs)):
            np.matmul(self.inputs[i], w.T, out=out)
            out += b
            if i < last:
                np.maximum(out, 0, out=out)
        return self.outs[-1]

    def backward_and_update(self):
        """Propagate self.grads[-1] (already lr * dloss/dlogits) and subtract the steps."""
        for i in reversed(range(len(self.weights))):
            g, w = self.grads[i], self.weights[i]
            np.matmul(g.T, self.inputs[i], out=self.weight_steps[i])
            np.add.reduce(g, axis=0, out=self.bias_steps[i])
            if i:
                np.matmul(g, w, out=self.grads[i - 1])
                np.sign(self.inputs[i], out=self.masks[i - 1])  # 1 where the ReLU was active
                self.grads[i - 1] *= self.masks[i - 1]
            w -= self.weight_steps[i]
            self.biases[i] -= self.bias_steps[i]


def classifier(params, x, y, lr):
    """One SGD step on softmax cross-entropy with integer targets y; returns the loss."""
    net, batch = _MLP(params, len(x)), len(x)
    p = net.grads[-1]
    flat_p, picks = p.reshape(-1), np.arange(batch) * p.shape[1] + y  # p[i, y[i]] = flat_p[picks]
    row_max, row_sum = np.empty((batch, 1), np.float32), np.empty((batch, 1), np.float32)
    scale = np.float32(lr / batch)

    def step():
        z = net.forward(x)
        np.maximum.reduce(z, axis=1, keepdims=True, out=row_max)
        np.subtract(z, row_max, out=p)
        picked = flat_p.take(picks)
        np.exp(p, out=p)
        np.add.reduce(p, axis=1, keepdims=True, out=row_sum)
        loss = float(np.log(row_sum).sum() - picked.sum()) / batch
        np.divide(scale, row_sum, out=row_sum)
        np.multiply(p, row_sum, out=p)  # lr * softmax / batch
        flat_p[picks] -= scale
        net.backward_and_update()
        return loss

    return step


def binary(params, x, t, lr):
    """One SGD step on binary cross-entropy with logits, targets t of the logits' shape."""
    net = _MLP(params, len(x))
    g, scale = net.grads[-1], np.float32(lr / t.size)

    def step():
        z = net.forward(x)
        softplus = np.logaddexp(0, z)
        loss = float(np.add.reduce(softplus - z * t, axis=None)) / t.size
        np.subtract(z, softplus, out=g)
        np.exp(g, out=g)  # sigmoid(z) = exp(z - softplus(z)), stable both ways
        np.subtract(g, t, out=g)
        np.multiply(g, scale, out=g)
        net.backward_and_update()
        return loss

    return step


class _Node:
    """One value of the chain's graph: its data, its inputs with the slope in each, its grad."""

    __slots__ = ("data", "inputs", "slopes", "grad")

    def __init__(self, data, inputs=(), slopes=()):
        self.data, self.inputs, self.slopes, self.grad = data, inputs, slopes, 0.0


def _sweep(root):
    """Depth-first order of the nodes behind root (inputs first), then the gradients back.

    The order comes from a stack of bare nodes: a node goes back under the EMIT mark when
    first reached, its inputs on top, and is emitted when the mark surfaces.
    """
    order, seen, stack, emit = [], set(), [root], object()
    while stack:
        node = stack.pop()
        if node is emit:
            order.append(stack.pop())
        elif node not in seen:
            seen.add(node)
            stack.append(node)
            stack.append(emit)
            for x in node.inputs:
                if x not in seen:
                    stack.append(x)
    root.grad = 1.0
    for node in reversed(order):
        for x, slope in zip(node.inputs, node.slopes):
            x.grad += node.grad * slope


def chain(n):
    """x = x * 1.0001 + 0.0001, n times, as two nodes a link, then backward; dx_n/dx_0."""

    def step():
        x = y = _Node(1.0)
        for _ in range(n):
            y = _Node(y.data * 1.0001, (y,), (1.0001,))
            y = _Node(y.data + 0.0001, (y,), (1.0,))
        _sweep(y)
        return x.grad

    return step


BUILDERS = {"classifier": classifier, "binary": binary, "chain": chain}
