"""Scalar: a Python float that records the ops applied to it (micrograd semantics)."""

import operator
from numbers import Real
from types import SimpleNamespace

from . import engine, floatmath, ops
from .mode import state
from .value import Value

_new = object.__new__


def _unary(op):
    """The method applying op to a Scalar."""
    forward = op.scalar

    def method(self):
        return _node(op, (self,), (), forward(self._data))

    return method


def _binary(op, commutative=False):
    """Operator methods for op, plain and reflected, taking a Scalar or a plain number.

    A number is not a node: it rides along as the op's parameter, in the place of the
    operand's data (the VJPs take it there), as PyTorch takes Python scalars. Only a number
    on the left of a non-commutative op is lifted to a constant node.
    """
    forward = op.scalar
    latest = [(None,)]  # the parameter tuple of the latest number operand

    def params(number):
        """(number,), shared with the previous call when it got this very number object: a
        loop's constant (x * 1.0001 in a chain) then costs its graph no tuple per node."""
        shared = latest[0]  # read once: another thread may replace it meanwhile
        if shared[0] is not number:
            shared = latest[0] = (number,)
        return shared

    def method(self, other):
        if type(other) is Scalar:
            return _node(op, (self, other), (), forward(self._data, other._data))
        number = _float(other)
        if number is None:
            return NotImplemented
        return _node(op, (self,), params(number), forward(self._data, number))

    def reflected(self, other):
        number = _float(other)
        if number is None:
            return NotImplemented
        if commutative:  # number op self == self op number, bit for bit
            return _node(op, (self,), params(number), forward(number, self._data))
        return _node(op, (_wrap(number), self), (), forward(number, self._data))

    return method, reflected


class Scalar(Value):
    """One number in the graph. backward() fills .grad on every node, as micrograd does."""

    __slots__ = ("_data", "grad")
    _retains_grad = True  # every node keeps its .grad, intermediate ones included
    _raw_math = floatmath  # what VJPs compute with in a plain backward (_graph_math: below)
    # numpy defers to our operators, which refuse arrays with a TypeError: a Scalar is one
    # number (arrays are Tensors), and numpy would otherwise build an object array of Scalars
    __array_ufunc__ = None

    def __init__(self, data: float, requires_grad: bool = True):
        if isinstance(data, Scalar):
            data = data._data
        number = None if isinstance(data, bool) else _float(data)
        if number is None:
            raise TypeError(f"Scalar holds a real number, got {type(data).__name__}")
        self._data, self.grad = number, 0.0
        self._init_node(requires_grad)

    @property
    def data(self) -> float:
        return self._data

    @data.setter
    def data(self, value):
        self._data = float(value)

    def __repr__(self):
        return f"Scalar(data={self.data}, grad={self.grad})"

    def backward(self, grad=None, retain_graph=True, create_graph: bool = False) -> None:
        """Add d self / d node to .grad of every node of the graph (micrograd: grads accumulate)."""
        engine.backward([self], [grad], retain_graph, create_graph)

    # -- arithmetic: plain numbers on either side -------------------------------------------

    __add__, __radd__ = _binary(ops.add, commutative=True)
    __mul__, __rmul__ = _binary(ops.mul, commutative=True)
    __truediv__, __rtruediv__ = _binary(ops.div)
    __pow__, __rpow__ = _binary(ops.power)
    __neg__ = _unary(ops.neg)
    __abs__ = abs = _unary(ops.absolute)
    exp, log, sqrt = _unary(ops.exp), _unary(ops.log), _unary(ops.sqrt)
    sin, cos, tanh = _unary(ops.sin), _unary(ops.cos), _unary(ops.tanh)
    sigmoid, relu = _unary(ops.sigmoid), _unary(ops.relu)

    def __sub__(self, other):
        if type(other) is Scalar:
            return self + (-other)
        number = _float(other)  # negated as a float: -np.uint8(7) would wrap around
        return NotImplemented if number is None else self + (-number)

    def __rsub__(self, other):
        return (-self) + other if _float(other) is not None else NotImplemented

    # Comparisons give plain bools (the VJPs use them as 0/1 masks); == stays identity.
    def __lt__(self, other):
        return self._data < _number(other)

    def __le__(self, other):
        return self._data <= _number(other)

    def __gt__(self, other):
        return self._data > _number(other)

    def __ge__(self, other):
        return self._data >= _number(other)

    # -- what the core and Value ask of a kind ---------------------------------------------

    def _seed(self, grad, create_graph):
        if create_graph:
            return grad if isinstance(grad, Scalar) else _wrap(_seed_number(grad))
        return _seed_number(grad)

    @staticmethod
    def _as_value(raw):
        return _wrap(raw)

    @classmethod
    def _leaf(cls, raw, requires_grad):
        return cls(float(raw), requires_grad)

    def _accumulate_grad(self, g, handed):
        self.grad += g._data if isinstance(g, Scalar) else g

    def _versions(self):
        return ()

    def _floating(self):
        return True

    def _all_finite(self):
        return self._data - self._data == 0  # False for inf and NaN

    def _describe(self):
        return "scalar"


# What VJPs compute with under create_graph: Scalar ops (set here, as it names the methods).
Scalar._graph_math = SimpleNamespace(
    records=True,
    divide=operator.truediv,
    power=operator.pow,
    equal=lambda x, y: _number(x) == _number(y),
    logical_not=operator.not_,  # comparisons of Scalars give bools
    exp=Scalar.exp,
    log=Scalar.log,
    sin=Scalar.sin,
    cos=Scalar.cos,
    sigmoid=Scalar.sigmoid,
)


def _node(op, inputs, params, data):
    """Value._record unrolled for floats, as calling it slows Scalar ops, scalar code's hot path.

    Every Scalar op has one or two inputs.
    """
    out = _wrap(data)
    if state.grad_enabled and (inputs[0]._requires_grad or inputs[-1]._requires_grad):
        out._requires_grad, out._op, out._inputs, out._params = True, op, inputs, params
    if state.anomaly:
        out._watch(op, inputs)
    return out


def _wrap(data):
    """A Scalar holding the float data, in no graph (one statement per slot: the fastest way)."""
    s = _new(Scalar)
    s._data = data
    s.grad = 0.0
    s._requires_grad = False
    s._op = None
    s._inputs = ()
    s._params = ()
    s._saved = ()
    s._hooks = None
    s._origin = None
    return s


def _float(value):
    """A real number (numpy's real scalars included, arrays not) as a float, None for anything
    else."""
    if type(value) is float:
        return value
    return float(value) if isinstance(value, int | float | Real) else None


def _seed_number(grad):
    return 1.0 if grad is None else float(_number(grad))


def _number(value):
    if isinstance(value, Scalar):
        return value._data
    if isinstance(value, int | float | Real):
        return value
    raise TypeError(f"cannot compare a Scalar with {type(value).__name__}")
