"""Module, Parameter and the layers: registration, names, state dicts, modes, forward maths."""

import math
import re

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Tensor


@pytest.fixture
def float64():
    previous = ag.get_default_dtype()
    ag.set_default_dtype(np.float64)
    yield
    ag.set_default_dtype(previous)


class Block(nn.Module):
    def __init__(self):
        self.scale = nn.Parameter([2.0])
        self.layers = [nn.Linear(3, 4), nn.Linear(4, 2)]
        self.heads = {"left": nn.Linear(2, 1), "right": nn.Linear(2, 1, bias=False)}
        self.constant = Tensor([1.0, 2.0])  # a plain tensor is not a parameter
        self.note = "not a module"

    def forward(self, x):
        for layer in self.layers:
            x = layer(x).relu()
        return self.heads["left"](x) * self.scale + self.heads["right"](x)


def test_parameters_in_attributes_lists_and_dicts_get_dotted_names():
    names = [name for name, _ in Block().named_parameters()]
    assert names == [
        "scale",
        "layers.0.weight",
        "layers.0.bias",
        "layers.1.weight",
        "layers.1.bias",
        "heads.left.weight",
        "heads.left.bias",
        "heads.right.weight",
    ]


def test_nested_modules_and_modules_listing():
    model = nn.Sequential(Block(), nn.ReLU())
    names = [name for name, _ in model.named_modules()]
    assert names == ["", "0", "0.layers.0", "0.layers.1", "0.heads.left", "0.heads.right", "1"]
    assert len(list(model.modules())) == 7
    assert [n for n, _ in model.named_parameters()][:2] == ["0.scale", "0.layers.0.weight"]


def three_layers(lib):
    return lib.Sequential(lib.Linear(2, 3), lib.ReLU(), lib.Linear(3, 1))


def test_a_slice_of_a_sequential_is_a_sequential_of_the_same_modules():
    model = three_layers(nn)
    head = model[:2]
    assert type(head) is nn.Sequential and len(head) == 2
    assert head[0] is model[0] and head[1] is model[1]
    x = Tensor(np.ones((4, 2)))
    np.testing.assert_array_equal(head(x).data, model[1](model[0](x)).data)
    assert [name for name, _ in model[1:].named_parameters()] == ["2.weight", "2.bias"]
    assert list(model[::2].state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(model[5:]) == 0 and model[-1] is model[2] and model[-3] is model[0]
    assert type(nn.MLP([2, 4, 1])[:1]) is nn.Sequential


@pytest.mark.parametrize("index, error, message", [
    (3, IndexError, "index 3 is out of range"),
    (-4, IndexError, "index -4 is out of range"),
    ("a", TypeError, "'str' object cannot be interpreted as an integer"),
    (1.0, TypeError, "'float' object cannot be interpreted as an integer"),
])  # fmt: skip
def test_bad_sequential_indices(index, error, message):
    with pytest.raises(error, match=message):
        three_layers(nn)[index]


def test_sequential_slices_and_index_errors_match_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = three_layers(nn), three_layers(torch.nn)
    for index in (slice(1, None), slice(None, 2), slice(None, None, 2), slice(-1, None)):
        assert type(theirs[index]) is torch.nn.Sequential
        assert list(ours[index].state_dict()) == list(theirs[index].state_dict())
    for index in (3, -4, "a"):
        with pytest.raises(Exception) as want:
            theirs[index]
        with pytest.raises(want.type, match=re.escape(str(want.value))):
            ours[index]


def test_tied_parameters_and_shared_modules_are_counted_once():
    class Tied(nn.Module):
        def __init__(self):
            self.encoder = nn.Linear(3, 3)
            self.decoder = nn.Linear(3, 3)
            self.decoder.weight = self.encoder.weight
            self.again = self.encoder

    model = Tied()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["encoder.weight", "encoder.bias", "decoder.bias"]
    assert [name for name, _ in model.named_modules()] == ["", "encoder", "decoder"]
    assert len(list(model.parameters())) == 3


def test_reassigning_an_attribute_replaces_the_parameter():
    layer = nn.Linear(2, 2)
    layer.bias = None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]


def test_parameter_is_a_tensor_that_requires_grad():
    p = nn.Parameter([1.0, 2.0])
    assert isinstance(p, Tensor) and p.requires_grad and p.is_leaf and p.dtype == np.float32
    assert repr(p).startswith("Parameter containing:\nTensor([1., 2.]")
    assert type(p * 2) is Tensor


def test_ops_on_a_parameter_make_plain_tensors_and_take_tensor_operands():
    p, t = nn.Parameter(np.ones((2, 2))), Tensor(np.ones((2, 2)))
    results = [p + t, t - p, p @ t, t @ p, p.exp(), p.sum(), p.reshape(4), ag.maximum(p, t)]
    assert [type(r) for r in results] == [Tensor] * len(results)
    with ag.no_grad():
        p.sub_(t)
        p += t * 2
    assert type(p) is nn.Parameter and p.data.tolist() == [[2.0, 2.0], [2.0, 2.0]]


def test_state_dict_holds_copies_in_order():
    model = nn.MLP([2, 3, 1])
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert all(type(v) is np.ndarray for v in state.values())
    state["0.weight"][...] = 7.0
    assert not np.any(model[0].weight.data == 7.0)


def test_load_state_dict_copies_values_and_accepts_tensors():
    source, target = nn.MLP([2, 3, 1]), nn.MLP([2, 3, 1])
    state = source.state_dict()
    state["2.bias"] = Tensor(state["2.bias"])
    state["0.bias"] = state["0.bias"].astype(np.float64)  # converted to the parameter's dtype
    assert target.load_state_dict(state) == ([], [])
    for (name, p), q in zip(target.named_parameters(), source.parameters()):
        np.testing.assert_array_equal(p.data, q.data, err_msg=name)
        assert p.dtype == np.float32
    source[0].weight.data[...] = 0  # no sharing with the source
    assert np.any(target[0].weight.data != 0)


def test_load_state_dict_names_missing_unexpected_and_misshapen_keys():
    model = nn.MLP([2, 3, 1])
    state = model.state_dict()
    del state["0.bias"]
    state["extra"] = np.zeros(1)
    with pytest.raises(RuntimeError, match=r"missing key '0.bias'.*unexpected key 'extra'"):
        model.load_state_dict(state)
    assert model.load_state_dict(state, strict=False) == (["0.bias"], ["extra"])
    bad = nn.MLP([2, 3, 1]).state_dict()
    bad["2.weight"] = np.zeros((3, 1))
    with pytest.raises(RuntimeError, match=r"'2.weight' has shape \(3, 1\).*\(1, 3\) in the model"):
        model.load_state_dict(bad)


def test_train_and_eval_reach_every_submodule():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5)))
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_zero_grad_sets_gradients_to_none():
    model = nn.MLP([2, 3, 1])
    model(ag.ones(4, 2)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_repr_shows_the_tree_of_modules():
    model = nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(0.2), nn.Dropout(0.1), nn.Softmax(1))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): LeakyReLU(slope=0.2)\n"
        "  (2): Dropout(p=0.1)\n"
        "  (3): Softmax(axis=1)\n"
        ")"
    )
    assert "(heads.left): Linear(in_features=2, out_features=1, bias=True)" in repr(Block())


def test_forward_must_be_written():
    with pytest.raises(NotImplementedError, match="Module does not define forward"):
        nn.Module()(1)


# -- layers -----------------------------------------------------------------------------------


def test_linear_uses_pytorch_layout_and_formula():
    layer = nn.Linear(3, 2)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    want = x @ layer.weight.data.T + layer.bias.data
    np.testing.assert_allclose(layer(Tensor(x)).data, want, rtol=1e-6)
    assert nn.Linear(3, 2, bias=False).bias is None


def test_linear_default_init_is_uniform_within_one_over_sqrt_fan_in():
    ag.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert p.dtype == np.float32
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.95 * bound  # it fills the interval
    # U(-b, b) has variance b^2 / 3
    np.testing.assert_allclose(layer.weight.data.var(), bound**2 / 3, rtol=0.02)


def test_linear_init_follows_the_seed():
    ag.manual_seed(3)
    first = nn.Linear(4, 4).state_dict()
    ag.manual_seed(3)
    second = nn.Linear(4, 4).state_dict()
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])


def test_linear_gradients_match_finite_differences(float64):
    layer = nn.Linear(3, 2)
    x = ag.randn(4, 3, requires_grad=True)
    assert ag.gradcheck(lambda x, w, b: (x @ w.T + b).tanh(), [x, layer.weight, layer.bias])
    assert ag.gradcheck(lambda x: layer(x).sin(), [x])


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu"])
def test_mlp_gradients_match_finite_differences(float64, activation):
    model = nn.MLP([3, 4, 2], activation=activation, output_activation="softmax")
    linears = [m for m in model if isinstance(m, nn.Linear)]
    x = ag.randn(5, 3, requires_grad=True)

    def forward(x, *weights_and_biases):
        """model(x) run with gradcheck's copies of the weights and biases."""
        for layer, w, b in zip(linears, weights_and_biases[::2], weights_and_biases[1::2]):
            layer.weight, layer.bias = w, b
        return model(x)

    assert ag.gradcheck(forward, [x, *model.parameters()])


def test_mlp_builds_linear_layers_with_activations_between():
    model = nn.MLP([4, 8, 8, 3], activation="tanh", output_activation="sigmoid")
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Linear", "Tanh", "Linear", "Tanh", "Linear", "Sigmoid"]
    assert [(m.in_features, m.out_features) for m in model if isinstance(m, nn.Linear)] == [
        (4, 8),
        (8, 8),
        (8, 3),
    ]
    assert model(ag.ones(5, 4)).shape == (5, 3)
    assert len(model) == 6 and isinstance(model[-1], nn.Sigmoid)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: nn.MLP([3]), "at least an input and an output"),
        (lambda: nn.MLP([3, 2], activation="swish"), "unknown activation 'swish'"),
        (lambda: nn.Linear(0, 2), "positive sizes"),
        (lambda: nn.Sequential(nn.ReLU(), max), "item 1 is builtin_function_or_method"),
        (lambda: nn.Dropout(1.5), r"\[0, 1\]"),
        (lambda: nn.MSELoss(reduction="avg"), "reduction must be one of"),
    ],
)
def test_bad_layer_arguments(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


def test_activation_modules_compute_their_functions():
    x = Tensor([[-2.0, -0.5, 0.0, 1.5]])
    np.testing.assert_allclose(nn.ReLU()(x).data, [[0, 0, 0, 1.5]])
    np.testing.assert_allclose(nn.Tanh()(x).data, np.tanh(x.data), rtol=1e-6)
    np.testing.assert_allclose(nn.Sigmoid()(x).data, 1 / (1 + np.exp(-x.data)), rtol=1e-6)
    np.testing.assert_allclose(nn.LeakyReLU(0.1)(x).data, [[-0.2, -0.05, 0, 1.5]], rtol=1e-6)
    e = np.exp(x.data)
    np.testing.assert_allclose(nn.Softmax(1)(x).data, e / e.sum(), rtol=1e-6)


def test_leaky_relu_gradient_is_the_slope_below_zero():
    x = Tensor([-2.0, 3.0], requires_grad=True)
    nn.LeakyReLU(0.2)(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [0.2, 1.0])


def test_dropout_zeroes_and_rescales_in_training_only():
    ag.manual_seed(0)
    layer = nn.Dropout(0.25)
    x = ag.ones(200, 100)
    y = layer(x).data
    assert set(np.unique(y)) == {0.0, np.float32(1 / 0.75)}
    assert y.dtype == np.float32
    np.testing.assert_allclose((y == 0).mean(), 0.25, atol=0.01)
    layer.eval()
    assert layer(x) is x
    assert nn.Dropout(1.0)(x).data.max() == 0


def test_dropout_follows_the_seed_and_passes_gradients_through_kept_entries():
    x = ag.ones(50, requires_grad=True)
    ag.manual_seed(5)
    first = nn.Dropout(0.5)(x)
    ag.manual_seed(5)
    second = nn.Dropout(0.5)(x)
    np.testing.assert_array_equal(first.data, second.data)
    first.sum().backward()
    np.testing.assert_array_equal(x.grad.data, first.data)  # d(x * mask/(1-p))/dx = mask/(1-p)


@pytest.mark.parametrize(
    "module, function",
    [
        (nn.MSELoss, nn.functional.mse_loss),
        (nn.BCELoss, nn.functional.binary_cross_entropy),
        (nn.BCEWithLogitsLoss, nn.functional.binary_cross_entropy_with_logits),
    ],
)
def test_loss_modules_call_their_function(module, function):
    pred, target = Tensor([0.2, 0.7, 0.9]), np.array([0.0, 1.0, 1.0], dtype=np.float32)
    for reduction in ("mean", "sum"):
        assert module(reduction)(pred, target).item() == function(pred, target, reduction).item()


def test_cross_entropy_loss_module():
    logits, target = Tensor([[2.0, 0.5, -1.0], [0.0, 0.0, 3.0]]), np.array([0, 2])
    loss = nn.CrossEntropyLoss(reduction="none")(logits, target)
    np.testing.assert_allclose(loss.data, nn.functional.cross_entropy(logits, target, "none").data)
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss(reduction='mean')"
