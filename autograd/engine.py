"""The reverse-mode core, shared by Scalar and Tensor.

It knows nothing about numbers or arrays: it walks values through the Node protocol
(value.py). With create_graph=True the VJPs run on graph values, so the gradients carry a
graph of their own and can be differentiated again; otherwise the same VJP formulas run on
the raw data (floats or arrays), which records nothing and allocates no wrappers. Either way
cotangents are summed with `+`.
"""

import copy

from .mode import state
from .value import Node, Value


def toposort(roots: list[Node]) -> list[Node]:
    """Values reachable from roots through inputs that require grad, each after its inputs.

    Depth-first with an explicit stack, so deep graphs need no recursion. The stack holds bare
    values: a value reached for the first time goes back on it under the _EMIT mark, with its
    inputs on top, and is emitted when the mark surfaces, all its inputs done. Values are kept
    in sets by identity (their hash; Tensor's == is elementwise, but a set only calls it for
    equal hashes, and distinct live values never have one).
    """
    order, seen, stack = [], set(), []
    for root in roots:
        stack.append(root)
        while stack:
            node = stack.pop()
            if node is _EMIT:
                order.append(stack.pop())
            elif node not in seen:
                seen.add(node)
                stack.append(node)
                stack.append(_EMIT)
                for x in node._inputs:
                    if x._requires_grad and x not in seen:
                        stack.append(x)
    return order


_EMIT = object()  # on the sort's stack: the value below it has all its inputs in order


def _leading_to(order, targets):
    """The values in order from which some target is reached through inputs."""
    wanted = set()
    for node in order:
        if node in targets or any(x in wanted for x in node._inputs):
            wanted.add(node)
    return wanted


def backpropagate(roots: list[Node], seeds, targets=None, retain_graph=False, create_graph=False):
    """Sweep gradients from roots (seeded with seeds) back through the graph.

    Without targets, leaves and retained values accumulate into `.grad` (backward()).
    With targets, nothing is written; their gradients are returned in order (grad()),
    None for a target the roots do not depend on.
    """
    order = toposort(roots)
    target_set = None if targets is None else set(targets)
    wanted = None if targets is None else _leading_to(order, target_set)
    grads, captured, handed, visited = {}, {}, set(), []
    for root, seed in zip(roots, seeds):
        grads[root] = seed if root not in grads else grads[root] + seed
    previous_mode, state.grad_enabled = state.grad_enabled, create_graph
    try:
        for node in reversed(order):
            g = grads.pop(node, None)
            if g is None:
                continue
            if node._hooks:
                g = node._run_hooks(g, create_graph)
            if target_set is None:
                if node._op is None or node._retains_grad:
                    node._accumulate_grad(g, handed)
            elif node in target_set:
                captured[node] = g
            if node._op is not None:
                if not retain_graph:
                    visited.append(node)
                for x, cotangent in node._backprop(g, wanted, create_graph):
                    previous = grads.get(x)  # summed out of place: cotangents may be shared
                    grads[x] = cotangent if previous is None else previous + cotangent
    finally:
        state.grad_enabled = previous_mode
    if not retain_graph:
        for node in visited:
            node._free()
    if targets is None:
        return None
    found = [captured.get(t) for t in targets]
    if create_graph:
        return found
    # a copy each: one buffer may reach several targets, or be a read-only broadcast view
    return [g if g is None else t._as_value(copy.copy(g)) for g, t in zip(found, targets)]


def _as_list(values):
    return list(values) if isinstance(values, tuple | list) else [values]


def backward(roots, grads, retain_graph=None, create_graph=False):
    """Accumulate the gradients of roots into `.grad` of the leaves (and retained values)."""
    for root in roots:
        if not root.requires_grad:
            raise RuntimeError(
                "backward() on a value that does not require grad: nothing it depends on "
                "has requires_grad=True (or it was made under no_grad)"
            )
    seeds = [root._seed(g, create_graph) for root, g in zip(roots, grads)]
    retain = create_graph if retain_graph is None else retain_graph
    backpropagate(roots, seeds, None, retain, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):  # fmt: skip
    """Gradients of outputs with respect to inputs, as a tuple; `.grad` is left untouched."""
    outputs, inputs = _as_list(outputs), _as_list(inputs)
    grad_outputs = [None] * len(outputs) if grad_outputs is None else _as_list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"{len(grad_outputs)} grad_outputs given for {len(outputs)} outputs")
    for kind, values in (("output", outputs), ("input", inputs)):
        for i, value in enumerate(values):
            if not isinstance(value, Value):
                raise TypeError(
                    f"grad: {kind} {i} is a {type(value).__name__}, not a Tensor or Scalar"
                )
    for i, value in enumerate(outputs):
        if not value.requires_grad:
            raise RuntimeError(f"output {i} does not require grad and has no graph")
    for i, value in enumerate(inputs):
        if not value.requires_grad:
            raise RuntimeError(f"input {i} does not require grad, so it has no gradient")
    seeds = [o._seed(g, create_graph) for o, g in zip(outputs, grad_outputs)]
    retain = create_graph if retain_graph is None else retain_graph
    grads = backpropagate(outputs, seeds, inputs, retain, create_graph)
    for i, g in enumerate(grads):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"input {i} is not used in the graph of the outputs; pass allow_unused=True "
                "to get None for it"
            )
    return tuple(grads)
