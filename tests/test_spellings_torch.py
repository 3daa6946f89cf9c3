"""PyTorch's spellings run the same code on our tensors and on PyTorch's, with the same values
and gradients (skipped when torch is not installed)."""

from types import SimpleNamespace

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")

OURS = SimpleNamespace(lib=ag, F=F, nn=nn, float32=np.float32, optim=nn.optim)
THEIRS = SimpleNamespace(
    lib=torch, F=torch.nn.functional, nn=torch.nn, float32=torch.float32, optim=torch.optim
)
X = np.random.default_rng(18).standard_normal((2, 3))
TIES = np.array([[3.0, 1.0, 3.0], [2.0, 2.0, 2.0]])

# f(x, m): one idiom, where m holds the library's namespaces.
IDIOMS = {
    "sum(dim, keepdim)": lambda x, m: x.sum(dim=1, keepdim=True),
    "sum(dim=tuple)": lambda x, m: x.sum(dim=(0, 1)),
    "mean(1, keepdim)": lambda x, m: x.mean(1, keepdim=True),
    "max(dim).values": lambda x, m: x.max(dim=1).values,
    "max(dim, keepdim)[0]": lambda x, m: x.max(dim=0, keepdim=True)[0],
    "min(dim).values": lambda x, m: x.min(dim=-1).values,
    "logsumexp(dim)": lambda x, m: x.logsumexp(dim=1),
    "softmax(dim)": lambda x, m: x.softmax(dim=0),
    "log_softmax(dim)": lambda x, m: x.log_softmax(dim=1),
    "F.softmax(dim)": lambda x, m: m.F.softmax(x, dim=1),
    "F.log_softmax(dim)": lambda x, m: m.F.log_softmax(x, dim=0),
    "nn.Softmax(dim)": lambda x, m: m.nn.Softmax(dim=1)(x),
    "squeeze(dim)": lambda x, m: x.view(2, 1, 3).squeeze(dim=1),
    "unsqueeze": lambda x, m: x.unsqueeze(1),
    "unsqueeze(dim=-1)": lambda x, m: x.unsqueeze(dim=-1),
    "view": lambda x, m: x.view(3, 2) * x.view(-1)[:2],
    "permute": lambda x, m: x.view(1, 2, 3).permute(2, 0, 1),
    "t": lambda x, m: x.t() @ x,
    "clamp(min, max)": lambda x, m: x.clamp(min=-0.5, max=1.0),
    "clamp(min)": lambda x, m: x.clamp(min=0),
    "clip(max)": lambda x, m: x.clip(max=0.3),
    "clip(lo, hi)": lambda x, m: x.clip(-0.5, 0.5),
    "clone": lambda x, m: x.clone() * x,
    "float": lambda x, m: x.float() * 2,
    "double": lambda x, m: x.float().double(),
    "to(dtype)": lambda x, m: x.to(m.float32).exp(),
    "cat(dim)": lambda x, m: m.lib.cat([x, x.exp()], dim=1),
    "stack(dim)": lambda x, m: m.lib.stack([x, x * 3], dim=1),
    "argmax(dim)": lambda x, m: x.argmax(dim=1),
    "argmax()": lambda x, m: x.argmax(),
    "argmax(dim, keepdim)": lambda x, m: x.argmax(dim=0, keepdim=True),
    "argmin(1)": lambda x, m: x.argmin(1),
    "max(dim).indices": lambda x, m: x.max(dim=1).indices,
    "min(dim, keepdim).indices": lambda x, m: x.min(dim=0, keepdim=True).indices,
}


def run(idiom, data, m):
    """The idiom's output and the input's gradient under a fixed upstream gradient."""
    x = m.lib.tensor(data, requires_grad=True)
    out = IDIOMS[idiom](x, m)
    if out.requires_grad:
        upstream = np.linspace(-1.0, 2.0, out.numel()).reshape(tuple(out.shape))
        (out * m.lib.tensor(upstream, dtype=out.dtype)).sum().backward()
    return out, x


@pytest.mark.parametrize("data", [X, TIES], ids=["distinct", "ties"])
@pytest.mark.parametrize("idiom", IDIOMS)
def test_an_idiom_gives_pytorchs_values_and_gradients(idiom, data):
    (out, x), (tout, tx) = run(idiom, data, OURS), run(idiom, data, THEIRS)
    assert out.shape == tuple(tout.shape)
    assert out.dtype == tout.detach().numpy().dtype
    assert out.requires_grad == tout.requires_grad
    tolerance = 1e-6 if out.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=tolerance, atol=tolerance)
    assert (x.grad is None) == (tx.grad is None)
    if x.grad is not None:
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=tolerance, atol=tolerance)


def test_numel_dim_and_unpacking_as_pytorch():
    x, tx = Tensor(X), torch.tensor(X)
    assert (x.numel(), x.dim()) == (tx.numel(), tx.dim())
    values, indices = x.max(dim=1)
    tvalues, tindices = tx.max(dim=1)
    np.testing.assert_array_equal(values.data, tvalues.numpy())
    np.testing.assert_array_equal(indices.data, tindices.numpy())


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad_leaves_what_pytorchs_leaves(set_to_none):
    grads = []
    for m in (OURS, THEIRS):
        layer = m.nn.Linear(3, 2)
        layer.weight.requires_grad_(False)
        layer(m.lib.ones(4, 3)).sum().backward()
        m.optim.SGD(layer.parameters(), lr=0.1).zero_grad(set_to_none=set_to_none)
        grads.append((layer.weight.grad, layer.bias.grad))
    (weight, bias), (tweight, tbias) = grads
    assert weight is None and tweight is None
    assert (bias is None) == (tbias is None) == set_to_none
    if not set_to_none:
        np.testing.assert_array_equal(bias.data, tbias.numpy())
