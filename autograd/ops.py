"""The op table: every primitive, its forward beside its vector-Jacobian products.

A VJP receives the output's gradient g, the output, the inputs and the op's parameters,
all as graph values, and uses only the engine's own ops. So the same formula runs in a
plain backward (no graph recorded) and builds a graph under create_graph=True, which
makes every derivative differentiable again. Everything else is composed from these.
"""

import math
import operator
import sys
from types import EllipsisType, NoneType

import numpy as np

from . import floatmath as fm
from .value import Op, Value

# -- helpers the VJPs share -------------------------------------------------------------
# A VJP runs on graph values under create_graph=True and on raw floats or arrays otherwise,
# so it uses operators and the methods numpy arrays share with Tensor; the few functions
# that differ go through these.


def _tensor():
    """The tensor module, imported late because it imports this one."""
    return sys.modules[__package__ + ".tensor"]


def _cos(x):
    return x.cos() if isinstance(x, Value) else cos.scalar(x) if type(x) is float else np.cos(x)


def _sin(x):
    return x.sin() if isinstance(x, Value) else sin.scalar(x) if type(x) is float else np.sin(x)


def _log(x):
    return x.log() if isinstance(x, Value) else log.scalar(x) if type(x) is float else np.log(x)


def _broadcast_to(x, shape):
    return x.broadcast_to(shape) if isinstance(x, Value) else np.broadcast_to(x, shape)


def _where(cond, x, y):
    return (
        _tensor().where(cond, x, y)
        if isinstance(x, Value) or isinstance(y, Value)
        else np.where(cond, x, y)
    )


def _maximum(x, y):
    return _tensor().maximum(x, y) if isinstance(x, Value) else np.maximum(x, y)


def _exp(x):
    return x.exp() if isinstance(x, Value) else exp.scalar(x) if type(x) is float else np.exp(x)


def _div(x, y):
    """x / y; on Python floats IEEE's inf and NaN instead of ZeroDivisionError."""
    return div.scalar(x, y) if type(y) is float else x / y


def _pow(x, y):
    """x ** y; on Python floats NaN for a negative base, never a complex number."""
    return power.scalar(x, y) if type(x) is float else x**y


def _sigmoid_of(x):
    return x.sigmoid() if isinstance(x, Value) else _sigmoid(x)


def _scatter_to(g, index, shape):
    return _tensor().scatter(g, index, shape) if isinstance(g, Value) else _scatter(g, index, shape)


def _kept_shape(shape, axis):
    """The shape of a reduction over axis with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def _unreduce(g, shape, axis, keepdims):
    """Spread the gradient of a reduction back over the reduced input's shape."""
    if not keepdims:
        g = g.reshape(_kept_shape(shape, axis))
    return _broadcast_to(g, shape)


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


def _extremum_vjp(g, out, x, axis, keepdims):
    """d max / dx: the gradient split evenly between the tied extrema, or between the NaNs
    where the extremum is NaN (as PyTorch's max() does)."""
    hit = ((x == _unreduce(out, x.shape, axis, keepdims)) + (x != x)).astype(g.dtype)
    return _unreduce(g, x.shape, axis, keepdims) * (hit / hit.sum(axis, keepdims=True))


def _share(g, x, y):
    """g where x wins, g / 2 at ties, 0 where x < y: how maximum passes g to x. NaN on
    either side wins, so both get the whole g (PyTorch's rule)."""
    return g * _not(x < y) - (g * 0.5) * (x == y)


def _not(mask):
    """The negation of a comparison's result: a bool (Scalar's), a bool array or a Tensor."""
    if isinstance(mask, Value):
        return mask == 0
    return not mask if type(mask) is bool else ~mask


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


def _shift(x, axis):
    """The max over axis where it is finite (0 elsewhere): x minus it cannot overflow exp."""
    if not x.size:  # a max over an empty axis would raise
        return np.zeros(_kept_shape(x.shape, axis), x.dtype)
    shift = x.max(axis=axis, keepdims=True)
    if not np.isfinite(shift).all():
        shift = np.where(np.isfinite(shift), shift, 0).astype(x.dtype, copy=False)
    return shift


def _shifted(x, axis):
    """(x - m, exp(x - m), its sum over axis, m) for m = _shift(x, axis): what logsumexp,
    softmax, log_softmax and cross-entropy are made of."""
    shift = _shift(x, axis)
    shifted = x - shift
    exps = np.exp(shifted)
    return shifted, exps, exps.sum(axis=axis, keepdims=True), shift


def _logsumexp(x, axis, keepdims):
    _, _, total, shift = _shifted(x, axis)
    out = np.log(total) + shift
    return out if keepdims else out.reshape(reduced_shape(x.shape, axis))


def _softmax_over(x, axis):
    """exp(x - logsumexp(x)) over axis, from x shifted by its max: exp(x - out) would lose the
    digits that rounding took from a large out (float32 at 1e4 keeps three decimals)."""
    if isinstance(x, Value):
        x = x - _shift(x.data, axis)
        return (x - x.logsumexp(axis, keepdims=True)).exp()
    _, exps, total, _ = _shifted(x, axis)
    return exps / total


def reduced_shape(shape, axis):
    """The shape of a reduction over axis (a tuple, or None for all) without keepdims."""
    return () if axis is None else tuple(n for i, n in enumerate(shape) if i not in axis)


def _log_softmax(x, axis):
    """Computed as (x - max) - log(sum(exp(x - max))), so large logits lose no precision."""
    shifted, _, total, _ = _shifted(x, (axis,))
    return shifted - np.log(total)


def _linear(x, w, b=None):
    """x @ w.T + b in one pass (b may be None)."""
    out = np.matmul(x, w.T)
    if b is None:
        return out
    return np.add(out, b, out=out) if b.dtype == out.dtype else out + b  # b may promote


def _rows(a):
    """a as a matrix: leading axes flattened into rows (counted: -1 is ambiguous at width 0)."""
    return a.reshape(math.prod(a.shape[:-1]), a.shape[-1])


def _targets(target):
    """Where each row's target class sits in _rows(x): (row numbers, classes)."""
    return np.arange(target.size), target.reshape(-1)


def _softmax_cross_entropy(x, target, reduction):
    """(-log softmax(x)[target] per row, or its sum or mean over the rows; the softmax).

    The softmax is kept for the VJP, which would otherwise compute it again.
    """
    shifted, exps, total, _ = _shifted(x, (x.ndim - 1,))
    picked = _rows(shifted)[_targets(target)].reshape(target.shape)
    losses = np.log(total).reshape(target.shape) - picked
    if reduction != "none":
        summed = losses.sum()  # a mean of no rows is NaN, as numpy's and PyTorch's are
        losses = summed if reduction == "sum" else summed / target.size
    return np.asarray(losses), np.divide(exps, total, out=exps)


def _per_row(g, target, reduction):
    """The gradient of each row's loss, shaped to multiply the rows: the adjoint of reduction."""
    if reduction == "none":
        return g[..., None]
    return g if reduction == "sum" else g / (target.size or 1)


def _softmax_cross_entropy_vjp(g, out, x, target, reduction, softmax):
    """(softmax - one_hot(target)) times each row's share of g; under create_graph the softmax
    is recomputed from x, so that this is differentiable in turn."""
    scale = _per_row(g, target, reduction)
    if isinstance(x, Value):
        hot = np.zeros(x.shape, dtype=x.dtype)
        _rows(hot)[_targets(target)] = 1
        return (_softmax_over(x, (x.ndim - 1,)) - hot) * scale
    grad = _rows(softmax * scale)  # a copy, not a view, when x is not contiguous
    grad[_targets(target)] -= scale.reshape(-1)
    return grad.reshape(x.shape)


def _bce_with_logits(x, y):
    """-(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))), stable for large |x|."""
    return np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))


def _is_basic(index):
    """Whether numpy indexes basically (ints, slices, None, ...), giving a view, not a copy."""
    basic = slice | int | np.integer | NoneType | EllipsisType
    return all(isinstance(i, basic) and type(i) is not bool for i in index)


def _bce(p, t):
    """-(t log p + (1 - t) log(1 - p)), each log clamped at -100 as PyTorch's forward does."""
    with np.errstate(divide="ignore"):  # log 0 = -inf, clamped
        return (t - 1) * np.maximum(np.log1p(-p), -100) - t * np.maximum(np.log(p), -100)


_BCE_EPSILON = float(np.float32(1e-12))  # PyTorch's, a C float


def _bce_vjp(g, out, p, t):
    """g (p - t) / max(p (1 - p), 1e-12): PyTorch's BCE gradient, finite at p = 0 and 1 (about
    ±1e12 for a wrong certainty, 0 for a right one) where the clamped logs' would be 0 * inf."""
    return g * (p - t) / _maximum((1 - p) * p, _BCE_EPSILON)


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

add = Op(
    "add", np.add, lambda g, out, x, y: g, lambda g, out, x, y: g, scalar=operator.add, reads=""
)
mul = Op("mul", np.multiply, lambda g, out, x, y: g * y, lambda g, out, x, y: g * x,
         scalar=operator.mul, reads="x y")  # fmt: skip
div = Op("div", np.divide,
         lambda g, out, x, y: _div(g, y),
         lambda g, out, x, y: _div(-g * out, y),
         scalar=fm.div, reads="out y")  # fmt: skip
power = Op("pow", np.power,
           # 0 ** 0: slope 0, not 0 * inf; elsewhere the plain formula, whose own derivative in
           # y is right at y = 0 too
           lambda g, out, x, y: g * y * _pow(x, y - 1 + _is_zero(y) * _is_zero(x)),
           lambda g, out, x, y: g * out * _log(x + _is_zero(x)),  # 0 ** y: slope 0 in y
           scalar=fm.power, reads="out x y")  # fmt: skip
neg = Op("neg", np.negative, lambda g, out, x: -g, scalar=operator.neg, reads="")
exp = Op("exp", np.exp, lambda g, out, x: g * out, scalar=fm.exp, reads="out")
log = Op("log", np.log, lambda g, out, x: _div(g, x), scalar=fm.log, reads="x")
sqrt = Op("sqrt", np.sqrt, lambda g, out, x: _div(g, out * 2), scalar=fm.sqrt, reads="out")
sin = Op("sin", np.sin, lambda g, out, x: g * _cos(x), scalar=fm.sin, reads="x")
cos = Op("cos", np.cos, lambda g, out, x: -g * _sin(x), scalar=fm.cos, reads="x")
tanh = Op("tanh", np.tanh, lambda g, out, x: g * (1 - out * out), scalar=math.tanh, reads="out")
sigmoid = Op(
    "sigmoid", _sigmoid, lambda g, out, x: g * out * (1 - out), scalar=fm.sigmoid, reads="out"
)
relu = Op("relu", lambda x: np.maximum(x, 0),
          lambda g, out, x: g * _not(x <= 0),  # not x > 0: at NaN g passes, as in PyTorch
          scalar=fm.relu, reads="x")  # fmt: skip
absolute = Op(
    "abs", np.abs, lambda g, out, x: g * (x > 0) - g * (x < 0), scalar=operator.abs, reads="x"
)

# Tensor only.

maximum = Op("maximum", np.maximum,
             lambda g, out, x, y: _share(g, x, y),
             lambda g, out, x, y: _share(g, y, x), reads="x y")  # fmt: skip
minimum = Op("minimum", np.minimum,
             lambda g, out, x, y: _share(g, y, x),
             lambda g, out, x, y: _share(g, x, y), reads="x y")  # fmt: skip
where = Op("where", lambda x, y, cond: np.where(cond, x, y),
           lambda g, out, x, y, cond: _where(cond, g, 0),
           lambda g, out, x, y, cond: _where(cond, 0, g), reads="")  # fmt: skip
clip = Op("clip", np.clip, lambda g, out, x, lo, hi: g * ((x >= lo) * (x <= hi)), reads="x")
matmul = Op("matmul", np.matmul,
            lambda g, out, a, b: g @ _mT(b),
            lambda g, out, a, b: _mT(a) @ g, reads="a b")  # fmt: skip
reduce_sum = Op("sum", lambda x, axis, keepdims: np.sum(x, axis=axis, keepdims=keepdims),
                lambda g, out, x, axis, keepdims: _unreduce(g, x.shape, axis, keepdims),
                reads="")  # fmt: skip
reduce_max = Op("max", lambda x, axis, keepdims: np.max(x, axis=axis, keepdims=keepdims),
                _extremum_vjp, reads="out x")  # fmt: skip
reduce_min = Op("min", lambda x, axis, keepdims: np.min(x, axis=axis, keepdims=keepdims),
                _extremum_vjp, reads="out x")  # fmt: skip
logsumexp = Op(
    "logsumexp",
    _logsumexp,
    lambda g, out, x, axis, keepdims: (
        _unreduce(g, x.shape, axis, keepdims) * _softmax_over(x, axis)
    ),
    reads="x",
)
log_softmax = Op("log_softmax", _log_softmax,
                 lambda g, out, x, axis: g - _exp(out) * g.sum(axis, keepdims=True),
                 reads="out")  # fmt: skip
astype = Op(
    "astype", lambda x, dtype: x.astype(dtype), lambda g, out, x, dtype: g.astype(x.dtype), reads=""
)
reshape = Op(
    "reshape", np.reshape, lambda g, out, x, shape: g.reshape(x.shape), view=True, reads=""
)
transpose = Op("transpose", np.transpose,
               lambda g, out, x, axes: g.transpose(*np.argsort(axes).tolist()),
               view=True, reads="")  # fmt: skip
broadcast_to = Op("broadcast_to", np.broadcast_to,
                  lambda g, out, x, shape: _sum_to(g, x.shape), view=True, reads="")  # fmt: skip
getitem = Op("getitem", lambda x, index: x[index],
             lambda g, out, x, index: _scatter_to(g, index, x.shape), reads="",
             view=_is_basic)  # fmt: skip

# Fused forms of common compositions: fewer nodes and temporaries on the training path.

linear = Op("linear", _linear,  # x @ w.T + b; b is optional
            lambda g, out, x, w, *b: g @ w,
            lambda g, out, x, w, *b: _rows(g).T @ _rows(x),
            lambda g, out, x, w, b: _sum_to(g, b.shape), reads="x w")  # fmt: skip
softmax_cross_entropy = Op("softmax_cross_entropy", _softmax_cross_entropy,
                           _softmax_cross_entropy_vjp, keeps=True, reads="x")  # fmt: skip
bce = Op("bce", _bce, _bce_vjp, lambda g, out, p, t: g * (_log(1 - p) - _log(p)),  # -logit p
         reads="p t")  # fmt: skip
bce_with_logits = Op("bce_with_logits", _bce_with_logits,
                     lambda g, out, x, y: g * (_sigmoid_of(x) - y),
                     lambda g, out, x, y: -g * x, reads="x y")  # fmt: skip

scatter = Op("scatter", _scatter, lambda g, out, x, index, shape: g[index], reads="")


class _Concatenate(Op):
    """Variadic: input i's cotangent is its own slice of g along axis."""

    def cotangents(self, args, inputs, wanted):
        g, axis = args[0], args[-1]
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
