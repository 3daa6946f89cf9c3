"""The op table: every primitive, its forward beside its vector-Jacobian products.

A VJP receives the output's gradient g, the output, the inputs and the op's parameters,
all as graph values, and uses only the engine's own ops. So the same formula runs in a
plain backward (no graph recorded) and builds a graph under create_graph=True, which
makes every derivative differentiable again. Everything else is composed from these.
"""

import math
import operator

import numpy as np

from . import floatmath as fm
from . import tensor as _tensor  # where() and scatter() for two VJPs; resolved at call time
from .value import Op

# -- helpers the VJPs share -------------------------------------------------------------


def _kept_shape(shape, axis):
    """The shape of a reduction over axis with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def _unreduce(g, shape, axis, keepdims):
    """Spread the gradient of a reduction back over the reduced input's shape."""
    if not keepdims:
        g = g.reshape(_kept_shape(shape, axis))
    return g.broadcast_to(shape)


def _sum_to(g, shape):
    """Sum g down to shape: the adjoint of broadcasting, and the one place it is undone."""
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1
    )
    return g.sum(axes, keepdims=True).reshape(shape) if axes else g


def _extremum_vjp(g, out, x, axis, keepdims):
    """d max / dx: the gradient split evenly between the tied extrema."""
    hit = (x == _unreduce(out, x.shape, axis, keepdims)).astype(g.dtype)
    return _unreduce(g, x.shape, axis, keepdims) * (hit / hit.sum(axis, keepdims=True))


def _wins(x, y):
    """1 where x > y, 0.5 at ties, 0 elsewhere: how maximum shares its gradient."""
    return (x > y) + 0.5 * (x == y)


def _is_zero(x):
    return (x >= 0) * (x <= 0)


def _mT(x):
    """Swap the last two axes."""
    axes = list(range(x.ndim))
    axes[-2:] = axes[-1], axes[-2]
    return x.transpose(*axes)


def _sigmoid(x):
    """1 / (1 + e^-x) without overflow for large |x|."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def _scatter(g, index, shape):
    """Zeros of shape with g added at index; repeated indices add up."""
    out = np.zeros(shape, dtype=g.dtype)
    if any(isinstance(i, np.ndarray) and i.dtype.kind in "iu" for i in index):
        np.add.at(out, index, g)
    else:
        out[index] = g
    return out


# -- the table ---------------------------------------------------------------------------
# Shared by Scalar and Tensor (scalar= gives the forward on Python floats).

add = Op("add", np.add, lambda g, out, x, y: g, lambda g, out, x, y: g, scalar=operator.add)
mul = Op("mul", np.multiply, lambda g, out, x, y: g * y, lambda g, out, x, y: g * x,
         scalar=operator.mul)  # fmt: skip
div = Op("div", np.divide, lambda g, out, x, y: g / y, lambda g, out, x, y: -g * out / y,
         scalar=fm.div)  # fmt: skip
pow = Op("pow", np.power,
         lambda g, out, x, y: g * y * x ** (y - 1),
         lambda g, out, x, y: g * out * (x + _is_zero(x)).log(),  # 0 ** y: slope 0 in y
         scalar=fm.power)  # fmt: skip
neg = Op("neg", np.negative, lambda g, out, x: -g, scalar=operator.neg)
exp = Op("exp", np.exp, lambda g, out, x: g * out, scalar=fm.exp)
log = Op("log", np.log, lambda g, out, x: g / x, scalar=fm.log)
sqrt = Op("sqrt", np.sqrt, lambda g, out, x: g / (out * 2), scalar=fm.sqrt)
sin = Op("sin", np.sin, lambda g, out, x: g * x.cos(), scalar=fm.sin)
cos = Op("cos", np.cos, lambda g, out, x: -g * x.sin(), scalar=fm.cos)
tanh = Op("tanh", np.tanh, lambda g, out, x: g * (1 - out * out), scalar=math.tanh)
sigmoid = Op("sigmoid", _sigmoid, lambda g, out, x: g * out * (1 - out), scalar=fm.sigmoid)
relu = Op("relu", lambda x: np.maximum(x, 0), lambda g, out, x: g * (x > 0), scalar=fm.relu)
abs = Op("abs", np.abs, lambda g, out, x: g * (x > 0) - g * (x < 0), scalar=operator.abs)

# Tensor only.

maximum = Op("maximum", np.maximum,
             lambda g, out, x, y: g * _wins(x, y), lambda g, out, x, y: g * _wins(y, x))  # fmt: skip
minimum = Op("minimum", np.minimum,
             lambda g, out, x, y: g * _wins(y, x), lambda g, out, x, y: g * _wins(x, y))  # fmt: skip
where = Op("where", lambda x, y, cond: np.where(cond, x, y),
           lambda g, out, x, y, cond: _tensor.where(cond, g, 0),
           lambda g, out, x, y, cond: _tensor.where(cond, 0, g))  # fmt: skip
clip = Op("clip", np.clip, lambda g, out, x, lo, hi: g * ((x >= lo) * (x <= hi)))
matmul = Op("matmul", np.matmul,
            lambda g, out, a, b: g @ _mT(b), lambda g, out, a, b: _mT(a) @ g)  # fmt: skip
sum = Op("sum", lambda x, axis, keepdims: np.sum(x, axis=axis, keepdims=keepdims),
         lambda g, out, x, axis, keepdims: _unreduce(g, x.shape, axis, keepdims))  # fmt: skip
max = Op("max", lambda x, axis, keepdims: np.max(x, axis=axis, keepdims=keepdims),
         _extremum_vjp)  # fmt: skip
min = Op("min", lambda x, axis, keepdims: np.min(x, axis=axis, keepdims=keepdims),
         _extremum_vjp)  # fmt: skip
astype = Op("astype", lambda x, dtype: x.astype(dtype),
            lambda g, out, x, dtype: g.astype(x.dtype))  # fmt: skip
reshape = Op("reshape", np.reshape, lambda g, out, x, shape: g.reshape(x.shape), view=True)
transpose = Op("transpose", np.transpose,
               lambda g, out, x, axes: g.transpose(*np.argsort(axes).tolist()), view=True)  # fmt: skip
broadcast_to = Op("broadcast_to", np.broadcast_to,
                  lambda g, out, x, shape: _sum_to(g, x.shape), view=True)  # fmt: skip
getitem = Op("getitem", lambda x, index: x[index],
             lambda g, out, x, index: _tensor.scatter(g, index, x.shape), view=True)  # fmt: skip
scatter = Op("scatter", _scatter, lambda g, out, x, index, shape: g[index])


class _Concatenate(Op):
    """Variadic: input i's cotangent is its own slice of g along axis."""

    def cotangents(self, g, out, inputs, params, needed):
        (axis,) = params
        ends = np.cumsum([x.shape[axis] for x in inputs]).tolist()
        lead = (slice(None),) * axis
        return [
            g[lead + (slice(end - x.shape[axis], end),)] if need else None
            for x, end, need in zip(inputs, ends, needed)
        ]


concatenate = _Concatenate("concatenate", lambda *xs_and_axis: np.concatenate(
    xs_and_axis[:-1], axis=xs_and_axis[-1]))  # fmt: skip

TABLE = {op.name: op for op in globals().values() if isinstance(op, Op)}
