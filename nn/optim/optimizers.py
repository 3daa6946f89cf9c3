"""SGD, Adam, AdamW, Adagrad and RMSprop with PyTorch's update rules, step for step.

Each optimizer writes its rule once, in `_update(p, g, state, group)`, on numpy arrays:
the parameter's data and gradient, and the per-parameter state (moment buffers, step
count). It returns the step, which `step()` subtracts from the parameter in place (as
PyTorch's optimizers do), so float32 stays float32 and no new weight array is allocated.
A Scalar parameter takes the same path as a 0-d float64 array.
"""

import math
from collections.abc import Iterable

import numpy as np

from autograd import Scalar, Tensor, no_grad
from autograd.jit import replayed

from ..module import clear_grad


class Optimizer:
    """Parameters in groups (dicts holding 'params' and the hyper-parameters) and their state."""

    def __init__(self, params, defaults: dict):
        if isinstance(params, Tensor | Scalar) or not isinstance(params, Iterable):
            raise TypeError(
                "optimizer params must be an iterable of Tensors, Scalars or dicts, "
                f"got {type(params).__name__}"
            )
        self.defaults = defaults
        self.state: dict = {}  # parameter -> its buffers and step count
        self.param_groups: list[dict] = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        for group in groups if isinstance(groups[0], dict) else [{"params": groups}]:
            self.add_param_group(group)

    def add_param_group(self, group: dict) -> None:
        """Add parameters with their own hyper-parameters (the defaults fill the rest)."""
        params = group["params"]
        params = [params] if isinstance(params, Tensor | Scalar) else list(params)
        for p in params:
            if not isinstance(p, Tensor | Scalar):
                raise TypeError(
                    f"optimizer params must be Tensors or Scalars, got {type(p).__name__}"
                )
            if isinstance(p, Tensor) and not p.is_leaf:
                raise ValueError("cannot optimize a non-leaf Tensor (it is computed from others)")
        known = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params} | known) != len(params) + len(known):
            raise ValueError("some parameters appear more than once in the optimizer's groups")
        self.param_groups.append({**self.defaults, **group, "params": params})

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear gradients as PyTorch 2 does: None (zeros with set_to_none=False) for Tensors,
        0.0 for Scalars, whose grad is always a float."""
        for p in self._params():
            clear_grad(p, set_to_none)

    @replayed  # ag.compile runs it whole on each replay: its state and step count are Python
    @no_grad()
    def step(self) -> None:
        """Update every parameter that has a gradient, in place of its .data."""
        for group in self.param_groups:
            for p in group["params"]:
                if isinstance(p, Scalar):
                    step = self._update(np.array(p.data), np.array(p.grad), self._state(p), group)
                    p.data -= float(step)
                elif p.grad is not None:
                    step = self._update(p.data, p.grad.data, self._state(p), group)
                    if p.data.flags.writeable:
                        p.sub_(step)
                    else:  # e.g. a read-only array assigned to .data: never written to
                        p.data = (p.data - step).astype(p.dtype, copy=False)

    def _state(self, p) -> dict:
        return self.state.setdefault(p, {})

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> np.ndarray:
        """The step to subtract from parameter data p given its gradient g; updates state."""
        raise NotImplementedError

    # -- saving and resuming -------------------------------------------------------------------

    def _params(self) -> list:
        return [p for group in self.param_groups for p in group["params"]]

    def state_dict(self) -> dict:
        """PyTorch's layout: {'state': {index: buffers}, 'param_groups': [hyper-params + indices]}.

        Parameters are numbered in group order; arrays are copies.
        """
        index = {id(p): i for i, p in enumerate(self._params())}
        state = {
            index[id(p)]: {k: np.copy(v) if isinstance(v, np.ndarray) else v for k, v in s.items()}
            for p, s in self.state.items()
        }
        groups = [
            {
                **{k: v for k, v in group.items() if k != "params"},
                "params": [index[id(p)] for p in group["params"]],
            }
            for group in self.param_groups
        ]
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore hyper-parameters and buffers saved by state_dict() from the same setup."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"the state dict has {len(saved_groups)} parameter groups, "
                f"this optimizer {len(self.param_groups)}"
            )
        by_index = {}
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"parameter group {i} holds {len(group['params'])} parameters, "
                    f"but the state dict's holds {len(saved['params'])}"
                )
            by_index.update(zip((int(k) for k in saved["params"]), group["params"]))
        state = {}
        for key, buffers in state_dict["state"].items():
            p = by_index[int(key)]
            state[p] = {name: _restored(value, p, key, name) for name, value in buffers.items()}
        self.state = state
        for group, saved in zip(self.param_groups, saved_groups):
            group.update({k: v for k, v in saved.items() if k != "params"})


def _restored(value, p, key, name):
    """A saved buffer as a fresh array in the parameter's dtype (other values as they are)."""
    if not isinstance(value, np.ndarray | Tensor):
        return value
    array = np.asarray(value.data if isinstance(value, Tensor) else value)
    shape, dtype = (p.shape, p.dtype) if isinstance(p, Tensor) else ((), np.float64)
    if array.shape != shape:
        raise ValueError(
            f"state '{name}' of parameter {key} has shape {array.shape}, the parameter {shape}"
        )
    return array.astype(dtype, copy=True)


def _check_nonnegative(**values) -> None:
    for name, value in values.items():
        if not value >= 0:
            raise ValueError(f"invalid {name}: {value} (it must be >= 0)")


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, dampening, Nesterov and L2 decay."""

    def __init__(
        self,
        params,
        lr: float,
        momentum: float = 0,
        dampening: float = 0,
        nesterov: bool = False,
        weight_decay: float = 0,
    ):
        _check_nonnegative(lr=lr, momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum needs momentum > 0 and dampening = 0")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            nesterov=nesterov,
            weight_decay=weight_decay,
        )
        super().__init__(params, defaults)

    def _update(self, p, g, state, group):
        momentum = group["momentum"]
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        if momentum:
            buf = state.get("momentum_buffer")
            buf = np.copy(g) if buf is None else momentum * buf + (1 - group["dampening"]) * g
            state["momentum_buffer"] = buf
            g = g + momentum * buf if group["nesterov"] else buf
        return group["lr"] * g


class Adam(Optimizer):
    """Adam: steps by bias-corrected moment estimates, m_hat / (sqrt(v_hat) + eps).

    weight_decay adds an L2 term to the gradient; AdamW decays the weights instead.
    With amsgrad the running maximum of v is used in place of v.
    """

    decoupled = False

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
    ):
        _check_nonnegative(lr=lr, eps=eps, weight_decay=weight_decay)
        for i, beta in enumerate(betas):
            if not 0 <= beta < 1:
                raise ValueError(
                    f"invalid beta parameter at index {i}: {beta} (need 0 <= beta < 1)"
                )
        defaults = dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad
        )
        super().__init__(params, defaults)

    def _update(self, p, g, state, group):
        lr, (beta1, beta2), decay = group["lr"], group["betas"], group["weight_decay"]
        step = state["step"] = state.get("step", 0) + 1
        if decay and not self.decoupled:
            g = g + decay * p
        m = state["exp_avg"] = beta1 * state.get("exp_avg", 0) + (1 - beta1) * g
        v = state["exp_avg_sq"] = beta2 * state.get("exp_avg_sq", 0) + (1 - beta2) * g * g
        if group["amsgrad"]:
            v = state["max_exp_avg_sq"] = np.maximum(state.get("max_exp_avg_sq", v), v)
        denominator = np.sqrt(v) / math.sqrt(1 - beta2**step) + group["eps"]
        adam_step = lr / (1 - beta1**step) * m / denominator
        return adam_step + lr * decay * p if self.decoupled else adam_step  # AdamW decays p


class AdamW(Adam):
    """Adam with decoupled weight decay: p <- p (1 - lr wd) before the Adam step."""

    decoupled = True

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.01,
        amsgrad: bool = False,
    ):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


class Adagrad(Optimizer):
    """Adagrad: steps scaled by the root of the summed squared gradients; lr decays as
    lr / (1 + (step - 1) lr_decay)."""

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        eps: float = 1e-10,
    ):
        _check_nonnegative(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay, eps=eps)
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay, eps=eps)
        super().__init__(params, defaults)

    def _update(self, p, g, state, group):
        step = state["step"] = state.get("step", 0) + 1
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        lr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        total = state["sum"] = state.get("sum", 0) + g * g
        return lr * g / (np.sqrt(total) + group["eps"])


class RMSprop(Optimizer):
    """RMSprop: steps divided by the root of a running mean of squared gradients.

    centered subtracts the squared running mean of the gradients (a variance estimate);
    momentum keeps a buffer of the scaled steps.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
    ):
        _check_nonnegative(
            lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum
        )
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
        )
        super().__init__(params, defaults)

    def _update(self, p, g, state, group):
        alpha, momentum = group["alpha"], group["momentum"]
        state["step"] = state.get("step", 0) + 1
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        v = state["square_avg"] = alpha * state.get("square_avg", 0) + (1 - alpha) * g * g
        if group["centered"]:
            mean = state["grad_avg"] = alpha * state.get("grad_avg", 0) + (1 - alpha) * g
            v = v - mean * mean
        scaled = g / (np.sqrt(v) + group["eps"])
        if momentum:
            scaled = state["momentum_buffer"] = momentum * state.get("momentum_buffer", 0) + scaled
        return group["lr"] * scaled
