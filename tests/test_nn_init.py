"""nn.init: bounds and spreads from PyTorch's fan and gain rules, seeding, dtype and shape."""

import math

import numpy as np
import pytest

import autograd as ag
import nn
from nn import init


def weight(*shape, dtype=np.float32):
    return nn.Parameter(np.zeros(shape, dtype=dtype))


@pytest.mark.parametrize(
    "fill, low, high",
    [
        (lambda w: init.uniform_(w, -0.3, 0.7), -0.3, 0.7),
        (lambda w: init.xavier_uniform_(w), -math.sqrt(6 / (300 + 200)), math.sqrt(6 / 500)),
        (
            lambda w: init.xavier_uniform_(w, gain=2.0),
            -2 * math.sqrt(6 / 500),
            2 * math.sqrt(6 / 500),
        ),
        (lambda w: init.kaiming_uniform_(w), -math.sqrt(6 / 300), math.sqrt(6 / 300)),
        (
            lambda w: init.kaiming_uniform_(w, a=math.sqrt(5)),
            -1 / math.sqrt(300),
            1 / math.sqrt(300),
        ),
        (
            lambda w: init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu"),
            -math.sqrt(6 / 200),
            math.sqrt(6 / 200),
        ),
        (
            lambda w: init.kaiming_uniform_(w, nonlinearity="tanh"),
            -5 / 3 * math.sqrt(3 / 300),
            5 / 3 * math.sqrt(3 / 300),
        ),
    ],
)
def test_uniform_initialisers_fill_their_interval(fill, low, high):
    w = weight(200, 300)  # fan_in 300, fan_out 200
    assert fill(w) is w
    assert w.dtype == np.float32 and w.shape == (200, 300)
    assert low <= w.data.min() < low + 0.01 * (high - low)
    assert high - 0.01 * (high - low) < w.data.max() <= high
    np.testing.assert_allclose(w.data.mean(), (low + high) / 2, atol=0.01 * (high - low))
    np.testing.assert_allclose(w.data.var(), (high - low) ** 2 / 12, rtol=0.03)


@pytest.mark.parametrize(
    "fill, mean, std",
    [
        (lambda w: init.normal_(w, 1.5, 0.2), 1.5, 0.2),
        (lambda w: init.xavier_normal_(w), 0.0, math.sqrt(2 / 500)),
        (lambda w: init.kaiming_normal_(w, nonlinearity="relu"), 0.0, math.sqrt(2 / 300)),
        (
            lambda w: init.kaiming_normal_(w, a=0.2, mode="fan_out"),
            0.0,
            math.sqrt(2 / 1.04) / math.sqrt(200),
        ),
    ],
)
def test_normal_initialisers_have_their_spread(fill, mean, std):
    w = fill(weight(200, 300))
    np.testing.assert_allclose(w.data.mean(), mean, atol=0.01 * std)
    np.testing.assert_allclose(w.data.std(), std, rtol=0.02)


def test_fans_count_the_receptive_field_of_conv_shaped_weights():
    w = init.kaiming_uniform_(weight(16, 8, 3, 3), nonlinearity="relu")  # fan_in 8 * 9
    bound = math.sqrt(2) * math.sqrt(3 / 72)
    assert np.abs(w.data).max() <= bound
    assert np.abs(w.data).max() > 0.9 * bound


def test_zeros_and_ones_keep_dtype():
    w = weight(3, 2, dtype=np.float64)
    assert init.ones_(w).data.tolist() == [[1.0, 1.0]] * 3 and w.dtype == np.float64
    assert init.zeros_(w).data.tolist() == [[0.0, 0.0]] * 3


def test_initialisers_follow_the_global_seed():
    ag.manual_seed(7)
    a = init.xavier_normal_(weight(4, 5)).data
    ag.manual_seed(7)
    b = init.xavier_normal_(weight(4, 5)).data
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, init.xavier_normal_(weight(4, 5)).data)


def test_initialising_bumps_the_version_so_saved_graphs_notice():
    w = nn.Parameter(np.ones((2, 2), dtype=np.float32))
    y = (w * w).sum()
    init.normal_(w)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_gains_and_errors():
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    assert init.calculate_gain("leaky_relu") == math.sqrt(2 / (1 + 0.01**2))
    with pytest.raises(ValueError, match="unknown nonlinearity 'gelu'"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match=r"at least 2 dimensions, got shape \(5,\)"):
        init.xavier_uniform_(weight(5))
    with pytest.raises(ValueError, match="mode must be"):
        init.kaiming_normal_(weight(2, 2), mode="fan_avg")
