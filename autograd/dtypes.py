"""The default float dtype, the conversion of user data to arrays, and dtype promotion."""

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


# -- PyTorch's promotion ------------------------------------------------------------------

RANK = {"b": 0, "u": 1, "i": 1, "f": 2}  # PyTorch's categories: bool < integer < floating


def number_kind(value) -> str | None:
    """The kind of a real number, Python's or a numpy scalar (PyTorch takes those as numbers
    too): "b", "i" or "f"; None for anything else."""
    if isinstance(value, bool | np.bool_):
        return "b"
    if isinstance(value, int | np.integer):
        return "i"
    if isinstance(value, float | np.floating):
        return "f"
    return None


def promoted_dtype(dtypes, zero_d_dtypes) -> np.dtype:
    """The dtype PyTorch gives a result: dtypes (of operands with dimensions) decide, those of
    0-d operands only when of a higher kind."""
    first, second = _highest(dtypes), _highest(zero_d_dtypes)
    if first is None or (second is not None and RANK[second.kind] > RANK[first.kind]):
        return second
    return first


def _highest(dtypes):
    """The promotion of the dtypes of the highest kind among them; None for none."""
    if not dtypes:
        return None
    top = max(RANK[d.kind] for d in dtypes)
    return np.result_type(*[d for d in dtypes if RANK[d.kind] == top])
