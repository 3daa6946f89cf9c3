"""autograd.functional: transforms against closed forms, gradcheck and torch; composition."""

import weakref

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd import Scalar, Tensor
from autograd.functional import grad, hessian, hvp, jacobian, jvp, value_and_grad, vjp
from autograd.testing import shapes, tensors

rng = np.random.default_rng(0)
X = rng.standard_normal(3)
W = rng.standard_normal((4, 3))


def close(got, want, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(np.asarray(got.data), want, rtol=rtol, atol=atol)


# -- closed forms -----------------------------------------------------------------------------


def poly(x):
    return 3 * x**4 - 2 * x**2 + x


@pytest.mark.parametrize("x", [-1.5, 0.0, 0.7, 2.0])
def test_derivatives_of_a_polynomial(x):
    close(grad(poly)(x), 12 * x**3 - 4 * x + 1)
    close(grad(grad(poly))(x), 36 * x**2 - 4)
    close(grad(grad(grad(poly)))(x), 72 * x)
    close(hessian(poly)(x), 36 * x**2 - 4)


def test_gradient_and_hessian_of_sum_of_fourth_powers():
    f = lambda x: (x**4).sum()
    close(grad(f)(X), 4 * X**3)
    close(hessian(f)(X), np.diag(12 * X**2))
    close(jacobian(grad(f))(X), np.diag(12 * X**2))


def test_jacobians_of_tanh_of_a_matrix_vector_product():
    f = lambda w, x: (w @ x).tanh()
    slope = 1 - np.tanh(W @ X) ** 2
    d_w, d_x = jacobian(f, argnums=(0, 1))(W, X)
    close(d_x, slope[:, None] * W)
    want_w = np.einsum("i,ij,k->ijk", slope, np.eye(4), X)  # d out_i / d w_jk
    close(d_w, want_w)
    assert d_w.shape == (4, 4, 3) and d_x.shape == (4, 3)


def cross_entropy(z, label=2):
    return -z.log_softmax()[label]


def test_softmax_cross_entropy_gradient_and_hessian():
    z = rng.standard_normal(5)
    p = np.exp(z) / np.exp(z).sum()
    close(grad(cross_entropy)(z), p - np.eye(5)[2])
    close(hessian(cross_entropy)(z), np.diag(p) - np.outer(p, p))


def test_value_and_grad_returns_the_value_and_tuples_for_tuple_argnums():
    f = lambda x, y: (x * y**2).sum()
    value, (g_x, g_y) = value_and_grad(f, argnums=(0, 1))(X, W[0])
    close(value, (X * W[0] ** 2).sum())
    close(g_x, W[0] ** 2)
    close(g_y, 2 * X * W[0])
    close(grad(f, argnums=-1)(X, W[0]), 2 * X * W[0])


def test_has_aux_returns_the_aux_value_as_in_jax():
    f = lambda x: ((x**2).sum(), "aux")
    (value, aux), g = value_and_grad(f, has_aux=True)(X)
    close(value, (X**2).sum())
    assert aux == "aux"
    g, aux = grad(f, has_aux=True)(X)
    close(g, 2 * X)
    assert aux == "aux"


def test_vjp_gives_one_cotangent_per_primal_and_can_be_called_again():
    out, vjp_fn = vjp(lambda w, x: (w @ x).tanh(), W, X)
    slope = 1 - np.tanh(W @ X) ** 2
    close(out, np.tanh(W @ X))
    for v in (np.ones(4), rng.standard_normal(4)):
        d_w, d_x = vjp_fn(v)
        close(d_w, np.outer(v * slope, X))
        close(d_x, (v * slope) @ W)


def test_jvp_is_the_jacobian_times_the_tangent():
    t = rng.standard_normal(3)
    out, tangent_out = jvp(lambda x: (Tensor(W) @ x).tanh(), (X,), (t,))
    close(out, np.tanh(W @ X))
    close(tangent_out, (1 - np.tanh(W @ X) ** 2) * (W @ t))


def test_jvp_and_vjp_follow_a_tuple_output():
    f = lambda x: (x.sin(), x * 2)
    (sin, double), (d_sin, d_double) = jvp(f, (X,), (np.ones(3),))
    close(sin, np.sin(X))
    close(d_sin, np.cos(X))
    close(d_double, 2 * np.ones(3))
    out, vjp_fn = vjp(f, X)
    assert isinstance(out, tuple) and len(out) == 2
    close(vjp_fn((np.ones(3), np.ones(3)))[0], np.cos(X) + 2)


def test_hvp_is_the_hessian_times_v():
    v = rng.standard_normal(3)
    f = lambda x: (x**4).sum() / 4 + x.sum() ** 2 / 2  # H = diag(3 x^2) + ones
    out, product = hvp(f, Tensor(X), Tensor(v))
    close(out, (X**4).sum() / 4 + X.sum() ** 2 / 2)
    close(product, 3 * X**2 * v + v.sum())
    assert isinstance(product, Tensor)
    (product,) = hvp(f, (X,), (v,))[1]  # a tuple in, a tuple out, as in torch
    close(product, 3 * X**2 * v + v.sum())


def test_jacobian_of_a_tuple_output_and_hessian_blocks_for_tuple_argnums():
    (d_sin, d_cos) = jacobian(lambda x: (x.sin(), x.cos()))(X)
    close(d_sin, np.diag(np.cos(X)))
    close(d_cos, np.diag(-np.sin(X)))
    a, b = 1.5, -0.5
    f = lambda x, y: (x**2 * y).sum() * a + (y**3).sum() * b  # blocks of d2f / dx dy
    (h_xx, h_xy), (h_yx, h_yy) = hessian(f, argnums=(0, 1))(X, W[0])
    close(h_xx, np.diag(2 * a * W[0]))
    close(h_xy, np.diag(2 * a * X))
    close(h_yx, np.diag(2 * a * X))
    close(h_yy, np.diag(6 * b * W[0]))


def test_jacobian_by_columns_for_a_wide_output():
    c = np.arange(1.0, 6.0)
    f = lambda x: (x.sin()[:, None] * c).reshape(-1)  # 3 inputs, 15 outputs
    want = (np.cos(X)[:, None, None] * c[None, :, None] * np.eye(3)[:, None, :]).reshape(15, 3)
    close(jacobian(f)(X), want)


def test_unused_arguments_and_constant_outputs_get_zeros():
    g_x, g_y = grad(lambda x, y: (x**2).sum(), argnums=(0, 1))(X, W[0])
    close(g_y, np.zeros(3))
    close(jacobian(lambda x: Tensor(W))(X), np.zeros((4, 3, 3)))
    close(hessian(lambda x: x.sum())(X), np.zeros((3, 3)))
    close(hvp(lambda x: x.sum(), X, X)[1], np.zeros(3))


# -- composition and what is kept ---------------------------------------------------------------


def mlp_loss(w1, x, y, w2):
    """MSE of a 3-input, 4-hidden (tanh), 1-output MLP without biases."""
    return (((x @ w1.T).tanh() @ w2 - y) ** 2).mean()


MLP_DATA = (rng.standard_normal((4, 3)), rng.standard_normal((5, 3)), rng.standard_normal(5))


def test_hessian_of_an_mlp_loss_matches_differences_of_its_gradient():
    w1, x, y = MLP_DATA
    w2 = Tensor(rng.standard_normal(4))
    h = hessian(mlp_loss)(w1, x, y, w2)
    assert h.shape == (4, 3, 4, 3)
    eps, numerical = 1e-6, np.zeros((12, 12))
    for k in range(12):
        step = np.eye(12)[k].reshape(4, 3) * eps
        plus, minus = (grad(mlp_loss)(w1 + s, x, y, w2).data for s in (step, -step))
        numerical[:, k] = ((plus - minus) / (2 * eps)).ravel()
    close(h.reshape(12, 12), numerical, rtol=1e-5, atol=1e-8)
    close(h.reshape(12, 12), h.reshape(12, 12).data.T)  # symmetric


def test_transformed_functions_pass_gradcheck():
    """Their outputs carry a graph when their inputs require grad, and it is right."""
    f = lambda x: (x.tanh() * x.sin()).sum()
    v = Tensor(rng.standard_normal(3))
    x = Tensor(X, requires_grad=True)
    assert ag.gradcheck(grad(f), [x])
    assert ag.gradcheck(lambda x: hessian(f)(x), [x])
    assert ag.gradcheck(lambda x: jacobian(lambda x: (x @ Tensor(W.T)).tanh())(x), [x])
    assert ag.gradcheck(lambda x: hvp(f, x, v)[1], [x])
    assert ag.gradcheck(lambda x: jvp(lambda x: x.tanh() * x.sum(), x, v)[1], [x])
    assert ag.gradcheck(lambda x: vjp(lambda x: x.tanh() * x.sum(), x)[1](v)[0], [x])


def test_products_are_differentiable_in_the_tangent():
    x = Tensor(X)
    f = lambda x: (x**3).sum()
    assert ag.gradcheck(lambda v: hvp(f, x, v)[1], [Tensor(X, requires_grad=True)])
    assert ag.gradcheck(lambda t: jvp(lambda x: x.tanh(), x, t)[1], [Tensor(X, requires_grad=True)])


def test_top_level_results_hold_no_graph():
    refs = []

    def f(x):
        hidden = x.tanh()
        refs.append(weakref.ref(hidden))
        return (hidden**2).sum()

    value, g = value_and_grad(f)(X)
    assert not value.requires_grad and not g.requires_grad
    assert refs[0]() is None  # the graph was freed, by reference counting alone
    assert not hessian(f)(X).requires_grad
    assert not jvp(f, X, X)[1].requires_grad and not hvp(f, X, X)[1].requires_grad


def test_results_stay_differentiable_in_a_closed_over_tensor():
    w = Tensor(W[0], requires_grad=True)
    g = grad(lambda x: (w * x**2).sum())(X)
    assert g.requires_grad
    (g * g).sum().backward()  # d/dw sum((2 w x)^2) = 8 w x^2
    close(w.grad, 8 * W[0] * X**2)


def test_no_grad_gives_detached_results_even_for_inputs_that_require_grad():
    x = Tensor(X, requires_grad=True)
    with ag.no_grad():
        g = grad(lambda x: (x**3).sum())(x)
        h = hessian(lambda x: (x**3).sum())(x)
    assert not g.requires_grad and not h.requires_grad
    close(g, 3 * X**2)
    close(h, np.diag(6 * X))


def test_a_tensor_passed_twice_gets_a_gradient_per_argument():
    w = Tensor(X, requires_grad=True)
    g_x, g_y = grad(lambda x, y: (x * y**2).sum(), argnums=(0, 1))(w, w)
    close(g_x, X**2)
    close(g_y, 2 * X**2)


def test_gradients_do_not_share_buffers():
    g_x, g_y = grad(lambda x, y: ((x + y) * 2).sum(), argnums=(0, 1))(X, X)
    g_x.add_(1.0)
    close(g_y, 2 * np.ones(3))


def test_input_kinds_and_dtypes():
    g = grad(lambda x: x * x)(1.5)
    assert g.dtype == np.float64 and g.shape == ()
    assert grad(lambda x: (x * x).sum())(X.astype(np.float32)).dtype == np.float32
    g = grad(lambda x: (x * x).sum())(Tensor(X, dtype=np.float32))
    assert g.dtype == np.float32 and isinstance(g, Tensor)


def test_scalars_work_with_grad():
    f = lambda s: s * s * s
    g = grad(f)(Scalar(2.0, requires_grad=False))
    assert isinstance(g, Scalar) and g.data == 12.0
    assert grad(grad(f))(Scalar(2.0)).data == 12.0


# -- errors ---------------------------------------------------------------------------------------


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match=r"one-element Tensor, got shape \(3,\)"):
        grad(lambda x: x * 2)(X)
    with pytest.raises(TypeError, match="one-element Tensor, got float"):
        grad(lambda x: 1.0)(X)
    with pytest.raises(TypeError, match="only floating point"):
        grad(lambda x: x.sum())(np.arange(3))
    with pytest.raises(TypeError, match="argument 0 is a int"):
        grad(lambda x: x)(3)
    with pytest.raises(TypeError, match="argument 1 is a str"):
        grad(lambda x, y: x, argnums=1)(1.0, "a")
    with pytest.raises(ValueError, match="out of range for 1 arguments"):
        grad(lambda x: x, argnums=1)(1.0)
    with pytest.raises(ValueError, match="names an argument twice"):
        grad(lambda x, y: x, argnums=(0, 0))(1.0, 2.0)
    with pytest.raises(TypeError, match="argnums must be an int or a tuple"):
        grad(lambda x: x, argnums=[0])(1.0)
    with pytest.raises(TypeError, match="pair"):
        grad(lambda x: x * 2, has_aux=True)(1.0)
    with pytest.raises(TypeError, match="Tensor or a tuple of Tensors, got ndarray"):
        jacobian(lambda x: np.ones(2))(X)
    with pytest.raises(TypeError, match="only grad and value_and_grad take Scalars"):
        jvp(lambda s: s, (Scalar(1.0),), (1.0,))
    with pytest.raises(ValueError, match=r"tangent has shape \(2,\)"):
        jvp(lambda x: x, (X,), (np.ones(2),))
    with pytest.raises(ValueError, match="2 cotangents given for 1 values"):
        vjp(lambda x: x, X)[1]((X, X))
    with pytest.raises(ValueError, match="one-element"):
        hvp(lambda x: x, X, X)


# -- properties over shapes -------------------------------------------------------------------


@given(tensors(requires_grad=False))
def test_jacobian_of_a_coupled_function(x):
    """f(x) = x * sum(x) + sin(x): J = diag(sum(x) + cos(x)) + x 1^T."""
    f = lambda x: x * x.sum() + x.sin()
    n, data = x.size, x.data.ravel()
    want = np.diag(x.data.sum() + np.cos(data)) + data[:, None] * np.ones(n)
    close(jacobian(f)(x), want.reshape(x.shape + x.shape))


@given(tensors(requires_grad=False))
def test_jacobian_by_columns_over_shapes(x):
    c = Tensor(np.array([1.0, -2.0, 0.5]))
    f = lambda x: x.sin().expand_dims(-1) * c  # out has three times the elements of x
    want = np.einsum("a,k,ab->akb", np.cos(x.data.ravel()), c.data, np.eye(x.size))
    close(jacobian(f)(x), want.reshape(x.shape + (3,) + x.shape))


@given(st.data())
def test_hvp_over_shapes(data):
    """f(x) = sum(x^4)/4 + sum(x)^2/2: H v = 3 x^2 v + sum(v)."""
    shape = data.draw(shapes())
    x, v = data.draw(tensors(shape)), data.draw(tensors(shape, requires_grad=False))
    f = lambda x: (x**4).sum() / 4 + x.sum() ** 2 / 2
    out, product = hvp(f, x, v)
    close(product, 3 * x.data**2 * v.data + v.data.sum())
    close(hessian(f)(x).reshape(x.size, x.size) @ v.data.ravel(), product.data.ravel())


# -- against torch.autograd.functional ----------------------------------------------------------


def test_against_torch():
    torch = pytest.importorskip("torch")
    tf = torch.autograd.functional
    ours = lambda x: (Tensor(W) @ x).tanh() * x.sum()
    theirs = lambda x: torch.tanh(torch.tensor(W) @ x) * x.sum()
    loss = lambda x: ((Tensor(W) @ x).tanh() ** 2).sum() + (x**3).sum()
    torch_loss = lambda x: (torch.tanh(torch.tensor(W) @ x) ** 2).sum() + (x**3).sum()
    x, t, u = (torch.tensor(a) for a in (X, rng.standard_normal(3), rng.standard_normal(4)))
    close(jacobian(ours)(X), tf.jacobian(theirs, x).numpy())
    close(hessian(loss)(X), tf.hessian(torch_loss, x).numpy())
    close(jvp(ours, X, t.numpy())[1], tf.jvp(theirs, x, t)[1].numpy())
    close(vjp(ours, X)[1](u.numpy())[0], tf.vjp(theirs, x, u)[1].numpy())
    close(hvp(loss, X, t.numpy())[1], tf.hvp(torch_loss, x, t)[1].numpy())


def test_mlp_hessian_against_torch():
    torch = pytest.importorskip("torch")
    w1, x, y = MLP_DATA
    w2 = rng.standard_normal(4)
    args = [torch.tensor(a) for a in (x, y, w2)]
    theirs = torch.autograd.functional.hessian(
        lambda w: ((torch.tanh(args[0] @ w.T) @ args[2] - args[1]) ** 2).mean(), torch.tensor(w1)
    )
    close(hessian(mlp_loss)(w1, x, y, Tensor(w2)), theirs.numpy())
