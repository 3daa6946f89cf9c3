"""PyTorch's spellings beside numpy's: dim= for axis= and keepdim= for keepdims=, max(dim=)
as a (values, indices) pair, and what to write for PyTorch names spelled differently here."""

import functools
from typing import Any, NamedTuple

import numpy as np

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
            kwargs = numpy_names(fn.__qualname__, kwargs)
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
            kwargs = numpy_names(extremum.__qualname__, kwargs)
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
