"""Compare reverse-mode gradients with central finite differences, in float64."""

import numpy as np

from .engine import grad
from .kinds import one_hot, zeros_like
from .tensor import Tensor
from .value import Value


class GradcheckError(AssertionError):
    """A gradient disagrees with finite differences; the message says where."""


def gradcheck(fn, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True) -> bool:
    """Check d fn / d input for every input that requires grad, element by element.

    fn takes the inputs (Tensors or Scalars) and returns one value or a tuple. Inputs are
    copied to float64 first, so float32 rounding does not hide or fake an error.
    """
    _check_callable(fn, "gradcheck")
    inputs = [_float64(x) for x in _as_tuple(inputs)]
    wrt = [i for i, x in enumerate(inputs) if _differentiable(x)]
    if not wrt:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    outputs = _outputs(fn, inputs, "gradcheck")
    analytical = [_analytical(out, [inputs[i] for i in wrt]) for out in outputs]
    for k, i in enumerate(wrt):
        numerical = _numerical(fn, inputs, i, eps)
        for o, out in enumerate(outputs):
            error = _compare(analytical[o][k], numerical[o], atol, rtol)
            if error is None:
                continue
            index, a, n = error
            message = (
                f"gradcheck: d output {o} / d input {i} is wrong at element "
                f"{_element(index[1], inputs[i])} (output element {_element(index[0], out)}): "
                f"analytical {a!r}, numerical {n!r}"
            )
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True


def _check_callable(fn, name):
    if not callable(fn):
        raise TypeError(f"{name}: fn must be a function of the inputs, got {type(fn).__name__}")


def _outputs(fn, inputs, name):
    """fn(*inputs) as a tuple, if it holds only Scalars and Tensors (whose gradients exist)."""
    outputs = _as_tuple(fn(*inputs))
    for o, out in enumerate(outputs):
        if not isinstance(out, Value):
            raise TypeError(
                f"{name}: fn must return a Scalar or Tensor computed from the inputs (or a "
                f"tuple of them), got {type(out).__name__} as output {o}"
            )
    return outputs


def gradgradcheck(fn, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True) -> bool:  # fmt: skip
    """gradcheck of the first derivatives (vector-Jacobian products), i.e. second derivatives.

    grad_outputs default to random values; they are checked as inputs too.
    """
    _check_callable(fn, "gradgradcheck")
    inputs = [_float64(x) for x in _as_tuple(inputs)]
    outputs = _outputs(fn, inputs, "gradgradcheck")
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = [_like(out, rng) for out in outputs]
    grad_outputs = [_float64(g, requires_grad=True) for g in _as_tuple(grad_outputs)]
    n = len(inputs)

    def first_derivatives(*args):
        xs, seeds = args[:n], args[n:]
        wrt = [x for x in xs if _differentiable(x)]
        grads = grad(_as_tuple(fn(*xs)), wrt, seeds, create_graph=True, allow_unused=True)
        return tuple(zeros_like(x) if g is None else g for g, x in zip(grads, wrt))

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)  # fmt: skip


def _analytical(out, wrt):
    """One Jacobian block (out.size x x.size) per input, a backward pass per output element."""
    blocks = [np.zeros((_size(out), _size(x))) for x in wrt]
    if not out.requires_grad:
        return blocks
    for j in range(_size(out)):
        grads = grad(out, wrt, one_hot(out, j), retain_graph=True, allow_unused=True)
        for block, g in zip(blocks, grads):
            if g is not None:
                block[j] = _flat(g)
    return blocks


def _numerical(fn, inputs, i, eps):
    """Central differences of every output with respect to every element of input i."""
    x = inputs[i]
    columns = []
    for k in range(_size(x)):  # grad mode stays on: fn may itself take gradients
        original = _get(x, k)
        _set(x, k, original + eps)
        plus = [_flat(o) for o in _as_tuple(fn(*inputs))]
        _set(x, k, original - eps)
        minus = [_flat(o) for o in _as_tuple(fn(*inputs))]
        _set(x, k, original)
        columns.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    return [np.stack([c[o] for c in columns], axis=1) for o in range(len(columns[0]))]


def _compare(analytical, numerical, atol, rtol):
    """(index, analytical, numerical) of the worst disagreement, or None."""
    bad = ~np.isfinite(analytical) | ~np.isfinite(numerical)
    bad |= np.abs(analytical - numerical) > atol + rtol * np.abs(numerical)
    if not bad.any():
        return None
    index = np.unravel_index(np.argmax(bad), bad.shape)
    return index, float(analytical[index]), float(numerical[index])


# -- the two kinds of value, seen as flat float64 vectors --------------------------------


def _as_tuple(values):
    """Inputs or outputs given as a tuple, a list or one value, as a tuple (functional's
    _as_tuple takes a list for one value, as its functions return Tensors)."""
    return tuple(values) if isinstance(values, tuple | list) else (values,)


def _differentiable(x):
    return isinstance(x, Value) and x.requires_grad


def _float64(x, requires_grad=None):
    """A float64 copy of a floating value; an array or a float becomes a Tensor; others stay."""
    requires_grad = _differentiable(x) if requires_grad is None else requires_grad
    if isinstance(x, np.ndarray | float):
        return Tensor(np.array(x, dtype=np.float64), requires_grad=requires_grad)
    if isinstance(x, Value) and np.result_type(x.data).kind == "f":
        return x._leaf(np.array(x.data, dtype=np.float64), requires_grad)
    return x


def _like(out, rng):
    return out._leaf(rng.standard_normal(_shape(out)), True)


def _element(flat_index, x):
    """The index of x's element flat_index, as a tuple of ints."""
    return tuple(int(i) for i in np.unravel_index(flat_index, _shape(x)))


def _size(x):
    return np.size(x.data)


def _shape(x):
    return np.shape(x.data)


def _flat(x):
    return np.array(x.data, dtype=np.float64).ravel()  # a copy


def _get(x, k):
    return np.ravel(x.data)[k]


def _set(x, k, value):
    """Element k of x's data set to value (x is gradcheck's float64 copy, never a user's)."""
    data = np.array(x.data)
    data.reshape(-1)[k] = value
    x.data = data
