"""nn.functional: losses against their formulas in numpy, stability, reductions, gradients."""

import math

import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from autograd import Scalar, Tensor

rng = np.random.default_rng(0)
LOGITS = rng.standard_normal((5, 4))
CLASSES = np.array([0, 3, 1, 1, 2])


def log_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def reduce(values, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction](values)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_class_targets(reduction):
    want = reduce(-log_softmax(LOGITS)[np.arange(5), CLASSES], reduction)
    for target in (CLASSES, Tensor(CLASSES)):
        got = F.cross_entropy(Tensor(LOGITS), target, reduction=reduction)
        np.testing.assert_allclose(got.data, want, rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_probability_targets(reduction):
    probs = rng.dirichlet(np.ones(4), size=5)
    want = reduce(-(probs * log_softmax(LOGITS)).sum(axis=1), reduction)
    for target in (probs, Tensor(probs)):
        got = F.cross_entropy(Tensor(LOGITS), target, reduction=reduction)
        np.testing.assert_allclose(got.data, want, rtol=1e-12)


def test_cross_entropy_of_one_hot_probabilities_equals_class_targets():
    one_hot = np.eye(4)[CLASSES]
    np.testing.assert_allclose(
        F.cross_entropy(Tensor(LOGITS), one_hot).item(),
        F.cross_entropy(Tensor(LOGITS), CLASSES).item(),
        rtol=1e-12,
    )


def test_cross_entropy_is_stable_for_huge_logits():
    logits = Tensor(
        np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 1000.0]], np.float32),
        requires_grad=True,
    )
    loss = F.cross_entropy(logits, np.array([0, 1]), reduction="none")
    # finite, and right to float32's resolution near 1000 (about 6e-5)
    np.testing.assert_allclose(loss.data, [0.0, np.log(2)], atol=1e-4)
    loss.sum().backward()
    np.testing.assert_allclose(logits.grad.data, [[0, 0, 0], [0, -0.5, 0.5]], atol=1e-4)


def test_cross_entropy_gradient_is_softmax_minus_one_hot():
    logits = Tensor(LOGITS, requires_grad=True)
    F.cross_entropy(logits, CLASSES, reduction="sum").backward()
    want = np.exp(log_softmax(LOGITS)) - np.eye(4)[CLASSES]
    np.testing.assert_allclose(logits.grad.data, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_backward_twice_adds_the_same_gradient(reduction):
    # the softmax kept from the forward for the backward must come through it unchanged
    logits = Tensor(LOGITS, requires_grad=True)
    loss = F.cross_entropy(logits, CLASSES, reduction=reduction).sum()
    loss.backward(retain_graph=True)
    first = logits.grad.data.copy()
    loss.backward()
    np.testing.assert_allclose(logits.grad.data, 2 * first, rtol=1e-12)
    scale = 1 / len(CLASSES) if reduction == "mean" else 1
    want = (np.exp(log_softmax(LOGITS)) - np.eye(4)[CLASSES]) * scale
    np.testing.assert_allclose(first, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_of_one_unbatched_row(reduction):
    # logits of shape (classes,) with a 0-d target, as PyTorch accepts them
    loss = F.cross_entropy(Tensor(LOGITS[1]), CLASSES[1], reduction=reduction)
    assert type(loss.data) is np.ndarray and loss.shape == ()
    np.testing.assert_allclose(loss.data, -log_softmax(LOGITS)[1, CLASSES[1]], rtol=1e-12)


def test_losses_pass_gradcheck():
    logits = Tensor(LOGITS, requires_grad=True)
    probs = Tensor(rng.dirichlet(np.ones(4), size=5), requires_grad=True)
    p = Tensor(rng.uniform(0.1, 0.9, (6,)), requires_grad=True)
    z = Tensor(rng.standard_normal(6) * 3, requires_grad=True)
    t = rng.uniform(0, 1, (6,))
    assert ag.gradcheck(lambda x: F.cross_entropy(x, CLASSES), [logits])
    assert ag.gradcheck(lambda x, q: F.cross_entropy(x, q, reduction="sum"), [logits, probs])
    assert ag.gradcheck(lambda x: F.nll_loss(x.log_softmax(), CLASSES, "none"), [logits])
    assert ag.gradcheck(lambda p: F.binary_cross_entropy(p, t, "sum"), [p])
    assert ag.gradcheck(lambda z: F.binary_cross_entropy_with_logits(z, t, "none"), [z])
    assert ag.gradcheck(lambda z: F.mse_loss(z, t), [z])
    assert ag.gradcheck(lambda z: F.hinge_loss(z, np.sign(t - 0.5)), [z])


def test_nll_loss_picks_the_target_log_probabilities():
    log_probs = Tensor(log_softmax(LOGITS))
    want = -log_softmax(LOGITS)[np.arange(5), CLASSES]
    np.testing.assert_allclose(F.nll_loss(log_probs, CLASSES, "none").data, want)
    np.testing.assert_allclose(F.nll_loss(log_probs, CLASSES).item(), want.mean())


@pytest.mark.parametrize(
    "target, error, message",
    [
        (np.array([0, 1, 2, 3, 4]), ValueError, r"must lie in \[0, 4\), got 0..4"),
        (np.array([0, 1, 2, 3, -1]), ValueError, r"must lie in \[0, 4\)"),
        (np.array([0, 1, 2]), ValueError, r"do not match input of shape \(5, 4\)"),
        (np.array([0.0, 1.0, 2.0, 3.0, 1.0]), TypeError, r"integers, got float64.*astype\(int\)"),
        (np.full((5, 3), 0.25), ValueError, r"probability target has shape \(5, 3\)"),
    ],
)
def test_cross_entropy_rejects_bad_targets(target, error, message):
    with pytest.raises(error, match=message):
        F.cross_entropy(Tensor(LOGITS), target)


def test_nll_loss_needs_integer_classes():
    with pytest.raises(TypeError, match="class targets must be integers"):
        F.nll_loss(Tensor(LOGITS), CLASSES.astype(np.float64))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy(reduction):
    p, t = rng.uniform(0.01, 0.99, 7), rng.integers(0, 2, 7).astype(np.float64)
    want = reduce(-(t * np.log(p) + (1 - t) * np.log(1 - p)), reduction)
    np.testing.assert_allclose(F.binary_cross_entropy(Tensor(p), t, reduction).data, want)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_binary_cross_entropy_clamps_the_log_at_minus_100():
    loss = F.binary_cross_entropy(Tensor([0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0]), "none")
    np.testing.assert_allclose(loss.data, [100.0, 100.0, 0.0])


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_binary_cross_entropy_gradients_for_the_probability_and_a_learned_target():
    """d/dp = (p - t) / max(p (1 - p), 1e-12) and d/dt = log(1 - p) - log(p), as PyTorch's."""
    p = Tensor(np.array([0.25, 0.0, 1.0, 0.5]), requires_grad=True)
    t = Tensor(np.array([1.0, 1.0, 1.0, 0.5]), requires_grad=True)
    F.binary_cross_entropy(p, t, "sum").backward()
    np.testing.assert_allclose(p.grad.data, [-4.0, -1e12, 0.0, 0.0], rtol=1e-8)
    np.testing.assert_allclose(t.grad.data, [math.log(3), math.inf, -math.inf, 0.0])


PROBABILITIES = [0.0, 1.0, 0.0, 1.0, 0.5, 1e-13, 1 - 1e-7, 0.3, 1e-10, 1e-50]
TARGETS = [0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.7, 0.0, 0.2]


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_binary_cross_entropy_matches_torch_at_and_near_saturation(dtype, reduction):
    torch = pytest.importorskip("torch")
    p, t = (Tensor(np.array(v, dtype), requires_grad=True) for v in (PROBABILITIES, TARGETS))
    tp, tt = (
        torch.tensor(np.array(v, dtype), requires_grad=True) for v in (PROBABILITIES, TARGETS)
    )
    loss = F.binary_cross_entropy(p, t, reduction)
    want = torch.nn.functional.binary_cross_entropy(tp, tt, reduction=reduction)
    loss.backward(np.ones(loss.shape))
    want.backward(torch.ones_like(want))
    np.testing.assert_allclose(loss.data, want.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(p.grad.data, tp.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(t.grad.data, tt.grad.numpy(), rtol=1e-6)


def test_binary_cross_entropy_rejects_values_outside_zero_one():
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        F.binary_cross_entropy(Tensor([1.5]), np.array([1.0]))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy_with_logits_equals_bce_of_sigmoid(reduction):
    z, t = rng.standard_normal(7) * 4, rng.uniform(0, 1, 7)
    p = 1 / (1 + np.exp(-z))
    want = reduce(-(t * np.log(p) + (1 - t) * np.log(1 - p)), reduction)
    got = F.binary_cross_entropy_with_logits(Tensor(z), t, reduction)
    np.testing.assert_allclose(got.data, want, rtol=1e-10)


def test_binary_cross_entropy_with_logits_is_stable_and_exact_at_zero():
    z = Tensor(np.array([-500.0, 500.0, 0.0, 0.0], dtype=np.float32), requires_grad=True)
    t = np.array([1.0, 0.0, 1.0, 0.0])
    loss = F.binary_cross_entropy_with_logits(z, t, "none")
    np.testing.assert_allclose(loss.data, [500.0, 500.0, np.log(2), np.log(2)], rtol=1e-6)
    assert loss.dtype == np.float32
    loss.sum().backward()
    # d/dz = sigmoid(z) - t, also at the kink-free point z = 0
    np.testing.assert_allclose(z.grad.data, [-1.0, 1.0, -0.5, 0.5], atol=1e-6)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss(reduction):
    a, b = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    got = F.mse_loss(Tensor(a), b, reduction)
    np.testing.assert_allclose(got.data, reduce((a - b) ** 2, reduction))


def test_mse_loss_refuses_shapes_that_would_broadcast():
    with pytest.raises(
        ValueError, match=r"target has shape \(4,\) but the input has shape \(4, 1\)"
    ):
        F.mse_loss(ag.zeros(4, 1), np.zeros(4))


def test_constant_targets_take_the_input_dtype():
    pred = ag.zeros(3)
    assert F.mse_loss(pred, np.ones(3, dtype=np.float64)).dtype == np.float32
    assert F.binary_cross_entropy_with_logits(pred, np.ones(3)).dtype == np.float32


def test_hinge_loss_on_tensors_and_on_lists_of_scalars():
    scores, y = np.array([2.0, 0.3, -0.5, -2.0]), np.array([1, 1, 1, -1])
    margins = np.maximum(0, 1 - y * scores)  # [0, 0.7, 1.5, 0]
    np.testing.assert_allclose(F.hinge_loss(Tensor(scores), y, "none").data, margins)
    np.testing.assert_allclose(F.hinge_loss(Tensor(scores), y).item(), margins.mean())
    values = [Scalar(s) for s in scores]
    loss = F.hinge_loss(values, y)
    assert isinstance(loss, Scalar)
    np.testing.assert_allclose(loss.data, margins.mean())
    loss.backward()
    np.testing.assert_allclose([v.grad for v in values], -y * (margins > 0) / 4)
    assert F.hinge_loss(values, y, "sum").data == pytest.approx(margins.sum())


def test_penalties_sum_over_all_parameters():
    w, b = Tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True), Tensor([-1.0], requires_grad=True)
    assert F.l2_penalty([w, b]).item() == pytest.approx(1 + 4 + 9 + 0.25 + 1)
    assert F.l1_penalty([w, b]).item() == pytest.approx(1 + 2 + 3 + 0.5 + 1)
    assert F.l1_penalty([w, b], "mean").item() == pytest.approx(7.5 / 5)
    assert [t.shape for t in F.l2_penalty([w, b], "none")] == [(2, 2), (1,)]
    F.l2_penalty([w, b]).backward()
    np.testing.assert_allclose(w.grad.data, 2 * w.data)
    s = Scalar(-3.0)
    assert F.l1_penalty([s, Scalar(2.0)]).data == 5.0
    assert F.l2_penalty([s]).data == 9.0


def test_unknown_reduction_is_refused():
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.mse_loss(ag.zeros(2), np.zeros(2), reduction="average")
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.l2_penalty([ag.zeros(2)], reduction="avg")


def test_activations():
    x = Tensor([-1.0, 0.5, 2.0])
    np.testing.assert_allclose(F.relu(x).data, [0, 0.5, 2])
    np.testing.assert_allclose(F.tanh(x).data, np.tanh([-1, 0.5, 2]), rtol=1e-6)
    np.testing.assert_allclose(F.sigmoid(x).data, 1 / (1 + np.exp([1, -0.5, -2])), rtol=1e-6)
    np.testing.assert_allclose(F.leaky_relu(x, 0.1).data, [-0.1, 0.5, 2], rtol=1e-6)
    m = Tensor([[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_allclose(F.softmax(m, axis=0).data.sum(axis=0), [1, 1], rtol=1e-6)
    np.testing.assert_allclose(F.log_softmax(m).data, log_softmax(m.data), atol=1e-6)


def test_dropout_function_identity_outside_training():
    x = ag.ones(3)
    assert F.dropout(x, 0.5, training=False) is x
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        F.dropout(x, -0.1)


@pytest.mark.parametrize(
    "loss, target",
    [
        (F.mse_loss, [1.0, 0.0]),
        (F.nll_loss, [0, 1]),
        (F.cross_entropy, [0, 1]),
        (F.binary_cross_entropy, [1.0, 0.0]),
        (F.binary_cross_entropy_with_logits, [1.0, 0.0]),
    ],
)
def test_a_loss_given_a_list_or_array_as_input_names_itself_and_the_type(loss, target):
    for bad in ([[0.2, 0.8], [0.6, 0.4]], np.array([[0.2, 0.8], [0.6, 0.4]])):
        with pytest.raises(TypeError, match=f"{loss.__name__}: the input must be a Tensor, got "):
            loss(bad, target)
