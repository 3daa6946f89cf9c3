"""A few hand-written scenarios against PyTorch, when it is installed (skipped otherwise)."""

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor

torch = pytest.importorskip("torch")

rng = np.random.default_rng(3)


def pair(array):
    """The same float64 data as a leaf of ours and a leaf of torch's."""
    return Tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)


def assert_close(ours, theirs, rtol=1e-10, atol=1e-12):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    ours = ours.data if isinstance(ours, Tensor) else ours
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


def test_mlp_with_logsumexp_loss():
    (x, tx), (w, tw), (b, tb) = (pair(rng.standard_normal(s)) for s in [(5, 3), (4, 3), (4,)])
    loss = ((x @ w.T + b).tanh().logsumexp(axis=1) - x.mean()).mean()
    tloss = ((tx @ tw.T + tb).tanh().logsumexp(dim=1) - tx.mean()).mean()
    loss.backward()
    tloss.backward()
    assert_close(loss, tloss)
    for ours, theirs in [(x, tx), (w, tw), (b, tb)]:
        assert_close(ours.grad, theirs.grad)


def test_broadcasting_and_reductions():
    (a, ta), (c, tc) = pair(rng.standard_normal((3, 1, 4))), pair(rng.standard_normal((2, 1)))
    out = (a * c + a / (c * c + 1)).var(axis=(0, 2)).sum() + (a - c).std(ddof=1)
    tout = (ta * tc + ta / (tc * tc + 1)).var(dim=(0, 2), correction=0).sum() + (ta - tc).std()
    out.backward()
    tout.backward()
    assert_close(out, tout)
    assert_close(a.grad, ta.grad)
    assert_close(c.grad, tc.grad)


def test_ties_in_max_and_maximum():
    data = np.array([[3.0, 1.0, 3.0], [2.0, 2.0, 2.0]])
    (x, tx), (y, ty) = pair(data), pair(np.full((2, 3), 2.0))
    (x.max(axis=1).sum() + x.min() + ag.maximum(x, y).sum() + ag.minimum(x, y).sum()).backward()
    (
        tx.amax(dim=1).sum() + tx.amin() + torch.maximum(tx, ty).sum() + torch.minimum(tx, ty).sum()
    ).backward()
    assert_close(x.grad, tx.grad)
    assert_close(y.grad, ty.grad)


def test_indexing_with_repeats_softmax_and_huge_logits():
    (x, tx) = pair(np.array([[1000.0, -1000.0, 0.0], [0.5, 0.1, -0.3]]))
    index = np.array([0, 1, 1, 0])
    out = x.log_softmax()[index, [2, 0, 0, 1]].sum() + x.softmax(axis=0)[:, 1].sum()
    tindex = torch.tensor(index)
    tout = (
        tx.log_softmax(dim=-1)[tindex, torch.tensor([2, 0, 0, 1])].sum()
        + tx.softmax(dim=0)[:, 1].sum()
    )
    out.backward()
    tout.backward()
    assert_close(out, tout)
    assert_close(x.grad, tx.grad)


def test_second_and_third_derivatives():
    (x, tx) = pair(np.array([0.3, -0.8, 1.2]))
    f = lambda x: (x.sin() * x**3).sum()  # noqa: E731
    (g,) = ag.grad(f(x), x, create_graph=True)
    (h,) = ag.grad(g.sum(), x, create_graph=True)
    (t,) = ag.grad(h.sum(), x)
    (tg,) = torch.autograd.grad(f(tx), tx, create_graph=True)
    (th,) = torch.autograd.grad(tg.sum(), tx, create_graph=True)
    (tt,) = torch.autograd.grad(th.sum(), tx)
    for ours, theirs in [(g, tg), (h, th), (t, tt)]:
        assert_close(ours, theirs)


@pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf")
def test_retain_grad_hooks_and_accumulation():
    (x, tx) = pair(np.array([1.0, 2.0]))
    results = []
    for leaf in (x, tx):
        h = leaf * 3
        kept = leaf.exp()
        kept.retain_grad()
        h.register_hook(lambda g: g * 2)
        (h * kept).sum().backward()
        (leaf * leaf).sum().backward()
        results.append((h.grad, kept.grad, leaf.grad))
    (h, kept, grad), (th, tkept, tgrad) = results
    assert h is None and th is None
    assert_close(kept, tkept)
    assert_close(grad, tgrad)


def test_matmul_with_batches_and_vectors():
    (a, ta), (b, tb), (v, tv) = (pair(rng.standard_normal(s)) for s in [(2, 3, 4), (4, 5), (5,)])
    out = ((a @ b) @ v).sum() + (v @ b.T).sum()
    tout = ((ta @ tb) @ tv).sum() + (tv @ tb.T).sum()
    out.backward()
    tout.backward()
    for ours, theirs in [(a, ta), (b, tb), (v, tv)]:
        assert_close(ours.grad, theirs.grad)


def test_in_place_changes_that_backward_reads_or_not():
    """Changing add's input after the op is fine in both; changing mul's saved input, or a
    tensor taken from it by advanced indexing (a copy), is refused or fine as in PyTorch."""
    for module in (ag, torch):
        w = module.tensor(np.array([1.0, 2.0]), requires_grad=True)
        x = module.tensor(np.array([3.0, 4.0, 5.0]))
        picked = x[np.array([0, 1])]  # a copy in both
        y = ((w + x[:2]) * 3 * picked).sum()
        x[:2] += 1.0  # in place, seen through the view x[:2] that add took (add reads nothing)
        y.backward()
        assert_close(w.grad, [9.0, 12.0])
        y = (w * x[1:]).sum()  # mul saves the view x[1:]
        x[1:] *= 2.0
        with pytest.raises(RuntimeError, match="modified by an in-?place operation"):
            y.backward()


def test_manual_sgd_with_minus_equals():
    (w, tw) = pair(np.array([1.0, -2.0, 0.5]))
    for p in (w, tw):
        for _ in range(3):
            (p * p * p).sum().backward()
            with ag.no_grad() if p is w else torch.no_grad():
                p -= 0.1 * p.grad
            p.grad = None
    assert w.is_leaf and tw.is_leaf
    assert_close(w, tw)
