"""Tensor: construction, dtypes, forwards against numpy, broadcasting, shapes, indexing, errors."""

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor
from autograd.fused import linear

rng = np.random.default_rng(1)
X = rng.standard_normal((3, 4))


def leaf(data):
    return Tensor(np.array(data, dtype=np.float64), requires_grad=True)


# -- construction and dtypes --------------------------------------------------------------


def test_python_floats_take_the_default_dtype():
    assert Tensor([1.0, 2.0]).dtype == np.float32
    assert ag.tensor(3.0).dtype == np.float32
    assert ag.get_default_dtype() == np.float32


def test_set_default_dtype_changes_new_float_tensors():
    try:
        ag.set_default_dtype(np.float64)
        assert Tensor([1.0]).dtype == np.float64
        assert ag.zeros(2).dtype == np.float64
        assert ag.randn(2).dtype == np.float64
    finally:
        ag.set_default_dtype(np.float32)
    assert Tensor([1.0]).dtype == np.float32


def test_default_dtype_must_be_floating():
    with pytest.raises(TypeError, match="floating"):
        ag.set_default_dtype(np.int32)


def test_numpy_arrays_keep_their_dtype():
    for dtype in (np.float16, np.float32, np.float64, np.int32, np.int64, np.bool_):
        assert Tensor(np.zeros(2, dtype)).dtype == dtype


def test_explicit_dtype_wins():
    assert Tensor([1, 2], dtype=np.float64).dtype == np.float64
    assert Tensor(np.ones(2), dtype=np.float32).dtype == np.float32


def test_integer_and_bool_data_is_kept_as_is():
    assert Tensor([1, 2]).dtype.kind == "i"
    assert Tensor([True, False]).dtype == np.bool_


@pytest.mark.parametrize("data", [[1, 2], np.arange(3), [True], np.array([1], np.uint8)])
def test_integer_or_bool_data_cannot_require_grad(data):
    with pytest.raises(TypeError, match="floating point"):
        Tensor(data, requires_grad=True)
    with pytest.raises(TypeError, match="floating point"):
        Tensor(data).requires_grad_()


def test_construction_copies_user_data():
    array = np.ones(3)
    t = Tensor(array)
    array[0] = 5.0
    assert t.data[0] == 1.0


@pytest.mark.parametrize("bad", ["text", {"a": 1}, [1.0, "x"], object()])
def test_construction_from_unsupported_data_is_a_type_error(bad):
    with pytest.raises(TypeError, match="tensor"):
        Tensor(bad)


def test_factories_shapes_dtypes_and_values():
    assert ag.zeros(2, 3).shape == (2, 3) and not ag.zeros(2, 3).data.any()
    assert ag.ones((2, 3)).data.sum() == 6
    assert ag.full((2, 2), 7.0).data.tolist() == [[7.0, 7.0], [7.0, 7.0]]
    assert ag.arange(4).data.tolist() == [0, 1, 2, 3] and ag.arange(4).dtype == np.int64
    assert ag.arange(0.0, 1.0, 0.5).dtype == np.float32
    assert ag.zeros_like(np.ones((2, 1), np.float64)).dtype == np.float64
    assert ag.ones_like(ag.zeros(3)).data.tolist() == [1.0, 1.0, 1.0]
    assert ag.zeros(2, dtype=np.float64, requires_grad=True).requires_grad
    assert ag.rand(100).data.min() >= 0 and ag.rand(100).data.max() < 1


def test_manual_seed_repeats_random_tensors():
    ag.manual_seed(7)
    first = ag.randn(3, 2).data, ag.rand(4).data
    ag.manual_seed(7)
    second = ag.randn(3, 2).data, ag.rand(4).data
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_attributes():
    t = Tensor(np.zeros((2, 3, 4)))
    assert (t.shape, t.ndim, t.size, len(t)) == ((2, 3, 4), 3, 24, 2)
    assert t.T.shape == (4, 3, 2)
    assert t.is_leaf and not t.requires_grad and t.grad is None
    assert Tensor([[1.0, 2.0]]).tolist() == [[1.0, 2.0]]
    assert Tensor([2.5]).item() == 2.5
    assert isinstance(Tensor([1.0]).numpy(), np.ndarray)
    assert Tensor([1.0, 2.0]).astype(np.float64).dtype == np.float64


def test_item_of_a_many_element_tensor_is_an_error():
    with pytest.raises(ValueError, match=r"\(2,\)"):
        Tensor([1.0, 2.0]).item()


def test_len_of_a_0d_tensor_is_an_error():
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))


def test_repr_shows_data_and_graph_state():
    assert repr(Tensor([1.0, 2.0])) == "Tensor([1., 2.])"
    assert "requires_grad=True" in repr(Tensor([1.0], requires_grad=True))
    assert "dtype=float64" in repr(Tensor(np.ones(1)))
    assert "op=mul" in repr(Tensor([1.0], requires_grad=True) * 2)


def test_data_is_assignable():
    w = Tensor([1.0, 2.0], requires_grad=True)
    w.data = np.array([3.0, 4.0], np.float32)
    assert w.data.tolist() == [3.0, 4.0] and w.requires_grad
    w.data -= 0.5 * np.ones(2, np.float32)
    assert w.data.tolist() == [2.5, 3.5]


def test_grad_assignment_is_checked():
    w = Tensor([1.0, 2.0], requires_grad=True)
    w.grad = Tensor([0.5, 0.5])
    assert w.grad.data.tolist() == [0.5, 0.5]
    w.grad = None
    assert w.grad is None
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        w.grad = Tensor([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="Tensor or None"):
        w.grad = np.zeros(2)


# -- operators ------------------------------------------------------------------------------

BINARY = [
    (lambda a, b: a + b, np.add),
    (lambda a, b: a - b, np.subtract),
    (lambda a, b: a * b, np.multiply),
    (lambda a, b: a / b, np.divide),
    (lambda a, b: abs(a) ** b, lambda a, b: np.abs(a) ** b),
]


@pytest.mark.parametrize("op, reference", BINARY)
def test_binary_operators_match_numpy_with_every_kind_of_operand(op, reference):
    a, b = X, X[1] + 3.0
    want = reference(a, b)
    for left, right in [(Tensor(a), Tensor(b)), (Tensor(a), b), (a, Tensor(b))]:
        got = op(left, right)
        assert isinstance(got, Tensor)
        np.testing.assert_allclose(got.data, want, rtol=1e-12)
    np.testing.assert_allclose(op(Tensor(a), 2.0).data, reference(a, 2.0), rtol=1e-12)
    np.testing.assert_allclose(op(2.0, Tensor(b)).data, reference(2.0, b), rtol=1e-12)


def test_numpy_array_on_the_left_gives_a_tensor_not_an_object_array():
    t = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result in (np.ones(3) + t, np.ones(3) * t, np.ones(3) - t, np.ones(3) / t, np.eye(3) @ t):
        assert type(result) is Tensor and result.requires_grad
    (np.full(3, 2.0) * t).sum().backward()
    assert t.grad.data.tolist() == [2.0, 2.0, 2.0]


def test_numbers_keep_the_tensor_dtype():
    t = Tensor(np.ones(2, np.float32))
    assert (t * 2.5).dtype == np.float32
    assert (1.5 - t).dtype == np.float32
    assert (t**2).dtype == np.float32


def test_unary_operators():
    t = Tensor(X)
    np.testing.assert_array_equal((-t).data, -X)
    np.testing.assert_array_equal(abs(t).data, np.abs(X))


@pytest.mark.parametrize("bad", ["a", [object()], None, {1: 2}])
def test_unsupported_operand_types_are_type_errors(bad):
    t = Tensor([1.0, 2.0])
    for op in (
        lambda: t + bad,
        lambda: bad + t,
        lambda: t * bad,
        lambda: t - bad,
        lambda: t / bad,
        lambda: t**bad,
        lambda: t @ bad,
    ):
        with pytest.raises(TypeError):
            op()


def test_tensor_and_scalar_do_not_mix():
    with pytest.raises(TypeError, match="unsupported operand"):
        Tensor([1.0]) + ag.Scalar(1.0)
    with pytest.raises(TypeError, match="unsupported operand"):
        ag.Scalar(1.0) * Tensor([1.0])


def test_comparisons_give_bool_tensors_outside_the_graph():
    t = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    cases = [
        (t < 2, [True, False, False]),
        (t <= 2, [True, True, False]),
        (t > 2, [False, False, True]),
        (t >= 2, [False, True, True]),
        (t == 2, [False, True, False]),
        (t != 2, [True, False, True]),
        (t == Tensor([1.0, 0.0, 3.0]), [True, False, True]),
    ]
    for got, want in cases:
        assert got.dtype == np.bool_ and not got.requires_grad
        assert got.data.tolist() == want


def test_tensors_stay_hashable_by_identity():
    a, b = Tensor([1.0]), Tensor([1.0])
    assert len({a, b, a}) == 2


# -- elementwise and reductions against numpy -------------------------------------------

ELEMENTWISE = [
    ("exp", np.exp),
    ("log", lambda x: np.log(np.abs(x))),
    ("sqrt", lambda x: np.sqrt(np.abs(x))),
    ("abs", np.abs),
    ("tanh", np.tanh),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
    ("relu", lambda x: np.maximum(x, 0)),
    ("sin", np.sin),
    ("cos", np.cos),
]


@pytest.mark.parametrize("name, reference", ELEMENTWISE)
def test_elementwise_forwards_match_numpy(name, reference):
    t = Tensor(X)
    if name in ("log", "sqrt"):
        t = abs(t)
    np.testing.assert_allclose(getattr(t, name)().data, reference(X), rtol=1e-12)


def test_sigmoid_does_not_overflow_at_large_magnitudes():
    with np.errstate(over="raise"):
        got = Tensor(np.array([-1000.0, 0.0, 1000.0])).sigmoid().data
    np.testing.assert_array_equal(got, [0.0, 0.5, 1.0])


def test_clip_maximum_minimum_where_forwards():
    t = Tensor(X)
    np.testing.assert_array_equal(t.clip(-0.5, 0.5).data, np.clip(X, -0.5, 0.5))
    np.testing.assert_array_equal(t.clip(max=0.0).data, np.minimum(X, 0.0))
    np.testing.assert_array_equal(ag.maximum(t, 0.0).data, np.maximum(X, 0.0))
    np.testing.assert_array_equal(ag.minimum(X[0], t).data, np.minimum(X[0], X))
    np.testing.assert_array_equal(ag.where(X > 0, t, -t).data, np.abs(X))
    np.testing.assert_array_equal(ag.where(Tensor(X > 0), 1.0, 0.0).data, (X > 0) * 1.0)


REDUCTIONS = ["sum", "mean", "max", "min", "var", "std"]
AXES = [None, 0, 1, -1, (0, 1)]


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_match_numpy(name, axis, keepdims):
    got = getattr(Tensor(X), name)(axis=axis, keepdims=keepdims).data
    want = getattr(np, name)(X, axis=axis, keepdims=keepdims)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_var_and_std_take_ddof():
    np.testing.assert_allclose(Tensor(X).var(axis=0, ddof=1).data, X.var(axis=0, ddof=1))
    np.testing.assert_allclose(Tensor(X).std(ddof=1).data, X.std(ddof=1))


@pytest.mark.parametrize("axis", AXES)
def test_logsumexp_matches_its_definition(axis):
    want = np.log(np.exp(X).sum(axis=axis))
    np.testing.assert_allclose(Tensor(X).logsumexp(axis=axis).data, want, rtol=1e-12)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_and_log_softmax_match_their_definitions(axis):
    softmax = np.exp(X) / np.exp(X).sum(axis=axis, keepdims=True)
    np.testing.assert_allclose(Tensor(X).softmax(axis).data, softmax, rtol=1e-12)
    np.testing.assert_allclose(Tensor(X).log_softmax(axis).data, np.log(softmax), rtol=1e-12)


def test_reduction_axis_out_of_range_is_an_error():
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        Tensor(X).sum(axis=2)


# -- known pitfalls ----------------------------------------------------------------------


def test_log_softmax_of_huge_logits_is_finite_and_right():
    x = leaf([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 1000.0]])
    out = x.log_softmax()
    np.testing.assert_allclose(
        out.data,
        [[0.0, -2000.0, -1000.0], [-2000.0 - np.log(2), -np.log(2), -np.log(2)]],
        rtol=1e-12,
    )
    out[:, 0].sum().backward()
    # d/dx_j of sum_i log_softmax(x_i)[0] = [i-th row: e_0 - softmax(x_i)]
    np.testing.assert_allclose(x.grad.data, [[0.0, 0.0, 0.0], [1.0, -0.5, -0.5]], atol=1e-12)
    assert np.isfinite(x.logsumexp(axis=1).data).all()
    np.testing.assert_allclose(x.logsumexp(axis=1).data, [1000.0, 1000.0 + np.log(2)])


def test_softmax_of_huge_logits_sums_to_one():
    probs = Tensor(np.array([1000.0, 1000.0, -1000.0], np.float32)).softmax()
    np.testing.assert_allclose(probs.data, [0.5, 0.5, 0.0])


def test_max_and_min_split_the_gradient_between_ties():
    x = leaf([[3.0, 1.0, 3.0], [2.0, 2.0, 2.0]])
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.data, [[0.5, 0, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    y = leaf([1.0, -4.0, -4.0, 0.0])
    y.min().backward()
    np.testing.assert_allclose(y.grad.data, [0.0, 0.5, 0.5, 0.0])


def test_maximum_and_minimum_share_the_gradient_at_ties():
    a, b = leaf([1.0, 2.0, 3.0]), leaf([1.0, 5.0, 0.0])
    ag.maximum(a, b).sum().backward()
    np.testing.assert_allclose(a.grad.data, [0.5, 0.0, 1.0])
    np.testing.assert_allclose(b.grad.data, [0.5, 1.0, 0.0])
    a.grad = b.grad = None
    ag.minimum(a, b).sum().backward()
    np.testing.assert_allclose(a.grad.data, [0.5, 1.0, 0.0])
    np.testing.assert_allclose(b.grad.data, [0.5, 0.0, 1.0])


def test_relu_and_abs_have_zero_slope_at_zero():
    x = leaf([0.0])
    (x.relu() + abs(x)).sum().backward()
    assert x.grad.data.tolist() == [0.0]


def test_power_with_a_zero_base_or_exponent_has_finite_gradients():
    x, y = leaf([0.0, 2.0]), leaf([2.0, 0.0])
    (x**y).sum().backward()
    np.testing.assert_allclose(x.grad.data, [0.0, 0.0])  # d/dx x^2 at 0, d/dx x^0
    np.testing.assert_allclose(y.grad.data, [0.0, np.log(2.0)])  # d/dy 0^y, d/dy 2^y at 0


# -- broadcasting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape_a, shape_b",
    [((2, 3), (3,)), ((2, 1), (1, 3)), ((4, 1, 3), (2, 1)), ((), (2, 2)), ((1,), (3, 1))],
)
def test_broadcast_inputs_get_gradients_of_their_own_shape(shape_a, shape_b):
    a = Tensor(rng.standard_normal(shape_a), requires_grad=True)
    b = Tensor(rng.standard_normal(shape_b), requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == shape_a and b.grad.shape == shape_b
    assert ag.gradcheck(lambda a, b: a * b, [a, b])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "shape_a, shape_b",
    [((300, 3), (3,)), ((2, 150, 4), (4,)), ((2, 150, 4), (150, 1)), ((300, 2), (1, 1))],
)
def test_gradients_summed_over_many_broadcast_rows_match_numpy(shape_a, shape_b, dtype):
    # from 256 rows up, the leading axes are summed by BLAS (ones @ g), not by numpy's sum
    a_data = rng.standard_normal(shape_a).astype(dtype)
    a, b = Tensor(a_data), Tensor(np.ones(shape_b, dtype), requires_grad=True)
    (a * b).sum().backward()
    lead = tuple(range(len(shape_a) - len(shape_b)))
    kept = tuple(i for i, n in enumerate(shape_b) if n == 1)
    expected = a_data.astype(np.float64).sum(lead).sum(kept, keepdims=True)
    assert b.grad.dtype == dtype
    np.testing.assert_allclose(b.grad.data, expected, rtol=1e-5 if dtype == np.float32 else 1e-12)


def test_linear_bias_gradient_over_many_rows_matches_numpy_also_for_a_transposed_gradient():
    x = Tensor(rng.standard_normal((300, 3)))
    w, b = Tensor(rng.standard_normal((4, 3)), requires_grad=True), leaf(np.zeros(4))
    weights = rng.standard_normal((4, 300))  # the output's gradient, transposed: not contiguous
    (linear(x, w, b) * Tensor(weights.T)).sum().backward()
    np.testing.assert_allclose(b.grad.data, weights.sum(1), rtol=1e-12)


@pytest.mark.parametrize("requires_grad", [False, True])
def test_broadcasting_mismatch_names_both_shapes(requires_grad):
    a = Tensor(np.ones((2, 3)), requires_grad=requires_grad)
    with pytest.raises(ValueError, match=r"\(2, ?3\).*\(4, ?\)"):
        a + Tensor(np.ones(4))
    with pytest.raises(ValueError, match=r"\(2, ?3\).*\(4, ?\)"):
        ag.maximum(a, np.ones(4))


def test_broadcast_to_an_incompatible_shape_names_both():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 3\)"):
        Tensor(np.ones((2, 3))).broadcast_to((4, 3))


# -- matmul ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape_a, shape_b", [((2, 3), (3, 4)), ((3,), (3, 2)), ((2, 3), (3,)), ((3,), (3,)),
                         ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((5, 1, 2, 3), (4, 3, 2))],
)  # fmt: skip
def test_matmul_matches_numpy_and_gradients_keep_shapes(shape_a, shape_b):
    a = Tensor(rng.standard_normal(shape_a), requires_grad=True)
    b = Tensor(rng.standard_normal(shape_b), requires_grad=True)
    out = a @ b
    np.testing.assert_allclose(out.data, a.data @ b.data, rtol=1e-12)
    out.sum().backward()
    assert a.grad.shape == shape_a and b.grad.shape == shape_b
    assert ag.gradcheck(lambda a, b: a @ b, [a, b])


def test_matmul_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4, 2\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(2,\)"):
        Tensor(np.ones((2, 3)), requires_grad=True) @ np.ones(2)
    with pytest.raises(ValueError, match=r"\(\) and \(3,\)"):
        Tensor(2.0) @ Tensor(np.ones(3))


# -- shapes and indexing -------------------------------------------------------------------


def test_shape_ops_match_numpy():
    t = Tensor(X)
    assert t.reshape(4, 3).data.tolist() == X.reshape(4, 3).tolist()
    assert t.reshape((2, -1)).shape == (2, 6)
    assert t.transpose().data.tolist() == X.T.tolist()
    assert Tensor(np.zeros((2, 3, 4))).transpose(2, 0, 1).shape == (4, 2, 3)
    assert t.flatten().shape == (12,)
    assert Tensor(np.zeros((1, 3, 1))).squeeze().shape == (3,)
    assert Tensor(np.zeros((1, 3, 1))).squeeze(axis=0).shape == (3, 1)
    assert t.expand_dims(1).shape == (3, 1, 4) and t.expand_dims(-1).shape == (3, 4, 1)
    assert t[0].broadcast_to((2, 4)).data.tolist() == [X[0].tolist()] * 2


def test_squeeze_of_a_long_axis_is_an_error():
    with pytest.raises(ValueError, match="axis 1 .*length is not 1"):
        Tensor(np.zeros((1, 3))).squeeze(axis=1)


def test_bad_reshape_names_the_shapes():
    with pytest.raises(ValueError, match="12.*5"):
        Tensor(X).reshape(5, -1)


INDICES = [
    1,
    -1,
    slice(None, None, 2),
    slice(None, None, -1),
    (slice(None), 2),
    (None, 1, ...),
    (..., None),
    np.array([0, 2, 0]),
    [2, 2, 1],
    (np.array([0, 0, 1]), np.array([3, 3, 0])),
    X > 0,
    (slice(1, None), [0, 0]),
]


@pytest.mark.parametrize("index", INDICES, ids=repr)
def test_indexing_matches_numpy_and_gradients_scatter_add(index):
    x = leaf(X)
    out = x[index]
    np.testing.assert_array_equal(out.data, X[index])
    weights = rng.standard_normal(out.shape)
    (out * weights).sum().backward()
    want = np.zeros_like(X)
    np.add.at(want, index if not isinstance(index, list) else np.array(index), weights)
    np.testing.assert_allclose(x.grad.data, want, rtol=1e-12)


def test_indexing_with_an_integer_tensor():
    x = leaf([1.0, 2.0, 3.0])
    x[Tensor([2, 2])].sum().backward()
    assert x.grad.data.tolist() == [0.0, 0.0, 2.0]


def test_concatenate_and_stack_match_numpy_and_split_gradients():
    a, b = leaf(X[:, :1]), leaf(X[:, 1:])
    joined = ag.concatenate([a, b], axis=1)
    np.testing.assert_array_equal(joined.data, X)
    (joined * X).sum().backward()
    np.testing.assert_array_equal(a.grad.data, X[:, :1])
    np.testing.assert_array_equal(b.grad.data, X[:, 1:])
    stacked = ag.stack([leaf(X[0]), X[1]], axis=1)
    np.testing.assert_array_equal(stacked.data, np.stack([X[0], X[1]], axis=1))


def test_concatenate_and_stack_of_nothing_are_errors():
    with pytest.raises(ValueError, match="at least one"):
        ag.concatenate([])
    with pytest.raises(ValueError, match="at least one"):
        ag.stack([])


def test_astype_gradient_comes_back_in_the_input_dtype():
    x = Tensor(np.ones(3, np.float64), requires_grad=True)
    y = x.astype(np.float32)
    assert y.dtype == np.float32
    (y * 2).sum().backward()
    assert x.grad.dtype == np.float64 and x.grad.data.tolist() == [2.0, 2.0, 2.0]


def test_gradients_have_the_dtype_of_their_tensor():
    for dtype in (np.float32, np.float64):
        x = Tensor(np.ones(2, dtype), requires_grad=True)
        (x * 3.0).exp().sum().backward()
        assert x.grad.dtype == dtype


def test_gradients_of_0d_tensors_are_0d_arrays():
    x = Tensor(np.float64(2.0), requires_grad=True)
    (x * x).exp().backward()
    (x * 3).backward()  # accumulates
    (g,) = ag.grad(x.sin() * x, x)
    for grad in (x.grad, g):
        assert type(grad.data) is np.ndarray and grad.shape == ()
    np.testing.assert_allclose(x.grad.data, 4 * np.exp(4.0) + 3)
    np.testing.assert_allclose(g.data, np.sin(2.0) + 2 * np.cos(2.0))


def test_gradients_are_writeable_arrays_of_their_own():
    x = leaf(np.ones((2, 2)))
    x.sum().backward()  # the VJP of sum is a read-only broadcast view
    x.grad.data += 1
    np.testing.assert_array_equal(x.grad.data, np.full((2, 2), 2.0))
