"""Tensor: a numpy array that records the ops applied to it (PyTorch semantics)."""

import operator
from types import SimpleNamespace

import numpy as np

from . import arraymath, engine, ops
from .axes import _axes
from .dtypes import as_array, get_default_dtype, real_dtype
from .inplace import InPlace
from .operands import _broadcast_apply, _lift, _matmul, _promoted
from .reductions import Reductions
from .shapes import ShapeMethods
from .spellings import TorchMethods, axis_or_dim
from .value import Value


def _float_function(op):
    """The method applying op to the tensor, cast to a floating dtype first (exp of integers)."""

    def method(self) -> "Tensor":
        return Tensor._apply(op, _promoted((self,), floating=True))

    return method


class Tensor(ShapeMethods, Reductions, InPlace, TorchMethods, Value):
    """An n-dimensional array in the graph. Broadcasting follows numpy; gradients follow PyTorch."""

    __slots__ = ("_data", "_version", "_grad", "_retains_grad")
    __array_ufunc__ = None  # `ndarray + tensor` defers to Tensor.__radd__
    __hash__ = Value.__hash__  # == is elementwise, identity stays the hash
    _raw_math = arraymath  # what VJPs compute with in a plain backward (_graph_math: at the end)

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        if isinstance(data, Tensor):
            data = data._data
        self._data = as_array(data, dtype)
        self._version, self._grad, self._retains_grad = [0], None, False
        self._init_node(False)
        if requires_grad:
            self.requires_grad_()

    @staticmethod
    def _from_data(data):
        """Wrap an array the engine made in a Tensor (a Parameter's ops make Tensors too); no
        copy and no checks."""
        t = object.__new__(Tensor)
        t._data, t._version, t._grad, t._retains_grad = data, [0], None, False
        t._requires_grad, t._op, t._inputs, t._params, t._saved = False, None, (), (), ()
        t._hooks = t._origin = None
        return t

    @staticmethod
    def _forward(op, inputs, params):
        out = op.forward(*[x._data for x in inputs], *params)
        return out if type(out) is np.ndarray or op.keeps else np.asarray(out)

    # -- attributes ------------------------------------------------------------------------

    @property
    def data(self) -> np.ndarray:
        return self._data

    @data.setter
    def data(self, value):
        value = value._data if isinstance(value, Tensor) else np.asarray(value)
        real_dtype(value.dtype, "assigned to .data")
        self._data = value
        self._version[0] += 1

    @property
    def grad(self) -> "Tensor | None":
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None and not isinstance(value, Tensor):
            raise TypeError(f"grad must be a Tensor or None, got {type(value).__name__}")
        if value is not None and value.shape != self.shape:
            raise ValueError(
                f"grad of shape {value.shape} assigned to a tensor of shape {self.shape}"
            )
        self._grad = value

    @Value.requires_grad.setter
    def requires_grad(self, flag):
        self.requires_grad_(flag)

    shape = property(lambda self: self._data.shape)
    ndim = property(lambda self: self._data.ndim)
    dtype = property(lambda self: self._data.dtype)
    size = property(lambda self: self._data.size)
    T = property(lambda self: self.transpose())

    def numpy(self) -> np.ndarray:
        return self._data

    def item(self) -> float | int | bool:
        if self._data.size != 1:
            raise ValueError(f"item() needs a one-element tensor, this one has shape {self.shape}")
        return self._data.item()

    def tolist(self) -> list | float | int | bool:
        return self._data.tolist()

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype)

    def __bool__(self):
        return bool(self._data)

    def __float__(self):
        return float(self.item())

    def __format__(self, spec):
        return format(self.item(), spec) if spec and self._data.size == 1 else repr(self)

    def __repr__(self):
        body = np.array2string(self._data, separator=", ", prefix="Tensor(")
        extras = "" if self.dtype == get_default_dtype() else f", dtype={self.dtype}"
        if self._op is not None:
            extras += f", op={self._op.name}"
        elif self._requires_grad:
            extras += ", requires_grad=True"
        return f"Tensor({body}{extras})"

    # -- graph -----------------------------------------------------------------------------

    def requires_grad_(self, flag: bool = True) -> "Tensor":
        """Start (or stop) recording ops on this leaf."""
        if flag and self._data.dtype.kind != "f":
            raise TypeError(
                f"only floating point tensors can require gradients; this one is {self.dtype}"
            )
        if not flag and self._op is not None:
            raise RuntimeError("requires_grad can only be turned off on a leaf; use detach()")
        self._requires_grad = bool(flag)
        return self

    def detach(self) -> "Tensor":
        """The same data, cut from the graph."""
        t = Tensor._from_data(self._data)
        t._version = self._version
        return t

    def retain_grad(self) -> None:
        """Keep .grad on this non-leaf after backward."""
        if not self._requires_grad:
            raise RuntimeError("retain_grad() on a tensor that does not require grad")
        self._retains_grad = self._op is not None

    def backward(self, grad=None, retain_graph=None, create_graph: bool = False) -> None:
        """Accumulate d self / d leaf into each leaf's .grad (grad= for non-scalar outputs)."""
        engine.backward([self], [grad], retain_graph, create_graph)

    def astype(self, dtype) -> "Tensor":
        dtype = real_dtype(dtype, "for astype")
        return self if dtype == self.dtype else Tensor._apply(ops.astype, (self,), (dtype,))

    # -- what the core and Value ask of a kind ---------------------------------------------

    def _seed(self, grad, create_graph):
        if grad is None:
            if self._data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for one-element outputs; this one has "
                    f"shape {self.shape}, so pass backward(grad=...) with that shape"
                )
            one = np.array(1, self.dtype).reshape(self.shape)
            return Tensor._from_data(one) if create_graph else one
        grad = grad if isinstance(grad, Tensor) else Tensor(grad, dtype=self.dtype)
        if grad.shape != self.shape:
            raise RuntimeError(
                f"grad has shape {grad.shape}, but the output has shape {self.shape}"
            )
        if create_graph:
            return grad.astype(self.dtype)
        return np.array(grad._data, dtype=self.dtype)

    @staticmethod
    def _as_value(raw):
        return Tensor._from_data(raw if type(raw) is np.ndarray else np.asarray(raw))

    @classmethod
    def _leaf(cls, raw, requires_grad):
        return cls(raw, requires_grad)

    def _accumulate_grad(self, g, handed):
        """Add g to .grad. handed holds the ids of the buffers some .grad already keeps."""
        if isinstance(g, Tensor):  # create_graph: .grad keeps its graph
            self._grad = g if self._grad is None else self._grad + g
            return
        data = g if type(g) is np.ndarray else np.asarray(g)  # numpy gives 0-d results as scalars
        if data.dtype != self._data.dtype:
            data = data.astype(self._data.dtype)
        if self._grad is not None:  # the sum is a fresh buffer: g itself is not kept
            self._grad = Tensor._as_value(self._grad._data + data)
            return
        flags = data.flags
        if id(data) in handed or not (flags.owndata and flags.writeable):
            data = data.copy()  # never share a buffer with another .grad or a view
        self._grad = Tensor._as_value(data)
        handed.add(id(data))

    def _versions(self):
        """The versions of what this node's VJPs read (its op's `reads`), checked in backward."""
        reads = self._op.reads
        if reads is None:  # a custom Function's backward may read any input and the output
            reads = range(1 + len(self._inputs))
        elif not reads:
            return ()
        values = (self, *self._inputs)
        return tuple([values[i]._version[0] for i in reads])

    def _free(self):
        """Release what the graph holds here; the op stays, so a second backward can explain."""
        self._saved, self._inputs, self._params = None, (), ()

    def _floating(self):
        return self._data.dtype.kind == "f"

    def _all_finite(self):
        return self._data.dtype.kind != "f" or bool(np.isfinite(self._data).all())

    def _describe(self):
        return self.shape

    # -- arithmetic ------------------------------------------------------------------------

    def __neg__(self):
        return Tensor._apply(ops.neg, (self,))

    def __sub__(self, other):
        other = _lift(other, self)
        return NotImplemented if other is None else self + (-other)

    def __rsub__(self, other):
        other = _lift(other, self)
        return NotImplemented if other is None else other + (-self)

    def __matmul__(self, other):
        other = _lift(other, self)
        return NotImplemented if other is None else _matmul(self, other)

    def __rmatmul__(self, other):
        other = _lift(other, self)
        return NotImplemented if other is None else _matmul(other, self)

    def __abs__(self):
        return self.abs()

    # -- elementwise -----------------------------------------------------------------------

    exp = _float_function(ops.exp)
    log = _float_function(ops.log)
    sqrt = _float_function(ops.sqrt)
    tanh = _float_function(ops.tanh)
    sigmoid = _float_function(ops.sigmoid)
    sin = _float_function(ops.sin)
    cos = _float_function(ops.cos)

    def abs(self) -> "Tensor":
        return Tensor._apply(ops.absolute, (self,))

    def relu(self) -> "Tensor":
        return Tensor._apply(ops.relu, (self,))

    def clip(self, min=None, max=None) -> "Tensor":
        """Limit values to [min, max], either bound optional; the gradient passes where
        min <= x <= max."""
        if min is None and max is None:
            raise TypeError("clip() needs min, max or both")
        floating = any(np.asarray(bound).dtype.kind == "f" for bound in (min, max))
        (x,) = _promoted((self,), floating)  # an integer tensor clipped at 0.5 becomes float
        if not x._floating():
            return Tensor._apply(ops.clip, (x,), (min, max))  # ±inf would make it float
        lo = -np.inf if min is None else min
        hi = np.inf if max is None else max
        return Tensor._apply(ops.clip, (x,), (lo, hi))

    # -- PyTorch's names -------------------------------------------------------------------
    # What PyTorch spells differently: aliases beside the methods they name (view = reshape
    # in shapes.py), the methods of spellings.TorchMethods, and dim= and keepdim= on every
    # method with an axis (@axis_or_dim); .size stays numpy's element count.

    clamp = clip


def _binary(op, floating=False):
    """Operator methods for op, plain and reflected, lifting numbers and arrays to Tensors.

    floating: the result is floating even for integer operands (true division).
    """

    def method(self, other):
        other = _lift(other, self)
        return (
            NotImplemented if other is None else _broadcast_apply(op, (self, other), (), floating)
        )

    def reflected(self, other):
        other = _lift(other, self)
        return (
            NotImplemented if other is None else _broadcast_apply(op, (other, self), (), floating)
        )

    return method, reflected


Tensor.__add__, Tensor.__radd__ = _binary(ops.add)
Tensor.__mul__, Tensor.__rmul__ = _binary(ops.mul)
Tensor.__truediv__, Tensor.__rtruediv__ = _binary(ops.div, floating=True)
Tensor.__pow__, Tensor.__rpow__ = _binary(ops.power)


def _comparison(ufunc):
    """A comparison operator: a bool Tensor outside the graph."""

    def method(self, other):
        other = _lift(other, self)
        if other is None:
            return NotImplemented
        return Tensor._from_data(np.asarray(ufunc(self._data, other._data)))

    return method


COMPARISONS = {  # operator method: its ufunc (ag.compile traces each by this table too)
    "__lt__": np.less, "__le__": np.less_equal, "__gt__": np.greater,
    "__ge__": np.greater_equal, "__eq__": np.equal, "__ne__": np.not_equal,
}  # fmt: skip
for _method, _ufunc in COMPARISONS.items():
    setattr(Tensor, _method, _comparison(_ufunc))


# -- functions on tensors ----------------------------------------------------------------


def _lift_all(*values):
    """The values as a tuple of Tensors, numbers and arrays taking the first Tensor's dtype."""
    if all(isinstance(v, Tensor) for v in values):
        return values
    like = next((v for v in values if isinstance(v, Tensor)), None)
    like = like if like is not None else Tensor(values[0])
    lifted = tuple(_lift(v, like) for v in values)
    for v, t in zip(values, lifted):
        if t is None:
            raise TypeError(f"expected a Tensor, array or number, got {type(v).__name__}")
    return lifted


def maximum(a, b) -> Tensor:
    """Elementwise max; at ties each side gets half the gradient."""
    return _broadcast_apply(ops.maximum, _lift_all(a, b))


def minimum(a, b) -> Tensor:
    """Elementwise min; at ties each side gets half the gradient."""
    return _broadcast_apply(ops.minimum, _lift_all(a, b))


def where(cond, a, b) -> Tensor:
    """a where cond holds, else b; the unused side's values never reach the gradient."""
    cond = np.asarray(cond._data if isinstance(cond, Tensor) else cond, dtype=bool)
    return _broadcast_apply(ops.where, _lift_all(a, b), (cond,))


@axis_or_dim
def concatenate(tensors, axis: int = 0) -> Tensor:
    tensors = _lift_all(*tensors) if tensors else ()
    if not tensors:
        raise ValueError("concatenate needs at least one tensor")
    axis = _axes(axis, tensors[0].ndim)[0]
    return Tensor._apply(ops.concatenate, _promoted(tensors), (axis,))


cat = concatenate  # PyTorch's name


@axis_or_dim
def stack(tensors, axis: int = 0) -> Tensor:
    """Join tensors of one shape along a new axis."""
    tensors = _lift_all(*tensors) if tensors else ()
    if not tensors:
        raise ValueError("stack needs at least one tensor")
    return concatenate([t.expand_dims(axis) for t in tensors], _axes(axis, tensors[0].ndim + 1)[0])


def scatter(g, index, shape) -> Tensor:
    """Zeros of shape with g added at index (the adjoint of indexing)."""
    return Tensor._apply(ops.scatter, (g,), (index, shape))


# -- what VJPs compute with under create_graph: Tensor ops -------------------------------


def _softmax(x, axis):
    """exp(x - logsumexp(x)) over axis, from x shifted by its max: exp(x - out) would lose the
    digits that rounding took from a large out (float32 at 1e4 keeps three decimals)."""
    x = x - arraymath.shift(x._data, axis)
    return (x - x.logsumexp(axis, keepdims=True)).exp()


def _mask(ufunc):
    """ufunc of a Tensor's data as a bool Tensor, outside the graph as comparisons are."""
    return lambda x: Tensor._from_data(np.asarray(ufunc(x._data)))


Tensor._graph_math = SimpleNamespace(
    records=True,
    divide=operator.truediv,
    power=operator.pow,
    equal=operator.eq,
    logical_not=_mask(np.logical_not),
    isnan=_mask(np.isnan),
    exp=Tensor.exp,
    log=Tensor.log,
    sin=Tensor.sin,
    cos=Tensor.cos,
    sigmoid=Tensor.sigmoid,
    maximum=maximum,
    where=where,
    broadcast_to=Tensor.broadcast_to,
    scatter=scatter,
    softmax=_softmax,
)
