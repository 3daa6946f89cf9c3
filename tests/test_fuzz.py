"""Fuzzing: random programs of 10-30 ops, checked against finite differences and numpy.

A program is a DAG built one op at a time: each step applies an op to values made earlier
(or to fresh inputs of a shape the op needs), through the public Tensor methods and
functions. While it is built, the program is run once in float64 numpy to choose safe
parameters: every kink (relu, abs, clip, maximum, max) stays at least SAFE from its
argument, poles and logs see only values >= 0.5, and a value that grows is scaled back.
So a failure is a real bug, not finite differences straddling a kink.

`make fuzz` runs these with HYPOTHESIS_PROFILE=fuzz (2,500 programs per test).
"""

from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd as ag
import nn.functional as F
from autograd import ops
from autograd.engine import toposort
from autograd.fused import linear
from autograd.testing import broadcastable_shapes, shapes, values

SAFE = 1e-3  # the least distance between a kink and the value at it
MAX_SIZE = 36  # no value has more entries than this
SHIFTS = (0.0, 0.0137, -0.0291, 0.0433, -0.0577, 0.0719, -0.0863)

# The functions that differ between Tensor and numpy; operators, indexing, sum, mean, max,
# min, var, std, clip, reshape, transpose, flatten and squeeze are spelled the same.
TENSOR = SimpleNamespace(
    exp=lambda x: x.exp(),
    log=lambda x: x.log(),
    sqrt=lambda x: x.sqrt(),
    sin=lambda x: x.sin(),
    cos=lambda x: x.cos(),
    tanh=lambda x: x.tanh(),
    sigmoid=lambda x: x.sigmoid(),
    relu=lambda x: x.relu(),
    maximum=ag.maximum,
    minimum=ag.minimum,
    where=ag.where,
    logsumexp=lambda x, axis, keepdims: x.logsumexp(axis=axis, keepdims=keepdims),
    softmax=lambda x, axis: x.softmax(axis),
    log_softmax=lambda x, axis: x.log_softmax(axis),
    expand_dims=lambda x, axis: x.expand_dims(axis),
    broadcast_to=lambda x, shape: x.broadcast_to(shape),
    concatenate=ag.concatenate,
    stack=ag.stack,
    linear=linear,
    cross_entropy=lambda x, t: F.cross_entropy(x, t, reduction="none"),
    bce_with_logits=lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction="none"),
    bce=lambda p, t: F.binary_cross_entropy(p, t, reduction="none"),
)


def _np_logsumexp(x, axis, keepdims):
    return np.log(np.exp(x).sum(axis=axis, keepdims=keepdims))


NUMPY = SimpleNamespace(
    exp=np.exp,
    log=np.log,
    sqrt=np.sqrt,
    sin=np.sin,
    cos=np.cos,
    tanh=np.tanh,
    sigmoid=lambda x: 1 / (1 + np.exp(-x)),
    relu=lambda x: np.maximum(x, 0),
    maximum=np.maximum,
    minimum=np.minimum,
    where=np.where,
    logsumexp=_np_logsumexp,
    softmax=lambda x, axis: np.exp(x) / np.exp(x).sum(axis=axis, keepdims=True),
    log_softmax=lambda x, axis: x - _np_logsumexp(x, axis, True),
    expand_dims=np.expand_dims,
    broadcast_to=np.broadcast_to,
    concatenate=np.concatenate,
    stack=np.stack,
    linear=lambda x, w, b=None: x @ w.T if b is None else x @ w.T + b,
    cross_entropy=lambda x, t: (
        _np_logsumexp(x, -1, False) - np.take_along_axis(x, t[..., None], axis=-1)[..., 0]
    ),
    bce_with_logits=lambda x, t: np.log(1 + np.exp(x)) - x * t,
    bce=lambda p, t: -(t * np.log(p) + (1 - t) * np.log(1 - p)),
)


def positive(x):
    """x * x + 0.5: a value >= 0.5, for logs, roots, denominators and bases."""
    return x * x + 0.5


# -- the fuzz ops: how each is applied, which table ops it records, how its inputs are drawn --


@dataclass
class FuzzOp:
    fn: object  # fn(lib, *args, **params)
    covers: tuple  # the names in ops.TABLE that one application records
    build: object  # build(draw, builder) -> (args, params), or None when it does not apply
    kink: object = None  # kink(*args, **params): distances to the kinks, at least SAFE
    shifts: bool = False  # fn and kink take a shift of the first operand, to move off a kink
    gradients: bool = True  # False: only in the forward fuzz (astype loses float64 precision)


def unary(draw, b):
    return (b.pick(draw),), {}


def binary(draw, b):
    """Two operands that broadcast together: an earlier value or a fresh input."""
    i = b.pick(draw)
    shape = b.shape(i)
    fits = [j for j in range(len(b.values)) if b.broadcasts(shape, b.shape(j))]
    if fits and draw(st.booleans()):
        return (i, draw(st.sampled_from(fits))), {}
    other = draw(broadcastable_shapes(shape, max_dims=3))
    return (i, b.fresh(draw, other)), {}


def same_shape(draw, b):
    i = b.pick(draw)
    fits = [j for j in range(len(b.values)) if b.shape(j) == b.shape(i)]
    j = draw(st.sampled_from(fits)) if draw(st.booleans()) else b.fresh(draw, b.shape(i))
    return (i, j), {}


def draw_axis(draw, ndim, allow_none=True):
    """None, an int (maybe negative) or a tuple of distinct axes of an ndim-array."""
    if ndim == 0:
        return None
    choices = [st.integers(-ndim, ndim - 1), st.lists(st.integers(0, ndim - 1), unique=True)]
    axis = draw(st.one_of(st.none(), *choices) if allow_none else choices[0])
    return tuple(axis) if isinstance(axis, list) else axis


def reduction(draw, b):
    i = b.pick(draw)
    return (i,), {"axis": draw_axis(draw, b.ndim(i)), "keepdims": draw(st.booleans())}


def with_ddof(draw, b):
    """A reduction with ddof 0, or 1 when it combines more than one entry."""
    (i,), params = reduction(draw, b)
    axis = params["axis"]
    count = b.values[i].size // np.asarray(b.values[i].sum(axis=axis)).size
    params["ddof"] = draw(st.sampled_from((0, 1) if count > 1 else (0,)))
    return (i,), params


def along_an_axis(draw, b):
    i = b.pick(draw, lambda v: v.ndim >= 1)
    return None if i is None else ((i,), {"axis": draw_axis(draw, b.ndim(i), False)})


def clip_bounds(draw, b):
    lo = draw(st.floats(-1.5, -0.1)) if draw(st.booleans()) else None
    return (b.pick(draw),), {"lo": lo, "hi": draw(st.floats(0.1, 1.5))}


def pick_where(draw, b):
    (i, j), _ = binary(draw, b)
    shape = np.broadcast_shapes(b.shape(i), b.shape(j))
    mask = draw(hnp.arrays(bool, draw(broadcastable_shapes(shape, max_dims=len(shape)))))
    return (i, j), {"mask": mask}


def factorizations(n, parts):
    """Every tuple of `parts` positive ints whose product is n."""
    if parts == 0:
        return [()] if n == 1 else []
    divisors = [d for d in range(1, n + 1) if n % d == 0]
    return [(d, *rest) for d in divisors for rest in factorizations(n // d, parts - 1)]


def new_shape(draw, b):
    i = b.pick(draw)
    size = b.values[i].size
    others = [s for k in range(4) for s in factorizations(size, k) if s != b.shape(i)]
    shape = draw(st.sampled_from(others))
    if shape and draw(st.booleans()):  # let reshape infer one side
        k = draw(st.integers(0, len(shape) - 1))
        shape = shape[:k] + (-1,) + shape[k + 1 :]
    return (i,), {"shape": shape}


def permutation(draw, b):
    i = b.pick(draw, lambda v: v.ndim >= 2)
    return None if i is None else ((i,), {"axes": tuple(draw(st.permutations(range(b.ndim(i)))))})


def squeezable(draw, b):
    i = b.pick(draw, lambda v: 1 in v.shape)
    if i is None:
        return None
    ones = [k for k, n in enumerate(b.shape(i)) if n == 1]
    return (i,), {"axis": draw(st.one_of(st.none(), st.sampled_from(ones)))}


def new_axis(draw, b):
    i = b.pick(draw, lambda v: v.ndim < 3)
    return None if i is None else ((i,), {"axis": draw(st.integers(-b.ndim(i) - 1, b.ndim(i)))})


def wider_shape(draw, b):
    i = b.pick(draw)
    shape = np.broadcast_shapes(b.shape(i), draw(broadcastable_shapes(b.shape(i), max_dims=3)))
    return None if shape == b.shape(i) else ((i,), {"shape": shape})


def index(draw, b):
    """An int, a slice, None and ..., an integer array with repeats, or a boolean mask."""
    i = b.pick(draw, lambda v: v.ndim >= 1)
    if i is None:
        return None
    shape = b.shape(i)
    n = shape[0]
    kind = draw(st.sampled_from(("int", "slice", "newaxis", "array", "mask")))
    if kind == "int":
        key = draw(st.integers(-n, n - 1))
    elif kind == "slice":
        axis = draw(st.integers(0, len(shape) - 1))
        start, step = draw(st.integers(0, shape[axis] - 1)), draw(st.sampled_from((1, 2, -1)))
        key = (*(slice(None),) * axis, slice(start, None, step))
    elif kind == "newaxis":
        key = (None, Ellipsis, draw(st.integers(-shape[-1], shape[-1] - 1)))
    elif kind == "array":
        key = np.array(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=4)))
    else:
        mask = draw(hnp.arrays(bool, shape))
        assume(mask.any())
        key = mask
    return (i,), {"key": key}


def joinable(draw, b, stacked):
    i = b.pick(draw)
    shape = b.shape(i)
    ndim = len(shape) + stacked
    if ndim == 0:
        return None
    axis = draw(st.integers(-ndim, ndim - 1))
    other = list(shape)
    if not stacked:
        other[axis] = draw(st.integers(1, 3))
    other = tuple(other)
    fits = [j for j in range(len(b.values)) if b.shape(j) == other]
    j = draw(st.sampled_from(fits)) if fits and draw(st.booleans()) else b.fresh(draw, other)
    return (i, j), {"axis": axis}


def matrix_product(draw, b):
    i = b.pick(draw, lambda v: v.ndim >= 1)
    if i is None:
        return None
    n = b.shape(i)[-1]
    fits = [j for j in range(len(b.values)) if b.matmuls(b.shape(i), b.shape(j))]
    if fits and draw(st.booleans()):
        return (i, draw(st.sampled_from(fits))), {}
    lead = draw(shapes(max_dims=1))  # batch dimensions, or none
    other = draw(st.sampled_from(((n,), (n, draw(st.integers(1, 3))), (*lead, n, 2))))
    if not b.matmuls(b.shape(i), other):  # batch dimensions that do not broadcast
        return None
    return (i, b.fresh(draw, other)), {}


def layer(draw, b):
    i = b.pick(draw, lambda v: v.ndim >= 1)
    if i is None:
        return None
    out = draw(st.integers(1, 3))
    w = b.fresh(draw, (out, b.shape(i)[-1]))
    return ((i, w, b.fresh(draw, (out,))) if draw(st.booleans()) else (i, w)), {}


def class_targets(draw, b):
    i = b.pick(draw, lambda v: v.ndim >= 1)
    if i is None:
        return None
    shape = b.shape(i)
    target = draw(hnp.arrays(np.int64, shape[:-1], elements=st.integers(0, shape[-1] - 1)))
    return (i,), {"target": target}


def to_dtype(draw, b):
    return (b.pick(draw),), {"dtype": draw(st.sampled_from((np.float32, np.float64)))}


def tie_breaker(x):
    """Distinct steps added before max and min, so no two entries tie."""
    return (0.05 * (np.arange(x.size) * 7 % x.size)).reshape(x.shape).astype(x.dtype)


def extremum_gap(x, axis, keepdims):
    """The least gap between the two largest entries of each reduced slice."""
    x = np.asarray(x + tie_breaker(x))
    axes = tuple(range(x.ndim)) if axis is None else np.atleast_1d(axis) % max(x.ndim, 1)
    rest = [k for k in range(x.ndim) if k not in axes]
    rows = np.transpose(x, rest + list(axes)).reshape(-1, int(np.prod([x.shape[k] for k in axes])))
    if rows.shape[1] < 2:
        return np.inf
    top = np.sort(rows, axis=1)
    return np.minimum(top[:, -1] - top[:, -2], top[:, 1] - top[:, 0]).min()


OPS = {
    "add": FuzzOp(lambda L, a, b: a + b, ("add",), binary),
    "sub": FuzzOp(lambda L, a, b: a - b, ("add", "neg"), binary),
    "mul": FuzzOp(lambda L, a, b: a * b, ("mul",), binary),
    "div": FuzzOp(lambda L, a, b: a / positive(b), ("div",), binary),
    "rdiv": FuzzOp(lambda L, a: 1.5 / positive(a), ("div",), unary),
    "pow": FuzzOp(lambda L, a, b: positive(a) ** b, ("pow",), binary),
    "square": FuzzOp(lambda L, a: a**2, ("pow",), unary),
    "cube": FuzzOp(lambda L, a: a**3, ("pow",), unary),
    "root": FuzzOp(lambda L, a: positive(a) ** -1.5, ("pow",), unary),
    "rpow": FuzzOp(lambda L, a: 1.7**a, ("pow",), unary),
    "neg": FuzzOp(lambda L, a: -a, ("neg",), unary),
    "exp": FuzzOp(lambda L, a: L.exp(a), ("exp",), unary),
    "log": FuzzOp(lambda L, a: L.log(positive(a)), ("log",), unary),
    "sqrt": FuzzOp(lambda L, a: L.sqrt(positive(a)), ("sqrt",), unary),
    "sin": FuzzOp(lambda L, a: L.sin(a), ("sin",), unary),
    "cos": FuzzOp(lambda L, a: L.cos(a), ("cos",), unary),
    "tanh": FuzzOp(lambda L, a: L.tanh(a), ("tanh",), unary),
    "sigmoid": FuzzOp(lambda L, a: L.sigmoid(a), ("sigmoid",), unary),
    "relu": FuzzOp(lambda L, a, shift: L.relu(a + shift), ("relu",), unary,
                   kink=lambda a, shift: np.abs(a + shift), shifts=True),
    "abs": FuzzOp(lambda L, a, shift: abs(a + shift), ("abs",), unary,
                  kink=lambda a, shift: np.abs(a + shift), shifts=True),
    "clip": FuzzOp(lambda L, a, lo, hi, shift: (a + shift).clip(lo, hi), ("clip",), clip_bounds,
                   kink=lambda a, lo, hi, shift: np.minimum(
                       np.abs(a + shift - (-np.inf if lo is None else lo)), np.abs(a + shift - hi)),
                   shifts=True),
    "maximum": FuzzOp(lambda L, a, b, shift: L.maximum(a + shift, b), ("maximum",), binary,
                      kink=lambda a, b, shift: np.abs(a + shift - b), shifts=True),
    "minimum": FuzzOp(lambda L, a, b, shift: L.minimum(a + shift, b), ("minimum",), binary,
                      kink=lambda a, b, shift: np.abs(a + shift - b), shifts=True),
    "where": FuzzOp(lambda L, a, b, mask: L.where(mask, a, b), ("where",), pick_where),
    "sum": FuzzOp(lambda L, a, axis, keepdims: a.sum(axis=axis, keepdims=keepdims), ("sum",),
                  reduction),
    "mean": FuzzOp(lambda L, a, axis, keepdims: a.mean(axis=axis, keepdims=keepdims),
                   ("sum", "div"), reduction),
    "max": FuzzOp(lambda L, a, axis, keepdims: (a + tie_breaker(a)).max(axis=axis, keepdims=keepdims),  # noqa: E501
                  ("max",), reduction, kink=extremum_gap),
    "min": FuzzOp(lambda L, a, axis, keepdims: (a + tie_breaker(a)).min(axis=axis, keepdims=keepdims),  # noqa: E501
                  ("min",), reduction, kink=extremum_gap),
    "var": FuzzOp(lambda L, a, axis, keepdims, ddof: a.var(axis=axis, ddof=ddof, keepdims=keepdims),  # noqa: E501
                  ("sum", "mul"), with_ddof),
    "std": FuzzOp(lambda L, a, axis, keepdims, ddof: a.std(axis=axis, ddof=ddof, keepdims=keepdims),  # noqa: E501
                  ("sqrt",), with_ddof,
                  kink=lambda a, axis, keepdims, ddof: a.var(axis=axis, ddof=ddof)),
    "logsumexp": FuzzOp(lambda L, a, axis, keepdims: L.logsumexp(a, axis, keepdims),
                        ("logsumexp",), reduction),
    "softmax": FuzzOp(lambda L, a, axis: L.softmax(a, axis), ("log_softmax", "exp"),
                      along_an_axis),
    "log_softmax": FuzzOp(lambda L, a, axis: L.log_softmax(a, axis), ("log_softmax",),
                          along_an_axis),
    "reshape": FuzzOp(lambda L, a, shape: a.reshape(shape), ("reshape",), new_shape),
    "transpose": FuzzOp(lambda L, a, axes: a.transpose(*axes), ("transpose",), permutation),
    "T": FuzzOp(lambda L, a: a.T, (), unary),
    "flatten": FuzzOp(lambda L, a: a.flatten(), (), unary),
    "squeeze": FuzzOp(lambda L, a, axis: a.squeeze(axis), ("reshape",), squeezable),
    "expand_dims": FuzzOp(lambda L, a, axis: L.expand_dims(a, axis), ("reshape",), new_axis),
    "broadcast_to": FuzzOp(lambda L, a, shape: L.broadcast_to(a, shape), ("broadcast_to",),
                          wider_shape),
    "getitem": FuzzOp(lambda L, a, key: a[key], ("getitem",), index),
    "concatenate": FuzzOp(lambda L, a, b, axis: L.concatenate([a, b], axis=axis),
                          ("concatenate",), lambda draw, b: joinable(draw, b, False)),
    "stack": FuzzOp(lambda L, a, b, axis: L.stack([a, b], axis=axis), ("concatenate",),
                    lambda draw, b: joinable(draw, b, True)),
    "matmul": FuzzOp(lambda L, a, b: a @ b, ("matmul",), matrix_product),
    "linear": FuzzOp(lambda L, *args: L.linear(*args), ("linear",), layer),
    "cross_entropy": FuzzOp(lambda L, a, target: L.cross_entropy(a, target),
                            ("softmax_cross_entropy",), class_targets),
    "bce_with_logits": FuzzOp(lambda L, a, b: L.bce_with_logits(a, b), ("bce_with_logits",),
                              same_shape),
    "bce": FuzzOp(lambda L, a, b: L.bce(L.sigmoid(a), L.sigmoid(b)), ("bce", "sigmoid"),
                  same_shape),
    "astype": FuzzOp(lambda L, a, dtype: a.astype(dtype), ("astype",), to_dtype, gradients=False),
}  # fmt: skip
# scatter is getitem's VJP: the second-derivative fuzz records it through getitem.
REACHED_THROUGH_VJPS = {"scatter"}
# T and flatten may be no-ops (on a 1-d value), so they claim no op.


# -- building and running programs ---------------------------------------------------------


@dataclass
class Node:
    op: str | None  # None for an input
    args: tuple = ()
    params: dict = field(default_factory=dict)
    scale: float = 1.0  # multiplies the result, so that values stay O(1)


@dataclass
class Program:
    nodes: list
    inputs: list  # the input arrays (float64), in the order the nodes use them
    weights: dict  # node index -> weights of the value's entries in the output

    def run(self, *xs, lib=TENSOR):
        """Every node's value, for inputs xs (Tensors, or arrays with lib=NUMPY)."""
        values, fresh = [], iter(xs)
        for node in self.nodes:
            if node.op is None:
                values.append(next(fresh))
                continue
            operands = [values[i] for i in node.args]
            if lib is NUMPY and len(operands) > 1:
                operands = promoted_as_in_torch(operands)
            value = OPS[node.op].fn(lib, *operands, **node.params)
            values.append(value if node.scale == 1.0 else value * node.scale)
        return values

    def __call__(self, *xs):
        """One number: the weighted sum of every value no later op uses."""
        values = self.run(*xs)
        terms = [(values[i] * w).sum() for i, w in self.weights.items()]
        return sum(terms[1:], terms[0])

    def __repr__(self):
        lines = [f"x{k}: shape {x.shape}" for k, x in enumerate(self.inputs)]
        lines += [f"v{i} = {n.op}{n.args} {n.params} * {n.scale}" for i, n in enumerate(self.nodes)]
        return "Program:\n  " + "\n  ".join(lines)


def promoted_as_in_torch(arrays):
    """The operands cast to the dtype PyTorch computes in: that of the operands with
    dimensions, a 0-d one's only if all are 0-d (numpy would let a 0-d float64 win)."""
    arrays = [np.asarray(a) for a in arrays]
    dtype = np.result_type(*([a for a in arrays if a.ndim] or arrays))
    return [a.astype(dtype, copy=False) for a in arrays]


class Builder:
    """Grows a program op by op, running it in float64 numpy to keep every value safe."""

    def __init__(self):
        self.nodes, self.inputs, self.values = [], [], []

    def shape(self, i):
        return self.values[i].shape

    def ndim(self, i):
        return self.values[i].ndim

    @staticmethod
    def broadcasts(a, b):
        try:
            return np.prod(np.broadcast_shapes(a, b)) <= MAX_SIZE
        except ValueError:
            return False

    @staticmethod
    def matmuls(a, b):
        try:
            return a and b and np.matmul(np.zeros(a), np.zeros(b)).size <= MAX_SIZE
        except ValueError:
            return False

    def pick(self, draw, condition=None):
        """The index of an earlier value (meeting condition), or None if there is none."""
        fits = [i for i, v in enumerate(self.values) if condition is None or condition(v)]
        return draw(st.sampled_from(fits)) if fits else None

    def fresh(self, draw, shape):
        """A new input of shape."""
        data = draw(hnp.arrays(np.float64, shape, elements=values()))
        self.inputs.append(data)
        self.nodes.append(Node(None))
        self.values.append(data)
        return len(self.values) - 1

    def add(self, draw, name):
        """Append op name; False if it does not apply here (no fitting operand, too big)."""
        op = OPS[name]
        built = op.build(draw, self)
        if built is None:
            return False
        args, params = built
        operands = [self.values[i] for i in args]
        if op.kink is not None:
            if op.shifts:
                safe = [s for s in SHIFTS if np.min(op.kink(*operands, **params, shift=s)) >= SAFE]
                assume(safe)
                params["shift"] = safe[0]
            else:
                assume(np.min(op.kink(*operands, **params)) >= SAFE)
        value = np.asarray(op.fn(NUMPY, *operands, **params), dtype=np.float64)
        if value.size == 0 or value.size > MAX_SIZE:
            return False
        assert np.isfinite(value).all(), f"{name} made a non-finite value: the fuzzer is unsafe"
        largest = np.abs(value).max()
        scale = 1.0 if largest <= 3 else float(2.0 / largest)  # a Python float keeps float32
        self.nodes.append(Node(name, args, params, scale))
        self.values.append(value * scale)
        return True


@st.composite
def programs(draw, min_ops=10, max_ops=30, names=tuple(OPS)):
    """A random Program of min_ops to max_ops ops drawn from names."""
    b = Builder()
    for shape in draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3)).input_shapes:
        b.fresh(draw, shape)
    n_ops = draw(st.integers(min_ops, max_ops))
    while len(b.nodes) - len(b.inputs) < n_ops:
        b.add(draw, draw(st.sampled_from(names)))
    used = {i for node in b.nodes for i in node.args}
    rng = np.random.default_rng(len(b.nodes))
    weights = {i: rng.uniform(-1, 1, v.shape) for i, v in enumerate(b.values) if i not in used}
    return Program(b.nodes, b.inputs, weights)


DIFFERENTIABLE = tuple(name for name, op in OPS.items() if op.gradients)


def recorded_ops(out):
    return {node._op.name for node in toposort([out]) if node._op is not None}


# -- the properties --------------------------------------------------------------------------


def test_the_fuzz_ops_reach_every_op_in_the_table():
    claimed = {name for op in OPS.values() for name in op.covers}
    assert claimed | REACHED_THROUGH_VJPS == set(ops.TABLE)


@given(programs(names=DIFFERENTIABLE))
def test_random_programs_have_the_gradients_of_finite_differences(program):
    inputs = [ag.Tensor(x, requires_grad=True) for x in program.inputs]
    out = program(*inputs)
    for node in program.nodes:  # each op records the table ops it claims to
        assert node.op is None or set(OPS[node.op].covers) <= recorded_ops(out), node.op
    ag.gradcheck(program, inputs)


@given(programs(min_ops=10, max_ops=14, names=DIFFERENTIABLE))
def test_random_programs_have_the_second_derivatives_of_finite_differences(program):
    ag.gradgradcheck(program, [ag.Tensor(x, requires_grad=True) for x in program.inputs])


@given(programs(), st.data())
def test_random_programs_compute_what_numpy_computes(program, data):
    dtypes = [data.draw(st.sampled_from((np.float32, np.float64))) for _ in program.inputs]
    arrays = [x.astype(dtype) for x, dtype in zip(program.inputs, dtypes)]
    ours = program.run(*[ag.Tensor(x, requires_grad=True) for x in arrays])
    theirs = program.run(*arrays, lib=NUMPY)
    # float32 rounding spreads to later values, float64 ones too: an input or an astype
    single = np.float32 in dtypes or any(value.dtype == np.float32 for value in ours)
    tolerance = 1e-4 if single else 1e-10
    for node, got, expected in zip(program.nodes, ours, theirs):
        expected = np.asarray(expected)
        assert got.dtype == expected.dtype, node
        np.testing.assert_allclose(got.data, expected, rtol=tolerance, atol=tolerance)
