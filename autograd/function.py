"""Custom ops: subclass Function with static forward(ctx, ...) and backward(ctx, ...)."""

import numpy as np

from .mode import no_grad
from .tensor import Tensor, _lift
from .value import Op


class Context:
    """Carries what forward saves for backward."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self._saved = ()

    def save_for_backward(self, *tensors):
        self._saved = tensors

    @property
    def saved_tensors(self):
        return self._saved


class _FunctionOp(Op):
    """The op record of one Function.apply call: its backward gives all cotangents at once."""

    def __init__(self, function, ctx, result):
        super().__init__(function.__name__, lambda *inputs: result, reads=None)
        self.function, self.ctx = function, ctx

    def cotangents(self, args, inputs, wanted):
        """Call the user's backward once, with Tensors, and check what it returns."""
        g = args[0]
        graph = isinstance(g, Tensor)
        grads = self.function.backward(self.ctx, g if graph else Tensor._as_value(g))
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) != len(inputs):
            raise RuntimeError(
                f"{self.name}.backward returned {len(grads)} gradients for {len(inputs)} inputs"
            )
        pairs = []
        for i, (g_i, x) in enumerate(zip(grads, inputs)):
            if g_i is not None and x._requires_grad and (wanted is None or x in wanted):
                g_i = _checked(self.name, i, _lift(g_i, x), x)
                pairs.append((x, g_i if graph else g_i._data))
        return pairs


def _checked(name, i, g, x):
    if g is None or g.shape != x.shape:
        shape = None if g is None else g.shape
        raise RuntimeError(f"{name}.backward: gradient {i} has shape {shape}, input has {x.shape}")
    return g


class Function:
    """Base class for an op with a hand-written derivative.

    forward(ctx, *inputs) runs without recording and returns one Tensor or array;
    backward(ctx, grad) returns one gradient per input (None where there is none).
    Written with Tensor ops, backward is itself differentiable.
    """

    @staticmethod
    def forward(ctx, *inputs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs):
        tensors = tuple(x if isinstance(x, Tensor) else Tensor(x) for x in inputs)
        ctx = Context(tuple(t.requires_grad for t in tensors))
        with no_grad():
            result = cls.forward(ctx, *tensors)
        if isinstance(result, tuple | list):
            raise TypeError(f"{cls.__name__}.forward must return one Tensor, not several")
        data = result._data if isinstance(result, Tensor) else np.asarray(result)
        return Tensor._apply(_FunctionOp(cls, ctx, data), tensors)
