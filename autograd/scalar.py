"""Scalar: a Python float that records the ops applied to it (micrograd semantics)."""

from . import engine, ops
from .value import Value


class Scalar(Value):
    """One number in the graph. backward() fills .grad on every node, as micrograd does."""

    __slots__ = ("_data", "grad")
    _retains_grad = True  # every node keeps its .grad, intermediate ones included

    def __init__(self, data: float, requires_grad: bool = True):
        if isinstance(data, Scalar):
            data = data._data
        if not isinstance(data, int | float) or isinstance(data, bool):
            raise TypeError(f"Scalar holds a real number, got {type(data).__name__}")
        self._data, self.grad = float(data), 0.0
        self._init_node(requires_grad)

    @property
    def data(self) -> float:
        return self._data

    @data.setter
    def data(self, value):
        self._data = float(value)

    @classmethod
    def _from_data(cls, data):
        s = object.__new__(cls)
        s._data, s.grad = data, 0.0
        s._requires_grad, s._op, s._inputs, s._params, s._saved = False, None, (), (), ()
        s._hooks = s._origin = None
        return s

    @staticmethod
    def _forward(op, inputs, params):
        return op.scalar(*[x._data for x in inputs])

    def __repr__(self):
        return f"Scalar(data={self.data}, grad={self.grad})"

    def backward(self, grad=None, retain_graph=True, create_graph: bool = False) -> None:
        """Add d self / d node to .grad of every node of the graph (micrograd: grads accumulate)."""
        engine.backward([self], [grad], retain_graph, create_graph)

    # -- arithmetic: plain numbers on either side -------------------------------------------

    def __neg__(self):
        return Scalar._apply(ops.neg, (self,))

    def __sub__(self, other):
        other = _lift(other)
        return NotImplemented if other is None else self + (-other)

    def __rsub__(self, other):
        other = _lift(other)
        return NotImplemented if other is None else other + (-self)

    def __abs__(self):
        return Scalar._apply(ops.abs, (self,))

    def exp(self):
        return Scalar._apply(ops.exp, (self,))

    def log(self):
        return Scalar._apply(ops.log, (self,))

    def sqrt(self):
        return Scalar._apply(ops.sqrt, (self,))

    def abs(self):
        return Scalar._apply(ops.abs, (self,))

    def tanh(self):
        return Scalar._apply(ops.tanh, (self,))

    def sigmoid(self):
        return Scalar._apply(ops.sigmoid, (self,))

    def relu(self):
        return Scalar._apply(ops.relu, (self,))

    def sin(self):
        return Scalar._apply(ops.sin, (self,))

    def cos(self):
        return Scalar._apply(ops.cos, (self,))

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
            return grad if isinstance(grad, Scalar) else Scalar._from_data(_seed_number(grad))
        return _seed_number(grad)

    @staticmethod
    def _as_value(raw):
        return Scalar._from_data(raw)

    def _accumulate_grad(self, g, fresh):
        self.grad += g._data if isinstance(g, Scalar) else g
        return False

    def _versions(self):
        return ()

    def _floating(self):
        return True

    def _all_finite(self):
        return self._data - self._data == 0  # False for inf and NaN

    def _describe(self):
        return "scalar"


def _binary(op):
    """Operator methods for op, plain and reflected, accepting plain numbers."""

    def method(self, other):
        other = _lift(other)
        return NotImplemented if other is None else Scalar._apply(op, (self, other))

    def reflected(self, other):
        other = _lift(other)
        return NotImplemented if other is None else Scalar._apply(op, (other, self))

    return method, reflected


Scalar.__add__, Scalar.__radd__ = _binary(ops.add)
Scalar.__mul__, Scalar.__rmul__ = _binary(ops.mul)
Scalar.__truediv__, Scalar.__rtruediv__ = _binary(ops.div)
Scalar.__pow__, Scalar.__rpow__ = _binary(ops.pow)


def _lift(value):
    """A number as a constant Scalar (no grad); None if it is not a number."""
    if isinstance(value, Scalar):
        return value
    if isinstance(value, int | float):
        return Scalar._from_data(float(value))
    return None


def _seed_number(grad):
    return 1.0 if grad is None else float(_number(grad))


def _number(value):
    if isinstance(value, Scalar):
        return value._data
    if isinstance(value, int | float):
        return value
    raise TypeError(f"cannot compare a Scalar with {type(value).__name__}")
