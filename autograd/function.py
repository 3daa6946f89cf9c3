"""Custom ops: subclass Function with static forward(ctx, ...) and backward(ctx, ...)."""

import numpy as np

from .mode import no_grad
from .operands import _lift
from .tensor import Tensor
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
    """The op record of one Function.apply call: its backward gives all cotangents at once.

    Its inputs are the Tensor arguments of apply; arg_types has one entry per argument: None
    for a Tensor, else the argument's type name.
    """

    def __init__(self, function, ctx, arg_types):
        super().__init__(function.__name__, None, reads=None)
        self.function, self.ctx, self.arg_types = function, ctx, arg_types

    def cotangents(self, args, inputs, wanted):
        """Call the user's backward once, with Tensors, and check what it returns."""
        graph, g = args[0].records, args[1]
        grads = self.function.backward(self.ctx, g if graph else Tensor._as_value(g))
        grads = grads if isinstance(grads, tuple) else (grads,)
        if len(grads) != len(self.arg_types):
            raise RuntimeError(
                f"{self.name}.backward returned {len(grads)} gradients for "
                f"{len(self.arg_types)} arguments of forward"
            )
        pairs, tensors = [], iter(inputs)
        for i, (g_i, arg_type) in enumerate(zip(grads, self.arg_types)):
            x = next(tensors) if arg_type is None else None
            if g_i is None:
                continue
            if arg_type is not None:
                raise RuntimeError(
                    f"{self.name}.backward returned a gradient for argument {i}, which is a "
                    f"{arg_type}, not a Tensor: return None for it"
                )
            if x._requires_grad and (wanted is None or x in wanted):
                g_i = _checked(self.name, i, _lift(g_i, x), x)
                pairs.append((x, g_i if graph else g_i._data))
        return pairs


def _checked(name, i, g, x):
    """g, cast to x's dtype, if it has x's shape."""
    if g is None or g.shape != x.shape:
        shape = None if g is None else g.shape
        raise RuntimeError(f"{name}.backward: gradient {i} has shape {shape}, input has {x.shape}")
    return g.astype(x.dtype)


class Function:
    """Base class for an op with a hand-written derivative.

    forward(ctx, *args) runs without recording and returns one Tensor or array; numpy arrays
    reach it as constant Tensors, other arguments (numbers, tuples, strings, None) unchanged.
    backward(ctx, grad) returns one gradient per argument: None for those that are not Tensors
    or need none. Written with Tensor ops, backward is itself differentiable.
    """

    @staticmethod
    def forward(ctx, *inputs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args):
        # an array stands for a constant tensor, as it does beside Tensors everywhere else
        args = tuple(Tensor(x) if isinstance(x, np.ndarray) else x for x in args)
        ctx = Context(tuple(isinstance(x, Tensor) and x.requires_grad for x in args))
        with no_grad():
            result = cls.forward(ctx, *args)
        if isinstance(result, tuple | list):
            raise TypeError(f"{cls.__name__}.forward must return one Tensor, not several")
        data = result._data if isinstance(result, Tensor) else np.asarray(result)
        tensors = tuple(x for x in args if isinstance(x, Tensor))
        arg_types = tuple(None if isinstance(x, Tensor) else type(x).__name__ for x in args)
        out = Tensor._from_data(data)
        out._record(_FunctionOp(cls, ctx, arg_types), tensors, ())
        return out
