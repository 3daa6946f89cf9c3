"""Axis, shape and index arguments in the one form the ops take."""

import numpy as np

from .value import Value


def _axes(axis, ndim):
    """axis as a sorted tuple of non-negative ints (None stays None)."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, int | np.integer) else tuple(axis)
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
    return tuple(sorted(int(a) % ndim for a in axes))


def _count(shape, axes):
    """How many entries a reduction over axes combines."""
    return int(np.prod([shape[i] for i in axes] if axes is not None else shape))


def _shape(args):
    """A shape given as ints or as one tuple/list."""
    if len(args) == 1 and isinstance(args[0], tuple | list):
        args = args[0]
    for n in args:
        if not isinstance(n, int | np.integer):
            raise TypeError(f"shapes and axes are integers, got {n!r} in {tuple(args)}")
    return tuple(int(n) for n in args)


def _index(index):
    """An index with Tensors and lists turned into numpy arrays."""
    items = index if isinstance(index, tuple) else (index,)
    return tuple(
        i._data if isinstance(i, Value) else np.asarray(i) if isinstance(i, list) else i
        for i in items
    )
