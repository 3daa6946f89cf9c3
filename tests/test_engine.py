"""The reverse-mode core through Tensor: PyTorch's gradient semantics, grad modes, in-place
checks, ag.grad, custom Functions, anomaly detection and freeing graphs without gc."""

import contextlib
import gc
import re
import threading
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
import nn
import nn.functional as F
from autograd import Scalar, Tensor


def leaf(*values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


# -- leaves, non-leaves, seeds -------------------------------------------------------------


def test_leaves_accumulate_across_backward_calls():
    x = leaf(1.0, 2.0)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2 + 3, 4 + 3])
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3, 3])


def test_non_leaves_keep_no_grad_unless_retained():
    x = leaf(1.0, 2.0)
    h, kept = x * 3, x * 4
    kept.retain_grad()
    (h * kept).sum().backward()
    assert not h.is_leaf and h.grad is None
    np.testing.assert_array_equal(kept.grad.data, h.data)
    np.testing.assert_array_equal(x.grad.data, 24 * x.data)


def test_retain_grad_on_a_leaf_changes_nothing():
    x = leaf(1.0)
    x.retain_grad()
    (x * 2).sum().backward()
    assert x.grad.data.tolist() == [2.0]


def test_backward_on_a_many_element_output_needs_a_grad():
    y = leaf(1.0, 2.0) * 2
    with pytest.raises(RuntimeError, match=r"one-element outputs.*\(2,\)"):
        y.backward()


def test_backward_with_an_explicit_grad_computes_a_vector_jacobian_product():
    x = leaf(1.0, 2.0)
    (x * x).backward(Tensor([1.0, 10.0]))
    np.testing.assert_array_equal(x.grad.data, [2.0, 40.0])
    with pytest.raises(RuntimeError, match=r"\(3,\).*\(2,\)"):
        (x * x).backward(np.ones(3))


def test_backward_on_a_one_element_non_scalar_output():
    x = leaf(1.0, 2.0)
    (x * x).sum(keepdims=True).backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])


def test_backward_of_a_tensor_without_grad_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0, 2.0]).sum().backward()


def test_a_second_backward_without_retain_graph_is_refused():
    x = leaf(1.0, 2.0)
    y = (x * x).exp().sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf(1.0, 2.0)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [4.0, 8.0])


def test_a_value_used_twice_and_diamonds():
    x = leaf(3.0)
    (x * x).sum().backward()
    assert x.grad.data.tolist() == [6.0]
    x.grad = None
    b = x + x
    (b + b).sum().backward()
    assert x.grad.data.tolist() == [4.0]
    x.grad = None
    left, right = x.exp(), x.sin()
    (left * right).sum().backward()  # d/dx e^x sin x = e^x (sin x + cos x)
    np.testing.assert_allclose(x.grad.data, np.exp(3.0) * (np.sin(3.0) + np.cos(3.0)))


@settings(deadline=None)
@given(st.data())
def test_toposort_lists_each_value_once_after_its_inputs(data):
    """Random graphs of Scalars with shared values and constants, sorted from several roots."""
    values = [Scalar(1.0, requires_grad=data.draw(st.booleans())) for _ in range(3)]
    for _ in range(data.draw(st.integers(0, 25))):
        a, b = (data.draw(st.sampled_from(values)) for _ in range(2))
        values.append(data.draw(st.sampled_from([a + b, a * b, a.tanh(), 2.0 - a])))
    roots = data.draw(st.lists(st.sampled_from(values), min_size=1, max_size=3))
    order = ag.engine.toposort(roots)
    reachable, todo = set(), list(roots)
    while todo:  # what the roots reach through inputs that require grad, plus the roots
        v = todo.pop()
        if v not in reachable:
            reachable.add(v)
            todo += [x for x in v._inputs if x._requires_grad]
    assert len(order) == len(set(order)) == len(reachable) and set(order) == reachable
    place = {v: i for i, v in enumerate(order)}
    for v in order:
        assert all(place[x] < place[v] for x in v._inputs if x._requires_grad)


def test_deep_tensor_chain_needs_no_recursion():
    x0 = leaf(1.0)
    x = x0
    for _ in range(20_000):
        x = x * 1.0001
    x.sum().backward()
    np.testing.assert_allclose(x0.grad.data, [1.0001**20_000], rtol=1e-9)


def test_gradient_buffers_are_never_shared_between_leaves():
    a, b = leaf(1.0, 2.0), leaf(3.0, 4.0)
    (a + b).sum().backward()
    a.grad.data += 100
    assert b.grad.data.tolist() == [1.0, 1.0]


# -- hooks ----------------------------------------------------------------------------------


def test_hook_sees_the_gradient_and_may_replace_it():
    x = leaf(1.0, 2.0)
    y = x * 3
    seen = []
    y.register_hook(lambda g: seen.append(g.data.copy()))
    y.register_hook(lambda g: g * 10)
    (y * y).sum().backward()
    np.testing.assert_array_equal(seen[0], 2 * y.data)
    np.testing.assert_array_equal(x.grad.data, 3 * 10 * 2 * y.data)


def test_hook_on_a_leaf_changes_what_accumulates():
    x = leaf(1.0, 2.0)
    handle = x.register_hook(lambda g: g + 1)
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])
    handle.remove()
    x.grad = None
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


def test_hooks_receive_tensors_in_every_mode():
    x = leaf(1.0)
    kinds = []
    x.register_hook(lambda g: kinds.append(type(g)))
    (x * 2).sum().backward()
    ag.grad((x * 2).sum(), x)
    ag.grad((x * 2).sum(), x, create_graph=True)
    assert kinds == [Tensor, Tensor, Tensor]


def test_hook_on_a_value_without_grad_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).register_hook(lambda g: g)


# -- grad mode ------------------------------------------------------------------------------


def test_no_grad_context_records_nothing_and_restores_the_mode():
    x = leaf(1.0)
    with ag.no_grad():
        assert not ag.is_grad_enabled()
        y = x * 2
    assert ag.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf


def test_no_grad_and_enable_grad_as_decorators():
    x = leaf(1.0)

    @ag.no_grad()
    def without(t):
        return t * 2

    @ag.enable_grad()
    def with_grad(t):
        return t * 2

    assert not without(x).requires_grad
    with ag.no_grad():
        assert with_grad(x).requires_grad
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = leaf(1.0)
    with ag.no_grad():
        with ag.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and not z.requires_grad


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with ag.no_grad():
            1 / 0  # noqa: B018
    assert ag.is_grad_enabled()


def test_set_grad_enabled():
    with ag.set_grad_enabled(False):
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()


def test_set_grad_enabled_as_a_plain_call_switches_the_mode():
    x = leaf(1.0)
    try:
        ag.set_grad_enabled(False)
        assert not ag.is_grad_enabled() and not (x * 2).requires_grad
        ag.set_grad_enabled(True)
        assert ag.is_grad_enabled() and (x * 2).requires_grad
    finally:
        ag.set_grad_enabled(True)


def test_set_grad_enabled_restores_the_mode_it_found():
    with ag.no_grad():
        with ag.set_grad_enabled(True):
            assert ag.is_grad_enabled()
        assert not ag.is_grad_enabled()

    @ag.set_grad_enabled(False)
    def doubled(t):
        return t * 2

    assert ag.is_grad_enabled()  # decorating switches nothing; calling does, for the call
    assert not doubled(leaf(1.0)).requires_grad and ag.is_grad_enabled()


@contextlib.contextmanager
def in_other_thread(work):
    """Run work(proceed) in a thread; it calls proceed() where it pauses while this thread
    runs the body of the with block. Exceptions of the thread are raised here."""
    paused, resume, errors = threading.Event(), threading.Event(), []

    def proceed():
        paused.set()
        assert resume.wait(10)

    def run():
        try:
            work(proceed)
        except BaseException as error:  # noqa: BLE001 - handed to the main thread
            errors.append(error)
        finally:
            paused.set()

    thread = threading.Thread(target=run)
    thread.start()
    assert paused.wait(10)
    try:
        yield
    finally:
        resume.set()
        thread.join(10)
    if errors:
        raise errors[0]


def test_grad_mode_and_anomaly_mode_are_per_thread():
    x = leaf(1.0)

    def work(proceed):
        with ag.no_grad(), ag.detect_anomaly():
            proceed()
            assert not (x * 2).requires_grad and not ag.is_grad_enabled()

    with in_other_thread(work):
        assert ag.is_grad_enabled() and (x * 2).requires_grad
        (x * np.inf).exp()  # no anomaly mode here: no error


def test_a_backward_in_another_thread_leaves_this_threads_grad_mode_alone():
    x = leaf(1.0)

    def work(proceed):
        y = x * 3
        y.register_hook(lambda g: proceed())  # pauses inside the other thread's sweep
        y.sum().backward()

    with in_other_thread(work):
        assert ag.is_grad_enabled() and (x * 2).requires_grad
    np.testing.assert_array_equal(x.grad.data, [3.0])


def test_detach_shares_data_and_cuts_the_graph():
    x = leaf(1.0, 2.0)
    y = x * 2
    d = y.detach()
    assert d.is_leaf and not d.requires_grad
    assert np.shares_memory(d.data, y.data)
    (x * d).sum().backward()
    np.testing.assert_array_equal(x.grad.data, d.data)


def test_requires_grad_can_be_turned_off_only_on_leaves():
    x = leaf(1.0)
    assert not x.requires_grad_(False).requires_grad
    y = leaf(1.0) * 2
    with pytest.raises(RuntimeError, match="detach"):
        y.requires_grad_(False)


# -- in place ------------------------------------------------------------------------------

IN_PLACE = [
    ("add_", lambda t: t.add_(1.0)),
    ("sub_", lambda t: t.sub_(Tensor([1.0, 1.0]))),
    ("mul_", lambda t: t.mul_(2.0)),
    ("div_", lambda t: t.div_(4.0)),
    ("zero_", lambda t: t.zero_()),
    ("fill_", lambda t: t.fill_(3.0)),
    ("__setitem__", lambda t: t.__setitem__(0, 5.0)),
    ("+=", lambda t: t.__iadd__(1.0)),
    ("-=", lambda t: t.__isub__(Tensor([1.0, 1.0]))),
    ("*=", lambda t: t.__imul__(2.0)),
    ("/=", lambda t: t.__itruediv__(np.array([2.0, 4.0]))),
]


@pytest.mark.parametrize("name, change", IN_PLACE)
def test_in_place_ops_change_data_and_bump_the_version(name, change):
    t = Tensor([1.0, 2.0])
    before = t.data.copy()
    version = t._version[0]
    change(t)
    assert t._version[0] == version + 1
    assert not np.array_equal(t.data, before)


def test_in_place_results():
    t = Tensor([1.0, 2.0])
    assert t.add_(1.0).mul_(2.0).sub_(np.array([1.0, 0.0])).data.tolist() == [3.0, 6.0]
    assert t.fill_(7.0).data.tolist() == [7.0, 7.0]
    assert t.zero_().data.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("name, change", IN_PLACE)
def test_a_value_changed_after_being_saved_fails_backward(name, change):
    w = leaf(1.0, 2.0)
    a = Tensor(np.array([3.0, 4.0]))  # float64 as w: a float32 one would be cast to a copy
    y = (w * a).exp()  # mul saves a
    change(a)
    with pytest.raises(RuntimeError, match="'mul'.*modified by an in-place operation"):
        y.sum().backward()


def test_changing_the_base_of_a_saved_view_fails_backward():
    w = leaf(1.0, 2.0)
    base = Tensor(np.array([1.0, 2.0, 3.0]))
    y = w * base[1:]
    base.add_(1.0)
    with pytest.raises(RuntimeError, match="'mul'.*in-place"):
        y.sum().backward()


def test_in_place_on_a_leaf_that_requires_grad_is_refused_under_grad_mode():
    w = leaf(1.0, 2.0)
    for name, change in IN_PLACE:
        with pytest.raises(RuntimeError, match=f"leaf.*in-place.*{re.escape(name)}"):
            change(w)
    with ag.no_grad():
        w.add_(1.0)
    assert w.data.tolist() == [2.0, 3.0] and w.requires_grad


def test_in_place_on_a_recorded_non_leaf_is_refused():
    y = leaf(1.0) * 2
    with pytest.raises(RuntimeError, match="mul_.*in-place"):
        y.mul_(2.0)


def test_in_place_with_an_operand_that_requires_grad_is_refused():
    with pytest.raises(RuntimeError, match="operand requires grad"):
        Tensor([1.0]).add_(leaf(1.0))


def test_in_place_with_an_unsupported_operand_is_a_type_error():
    with pytest.raises(TypeError, match="add_"):
        Tensor([1.0]).add_("x")


def test_augmented_assignment_changes_the_tensor_itself():
    t = Tensor([1.0, 2.0])
    same, version = t, t._version[0]
    t += 1.0
    t -= Tensor([0.5, 1.0])
    t *= np.array([2.0, 4.0])
    t /= 3.0
    assert t is same and t._version[0] == version + 4
    np.testing.assert_allclose(t.data, [1.0, 8.0 / 3.0])


def test_manual_sgd_with_augmented_assignment_updates_the_model():
    ag.manual_seed(0)
    model = nn.MLP([2, 3, 1])
    model(ag.randn(4, 2)).sum().backward()
    expected = [p.data - 0.1 * p.grad.data for p in model.parameters()]
    with ag.no_grad():
        for p in model.parameters():
            p -= 0.1 * p.grad
    for p, e in zip(model.parameters(), expected):
        np.testing.assert_array_equal(p.data, e)
        assert p.is_leaf and p.requires_grad


def test_a_named_leaf_updated_with_minus_equals_stays_a_leaf_that_gets_grads():
    w = leaf(1.0, -2.0)
    for step in range(3):
        (w * w).sum().backward()  # d/dw = 2w
        with ag.no_grad():
            w -= 0.25 * w.grad
        w.grad = None
        assert w.is_leaf and w.requires_grad
        np.testing.assert_array_equal(w.data, np.array([1.0, -2.0]) * 0.5 ** (step + 1))


def test_augmented_assignment_on_a_tensor_that_requires_grad_is_refused_in_grad_mode():
    w = leaf(1.0, 2.0)
    with pytest.raises(RuntimeError, match=r"leaf.*in-place.*\-=.*no_grad"):
        w -= 1.0
    with pytest.raises(RuntimeError, match=r"\*=.*in-place"):
        y = w * 2
        y *= 2.0
    assert w.data.tolist() == [1.0, 2.0]


def test_an_integer_tensor_refuses_a_floating_result_in_place():
    t = ag.arange(3)
    for change in (lambda t: t.__itruediv__(2), lambda t: t.__imul__(2.5), lambda t: t.add_(0.5)):
        with pytest.raises(RuntimeError, match="in place in a tensor of dtype int64"):
            change(t)
    t += 2
    assert t.dtype == np.int64 and t.data.tolist() == [2, 3, 4]


def test_scalar_augmented_assignment_rebinds_as_floats_do():
    s = Scalar(1.0)
    before = s
    s += 1.0
    assert s is not before and before.data == 1.0 and s.data == 2.0


def test_changing_a_value_no_gradient_reads_is_allowed():
    w = leaf(1.0, 2.0)
    x = Tensor([3.0, 4.0])
    y = ((w + x) * 3).sum()  # add's gradient reads neither input; mul reads w + x and 3
    x.add_(1.0)
    y.backward()
    np.testing.assert_array_equal(w.grad.data, [3.0, 3.0])


def test_changing_an_output_its_gradient_reads_fails_backward():
    w = leaf(1.0, 2.0)
    y = w.exp()  # exp's gradient is its output
    with ag.no_grad():
        y.mul_(2.0)
    with pytest.raises(RuntimeError, match="'exp'.*modified by an in-place operation"):
        y.sum().backward()


@pytest.mark.parametrize(
    "pick",
    [lambda b: b[np.array([0, 1])], lambda b: b[[0, 1]], lambda b: b[np.array([True, True, False])],
     lambda b: b[np.array(1)], lambda b: b[True][0, :2]],
    ids=["int array", "list", "mask", "0-d array", "bool"],
)  # fmt: skip
def test_advanced_indexing_copies_and_does_not_share_the_version(pick):
    w = leaf(1.0, 2.0)
    base = Tensor([1.0, 2.0, 3.0])
    picked = pick(base)
    y = (w * picked).sum()  # mul saves the copy
    base.add_(10.0)
    y.backward()
    np.testing.assert_array_equal(w.grad.data, np.broadcast_to(picked.data, (2,)))


@pytest.mark.parametrize(
    "view",
    [lambda b: b[2:], lambda b: b[None, ..., 2:][0], lambda b: b.reshape(2, 2)[1],
     lambda b: b.reshape(2, 2).T[1], lambda b: b[np.int64(1)]],
    ids=["slice", "none-ellipsis", "reshape", "transpose", "int"],
)  # fmt: skip
def test_views_share_the_version_of_their_base(view):
    w = leaf(1.0, 2.0)
    base = Tensor(np.arange(4.0))
    y = (w * view(base)).sum()
    base.add_(1.0)
    with pytest.raises(RuntimeError, match="'mul'.*in-place"):
        y.backward()


def test_optimizer_style_update_under_no_grad():
    w = leaf(1.0, 2.0)
    (w * w).sum().backward()
    with ag.no_grad():
        w.sub_(w.grad * 0.5)
    assert w.data.tolist() == [0.0, 0.0]


# -- ag.grad -------------------------------------------------------------------------------


def test_grad_returns_a_tuple_of_tensors_and_leaves_grad_untouched():
    x, y = leaf(1.0, 2.0), leaf(3.0, 4.0)
    grads = ag.grad((x * y).sum(), [x, y])
    assert isinstance(grads, tuple) and all(type(g) is Tensor for g in grads)
    np.testing.assert_array_equal(grads[0].data, y.data)
    np.testing.assert_array_equal(grads[1].data, x.data)
    assert x.grad is None and y.grad is None


def test_grad_with_a_single_input_and_grad_outputs():
    x = leaf(1.0, 2.0)
    (g,) = ag.grad(x * x, x, grad_outputs=Tensor([1.0, 3.0]))
    np.testing.assert_array_equal(g.data, [2.0, 12.0])
    with pytest.raises(ValueError, match="2 grad_outputs given for 1 outputs"):
        ag.grad(x * x, x, grad_outputs=[Tensor([1.0, 1.0])] * 2)


def test_grad_of_several_outputs_sums_their_contributions():
    x = leaf(1.0, 2.0)
    (g,) = ag.grad([(x * x).sum(), (3 * x).sum()], [x])
    np.testing.assert_array_equal(g.data, [5.0, 7.0])


def test_grad_with_respect_to_an_intermediate_value():
    x = leaf(1.0, 2.0)
    h = x * 3
    (g,) = ag.grad((h * h).sum(), h)
    np.testing.assert_array_equal(g.data, 2 * h.data)


def test_grad_of_an_unused_input_needs_allow_unused():
    x, unused = leaf(1.0), leaf(2.0)
    y = (x * x).sum()
    with pytest.raises(RuntimeError, match="input 1 is not used.*allow_unused=True"):
        ag.grad(y, [x, unused], retain_graph=True)
    gx, gu = ag.grad(y, [x, unused], allow_unused=True)
    assert gx.data.tolist() == [2.0] and gu is None


def test_grad_of_an_input_without_grad_is_an_error():
    x = leaf(1.0)
    with pytest.raises(RuntimeError, match="input 1 does not require grad"):
        ag.grad((x * 2).sum(), [x, Tensor([1.0])])


def test_grad_results_are_independent_buffers():
    x = leaf(1.0, 2.0)
    g1, g2 = ag.grad((x * 1).sum(), [x, x])
    g1.data += 10
    assert g2.data.tolist() == [1.0, 1.0]


def test_create_graph_gives_differentiable_gradients():
    x = leaf(0.5, 1.5)
    (g,) = ag.grad((x**3).sum(), x, create_graph=True)
    assert g.requires_grad and not g.is_leaf
    (h,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(h.data, 6 * x.data)


def test_backward_with_create_graph_fills_grad_with_a_graph():
    x = leaf(2.0)
    (x**3).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad.data, [12.0])


def test_without_create_graph_gradients_are_constants():
    x = leaf(2.0)
    (g,) = ag.grad((x**3).sum(), x)
    assert not g.requires_grad and g.is_leaf


def test_grad_on_scalars_returns_scalars():
    a, b = Scalar(2.0), Scalar(5.0)
    ga, gb = ag.grad(a * b, [a, b])
    assert type(ga) is Scalar and type(gb) is Scalar and (ga.data, gb.data) == (5.0, 2.0)


# -- custom Functions ----------------------------------------------------------------------


class Cube(ag.Function):
    """x^3 with its derivative written by hand, in Tensor ops."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.data**3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x


class WeightedSum(ag.Function):
    """(x * w).sum() with two inputs; w may be a constant."""

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return (x.data * w.data).sum()

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        return g * w, g * x


class WrongCube(Cube):
    """A deliberate mistake: the derivative of x^3 taken as 2 x^2."""

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 2 * x * x


def test_function_forward_and_backward():
    x = leaf(1.0, 2.0)
    y = Cube.apply(x)
    assert type(y) is Tensor and y.requires_grad and not y.is_leaf
    np.testing.assert_array_equal(y.data, [1.0, 8.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 12.0])


def test_function_passes_gradcheck_and_gradgradcheck():
    x, w = leaf(0.5, -1.5, 2.0), leaf(1.0, 0.3, -0.7)
    assert ag.gradcheck(Cube.apply, [x])
    assert ag.gradgradcheck(Cube.apply, [x])
    assert ag.gradcheck(WeightedSum.apply, [x, w])
    assert ag.gradgradcheck(WeightedSum.apply, [x, w])


def test_function_with_a_constant_input():
    x = leaf(1.0, 2.0)
    y = WeightedSum.apply(x, np.array([3.0, 4.0]))
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 4.0])


def test_function_under_no_grad_records_nothing():
    with ag.no_grad():
        y = Cube.apply(leaf(2.0))
    assert not y.requires_grad


def test_a_wrong_backward_is_caught_by_gradcheck():
    x = leaf(1.0, 2.0)
    message = r"input 0 is wrong at element \(0,\).*analytical 2\.0, numerical (2\.9999|3\.0000)"
    with pytest.raises(ag.GradcheckError, match=message) as caught:
        ag.gradcheck(WrongCube.apply, [x])
    assert isinstance(caught.value, AssertionError)
    assert ag.gradcheck(WrongCube.apply, [x], raise_exception=False) is False


def test_function_backward_returning_the_wrong_shape_is_an_error():
    class Bad(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x.data * 2

        @staticmethod
        def backward(ctx, g):
            return g.sum()

    with pytest.raises(RuntimeError, match=r"Bad.backward: gradient 0 has shape \(\).*\(2,\)"):
        Bad.apply(leaf(1.0, 2.0)).sum().backward()


def test_function_backward_returning_too_few_gradients_is_an_error():
    class Bad(ag.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x.data + y.data

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match="returned 1 gradients for 2 arguments"):
        Bad.apply(leaf(1.0), leaf(2.0)).sum().backward()


def test_function_forward_returning_several_values_is_an_error():
    class Two(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x.data, x.data

    with pytest.raises(TypeError, match="one Tensor"):
        Two.apply(leaf(1.0))


class ScaledSum(ag.Function):
    """scale * x.sum(axis): ints, floats, strings, tuples and None reach forward as given."""

    @staticmethod
    def forward(ctx, x, axis, scale, label, shape, nothing):
        assert (type(axis), type(scale), label, shape, nothing) == (int, float, "s", (1,), None)
        ctx.shape, ctx.axis, ctx.scale = x.shape, axis, scale
        return x.sum(axis=axis) * scale

    @staticmethod
    def backward(ctx, g):
        grad = (g * ctx.scale).expand_dims(ctx.axis).broadcast_to(ctx.shape)
        return grad, None, None, None, None, None


def test_function_arguments_that_are_not_tensors_reach_forward_unchanged():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = ScaledSum.apply(x, 1, 2.0, "s", (1,), None)
    np.testing.assert_array_equal(y.data, [6.0, 24.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.full((2, 3), 2.0))
    apply = lambda x: ScaledSum.apply(x, 0, 3.0, "s", (1,), None)  # noqa: E731
    assert ag.gradcheck(apply, [x]) and ag.gradgradcheck(apply, [x])


def test_function_needs_input_grad_is_false_for_arguments_that_are_not_tensors():
    seen = []

    class Record(ScaledSum):
        @staticmethod
        def forward(ctx, x, *rest):
            seen.append(ctx.needs_input_grad)
            return ScaledSum.forward(ctx, x, *rest)

    Record.apply(leaf(1.0, 2.0), 0, 1.0, "s", (1,), None)
    assert seen == [(True, False, False, False, False, False)]


def test_function_gradient_for_an_argument_that_is_not_a_tensor_is_an_error():
    class Bad(ag.Function):
        @staticmethod
        def forward(ctx, x, scale):
            return x.data * scale

        @staticmethod
        def backward(ctx, g):
            return g * 2.0, g.sum()

    with pytest.raises(RuntimeError, match="gradient for argument 1, which is a float.*None"):
        Bad.apply(leaf(1.0, 2.0), 2.0).sum().backward()


# -- detect_anomaly ------------------------------------------------------------------------


def test_anomaly_in_forward_names_the_op_and_the_line():
    x = leaf(-1.0, 2.0)
    with ag.detect_anomaly():
        with pytest.raises(RuntimeError, match=r"'log'.*test_engine\.py:\d+") as caught:
            with np.errstate(invalid="ignore"):
                x.log()  # the reported line
    line = int(re.search(r"test_engine\.py:(\d+)", str(caught.value)).group(1))
    assert "x.log()  # the reported line" in open(__file__).read().splitlines()[line - 1]


def test_anomaly_in_backward_names_the_op_and_where_it_was_made():
    x = leaf(0.0, 1.0)
    with ag.detect_anomaly():
        y = x.sqrt()  # finite forward, infinite slope at 0
        with pytest.raises(RuntimeError, match=r"gradient computed by 'sqrt'.*test_engine\.py"):
            with np.errstate(divide="ignore"):
                y.sum().backward()


def test_anomaly_as_a_decorator_and_off_by_default():
    x = leaf(-1.0)

    @ag.detect_anomaly()
    def checked():
        return x.log()

    with np.errstate(invalid="ignore"):
        with pytest.raises(RuntimeError, match="'log'"):
            checked()
        assert np.isnan(x.log().data).all()  # outside, NaN passes silently


def test_anomaly_on_scalars():
    a = Scalar(-1.0)
    with ag.detect_anomaly():
        with pytest.raises(RuntimeError, match="'sqrt'"):
            a.sqrt()


def test_anomaly_stops_at_the_first_bad_op():
    x = leaf(1.0)
    with ag.detect_anomaly():
        with np.errstate(divide="ignore", invalid="ignore"):
            with pytest.raises(RuntimeError, match="'div'"):
                ((x - x) / (x - x)).log()


# -- freeing graphs without the cycle collector --------------------------------------------


@pytest.fixture
def no_gc():
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def test_dropping_an_output_frees_its_graph(no_gc):
    x = leaf(1.0, 2.0)
    y = (x * 3).exp()
    z = y.sum()
    refs = [weakref.ref(v) for v in (y, z)]
    del y, z
    assert all(r() is None for r in refs)


def test_graph_is_freed_after_backward(no_gc):
    x = leaf(1.0, 2.0)
    y = (x * 3).tanh()
    y.register_hook(lambda g: g)
    z = y.sum()
    refs = [weakref.ref(v) for v in (y, z)]
    del y
    z.backward()
    del z
    assert all(r() is None for r in refs)
    assert x.grad is not None


def test_graph_of_higher_order_gradients_is_freed(no_gc):
    x = leaf(1.0, 2.0)
    y = (x * x).sin().sum()
    (g,) = ag.grad(y, x, create_graph=True)
    (h,) = ag.grad(g.sum(), x)
    refs = [weakref.ref(v) for v in (y, g)]
    del y, g
    assert all(r() is None for r in refs)
    assert h.shape == (2,)


def test_a_live_output_keeps_none_of_its_graph_after_backward(no_gc):
    ag.manual_seed(0)
    x, target = ag.randn(8, 4), np.arange(8) % 3
    w1, w2 = ag.randn(5, 4, requires_grad=True), ag.randn(3, 5, requires_grad=True)
    losses, refs = [], []
    for _ in range(3):
        h = (x @ w1.T).relu()
        loss = F.cross_entropy(h @ w2.T, target)  # one op, keeping its softmax
        refs += [weakref.ref(h), weakref.ref(h.data), weakref.ref(loss._params[-1])]  # kept softmax
        del h
        loss.backward()
        losses.append(loss)
    assert all(r() is None for r in refs)
    loss = losses[-1]
    assert loss.requires_grad and not loss.is_leaf
    with pytest.raises(
        RuntimeError, match="second time.*'softmax_cross_entropy'.*retain_graph=True"
    ):
        loss.backward()


def test_retain_graph_keeps_the_graph_of_a_live_output(no_gc):
    x = leaf(1.0, 2.0)
    h = x * 3
    ref = weakref.ref(h)
    y = h.exp().sum()
    del h
    y.backward(retain_graph=True)
    assert ref() is not None
    y.backward()
    assert ref() is None
    np.testing.assert_allclose(x.grad.data, 2 * 3 * np.exp([3.0, 6.0]))


def test_a_scalar_output_keeps_its_graph_after_backward():
    a = Scalar(2.0)
    b = a * a
    c = b + a
    c.backward()
    assert c._inputs == (b, a) and b._inputs == (a, a)
    c.backward()  # micrograd: accumulates again
    assert a.grad == 2 * (2 * 2.0 + 1)


def test_scalar_graphs_are_freed(no_gc):
    a = Scalar(2.0)
    b = (a * a).tanh()
    c = b + a
    refs = [weakref.ref(v) for v in (b, c)]
    c.backward()
    del b, c
    assert all(r() is None for r in refs)


def test_function_graphs_are_freed(no_gc):
    x = leaf(1.0, 2.0)
    y = Cube.apply(x)
    ref = weakref.ref(y)
    y.sum().backward()
    del y
    assert ref() is None
