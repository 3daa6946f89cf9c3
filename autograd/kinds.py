"""Values made to match another value's kind, shape and dtype, for gradcheck and functional."""

import numpy as np


def zeros_like(x):
    """Zeros like x that do not require grad."""
    return x._leaf(np.zeros_like(x.data), False)


def one_hot(like, k):
    """Zeros like `like` except for a one at flat index k; they do not require grad."""
    e = np.zeros(np.shape(like.data), np.result_type(like.data))
    e.reshape(-1)[k] = 1  # a view: e is contiguous
    return like._leaf(e, False)
