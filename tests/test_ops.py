"""Every op in the op table, gradchecked to first and second order on Tensor and Scalar.

The cases are keyed by op name and checked against autograd.ops.TABLE itself, so an op
added to the table without a case here fails the suite.
"""

import math

import numpy as np
import pytest

import autograd as ag
from autograd import Scalar, Tensor, ops
from autograd.engine import toposort
from autograd.fused import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    linear,
    softmax_cross_entropy,
)
from autograd.tensor import scatter

rng = np.random.default_rng(0)


def leaf(*shape, low=0.3, high=1.5, positive=False):
    """A float64 leaf with magnitudes in [low, high]: away from kinks, poles and ties."""
    data = rng.uniform(low, high, shape)
    if not positive:
        data *= rng.choice([-1.0, 1.0], shape)
    return Tensor(data, requires_grad=True)


def distinct(*shape, offset=0.0):
    """A leaf with entries 0.25 apart (shifted by offset): max and min meet no near-ties."""
    data = rng.permutation(np.arange(int(np.prod(shape)))) * 0.25 - 1.0 + offset
    return Tensor(data.reshape(shape), requires_grad=True)


def positive(*shape):
    return leaf(*shape, positive=True)


MASK = np.array([[True, False, True], [False, False, True]])
CLASSES = np.array([2, 0, 1, 2])
WEIGHTS = rng.standard_normal((3, 2))

# op name -> list of (fn, inputs); fn must apply that op to the inputs. A case whose inputs
# are all floats runs on Scalars and on 0-d Tensors made from them; the others on Tensors.
CASES = {
    "add": [
        (lambda x, y: x + y, (leaf(2, 3), leaf(2, 3))),
        (lambda x, y: x + y, (leaf(2, 1, 3), leaf(4, 1))),  # broadcasting both ways
        (lambda x: 2.5 + x, (leaf(3),)),
        (lambda x, y: x + y, (1.3, -0.4)),
        (lambda x: 2 + x, (0.7,)),
    ],
    "mul": [
        (lambda x, y: x * y, (leaf(2, 3), leaf(3))),
        (lambda x: x * x, (leaf(4),)),
        (lambda x, y: x * y, (1.3, -0.4)),
        (lambda x: x * x, (-0.8,)),
    ],
    "div": [
        (lambda x, y: x / y, (leaf(2, 3), leaf(2, 3))),
        (lambda y: 1.5 / y, (leaf(3, 1),)),
        (lambda x, y: x / y, (1.3, -0.4)),
        (lambda y: 3 / y, (0.6,)),
    ],
    "pow": [
        (lambda x, y: x**y, (positive(2, 3), leaf(2, 3))),
        (lambda x: x**3, (leaf(4),)),  # negative bases with an integer power
        (lambda y: 2.0**y, (leaf(3),)),
        (lambda x, y: x**y, (1.3, -0.4)),
        (lambda x: x**3, (-0.7,)),
        (lambda x: x**-0.5, (0.9,)),
        (lambda y: 2**y, (0.6,)),
    ],
    "neg": [(lambda x: -x, (leaf(2, 2),)), (lambda x: -x, (0.5,))],
    "exp": [(lambda x: x.exp(), (leaf(2, 3),)), (lambda x: x.exp(), (0.5,))],
    "log": [(lambda x: x.log(), (positive(2, 3),)), (lambda x: x.log(), (0.5,))],
    "sqrt": [(lambda x: x.sqrt(), (positive(2, 3),)), (lambda x: x.sqrt(), (0.5,))],
    "sin": [(lambda x: x.sin(), (leaf(2, 3),)), (lambda x: x.sin(), (0.5,))],
    "cos": [(lambda x: x.cos(), (leaf(2, 3),)), (lambda x: x.cos(), (0.5,))],
    "tanh": [(lambda x: x.tanh(), (leaf(2, 3),)), (lambda x: x.tanh(), (-0.5,))],
    "sigmoid": [
        (lambda x: x.sigmoid(), (leaf(2, 3, high=4.0),)),
        (lambda x: x.sigmoid(), (-0.5,)),
        (lambda x: x.sigmoid(), (3.0,)),
    ],
    "relu": [
        (lambda x: x.relu(), (leaf(2, 3),)),
        (lambda x: x.relu(), (0.5,)),
        (lambda x: x.relu(), (-0.5,)),
    ],
    "abs": [
        (lambda x: abs(x), (leaf(2, 3),)),
        (lambda x: abs(x), (0.5,)),
        (lambda x: x.abs(), (-0.5,)),
    ],
    "maximum": [
        (ag.maximum, (distinct(2, 3), distinct(2, 3, offset=0.1))),
        (ag.maximum, (leaf(2, 3), 0.0)),
    ],
    "minimum": [
        (ag.minimum, (distinct(2, 3), distinct(3, offset=0.1))),
        (ag.minimum, (1.0, leaf(2, 3))),
    ],
    "where": [
        (lambda x, y: ag.where(MASK, x, y), (leaf(2, 3), leaf(2, 3))),
        (lambda x, y: ag.where(MASK, x, y), (leaf(3), leaf(2, 1))),
    ],
    "clip": [
        (lambda x: x.clip(-1.0, 1.0), (Tensor([-2.0, -0.5, 0.3, 1.7], requires_grad=True),)),
        (lambda x: x.clip(min=0.0), (leaf(5),)),
    ],
    "matmul": [
        (lambda a, b: a @ b, (leaf(2, 3), leaf(3, 4))),
        (lambda a, b: a @ b, (leaf(2, 2, 3), leaf(3, 2))),  # batch broadcast
        (lambda a, b: a @ b, (leaf(3), leaf(3, 2))),  # 1-d on the left
        (lambda a, b: a @ b, (leaf(2, 3), leaf(3))),  # 1-d on the right
    ],
    "sum": [
        (lambda x: x.sum(), (leaf(2, 3, 2),)),
        (lambda x: x.sum(axis=1), (leaf(2, 3, 2),)),
        (lambda x: x.sum(axis=(0, 2), keepdims=True), (leaf(2, 3, 2),)),
    ],
    "max": [
        (lambda x: x.max(), (distinct(2, 3),)),
        (lambda x: x.max(axis=0), (distinct(3, 4),)),
        (lambda x: x.max(axis=-1, keepdims=True), (distinct(3, 4),)),
    ],
    "min": [
        (lambda x: x.min(), (distinct(2, 3),)),
        (lambda x: x.min(axis=(0, 1)), (distinct(2, 3, 2),)),
    ],
    "logsumexp": [
        (lambda x: x.logsumexp(), (leaf(2, 3),)),
        (lambda x: x.logsumexp(axis=0, keepdims=True), (leaf(3, 4),)),
    ],
    "log_softmax": [
        (lambda x: x.log_softmax(), (leaf(2, 4),)),
        (lambda x: x.log_softmax(axis=0), (leaf(3, 2),)),
        (lambda x: x.softmax(axis=1), (leaf(2, 3),)),
    ],
    # longdouble keeps the precision that finite differences need
    "astype": [(lambda x: x.astype(np.longdouble) ** 2, (leaf(2, 3),))],
    "reshape": [
        (lambda x: x.reshape(3, 2) * WEIGHTS, (leaf(2, 3),)),
        (lambda x: x.flatten(), (leaf(2, 3),)),
        (lambda x: x.expand_dims(1).squeeze(), (leaf(3),)),
    ],
    "transpose": [
        (lambda x: x.T, (leaf(2, 3),)),
        (lambda x: x.transpose(1, 2, 0), (leaf(2, 3, 4),)),
    ],
    "broadcast_to": [(lambda x: x.broadcast_to((2, 3, 4)), (leaf(3, 1),))],
    "getitem": [
        (lambda x: x[1], (leaf(3, 2),)),
        (lambda x: x[::2, None, 1:], (leaf(4, 3),)),
        (lambda x: x[np.array([0, 2, 0, 0])], (leaf(3, 2),)),  # repeated indices add up
        (lambda x: x[MASK], (leaf(2, 3),)),
        (lambda x: x[..., [1, 1]], (leaf(2, 3),)),
    ],
    "linear": [
        (linear, (leaf(4, 3), leaf(2, 3), leaf(2))),
        (linear, (leaf(2, 4, 3), leaf(2, 3))),
    ],
    "softmax_cross_entropy": [
        (lambda x, r=reduction: softmax_cross_entropy(x, CLASSES, r), (leaf(4, 3),))
        for reduction in ("none", "sum", "mean")
    ],
    "bce": [  # probabilities against constant and against learned targets
        (binary_cross_entropy, (leaf(2, 3, low=0.1, high=0.9, positive=True), Tensor(MASK * 1.0))),
        (
            binary_cross_entropy,
            (leaf(3, low=0.1, high=0.9, positive=True), leaf(3, low=0.2, high=0.8)),
        ),
    ],
    "bce_with_logits": [
        (binary_cross_entropy_with_logits, (leaf(2, 3), Tensor(rng.uniform(0, 1, (2, 3))))),
        (binary_cross_entropy_with_logits, (leaf(3), positive(3))),
    ],
    "scatter": [
        (lambda g: scatter(g, (np.array([0, 2, 0]),), (4,)), (leaf(3),)),
        (lambda g: scatter(g, (slice(1, 3),), (3, 2)), (leaf(2, 2),)),
    ],
    "concatenate": [
        (lambda x, y: ag.concatenate([x, y], axis=1), (leaf(2, 3), leaf(2, 1))),
        (lambda x, y: ag.stack([x, y], axis=-1), (leaf(2, 3), leaf(2, 3))),
    ],
}


def on_floats(inputs):
    return all(type(v) is float for v in inputs)


def cases(kind):
    """The pytest cases (name, fn, inputs) for values of kind: "scalar" takes the float cases."""
    return [
        pytest.param(name, fn, inputs, id=f"{kind}-{name}-{i}")
        for name, entries in CASES.items()
        for i, (fn, inputs) in enumerate(entries)
        if kind == "tensor" or on_floats(inputs)
    ]


def scalars(numbers):
    return tuple(Scalar(v) for v in numbers)


def tensors(inputs):
    """A float case's inputs as float64 0-d leaves; any other case's inputs as they are."""
    if on_floats(inputs):
        return tuple(Tensor(np.float64(v), requires_grad=True) for v in inputs)
    return inputs


def ops_used(output):
    return {node._op.name for node in toposort([output]) if node._op is not None}


def test_every_op_in_the_table_has_tensor_cases():
    assert set(CASES) == set(ops.TABLE)


def test_every_op_with_a_scalar_forward_has_scalar_cases():
    with_float_cases = {
        name for name, entries in CASES.items() if any(on_floats(i) for _, i in entries)
    }
    assert with_float_cases == {name for name, op in ops.TABLE.items() if op.scalar is not None}


@pytest.mark.parametrize("name, fn, inputs", cases("tensor"))
def test_tensor_case_uses_its_op(name, fn, inputs):
    assert name in ops_used(fn(*tensors(inputs)))


@pytest.mark.parametrize("name, fn, inputs", cases("scalar"))
def test_scalar_case_uses_its_op(name, fn, inputs):
    assert name in ops_used(fn(*scalars(inputs)))


@pytest.mark.parametrize("name, fn, inputs", cases("tensor"))
def test_tensor_gradients_match_finite_differences(name, fn, inputs):
    assert ag.gradcheck(fn, tensors(inputs))


@pytest.mark.parametrize("name, fn, inputs", cases("tensor"))
def test_tensor_second_derivatives_match_finite_differences(name, fn, inputs):
    assert ag.gradgradcheck(fn, tensors(inputs))


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("name, fn, inputs", cases("tensor"))
def test_tensor_gradients_have_their_inputs_dtype(name, fn, inputs, create_graph):
    """Every VJP keeps float32 in float32 (astype's case casts to longdouble and back)."""
    inputs = [
        x.astype(np.float32).detach().requires_grad_(x.requires_grad)
        if isinstance(x, Tensor)
        else x
        for x in tensors(inputs)
    ]
    wanted = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    grads = ag.grad(fn(*inputs).sum(), wanted, create_graph=create_graph)
    assert [g.dtype for g in grads] == [np.float32] * len(wanted)


@pytest.mark.parametrize("name, fn, inputs", cases("scalar"))
def test_scalar_gradients_match_finite_differences(name, fn, inputs):
    assert ag.gradcheck(fn, scalars(inputs))


@pytest.mark.parametrize("name, fn, inputs", cases("scalar"))
def test_scalar_second_derivatives_match_finite_differences(name, fn, inputs):
    assert ag.gradgradcheck(fn, scalars(inputs))


@pytest.mark.parametrize("graph", [False, True], ids=["data", "graph"])
@pytest.mark.parametrize("name, fn, inputs", cases("tensor"))
def test_vjps_read_no_value_their_op_does_not_declare(name, fn, inputs, graph):
    """The cotangents stay the same when the output and inputs outside the op's `reads` are
    replaced by other values: backward's in-place check may skip those."""
    node = next(
        n for n in toposort([fn(*tensors(inputs))]) if n._op is not None and n._op.name == name
    )
    op, values, g = node._op, (node, *node._inputs), rng.standard_normal(node.shape)

    def cotangents(values):
        if graph:
            args = (Tensor._graph_math, Tensor(g), *values)
        else:
            args = (Tensor._raw_math, g, *[v.data for v in values])
        pairs = op.cotangents(args + node._params, node._inputs, None)
        return [np.asarray(c.data if graph else c) for _, c in pairs]

    others = tuple(
        v if i in op.reads else Tensor(rng.standard_normal(v.shape).astype(v.dtype))
        for i, v in enumerate(values)
    )
    for got, expected in zip(cotangents(others), cotangents(values), strict=True):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("name, fn, numbers", cases("scalar"))
def test_scalar_and_tensor_forwards_agree(name, fn, numbers):
    """An op with both forwards computes the same numbers on floats and on arrays."""
    on_scalars = fn(*scalars(numbers)).data
    on_tensors = fn(*tensors(numbers)).data
    assert on_scalars == pytest.approx(float(on_tensors), rel=1e-15)


# -- third derivatives through ag.grad(create_graph=True) ---------------------------------


def third_derivative(f, x):
    """d^3 f / dx^3 by three nested ag.grad calls (summed, so it is elementwise on tensors)."""
    g = f(x)
    for _ in range(3):
        (g,) = ag.grad(g.sum() if isinstance(g, Tensor) else g, x, create_graph=True)
    return g


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


# f, its closed-form third derivative, points in its domain
THIRD_DERIVATIVES = [
    (lambda x: x.sin() * x.exp(), lambda x: 2 * math.exp(x) * (math.cos(x) - math.sin(x))),
    (lambda x: x.tanh(), lambda x: (1 - math.tanh(x) ** 2) * (6 * math.tanh(x) ** 2 - 2)),
    (
        lambda x: x.sigmoid(),
        lambda x: sigmoid(x) * (1 - sigmoid(x)) * (1 - 6 * sigmoid(x) * (1 - sigmoid(x))),
    ),
    (lambda x: x.log() * x**3, lambda x: 6 * math.log(x) + 11),
    (lambda x: 1 / x.sqrt(), lambda x: -15 / 8 * x**-3.5),
    (lambda x: (x * x).cos(), lambda x: 8 * x**3 * math.sin(x * x) - 12 * x * math.cos(x * x)),
]
POINTS = (0.4, 0.9, 1.7)  # all three in every domain above


@pytest.mark.parametrize("f, closed_form", THIRD_DERIVATIVES)
@pytest.mark.parametrize("at", POINTS)
def test_third_derivative_of_a_scalar_composition(f, closed_form, at):
    assert third_derivative(f, Scalar(at)).data == pytest.approx(closed_form(at), rel=1e-10)


@pytest.mark.parametrize("f, closed_form", THIRD_DERIVATIVES)
def test_third_derivative_of_a_tensor_composition(f, closed_form):
    got = third_derivative(f, Tensor(np.array(POINTS), requires_grad=True))
    np.testing.assert_allclose(got.data, [closed_form(p) for p in POINTS], rtol=1e-10)


def test_mixed_third_derivative_of_a_tensor_function():
    """f = sum(x^2 y^3): d^3 f / dx dy dy = 12 x y, elementwise."""
    x, y = leaf(3), leaf(3)
    (fx,) = ag.grad((x * x * y**3).sum(), x, create_graph=True)
    (fxy,) = ag.grad(fx.sum(), y, create_graph=True)
    (fxyy,) = ag.grad(fxy.sum(), y)
    np.testing.assert_allclose(fxyy.data, 12 * x.data * y.data, rtol=1e-12)


def test_third_derivative_through_a_matrix_product():
    """f = sum((A x)^3): d^3 f / dx_i dx_j dx_k = 6 sum_r A_ri A_rj A_rk; contracted with ones."""
    a, x = leaf(4, 3).detach(), leaf(3)
    (g,) = ag.grad(((a @ x) ** 3).sum(), x, create_graph=True)
    (h,) = ag.grad(g.sum(), x, create_graph=True)
    (t,) = ag.grad(h.sum(), x)
    want = 6 * np.einsum("ri,r->i", a.data, a.data.sum(1) ** 2)
    np.testing.assert_allclose(t.data, want, rtol=1e-12)
