"""How an op's arguments become its inputs: numbers and arrays lifted beside a Tensor, dtypes
promoted as PyTorch's, broadcasting made explicit so that no VJP has to undo it."""

import numpy as np

from . import ops
from .dtypes import RANK, as_array, get_default_dtype, number_kind, promoted_dtype
from .mode import state
from .value import Value


def _lift(value, like, copy: bool = True):
    """value as a Tensor next to the Tensor like; None if unsupported.

    A number (Python's or a numpy scalar) takes like's dtype unless it is of a higher kind
    (a float beside integers, an int beside bools): then the default float dtype, or int64.
    An array keeps its dtype; it is copied unless copy=False, so a graph never sees later
    changes to it.
    """
    if type(value) is type(like):  # two Tensors: the common case, first for speed
        return value
    if isinstance(value, Value):  # a value of like's kind as it is (a Tensor beside a Parameter)
        return value if value._raw_math is like._raw_math else None
    kind = number_kind(value)
    if kind is not None:
        dtype = like._data.dtype
        if RANK[kind] > RANK[dtype.kind]:
            dtype = get_default_dtype() if kind == "f" else np.dtype(np.int64)
        return like._from_data(np.asarray(value, dtype=dtype))
    if isinstance(value, np.ndarray | np.generic):
        return like._from_data(as_array(value, copy=copy))
    return None


def _promoted(inputs, floating=False):
    """The inputs cast to the dtype PyTorch gives their result (floating: a floating one).

    The highest kind wins (bool < integer < floating), within it numpy's promotion; the
    dtypes of tensors with dimensions decide before those of 0-d ones, which only count when
    they are of a higher kind: float32 beside a 0-d float64 stays float32, int64 beside a 0-d
    float64 becomes float64. An input that requires grad is cast by the astype op, whose VJP
    casts the gradient back, so a gradient keeps its value's dtype.
    """
    dtype = inputs[0]._data.dtype
    for x in inputs:
        if x._data.dtype != dtype:
            break
    else:
        if not floating or dtype.kind == "f":
            return inputs
    dtype = promoted_dtype(
        [x._data.dtype for x in inputs if x._data.ndim],
        [x._data.dtype for x in inputs if not x._data.ndim],
    )
    if floating and dtype.kind != "f":
        dtype = get_default_dtype()
    return tuple(x if x._data.dtype == dtype else x.astype(dtype) for x in inputs)


def _broadcast_apply(op, inputs, params=(), floating=False):
    """Apply op, first promoting the inputs to one dtype and broadcasting explicitly each input
    that needs a gradient.

    The astype and broadcast_to ops then cast and sum its gradient back, so no VJP deals with
    mixed dtypes or broadcasting.
    """
    inputs = _promoted(inputs, floating)
    shapes = [x._data.shape for x in inputs] + [np.shape(p) for p in params]
    if (
        state.grad_enabled
        and shapes.count(shapes[0]) != len(shapes)
        and any(x._requires_grad for x in inputs)
    ):
        shape = _broadcast_shape(op, shapes)
        inputs = tuple(x.broadcast_to(shape) if x._requires_grad else x for x in inputs)
    try:
        return inputs[0]._apply(op, inputs, params)
    except ValueError:
        _broadcast_shape(op, shapes)  # numpy's message names neither the op nor our shapes
        raise


def _broadcast_shape(op, shapes):
    """The shape shapes broadcast to, or a ValueError naming op and the shapes."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(
            f"{op.name}: shapes {' and '.join(map(str, shapes))} cannot be broadcast together"
        ) from None


def _matmul(a, b):
    """a @ b with numpy's rules: 1-d operands promoted, batch dimensions broadcast."""
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul needs operands with at least one dimension, got {a.shape} and {b.shape}"
        )
    inner = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if a.shape[-1] != inner:
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape} do not align ({a.shape[-1]} != {inner})"
        )
    a, b = _promoted((a, b))
    a2 = a.reshape(1, -1) if a.ndim == 1 else a
    b2 = b.reshape(-1, 1) if b.ndim == 1 else b
    batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    if state.grad_enabled:
        a2, b2 = (x.broadcast_to(batch + x.shape[-2:]) if x._requires_grad else x for x in (a2, b2))
    out = a2._apply(ops.matmul, (a2, b2))
    shape = batch + a.shape[-2:-1] + b.shape[-1:] if b.ndim > 1 else batch + a.shape[-2:-1]
    return out.reshape(shape)
