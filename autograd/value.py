"""What Scalar and Tensor share: the op record, the node base class, and as code the
protocols the core walks (Node), each kind provides (Kind) and VJPs compute with (Maths)."""

import inspect
import traceback
from typing import Any, Protocol, runtime_checkable

from .mode import state


class Op:
    """A primitive: forward on raw data, one VJP per input.

    vjps[i](m, g, out, *inputs, *params) is the cotangent of input i given the gradient g
    of the output out, computed with the maths m (see Maths). `reads` names the VJP arguments
    (out, inputs) whose values the VJPs use, None for all: backward refuses only a change in
    place of those. `scalar` is the forward on Python floats, None for tensor-only ops.
    `view` marks ops whose output shares memory with their first input (True, or a test of
    the params). An op that `keeps` returns (output array, kept) from forward: what it
    computed on the way that its VJPs would otherwise recompute (a softmax). The record
    passes kept as the last parameter.
    """

    __slots__ = ("name", "forward", "vjps", "reads", "scalar", "view", "keeps")

    def __init__(self, name, forward, *vjps, reads, scalar=None, view=False, keeps=False):
        self.name, self.forward, self.vjps = name, forward, vjps
        self.reads = _positions(name, reads, vjps)
        self.scalar, self.view, self.keeps = scalar, view, keeps

    def cotangents(self, args, inputs, wanted):
        """(input, cotangent) for each input that requires grad and is wanted (None: all).

        args = (m, g, out, *inputs, *params), what every VJP takes: graph values, or their data.
        Inputs are taken last first, so linear's bias sums g while g is still in the cache.
        """
        pairs, vjps = [], self.vjps
        for i in range(len(inputs) - 1, -1, -1):
            x = inputs[i]
            if x._requires_grad and (wanted is None or x in wanted):
                pairs.append((x, vjps[i](*args)))
        return pairs

    def __repr__(self):
        return f"Op({self.name})"


class Maths(Protocol):
    """What a VJP computes with, besides operators and the methods arrays share with Tensor.

    floatmath and arraymath (modules) hold it for raw data, in a plain backward; each kind's
    _graph_math applies the kind's own ops, under create_graph, so the gradient is recorded.
    """

    records: bool  # whether the results are graph values

    # used by the ops both kinds have
    def divide(self, x, y):
        """x / y, with IEEE's inf and NaN where y is 0 (no ZeroDivisionError)."""

    def power(self, x, y):
        """x ** y, NaN for a negative base to a fractional power (no complex number)."""

    def equal(self, x, y):
        """x == y elementwise, as a mask (Scalar's own == is identity)."""

    def logical_not(self, mask):
        """The negation of a comparison's result."""

    def exp(self, x): ...
    def log(self, x): ...
    def sin(self, x): ...
    def cos(self, x): ...
    def sigmoid(self, x): ...

    # used by Tensor ops only
    def isnan(self, x): ...
    def maximum(self, x, y): ...
    def where(self, cond, x, y): ...
    def broadcast_to(self, x, shape): ...
    def softmax(self, x, axis):
        """exp(x) / sum(exp(x)) over axis, a tuple."""

    def scatter(self, g, index, shape):
        """Zeros of shape with g added at index (repeats add up): the adjoint of x[index]."""


@runtime_checkable
class Node(Protocol):
    """What the core (engine.py) reads and calls on every value of a graph."""

    requires_grad: bool
    _op: Op | None  # None for a leaf
    _inputs: tuple  # the values the op was applied to
    _hooks: tuple | None
    _retains_grad: bool  # whether backward() fills .grad though it is not a leaf

    def _seed(self, grad, create_graph):
        """The gradient a sweep starts from (grad, or one for None): raw, or a graph value."""

    def _run_hooks(self, g, graph):
        """g passed through the registered hooks."""

    def _backprop(self, g, wanted, graph) -> list:
        """(input, cotangent) for each input that requires grad (and is wanted)."""

    def _accumulate_grad(self, g, handed) -> None:
        """Add g into .grad (handed: gradient buffers this sweep gave away, not to reuse)."""

    def _free(self) -> None:
        """Release what only a second backward would need."""

    def _as_value(self, raw):
        """Raw data (a float or an array) as a value of this kind outside the graph."""


@runtime_checkable
class Kind(Protocol):
    """What Value and the transforms (gradcheck, functional) ask of each kind of value (Scalar,
    Tensor), besides the slots Value declares."""

    _data: Any  # a float, or a numpy array
    _raw_math: Maths  # floatmath or arraymath
    _graph_math: Maths  # the kind's own ops

    @classmethod
    def _leaf(cls, raw, requires_grad: bool):
        """A new leaf holding raw data: an array of the value's shape, or a float."""

    def _versions(self) -> tuple:
        """The version counters of the output and the inputs, to check at backward."""

    def _floating(self) -> bool:
        """Whether a gradient can flow into this value."""

    def _all_finite(self) -> bool: ...
    def _describe(self) -> str: ...


class Value:
    """A node of the recorded graph: a leaf, or the output of an op applied to inputs.

    Subclassed by each Kind; the engine walks it as a Node.
    """

    __slots__ = (
        "_requires_grad", "_op", "_inputs", "_params", "_saved", "_hooks", "_origin", "_scope",
        "__weakref__",
    )  # fmt: skip
    # _scope is set only on the outputs of recorded ops: the tag mode.state.scope held then

    def _init_node(self, requires_grad):
        self._requires_grad = requires_grad
        self._op, self._inputs, self._params, self._saved = None, (), (), ()
        self._hooks, self._origin = None, None

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @property
    def is_leaf(self) -> bool:
        """True for values not made by a recorded op (PyTorch's definition)."""
        return self._op is None

    @classmethod
    def _apply(cls, op, inputs, params=()):
        """Run op forward on the inputs' data; record it when grad mode needs it.

        params is a tuple: the VJPs get it appended to their other arguments.
        """
        data = cls._forward(op, inputs, params)
        if op.keeps:
            data, kept = data
            params = (*params, kept)
        out = cls._from_data(data)
        if op.view and (op.view is True or op.view(*params)):
            out._version = inputs[0]._version  # a view changes when its base does
        out._record(op, inputs, params)
        return out

    def _record(self, op, inputs, params):
        """Make self the output of op on inputs in the graph, when grad mode needs it."""
        if state.grad_enabled:
            for x in inputs:
                if x._requires_grad:
                    if self._floating():
                        self._requires_grad = True
                        self._op, self._inputs, self._params = op, inputs, params
                        self._saved, self._scope = self._versions(), state.scope
                    break
        if state.anomaly:
            self._watch(op, inputs)

    def _watch(self, op, inputs):
        """detect_anomaly: note where this value was made; refuse a forward with NaN or inf."""
        self._origin = _user_frame()
        if not self._all_finite():
            self._anomaly(f"the forward output of '{op.name}'", op, inputs)

    # -- what the core calls ------------------------------------------------------------

    def _backprop(self, g, wanted, graph):
        """(input, cotangent) for each input that requires grad (and leads to a target).

        The VJPs run on graph values with the kind's own ops (_graph_math) when graph is True,
        else on the raw data with floatmath or arraymath (_raw_math).
        """
        op, inputs, saved = self._op, self._inputs, self._saved
        if saved is None or saved and saved != self._versions():
            self._check_saved()
        if graph:
            args = (self._graph_math, g, self, *inputs) + self._params
        elif len(inputs) == 1:  # the commonest cases, spelled out: cheaper than a comprehension
            args = (self._raw_math, g, self._data, inputs[0]._data) + self._params
        elif len(inputs) == 2:
            args = (self._raw_math, g, self._data, inputs[0]._data, inputs[1]._data) + self._params
        else:
            args = (self._raw_math, g, self._data, *[x._data for x in inputs]) + self._params
        pairs = op.cotangents(args, inputs, wanted)
        if state.anomaly:
            for x, cotangent in pairs:
                if not x._as_value(cotangent)._all_finite():
                    self._anomaly(f"the gradient computed by '{op.name}'")
        return pairs

    def _check_saved(self):
        """Refuse a backward through freed buffers or through inputs changed in place."""
        if self._saved is None:
            raise RuntimeError(
                f"Trying to backward through the graph a second time (at '{self._op.name}'): "
                "its saved values were freed by the first backward. Pass retain_graph=True "
                "to the first backward() or grad() call to backward through it again."
            )
        if self._saved != self._versions():
            raise RuntimeError(
                f"a value saved by '{self._op.name}' for backward was modified by an in-place "
                f"operation after it was saved (versions {self._saved} then "
                f"{self._versions()}); compute the gradient before changing it, or change a copy."
            )

    def _free(self):
        """Mark the graph consumed: a second backward through it raises."""
        self._saved = None

    def _anomaly(self, what, op=None, inputs=None):
        """Raise for NaN or inf found in what this node's op computed."""
        shapes = ", ".join(str(x._describe()) for x in (inputs or self._inputs))
        where = f"; the op was created at {self._origin}" if self._origin else ""
        raise RuntimeError(f"detect_anomaly: {what} holds NaN or inf (inputs: {shapes}){where}")

    def _run_hooks(self, g, graph):
        """Pass the gradient through the registered hooks; each may replace it."""
        g = g if graph else self._as_value(g)
        for hook in self._hooks:
            replaced = hook(g)
            g = g if replaced is None else replaced
        return g if graph else g._data

    # -- public graph methods, the same for both kinds ----------------------------------

    def register_hook(self, fn):
        """Call fn(grad) when this value's gradient is computed; a returned value replaces it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a value that does not require grad")
        if not callable(fn):
            raise TypeError(f"a hook must be callable, got {type(fn).__name__}")
        self._hooks = (self._hooks or ()) + (fn,)
        return _HookHandle(self, fn)


def _positions(op, names, vjps):
    """Where the named VJP arguments sit in (out, *inputs), from the first VJP's signature;
    a TypeError or ValueError naming op when a VJP's signature cannot serve.

    None stands for all of them (a custom Function, whose backward may read any)."""
    signatures = [list(inspect.signature(vjp).parameters) for vjp in vjps]
    for arguments in signatures:
        if arguments[:2] != ["m", "g"]:
            raise TypeError(
                f"op '{op}': a VJP takes (m, g, out, *inputs, *params), "
                f"got ({', '.join(arguments)})"
            )
    if not names:
        return None if names is None else ()
    arguments = signatures[0][2:]  # out, inputs, params
    for name in names.split():
        if name not in arguments:
            raise ValueError(
                f"op '{op}': reads= names {name!r}, not an argument of its VJP "
                f"({', '.join(arguments)})"
            )
    return tuple(arguments.index(name) for name in names.split())


class _HookHandle:
    """Returned by register_hook; remove() unregisters the hook."""

    def __init__(self, value, fn):
        self.value, self.fn = value, fn

    def remove(self):
        self.value._hooks = tuple(h for h in self.value._hooks or () if h is not self.fn)


def _user_frame():
    """'file:line in function' of the innermost caller outside this package."""
    package = __file__.rsplit("/", 1)[0]
    for frame in reversed(traceback.extract_stack()):
        if not frame.filename.startswith(package):
            return f"{frame.filename}:{frame.lineno} in {frame.name}"
    return None
