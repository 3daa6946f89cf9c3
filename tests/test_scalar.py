"""Scalar: micrograd semantics on Python floats, IEEE edge cases, and the classic pitfalls."""

import math
import operator

import numpy as np
import pytest

import autograd as ag
from autograd import Scalar
from nn import data


def test_data_and_grad_are_python_floats():
    s = Scalar(2)
    assert type(s.data) is float and s.data == 2.0
    assert type(s.grad) is float and s.grad == 0.0
    (s * s).backward()
    assert type(s.grad) is float and s.grad == 4.0


@pytest.mark.parametrize("bad", ["2", True, None, [1.0], np.bool_(True), np.array(1.0), np.ones(2)])
def test_scalar_holds_only_real_numbers(bad):
    with pytest.raises(TypeError, match="Scalar holds a real number"):
        Scalar(bad)


def test_repr_shows_data_and_grad():
    assert repr(Scalar(2.0)) == "Scalar(data=2.0, grad=0.0)"


def test_micrograd_readme_example():
    """The example from micrograd's README, with the values it publishes."""
    a, b = Scalar(-4.0), Scalar(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert g.data == pytest.approx(24.7041, abs=1e-4)
    assert a.grad == pytest.approx(138.8338, abs=1e-4)
    assert b.grad == pytest.approx(645.5773, abs=1e-4)


def test_numbers_on_either_side():
    s = Scalar(4.0)
    cases = [
        (s + 1, 5.0), (1 + s, 5.0), (s - 1, 3.0), (1 - s, -3.0), (s * 2, 8.0), (2 * s, 8.0),
        (s / 2, 2.0), (2 / s, 0.5), (s**2, 16.0), (2**s, 16.0), (-s, -4.0), (abs(-s), 4.0),
        (s ** Scalar(0.5), 2.0), (Scalar(2.0) ** s, 16.0),
    ]  # fmt: skip
    for got, want in cases:
        assert isinstance(got, Scalar) and got.data == want


@pytest.mark.parametrize("number_on_left", [False, True])
@pytest.mark.parametrize(
    "op", [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow]
)
def test_a_number_operand_has_the_derivatives_of_a_constant(op, number_on_left):
    """A number rides along as the op's parameter (no node): first and second derivatives
    match the same expression with a constant Scalar there, and central differences."""

    def f(x, k):
        return op(k, x) if number_on_left else op(x, k)

    x0, number, h = 1.7, 0.6, 1e-5
    slopes = []
    for k in (number, Scalar(number, requires_grad=False)):
        x = Scalar(x0)
        y = f(x, k)
        (dy,) = ag.grad(y, x, create_graph=True)
        d2y = ag.grad(dy, x)[0].data if dy.requires_grad else 0.0  # a constant slope has no graph
        slopes.append((y.data, dy.data, d2y))
    assert slopes[0] == slopes[1]
    value, slope, curvature = slopes[0]
    assert value == f(x0, number)
    assert slope == pytest.approx((f(x0 + h, number) - f(x0 - h, number)) / (2 * h), rel=1e-8)
    h = 1e-4  # a second difference loses eps / h**2 to rounding
    second = (f(x0 + h, number) - 2 * value + f(x0 - h, number)) / h**2
    assert curvature == pytest.approx(second, rel=1e-5, abs=1e-7)


def test_number_operands_in_a_loop_keep_their_own_values():
    # a loop's constant shares one parameter tuple between nodes; other numbers must not
    x = Scalar(1.5)
    y, constants = x, (2.0, 3.0, 3.0, 0.5, 2.0)
    for c in constants:
        y = c * (y * c + c)
    y.backward()
    assert x.grad == math.prod(c * c for c in constants)
    assert [v._params for v in (y, y._inputs[0])] == [(2.0,), (2.0,)]


def test_numpy_float64_counts_as_a_number():
    assert (Scalar(1.0) + np.float64(2.0)).data == 3.0
    assert (np.float64(2.0) * Scalar(3.0)).data == 6.0


NUMPY_REALS = [np.float32(0.5), np.float16(0.5), np.int64(3), np.int8(-2), np.uint8(7)]


@pytest.mark.parametrize("number", NUMPY_REALS, ids=lambda n: type(n).__name__)
def test_numpy_real_scalars_count_as_numbers(number):
    """What iterating a numpy array hands out works wherever a Python number does."""
    value = float(number)
    s = Scalar(number)
    assert type(s.data) is float and s.data == value
    x = Scalar(2.0)
    results = {
        "x + n": (x + number, 2.0 + value),
        "n + x": (number + x, value + 2.0),
        "x - n": (x - number, 2.0 - value),
        "n - x": (number - x, value - 2.0),
        "x * n": (x * number, 2.0 * value),
        "n * x": (number * x, value * 2.0),
        "x / n": (x / number, 2.0 / value),
        "n / x": (number / x, value / 2.0),
        "x ** n": (x**number, 2.0**value),
        "n ** x": (abs(number) ** x, abs(value) ** 2.0),
    }
    for name, (result, expected) in results.items():
        assert type(result) is Scalar and type(result.data) is float, name
        assert result.data == pytest.approx(expected, rel=1e-15), name
    (x**number).backward()
    assert x.grad == pytest.approx(value * 2.0 ** (value - 1))
    assert (x < number) == (2.0 < value) and (x >= number) == (2.0 >= value)


def test_micrograd_loop_over_nn_data_arrays():
    X, _ = data.make_moons(4, seed=0)  # float32, as nn.data returns
    row = [Scalar(v) for v in X[0]]
    out = Scalar(1.0) * X[0][0] + row[1] * X[0][1]
    assert type(out) is Scalar and out.data == pytest.approx(float(X[0][0]) + float(X[0][1]) ** 2)


@pytest.mark.parametrize(
    "name, reference, at",
    [
        ("exp", math.exp, 0.3), ("log", math.log, 0.3), ("sqrt", math.sqrt, 0.3),
        ("tanh", math.tanh, -0.3), ("sigmoid", lambda x: 1 / (1 + math.exp(-x)), -0.3),
        ("relu", lambda x: max(x, 0.0), -0.3), ("relu", lambda x: max(x, 0.0), 0.3),
        ("sin", math.sin, 0.3), ("cos", math.cos, 0.3), ("abs", abs, -0.3),
    ],
)  # fmt: skip
def test_methods_match_the_math_module(name, reference, at):
    assert getattr(Scalar(at), name)().data == pytest.approx(reference(at), rel=1e-15)


def test_every_node_gets_its_grad_intermediates_included():
    a, b = Scalar(2.0), Scalar(-3.0)
    c = a * b
    d = c + b
    d.backward()
    assert (d.grad, c.grad, a.grad, b.grad) == (1.0, 1.0, -3.0, 3.0)


def test_gradients_accumulate_and_can_be_reset():
    a = Scalar(3.0)
    y = a * a
    y.backward()
    y.backward()  # micrograd keeps the graph: a second backward adds again
    assert a.grad == 12.0
    a.grad = 0.0
    (a * 5).backward()
    assert a.grad == 5.0


def test_micrograd_style_update():
    p = Scalar(1.0)
    for _ in range(3):
        loss = (p - 3) ** 2
        loss.backward()
        p.data -= 0.25 * p.grad
        p.grad = 0.0
    assert p.data == pytest.approx(3 - 2 * 0.5**3)


def test_backward_takes_a_seed():
    a = Scalar(3.0)
    (a * a).backward(2.0)
    assert a.grad == 12.0


def test_constants_get_no_gradient():
    a, k = Scalar(2.0), Scalar(5.0, requires_grad=False)
    y = a * k
    y.backward()
    assert a.grad == 5.0 and k.grad == 0.0
    assert not (k * 2).requires_grad


def test_backward_of_a_constant_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (Scalar(1.0, requires_grad=False) * 2).backward()


def test_comparisons_give_bools_and_equality_is_identity():
    a = Scalar(1.0)
    assert (a < 2, a <= 1, a > 0.5, a >= Scalar(1.0)) == (True, True, True, True)
    assert a == a and a != Scalar(1.0)
    assert len({a, Scalar(1.0), a}) == 2
    with pytest.raises(TypeError, match="cannot compare a Scalar with str"):
        a < "b"  # noqa: B015


@pytest.mark.parametrize(
    "bad", ["a", [1.0], None, (1,), np.array([1.0, 2.0]), np.array(1.0), np.bool_(True)]
)
def test_unsupported_operand_types_are_type_errors(bad):
    s = Scalar(1.0)
    for op in (
        lambda: s + bad,
        lambda: bad + s,
        lambda: s - bad,
        lambda: bad - s,
        lambda: s * bad,
        lambda: s / bad,
        lambda: bad / s,
        lambda: s**bad,
        lambda: bad**s,
    ):
        with pytest.raises(TypeError):
            op()


# -- IEEE edge cases: inf and NaN like numpy, never an exception or a complex number -----


def test_negative_base_to_a_fractional_power_is_nan_not_complex():
    a = Scalar(-4.0)
    for y in (a**0.5, a ** Scalar(0.5)):
        assert type(y.data) is float and math.isnan(y.data)
    y = a**0.5
    y.backward()
    assert type(a.grad) is float and math.isnan(a.grad)


def test_negative_base_to_an_integer_power_is_real():
    a = Scalar(-2.0)
    y = a**3
    y.backward()
    assert (y.data, a.grad) == (-8.0, 12.0)


@pytest.mark.parametrize(
    "make, value, grad",
    [
        (lambda a: 1 / a, math.inf, -math.inf),  # at a = 0
        (lambda a: -1 / a, -math.inf, math.inf),
        (lambda a: a**-1, math.inf, -math.inf),
        (lambda a: a.log(), -math.inf, math.inf),
        (lambda a: a.sqrt(), 0.0, math.inf),
        (lambda a: a**0.5, 0.0, math.inf),
    ],
)
def test_division_by_zero_and_poles_give_inf(make, value, grad):
    a = Scalar(0.0)
    y = make(a)
    y.backward()
    assert y.data == value and a.grad == grad


def test_overflow_and_undefined_values():
    assert Scalar(1000.0).exp().data == math.inf
    assert (Scalar(10.0) ** 400).data == math.inf
    assert math.isnan(Scalar(-1.0).log().data)
    assert math.isnan(Scalar(-1.0).sqrt().data)
    assert math.isnan(Scalar(math.inf).sin().data)
    assert (Scalar(-1000.0).sigmoid().data, Scalar(1000.0).sigmoid().data) == (0.0, 1.0)
    assert Scalar(1000.0).tanh().data == 1.0


def test_relu_and_abs_have_zero_slope_at_zero():
    a = Scalar(0.0)
    (a.relu() + abs(a)).backward()
    assert a.grad == 0.0


# -- the classic pitfalls of hand-written backprop -----------------------------------------


def test_a_value_used_twice_gets_both_contributions():
    a = Scalar(3.0)
    (a * a).backward()
    assert a.grad == 6.0


def test_repeated_self_addition_doubles_each_time():
    a = Scalar(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert (a.grad, b.grad) == (4.0, 2.0)


def test_diamond_graph():
    """d = (2a)(3a) = 6a^2: both paths from a to d contribute, d'(a) = 12a."""
    a = Scalar(1.5)
    b, c = a * 2, a * 3
    d = b * c
    d.backward()
    assert (a.grad, b.grad, c.grad) == (18.0, 4.5, 3.0)


def test_wide_fan_in_of_one_value():
    a = Scalar(2.0)
    total = sum((a * k for k in range(1, 101)), Scalar(0.0))
    total.backward()
    assert a.grad == 5050.0


def test_deep_chain_needs_no_recursion():
    """x_{n+1} = 1.0001 x_n + 1e-4 a hundred thousand times: dx_n/dx_0 = 1.0001^n."""
    x0 = Scalar(1.0)
    x = x0
    for _ in range(100_000):
        x = x * 1.0001 + 0.0001
    x.backward()
    assert x0.grad == pytest.approx(1.0001**100_000, rel=1e-9)


def test_hooks_see_and_may_replace_the_gradient():
    a = Scalar(2.0)
    b = a * 3
    seen = []
    b.register_hook(lambda g: seen.append(g.data if isinstance(g, Scalar) else g))
    b.register_hook(lambda g: g * 10)
    (b * b).backward()
    assert seen == [12.0] and b.grad == 120.0 and a.grad == 360.0


def test_grad_returns_scalars_and_leaves_grad_untouched():
    a, b = Scalar(2.0), Scalar(-3.0)
    ga, gb = ag.grad(a * b + b, [a, b])
    assert isinstance(ga, Scalar) and isinstance(gb, Scalar)
    assert (ga.data, gb.data) == (-3.0, 3.0)
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_second_derivative_through_grad():
    a = Scalar(0.5)
    (g,) = ag.grad(a.tanh(), a, create_graph=True)
    (h,) = ag.grad(g, a)
    t = math.tanh(0.5)
    assert g.data == pytest.approx(1 - t * t) and h.data == pytest.approx(-2 * t * (1 - t * t))


def test_no_grad_records_nothing():
    a = Scalar(2.0)
    with ag.no_grad():
        b = a * a
    assert not b.requires_grad and b.is_leaf
