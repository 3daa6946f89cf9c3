"""gradcheck and gradgradcheck themselves: they pass right derivatives, catch wrong ones and
say where; and the helpers of autograd.testing."""

import numpy as np
import pytest

import autograd as ag
from autograd import Scalar, Tensor, ops
from autograd.testing import assert_gradients_close


def leaf(*values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


def test_gradcheck_passes_right_derivatives_of_scalars_and_tensors():
    assert ag.gradcheck(lambda a, b: (a * b).tanh() + a.exp(), [Scalar(0.3), Scalar(-1.2)])
    assert ag.gradcheck(lambda x, w: (x @ w).sigmoid(), [leaf([1.0, 2.0]), leaf([[0.5], [-1.0]])])


def test_gradgradcheck_passes_right_second_derivatives_of_scalars_and_tensors():
    assert ag.gradgradcheck(lambda a, b: (a * b).sin() / b, [Scalar(0.3), Scalar(-1.2)])
    assert ag.gradgradcheck(lambda x: x.softmax() * x, [leaf(0.1, -0.4, 0.9)])


def test_functions_with_several_outputs():
    x, y = leaf(0.5, 1.5), leaf(-0.3, 0.2)
    both = lambda x, y: (x * y, (x + y).exp().sum())  # noqa: E731
    assert ag.gradcheck(both, [x, y])
    assert ag.gradgradcheck(both, [x, y])
    a, b = Scalar(0.5), Scalar(2.0)
    assert ag.gradcheck(lambda a, b: (a * b, a / b), [a, b])
    assert ag.gradgradcheck(lambda a, b: (a * b, a / b), [a, b])


def test_inputs_without_grad_are_held_fixed():
    x, c = leaf(0.5, 1.5), Tensor([2.0, 3.0])
    assert ag.gradcheck(lambda x, c: x * c, [x, c])
    assert ag.gradcheck(lambda a, k: a * k, [Scalar(1.5), Scalar(2.0, requires_grad=False)])


def test_float32_inputs_are_checked_in_float64():
    x = Tensor(np.array([0.3, -0.7], np.float32), requires_grad=True)
    assert ag.gradcheck(lambda x: (x * x).exp(), [x])
    assert x.dtype == np.float32 and x.grad is None  # the input itself is left alone


def test_gradcheck_leaves_its_inputs_untouched():
    x = leaf(0.3, -0.7)
    ag.gradcheck(lambda x: x.sin(), [x])
    ag.gradgradcheck(lambda x: x.sin(), [x])
    assert x.data.tolist() == [0.3, -0.7] and x.grad is None


def test_nothing_to_check_is_an_error():
    with pytest.raises(ValueError, match="no input requires grad"):
        ag.gradcheck(lambda x: x * 2, [Tensor([1.0])])


def test_a_wrong_derivative_names_input_element_and_both_values():
    """d(2xy)/dx left out by backward: 0 is reported against the true 2 * 0.5."""

    class Twice(ag.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(y)
            return 2 * x.data * y.data

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return None, g * y  # wrong on purpose: the first gradient is missing

    x, y = leaf(1.0, 2.0), leaf(0.5, 3.0)
    with pytest.raises(
        ag.GradcheckError, match=r"d input 0 is wrong at element \(0,\).*analytical 0\.0, "
    ) as caught:
        ag.gradcheck(Twice.apply, [x, y])
    assert "numerical 0.99999" in str(caught.value) or "numerical 1.0000" in str(caught.value)
    assert issubclass(ag.GradcheckError, AssertionError)


def identity_whose_backward_scales_by(factor):
    """A Function computing x whose backward multiplies g by factor, not by 1."""

    class Scaled(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x.data.copy()

        @staticmethod
        def backward(ctx, g):
            return g * factor

    return Scaled


class SquareWithSlopeOne(ag.Function):
    """A deliberate mistake: x^2 whose backward forgets the 2x."""

    @staticmethod
    def forward(ctx, x):
        return x.data**2

    @staticmethod
    def backward(ctx, g):
        return g


def test_the_element_index_is_reported_for_matrices():
    off_at_one = identity_whose_backward_scales_by(np.array([[1.0, 1.0, 1.0], [1.0, 1.0, 5.0]]))
    with pytest.raises(ag.GradcheckError, match=r"element \(1, 2\).*analytical 5\.0"):
        ag.gradcheck(off_at_one.apply, [Tensor(np.ones((2, 3)), requires_grad=True)])


def test_a_wrong_second_output_is_reported_as_output_1():
    class Bad(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return -x.data

        @staticmethod
        def backward(ctx, g):
            return g  # the sign is lost

    x = leaf(0.5)
    with pytest.raises(ag.GradcheckError, match="d output 1 / d input 0"):
        ag.gradcheck(lambda x: (x * 2, Bad.apply(x)), [x])


def test_nan_is_a_failure():
    with np.errstate(invalid="ignore"):
        with pytest.raises(ag.GradcheckError, match="nan"):
            ag.gradcheck(lambda x: x.sqrt(), [leaf(-1.0, 4.0)])
    assert ag.gradcheck(lambda a: a.log(), [Scalar(-1.0)], raise_exception=False) is False


def test_raise_exception_false_returns_false():
    x = leaf(1.0, 2.0)
    assert ag.gradcheck(lambda x: x.sin(), [x], raise_exception=False) is True

    assert ag.gradcheck(SquareWithSlopeOne.apply, [x], raise_exception=False) is False


def test_a_broken_vjp_in_the_table_is_caught(monkeypatch):
    monkeypatch.setattr(ops.sin, "vjps", (lambda m, g, out, x: g * x,))  # should be g * cos x
    with pytest.raises(ag.GradcheckError, match="analytical"):
        ag.gradcheck(lambda x: x.sin(), [leaf(0.5, 1.0)])
    with pytest.raises(ag.GradcheckError):
        ag.gradcheck(lambda a: a.sin(), [Scalar(0.5)])


def test_a_vjp_right_only_to_first_order_is_caught_by_gradgradcheck(monkeypatch):
    """tanh's VJP with its output detached: right values, but no second derivative."""

    def first_order_only(m, g, out, x):
        out = out.detach() if m.records else out
        return g * (1 - out * out)

    monkeypatch.setattr(ops.tanh, "vjps", (first_order_only,))
    x = leaf(0.5, -1.0)
    assert ag.gradcheck(lambda x: x.tanh(), [x])
    with pytest.raises(ag.GradcheckError, match="d input 0"):
        ag.gradgradcheck(lambda x: x.tanh(), [x])
    assert ag.gradgradcheck(lambda x: x.tanh(), [x], raise_exception=False) is False


def test_gradgradcheck_with_given_grad_outputs():
    x = leaf(0.5, -1.0)
    assert ag.gradgradcheck(lambda x: x**3, [x], grad_outputs=[Tensor([1.0, -2.0])])


# -- autograd.testing.assert_gradients_close -----------------------------------------------


def test_assert_gradients_close_passes_and_fails():
    assert_gradients_close(lambda x, y: (x * y).logsumexp(), leaf(0.1, 0.2), leaf(1.0, -1.0))
    assert_gradients_close(lambda a: a.tanh() * a, Scalar(0.4))

    with pytest.raises(ag.GradcheckError, match=r"element \(0,\).*analytical 1\.0, numerical 2\.0"):
        assert_gradients_close(
            SquareWithSlopeOne.apply, Tensor([1.0, 2.0], requires_grad=True), order=1
        )


def test_assert_gradients_close_checks_second_order_unless_told(monkeypatch):
    def first_order_only(m, g, out, x):
        out = out.detach() if m.records else out
        return g * (1 - out * out)

    monkeypatch.setattr(ops.tanh, "vjps", (first_order_only,))
    x = leaf(0.5, -1.0)
    assert_gradients_close(lambda x: x.tanh(), x, order=1)
    with pytest.raises(ag.GradcheckError):
        assert_gradients_close(lambda x: x.tanh(), x)


def test_assert_gradients_close_takes_tolerances():
    off_by_half_a_percent = identity_whose_backward_scales_by(1.005)
    x = Tensor(np.array([0.3, 0.7]), requires_grad=True)
    assert_gradients_close(off_by_half_a_percent.apply, x, order=1, rtol=1e-2)
    with pytest.raises(ag.GradcheckError):
        assert_gradients_close(off_by_half_a_percent.apply, x, order=1)
    with pytest.raises(ValueError, match="order must be 1 or 2"):
        assert_gradients_close(off_by_half_a_percent.apply, x, order=3)
