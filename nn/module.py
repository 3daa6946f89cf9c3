"""Module and Parameter: a model is an object whose attributes hold its parameters and layers.

There is no registration step and no __setattr__ hook. A module's parameters are found by
reading its attributes (`vars(module)`) in assignment order: a `Parameter` or `Module` held
directly, or inside a list, tuple or dict attribute, is part of the module. The name of an
item in a list is `attribute.index`, in a dict `attribute.key`, so `self.blocks = [a, b]`
behaves like PyTorch's ModuleList without needing one.
"""

from collections import OrderedDict, namedtuple
from collections.abc import Iterator, Mapping

import numpy as np

from autograd import Scalar, Tensor
from autograd.mode import state


class Parameter(Tensor):
    """A Tensor that requires grad; a Module lists it among its parameters."""

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True, dtype=None):
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


def clear_grad(p: Tensor | Scalar, set_to_none: bool = True) -> None:
    """PyTorch's zero_grad for one parameter: .grad becomes None, or with set_to_none=False an
    existing gradient is filled with zeros (cut from any graph). A Scalar's is a float: 0.0."""
    if isinstance(p, Scalar):
        p.grad = 0.0
    elif set_to_none:
        p.grad = None
    elif p.grad is not None:
        p.grad = p.grad.detach().zero_()


IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Module:
    """Base class of layers and models: subclass it, assign parts in __init__, write forward."""

    training: bool = True

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args, **kwargs):
        """forward, with the ops it records tagged (self, the enclosing call's tag): draw_dot's
        module= boxes."""
        outer = state.scope
        state.scope = (self, outer)
        try:
            return self.forward(*args, **kwargs)
        finally:
            state.scope = outer

    # -- what the module holds ---------------------------------------------------------------

    def _members(self) -> Iterator[tuple[str, "Parameter | Module"]]:
        """(name, value) for each Parameter or Module in an attribute, list, tuple or dict."""
        for name, value in vars(self).items():
            if isinstance(value, list | tuple):
                items = ((f"{name}.{i}", v) for i, v in enumerate(value))
            elif isinstance(value, dict):
                items = ((f"{name}.{key}", v) for key, v in value.items())
            else:
                items = ((name, value),)
            for key, item in items:
                if isinstance(item, Parameter | Module):
                    yield key, item

    def children(self) -> Iterator[tuple[str, "Module"]]:
        """The direct sub-modules with their names."""
        return ((name, v) for name, v in self._members() if isinstance(v, Module))

    def named_modules(self) -> Iterator[tuple[str, "Module"]]:
        """This module and every sub-module, each once, with dotted names ('' for this one)."""
        seen, stack = set(), [("", self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            dotted = [(f"{name}.{child}" if name else child, m) for child, m in module.children()]
            stack.extend(reversed(dotted))

    def modules(self) -> Iterator["Module"]:
        return (module for _, module in self.named_modules())

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name; one shared by several layers comes once."""
        seen = set()
        for prefix, module in self.named_modules():
            for name, value in module._members():
                if isinstance(value, Parameter) and id(value) not in seen:
                    seen.add(id(value))
                    yield (f"{prefix}.{name}" if prefix else name), value

    def parameters(self) -> Iterator[Parameter]:
        return (p for _, p in self.named_parameters())

    # -- modes and gradients -----------------------------------------------------------------

    def train(self, mode: bool = True) -> "Module":
        """Set training mode here and in every sub-module (Dropout reads it)."""
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients of all parameters: None, or zeros with set_to_none=False."""
        for p in self.parameters():
            clear_grad(p, set_to_none)

    # -- state -------------------------------------------------------------------------------

    def state_dict(self) -> OrderedDict:
        """Dotted parameter names mapped to copies of their arrays."""
        return OrderedDict((name, p.data.copy()) for name, p in self.named_parameters())

    def load_state_dict(self, state_dict, strict: bool = True) -> IncompatibleKeys:
        """Copy arrays (or Tensors) into the parameters of the same names, checking each shape.

        With strict=True a missing or unexpected key is an error; a wrong shape always is.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"state_dict must map names to arrays, got {type(state_dict).__name__}")
        params = dict(self.named_parameters())
        missing = [name for name in params if name not in state_dict]
        unexpected = [name for name in state_dict if name not in params]
        if strict and (missing or unexpected):
            problems = [f"missing key '{k}'" for k in missing]
            problems += [f"unexpected key '{k}'" for k in unexpected]
            raise RuntimeError(f"load_state_dict for {type(self).__name__}: {'; '.join(problems)}")
        for name, p in params.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            array = value.data if isinstance(value, Tensor) else np.asarray(value)
            if array.dtype.kind not in "fiub":
                raise TypeError(
                    f"load_state_dict for {type(self).__name__}: key '{name}' holds "
                    f"{array.dtype} data, not real numbers"
                )
            if array.shape != p.shape:
                raise RuntimeError(
                    f"load_state_dict for {type(self).__name__}: key '{name}' has shape "
                    f"{array.shape} in the state dict but {p.shape} in the model"
                )
            p.data = array.astype(p.dtype, copy=True)
        return IncompatibleKeys(missing, unexpected)

    # -- printing ----------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The settings shown between the parentheses of this module's repr."""
        return ""

    def __repr__(self):
        children = list(self.children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        return "\n".join(lines) + "\n)"
