"""Activations and losses, composed of Tensor ops: no backward code lives here.

Cross-entropy with class targets and BCE-with-logits use the engine's one-op forms
(autograd.fused.softmax_cross_entropy, binary_cross_entropy_with_logits): they sit on
every training step, and one op is both faster and more accurate than the composition.
BCE on probabilities is one op too (binary_cross_entropy): PyTorch's gradient, finite where
a probability is exactly 0 or 1, is not the derivative of its clamped logs.

Every loss takes reduction="mean" (the default), "sum", or "none" (one value per sample).
Targets may be numpy arrays or Tensors.
"""

import numpy as np

import autograd as ag
from autograd import Tensor
from autograd.fused import binary_cross_entropy as fused_bce
from autograd.fused import binary_cross_entropy_with_logits as fused_bce_with_logits
from autograd.fused import check_reduction, class_targets
from autograd.fused import softmax_cross_entropy as fused_softmax_cross_entropy
from autograd.jit import replayed
from autograd.random import generator
from autograd.spellings import axis_or_dim


def relu(x):
    return x.relu()


def tanh(x):
    return x.tanh()


def sigmoid(x):
    return x.sigmoid()


def leaky_relu(x, slope: float = 0.01):
    """x where x > 0, slope * x elsewhere."""
    return ag.where(x > 0, x, x * slope)


@axis_or_dim
def softmax(x, axis: int = -1):
    return x.softmax(axis)


@axis_or_dim
def log_softmax(x, axis: int = -1):
    return x.log_softmax(axis)


def dropout(x, p: float = 0.5, training: bool = True):
    """Zero each entry with probability p and scale the rest by 1/(1-p); identity in eval."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability must be in [0, 1], got {p}")
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0
    return x * _kept_scaled(x.shape, p, x.dtype)


@replayed  # under ag.compile, every replay draws a fresh mask
def _kept_scaled(shape, p, dtype) -> Tensor:
    """1 / (1 - p) where an entry is kept, with probability 1 - p; 0 where it is dropped."""
    keep = generator().random(shape) >= p
    return Tensor((keep / (1 - p)).astype(dtype))


# -- losses ----------------------------------------------------------------------------------


def _reduce(loss, reduction):
    """Mean or sum of a Tensor's entries, or of all entries of a list of Tensors or Scalars."""
    check_reduction(reduction)
    if reduction == "none":
        return loss
    if isinstance(loss, Tensor):
        return loss.mean() if reduction == "mean" else loss.sum()
    if not loss:
        raise ValueError("nothing to reduce: the list of values is empty")
    sums = [v.sum() if isinstance(v, Tensor) else v for v in loss]
    total = sum(sums[1:], sums[0])
    if reduction == "sum":
        return total
    return total * (1.0 / sum(v.size if isinstance(v, Tensor) else 1 for v in loss))


def _input(x, loss: str) -> Tensor:
    """x, which must be a Tensor: a list or array fails later with a message about a missing
    attribute (PyTorch refuses them too)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{loss}: the input must be a Tensor, got {type(x).__name__}")
    return x


def _target(target, like: Tensor, name: str = "target") -> Tensor:
    """target as a Tensor of like's shape; constant targets take like's dtype."""
    if not isinstance(target, Tensor) or not target.requires_grad:
        target = Tensor(
            target if isinstance(target, Tensor) else np.asarray(target), dtype=like.dtype
        )
    if target.shape != like.shape:
        raise ValueError(
            f"{name} has shape {target.shape} but the input has shape {like.shape}; "
            "reshape one of them (broadcasting here would silently compare the wrong entries)"
        )
    return target


def mse_loss(pred: Tensor, target, reduction: str = "mean") -> Tensor:
    """(pred - target)^2."""
    pred = _input(pred, "mse_loss")
    diff = pred - _target(target, pred)
    return _reduce(diff * diff, reduction)


def nll_loss(log_probs: Tensor, target, reduction: str = "mean") -> Tensor:
    """-log_probs[i, target[i]]: the negative log-likelihood of integer class targets."""
    log_probs = _input(log_probs, "nll_loss")
    target = class_targets(target, log_probs)
    rows = np.arange(target.size).reshape(target.shape)
    picked = log_probs.reshape(-1, log_probs.shape[-1])[rows.ravel(), target.ravel()]
    return _reduce(-picked.reshape(target.shape), reduction)


def cross_entropy(logits: Tensor, target, reduction: str = "mean") -> Tensor:
    """-log softmax(logits)[target] over the last axis, via log-sum-exp.

    target holds integer classes of shape logits.shape[:-1], or probabilities of logits.shape.
    """
    logits = _input(logits, "cross_entropy")
    data = target if isinstance(target, Tensor) else np.asarray(target)  # dtype, shape: no values
    if data.dtype.kind in "iu":
        return fused_softmax_cross_entropy(logits, target, reduction)
    if data.shape == logits.shape[:-1]:
        raise TypeError(
            f"cross_entropy: a target of shape {data.shape} holds class indices, which must be "
            f"integers, got {data.dtype} (use target.astype(int)); probabilities have the "
            f"logits' shape {logits.shape}"
        )
    probs = _target(target, logits, "probability target")
    return _reduce(-(probs * logits.log_softmax(axis=-1)).sum(axis=-1), reduction)


def binary_cross_entropy(prob: Tensor, target, reduction: str = "mean") -> Tensor:
    """-(t log p + (1 - t) log(1 - p)), each log clamped at -100, with PyTorch's gradient:
    finite where p is exactly 0 or 1 (float32's sigmoid(20) is 1.0)."""
    prob = _input(prob, "binary_cross_entropy")
    if prob.size and (prob.data.min() < 0 or prob.data.max() > 1):
        raise ValueError(
            "binary_cross_entropy needs probabilities in [0, 1]; for logits use "
            "binary_cross_entropy_with_logits"
        )
    return _reduce(fused_bce(prob, _target(target, prob)), reduction)


def binary_cross_entropy_with_logits(logits: Tensor, target, reduction: str = "mean") -> Tensor:
    """binary_cross_entropy(sigmoid(x), t) = log(1 + e^x) - t x, as one op stable for any x."""
    logits = _input(logits, "binary_cross_entropy_with_logits")
    return _reduce(fused_bce_with_logits(logits, _target(target, logits)), reduction)


def hinge_loss(scores, target_pm1, reduction: str = "mean"):
    """max(0, 1 - y * score) for labels y in {-1, +1}: the max-margin loss of micrograd's demo.

    scores is a Tensor, or a list of Scalars (then the result is a Scalar, or a list for 'none').
    """
    labels = np.asarray(target_pm1.data if isinstance(target_pm1, Tensor) else target_pm1)
    wrong = labels[~np.isin(labels, (-1, 1))]
    if wrong.size:
        raise ValueError(
            f"hinge_loss needs targets -1 or +1, got {wrong.flat[0].item()!r}; for 0/1 labels use "
            "2 * y - 1"
        )
    if isinstance(scores, Tensor):
        return _reduce((1 - _target(target_pm1, scores) * scores).relu(), reduction)
    margins = [(1 - float(y) * s).relu() for s, y in zip(scores, target_pm1, strict=True)]
    return _reduce(margins, reduction)


def l1_penalty(params, reduction: str = "sum"):
    """sum |p| over every entry of the given parameters (Tensors or Scalars).

    'mean' divides by the number of entries; 'none' gives |p| for each parameter.
    """
    return _reduce([abs(p) for p in params], reduction)


def l2_penalty(params, reduction: str = "sum"):
    """sum p^2 over every entry of the given parameters (no factor 1/2)."""
    return _reduce([p * p for p in params], reduction)
