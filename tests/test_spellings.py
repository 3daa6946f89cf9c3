"""PyTorch's spellings against fixed values: dim=/keepdim=, max(dim=) pairs, the method names,
zero_grad(set_to_none), and a training script written with PyTorch's idioms only."""

import inspect

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd import Scalar, Tensor
from nn import optim

X = np.array([[0.5, -1.0, 2.0], [3.0, 0.25, -2.0]])  # float64, no ties
TIES = np.array([[3.0, 1.0, 3.0], [2.0, 2.0, 2.0]])

# Everything that takes an axis, called with keywords: f(x, **kwargs).
WITH_AXIS = {
    "sum": lambda x, **k: x.sum(**k),
    "mean": lambda x, **k: x.mean(**k),
    "var": lambda x, **k: x.var(**k),
    "std": lambda x, **k: x.std(**k),
    "logsumexp": lambda x, **k: x.logsumexp(**k),
    "argmax": lambda x, **k: x.argmax(**k),
    "argmin": lambda x, **k: x.argmin(**k),
    "softmax": lambda x, **k: x.softmax(**k),
    "log_softmax": lambda x, **k: x.log_softmax(**k),
    "F.softmax": lambda x, **k: F.softmax(x, **k),
    "F.log_softmax": lambda x, **k: F.log_softmax(x, **k),
    "nn.Softmax": lambda x, **k: nn.Softmax(**k)(x),
    "squeeze": lambda x, **k: x.reshape(2, 1, 3).squeeze(**k),
    "unsqueeze": lambda x, **k: x.unsqueeze(**k),
    "expand_dims": lambda x, **k: x.expand_dims(**k),
    "ag.cat": lambda x, **k: ag.cat([x, 2 * x], **k),
    "ag.concatenate": lambda x, **k: ag.concatenate([x, 2 * x], **k),
    "ag.stack": lambda x, **k: ag.stack([x, 2 * x], **k),
}
KEEPDIMS = {"sum", "mean", "var", "std", "logsumexp", "argmax", "argmin"}


@pytest.mark.parametrize("name", WITH_AXIS)
def test_dim_means_axis(name):
    f, x = WITH_AXIS[name], Tensor(X)
    np.testing.assert_array_equal(f(x, dim=1).data, f(x, axis=1).data)
    if name in KEEPDIMS:
        kept = f(x, dim=1, keepdim=True)
        assert kept.shape == (2, 1)
        np.testing.assert_array_equal(kept.data, f(x, axis=1, keepdims=True).data)


def test_methods_keep_numpys_signature_for_help():
    for method in (Tensor.sum, Tensor.max, Tensor.argmax, ag.cat, F.softmax):
        assert "axis" in inspect.signature(method).parameters


@pytest.mark.parametrize("name", [*WITH_AXIS, "max", "min"])
def test_both_spellings_of_one_argument_is_a_type_error(name):
    f = WITH_AXIS.get(name, lambda x, **k: getattr(x, name)(**k))
    with pytest.raises(TypeError, match="both axis= and dim="):
        f(Tensor(X), axis=1, dim=1)
    if name in KEEPDIMS | {"max", "min"}:
        with pytest.raises(TypeError, match="both keepdims= and keepdim="):
            f(Tensor(X), dim=1, keepdims=True, keepdim=True)


def test_both_spellings_message_names_the_method_not_the_class_holding_it():
    for name in ("sum", "max", "squeeze"):
        with pytest.raises(TypeError, match=rf"^{name}\(\) got both axis= and dim="):
            getattr(Tensor(X), name)(axis=0, dim=0)


def test_dim_forms_give_numpys_values():
    x = Tensor(X)
    np.testing.assert_allclose(x.sum(dim=(0, 1)).data, X.sum())
    np.testing.assert_allclose(x.mean(0, keepdim=True).data, X.mean(0, keepdims=True))
    np.testing.assert_allclose(x.var(dim=1).data, X.var(axis=1))
    np.testing.assert_allclose(F.softmax(x, dim=0).data, np.exp(X) / np.exp(X).sum(0))
    np.testing.assert_array_equal(ag.cat([x, x], dim=1).data, np.concatenate([X, X], 1))
    np.testing.assert_array_equal(ag.stack([x, x], dim=-1).data, np.stack([X, X], -1))
    assert x.unsqueeze(dim=-1).shape == (2, 3, 1) and x.unsqueeze(0).shape == (1, 2, 3)
    assert nn.Softmax(dim=0).axis == 0


def test_positional_and_axis_use_numpys_meaning_for_max_and_min():
    x = Tensor(TIES, requires_grad=True)
    assert isinstance(x.max(1), Tensor) and isinstance(x.min(axis=0), Tensor)
    np.testing.assert_array_equal(x.max(1).data, [3.0, 2.0])
    x.max(axis=1, keepdim=True).sum().backward()
    np.testing.assert_allclose(x.grad.data, [[0.5, 0, 0.5], [1 / 3, 1 / 3, 1 / 3]])


@pytest.mark.parametrize(
    "name, values, indices, grad",
    [
        ("max", [3.0, 2.0], [0, 0], [[1, 0, 0], [1, 0, 0]]),
        ("min", [1.0, 2.0], [1, 0], [[0, 1, 0], [1, 0, 0]]),
    ],
)
def test_keyword_dim_gives_values_and_indices_with_the_gradient_at_the_index(
    name, values, indices, grad
):
    x = Tensor(TIES, requires_grad=True)
    result = getattr(x, name)(dim=1)
    assert type(result).__name__ == "ValuesIndices" and result._fields == ("values", "indices")
    np.testing.assert_array_equal(result.values.data, values)
    np.testing.assert_array_equal(result.indices.data, indices)
    assert result.indices.dtype == np.int64 and not result.indices.requires_grad
    result.values.sum().backward()
    np.testing.assert_array_equal(x.grad.data, grad)  # PyTorch's: the first tie gets it all


def test_max_with_dim_keepdim_unpacks_and_has_a_checked_gradient():
    x = Tensor(X, requires_grad=True)
    values, indices = x.max(dim=0, keepdim=True)
    assert values.shape == indices.shape == (1, 3)
    np.testing.assert_array_equal(indices.data, [[1, 1, 0]])
    _, predicted = x.min(dim=-1)  # the PyTorch tutorials' evaluation line
    np.testing.assert_array_equal(predicted.data, [1, 2])
    assert ag.gradcheck(lambda x: x.max(dim=0).values * x.min(dim=1, keepdim=True)[0], (x,))
    assert ag.gradgradcheck(lambda x: (x.max(dim=1).values ** 3).sum(), (x,))


def test_max_with_dim_takes_one_int():
    with pytest.raises(TypeError, match=r"max\(dim=...\) takes one int dim"):
        Tensor(X).max(dim=(0, 1))
    with pytest.raises(ValueError, match="no entries"):
        ag.zeros(2, 0).min(dim=1)


def test_argmax_and_argmin():
    x = Tensor(TIES, requires_grad=True)
    assert x.argmax().item() == 0 and x.argmin().item() == 1  # flat index, first at ties
    for result in (x.argmax(), x.argmin(dim=1), x.argmax(0, keepdim=True)):
        assert result.dtype == np.int64 and not result.requires_grad
    np.testing.assert_array_equal(x.argmin(dim=1).data, [1, 0])
    assert x.argmax(keepdims=True).shape == (1, 1)
    with pytest.raises(TypeError, match="one axis"):
        x.argmax(axis=(0, 1))
    with pytest.raises(ValueError, match=r"argmin\(\) of no entries"):
        ag.zeros(0).argmin()


def test_view_permute_unsqueeze_and_t_are_differentiable():
    x = Tensor(X, requires_grad=True)
    np.testing.assert_array_equal(x.view(3, 2).data, X.reshape(3, 2))
    np.testing.assert_array_equal(x.view((-1,)).data, X.ravel())
    np.testing.assert_array_equal(x.view(1, 2, 3).permute(2, 0, 1).data, X.T[:, None, :])
    np.testing.assert_array_equal(x.t().data, X.T)
    np.testing.assert_array_equal(x[0].t().data, X[0])
    assert ag.gradcheck(
        lambda x: (
            x.view(3, 2).t().unsqueeze(0).permute(2, 0, 1) * Tensor(np.arange(6.0)).view(3, 1, 2)
        ),
        (x,),
    )
    with pytest.raises(ValueError, match="at most 2 dimensions"):
        x.view(1, 2, 3).t()


@pytest.mark.parametrize("method", ["clamp", "clip"])
def test_clamp_and_clip_take_min_and_max(method):
    x = Tensor([-2.0, 0.0, 0.5, 1.0, 3.0], requires_grad=True)
    f = getattr(x, method)
    np.testing.assert_array_equal(f(min=0).data, [0, 0, 0.5, 1, 3])
    np.testing.assert_array_equal(f(max=0.5).data, [-2, 0, 0.5, 0.5, 0.5])
    y = f(0.0, 1.0)  # positional, as before
    np.testing.assert_array_equal(y.data, [0, 0, 0.5, 1, 1])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0, 1, 1, 1, 0])  # bounds included, as PyTorch
    with pytest.raises(TypeError, match="needs min, max or both"):
        f()


def test_float_double_and_to():
    x = Tensor(X, requires_grad=True)
    assert x.float().dtype == np.float32 and x.double() is x
    assert x.to(np.float32).dtype == np.float32 and x.to("float32").dtype == np.float32
    assert x.to("cpu") is x
    with pytest.raises(ValueError, match="numpy arrays on the CPU; no device 'cuda:0'"):
        x.to("cuda:0")
    x.float().sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.data, np.ones_like(X))
    assert ag.arange(3).float().dtype == np.float32


def test_clone_is_a_copy_that_stays_in_the_graph():
    x = Tensor(X, requires_grad=True)
    y = x.clone()
    assert not np.shares_memory(y.data, x.data) and y.requires_grad and not y.is_leaf
    np.testing.assert_array_equal(y.data, X)
    with ag.no_grad():
        y.add_(1)
    np.testing.assert_array_equal(x.data, X)  # the original never sees the copy's changes
    assert ag.gradcheck(lambda x: x.clone() * x, (x,))
    assert ag.gradgradcheck(lambda x: (x.clone() * x).sum(), (x,))


def test_numel_and_dim():
    x = ag.zeros(2, 3, 4)
    assert x.numel() == 24 == x.size and x.dim() == 3 == x.ndim


def test_a_pytorch_name_with_another_spelling_says_which():
    x = Tensor(X)
    with pytest.raises(AttributeError, match=r"'mm'.*write x @ y"):
        x.mm(x.T)
    with pytest.raises(AttributeError, match=r"numpy arrays on the CPU"):
        x.cuda()
    with pytest.raises(AttributeError, match=r"^'Tensor' object has no attribute 'nonsense'$"):
        x.nonsense  # noqa: B018
    assert not hasattr(x, "expand")


# -- zero_grad(set_to_none) ------------------------------------------------------------------


def trained_linear():
    layer = nn.Linear(3, 2)
    layer.weight.requires_grad_(False)  # a parameter without a gradient stays None
    layer(Tensor(np.ones((4, 3), np.float32))).sum().backward()
    return layer


@pytest.mark.parametrize("owner", ["module", "SGD", "Adam", "AdamW", "Adagrad", "RMSprop"])
def test_zero_grad_sets_none_by_default_and_zeros_in_place_on_request(owner):
    layer = trained_linear()
    clear = (
        layer.zero_grad
        if owner == "module"
        else getattr(optim, owner)(layer.parameters(), lr=0.1).zero_grad
    )
    grad = layer.bias.grad
    np.testing.assert_array_equal(grad.data, [4.0, 4.0])
    clear(set_to_none=False)
    assert layer.bias.grad.dtype == np.float32 and layer.weight.grad is None
    np.testing.assert_array_equal(layer.bias.grad.data, [0.0, 0.0])
    np.testing.assert_array_equal(grad.data, [0.0, 0.0])  # in place, as PyTorch's zero_()
    clear()
    assert layer.bias.grad is None


def test_zero_grad_without_none_cuts_a_gradient_from_its_graph():
    p = nn.Parameter(np.array([1.0, 2.0]))
    (p * p).sum().backward(create_graph=True)
    assert p.grad.requires_grad
    optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
    assert not p.grad.requires_grad
    np.testing.assert_array_equal(p.grad.data, [0.0, 0.0])


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad_on_scalars_gives_0(set_to_none):
    s = Scalar(2.0)
    (s * s).backward()
    optim.Adam([s]).zero_grad(set_to_none=set_to_none)
    assert s.grad == 0.0 and isinstance(s.grad, float)


# -- a script written as a PyTorch user writes it --------------------------------------------


def test_a_training_script_in_pytorch_spellings_learns_digits():
    pytest.importorskip("sklearn")
    ag.manual_seed(0)
    images, labels = nn.data.load_digits()
    order = np.random.default_rng(0).permutation(len(images))
    images, labels = ag.tensor(images[order]).view(-1, 8, 8), ag.tensor(labels[order])
    train_x, train_y, test_x, test_y = images[:1400], labels[:1400], images[1400:], labels[1400:]

    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(8):
        model.train()
        for start in range(0, len(train_x), 64):
            inputs = train_x[start : start + 64].view(-1, 64)
            targets = train_y[start : start + 64]
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()

    model.eval()
    with ag.no_grad():
        outputs = model(test_x.view(test_x.shape[0], -1))
        predicted = outputs.argmax(dim=1)
        _, predicted_too = outputs.max(dim=1)
        accuracy = (predicted == test_y).float().mean().item()
    np.testing.assert_array_equal(predicted.data, predicted_too.data)
    assert not outputs.requires_grad and loss.item() < 0.5
    assert accuracy >= 0.9, accuracy
