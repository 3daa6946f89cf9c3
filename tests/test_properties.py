"""Property tests: random shapes, values and compositions of ops against finite differences."""

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd as ag
from autograd import Scalar, Tensor
from autograd.testing import (
    assert_gradients_close,
    broadcastable_pair,
    broadcastable_shapes,
    shapes,
    tensors,
    values,
)

# Smooth steps that keep well-conditioned values well-conditioned (none grows fast when
# repeated); each works on a Scalar and on a Tensor alike.
ELEMENTWISE = {
    "tanh": lambda x: x.tanh(),
    "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(),
    "sigmoid": lambda x: x.sigmoid(),
    "square": lambda x: x * x * 0.5,
    "softplus": lambda x: (x.exp() + 1).log(),
    "hypot": lambda x: (x * x + 1).sqrt(),
    "bounded exp": lambda x: x.tanh().exp(),
    "reciprocal": lambda x: 1 / (x * x + 0.5),
    "power": lambda x: (x * x + 0.5) ** -0.5,
    "affine": lambda x: 0.5 - 0.75 * x,
}

# Tensor-only steps: shape ops and reductions that keep the shape (so steps chain freely).
TENSOR_STEPS = {
    **ELEMENTWISE,
    "transpose": lambda x: x.T.tanh().T,
    "flatten and back": lambda x: x.flatten().reshape(x.shape),
    "softmax": lambda x: x.softmax(axis=-1) if x.ndim else x,
    "centre": lambda x: x - x.mean(axis=0, keepdims=True) if x.ndim else x,
    "normalise": lambda x: x / ((x * x).sum() + 1).sqrt(),
    "logsumexp": lambda x: x - x.logsumexp(axis=-1, keepdims=True) if x.ndim else x,
}

# Binary steps with a second tensor whose shape broadcasts with the first.
BINARY = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / (y * y + 1),
    "pow": lambda x, y: (x * x + 1) ** y,
    "where": lambda x, y: ag.where(x.data > 0, x, y),
}

compositions = st.lists(st.sampled_from(sorted(TENSOR_STEPS)), min_size=1, max_size=4)
elementwise_compositions = st.lists(st.sampled_from(sorted(ELEMENTWISE)), min_size=1, max_size=4)


def composed(steps, table):
    def fn(x):
        for step in steps:
            x = table[step](x)
        return x

    return fn


def with_second_input(steps, binary):
    """x, y -> binary(f(x), y) with f the composition of steps."""
    f = composed(steps, TENSOR_STEPS)
    return lambda x, y: BINARY[binary](f(x), y)


# -- shapes ----------------------------------------------------------------------------------


@given(broadcastable_pair(), st.sampled_from(sorted(BINARY)))
def test_gradients_have_the_shape_and_dtype_of_their_inputs(pair, binary):
    x, y = pair
    BINARY[binary](x, y).sum().backward()
    assert x.grad.shape == x.shape and y.grad.shape == y.shape
    assert x.grad.dtype == x.dtype and y.grad.dtype == y.dtype


@given(broadcastable_pair(dtype=np.float32), st.sampled_from(sorted(BINARY)))
def test_float32_stays_float32(pair, binary):
    x, y = pair
    out = BINARY[binary](x, y)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32


@given(st.data())
def test_broadcast_results_have_numpys_shape(data):
    shape = data.draw(shapes())
    other = data.draw(broadcastable_shapes(shape))
    x, y = data.draw(tensors(shape)), data.draw(tensors(other))
    assert (x * y).shape == np.broadcast_shapes(shape, other)
    np.testing.assert_allclose((x * y).data, x.data * y.data, rtol=1e-15)


# -- first derivatives against finite differences -----------------------------------------


@given(broadcastable_pair(), st.sampled_from(sorted(BINARY)))
def test_binary_ops_under_broadcasting_match_finite_differences(pair, binary):
    assert ag.gradcheck(BINARY[binary], pair)


@given(tensors(), compositions)
def test_random_compositions_match_finite_differences(x, steps):
    assert ag.gradcheck(composed(steps, TENSOR_STEPS), [x])


@given(broadcastable_pair(), compositions, st.sampled_from(sorted(BINARY)))
def test_random_compositions_of_two_inputs_match_finite_differences(pair, steps, binary):
    assert ag.gradcheck(with_second_input(steps, binary), pair)


# Entries on a grid 0.1 apart: max and min meet no near-ties, std no zero spread.
spaced = st.integers(-20, 20).map(lambda k: k / 10)


@given(st.data(), st.sampled_from(["sum", "mean", "var", "std", "logsumexp", "max", "min"]))
def test_reductions_over_random_axes_match_finite_differences(data, name):
    x = data.draw(tensors(shapes(min_dims=1), elements=spaced, unique=True))
    axes = data.draw(st.lists(st.integers(0, x.ndim - 1), unique=True, max_size=x.ndim))
    axis = tuple(axes) if axes else None
    keepdims = data.draw(st.booleans())
    reduced = x.size if axis is None else int(np.prod([x.shape[i] for i in axis]))
    assume(name != "std" or reduced > 1)  # the std of one entry has no slope at 0
    assert ag.gradcheck(lambda x: getattr(x, name)(axis=axis, keepdims=keepdims), [x])


@given(st.data())
def test_matmul_of_random_shapes_matches_finite_differences(data):
    n, k, m = data.draw(st.tuples(*[st.integers(1, 3)] * 3))
    batch = data.draw(shapes(max_dims=2))
    batch_b = data.draw(broadcastable_shapes(batch, max_dims=2))
    a = data.draw(tensors(batch + (n, k)))
    b = data.draw(tensors(batch_b + (k, m)))
    assert (a @ b).shape == np.broadcast_shapes(batch, batch_b) + (n, m)
    assert ag.gradcheck(lambda a, b: a @ b, [a, b])


@given(st.data())
def test_indexing_with_repeated_indices_scatter_adds(data):
    x = data.draw(tensors(shapes(min_dims=1)))
    index = np.array(data.draw(st.lists(st.integers(0, x.shape[0] - 1), min_size=1, max_size=6)))
    weights = data.draw(tensors(index.shape + x.shape[1:], requires_grad=False))
    (x[index] * weights).sum().backward()
    want = np.zeros(x.shape)
    np.add.at(want, index, weights.data)
    np.testing.assert_allclose(x.grad.data, want, rtol=1e-12)


@given(tensors(), st.sampled_from(["relu", "abs", "sqrt", "log", "exp"]))
def test_single_ops_away_from_their_kinks_match_finite_differences(x, name):
    if name in ("sqrt", "log"):
        x = Tensor(np.abs(x.data), requires_grad=True)
    assert ag.gradcheck(lambda x: getattr(x, name)(), [x])


# -- linearity of backward -------------------------------------------------------------------


@given(st.data(), compositions, values(), values())
def test_backward_is_linear_in_the_output_gradient(data, steps, a, b):
    x = data.draw(tensors())
    f = composed(steps, TENSOR_STEPS)
    out = f(x)
    g1, g2 = (data.draw(tensors(out.shape, requires_grad=False)) for _ in range(2))
    (grad1,) = ag.grad(out, x, g1, retain_graph=True)
    (grad2,) = ag.grad(out, x, g2, retain_graph=True)
    f(x).backward(a * g1 + b * g2)
    np.testing.assert_allclose(x.grad.data, a * grad1.data + b * grad2.data, atol=1e-10)


# -- Scalar and Tensor agree -------------------------------------------------------------------


@given(values(), elementwise_compositions)
def test_scalar_and_tensor_compute_the_same_values_and_gradients(at, steps):
    f = composed(steps, ELEMENTWISE)
    s, t = Scalar(at), Tensor(np.array([at]), requires_grad=True)
    ys, yt = f(s), f(t)
    ys.backward()
    yt.sum().backward()
    np.testing.assert_allclose(ys.data, yt.data[0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(s.grad, t.grad.data[0], rtol=1e-9, atol=1e-12)


@given(values(), elementwise_compositions)
def test_scalar_compositions_match_finite_differences(at, steps):
    assert_gradients_close(composed(steps, ELEMENTWISE), Scalar(at))


# -- second derivatives -----------------------------------------------------------------------


@given(tensors(shapes(max_dims=2)), compositions)
def test_second_derivatives_of_random_compositions(x, steps):
    assert ag.gradgradcheck(composed(steps, TENSOR_STEPS), [x])


@given(broadcastable_pair(), compositions, st.sampled_from(sorted(BINARY)))
def test_second_derivatives_of_random_compositions_of_two_inputs(pair, steps, binary):
    assert ag.gradgradcheck(with_second_input(steps, binary), pair)


@given(tensors(shapes(max_dims=2)), compositions)
def test_hessian_vector_products_match_finite_differences_of_gradients(x, steps):
    """Differentiating the gradient once more agrees with differencing the gradient."""
    f = composed(steps, TENSOR_STEPS)
    v = np.cos(np.arange(x.size)).reshape(x.shape)

    def directional_gradient(x):
        (g,) = ag.grad(f(x).sum(), x, create_graph=True)
        return (g * v).sum()

    assert_gradients_close(directional_gradient, x, order=1)
