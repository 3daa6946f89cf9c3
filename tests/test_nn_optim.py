"""Optimizers and schedulers against update rules written out here, and against torch.optim."""

import math

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Scalar, Tensor
from nn import optim
from nn.optim import lr_scheduler

P0 = [0.5, -1.5, 2.0]
CURVATURE = [1.0, 3.0, 0.5]
SHIFT = [0.3, -0.2, 0.1]


def gradient(p):
    """The gradient of f(p) = sum(c p^2 / 2 + d p) is c p + d, elementwise."""
    return [c * x + d for x, c, d in zip(p, CURVATURE, SHIFT)]


def run(make_optimizer, steps=3, dtype=np.float64):
    """Minimise f from P0 with the optimizer, computing gradients by backward."""
    p = nn.Parameter(np.array(P0, dtype=dtype))
    optimizer = make_optimizer([p])
    c, d = np.array(CURVATURE, dtype=dtype), np.array(SHIFT, dtype=dtype)
    trajectory = []
    for _ in range(steps):
        optimizer.zero_grad()
        (0.5 * c * p * p + d * p).sum().backward()
        optimizer.step()
        trajectory.append(p.data.copy())
    return np.array(trajectory)


# -- the update rules, one number at a time, written from PyTorch's documented algorithms ----


def sgd_steps(lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0, steps=3):
    p, buf, out = list(P0), [None] * 3, []
    for _ in range(steps):
        g = gradient(p)
        for i in range(3):
            gi = g[i] + weight_decay * p[i]
            if momentum:
                buf[i] = gi if buf[i] is None else momentum * buf[i] + (1 - dampening) * gi
                gi = gi + momentum * buf[i] if nesterov else buf[i]
            p[i] -= lr * gi
        out.append(list(p))
    return np.array(out)


def adam_steps(
    lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, amsgrad=False, decoupled=False, steps=3
):
    p, m, v, vmax, out = list(P0), [0.0] * 3, [0.0] * 3, [0.0] * 3, []
    for t in range(1, steps + 1):
        g = gradient(p)
        for i in range(3):
            gi = g[i]
            if decoupled:
                p[i] *= 1 - lr * weight_decay
            else:
                gi += weight_decay * p[i]
            m[i] = beta1 * m[i] + (1 - beta1) * gi
            v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
            vmax[i] = max(vmax[i], v[i])
            second = vmax[i] if amsgrad else v[i]
            m_hat, v_hat = m[i] / (1 - beta1**t), second / (1 - beta2**t)
            p[i] -= lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(list(p))
    return np.array(out)


def adagrad_steps(lr, lr_decay=0.0, weight_decay=0.0, eps=1e-10, steps=3):
    p, total, out = list(P0), [0.0] * 3, []
    for t in range(1, steps + 1):
        g = gradient(p)
        step_lr = lr / (1 + (t - 1) * lr_decay)
        for i in range(3):
            gi = g[i] + weight_decay * p[i]
            total[i] += gi * gi
            p[i] -= step_lr * gi / (math.sqrt(total[i]) + eps)
        out.append(list(p))
    return np.array(out)


def rmsprop_steps(
    lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False, steps=3
):
    p, sq, avg, buf, out = list(P0), [0.0] * 3, [0.0] * 3, [0.0] * 3, []
    for _ in range(steps):
        g = gradient(p)
        for i in range(3):
            gi = g[i] + weight_decay * p[i]
            sq[i] = alpha * sq[i] + (1 - alpha) * gi * gi
            avg[i] = alpha * avg[i] + (1 - alpha) * gi
            variance = sq[i] - avg[i] ** 2 if centered else sq[i]
            scaled = gi / (math.sqrt(variance) + eps)
            if momentum:
                buf[i] = momentum * buf[i] + scaled
                scaled = buf[i]
            p[i] -= lr * scaled
        out.append(list(p))
    return np.array(out)


CASES = {
    "sgd": (lambda ps: optim.SGD(ps, lr=0.1), lambda: sgd_steps(0.1)),
    "sgd-momentum": (
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
        lambda: sgd_steps(0.1, momentum=0.9),
    ),
    "sgd-dampening-decay": (
        lambda ps: optim.SGD(ps, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.1),
        lambda: sgd_steps(0.05, momentum=0.8, dampening=0.3, weight_decay=0.1),
    ),
    "sgd-nesterov": (
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
        lambda: sgd_steps(0.1, momentum=0.9, nesterov=True),
    ),
    "adam": (lambda ps: optim.Adam(ps, lr=0.1), lambda: adam_steps(0.1)),
    "adam-decay": (
        lambda ps: optim.Adam(ps, lr=0.1, betas=(0.8, 0.9), weight_decay=0.1),
        lambda: adam_steps(0.1, 0.8, 0.9, weight_decay=0.1),
    ),
    "adam-amsgrad": (
        lambda ps: optim.Adam(ps, lr=0.1, betas=(0.5, 0.6), amsgrad=True),
        lambda: adam_steps(0.1, 0.5, 0.6, amsgrad=True, steps=6),
    ),
    "adamw": (
        lambda ps: optim.AdamW(ps, lr=0.1),
        lambda: adam_steps(0.1, weight_decay=0.01, decoupled=True),
    ),
    "adamw-amsgrad": (
        lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.5, amsgrad=True),
        lambda: adam_steps(0.1, weight_decay=0.5, decoupled=True, amsgrad=True),
    ),
    "adagrad": (lambda ps: optim.Adagrad(ps, lr=0.5), lambda: adagrad_steps(0.5)),
    "adagrad-decay": (
        lambda ps: optim.Adagrad(ps, lr=0.5, lr_decay=0.3, weight_decay=0.2),
        lambda: adagrad_steps(0.5, lr_decay=0.3, weight_decay=0.2),
    ),
    "rmsprop": (lambda ps: optim.RMSprop(ps, lr=0.01), lambda: rmsprop_steps(0.01)),
    "rmsprop-centered-momentum": (
        lambda ps: optim.RMSprop(
            ps, lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.1
        ),
        lambda: rmsprop_steps(0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.1),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_steps_match_the_written_out_rule(name):
    make, expected = CASES[name]
    want = expected()
    np.testing.assert_allclose(run(make, steps=len(want)), want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", CASES)
def test_float32_parameters_stay_float32(name):
    make, expected = CASES[name]
    want = expected()
    p = nn.Parameter(np.array(P0, dtype=np.float32))
    optimizer = make([p])
    for _ in range(len(want)):
        p.grad = Tensor(np.array(gradient(p.data.tolist()), dtype=np.float32))
        optimizer.step()
        assert p.dtype == np.float32
    np.testing.assert_allclose(p.data, want[-1], rtol=1e-4, atol=1e-5)
    for buffer in optimizer.state[p].values():
        if isinstance(buffer, np.ndarray):
            assert buffer.dtype == np.float32


@pytest.mark.parametrize("name", CASES)
def test_scalar_parameters_follow_the_same_rule(name):
    make, expected = CASES[name]
    want = expected()
    ps = [Scalar(x) for x in P0]
    optimizer = make(ps)
    for _ in range(len(want)):
        optimizer.zero_grad()
        assert all(s.grad == 0.0 for s in ps)
        loss = sum(0.5 * c * s * s + d * s for s, c, d in zip(ps, CURVATURE, SHIFT))
        loss.backward()
        optimizer.step()
    assert all(type(s.data) is float for s in ps)
    np.testing.assert_allclose([s.data for s in ps], want[-1], rtol=1e-12, atol=1e-14)


def test_parameters_without_gradient_are_left_alone():
    used, unused = nn.Parameter([1.0, 2.0]), nn.Parameter([3.0])
    optimizer = optim.Adam([used, unused], lr=0.1)
    (used * used).sum().backward()
    optimizer.step()
    assert unused.data.tolist() == [3.0] and unused not in optimizer.state
    assert not np.allclose(used.data, [1.0, 2.0])


def test_zero_grad_clears_tensor_gradients_to_none():
    p = nn.Parameter([1.0, 2.0])
    optimizer = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    optimizer.zero_grad()
    assert p.grad is None


def test_param_groups_hold_their_own_hyper_parameters():
    a, b = nn.Parameter([1.0]), nn.Parameter([1.0])
    optimizer = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.0)
    assert [g["lr"] for g in optimizer.param_groups] == [0.1, 0.5]
    assert optimizer.param_groups[1]["momentum"] == 0.0
    a.grad, b.grad = Tensor([1.0]), Tensor([1.0])
    optimizer.step()
    np.testing.assert_allclose([a.data[0], b.data[0]], [0.9, 0.5])
    optimizer.param_groups[0]["lr"] = 0.2  # a scheduler or a user may change it
    optimizer.step()
    np.testing.assert_allclose(a.data[0], 0.7)


def test_model_parameters_generator_is_accepted():
    model = nn.Linear(3, 2)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    assert len(optimizer.param_groups[0]["params"]) == 2


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: optim.SGD([], lr=0.1), "empty parameter list"),
        (lambda p: optim.SGD(p, lr=0.1), "iterable"),
        (lambda p: optim.SGD([p, p], lr=0.1), "more than once"),
        (lambda p: optim.SGD([p * 2], lr=0.1), "non-leaf"),
        (lambda p: optim.SGD([p.data], lr=0.1), "Tensors or Scalars"),
        (lambda p: optim.SGD([p], lr=-1.0), "invalid lr"),
        (lambda p: optim.SGD([p], lr=0.1, nesterov=True), "Nesterov"),
        (lambda p: optim.Adam([p], betas=(0.9, 1.0)), "beta parameter at index 1"),
        (lambda p: optim.Adam([p], eps=-1e-8), "invalid eps"),
        (lambda p: optim.RMSprop([p], momentum=-0.1), "invalid momentum"),
        (lambda p: optim.Adagrad([p], lr_decay=-1), "invalid lr_decay"),
    ],
)
def test_bad_arguments_are_refused(make, message):
    p = nn.Parameter([1.0, 2.0])
    with pytest.raises((ValueError, TypeError), match=message):
        make(p)


# -- saving and resuming ---------------------------------------------------------------------


def _train(model, optimizer, batches):
    for x, y in batches:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()


def _batches(count):
    ag.manual_seed(1)
    return [(ag.randn(8, 3), np.arange(8) % 3) for _ in range(count)]


OPTIMIZERS = {
    "sgd": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True),
    "adamw": lambda ps: optim.AdamW(ps, lr=0.01),
    "adagrad": lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.01),
    "rmsprop": lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.9, centered=True),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_resuming_from_a_checkpoint_repeats_the_trajectory_exactly(name, tmp_path):
    make = OPTIMIZERS[name]
    batches = _batches(6)
    ag.manual_seed(0)
    model = nn.MLP([3, 5, 3])
    start = model.state_dict()
    optimizer = make(model.parameters())
    _train(model, optimizer, batches)
    uninterrupted = model.state_dict()

    model = nn.MLP([3, 5, 3])
    model.load_state_dict(start)
    optimizer = make(model.parameters())
    _train(model, optimizer, batches[:3])
    nn.save({"model": model.state_dict(), "optim": optimizer.state_dict()}, tmp_path / "c.npz")

    resumed_model = nn.MLP([3, 5, 3])
    resumed_optimizer = make(resumed_model.parameters())
    checkpoint = nn.load(tmp_path / "c.npz")
    resumed_model.load_state_dict(checkpoint["model"])
    resumed_optimizer.load_state_dict(checkpoint["optim"])
    _train(resumed_model, resumed_optimizer, batches[3:])
    for key, value in resumed_model.state_dict().items():
        np.testing.assert_array_equal(value, uninterrupted[key], err_msg=key)


def test_state_dict_is_a_copy_in_pytorch_layout():
    p = nn.Parameter([1.0, 2.0])
    optimizer = optim.Adam([p], lr=0.1)
    p.grad = Tensor([1.0, 1.0])
    optimizer.step()
    state = optimizer.state_dict()
    assert state["param_groups"] == [
        {
            "lr": 0.1,
            "betas": (0.9, 0.999),
            "eps": 1e-8,
            "weight_decay": 0,
            "amsgrad": False,
            "params": [0],
        }
    ]
    assert state["state"][0]["step"] == 1
    saved = state["state"][0]["exp_avg"].copy()
    optimizer.step()
    np.testing.assert_array_equal(state["state"][0]["exp_avg"], saved)


def test_loading_restores_hyper_parameters_and_checks_the_layout():
    a, b = nn.Parameter([1.0]), nn.Parameter([2.0, 3.0])
    source = optim.SGD([a, b], lr=0.3, momentum=0.9)
    a.grad, b.grad = Tensor([1.0]), Tensor([1.0, 1.0])
    source.step()
    target = optim.SGD([nn.Parameter([0.0]), nn.Parameter([0.0, 0.0])], lr=0.1, momentum=0.9)
    target.load_state_dict(source.state_dict())
    assert target.param_groups[0]["lr"] == 0.3
    with pytest.raises(ValueError, match="group 0 holds 1 parameters"):
        optim.SGD([nn.Parameter([0.0])], lr=0.1).load_state_dict(source.state_dict())
    with pytest.raises(ValueError, match="shape"):
        wrong = optim.SGD([nn.Parameter([0.0, 0.0]), nn.Parameter([0.0])], lr=0.1, momentum=0.9)
        wrong.load_state_dict(source.state_dict())


# -- schedulers ------------------------------------------------------------------------------


def _lrs(make_scheduler, epochs=12, lrs=(0.1, 0.02)):
    """Each group's lr at epochs 0..epochs-1, read from the optimizer after each step."""
    groups = [{"params": [nn.Parameter([0.0])], "lr": lr} for lr in lrs]
    optimizer = optim.SGD(groups, lr=1.0)
    scheduler = make_scheduler(optimizer)
    seen = []
    for epoch in range(epochs):
        assert scheduler.last_epoch == epoch
        assert scheduler.get_last_lr() == [g["lr"] for g in optimizer.param_groups]
        seen.append(scheduler.get_last_lr())
        optimizer.step()
        scheduler.step()
    return np.array(seen)


def test_step_lr_multiplies_by_gamma_every_step_size_epochs():
    seen = _lrs(lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5))
    want = [[lr * 0.5 ** (e // 3) for lr in (0.1, 0.02)] for e in range(12)]
    np.testing.assert_allclose(seen, want, rtol=1e-15)


def test_exponential_lr():
    seen = _lrs(lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9))
    want = [[lr * 0.9**e for lr in (0.1, 0.02)] for e in range(12)]
    np.testing.assert_allclose(seen, want, rtol=1e-15)


def test_cosine_annealing_lr_reaches_eta_min_at_t_max_and_comes_back():
    seen = _lrs(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=5, eta_min=0.001))
    want = [
        [0.001 + (lr - 0.001) * (1 + math.cos(math.pi * e / 5)) / 2 for lr in (0.1, 0.02)]
        for e in range(12)
    ]
    np.testing.assert_allclose(seen, want, rtol=1e-13)
    np.testing.assert_allclose(seen[5], [0.001, 0.001])
    np.testing.assert_allclose(seen[10], [0.1, 0.02])


def test_scheduler_resumes_from_its_state_dict():
    p = nn.Parameter([0.0])
    optimizer = optim.SGD([p], lr=0.1)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=2)
    for _ in range(5):
        scheduler.step()
    resumed_optimizer = optim.SGD([nn.Parameter([0.0])], lr=0.1)
    resumed_optimizer.load_state_dict(optimizer.state_dict())
    resumed = lr_scheduler.StepLR(resumed_optimizer, step_size=2, last_epoch=4)
    resumed.load_state_dict(scheduler.state_dict())
    scheduler.step()
    resumed.step()
    assert resumed.last_epoch == 6 and resumed.get_last_lr() == scheduler.get_last_lr()
    np.testing.assert_allclose(resumed.get_last_lr(), [0.1 * 0.1**3])


def test_resuming_a_scheduler_needs_initial_lr():
    optimizer = optim.SGD([nn.Parameter([0.0])], lr=0.1)
    with pytest.raises(ValueError, match="initial_lr"):
        lr_scheduler.ExponentialLR(optimizer, gamma=0.5, last_epoch=3)


# -- against PyTorch, when it is installed -----------------------------------------------------

TORCH_CASES = {
    "sgd": ("SGD", dict(lr=0.1)),
    "sgd-momentum-dampening": ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.2, weight_decay=0.1)),
    "sgd-nesterov": ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    "adam": ("Adam", dict(lr=0.05, betas=(0.8, 0.95), weight_decay=0.1)),
    "adam-amsgrad": ("Adam", dict(lr=0.05, betas=(0.5, 0.7), amsgrad=True)),
    "adamw": ("AdamW", dict(lr=0.05)),
    "adamw-amsgrad": ("AdamW", dict(lr=0.05, weight_decay=0.3, amsgrad=True)),
    "adagrad": ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1)),
    "rmsprop": ("RMSprop", dict(lr=0.01, weight_decay=0.1)),
    "rmsprop-centered-momentum": ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.8, centered=True)),
}


@pytest.mark.parametrize("name", TORCH_CASES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_matches_torch_optim_step_for_step(name, dtype):
    torch = pytest.importorskip("torch")
    class_name, options = TORCH_CASES[name]
    rng = np.random.default_rng(0)
    start = [rng.standard_normal((4, 3)).astype(dtype), rng.standard_normal(3).astype(dtype)]
    ours = [nn.Parameter(x) for x in start]
    theirs = [torch.nn.Parameter(torch.tensor(x)) for x in start]
    our_optimizer = getattr(optim, class_name)(ours, **options)
    their_optimizer = getattr(torch.optim, class_name)(theirs, **options)
    tolerance = dict(rtol=1e-10, atol=1e-12) if dtype == "float64" else dict(rtol=2e-5, atol=2e-6)
    for _ in range(8):
        grads = [rng.standard_normal(x.shape).astype(dtype) for x in start]
        for p, g in zip(ours, grads):
            p.grad = Tensor(g)
        for p, g in zip(theirs, grads):
            p.grad = torch.tensor(g)
        our_optimizer.step()
        their_optimizer.step()
        for p, q in zip(ours, theirs):
            assert p.dtype == np.dtype(dtype)
            np.testing.assert_allclose(p.data, q.detach().numpy(), **tolerance)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (
            lambda o: lr_scheduler.StepLR(o, 3, 0.5),
            lambda t, o: t.optim.lr_scheduler.StepLR(o, 3, 0.5),
        ),
        (
            lambda o: lr_scheduler.ExponentialLR(o, 0.8),
            lambda t, o: t.optim.lr_scheduler.ExponentialLR(o, 0.8),
        ),
        (
            lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=0.01),
            lambda t, o: t.optim.lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=0.01),
        ),
    ],
)
def test_schedulers_match_torch(ours, theirs):
    torch = pytest.importorskip("torch")
    our_optimizer = optim.SGD([nn.Parameter([0.0])], lr=0.1)
    their_optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    our_scheduler, their_scheduler = ours(our_optimizer), theirs(torch, their_optimizer)
    for _ in range(15):
        np.testing.assert_allclose(
            our_scheduler.get_last_lr(), their_scheduler.get_last_lr(), rtol=1e-12
        )
        our_optimizer.step()
        their_optimizer.step()
        our_scheduler.step()
        their_scheduler.step()
