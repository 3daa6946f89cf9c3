"""Function transforms (JAX's grad family, torch.autograd.functional's products) on ag.grad.

Each call wraps the arguments it differentiates in values of its own, runs f with grad mode
on and differentiates with `engine.grad`. Results carry a graph (create_graph=True) only when
they can be differentiated further: grad mode was on at the call and f's graph reaches a value
that requires grad from outside the call, such as the wrapped argument of an enclosing
transform (so `grad(grad(f))` works), a tensor f closes over, or an argument passed in with
requires_grad=True. Otherwise they come back detached, holding no graph; calling a transform
under `ag.no_grad()` forces that. A Python float argument becomes a float64 0-d Tensor (full
precision, as JAX users expect); numpy arrays keep their dtype. grad and value_and_grad also
take Scalars; the other transforms work on Tensors.
"""

from collections.abc import Callable

import numpy as np

from . import engine
from .kinds import one_hot, zeros_like
from .mode import enable_grad, is_grad_enabled
from .scalar import Scalar
from .tensor import Tensor, stack
from .value import Value


def grad(f: Callable, argnums: int | tuple = 0, has_aux: bool = False) -> Callable:
    """The gradient of f (returning a one-element Tensor) with respect to argument argnums.

    Arguments may be Tensors, numpy arrays or Python floats (a float becomes a float64 0-d
    Tensor, for full precision). With a tuple of argnums it returns a tuple of gradients; with
    has_aux=True f returns (value, aux) and the transform returns (gradient, aux).
    """
    value_and_grad_f = value_and_grad(f, argnums, has_aux)

    def grad_f(*args):
        value, gradient = value_and_grad_f(*args)
        return (gradient, value[1]) if has_aux else gradient

    return grad_f


def value_and_grad(f: Callable, argnums: int | tuple = 0, has_aux: bool = False) -> Callable:
    """f's value and its gradient, from one evaluation: returns (value, grad).

    With has_aux=True f returns (value, aux) and the transform returns ((value, aux), grad).
    """

    def value_and_grad_f(*args):
        keep, xs, result = _call(f, args, _positions(argnums, len(args), "grad"), "grad")
        if has_aux and not (isinstance(result, tuple) and len(result) == 2):
            raise TypeError("grad: with has_aux=True f must return a pair (value, aux)")
        out, aux = result if has_aux else (result, None)
        _check_one_element(out, "grad")
        create = keep and _reaches_outside([out], xs)
        grads = _pullback([out], xs, [None], create)
        value = out if create else _detach(out)
        return (value, aux) if has_aux else value, grads if isinstance(argnums, tuple) else grads[0]

    return value_and_grad_f


def jacobian(f: Callable, argnums: int | tuple = 0) -> Callable:
    """The Jacobian of f, of shape out.shape + in.shape, with respect to argument argnums.

    f returns a Tensor or a tuple of them; a tuple of argnums gives a tuple of Jacobians, one
    per argument (per output first when f returns a tuple). It is built from reverse-mode
    products, row by row (one vjp per output element), or column by column with jvps when
    the inputs have fewer elements than the outputs (one jvp per input element, each a
    backward pass through the graph of a vjp).
    """

    def jacobian_f(*args):
        positions = _positions(argnums, len(args), "jacobian")
        keep, xs, result = _call(f, args, positions, "jacobian")
        outs = _tensors(result, "jacobian")
        create = keep and _reaches_outside(outs, xs)
        if sum(x.size for x in xs) < sum(out.size for out in outs):
            blocks = _jacobian_by_columns(outs, xs, create)
        else:
            blocks = _jacobian_by_rows(outs, xs, create)
        per_output = [
            tuple(b.reshape(out.shape + x.shape) for b, x in zip(row, xs))
            for row, out in zip(blocks, outs)
        ]
        per_output = [row if isinstance(argnums, tuple) else row[0] for row in per_output]
        return tuple(per_output) if isinstance(result, tuple) else per_output[0]

    return jacobian_f


def hessian(f: Callable, argnums: int | tuple = 0) -> Callable:
    """The matrix of second derivatives of f (one-element output), shape in.shape + in.shape.

    The Jacobian of the gradient, so a tuple of argnums gives blocks H[i][j] as in JAX.
    """
    return jacobian(grad(f, argnums), argnums)


def vjp(f: Callable, *primals) -> tuple:
    """(f(*primals), vjp_fn): vjp_fn(v) gives v^T J as a tuple, one cotangent per primal.

    v has the shape of f's output (a tuple of them when f returns a tuple). vjp_fn keeps f's
    graph alive and may be called many times.
    """
    keep, xs, result = _call_all(f, primals, "vjp")
    outs = _tensors(result, "vjp")
    outside = _reaches_outside(outs, xs)

    def vjp_fn(v):
        vs = _matching(v, outs, "vjp", "cotangent")
        create = is_grad_enabled() and (outside or any(t.requires_grad for t in vs))
        return _pullback(outs, xs, vs, create, retain_graph=True)

    return _restructured(_detached_if(outs, not (keep and outside)), result), vjp_fn


def jvp(f: Callable, primals, tangents) -> tuple:
    """(f(*primals), J @ tangents), by the double-vjp trick: J t = d/du (u^T J) t.

    primals and tangents are tuples (or single Tensors), as in torch.autograd.functional;
    the tangent output has the structure of f's output.
    """
    keep, xs, result = _call_all(f, primals, "jvp")
    outs = _tensors(result, "jvp")
    tangents = _matching(tangents, xs, "jvp", "tangent")
    create = keep and (_reaches_outside(outs, xs) or any(t.requires_grad for t in tangents))
    tangent_outs = _forward_products(outs, xs, tangents, create)
    return (
        _restructured(_detached_if(outs, not create), result),
        _restructured(tangent_outs, result),
    )


def hvp(f: Callable, primals, v) -> tuple:
    """(f(*primals), H @ v) for f with a one-element output: a vjp of the gradient.

    H is symmetric, so v^T H = H v. primals and v are tuples (or single Tensors), as in
    torch.autograd.functional, and the product has their structure.
    """
    keep, xs, out = _call_all(f, primals, "hvp")
    _check_one_element(out, "hvp")
    vs = _matching(v, xs, "hvp", "v")
    create = keep and (_reaches_outside([out], xs) or any(t.requires_grad for t in vs))
    gradients = _pullback([out], xs, [None], create_graph=True)
    products = _pullback(gradients, xs, vs, create)
    return _detached_if((out,), not create)[0], _restructured(products, primals)


# -- arguments in, results out -------------------------------------------------------------


def _positions(argnums, count, who):
    """argnums as a tuple of valid, distinct, non-negative argument positions."""
    positions = argnums if isinstance(argnums, tuple) else (argnums,)
    for i in positions:
        if not isinstance(i, int) or isinstance(i, bool):
            raise TypeError(f"{who}: argnums must be an int or a tuple of ints, got {argnums!r}")
        if not -count <= i < count:
            raise ValueError(f"{who}: argnums {argnums!r} is out of range for {count} arguments")
    positions = tuple(i % count for i in positions)
    if len(set(positions)) != len(positions):
        raise ValueError(f"{who}: argnums {argnums!r} names an argument twice")
    return positions


def _wrap(args, positions, who):
    """args with the differentiated ones replaced by values of this call's own, and those."""
    args = list(args)
    for i in positions:
        args[i] = _own(args[i], i, who)
    return tuple(args), [args[i] for i in positions]


def _call(f, args, positions, who):
    """f on args, the ones at positions replaced by values of this call's own, recorded even
    under no_grad: (whether grad mode was on, those values, f's result)."""
    keep = is_grad_enabled()
    with enable_grad():
        args, xs = _wrap(args, positions, who)
        return keep, xs, f(*args)


def _call_all(f, primals, who):
    """_call differentiating every one of primals (a tuple or a single value)."""
    primals = _as_tuple(primals)
    return _call(f, primals, range(len(primals)), who)


def _own(x, i, who):
    """A fresh value standing for argument i, so its gradient is this argument's alone."""
    if isinstance(x, Scalar) and who != "grad":
        raise TypeError(f"{who} works on Tensors; only grad and value_and_grad take Scalars")
    if isinstance(x, Value) and x.requires_grad:
        return x + 0.0  # a new node joined to x's graph, so enclosing transforms see through
    if isinstance(x, float):
        x = np.float64(x)
    elif not isinstance(x, Value | np.ndarray | np.floating):
        raise TypeError(
            f"{who}: argument {i} is a {type(x).__name__}; expected a Tensor, a numpy array "
            "or a float"
        )
    data = np.array(x.data if isinstance(x, Value) else x)
    if data.dtype.kind != "f":
        raise TypeError(
            f"{who}: argument {i} has dtype {data.dtype}; only floating point arguments "
            "can be differentiated"
        )
    kind = type(x) if isinstance(x, Value) else Tensor  # an array or a float: a Tensor
    return kind._leaf(data, True)


def _check_one_element(out, who):
    if not isinstance(out, Value):
        raise TypeError(f"{who}: f must return a one-element Tensor, got {type(out).__name__}")
    if np.size(out.data) != 1:
        raise ValueError(
            f"{who}: f must return a one-element Tensor, got shape {out.shape}; "
            "use jacobian or vjp for larger outputs"
        )


def _tensors(result, who):
    """f's result (a Tensor or a tuple of them) as a tuple of Tensors, else a TypeError."""
    for value in _as_tuple(result):
        if not isinstance(value, Tensor):
            raise TypeError(
                f"{who}: f must return a Tensor or a tuple of Tensors, got {type(value).__name__}"
            )
    return _as_tuple(result)


def _matching(values, like, who, what):
    """values (one per entry of like) as Tensors of like's shapes and dtypes."""
    values = _as_tuple(values)
    if len(values) != len(like):
        raise ValueError(f"{who}: {len(values)} {what}s given for {len(like)} values")
    matched = []
    for value, x in zip(values, like):
        value = value if isinstance(value, Tensor) else Tensor(np.asarray(value, x.dtype))
        if value.shape != x.shape:
            raise ValueError(
                f"{who}: a {what} has shape {value.shape}, but its value has shape {x.shape}"
            )
        matched.append(value.astype(x.dtype))
    return tuple(matched)


def _as_tuple(values):
    return values if isinstance(values, tuple) else (values,)


def _restructured(values, like):
    """values as a tuple when like is one, else the single value."""
    return tuple(values) if isinstance(like, tuple) else values[0]


def _detach(value):
    return value._as_value(value.data)  # the same data, outside the graph


def _detached_if(values, flag):
    return tuple(_detach(v) for v in values) if flag else tuple(values)


# -- differentiation -------------------------------------------------------------------------


def _reaches_outside(outs, own):
    """Whether the outputs' graph reaches a leaf that requires grad and was not made here."""
    own = {id(x) for x in own}
    roots = [out for out in outs if out.requires_grad]
    return any(node._op is None and id(node) not in own for node in engine.toposort(roots))


def _pullback(outs, xs, seeds, create_graph, retain_graph=None):
    """Sum of seed^T d out / d x over the outputs, for each x; zeros where x is not reached."""
    live = [k for k, out in enumerate(outs) if out.requires_grad]
    grads = [None] * len(xs)
    if live:
        grads = engine.grad(
            [outs[k] for k in live], xs, [seeds[k] for k in live], retain_graph, create_graph,
            allow_unused=True,
        )  # fmt: skip
    return tuple(zeros_like(x) if g is None else g for g, x in zip(grads, xs))


def _forward_products(outs, xs, tangents, create_graph):
    """J @ tangents for each output: the vjp u -> u^T J is linear, and its gradient is J t."""
    dummies = [Tensor(np.zeros(out.shape, out.dtype), requires_grad=True) for out in outs]
    transposed = _pullback(outs, xs, dummies, create_graph=True)
    return _pullback(transposed, dummies, tangents, create_graph, retain_graph=True)


def _jacobian_by_rows(outs, xs, create_graph):
    """blocks[o][i]: d outs[o] / d xs[i] flattened to (out size, x size), a vjp per row."""
    blocks = []
    for out in outs:
        rows = [
            _pullback([out], xs, [one_hot(out, j)], create_graph, retain_graph=True)
            for j in range(out.size)
        ]
        blocks.append([_stacked([row[i] for row in rows], 0, out, x) for i, x in enumerate(xs)])
    return blocks


def _jacobian_by_columns(outs, xs, create_graph):
    """The same blocks, a jvp per column, sharing one vjp graph between the columns."""
    dummies = [Tensor(np.zeros(out.shape, out.dtype), requires_grad=True) for out in outs]
    transposed = _pullback(outs, xs, dummies, create_graph=True)
    columns = [
        [
            _pullback([transposed[i]], dummies, [one_hot(x, k)], create_graph, True)
            for k in range(x.size)
        ]
        for i, x in enumerate(xs)
    ]
    return [
        [_stacked([c[o] for c in columns[i]], 1, out, x) for i, x in enumerate(xs)]
        for o, out in enumerate(outs)
    ]


def _stacked(vectors, axis, out, x):
    """Flattened rows (axis 0) or columns (axis 1) joined into an (out size, x size) block."""
    if not vectors:
        return Tensor(np.zeros((out.size, x.size), np.result_type(out.dtype, x.dtype)))
    return stack([v.reshape(-1) for v in vectors], axis)
