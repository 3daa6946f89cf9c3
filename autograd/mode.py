"""Per-thread switches: whether ops record a graph, and whether anomaly detection is on."""

import contextlib
import threading


class _State(threading.local):
    """Each thread sees its own modes, starting from these defaults (as in PyTorch)."""

    grad_enabled = True
    anomaly = False
    scope = None  # an opaque tag each recorded op keeps (nn.Module: the call that made it)


state = _State()


def is_grad_enabled() -> bool:
    """True when new ops record the graph that backward walks."""
    return state.grad_enabled


class _GradMode(contextlib.ContextDecorator):
    """Set grad mode for a `with` block or a decorated function, then restore it."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.previous = []  # a stack, so one decorator instance can be re-entered

    def __enter__(self):
        self.previous.append(state.grad_enabled)
        state.grad_enabled = self.enabled

    def __exit__(self, *exc):
        state.grad_enabled = self.previous.pop()


class no_grad(_GradMode):  # noqa: N801 - named like PyTorch's
    """Ops inside record no graph: for updates, evaluation and inference."""

    def __init__(self):
        super().__init__(False)


class enable_grad(_GradMode):  # noqa: N801
    """Ops inside record the graph again, even within no_grad."""

    def __init__(self):
        super().__init__(True)


class set_grad_enabled(_GradMode):  # noqa: N801
    """Switch grad mode now, as PyTorch's does; `with` (or a decorator) restores it after."""

    def __init__(self, enabled: bool):
        super().__init__(bool(enabled))
        self.previous.append(state.grad_enabled)  # what a `with` around this call restores
        state.grad_enabled = self.enabled
        self.switched = True

    def __enter__(self):
        if self.switched:  # the call itself switched the mode and noted the previous one
            self.switched = False
        else:
            super().__enter__()

    def __call__(self, function):
        if self.switched:  # used as a decorator: switch only while the function runs
            self.switched = False
            state.grad_enabled = self.previous.pop()
        return super().__call__(function)


class detect_anomaly(contextlib.ContextDecorator):  # noqa: N801
    """Raise at the first op whose forward output or backward gradient holds NaN or inf."""

    def __init__(self):
        self.previous = []

    def __enter__(self):
        self.previous.append(state.anomaly)
        state.anomaly = True

    def __exit__(self, *exc):
        state.anomaly = self.previous.pop()
