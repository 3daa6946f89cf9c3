"""Type promotion and gradient dtypes follow PyTorch: a float32 model never creeps into float64.

Each expression runs on the same operands for ours and, when it is installed, for PyTorch's
(numpy arrays through torch.from_numpy, numpy scalars as they are).
"""

from types import SimpleNamespace

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Tensor

MASK = np.array([True, False])


def ours():
    def tensor(data, dtype):
        return Tensor(np.array(data, dtype))

    return operands(tensor, lambda data, dtype: np.array(data, dtype), ag)


def theirs():
    torch = pytest.importorskip("torch")

    def tensor(data, dtype):
        return torch.from_numpy(np.array(data, dtype))

    lib = SimpleNamespace(
        maximum=torch.maximum,
        where=lambda cond, a, b: torch.where(torch.from_numpy(cond), a, b),
        concatenate=torch.cat,
    )
    return operands(tensor, tensor, lib)


def operands(tensor, array, lib):
    """Tensors of every kind, 0-d ones, numpy arrays and the functions that mix them."""
    return SimpleNamespace(
        b=tensor([True, False], np.bool_),
        i32=tensor([1, 2], np.int32),
        i64=tensor([1, 2], np.int64),
        f16=tensor([1.0, 2.0], np.float16),
        f32=tensor([1.0, 2.0], np.float32),
        f64=tensor([1.0, 2.0], np.float64),
        f32_0d=tensor(2.0, np.float32),
        f64_0d=tensor(2.0, np.float64),
        array_i64=array([2, 1], np.int64),
        array_f64=array([2.0, 1.0], np.float64),
        array_f64_0d=array(2.0, np.float64),
        maximum=lib.maximum,
        where=lambda a, b: lib.where(MASK, a, b),
        concatenate=lib.concatenate,
    )


# (expression of the operands L, its dtype: "default" is the default float dtype)
PROMOTION = {
    "int + float32": (lambda L: L.i64 + L.f32, "float32"),
    "float32 * int": (lambda L: L.f32 * L.i64, "float32"),
    "int * 2.5": (lambda L: L.i64 * 2.5, "default"),
    "2.5 - int": (lambda L: 2.5 - L.i64, "default"),
    "int / 2": (lambda L: L.i64 / 2, "default"),
    "int / int": (lambda L: L.i64 / L.i64, "default"),
    "int ** 2.5": (lambda L: L.i64**2.5, "default"),
    "2.5 ** int": (lambda L: 2.5**L.i64, "default"),
    "int + 2 stays int": (lambda L: L.i64 + 2, "int64"),
    "int ** 2 stays int": (lambda L: L.i64**2, "int64"),
    "int32 + 2 stays int32": (lambda L: L.i32 + 2, "int32"),
    "int32 * numpy int64 scalar": (lambda L: L.i32 * np.int64(2), "int32"),
    "int * numpy float64 scalar": (lambda L: L.i64 * np.float64(2.0), "default"),
    "float32 * numpy float64 scalar": (lambda L: L.f32 * np.float64(2.0), "float32"),
    "bool + 1": (lambda L: L.b + 1, "int64"),
    "bool + True": (lambda L: L.b + True, "bool"),
    "bool * 2.5": (lambda L: L.b * 2.5, "default"),
    "float16 * int": (lambda L: L.f16 * L.i64, "float16"),
    "float32 * float64": (lambda L: L.f32 * L.f64, "float64"),
    "float32 * 0-d float64": (lambda L: L.f32 * L.f64_0d, "float32"),
    "int * 0-d float64": (lambda L: L.i64 * L.f64_0d, "float64"),
    "0-d float32 * 0-d float64": (lambda L: L.f32_0d * L.f64_0d, "float64"),
    "float32 * int64 array": (lambda L: L.f32 * L.array_i64, "float32"),
    "int64 array * float32": (lambda L: L.array_i64 * L.f32, "float32"),
    "float32 * float64 array": (lambda L: L.f32 * L.array_f64, "float64"),
    "float32 * 0-d float64 array": (lambda L: L.f32 * L.array_f64_0d, "float32"),
    "int < float32": (lambda L: L.i64 < L.f32, "bool"),
    "exp of int": (lambda L: L.i64.exp(), "default"),
    "log of int": (lambda L: L.i64.log(), "default"),
    "sqrt of int": (lambda L: L.i64.sqrt(), "default"),
    "sin of int": (lambda L: L.i64.sin(), "default"),
    "cos of int": (lambda L: L.i64.cos(), "default"),
    "tanh of int": (lambda L: L.i64.tanh(), "default"),
    "sigmoid of int": (lambda L: L.i64.sigmoid(), "default"),
    "exp of bool": (lambda L: L.b.exp(), "default"),
    "exp of float16": (lambda L: L.f16.exp(), "float16"),
    "logsumexp of int": (lambda L: L.i64.logsumexp(0), "default"),
    "relu of int": (lambda L: L.i64.relu(), "int64"),
    "abs of int": (lambda L: abs(L.i64), "int64"),
    "-int": (lambda L: -L.i64, "int64"),
    "int clipped at 0.5": (lambda L: L.i64.clip(0.5), "default"),
    "int clipped at 1": (lambda L: L.i64.clip(1), "int64"),
    "maximum(int, float32)": (lambda L: L.maximum(L.i64, L.f32), "float32"),
    "where(int, float32)": (lambda L: L.where(L.i64, L.f32), "float32"),
    "where(int, 2.5)": (lambda L: L.where(L.i64, 2.5), "default"),
    "concatenate(int, float32)": (lambda L: L.concatenate([L.i64, L.f32]), "float32"),
}
# PyTorch refuses these (integer means, mixed matmul); we promote as for the operators.
OURS_ONLY = {
    "mean of int": (lambda L: L.i64.mean(), "default"),
    "std of int": (lambda L: L.i64.std(), "default"),
    "int @ float32": (lambda L: L.i64 @ L.f32, "float32"),
    "float32 @ float64": (lambda L: L.f32 @ L.f64, "float64"),
    "clip of int with no lower bound": (lambda L: L.i64.clip(max=1), "int64"),
}


@pytest.fixture(params=["float32", "float64"])
def default_dtype(request):
    """Each test runs with either default float dtype, set here (and in torch if present)."""
    dtype = request.param
    torch = None
    try:
        import torch
    except ImportError:
        pass
    ag.set_default_dtype(dtype)
    if torch is not None:
        torch.set_default_dtype(getattr(torch, dtype))
    try:
        yield dtype
    finally:
        ag.set_default_dtype(np.float32)
        if torch is not None:
            torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("case", {**PROMOTION, **OURS_ONLY})
def test_type_promotion(case, default_dtype):
    expression, dtype = {**PROMOTION, **OURS_ONLY}[case]
    got = expression(ours())
    assert isinstance(got, Tensor)
    assert got.dtype == np.dtype(default_dtype if dtype == "default" else dtype), case


@pytest.mark.parametrize("case", PROMOTION)
def test_type_promotion_matches_torch(case, default_dtype):
    expression, _ = PROMOTION[case]
    want = expression(theirs())
    got = expression(ours())
    assert str(got.dtype) == str(want.dtype).removeprefix("torch."), case
    np.testing.assert_allclose(got.data.astype(float), want.double().numpy(), rtol=1e-3)


def test_linear_layers_promote_integer_input_to_their_float_dtype():
    layer = nn.Linear(2, 3)
    assert layer(Tensor(np.array([[1, 2]]))).dtype == np.float32


# -- gradient dtypes -------------------------------------------------------------------------


def float32_leaf():
    return Tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)


def test_a_float32_leaf_times_a_float64_constant_gets_float32_gradients_on_every_path():
    x, c = float32_leaf(), Tensor(np.array([3.0, 4.0]))
    f = lambda: (x * x * c).sum()  # noqa: E731
    assert f().dtype == np.float64
    (g,) = ag.grad(f(), x)
    assert g.dtype == np.float32 and g.data.tolist() == [6.0, 16.0]
    (g,) = ag.grad(f(), x, create_graph=True)
    (h,) = ag.grad(g.sum(), x)
    assert g.dtype == h.dtype == np.float32 and h.data.tolist() == [6.0, 8.0]
    f().backward(create_graph=True)
    assert x.grad.dtype == np.float32 and x.grad.data.tolist() == [6.0, 16.0]
    x.grad = None
    f().backward()
    assert x.grad.dtype == np.float32


def test_a_float32_leaf_mixed_with_float64_through_maximum_matmul_and_concatenate():
    x, c = float32_leaf(), Tensor(np.array([3.0, 0.5]))
    for out in (ag.maximum(x, c).sum(), x @ c, ag.concatenate([x, c]).sum(), ag.where(MASK, x, c)):
        for create_graph in (False, True):
            (g,) = ag.grad(out.sum(), x, retain_graph=True, create_graph=create_graph)
            assert g.dtype == np.float32


class Twice(ag.Function):
    """2 x, whose backward hands back a float64 gradient whatever x's dtype."""

    @staticmethod
    def forward(ctx, x):
        return x.data * 2

    @staticmethod
    def backward(ctx, g):
        return Tensor(g.data.astype(np.float64) * 2)


def test_a_function_gradient_takes_its_inputs_dtype():
    x = float32_leaf()
    (g,) = ag.grad(Twice.apply(x).sum(), x)
    assert g.dtype == np.float32 and g.data.tolist() == [2.0, 2.0]
