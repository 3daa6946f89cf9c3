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


def as_array(data, dtype=None, copy: bool = True) -> np.ndarray:
    """An array from user data (fresh unless copy=False): Python floats take the default
    dtype, numpy keeps its own."""
    from_numpy = isinstance(data, np.ndarray | np.generic)
    if from_numpy:  # before a cast, which would drop an imaginary part or parse strings
        real_dtype(data.dtype, f"from {type(data).__name__}")
        if not copy and dtype is None and type(data) is np.ndarray:
            return data  # nothing to convert
    try:
        array = np.array(data, dtype=dtype, copy=True if copy else None)
    except (TypeError, ValueError) as error:
        raise TypeError(f"cannot make a tensor from {type(data).__name__}: {error}") from None
    real_dtype(array.dtype, f"from {type(data).__name__}")
    if dtype is None and not from_numpy and array.dtype == np.float64:
        array = array.astype(_default)
    return array


def real_dtype(dtype, source: str) -> np.dtype:
    """dtype as a numpy dtype if tensors can hold it (floating, integer, bool); else TypeError."""
    dtype = np.dtype(dtype)
    if dtype.kind not in "fiub":
        raise TypeError(f"tensors hold floating, integer or bool data; got dtype {dtype} {source}")
    return dtype
