"""Maths on numpy arrays: the Tensor ops' forwards, and what their VJPs compute with in a plain
backward (the names of the `Maths` protocol in value.py)."""

import math

import numpy as np
from numpy import (  # noqa: F401  (the protocol's names, as numpy spells them)
    broadcast_to,
    cos,
    divide,
    equal,
    exp,
    isnan,
    log,
    logical_not,
    maximum,
    power,
    sin,
    where,
)

records = False  # results are raw arrays: nothing is recorded


def sigmoid(x):
    """1 / (1 + e^-x) without overflow for large |x|."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def scatter(g, index, shape):
    """Zeros of shape with g added at index; repeated indices add up."""
    out = np.zeros(shape, dtype=g.dtype)
    if any(isinstance(i, np.ndarray) and i.dtype.kind in "iu" for i in index):
        np.add.at(out, index, g)
    else:
        out[index] = g
    return out


def softmax(x, axis):
    """exp(x) / sum(exp(x)) over axis (a tuple), from x shifted by its max."""
    _, exps, total, _ = _shifted(x, axis)
    return exps / total


def shift(x, axis):
    """The max over axis where it is finite (0 elsewhere): x minus it cannot overflow exp."""
    if not x.size:  # a max over an empty axis would raise
        return np.zeros(kept_shape(x.shape, axis), x.dtype)
    top = x.max(axis=axis, keepdims=True)
    if not np.isfinite(top).all():
        top = np.where(np.isfinite(top), top, 0).astype(x.dtype, copy=False)
    return top


def _shifted(x, axis):
    """(x - m, exp(x - m), its sum over axis, m) for m = shift(x, axis): what logsumexp,
    softmax, log_softmax and cross-entropy are made of."""
    m = shift(x, axis)
    shifted = x - m
    exps = np.exp(shifted)
    return shifted, exps, exps.sum(axis=axis, keepdims=True), m


def logsumexp(x, axis, keepdims):
    _, _, total, m = _shifted(x, axis)
    out = np.log(total) + m
    return out if keepdims else out.reshape(reduced_shape(x.shape, axis))


def log_softmax(x, axis):
    """Computed as (x - max) - log(sum(exp(x - max))), so large logits lose no precision."""
    shifted, _, total, _ = _shifted(x, (axis,))
    return shifted - np.log(total)


def kept_shape(shape, axis):
    """The shape of a reduction over axis with keepdims=True."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def reduced_shape(shape, axis):
    """The shape of a reduction over axis (a tuple, or None for all) without keepdims."""
    return () if axis is None else tuple(n for i, n in enumerate(shape) if i not in axis)


def linear(x, w, b=None):
    """x @ w.T + b in one pass (b may be None)."""
    out = np.matmul(x, w.T)
    if b is None:
        return out
    return np.add(out, b, out=out) if b.dtype == out.dtype else out + b  # b may promote


def rows(a):
    """a as a matrix: leading axes flattened into rows (counted: -1 is ambiguous at width 0)."""
    return a.reshape(math.prod(a.shape[:-1]), a.shape[-1])


def targets(target):
    """Where each row's target class sits in rows(x): (row numbers, classes)."""
    return np.arange(target.size), target.reshape(-1)


def softmax_cross_entropy(x, target, reduction):
    """(-log softmax(x)[target] per row, or its sum or mean over the rows; the softmax).

    The softmax is kept for the VJP, which would otherwise compute it again.
    """
    shifted, exps, total, _ = _shifted(x, (x.ndim - 1,))
    picked = rows(shifted)[targets(target)].reshape(target.shape)
    losses = np.log(total).reshape(target.shape) - picked
    if reduction != "none":
        summed = losses.sum()  # a mean of no rows is NaN, as numpy's and PyTorch's are
        losses = summed if reduction == "sum" else summed / target.size
    return np.asarray(losses), np.divide(exps, total, out=exps)


def bce(p, t):
    """-(t log p + (1 - t) log(1 - p)), each log clamped at -100 as PyTorch's forward does."""
    with np.errstate(divide="ignore"):  # log 0 = -inf, clamped
        return (t - 1) * np.maximum(np.log1p(-p), -100) - t * np.maximum(np.log(p), -100)


def bce_with_logits(x, y):
    """-(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))), stable for large |x|."""
    return np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))
