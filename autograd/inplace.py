"""Tensor's in-place methods (x.add_(y), x += y, x[i] = v): they record no graph, so they
refuse what would corrupt one."""

from typing import TYPE_CHECKING

import numpy as np

from .axes import _index
from .mode import state
from .operands import _lift

if TYPE_CHECKING:  # for the annotations only: tensor.py imports this module
    from .tensor import Tensor


def _in_place(name, ufunc):
    """A method updating the data with ufunc in place: add_, or x += y (as PyTorch's, not a
    rebinding)."""

    def method(self, other) -> "Tensor":
        return self._inplace(name, ufunc, other)

    return method


class InPlace:
    """The in-place methods of Tensor."""

    __slots__ = ()

    add_, sub_ = _in_place("add_", np.add), _in_place("sub_", np.subtract)
    mul_, div_ = _in_place("mul_", np.multiply), _in_place("div_", np.divide)
    __iadd__, __isub__ = _in_place("+=", np.add), _in_place("-=", np.subtract)
    __imul__, __itruediv__ = _in_place("*=", np.multiply), _in_place("/=", np.divide)

    def zero_(self) -> "Tensor":
        return self._inplace("zero_", lambda data, _, out: out.fill(0), 0)

    def fill_(self, value) -> "Tensor":
        return self._inplace("fill_", lambda data, v, out: np.copyto(out, v), value)

    def __setitem__(self, index, value):
        def assign(data, v, out):
            out[_index(index)] = v

        self._inplace("__setitem__", assign, value)

    def _inplace(self, name, update, other):
        """Change the data in place, refusing what would corrupt a recorded graph."""
        other = _lift(other, self, copy=False)  # read once, right now
        if other is None:
            raise TypeError(f"{name}: unsupported operand type")
        if state.grad_enabled:
            if self._requires_grad and self._op is None:
                raise RuntimeError(
                    f"a leaf Tensor that requires grad is being used in an in-place operation "
                    f"({name}); do it inside `with ag.no_grad():`"
                )
            if self._requires_grad:
                raise RuntimeError(
                    f"{name}: in-place ops on a tensor recorded in a graph are not supported; "
                    "use the out-of-place form"
                )
            if other._requires_grad:
                raise RuntimeError(
                    f"{name}: the operand requires grad, but in-place ops record no graph; "
                    "write x = x + y instead"
                )
        try:
            update(self._data, other._data, out=self._data)
        except TypeError:  # numpy's refusal to cast the result back (as PyTorch refuses)
            raise RuntimeError(
                f"{name}: the result cannot be stored in place in a tensor of dtype {self.dtype} "
                f"(the operand is {other.dtype}); compute it out of place, as a new tensor"
            ) from None
        self._version[0] += 1
        return self
