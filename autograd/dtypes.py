"""The default float dtype and the conversion of user data to arrays."""

import numpy as np

_default = np.dtype(np.float32)


def set_default_dtype(dtype) -> None:
    """Set the dtype Python floats become in new tensors (float32 or float64)."""
    global _default
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"the default dtype must be a floating dtype, got {dtype}")
    _default = dtype


def get_default_dtype() -> np.dtype:
    return _default


def as_array(data, dtype=None) -> np.ndarray:
    """A fresh array from user data: Python floats take the default dtype, numpy keeps its own."""
    from_numpy = isinstance(data, np.ndarray | np.generic)
    try:
        array = np.array(data, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise TypeError(f"cannot make a tensor from {type(data).__name__}: {error}") from None
    if array.dtype.kind not in "fiub":
        raise TypeError(
            f"tensors hold floating, integer or bool data; got dtype {array.dtype} "
            f"from {type(data).__name__}"
        )
    if dtype is None and not from_numpy and array.dtype == np.float64:
        array = array.astype(_default)
    return array
