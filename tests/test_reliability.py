"""Reliability: numerical edge cases, bad input of every kind, and memory that stays flat.

The numerical edge cases are one table, run on Tensor in float64 and float32 and on Scalar;
each row is the behaviour we decided (the README's "Numerical edge cases" lists the same).
"""

import gc
import math
import random
import re
from types import SimpleNamespace

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd import Scalar, Tensor, ops
from autograd.fused import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    linear,
    softmax_cross_entropy,
)
from autograd.tensor import scatter

inf, nan = math.inf, math.nan


@pytest.fixture(autouse=True)
def quiet_ieee():
    """inf and NaN are the expected answers here, so numpy's warnings about them are noise."""
    with np.errstate(all="ignore"):
        yield


# -- numerical edge cases ------------------------------------------------------------------

# (case, f, at, value, gradient): f(x) at x, and d f / dx there.
EDGE_CASES = [
    ("sqrt at 0", lambda x: x.sqrt(), 0.0, 0.0, inf),
    ("sqrt below 0", lambda x: x.sqrt(), -1.0, nan, nan),
    ("log at 0", lambda x: x.log(), 0.0, -inf, inf),
    ("log below 0", lambda x: x.log(), -1.0, nan, -1.0),  # the slope 1/x is still defined
    ("x**0.5 at 0", lambda x: x**0.5, 0.0, 0.0, inf),
    ("x**0.5 below 0", lambda x: x**0.5, -4.0, nan, nan),
    ("x**-1 at 0", lambda x: x**-1, 0.0, inf, -inf),
    ("x**0 at 0", lambda x: x**0, 0.0, 1.0, 0.0),
    ("x**3 below 0", lambda x: x**3, -2.0, -8.0, 12.0),
    ("0**y, d/dy", lambda y: 0.0**y, 2.0, 0.0, 0.0),
    ("(-2)**y, d/dy", lambda y: (-2.0) ** y, 2.0, 4.0, nan),
    ("1/x at 0", lambda x: 1 / x, 0.0, inf, -inf),
    ("x/0", lambda x: x / 0.0, 1.0, inf, inf),
    ("x/x at 0", lambda x: x / x, 0.0, nan, nan),
    ("abs at 0", lambda x: abs(x), 0.0, 0.0, 0.0),
    ("relu at 0", lambda x: x.relu(), 0.0, 0.0, 0.0),
    ("relu at NaN", lambda x: x.relu(), nan, nan, 1.0),  # the gradient passes, as PyTorch's
    ("exp overflow", lambda x: x.exp(), 1000.0, inf, inf),
]
KINDS = ["float64", "float32", "Scalar"]


def _value_and_gradient(f, at, kind):
    """f(x) and d f / dx at x, both as Python floats."""
    x = Scalar(at) if kind == "Scalar" else Tensor(np.array(at, kind), requires_grad=True)
    y = f(x)
    y.backward()
    if kind == "Scalar":
        return y.data, x.grad
    assert y.dtype == x.grad.dtype == np.dtype(kind)
    return y.item(), x.grad.item()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case, f, at, value, gradient", EDGE_CASES, ids=[c[0] for c in EDGE_CASES])
def test_numerical_edge_cases(case, f, at, value, gradient, kind):
    got = _value_and_gradient(f, at, kind)
    np.testing.assert_array_equal(got, (value, gradient), err_msg=case)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case, f, at", [c[:3] for c in EDGE_CASES], ids=[c[0] for c in EDGE_CASES])
def test_numerical_edge_cases_match_torch(case, f, at, dtype):
    torch = pytest.importorskip("torch")
    x = torch.tensor(at, dtype=getattr(torch, dtype), requires_grad=True)
    y = f(x)
    y.backward()
    want = (y.item(), x.grad.item())
    np.testing.assert_array_equal(_value_and_gradient(f, at, dtype), want, err_msg=case)


def test_exp_overflows_in_float32_where_float64_does_not():
    x32 = Tensor(np.array([100.0, -200.0], np.float32), requires_grad=True)
    x32.exp().sum().backward()
    np.testing.assert_array_equal(x32.grad.data, [inf, 0.0])  # d/dx e^x = e^x: inf too
    x64 = Tensor(np.array([100.0, -200.0]), requires_grad=True)
    x64.exp().sum().backward()
    np.testing.assert_allclose(x64.grad.data, np.exp([100.0, -200.0]), rtol=1e-15)


def test_a_zero_exponent_has_exact_second_derivatives():
    """Found by make fuzz: the guard that gives 0 ** 0 slope 0 also froze d/dy of the slope
    in x at y = 0 where x is not 0. There d2/dxdy x**y = 1/x and d2/dy2 x**y = log(x)**2."""
    x, y = Tensor([2.0, 0.5], requires_grad=True), Tensor([0.0, 0.0], requires_grad=True)
    assert ag.gradgradcheck(lambda x, y: x**y, (x, y))
    x, y = Scalar(2.0), Scalar(0.0)
    (slope,) = ag.grad(x**y, x, create_graph=True)
    assert slope.data == 0.0 and ag.grad(slope, y)[0].data == 0.5
    x, y = Scalar(0.0), Scalar(0.0)
    assert ag.grad(x**y, x)[0].data == 0.0  # the guard itself still holds


def test_division_by_zero_never_raises_on_either_kind():
    for numerator, want in ((1.0, inf), (-1.0, -inf), (0.0, nan)):
        np.testing.assert_array_equal((Tensor([numerator]) / 0.0).data, [want])
        np.testing.assert_array_equal((Scalar(numerator) / 0).data, want)
        np.testing.assert_array_equal((numerator / Scalar(0.0)).data, want)


# `where` selects, it never multiplies: a NaN or inf among the unused values stays out.


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_where_keeps_the_unused_values_out_of_the_gradient(dtype):
    a = Tensor(np.array([nan, 1.0, inf], dtype), requires_grad=True)
    b = Tensor(np.array([2.0, -inf, nan], dtype), requires_grad=True)
    out = ag.where([False, True, False], a, b * 3)
    np.testing.assert_array_equal(out.data, [6.0, 1.0, nan])
    (out * np.array([1.0, 2.0, 0.0], dtype)).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.0, 2.0, 0.0])
    np.testing.assert_array_equal(b.grad.data, [3.0, 0.0, 0.0])


def test_where_cannot_hide_an_infinite_slope_in_the_unused_branch():
    """The unused branch still gets a zero gradient, and its own VJP turns 0 into NaN when
    its derivative is infinite or undefined there (0 / 0 in sqrt's): as in PyTorch and JAX.
    The used branch, and every element where sqrt was used, stay clean."""
    x = Tensor([-1.0, 0.0, 4.0], requires_grad=True)
    other = Tensor([1.0, 1.0, 1.0], requires_grad=True)
    ag.where(x > 0, x.sqrt(), other).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [nan, nan, 0.25])
    np.testing.assert_array_equal(other.grad.data, [1.0, 1.0, 0.0])


@pytest.mark.parametrize(
    "safe_sqrt",
    [
        lambda x: ag.where(x > 0, x, 1.0).sqrt(),  # where on the input first ("double where")
        lambda x: x.clip(min=1e-30).sqrt(),  # or clip it into the domain (lo > 0: sqrt'(0) = inf)
    ],
    ids=["where-first", "clip"],
)
def test_the_recommended_patterns_give_a_clean_gradient(safe_sqrt):
    x = Tensor([-1.0, 0.0, 4.0], requires_grad=True)
    out = ag.where(x > 0, safe_sqrt(x), 0.0)
    out.sum().backward()
    np.testing.assert_array_equal(out.data, [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 0.25])


LARGE = [[1e4, -1e4, 1e4], [-1e4, -1e4, -1e4]]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_softmax_and_logsumexp_at_plus_minus_1e4_are_finite_and_exact(dtype):
    eps = np.finfo(dtype).eps
    softmax = np.array([[0.5, 0.0, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    x = Tensor(np.array(LARGE, dtype), requires_grad=True)
    np.testing.assert_allclose(x.softmax().data, softmax, rtol=2 * eps)
    lse = x.logsumexp(axis=1)
    np.testing.assert_allclose(lse.data, [1e4 + math.log(2), -1e4 + math.log(3)], rtol=2 * eps)
    log_softmax = x.log_softmax().data
    np.testing.assert_allclose(log_softmax[0], [-math.log(2), -2e4 - math.log(2), -math.log(2)])
    np.testing.assert_allclose(log_softmax[1], [-math.log(3)] * 3, rtol=2 * eps)
    lse.sum().backward()  # d logsumexp / dx = softmax(x), with no digits lost to |x| = 1e4
    np.testing.assert_allclose(x.grad.data, softmax, rtol=4 * eps)
    x.grad = None
    w = np.array([[1.0, 2.0, 3.0], [4.0, 0.0, -1.0]], dtype)
    (x.softmax() * w).sum().backward()  # d/dx sum(w softmax(x)) = p (w - p.w)
    want = softmax * (w - (softmax * w).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(x.grad.data, want, rtol=4 * eps, atol=4 * eps)


def test_logsumexp_second_derivative_at_large_logits():
    x = Tensor(np.array([1e4, 1e4 + 1.0, -1e4]), requires_grad=True)
    assert ag.gradgradcheck(lambda t: t.logsumexp(), (x,))


def row_maxima(L, x):
    """The maxima of the two rows of x as a 2 x 3 matrix, weighted 1 and 2."""
    return (L.max(x.reshape(2, 3), 1) * L.w[:2]).sum()


# Tensor-only edge cases: (case, f(L, x), at, value, gradient, torch too). L holds the functions
# spelled differently in PyTorch; torch too is False where our documented choice differs.
TENSOR_EDGE_CASES = [
    ("bce at p = 0 and 1", lambda L, p: L.bce(p, [0.0, 1.0, 1.0, 0.0]),
     [0.0, 1.0, 0.0, 1.0], 200.0, [0.0, 0.0, -1e12, 1e12], True),
    ("std at zero spread", lambda L, x: L.std(x), [2.0, 2.0, 2.0], 0.0, [0.0, 0.0, 0.0], True),
    ("standardising a constant", lambda L, x: ((x - x.mean()) / (L.std(x) + 1e-5) * L.w).sum(),
     [2.0, 2.0, 2.0], 0.0, [-1e5, 0.0, 1e5], True),
    ("maximum at NaN and a tie", lambda L, x: L.maximum(x[:2], x[2:]).sum(),
     [nan, 3.0, 1.0, 3.0], nan, [1.0, 0.5, 1.0, 0.5], True),
    ("minimum at NaN and a tie", lambda L, x: L.minimum(x[:2], x[2:]).sum(),
     [1.0, 3.0, nan, 3.0], nan, [1.0, 0.5, 1.0, 0.5], True),
    ("max with two NaNs", lambda L, x: x.max(), [1.0, nan, 3.0, nan], nan, [0, 0.5, 0, 0.5], True),
    ("min with a NaN", lambda L, x: x.min(), [1.0, nan, -3.0], nan, [0.0, 1.0, 0.0], True),
    ("max over an axis with a NaN", row_maxima,
     [1.0, nan, 3.0, 2.0, 5.0, 4.0], nan, [0, 1, 0, 0, 2, 0], True),
    # PyTorch's amax gives NaN to the whole row, its max(dim) all to the first NaN or maximum
    ("max over an axis with NaNs and ties", row_maxima,
     [nan, nan, 3.0, 5.0, 5.0, 4.0], nan, [0.5, 0.5, 0, 1, 1, 0], False),
]  # fmt: skip


def ours(dtype):
    return SimpleNamespace(
        bce=lambda p, t: F.binary_cross_entropy(p, np.array(t, dtype), "sum"),
        std=lambda x: x.std(),
        maximum=ag.maximum,
        minimum=ag.minimum,
        max=lambda x, axis: x.max(axis=axis),
        w=Tensor(np.array([1.0, 2.0, 3.0], dtype)),
    )


def theirs(dtype):
    torch = pytest.importorskip("torch")
    return SimpleNamespace(
        bce=lambda p, t: torch.nn.functional.binary_cross_entropy(
            p, torch.tensor(t, dtype=p.dtype), reduction="sum"
        ),
        std=lambda x: x.std(correction=0),
        maximum=torch.maximum,
        minimum=torch.minimum,
        max=lambda x, axis: x.max(dim=axis).values,
        w=torch.tensor([1.0, 2.0, 3.0], dtype=getattr(torch, dtype)),
    )


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(
    "case, f, at, value, gradient",
    [c[:5] for c in TENSOR_EDGE_CASES],
    ids=[c[0] for c in TENSOR_EDGE_CASES],
)
def test_tensor_edge_cases(case, f, at, value, gradient, dtype):
    x = Tensor(np.array(at, dtype), requires_grad=True)
    y = f(ours(dtype), x)
    y.backward()
    assert y.dtype == x.grad.dtype == np.dtype(dtype)
    np.testing.assert_allclose(y.item(), value, rtol=1e-6, err_msg=case)
    np.testing.assert_allclose(x.grad.data, gradient, rtol=1e-6, atol=1e-6, err_msg=case)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(
    "case, f, at",
    [c[:3] for c in TENSOR_EDGE_CASES if c[5]],
    ids=[c[0] for c in TENSOR_EDGE_CASES if c[5]],
)
def test_tensor_edge_cases_match_torch(case, f, at, dtype):
    torch = pytest.importorskip("torch")
    x = Tensor(np.array(at, dtype), requires_grad=True)
    y = f(ours(dtype), x)
    y.backward()
    tx = torch.tensor(np.array(at, dtype), requires_grad=True)
    ty = f(theirs(dtype), tx)
    ty.backward()
    np.testing.assert_array_equal(y.item(), ty.item(), err_msg=case)
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-6, err_msg=case)


def test_std_at_zero_spread_has_second_derivative_zero():
    x = Tensor(np.full(3, 2.0), requires_grad=True)
    (g,) = ag.grad(x.std(), x, create_graph=True)
    (h,) = ag.grad(g.sum(), x)
    assert g.data.tolist() == h.data.tolist() == [0.0, 0.0, 0.0]
    assert np.isnan(Tensor([1.0, nan]).std().item())  # NaN is spread: it propagates


WEIGHTS = np.arange(8.0).reshape(4, 2)


def test_standardising_with_a_constant_column_compiles_and_replays_as_eagerly():
    def step(x):
        (((x - x.mean(axis=0)) / (x.std(axis=0) + 1e-5)) * WEIGHTS).sum().backward()
        return x.grad

    compiled = ag.compile(step)
    for shift in (0.0, 1.0, 2.0):
        data = np.stack([np.arange(4.0) + shift, np.full(4, shift)], axis=1)
        want = step(Tensor(data, requires_grad=True))
        assert np.isfinite(want.data).all()
        np.testing.assert_array_equal(compiled(Tensor(data, requires_grad=True)).data, want.data)
    assert compiled.traces == 1


def test_a_saturated_sigmoid_under_bce_leaves_every_gradient_finite():
    """float32 sigmoid(20) is exactly 1.0: BCE's gradient must not turn it into NaN."""
    ag.manual_seed(0)
    layer = nn.Linear(2, 1)
    layer.weight.data[:] = 10.0
    prob = layer(Tensor([[1.0, 1.0], [-1.0, -1.0]])).sigmoid()
    assert prob.data[0, 0] == 1.0
    F.binary_cross_entropy(prob, np.array([[0.0], [1.0]])).backward()
    for p in layer.parameters():
        assert np.isfinite(p.grad.data).all()


# -- empty tensors through every op of the table --------------------------------------------


def empty(*shape):
    return Tensor(np.zeros(shape), requires_grad=True)


# op name -> (fn, inputs, output shape); every input that requires grad has a 0 in its shape,
# except where the case is about an empty *result* of a non-empty input.
EMPTY_CASES = {
    "add": (lambda x, y: x + y, (empty(0, 3), empty(3)), (0, 3)),
    "mul": (lambda x, y: x * y, (empty(0, 3), empty(0, 1)), (0, 3)),
    "div": (lambda x, y: x / y, (empty(2, 0), empty(2, 0)), (2, 0)),
    "pow": (lambda x, y: x**y, (empty(0), empty(0)), (0,)),
    "neg": (lambda x: -x, (empty(0),), (0,)),
    "exp": (lambda x: x.exp(), (empty(0),), (0,)),
    "log": (lambda x: x.log(), (empty(0),), (0,)),
    "sqrt": (lambda x: x.sqrt(), (empty(0),), (0,)),
    "sin": (lambda x: x.sin(), (empty(0),), (0,)),
    "cos": (lambda x: x.cos(), (empty(0),), (0,)),
    "tanh": (lambda x: x.tanh(), (empty(0),), (0,)),
    "sigmoid": (lambda x: x.sigmoid(), (empty(0),), (0,)),
    "relu": (lambda x: x.relu(), (empty(0),), (0,)),
    "abs": (lambda x: abs(x), (empty(0),), (0,)),
    "maximum": (ag.maximum, (empty(0, 2), empty(2)), (0, 2)),
    "minimum": (ag.minimum, (empty(0, 2), empty(0, 2)), (0, 2)),
    "where": (lambda x, y: ag.where(np.zeros((0, 2), bool), x, y), (empty(0, 2), empty(2)), (0, 2)),
    "clip": (lambda x: x.clip(0.0, 1.0), (empty(0),), (0,)),
    "matmul": (lambda a, b: a @ b, (empty(0, 3), empty(3, 0)), (0, 0)),
    "sum": (lambda x: x.sum(axis=1), (empty(0, 3),), (0,)),
    "max": (lambda x: x.max(axis=1), (empty(0, 3),), (0,)),
    "min": (lambda x: x.min(axis=-1, keepdims=True), (empty(0, 3),), (0, 1)),
    "logsumexp": (lambda x: x.logsumexp(axis=1), (empty(0, 3),), (0,)),
    "log_softmax": (lambda x: x.log_softmax(axis=1), (empty(0, 3),), (0, 3)),
    "astype": (lambda x: x.astype(np.float32), (empty(0),), (0,)),
    "reshape": (lambda x: x.reshape(3, 0, 2), (empty(0, 6),), (3, 0, 2)),
    "transpose": (lambda x: x.T, (empty(0, 3),), (3, 0)),
    "broadcast_to": (lambda x: x.broadcast_to((0, 3)), (empty(0, 1),), (0, 3)),
    "getitem": (lambda x: x[np.array([], int)], (empty(0, 2),), (0, 2)),
    "linear": (linear, (empty(0, 3), empty(2, 3), empty(2)), (0, 2)),
    "softmax_cross_entropy": (
        lambda x: softmax_cross_entropy(x, np.zeros(0, int)),
        (empty(0, 3),),
        (0,),
    ),
    "bce": (binary_cross_entropy, (empty(0), empty(0)), (0,)),
    "bce_with_logits": (binary_cross_entropy_with_logits, (empty(0), empty(0)), (0,)),
    "scatter": (lambda g: scatter(g, (np.array([], int),), (0,)), (empty(0),), (0,)),
    "concatenate": (
        lambda x, y: ag.concatenate([x, y], axis=1),
        (empty(0, 2), empty(0, 1)),
        (0, 3),
    ),
}


def test_every_op_in_the_table_has_an_empty_case():
    assert set(EMPTY_CASES) == set(ops.TABLE)


@pytest.mark.parametrize("name", sorted(EMPTY_CASES))
def test_empty_tensors_pass_forward_and_backward(name):
    fn, inputs, shape = EMPTY_CASES[name]
    out = fn(*inputs)
    assert out.shape == shape
    assert ops.TABLE[name] in {node._op for node in ag.engine.toposort([out])}
    out.backward(np.ones(shape))
    for x in inputs:
        assert x.grad.shape == x.shape and x.grad.dtype == x.dtype


def test_reductions_over_an_empty_axis():
    x = empty(0, 3)
    np.testing.assert_array_equal(x.sum(axis=0).data, [0.0, 0.0, 0.0])  # a sum of nothing
    np.testing.assert_array_equal(x.mean().data, nan)  # 0 / 0, as numpy and PyTorch
    np.testing.assert_array_equal(x.logsumexp(axis=0).data, [-inf, -inf, -inf])  # log 0
    assert x.softmax(axis=0).shape == (0, 3)
    x.sum(axis=0).sum().backward()
    assert x.grad.shape == (0, 3)


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("axis", [None, 0, (0, 1)])
def test_max_and_min_of_nothing_are_value_errors(name, axis):
    message = re.escape(f"{name}() of no entries: axis={axis} of a tensor of shape (0, 3)")
    with pytest.raises(ValueError, match=message):
        getattr(empty(0, 3), name)(axis=axis)


def test_an_empty_inner_dimension_gives_zeros_and_bias_only():
    a, b = empty(2, 0), empty(0, 3)
    out = a @ b
    np.testing.assert_array_equal(out.data, np.zeros((2, 3)))
    out.sum().backward()
    assert a.grad.shape == (2, 0) and b.grad.shape == (0, 3)
    x, w, bias = empty(4, 0), empty(2, 0), Tensor([1.0, -1.0], requires_grad=True)
    out = linear(x, w, bias)
    np.testing.assert_array_equal(out.data, [[1.0, -1.0]] * 4)
    out.sum().backward()
    np.testing.assert_array_equal(bias.grad.data, [4.0, 4.0])
    assert x.grad.shape == (4, 0) and w.grad.shape == (2, 0)


# -- 0-d tensors ------------------------------------------------------------------------------

# method name -> its value on a plain float
ZERO_D = {
    "exp": math.exp, "log": math.log, "sqrt": math.sqrt, "abs": abs, "tanh": math.tanh,
    "sigmoid": lambda v: 1 / (1 + math.exp(-v)), "relu": lambda v: max(v, 0.0),
    "sin": math.sin, "cos": math.cos, "sum": lambda v: v, "mean": lambda v: v,
    "max": lambda v: v, "min": lambda v: v, "var": lambda v: 0.0, "logsumexp": lambda v: v,
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(ZERO_D))
def test_0d_tensors_through_elementwise_ops_and_reductions(name):
    x = Tensor(np.float64(0.7), requires_grad=True)
    out = getattr(x, name)()
    assert out.shape == () and out.data.shape == ()
    np.testing.assert_allclose(out.data, ZERO_D[name](0.7), rtol=1e-15)
    assert ag.gradcheck(lambda t: getattr(t, name)(), (x,))
    out.backward()
    assert type(x.grad.data) is np.ndarray and x.grad.shape == ()


def test_0d_tensors_have_no_axes_to_reduce_or_soft_max_over():
    x = Tensor(np.float64(0.7), requires_grad=True)
    assert x.sum(axis=()).shape == x.max(keepdims=True).shape == ()
    with pytest.raises(ValueError, match="axis 0 is out of range for a tensor with 0 dim"):
        x.sum(axis=0)
    with pytest.raises(ValueError, match="axis -1 is out of range for a tensor with 0 dim"):
        x.softmax()


# -- numpy inputs: any layout, read-only, never mutated ----------------------------------


def _read_only(array):
    array = array.copy()
    array.flags.writeable = False
    return array


BASE = np.arange(24.0).reshape(4, 6) / 10 - 1
LAYOUTS = {
    "transposed": BASE.T,
    "strided": BASE[::2, ::3],
    "read-only": _read_only(BASE),
    "read-only transposed": _read_only(BASE).T,
    "broadcast view": np.broadcast_to(BASE[0], (4, 6)),
}


def _train_step(data, operand, optimizer):
    """One forward (the operand in several ops), backward and optimizer step; the gradient."""
    x = Tensor(data, requires_grad=True)
    index = _read_only(np.array([0, 1, 0]))
    out = (
        (x * operand + operand).tanh().sum()
        + (x.T @ operand).sum()
        + ag.where(operand > 0, x, operand).sum()
        + ag.maximum(x, operand).sum()
        + linear(operand, x).sum()
        + x[index].sum()
        + F.cross_entropy(x * operand, np.arange(len(x)) % x.shape[1])
    )
    out.backward()
    gradient = x.grad.data.copy()
    step = optimizer([x])
    step.step()
    step.step()
    return gradient, x.data


@pytest.mark.parametrize("optimizer", [lambda p: nn.optim.SGD(p, 0.1, momentum=0.9), nn.optim.Adam])
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_numpy_inputs_of_any_layout_are_never_mutated(layout, optimizer):
    array = LAYOUTS[layout]
    before = array.copy()
    gradient, trained = _train_step(array, array, optimizer)
    np.testing.assert_array_equal(array, before)
    assert not np.shares_memory(trained, array)
    # the layout changes nothing: the same step on a contiguous copy gives the same gradient
    want, _ = _train_step(np.ascontiguousarray(before), np.ascontiguousarray(before), optimizer)
    np.testing.assert_array_equal(gradient, want)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_of_a_transposed_input_has_the_gradients_of_finite_differences(reduction):
    """Found by make fuzz: the VJP subtracted the one-hot from a reshaped copy of the softmax
    of a non-contiguous input, not from the softmax itself."""
    x = Tensor(np.linspace(-1.0, 1.0, 12).reshape(3, 2, 2), requires_grad=True)
    target = np.array([[0, 1], [1, 0], [0, 0]])
    assert ag.gradcheck(lambda x: F.cross_entropy(x.transpose(0, 2, 1), target, reduction), (x,))


def test_arrays_assigned_or_loaded_into_a_model_are_never_mutated():
    weight = _read_only(BASE[:2])
    model = nn.Linear(6, 2)
    model.weight.data = weight  # shares the array, as in PyTorch
    optimizer = nn.optim.Adam(model.parameters(), lr=0.1)
    model(BASE).sum().backward()
    optimizer.step()  # a read-only array is never written to: the step assigns a new one
    np.testing.assert_array_equal(weight, BASE[:2])
    assert not np.array_equal(model.weight.data, BASE[:2])
    state = {"weight": BASE[:2].copy(), "bias": np.array([0.5, -0.5])}  # writeable
    model.load_state_dict(state)  # copies, so the in-place steps below cannot reach them
    model(BASE).sum().backward()
    optimizer.step()
    np.testing.assert_array_equal(state["weight"], BASE[:2])
    np.testing.assert_array_equal(state["bias"], [0.5, -0.5])


# -- arrays tensors cannot hold: refused, naming the dtype ----------------------------------

BAD_ARRAYS = [
    np.array([1.0, 2.0], dtype=object),
    np.array([1 + 2j, 3j]),
    np.array(["1.5", "2"]),
    np.array([b"a", b"b"]),
    np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]"),
]
BAD_USES = {
    "Tensor(array)": lambda a: Tensor(a),
    "Tensor(array, dtype=float64)": lambda a: Tensor(a, dtype=np.float64),  # no silent cast
    "ag.tensor": lambda a: ag.tensor(a, requires_grad=True),
    "operand": lambda a: Tensor([1.0, 2.0], requires_grad=True) * a,
    "reflected operand": lambda a: a - Tensor([1.0, 2.0]),
    "where": lambda a: ag.where([True, False], Tensor([1.0, 2.0]), a),
    "maximum": lambda a: ag.maximum(a, 0.0),
    "backward(grad=...)": lambda a: (Tensor([1.0, 2.0], requires_grad=True) * 2).backward(a),
    ".data = ": lambda a: setattr(Tensor([1.0, 2.0]), "data", a),
    "astype": lambda a: Tensor([1.0, 2.0]).astype(a.dtype),
    "factory dtype=": lambda a: ag.zeros(2, dtype=a.dtype),
}


@pytest.mark.parametrize("use", sorted(BAD_USES))
@pytest.mark.parametrize("array", BAD_ARRAYS, ids=lambda a: str(a.dtype))
def test_object_complex_string_and_date_arrays_are_refused_naming_the_dtype(array, use):
    with pytest.raises(TypeError, match=re.escape(f"got dtype {array.dtype}")):
        BAD_USES[use](array)


def test_a_refused_data_assignment_leaves_the_tensor_as_it_was():
    x = Tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="complex128 assigned to .data"):
        x.data = np.array([1j, 2j])
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


# -- wrong argument types to public functions ------------------------------------------------


def _leaf():
    return Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: ag.grad(_leaf().sum(), np.array([1.0])), TypeError, "input 0 is a ndarray"),
        (lambda: ag.grad(1.0, _leaf()), TypeError, "output 0 is a float"),
        (lambda: ag.grad(Scalar(1.0) * 2, [Scalar(1.0), 3.0]), TypeError, "input 1 is a float"),
        (lambda: ag.gradcheck(3, (_leaf(),)), TypeError, "gradcheck: fn must be a function"),
        (lambda: ag.gradgradcheck("f", (_leaf(),)), TypeError, "gradgradcheck: fn must be"),
        (lambda: _leaf().register_hook(None), TypeError, "a hook must be callable"),
        (lambda: ag.zeros(2.5), TypeError, r"integers, got 2.5 in \(2.5,\)"),
        (lambda: ag.randn(2, 1.5), TypeError, r"integers, got 1.5 in \(2, 1.5\)"),
        (lambda: _leaf().reshape(0.5, 4), TypeError, "integers, got 0.5"),
        (lambda: nn.Linear(2.0, 3), TypeError, "Linear sizes are integers, got float 2.0"),
        (lambda: nn.Linear(2, "3"), TypeError, "Linear sizes are integers, got str '3'"),
        (lambda: nn.MLP([2, 3.5, 1]), TypeError, "got float 3.5"),
        (lambda: nn.optim.SGD(3, lr=0.1), TypeError, "iterable of Tensors.*got int"),
        (lambda: nn.optim.Adam(None), TypeError, "iterable of Tensors.*got NoneType"),
        (lambda: nn.optim.SGD(iter([]), lr=0.1), ValueError, "empty parameter list"),
        (lambda: nn.optim.SGD([_leaf(), 0.5], lr=0.1), TypeError, "Tensors or Scalars, got float"),
    ],
)
def test_wrong_argument_types_get_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_plain_tensor_that_requires_grad_is_trained_like_a_parameter():
    """As in PyTorch: any leaf works; a frozen one (requires_grad=False) is left alone."""
    w, frozen = _leaf(), Tensor([1.0, 2.0], dtype=np.float64)
    optimizer = nn.optim.SGD([w, frozen], lr=0.5)
    (w * frozen).sum().backward()
    optimizer.step()
    np.testing.assert_array_equal(w.data, [0.5, 1.0])
    np.testing.assert_array_equal(frozen.data, [1.0, 2.0])


@pytest.mark.parametrize(
    "state, error, message",
    [
        ([("weight", np.zeros((2, 3)))], TypeError, "must map names to arrays, got list"),
        (
            {"weight": np.zeros((2, 3), complex), "bias": np.zeros(2)},
            TypeError,
            "'weight'.*complex",
        ),
        ({"weight": np.full((2, 3), "1"), "bias": np.zeros(2)}, TypeError, "'weight' holds <U1"),
        ({"weight": None, "bias": np.zeros(2)}, TypeError, "'weight' holds object"),
        ({"weight": np.zeros((3, 2)), "bias": np.zeros(2)}, RuntimeError, r"'weight' has shape"),
    ],
)
def test_load_state_dict_refuses_values_it_cannot_load(state, error, message):
    model = nn.Linear(3, 2)
    before = model.state_dict()
    with pytest.raises(error, match=message):
        model.load_state_dict(state)
    for name, p in model.named_parameters():
        np.testing.assert_array_equal(p.data, before[name])


def test_load_state_dict_converts_integer_arrays_to_the_parameter_dtype():
    model = nn.Linear(3, 2)
    model.load_state_dict({"weight": np.ones((2, 3), int), "bias": np.arange(2)})
    assert model.weight.dtype == model.bias.dtype == np.float32
    np.testing.assert_array_equal(model.bias.data, [0.0, 1.0])


# -- memory: live objects do not grow over a training loop -----------------------------------


def _live_objects_at(steps, counted_at, train_step):
    """len(gc.get_objects()) after each step in counted_at, the cycle collector disabled:
    whatever a step leaves behind, in a cycle or not, shows up in the count."""
    counts = {}
    gc.collect()
    gc.disable()
    try:
        for step in range(1, steps + 1):
            train_step()
            if step in counted_at:
                counts[step] = len(gc.get_objects())
    finally:
        gc.enable()
    return counts


def test_a_tensor_training_loop_leaves_nothing_behind():
    ag.manual_seed(0)
    X, y = nn.data.make_moons(64, noise=0.1, seed=0)
    model = nn.MLP([2, 16, 16, 2])
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []

    def train_step():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())  # a float: keeping it keeps no graph

    counts = _live_objects_at(200, (20, 200), train_step)
    assert counts[200] - counts[20] <= 3, counts
    assert losses[-1] < losses[0] / 2  # it did train


def test_a_scalar_training_loop_leaves_nothing_behind():
    rng = random.Random(0)
    hidden = [[Scalar(rng.uniform(-1, 1)) for _ in range(3)] for _ in range(4)]
    out = [Scalar(rng.uniform(-1, 1)) for _ in range(5)]
    optimizer = nn.optim.SGD([p for row in hidden for p in row] + out, lr=0.05)
    points = [((rng.uniform(-1, 1), rng.uniform(-1, 1)), rng.choice([-1.0, 1.0])) for _ in range(8)]
    losses = []

    def train_step():
        optimizer.zero_grad()
        loss = 0.0
        for (a, b), label in points:
            h = [(w * a + v * b + c).tanh() for w, v, c in hidden]
            score = sum((o * z for o, z in zip(out, h)), out[-1])
            loss = loss + (1 - label * score).relu()
        loss.backward()
        optimizer.step()
        losses.append(loss.data)

    counts = _live_objects_at(200, (20, 200), train_step)
    assert counts[200] - counts[20] <= 3, counts
    assert losses[-1] < losses[0]
