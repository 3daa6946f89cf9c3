"""ag.compile: trace a function once, then replay the numpy calls it made, with no graph objects.

A trace runs fn eagerly while a few Tensor entry points are swapped for recording versions
(only for the duration of a trace; only the tracing thread records, other threads pass
through). What the engine executes becomes a list of Steps, each a function with the slots it
reads and the slot it writes: an op's forward, a VJP as the backward sweep ran it, the sum of
two cotangents, an accumulation into .grad, an in-place update, a live read of a parameter, or
a call to a function marked `replayed` (an optimizer's step(), a random draw), which runs again
as a whole. A replay runs the Steps on a fresh list of slots filled with the new arguments.
"""

import functools
import operator
import threading
import traceback
import warnings
from pathlib import Path

import numpy as np

from . import arraymath, ops
from . import random as _random
from .dtypes import as_array
from .operands import _lift
from .scalar import Scalar
from .tensor import COMPARISONS, Tensor

_AUTOGRAD = str(Path(__file__).resolve().parent)
_NN = str(Path(__file__).resolve().parent.parent / "nn")
_local = threading.local()  # .tracer: the _Tracer recording on this thread, if any


class CompileError(RuntimeError):
    """fn cannot be traced faithfully: it reads a traced value, or does what a replay cannot."""


def _tracer():
    return getattr(_local, "tracer", None)


class Step:
    """One replayed call: slots[write] = fn(*slots[reads]) (write None: nothing kept)."""

    __slots__ = ("fn", "reads", "write", "text")

    def __init__(self, fn, reads, write, text):
        self.fn, self.reads, self.write, self.text = fn, tuple(reads), write, text

    def __repr__(self):
        return self.text


class Trace:
    """The Steps recorded for one argument signature, and how to feed and read them."""

    def __init__(self, signature, steps, constants, bindings, output, guards):
        self.signature, self.steps, self.constants = signature, steps, constants
        self.bindings, self.output = bindings, output  # (argument, data slot, object slot)
        self.guards = guards  # (Tensor, its .grad was None) at the start of the traced call
        self.program = [(s.fn, _getter(s.reads), s.write) for s in steps]

    def replay(self, values):
        slots = self.constants.copy()
        slots[_HANDED] = set()  # what .grad buffers this step handed out (see _accumulate_grad)
        for i, data_slot, object_slot in self.bindings:
            value = values[i]
            if type(value) is np.ndarray:
                slots[data_slot] = value
            else:
                slots[data_slot], slots[object_slot] = value._data, value
        for fn, read, write in self.program:
            result = fn(*read(slots))
            if write is not None:
                slots[write] = result
        return _build(self.output, slots)

    def explain(self) -> str:
        lines = [f"trace for arguments {self.signature}: {len(self.steps)} steps"]
        return "\n".join(lines + [f"  {step.text}" for step in self.steps])


def _getter(reads):
    """A function from the slots to the tuple of those at reads."""
    if len(reads) > 1:
        return operator.itemgetter(*reads)
    return (lambda slots: (slots[reads[0]],)) if reads else (lambda slots: ())


_HANDED = 0  # the slot holding the set of buffers that .grad keeps, fresh each replay


class _Out:
    """In a trace's output template: a Tensor whose data is in slot."""

    __slots__ = ("slot",)

    def __init__(self, slot):
        self.slot = slot


def _build(template, slots):
    """fn's return value rebuilt from its template: Tensors holding this replay's results."""
    if type(template) is _Out:
        return Tensor._from_data(slots[template.slot])
    if isinstance(template, tuple | list):
        return type(template)(_build(t, slots) for t in template)
    if isinstance(template, dict):
        return {key: _build(t, slots) for key, t in template.items()}
    return template


class _Tracer:
    """Records the Steps of one traced call; arrays are known by identity (kept alive)."""

    def __init__(self, fallback):
        self.fallback, self.failure = fallback, None
        self.steps, self.constants, self.names = [], [], []
        self.slot_of = {}  # id(array) -> slot holding it
        self.kept = []  # every array in slot_of, alive until the trace ends: ids stay unique
        self.objects = {}  # id(Tensor) -> slot holding that Tensor object
        self.pending = {}  # node -> slots of the cotangents the sweep will sum for it
        # (Tensor, whether its .grad was None) for each .grad fn read before setting it: Python
        # may branch on it (zero_grad(set_to_none=False) does), so a replay needs the same
        self.guards, self.grads_set = [], set()
        self.new_slot(None, "handed")

    # -- slots -----------------------------------------------------------------------------

    def new_slot(self, value=None, name=None):
        slot = len(self.constants)
        self.constants.append(value)
        self.names.append(name or f"%{slot}")
        return slot

    def constant(self, value):
        return self.new_slot(value, _short(value))

    def bind(self, array, slot):
        self.slot_of[id(array)] = slot
        self.kept.append(array)

    def emit(self, fn, reads, name, result=None, write=True):
        """Record fn(*reads); result, when given, is the array its new slot holds."""
        slot = self.new_slot() if write else None
        if result is not None:
            self.bind(result, slot)
        args = ", ".join(self.names[i] for i in reads)
        text = f"{name}({args})" if slot is None else f"%{slot} = {name}({args})"
        self.steps.append(Step(fn, reads, slot, text))
        return slot

    def traces(self, t):
        """True when t's values come from the arguments or from parameters."""
        return id(t._data) in self.slot_of or t._requires_grad

    def source(self, t):
        """The slot holding t's data: traced already, or read from t afresh on each replay."""
        data = t._data
        slot = self.slot_of.get(id(data))
        if slot is not None:
            return slot
        self.refuse_derived(data, "a Tensor's data")
        if data.ndim == 0 and not t._requires_grad:  # a number lifted to a Tensor
            slot = self.constant(data)
            self.bind(data, slot)
            return slot
        return self.emit(_data_of, [self.object(t)], "read", data)

    def object(self, t):
        """The slot holding the Tensor object t (an argument's, or a parameter itself)."""
        slot = self.objects.get(id(t))
        if slot is None:
            slot = self.objects[id(t)] = self.new_slot(t, _describe(t))
            self.kept.append(t)
        return slot

    def param(self, p):
        """The slot of an op's parameter: a traced array, or a constant."""
        if isinstance(p, np.ndarray):
            slot = self.slot_of.get(id(p))
            if slot is not None:
                return slot
            self.refuse_derived(p, "an op's array parameter")
        elif isinstance(p, tuple):
            for item in p:
                if isinstance(item, np.ndarray) and id(item) in self.slot_of:
                    self.refuse("indexing with a traced index array")
                if isinstance(item, np.ndarray):
                    self.refuse_derived(item, "an index array")
        return self.constant(p)

    def refuse_derived(self, array, what):
        """Refuse an array that is a view of a traced one: numpy work outside the op table."""
        base = array.base
        while base is not None:
            if id(base) in self.slot_of:
                self.refuse(f"{what} is a numpy view of a traced array, made outside the op table")
                return
            base = base.base if isinstance(base, np.ndarray) else None

    # -- what the swapped entry points record ----------------------------------------------

    def forward(self, op, inputs, params, out):
        """Record the forward of out; a keeping op's params end with what its forward kept."""
        if ops.TABLE.get(op.name) is not op:
            self.refuse(f"op '{op.name}' is not in the op table (an autograd.Function?)")
            return
        if op.keeps:
            params, kept = params[:-1], params[-1]
        reads = [self.source(x) for x in inputs] + [self.param(p) for p in params]
        if not op.keeps:
            self.emit(_forward_of(op), reads, op.name, out._data)
            return
        pair = self.emit(op.forward, reads, op.name)
        self.emit(_first, [pair], f"{op.name}.out", out._data)
        if out._op is not None:  # the VJP reads what forward kept
            self.emit(_second, [pair], f"{op.name}.kept", kept)

    def vjps(self, node, recorded, g_slot, pairs):
        """Record the VJPs node's _backprop ran: input i's, for each input requiring grad.

        recorded is node's (op, inputs, params), taken before _backprop could release them.
        """
        op, inputs, params = recorded
        out_slot = self.slot_of.get(id(node._data))
        if out_slot is None:
            self.refuse("backward through a graph built outside the compiled function")
            return
        reads = [g_slot, out_slot, *[self.source(x) for x in inputs]]
        reads += [self.param(p) for p in params]
        if op is ops.concatenate:  # its cotangents are slices of g, in input order
            axis, fns, end = params[0], [], 0
            for x in inputs:
                start, end = end, end + x.shape[axis]
                fns.append(functools.partial(_take, (slice(None),) * axis + (slice(start, end),)))
            order = range(len(inputs))
        else:  # Op.cotangents takes inputs last first; replay runs on arrays
            fns = [functools.partial(vjp, arraymath) for vjp in op.vjps]
            order = range(len(inputs) - 1, -1, -1)
        indices = [i for i in order if inputs[i]._requires_grad]
        for i, (x, cotangent) in zip(indices, pairs, strict=True):
            slot = self.emit(fns[i], reads, f"{op.name}.vjp{i}", cotangent)
            self.pending.setdefault(x, []).append(slot)

    def cotangent(self, node, g):
        """The slot of the gradient the sweep hands node: a seed, one cotangent, or their sum."""
        parts = self.pending.pop(node, [])
        if len(parts) > 1:
            total = parts[0]
            for part in parts[1:-1]:
                total = self.emit(operator.add, [total, part], "add")
            return self.emit(operator.add, [total, parts[-1]], "add", g)
        slot = self.slot_of.get(id(g))
        if slot is None:
            self.refuse("a gradient that did not come from the traced backward")
        return slot

    def call(self, fn, args, kwargs, result):
        """Record a call to a `replayed` function, to run again as a whole on each replay."""
        for value in (*args, *kwargs.values()):
            if isinstance(value, Tensor) and self.traces(value):
                self.refuse(f"a traced Tensor passed to {fn.__qualname__}, which is replayed whole")
        run = functools.partial(fn, *args, **kwargs)
        if result is None:
            self.emit(run, [], f"call {fn.__qualname__}", write=False)
        elif isinstance(result, Tensor):
            self.emit(_data_of_call(run), [], f"call {fn.__qualname__}", result._data)
        else:
            self.refuse(f"{fn.__qualname__} returns a {type(result).__name__}, not a Tensor")

    def output(self, value):
        """fn's return value as a template for _build."""
        if isinstance(value, Tensor):
            return _Out(self.source(value))
        if isinstance(value, Scalar):
            self.refuse("returning a Scalar (ag.compile works on Tensors)")
        if isinstance(value, tuple | list):
            return type(value)(self.output(v) for v in value)
        if isinstance(value, dict):
            return {key: self.output(v) for key, v in value.items()}
        return value

    def refuse(self, what):
        """Raise CompileError for what, or with fallback stop tracing and run on eagerly."""
        message = (
            f"{what} at {_user_line()}: a replay cannot repeat this. Keep it outside the "
            "compiled function, or use ag.compile(fn, fallback=True) to run fn eagerly"
        )
        if not self.fallback:
            raise CompileError(message)
        if self.failure is None:
            self.failure = message
        _local.tracer = None  # the rest of this call runs eagerly, unrecorded


def _user_line():
    """'file:line in function' of the innermost caller outside autograd (and nn, if any)."""
    frames = [f for f in traceback.extract_stack() if not f.filename.startswith(_AUTOGRAD)]
    where = [f for f in frames if not f.filename.startswith(_NN)] or frames
    inner, user = frames[-1], where[-1]
    text = f"{user.filename}:{user.lineno} in {user.name}"
    if inner is not user:
        text = f"{inner.filename}:{inner.lineno} in {inner.name}, called from {text}"
    return text


def _short(value):
    if isinstance(value, np.ndarray):
        return f"const{value.shape}" if value.ndim else f"const({value.item()!r})"
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


def _describe(t):
    return f"<{type(t).__name__} {t.shape} {t.dtype}>"


def _data_of(t):
    return t._data


def _data_of_call(run):
    return lambda: run()._data


def _take(index, g, *rest):
    return g[index]


_first, _second = operator.itemgetter(0), operator.itemgetter(1)


@functools.cache
def _forward_of(op):
    """op's forward as Tensor._forward runs it: a numpy scalar result becomes a 0-d array."""
    forward = op.forward

    def run(*args):
        out = forward(*args)
        return out if type(out) is np.ndarray else np.asarray(out)

    run.__name__ = op.name
    return run


def _accumulate(t, g, handed):
    """Add g to t.grad as the backward sweep does; the new .grad's data."""
    t._accumulate_grad(g, handed)
    return t._grad._data


def _set_grad(t, data):
    t._grad = None if data is None else Tensor._from_data(data)


def _update_in_place(update, data, operand):
    update(data, operand, out=data)


def _grad_data(t):
    return t._grad._data


# -- the entry points swapped while a trace runs ---------------------------------------------


def _wrapped_record(self, op, inputs, params):
    _ORIGINAL["_record"](self, op, inputs, params)
    tracer = _tracer()
    if tracer is not None:
        tracer.forward(op, inputs, params, self)


def _wrapped_backprop(self, g, wanted, graph):
    tracer = _tracer()
    g_slot = None
    if tracer is not None:
        if graph or wanted is not None:
            tracer.refuse("create_graph=True or ag.grad() (only backward() is traced)")
        else:
            g_slot = tracer.cotangent(self, g)
    recorded = self._op, self._inputs, self._params
    pairs = _ORIGINAL["_backprop"](self, g, wanted, graph)
    if tracer is not None:
        tracer.vjps(self, recorded, g_slot, pairs)
    return pairs


def _wrapped_accumulate_grad(self, g, handed):
    tracer = _tracer()
    if tracer is None or isinstance(g, Tensor):
        return _ORIGINAL["_accumulate_grad"](self, g, handed)
    if self._op is not None:
        tracer.refuse("retain_grad() on an intermediate value")
    g_slot = tracer.cotangent(self, g)
    tracer.grads_set.add(id(self))  # its .grad is not None from here on
    _ORIGINAL["_accumulate_grad"](self, g, handed)
    reads = [tracer.object(self), g_slot, _HANDED]
    tracer.emit(_accumulate, reads, "accumulate_grad", self._grad._data)


def _wrapped_seed(self, grad, create_graph):
    seed = _ORIGINAL["_seed"](self, grad, create_graph)
    tracer = _tracer()
    if tracer is not None and not create_graph:
        if isinstance(grad, Tensor) and tracer.traces(grad):
            reads = [tracer.source(grad), tracer.constant(self.dtype)]
            tracer.emit(_as_dtype, reads, "seed", seed)
        else:
            tracer.bind(seed, tracer.constant(seed))
    return seed


def _as_dtype(data, dtype):
    return np.array(data, dtype=dtype)


def _wrapped_run_hooks(self, g, graph):
    tracer = _tracer()
    if tracer is not None:
        tracer.refuse("a gradient hook (register_hook)")
    return _ORIGINAL["_run_hooks"](self, g, graph)


def _wrapped_inplace(self, name, update, other):
    tracer = _tracer()
    if tracer is None:
        return _ORIGINAL["_inplace"](self, name, update, other)
    operand = _lift(other, self, copy=False)
    if operand is not None:
        if not isinstance(other, Tensor) and operand.ndim and not tracer.traces(operand):
            tracer.refuse(
                f"{name} with a numpy array computed outside the op table (an optimizer's "
                "step() must be marked autograd.jit.replayed)"
            )
        reads = [tracer.source(self), tracer.source(operand)]
        tracer.emit(functools.partial(_update_in_place, update), reads, name, write=False)
    return _ORIGINAL["_inplace"](self, name, update, other if operand is None else operand)


def _wrapped_init(self, data, requires_grad=False, dtype=None):
    _ORIGINAL["__init__"](self, data, requires_grad, dtype)
    tracer = _tracer()
    if tracer is None:
        return
    source = data._data if isinstance(data, Tensor) else data
    slot = tracer.slot_of.get(id(source)) if isinstance(source, np.ndarray) else None
    if slot is not None and self._data is not source:
        tracer.emit(as_array, [slot, tracer.constant(dtype)], "tensor", self._data)


def _get_grad(self):
    g = self._grad
    tracer = _tracer()
    if tracer is not None and id(self) not in tracer.grads_set:
        tracer.guards.append((self, g is None))
        tracer.grads_set.add(id(self))
        if g is not None and id(g._data) not in tracer.slot_of:
            tracer.emit(_grad_data, [tracer.object(self)], "read .grad", g._data)
    return g


def _set_grad_traced(self, value):
    _ORIGINAL["grad"].fset(self, value)
    tracer = _tracer()
    if tracer is not None:
        data = tracer.constant(None) if value is None else tracer.source(value)
        tracer.emit(_set_grad, [tracer.object(self), data], "set .grad", write=False)
        tracer.grads_set.add(id(self))


def _get_data(self):
    tracer = _tracer()
    if tracer is not None and tracer.traces(self):
        tracer.refuse("Tensor.data reads a traced value")
    return self._data


def _set_data(self, value):
    tracer = _tracer()
    if tracer is not None:
        tracer.refuse("assigning Tensor.data (update parameters in place, under no_grad)")
    _ORIGINAL["data"].fset(self, value)


def _reading(name, call):
    """A value read (item(), float(), ...) that a trace refuses on traced Tensors."""
    original = getattr(Tensor, name)

    def method(self, *args, **kwargs):
        tracer = _tracer()
        if tracer is not None and tracer.traces(self):
            tracer.refuse(f"{call} reads a traced value")
        return original(self, *args, **kwargs)

    return method


def _comparing(name, ufunc):
    """A comparison whose result a trace computes again on replay."""
    original = getattr(Tensor, name)

    def method(self, other):
        result = original(self, other)
        tracer = _tracer()
        if tracer is not None and result is not NotImplemented:
            other = _lift(other, self)
            if tracer.traces(self) or tracer.traces(other):
                reads = [tracer.source(self), tracer.source(other)]
                tracer.emit(ufunc, reads, ufunc.__name__, result._data)
        return result

    return method


def _refusing_scalar_backward(self, *args, **kwargs):
    tracer = _tracer()
    if tracer is not None:
        tracer.refuse("Scalar.backward() (ag.compile works on Tensors)")
    return _ORIGINAL["Scalar.backward"](self, *args, **kwargs)


class _GuardedGenerator:
    """Stands for the random generator during traces: a draw would be frozen into the trace."""

    def __init__(self, generator):
        self.generator = generator

    def __getattr__(self, name):
        tracer = _tracer()
        if tracer is not None:
            tracer.refuse(
                "a random draw outside a replayed function (it would repeat the same values)"
            )
        return getattr(self.generator, name)


_READS = {
    "item": "Tensor.item()", "tolist": "Tensor.tolist()", "numpy": "Tensor.numpy()",
    "__bool__": "bool(Tensor)", "__float__": "float(Tensor)", "__array__": "np.asarray(Tensor)",
}  # fmt: skip
_ORIGINAL = {
    "_record": Tensor._record, "_backprop": Tensor._backprop,
    "_accumulate_grad": Tensor._accumulate_grad, "_seed": Tensor._seed,
    "_run_hooks": Tensor._run_hooks, "_inplace": Tensor._inplace, "__init__": Tensor.__init__,
    "grad": Tensor.__dict__["grad"], "data": Tensor.__dict__["data"],
    "Scalar.backward": Scalar.backward,
}  # fmt: skip
_SWAPS = {
    "_record": _wrapped_record, "_backprop": _wrapped_backprop,
    "_accumulate_grad": _wrapped_accumulate_grad, "_seed": _wrapped_seed,
    "_run_hooks": _wrapped_run_hooks, "_inplace": _wrapped_inplace, "__init__": _wrapped_init,
    "grad": property(_get_grad, _set_grad_traced), "data": property(_get_data, _set_data),
    **{name: _reading(name, call) for name, call in _READS.items()},
    **{name: _comparing(name, ufunc) for name, ufunc in COMPARISONS.items()},
}  # fmt: skip
_lock = threading.Lock()
_active = [0]  # traces running in any thread: the swaps stay in place while one does


def _install():
    with _lock:
        _active[0] += 1
        if _active[0] > 1:
            return
        for name, swap in _SWAPS.items():
            _saved[name] = Tensor.__dict__.get(name, _ABSENT)
            setattr(Tensor, name, swap)
        Scalar.backward = _refusing_scalar_backward
        _random._generator = _GuardedGenerator(_random._generator)


def _uninstall():
    with _lock:
        _active[0] -= 1
        if _active[0]:
            return
        for name, saved in _saved.items():
            if saved is _ABSENT:
                delattr(Tensor, name)
            else:
                setattr(Tensor, name, saved)
        Scalar.backward = _ORIGINAL["Scalar.backward"]
        if isinstance(_random._generator, _GuardedGenerator):  # manual_seed may have replaced it
            _random._generator = _random._generator.generator


_saved, _ABSENT = {}, object()


# -- the public API ------------------------------------------------------------------------


def replayed(fn):
    """Mark fn to run again as a whole on every replay, untraced inside: for Python that keeps
    state a trace cannot see (an optimizer's step count, buffers made on first use, a random
    draw). Its arguments must not be traced Tensors; it returns None or a fresh Tensor."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        tracer = _tracer()
        if tracer is None:
            return fn(*args, **kwargs)
        _local.tracer = None
        try:
            result = fn(*args, **kwargs)
        finally:
            _local.tracer = tracer
        tracer.call(fn, args, kwargs, result)
        return result

    return wrapper


class Compiled:
    """What ag.compile returns: fn traced once per argument signature, replayed after."""

    def __init__(self, fn, fallback: bool = False):
        functools.update_wrapper(self, fn)
        self.fn, self.fallback = fn, fallback
        self._traces: dict = {}
        self._eager = False

    @property
    def traces(self) -> int:
        """How many traces were kept: one per argument signature (and per state, None or not,
        of each .grad that fn reads before setting it)."""
        return sum(len(traces) for traces in self._traces.values())

    def __call__(self, *args, **kwargs):
        if self._eager or _tracer() is not None:  # inside another trace: traced by it
            return self.fn(*args, **kwargs)
        values = (*args, *[kwargs[name] for name in sorted(kwargs)]) if kwargs else args
        key = tuple([_signature(value) for value in values])
        if None in key:
            error = _unusable(key.index(None), values)
            if not self.fallback:
                raise error
            self._fall_back(str(error))
            return self.fn(*args, **kwargs)
        if kwargs:
            key += (tuple(sorted(kwargs)),)
        for trace in self._traces.get(key, ()):
            if not trace.guards or all((t._grad is None) is none for t, none in trace.guards):
                return trace.replay(values)
        return self._trace(key, args, kwargs)

    def explain(self) -> None:
        """Print every trace's steps, one a line: what a replay runs."""
        traces = [trace for kept in self._traces.values() for trace in kept]
        print("\n\n".join(trace.explain() for trace in traces))

    def _fall_back(self, reason):
        """Run eagerly from now on, and say so once."""
        self._eager = True
        name = getattr(self.fn, "__qualname__", repr(self.fn))
        warnings.warn(f"ag.compile: {name} runs eagerly: {reason}", stacklevel=4)

    def _trace(self, key, args, kwargs):
        tracer = _Tracer(self.fallback)
        names = sorted(kwargs)
        traced = [_traced_argument(tracer, v) for v in (*args, *[kwargs[k] for k in names])]
        bindings = [b for b in (_binding(tracer, i, v) for i, v in enumerate(traced)) if b]
        _install()
        _local.tracer = tracer
        try:
            result = self.fn(*traced[: len(args)], **dict(zip(names, traced[len(args) :])))
            output = tracer.output(result) if _tracer() is tracer else None
        finally:
            _local.tracer = None
            _uninstall()
        if tracer.failure is not None:
            self._fall_back(tracer.failure)
            return result
        signature = ", ".join(_shown(v) for v in traced)
        trace = Trace(signature, tracer.steps, tracer.constants, bindings, output, tracer.guards)
        self._traces.setdefault(key, []).append(trace)
        return result


def _signature(value):
    """What selects a trace: shape and dtype of arrays and Tensors, the value of the rest
    (None for a value that cannot select one)."""
    if type(value) is np.ndarray:
        return value.shape, value.dtype
    if isinstance(value, Tensor):
        return Tensor, value.shape, value.dtype, value._requires_grad
    if isinstance(value, Scalar):
        return None
    try:
        hash(value)
    except TypeError:
        return None
    return type(value), value


def _unusable(i, values):
    """The CompileError for argument i, which _signature refused."""
    if isinstance(values[i], Scalar):
        return CompileError(f"argument {i} is a Scalar: ag.compile works on Tensors")
    return CompileError(
        f"argument {i} is a {type(values[i]).__name__}: pass numpy arrays, Tensors, or "
        "hashable constants (a trace is kept per constant value)"
    )


def _traced_argument(tracer, value):
    """A numpy array argument reaches fn as a Tensor over it, so its every use is traced."""
    return Tensor._from_data(value) if type(value) is np.ndarray else value


def _binding(tracer, i, value):
    """(argument index, slot of its data, slot of the Tensor object) for array arguments."""
    if not isinstance(value, Tensor):
        return None
    data_slot = tracer.new_slot(None, f"arg{i}")
    tracer.bind(value._data, data_slot)
    tracer.objects[id(value)] = object_slot = tracer.new_slot(None, f"arg{i}")
    return i, data_slot, object_slot


def _shown(value):
    if isinstance(value, Tensor):
        return f"{value.shape} {value.dtype}"
    return repr(value)


def compiled(fn, fallback: bool = False) -> Compiled:
    """fn traced on its first call per argument shapes and dtypes, replayed on later calls."""
    if not callable(fn):
        raise TypeError(f"ag.compile takes a function, got {type(fn).__name__}")
    return Compiled(fn, fallback)
