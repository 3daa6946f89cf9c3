"""Helpers for property-testing gradients: hypothesis strategies and one assertion.

The strategies build on hypothesis.extra.numpy and draw well-conditioned values: magnitudes
in [0.1, 2] by default, so they stay away from the kinks of abs and relu, the pole of log
and the overflow of exp, where finite differences would mislead. Example::

    from hypothesis import given
    from autograd.testing import assert_gradients_close, tensors

    @given(tensors(shape=(3, 2)))
    def test_my_function(x):
        assert_gradients_close(lambda x: (x.tanh() * x).sum(axis=0), x)
"""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .gradcheck import gradcheck, gradgradcheck
from .tensor import Tensor

__all__ = [
    "assert_gradients_close", "broadcastable_pair", "broadcastable_shapes", "shape_pairs",
    "shapes", "tensors", "values",
]  # fmt: skip


def shapes(min_dims: int = 0, max_dims: int = 3, max_side: int = 3) -> st.SearchStrategy:
    """Array shapes such as (), (3,) or (2, 1, 3); every side is at least 1.

    Sides stay small by default: gradcheck costs a backward pass per output entry.
    """
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def broadcastable_shapes(shape, min_dims: int = 0, max_dims: int = 3, max_side: int = 3):
    """Shapes that broadcast with shape (the result may be larger than shape)."""
    return hnp.broadcastable_shapes(
        tuple(shape), min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side
    )


def shape_pairs(min_dims: int = 0, max_dims: int = 3, max_side: int = 3):
    """Pairs of shapes that broadcast together, e.g. ((2, 1, 3), (4, 1))."""
    pairs = hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side
    )
    return pairs.map(lambda drawn: drawn.input_shapes)


def values(
    min_magnitude: float = 0.1,
    max_magnitude: float = 2.0,
    positive: bool = False,
    dtype=np.float64,
) -> st.SearchStrategy:
    """Floats with min_magnitude <= |x| <= max_magnitude, of either sign unless positive.

    The bounds are rounded to dtype, so its values can fill arrays of that dtype.
    """
    kind = np.dtype(dtype)
    low, high = (float(kind.type(bound)) for bound in (min_magnitude, max_magnitude))
    magnitudes = st.floats(low, high, width=kind.itemsize * 8)
    if positive:
        return magnitudes
    return st.one_of(magnitudes, magnitudes.map(lambda x: -x))


@st.composite
def tensors(
    draw,
    shape=None,
    dtype=np.float64,
    elements=None,
    requires_grad: bool = True,
    unique: bool = False,
) -> Tensor:
    """Tensors of shape (a tuple or a strategy; default: shapes()) filled from elements.

    elements defaults to values(dtype=dtype). For functions whose gradient jumps at ties
    (max, min), pass unique=True with spaced elements, e.g.
    elements=st.integers(-20, 20).map(lambda k: k / 10), so no two entries are nearly equal.
    """
    shape = shapes() if shape is None else shape
    shape = draw(shape) if isinstance(shape, st.SearchStrategy) else tuple(shape)
    elements = values(dtype=dtype) if elements is None else elements
    data = draw(hnp.arrays(dtype, shape, elements=elements, unique=unique))
    return Tensor(data, requires_grad=requires_grad)


@st.composite
def broadcastable_pair(draw, dtype=np.float64, elements=None, requires_grad: bool = True):
    """Two tensors whose shapes broadcast together, as in x + y."""
    shape_x, shape_y = draw(shape_pairs())
    x = draw(tensors(shape_x, dtype, elements, requires_grad))
    return x, draw(tensors(shape_y, dtype, elements, requires_grad))


def assert_gradients_close(fn, *inputs, order: int = 2, **tolerances) -> None:
    """Assert fn's first (and, for order=2, second) derivatives match finite differences.

    fn takes the inputs (Tensors or Scalars) and returns a value or a tuple of values;
    tolerances are gradcheck's eps, atol and rtol. Raises ag.GradcheckError naming the
    input, the element and both values. Use order=1 for a custom Function whose backward
    is not itself differentiable.
    """
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, got {order}")
    gradcheck(fn, inputs, **tolerances)
    if order == 2:
        gradgradcheck(fn, inputs, **tolerances)
