"""Tensor's reductions over axes (sum, mean, max, var, logsumexp, argmax, ...) and softmax."""

from typing import TYPE_CHECKING

import numpy as np

from . import ops
from .axes import _axes, _count
from .operands import _broadcast_apply, _lift, _promoted
from .spellings import axis_or_dim, indices_with_dim

if TYPE_CHECKING:  # for the annotations only: tensor.py imports this module
    from .tensor import Tensor


class Reductions:
    """The reductions of Tensor."""

    __slots__ = ()

    @axis_or_dim
    def sum(self, axis=None, keepdims=False) -> "Tensor":
        return self._apply(ops.reduce_sum, (self,), (_axes(axis, self.ndim), keepdims))

    @axis_or_dim
    def mean(self, axis=None, keepdims=False) -> "Tensor":
        axes = _axes(axis, self.ndim)
        return self.sum(axes, keepdims) / _count(self.shape, axes)

    @indices_with_dim("argmax")
    @axis_or_dim
    def max(self, axis=None, keepdims=False):
        """Largest entries; tied maxima share the gradient evenly. With PyTorch's dim=
        instead of axis=, (values, indices) as torch.max returns them."""
        return _extremum(ops.reduce_max, self, axis, keepdims)

    @indices_with_dim("argmin")
    @axis_or_dim
    def min(self, axis=None, keepdims=False):
        """Smallest entries; tied minima share the gradient evenly. With PyTorch's dim=
        instead of axis=, (values, indices) as torch.min returns them."""
        return _extremum(ops.reduce_min, self, axis, keepdims)

    @axis_or_dim
    def var(self, axis=None, ddof=0, keepdims=False) -> "Tensor":
        """Mean squared deviation, divided by n - ddof (numpy's convention)."""
        axes = _axes(axis, self.ndim)
        deviation = self - self.mean(axes, keepdims=True)
        return (deviation * deviation).sum(axes, keepdims) / (_count(self.shape, axes) - ddof)

    @axis_or_dim
    def std(self, axis=None, ddof=0, keepdims=False) -> "Tensor":
        """sqrt(var), with gradient 0 where the spread is 0 (PyTorch's), not 0 * inf."""
        var = self.var(axis, ddof, keepdims)
        spread = (var != 0)._data  # NaN counts as spread, so that it propagates
        root = _broadcast_apply(ops.where, (var, _lift(1, var)), (spread,)).sqrt()
        return _broadcast_apply(ops.where, (root, _lift(0, root)), (spread,))

    @axis_or_dim
    def logsumexp(self, axis=None, keepdims=False) -> "Tensor":
        """log(sum(exp(x))), computed without overflow."""
        x = _promoted((self,), floating=True)
        return self._apply(ops.logsumexp, x, (_axes(axis, self.ndim), keepdims))

    @axis_or_dim
    def softmax(self, axis=-1) -> "Tensor":
        return self.log_softmax(axis).exp()

    @axis_or_dim
    def log_softmax(self, axis=-1) -> "Tensor":
        """x - logsumexp(x), computed without overflow."""
        x = _promoted((self,), floating=True)
        return self._apply(ops.log_softmax, x, (_axes(axis, self.ndim)[0],))

    @axis_or_dim
    def argmax(self, axis=None, keepdims=False) -> "Tensor":
        """Index of the largest entry (the first at ties), flat or along axis; int64, no grad."""
        return _arg_extremum(np.argmax, self, axis, keepdims)

    @axis_or_dim
    def argmin(self, axis=None, keepdims=False) -> "Tensor":
        """Index of the smallest entry (the first at ties), flat or along axis; int64, no grad."""
        return _arg_extremum(np.argmin, self, axis, keepdims)


def _nonempty_axes(name, x, axis):
    """_axes(axis, x.ndim), refusing an empty axis: nothing there has a largest value."""
    axes = _axes(axis, x.ndim)
    if _count(x.shape, axes) == 0:
        raise ValueError(
            f"{name}() of no entries: axis={axis} of a tensor of shape {x.shape} is empty"
        )
    return axes


def _extremum(op, x, axis, keepdims):
    """max or min over axis, which must not be empty."""
    return x._apply(op, (x,), (_nonempty_axes(op.name, x, axis), keepdims))


def _arg_extremum(function, x, axis, keepdims):
    """np.argmax or np.argmin over all entries or along one axis: int64, outside the graph."""
    if axis is not None and not isinstance(axis, int | np.integer):
        raise TypeError(f"{function.__name__}() takes one axis (an int) or None, got {axis!r}")
    axes = _nonempty_axes(function.__name__, x, axis)
    indices = function(x._data, axis=None if axes is None else axes[0], keepdims=keepdims)
    return x._from_data(np.asarray(indices, dtype=np.int64))
