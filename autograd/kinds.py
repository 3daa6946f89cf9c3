"""Values made to match another value's kind (Scalar or Tensor), for gradcheck and functional."""

import numpy as np

from .scalar import Scalar
from .tensor import Tensor


def zeros_like(x):
    """A zero of x's kind, shape and dtype that does not require grad."""
    if isinstance(x, Scalar):
        return Scalar(0.0, requires_grad=False)
    return Tensor(np.zeros(x.shape, x.dtype))


def one_hot(like, k):
    """A value of like's kind, shape and dtype, zero except for a one at flat index k."""
    if isinstance(like, Scalar):
        return Scalar(1.0, requires_grad=False)
    e = np.zeros(like.size, like.dtype)
    e[k] = 1
    return Tensor(e.reshape(like.shape))
