"""PyTorch's spellings beside numpy's: dim= for axis= and keepdim= for keepdims=, max(dim=)
as a (values, indices) pair, Tensor's methods that only PyTorch has, and what to write for
PyTorch names spelled differently here."""

import functools
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from . import ops

if TYPE_CHECKING:  # for the annotations only: tensor.py imports this module
    from .tensor import Tensor

ALIASES = {"dim": "axis", "keepdim": "keepdims"}


def numpy_names(name: str, kwargs: dict) -> dict:
    """kwargs with dim= and keepdim= renamed; both names of one argument is a TypeError."""
    for torch_name, numpy_name in ALIASES.items():
        if torch_name in kwargs:
            if numpy_name in kwargs:
                raise TypeError(
                    f"{name}() got both {numpy_name}= and {torch_name}= "
                    f"(PyTorch's name for {numpy_name}); give one of them"
                )
            kwargs[numpy_name] = kwargs.pop(torch_name)
    return kwargs


def axis_or_dim(fn):
    """Let fn, which takes axis= and keepdims=, take PyTorch's dim= and keepdim= as well.

    fn keeps its signature for help().
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if kwargs:
            kwargs = numpy_names(fn.__name__, kwargs)
        return fn(*args, **kwargs)

    return wrapper


class ValuesIndices(NamedTuple):
    """What x.max(dim=d) and x.min(dim=d) return, like PyTorch's torch.return_types.max."""

    values: Any
    indices: Any


def indices_with_dim(arg_name: str):
    """For max or min: with PyTorch's keyword dim= they return (values, indices) as PyTorch's
    do; with axis= or a positional axis, the values as numpy's do. arg_name: "argmax"."""

    def decorate(extremum):
        @functools.wraps(extremum)
        def method(self, *args, **kwargs):
            if "dim" not in kwargs:
                return extremum(self, *args, **kwargs)
            kwargs = numpy_names(extremum.__name__, kwargs)
            return _values_and_indices(self, extremum.__name__, arg_name, *args, **kwargs)

        return method

    return decorate


def _values_and_indices(x, name, arg_name, axis, keepdims=False) -> ValuesIndices:
    """The extremum along axis and its index. The values are x gathered at the indices, so the
    gradient goes to the entry the index names (the first at ties), as PyTorch's does."""
    if not isinstance(axis, int | np.integer):
        raise TypeError(
            f"{name}(dim=...) takes one int dim and returns (values, indices), got {axis!r}; "
            f"{name}(axis=...) gives the values over several axes"
        )
    indices = getattr(x, arg_name)(axis, keepdims=True)
    grid = list(np.indices(indices.shape, sparse=True))
    grid[axis] = indices.data
    values = x[tuple(grid)]
    if not keepdims:
        values, indices = values.squeeze(axis), indices.squeeze(axis)
    return ValuesIndices(values, indices)


# PyTorch Tensor methods that have no method of that name here, and what to write instead.
INSTEAD = {
    "add": "write x + y",
    "sub": "write x - y",
    "mul": "write x * y",
    "div": "write x / y",
    "pow": "write x ** y",
    "matmul": "write x @ y",
    "mm": "write x @ y",
    "eq": "write x == y",
    "expand": "write x.broadcast_to(shape)",
    "masked_fill": "write ag.where(mask, value, x)",
    "cuda": "tensors here are numpy arrays on the CPU, the only device",
    "contiguous": "not needed, view() and reshape() take any layout",
}


def missing_attribute(owner: object, name: str) -> AttributeError:
    """The AttributeError for a name owner lacks, saying what to use for a PyTorch name."""
    message = f"'{type(owner).__name__}' object has no attribute '{name}'"
    if name in INSTEAD:
        message += f" (PyTorch's {name}: {INSTEAD[name]})"
    return AttributeError(message, name=name, obj=owner)


class TorchMethods:
    """The methods of Tensor that only PyTorch has (numel, to, clone, ...), and the
    AttributeError saying what to write for the PyTorch names it lacks."""

    __slots__ = ()

    def t(self) -> "Tensor":
        """The transpose of a matrix; 0-d and 1-d tensors come back unchanged, as in PyTorch."""
        if self.ndim > 2:
            raise ValueError(
                f"t() transposes tensors of at most 2 dimensions, this one has shape "
                f"{self.shape}; use permute(*dims) or transpose(*axes)"
            )
        return self.transpose()

    def numel(self) -> int:
        return self.size

    def dim(self) -> int:
        return self.ndim

    def float(self) -> "Tensor":
        return self.astype(np.float32)

    def double(self) -> "Tensor":
        return self.astype(np.float64)

    def to(self, dtype) -> "Tensor":
        """astype(dtype); the device "cpu" changes nothing (numpy has no other device)."""
        if isinstance(dtype, str) and dtype.partition(":")[0] in ("cpu", "cuda", "mps"):
            if dtype != "cpu":
                raise ValueError(f"tensors here are numpy arrays on the CPU; no device {dtype!r}")
            return self
        return self.astype(dtype)

    def clone(self) -> "Tensor":
        """A copy in new memory that stays in the graph: astype always copies, and its
        gradient is the identity."""
        return self._apply(ops.astype, (self,), (self.dtype,))

    def __getattr__(self, name):
        """Called only for a name Tensor lacks: for PyTorch's, say what to write instead."""
        raise missing_attribute(self, name)
