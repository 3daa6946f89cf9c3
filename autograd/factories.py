"""Factories: new tensors from data, shapes, ranges and the seeded random generator."""

import numpy as np

from .axes import _shape
from .dtypes import as_array, get_default_dtype, real_dtype
from .random import generator
from .tensor import Tensor


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def _made(array, requires_grad):
    real_dtype(array.dtype, "for a new tensor")
    return Tensor._from_data(array).requires_grad_(requires_grad)


def zeros(*shape, dtype=None, requires_grad=False) -> Tensor:
    return _made(np.zeros(_shape(shape), dtype or get_default_dtype()), requires_grad)


def ones(*shape, dtype=None, requires_grad=False) -> Tensor:
    return _made(np.ones(_shape(shape), dtype or get_default_dtype()), requires_grad)


def full(shape, value, dtype=None, requires_grad=False) -> Tensor:
    shape = _shape(shape if isinstance(shape, tuple | list) else (shape,))
    return _made(np.full(shape, value, dtype or as_array(value).dtype), requires_grad)


def arange(start, stop=None, step=1, dtype=None, requires_grad=False) -> Tensor:
    start, stop = (0, start) if stop is None else (start, stop)
    integral = all(isinstance(v, int) for v in (start, stop, step))
    dtype = dtype or (np.int64 if integral else get_default_dtype())
    return _made(np.arange(start, stop, step, dtype=dtype), requires_grad)


def randn(*shape, dtype=None, requires_grad=False) -> Tensor:
    """Standard normal samples from the generator seeded by manual_seed."""
    dtype = np.dtype(dtype or get_default_dtype())
    return _made(generator().standard_normal(_shape(shape), dtype=dtype), requires_grad)


def rand(*shape, dtype=None, requires_grad=False) -> Tensor:
    """Uniform samples in [0, 1) from the generator seeded by manual_seed."""
    dtype = np.dtype(dtype or get_default_dtype())
    return _made(generator().random(_shape(shape), dtype=dtype), requires_grad)


def zeros_like(t, dtype=None, requires_grad=False) -> Tensor:
    return _made(np.zeros(np.shape(t), dtype or _dtype_of(t)), requires_grad)


def ones_like(t, dtype=None, requires_grad=False) -> Tensor:
    return _made(np.ones(np.shape(t), dtype or _dtype_of(t)), requires_grad)


def _dtype_of(t):
    return t.dtype if isinstance(t, Tensor | np.ndarray) else get_default_dtype()
