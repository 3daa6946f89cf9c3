"""What Scalar and Tensor share: the op record and the graph-value protocol the core walks."""

import inspect
import traceback

from .mode import state


class Op:
    """A primitive: forward on raw data, one VJP per input on graph values.

    vjps[i](g, out, *inputs, *params) is the cotangent of input i given the gradient g
    of the output out. `reads` names the VJP arguments (out, inputs) whose values the VJPs
    use, None for all: backward refuses only a change in place of those. `scalar` is the
    forward on Python floats, None for tensor-only ops. `view` marks ops whose output shares
    memory with their first input (True, or a test of the params). An op that `keeps` returns
    (output array, kept) from forward: what it computed on the way that its VJPs would
    otherwise recompute (a softmax). The record passes kept as the last parameter.
    """

    __slots__ = ("name", "forward", "vjps", "reads", "scalar", "view", "keeps")

    def __init__(self, name, forward, *vjps, reads, scalar=None, view=False, keeps=False):
        self.name, self.forward, self.vjps = name, forward, vjps
        self.reads = _positions(reads, vjps)
        self.scalar, self.view, self.keeps = scalar, view, keeps

    def cotangents(self, args, inputs, wanted):
        """(input, cotangent) for each input that requires grad and is wanted (None: all).

        args = (g, out, *inputs, *params), what every VJP takes: graph values, or their data.
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


class Value:
    """A node of the recorded graph: a leaf, or the output of an op applied to inputs."""

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

        The VJPs run on graph values when graph is True, else on the raw data.
        """
        op, inputs, saved = self._op, self._inputs, self._saved
        if saved is None or saved and saved != self._versions():
            self._check_saved()
        if graph:
            args = (g, self, *inputs) + self._params
        elif len(inputs) == 1:  # the commonest cases, spelled out: cheaper than a comprehension
            args = (g, self._data, inputs[0]._data) + self._params
        elif len(inputs) == 2:
            args = (g, self._data, inputs[0]._data, inputs[1]._data) + self._params
        else:
            args = (g, self._data, *[x._data for x in inputs]) + self._params
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


def _positions(names, vjps):
    """Where the named VJP arguments sit in (out, *inputs), from the first VJP's signature.

    None stands for all of them (a custom Function, whose backward may read any)."""
    if not names:
        return None if names is None else ()
    arguments = list(inspect.signature(vjps[0]).parameters)[1:]  # after g: out, inputs, params
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
