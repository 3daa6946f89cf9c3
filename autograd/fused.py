"""Fused ops: common compositions as one op each (fewer nodes and temporaries on the training
path), with the checks of their arguments. nn's layers and losses call them."""

import numpy as np

from . import ops
from .operands import _broadcast_apply, _lift, _promoted
from .tensor import Tensor, _lift_all


def linear(x, weight, bias=None) -> Tensor:
    """x @ weight.T + bias as one op (PyTorch's layout: weight is (out, in))."""
    x, weight = _lift_all(x, weight)
    if x.shape[-1] != weight.shape[-1]:
        raise ValueError(
            f"linear: input of shape {x.shape} does not fit weight of shape {weight.shape}"
        )
    inputs = (x, weight) if bias is None else (x, weight, _lift(bias, x))
    return Tensor._apply(ops.linear, _promoted(inputs))


REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction) -> None:
    """Refuse a reduction other than "mean", "sum" or "none", naming it."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got '{reduction}'")


def class_targets(target, logits) -> np.ndarray:
    """Integer class targets as an array, checked against logits (negative ones would wrap)."""
    target = np.asarray(target._data if isinstance(target, Tensor) else target)
    if target.dtype.kind not in "iu":
        raise TypeError(f"class targets must be integers, got dtype {target.dtype}")
    if target.shape != logits.shape[:-1]:
        raise ValueError(
            f"class targets of shape {target.shape} do not match input of shape {logits.shape} "
            f"(expected {logits.shape[:-1]})"
        )
    classes = logits.shape[-1]
    if target.size and (target.min() < 0 or target.max() >= classes):
        raise ValueError(
            f"class targets must lie in [0, {classes}), got {target.min()}..{target.max()}"
        )
    return target


def softmax_cross_entropy(logits, target, reduction: str = "none") -> Tensor:
    """-log softmax(logits)[target] for integer class targets, per row ("none"), or its
    "sum" or "mean" over the rows: one op."""
    check_reduction(reduction)
    target = class_targets(target, logits)
    return Tensor._apply(ops.softmax_cross_entropy, (logits,), (target, reduction))


def binary_cross_entropy(prob, target) -> Tensor:
    """Elementwise BCE of probabilities against targets, as one op with PyTorch's clamped
    logs and its gradient, which stays finite where a probability is exactly 0 or 1."""
    return _broadcast_apply(ops.bce, _lift_all(prob, target), (), True)


def binary_cross_entropy_with_logits(logits, target) -> Tensor:
    """Elementwise BCE of sigmoid(logits) against target, as one stable op."""
    return _broadcast_apply(ops.bce_with_logits, _lift_all(logits, target), (), True)
