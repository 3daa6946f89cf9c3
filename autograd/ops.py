"""The op table: every primitive, its forward beside its vector-Jacobian products.

A VJP receives m, the maths to compute with, then the output's gradient g, the output, the
inputs and the op's parameters. In a plain backward these are raw data (floats or arrays) and
m is floatmath or arraymath; under create_graph=True they are graph values and m is their
kind's own ops, so the gradient records a graph and can be differentiated again. A VJP uses
operators, the methods arrays share with Tensor, and m (the `Maths` protocol in value.py).
Everything else is composed from these.
"""

import math
import operator
from types import EllipsisType, NoneType

import numpy as np

from . import arraymath as am
from . import floatmath as fm
from .value import Op

# -- helpers the VJPs share -------------------------------------------------------------


def _unreduce(m, g, shape, axis, keepdims):
    """Spread the gradient of a reduction back over the reduced input's shape."""
    if not keepdims:
        g = g.reshape(am.kept_shape(shape, axis))
    return m.broadcast_to(g, shape)


def _sum_to(g, shape):
    """Sum g down to shape: the adjoint of broadcasting, and the one place it is undone.

    Leading axes are summed away, then the axes where shape has a 1 are summed keeping them.
    """
    lead = g.ndim - len(shape)
    if lead:
        g = _sum_leading(g, lead)
    ones = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(ones, keepdims=True) if ones else g


def _sum_leading(g, lead):
    """g summed over its first lead axes: many rows of a contiguous float array as ones @ g,
    which BLAS runs faster than numpy's row-by-row sum."""
    rows = math.prod(g.shape[:lead])
    if rows >= 256 and type(g) is np.ndarray and g.dtype.char in "fd" and g.flags.c_contiguous:
        rest = g.shape[lead:]
        return (np.ones(rows, g.dtype) @ g.reshape(rows, math.prod(rest))).reshape(rest)
    return g.sum(tuple(range(lead)))


def _extremum_vjp(m, g, out, x, axis, keepdims):
    """d max / dx: the gradient split evenly between the tied extrema, or between the NaNs
    where the extremum is NaN (as PyTorch's max() does)."""
    hit = (m.equal(x, _unreduce(m, out, x.shape, axis, keepdims)) + m.isnan(x)).astype(g.dtype)
    return _unreduce(m, g, x.shape, axis, keepdims) * (hit / hit.sum(axis, keepdims=True))


def _share(m, g, x, y):
    """g where x wins, g / 2 at ties, 0 where x < y: how maximum passes g to x. NaN on
    either side wins, so both get the whole g (PyTorch's rule)."""
    return g * m.logical_not(x < y) - (g * 0.5) * m.equal(x, y)


def _mT(x):
    """Swap the last two axes."""
    axes = list(range(x.ndim))
    axes[-2:] = axes[-1], axes[-2]
    return x.transpose(*axes)


def _per_row(g, target, reduction):
    """The gradient of each row's loss, shaped to multiply the rows: the adjoint of reduction."""
    if reduction == "none":
        return g[..., None]
    return g if reduction == "sum" else g / (target.size or 1)


def _softmax_cross_entropy_vjp(m, g, out, x, target, reduction, softmax):
    """(softmax - one_hot(target)) times each row's share of g. The kept softmax is raw data:
    under create_graph it is computed again from x, so that this is differentiable in turn."""
    scale = _per_row(g, target, reduction)
    if m.records:
        hot = np.zeros(x.shape, dtype=x.dtype)
        am.rows(hot)[am.targets(target)] = 1
        return (m.softmax(x, (x.ndim - 1,)) - hot) * scale
    grad = am.rows(softmax * scale)  # a copy, not a view, when x is not contiguous
    grad[am.targets(target)] -= scale.reshape(-1)
    return grad.reshape(x.shape)


_BCE_EPSILON = float(np.float32(1e-12))  # PyTorch's, a C float


def _bce_vjp(m, g, out, p, t):
    """g (p - t) / max(p (1 - p), 1e-12): PyTorch's BCE gradient, finite at p = 0 and 1 (about
    ±1e12 for a wrong certainty, 0 for a right one) where the clamped logs' would be 0 * inf."""
    return g * (p - t) / m.maximum((1 - p) * p, _BCE_EPSILON)


def _is_basic(index):
    """Whether numpy indexes basically (ints, slices, None, ...), giving a view, not a copy."""
    basic = slice | int | np.integer | NoneType | EllipsisType
    return all(isinstance(i, basic) and type(i) is not bool for i in index)


# -- the table ---------------------------------------------------------------------------
# Shared by Scalar and Tensor (scalar= gives the forward on Python floats).

add = Op("add", np.add, lambda m, g, out, x, y: g, lambda m, g, out, x, y: g,
         scalar=operator.add, reads="")  # fmt: skip
mul = Op("mul", np.multiply, lambda m, g, out, x, y: g * y, lambda m, g, out, x, y: g * x,
         scalar=operator.mul, reads="x y")  # fmt: skip
div = Op("div", np.divide,
         lambda m, g, out, x, y: m.divide(g, y),
         lambda m, g, out, x, y: m.divide(-g * out, y),
         scalar=fm.divide, reads="out y")  # fmt: skip
power = Op("pow", np.power,
           # 0 ** 0: slope 0, not 0 * inf; elsewhere the plain formula, whose own derivative in
           # y is right at y = 0 too
           lambda m, g, out, x, y: g * y * m.power(x, y - 1 + m.equal(y, 0) * m.equal(x, 0)),
           lambda m, g, out, x, y: g * out * m.log(x + m.equal(x, 0)),  # 0 ** y: slope 0 in y
           scalar=fm.power, reads="out x y")  # fmt: skip
neg = Op("neg", np.negative, lambda m, g, out, x: -g, scalar=operator.neg, reads="")
exp = Op("exp", np.exp, lambda m, g, out, x: g * out, scalar=fm.exp, reads="out")
log = Op("log", np.log, lambda m, g, out, x: m.divide(g, x), scalar=fm.log, reads="x")
sqrt = Op("sqrt", np.sqrt, lambda m, g, out, x: m.divide(g, out * 2), scalar=fm.sqrt, reads="out")
sin = Op("sin", np.sin, lambda m, g, out, x: g * m.cos(x), scalar=fm.sin, reads="x")
cos = Op("cos", np.cos, lambda m, g, out, x: -g * m.sin(x), scalar=fm.cos, reads="x")
tanh = Op("tanh", np.tanh, lambda m, g, out, x: g * (1 - out * out), scalar=math.tanh, reads="out")
sigmoid = Op(
    "sigmoid", am.sigmoid, lambda m, g, out, x: g * out * (1 - out), scalar=fm.sigmoid, reads="out"
)
relu = Op("relu", lambda x: np.maximum(x, 0),
          lambda m, g, out, x: g * m.logical_not(x <= 0),  # not x > 0: NaN passes g, as in PyTorch
          scalar=fm.relu, reads="x")  # fmt: skip
absolute = Op(
    "abs", np.abs, lambda m, g, out, x: g * (x > 0) - g * (x < 0), scalar=operator.abs, reads="x"
)

# Tensor only.

maximum = Op("maximum", np.maximum,
             lambda m, g, out, x, y: _share(m, g, x, y),
             lambda m, g, out, x, y: _share(m, g, y, x), reads="x y")  # fmt: skip
minimum = Op("minimum", np.minimum,
             lambda m, g, out, x, y: _share(m, g, y, x),
             lambda m, g, out, x, y: _share(m, g, x, y), reads="x y")  # fmt: skip
where = Op("where", lambda x, y, cond: np.where(cond, x, y),
           lambda m, g, out, x, y, cond: m.where(cond, g, 0),
           lambda m, g, out, x, y, cond: m.where(cond, 0, g), reads="")  # fmt: skip
clip = Op("clip", np.clip, lambda m, g, out, x, lo, hi: g * ((x >= lo) * (x <= hi)), reads="x")
matmul = Op("matmul", np.matmul,
            lambda m, g, out, a, b: g @ _mT(b),
            lambda m, g, out, a, b: _mT(a) @ g, reads="a b")  # fmt: skip
reduce_sum = Op("sum", lambda x, axis, keepdims: np.sum(x, axis=axis, keepdims=keepdims),
                lambda m, g, out, x, axis, keepdims: _unreduce(m, g, x.shape, axis, keepdims),
                reads="")  # fmt: skip
reduce_max = Op("max", lambda x, axis, keepdims: np.max(x, axis=axis, keepdims=keepdims),
                _extremum_vjp, reads="out x")  # fmt: skip
reduce_min = Op("min", lambda x, axis, keepdims: np.min(x, axis=axis, keepdims=keepdims),
                _extremum_vjp, reads="out x")  # fmt: skip
logsumexp = Op("logsumexp", am.logsumexp,
               lambda m, g, out, x, axis, keepdims: (
                   _unreduce(m, g, x.shape, axis, keepdims) * m.softmax(x, axis)),
               reads="x")  # fmt: skip
log_softmax = Op("log_softmax", am.log_softmax,
                 lambda m, g, out, x, axis: g - m.exp(out) * g.sum(axis, keepdims=True),
                 reads="out")  # fmt: skip
astype = Op("astype", lambda x, dtype: x.astype(dtype),
            lambda m, g, out, x, dtype: g.astype(x.dtype), reads="")  # fmt: skip
reshape = Op(
    "reshape", np.reshape, lambda m, g, out, x, shape: g.reshape(x.shape), view=True, reads=""
)
transpose = Op("transpose", np.transpose,
               lambda m, g, out, x, axes: g.transpose(*np.argsort(axes).tolist()),
               view=True, reads="")  # fmt: skip
broadcast_to = Op("broadcast_to", np.broadcast_to,
                  lambda m, g, out, x, shape: _sum_to(g, x.shape), view=True, reads="")  # fmt: skip
getitem = Op("getitem", lambda x, index: x[index],
             lambda m, g, out, x, index: m.scatter(g, index, x.shape), reads="",
             view=_is_basic)  # fmt: skip

# Fused forms of common compositions: fewer nodes and temporaries on the training path.

linear = Op("linear", am.linear,  # x @ w.T + b; b is optional
            lambda m, g, out, x, w, *b: g @ w,
            lambda m, g, out, x, w, *b: am.rows(g).T @ am.rows(x),
            lambda m, g, out, x, w, b: _sum_to(g, b.shape), reads="x w")  # fmt: skip
softmax_cross_entropy = Op("softmax_cross_entropy", am.softmax_cross_entropy,
                           _softmax_cross_entropy_vjp, keeps=True, reads="x")  # fmt: skip
bce = Op("bce", am.bce, _bce_vjp,
         lambda m, g, out, p, t: g * (m.log(1 - p) - m.log(p)),  # -logit p
         reads="p t")  # fmt: skip
bce_with_logits = Op("bce_with_logits", am.bce_with_logits,
                     lambda m, g, out, x, y: g * (m.sigmoid(x) - y),
                     lambda m, g, out, x, y: -g * x, reads="x y")  # fmt: skip

scatter = Op("scatter", am.scatter, lambda m, g, out, x, index, shape: g[index], reads="")


class _Concatenate(Op):
    """Variadic: input i's cotangent is its own slice of g along axis."""

    def cotangents(self, args, inputs, wanted):
        g, axis = args[1], args[-1]
        lead, end, pairs = (slice(None),) * axis, 0, []
        for x in inputs:
            start, end = end, end + x.shape[axis]
            if x._requires_grad and (wanted is None or x in wanted):
                pairs.append((x, g[lead + (slice(start, end),)]))
        return pairs


concatenate = _Concatenate(
    "concatenate",
    lambda *xs_and_axis: np.concatenate(xs_and_axis[:-1], axis=xs_and_axis[-1]),
    reads="",
)

TABLE = {op.name: op for op in globals().values() if isinstance(op, Op)}
