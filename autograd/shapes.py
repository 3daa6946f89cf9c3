"""Tensor's shape methods: reshape, transpose, squeeze, broadcast_to, indexing, and
PyTorch's names for them."""

from typing import TYPE_CHECKING

import numpy as np

from . import arraymath, ops
from .axes import _axes, _index, _shape
from .spellings import axis_or_dim

if TYPE_CHECKING:  # for the annotations only: tensor.py imports this module
    from .tensor import Tensor


class ShapeMethods:
    """The shape methods of Tensor."""

    __slots__ = ()

    def reshape(self, *shape) -> "Tensor":
        shape = _shape(shape)
        if shape == self.shape:
            return self
        try:
            return self._apply(ops.reshape, (self,), (shape,))
        except ValueError:
            raise ValueError(
                f"reshape: a tensor of shape {self.shape} ({self.size} elements) cannot be "
                f"reshaped to {shape}"
            ) from None

    def transpose(self, *axes) -> "Tensor":
        axes = _shape(axes) or tuple(range(self.ndim))[::-1]
        try:
            return self._apply(ops.transpose, (self,), (axes,))
        except ValueError:  # numpy's AxisError is one too
            raise ValueError(
                f"transpose: axes {axes} are not a permutation of the {self.ndim} axes of a tensor "
                f"of shape {self.shape}"
            ) from None

    def flatten(self) -> "Tensor":
        return self.reshape(-1)

    @axis_or_dim
    def squeeze(self, axis=None) -> "Tensor":
        """Drop axes of length 1 (all of them, or those named)."""
        axes = _axes(axis, self.ndim) or tuple(i for i, n in enumerate(self.shape) if n == 1)
        for i in axes:
            if self.shape[i] != 1:
                raise ValueError(
                    f"cannot squeeze axis {i} of shape {self.shape}: its length is not 1"
                )
        return self.reshape(arraymath.reduced_shape(self.shape, axes))

    @axis_or_dim
    def expand_dims(self, axis) -> "Tensor":
        shape = list(self.shape)
        shape.insert(_axes(axis, self.ndim + 1)[0], 1)
        return self.reshape(tuple(shape))

    def broadcast_to(self, shape: tuple) -> "Tensor":
        shape = _shape(shape)
        if shape == self.shape:
            return self
        if np.broadcast_shapes(self.shape, shape) != shape:
            raise ValueError(f"cannot broadcast a tensor of shape {self.shape} to {shape}")
        return self._apply(ops.broadcast_to, (self,), (shape,))

    def __getitem__(self, index):
        return self._apply(ops.getitem, (self,), (_index(index),))

    view = reshape  # PyTorch's names
    permute = transpose
    unsqueeze = expand_dims
