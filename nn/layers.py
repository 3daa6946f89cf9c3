"""Layers: Linear, Sequential, activations, Dropout, MLP, and the loss modules."""

import math
import operator

import numpy as np

import autograd as ag
from autograd.fused import linear as fused_linear  # x @ W.T + b as one op
from autograd.spellings import axis_or_dim

from . import functional as F
from . import init
from .module import Module, Parameter


def _zeros(*shape) -> Parameter:
    return Parameter(np.zeros(shape, ag.get_default_dtype()))


class Linear(Module):
    """y = x @ W.T + b with W of shape (out_features, in_features), as in PyTorch.

    Weight and bias start from U(-1/sqrt(in_features), 1/sqrt(in_features)), PyTorch's
    default (kaiming_uniform_ with a = sqrt(5) for the weight).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        for size in (in_features, out_features):
            if not isinstance(size, int | np.integer):
                raise TypeError(f"Linear sizes are integers, got {type(size).__name__} {size!r}")
        if in_features < 1 or out_features < 1:
            raise ValueError(f"Linear needs positive sizes, got ({in_features}, {out_features})")
        self.in_features, self.out_features = in_features, out_features
        self.weight = init.kaiming_uniform_(_zeros(out_features, in_features), a=math.sqrt(5))
        self.bias = None
        if bias:
            bound = 1 / math.sqrt(in_features)
            self.bias = init.uniform_(_zeros(out_features), -bound, bound)

    def forward(self, x):
        return fused_linear(x, self.weight, self.bias)

    def extra_repr(self):
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Sequential(Module):
    """Modules applied one after the other; they are named '0', '1', ... as in PyTorch."""

    def __init__(self, *modules: Module):
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential takes Modules, item {i} is {type(module).__name__}")
            setattr(self, str(i), module)

    def __getitem__(self, index: int | slice) -> Module:
        """The module at index, or for a slice a Sequential of those modules (the same
        objects, under their names here), as in PyTorch."""
        named = list(self.children())
        if isinstance(index, slice):
            part = Sequential()
            for name, module in named[index]:
                setattr(part, name, module)
            return part
        position = operator.index(index)
        if not -len(named) <= position < len(named):
            raise IndexError(f"index {position} is out of range")
        return named[position][1]

    def __len__(self):
        return len(list(self.children()))

    def __iter__(self):
        # its attributes are the modules '0', '1', ... (and the training flag); cheap per forward
        return (value for value in vars(self).values() if isinstance(value, Module))

    def forward(self, x):
        for module in self:
            x = module(x)
        return x


class ReLU(Module):
    def forward(self, x):
        return x.relu()


class Tanh(Module):
    def forward(self, x):
        return x.tanh()


class Sigmoid(Module):
    def forward(self, x):
        return x.sigmoid()


class LeakyReLU(Module):
    """x for x > 0, slope * x otherwise."""

    def __init__(self, slope: float = 0.01):
        self.slope = slope

    def forward(self, x):
        return F.leaky_relu(x, self.slope)

    def extra_repr(self):
        return f"slope={self.slope}"


class Softmax(Module):
    @axis_or_dim
    def __init__(self, axis: int = -1):
        self.axis = axis

    def forward(self, x):
        return x.softmax(self.axis)

    def extra_repr(self):
        return f"axis={self.axis}"


class Dropout(Module):
    """In training, zero entries with probability p and scale the rest by 1/(1-p)."""

    def __init__(self, p: float = 0.5):
        if not 0 <= p <= 1:
            raise ValueError(f"dropout probability must be in [0, 1], got {p}")
        self.p = p

    def forward(self, x):
        return F.dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}"


ACTIVATIONS = {
    "relu": ReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "leaky_relu": LeakyReLU,
    "softmax": Softmax,
}


def _check_activation(name: str) -> None:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation '{name}'; choose from {', '.join(ACTIVATIONS)}")


def make_activation(name: str) -> Module:
    """A fresh activation module from its name."""
    _check_activation(name)
    return ACTIVATIONS[name]()


class MLP(Sequential):
    """Linear layers of the given sizes with an activation between them, e.g. MLP([784, 128, 10]).

    The last layer is followed by output_activation, or by nothing (logits) when it is None.
    """

    def __init__(self, sizes, activation: str = "relu", output_activation: str | None = None):
        if isinstance(sizes, int | np.integer):
            example = [sizes, *activation] if isinstance(activation, list | tuple) else [sizes, 1]
            raise TypeError(
                f"MLP takes one list of sizes, the input size first: nn.MLP({example}) "
                "(micrograd's MLP(nin, nouts) takes them apart)"
            )
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"MLP needs at least an input and an output size, got {sizes}")
        for name in (activation, output_activation):
            if name is not None:
                _check_activation(name)
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
            layers.append(Linear(n_in, n_out))
            last = i == len(sizes) - 2
            name = output_activation if last else activation
            if name is not None:
                layers.append(make_activation(name))
        super().__init__(*layers)


class _Loss(Module):
    """A loss function held as a module with its reduction."""

    function = None

    def __init__(self, reduction: str = "mean"):
        F.check_reduction(reduction)
        self.reduction = reduction

    def forward(self, input, target):
        return self.function(input, target, self.reduction)

    def extra_repr(self):
        return f"reduction='{self.reduction}'"


class MSELoss(_Loss):
    function = staticmethod(F.mse_loss)


class CrossEntropyLoss(_Loss):
    function = staticmethod(F.cross_entropy)


class BCELoss(_Loss):
    function = staticmethod(F.binary_cross_entropy)


class BCEWithLogitsLoss(_Loss):
    function = staticmethod(F.binary_cross_entropy_with_logits)
