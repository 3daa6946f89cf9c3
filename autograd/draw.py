"""Draw the graph behind a Scalar or Tensor with Graphviz: one node per value, one per op."""

from collections import Counter, defaultdict, deque
from collections.abc import Mapping

import graphviz
import numpy as np

from .engine import toposort
from .tensor import Tensor
from .value import Value

SMALL = 8  # tensors with at most this many elements show their values
RANKDIRS = ("LR", "RL", "TB", "BT")
SUMMARY = "collapsed"

# How each kind of node looks, and what the legend calls it.
STYLES = {
    "leaf": dict(shape="box", style="filled", fillcolor="#a6cee3"),
    "constant": dict(shape="box", style="filled,dashed", fillcolor="#eeeeee"),
    "value": dict(shape="box", style="rounded"),
    "output": dict(shape="box", style="filled", fillcolor="#fdbf6f", peripheries="2"),
    "op": dict(shape="ellipse", style="filled", fillcolor="#ffffcc"),
    "collapsed": dict(shape="box3d", style="filled", fillcolor="#fbb4ae"),
}
LEGEND = {
    "leaf": "leaf that requires grad",
    "constant": "constant (no grad)",
    "value": "intermediate value",
    "output": "output",
    "op": "op",
    "collapsed": "collapsed middle",
}


class GraphvizNotFound(graphviz.ExecutableNotFound):
    """Rendering needs Graphviz's `dot` program; the message says how to install it."""

    _msg = (
        "cannot render the graph: {}. Install Graphviz with "
        "`apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) or "
        "`conda install graphviz`, or see https://graphviz.org/download/. "
        "The DOT text is available without it as `.source`."
    )


class Digraph(graphviz.Digraph):
    """A graphviz.Digraph whose pipe and render (so also view and notebook display) explain
    a missing `dot` instead of only naming it."""

    def pipe(self, *args, **kwargs):
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound as error:
            raise GraphvizNotFound([str(error)]) from error

    def render(self, *args, **kwargs):
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound as error:
            raise GraphvizNotFound([str(error)]) from error


def draw_dot(
    root: Value,
    *,
    params: Mapping[str, Value] | None = None,
    show_data: bool = True,
    show_grad: bool = True,
    rankdir: str = "LR",
    format: str = "svg",
    legend: bool = True,
    max_nodes: int | None = None,
) -> graphviz.Digraph:
    """The graph that produced root (a Scalar or Tensor) as a Digraph, edges in data-flow order.

    Value nodes show a name (from params, e.g. dict(model.named_parameters()), else a short
    id), shape and dtype for tensors, data for scalars and small tensors (a range for larger
    ones) and grad where present. Leaves that require grad, constants, intermediate values,
    the output and ops differ in colour and shape; legend=True adds a key. The walk is
    iterative. A backward without retain_graph=True releases a Tensor graph: only root and the
    op that made it are left to draw, so draw before it or pass retain_graph=True.

    max_nodes (None: no limit) caps the value and op nodes drawn. Values are put in levels by
    their longest path to the output, so each layer (with its parameters, placed just before
    their use) sits in a few consecutive levels. Whole levels are added, alternately from the
    output end and the input end, while they fit: both ends show complete layers, as they
    are. Everything between becomes one summary node that counts the hidden values and their
    ops by name (repeated layers show up as equal counts, e.g. 'matmul x6, relu x6').
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot draws a Scalar or Tensor, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {RANKDIRS}, got {rankdir!r}")
    if max_nodes is not None and (type(max_nodes) is not int or max_nodes < 1):
        raise ValueError(f"max_nodes must be a positive int or None, got {max_nodes!r}")
    names = _names(params)
    values = _walk(root)
    ids = {id(v): f"v{i}" for i, v in enumerate(values)}
    kept = values
    if max_nodes is not None and sum(map(_cost, values)) > max_nodes:
        kept = _ends(root, values, max_nodes)
    kept_ids = {id(v) for v in kept}
    hidden = [v for v in values if id(v) not in kept_ids]

    dot = Digraph(format=format, graph_attr=dict(rankdir=rankdir), node_attr=dict(fontsize="11"))
    kinds = set()

    def node(name, label, kind):
        dot.node(name, graphviz.nohtml(label), **STYLES[kind])
        kinds.add(kind)

    if hidden:
        node(SUMMARY, _summary(hidden), "collapsed")
    to_summary = {}  # edges between kept nodes and the summary, each drawn once
    for v in kept:
        name = ids[id(v)]
        node(name, _label(v, names.get(id(v), name), show_data, show_grad), _kind(v, root))
        if v._op is not None:
            node(name + "_op", _op_label(v), "op")
            for x in v._inputs:
                if id(x) in kept_ids:
                    dot.edge(ids[id(x)], name + "_op")
                else:
                    to_summary[SUMMARY, name + "_op"] = None
            dot.edge(name + "_op", name)
    for v in hidden:
        for x in v._inputs:
            if id(x) in kept_ids:
                to_summary[ids[id(x)], SUMMARY] = None
    dot.edges(to_summary)
    if legend:
        with dot.subgraph(name="cluster_legend") as key:
            key.attr(label="legend", style="dashed")
            for kind in STYLES:
                if kind in kinds:
                    key.node(f"legend_{kind}", LEGEND[kind], **STYLES[kind])
    return dot


def _names(params):
    """id of each named value -> its name (the first name of a value given twice)."""
    if params is None:
        return {}
    if not hasattr(params, "items"):
        raise TypeError(
            "params must map names to values, e.g. dict(model.named_parameters()); "
            f"got {type(params).__name__}"
        )
    names = {}
    for name, value in params.items():
        if not isinstance(value, Value):
            raise TypeError(f"params[{name!r}] is a {type(value).__name__}, not a Scalar or Tensor")
        names.setdefault(id(value), graphviz.escape(str(name)))
    return names


def _walk(root):
    """Every value root depends on, constants included, each after its inputs (no recursion).

    engine.toposort follows only inputs that require grad; the others are constant leaves,
    so they are added just before their first use.
    """
    order, seen = [], set()
    for v in toposort([root]):
        for x in v._inputs:
            if id(x) not in seen:
                seen.add(id(x))
                order.append(x)
        seen.add(id(v))
        order.append(v)
    return order


def _cost(v):
    """Nodes drawn for v: itself, and its op node unless it is a leaf."""
    return 1 if v._op is None else 2


def _ends(root, values, max_nodes):
    """The values kept when collapsing: whole levels from both ends while they fit."""
    depth = {id(root): 0}  # longest path to the root; consumers come before inputs here
    for v in reversed(values):
        for x in v._inputs:
            depth[id(x)] = max(depth.get(id(x), 0), depth[id(v)] + 1)
    levels = _levels(values, depth)[1:]  # level 0 is the root, always kept
    kept, budget = {id(root)}, max_nodes - _cost(root)
    ends = deque([iter(levels), reversed(levels)])
    while ends:
        end = ends.popleft()
        level = next(end, None)
        if level is None:
            continue
        new = [v for v in level if id(v) not in kept]
        cost = sum(map(_cost, new))
        if cost <= budget:
            kept.update(id(v) for v in new)
            budget -= cost
            ends.append(end)
    return [v for v in values if id(v) in kept]


def _levels(values, level_of):
    """values grouped by level, lowest level first."""
    groups = defaultdict(list)
    for v in values:
        groups[level_of[id(v)]].append(v)
    return [groups[level] for level in sorted(groups)]


def _kind(v, root):
    if v is root:
        return "output"
    if v._op is not None:
        return "value"
    return "leaf" if v.requires_grad else "constant"


def _label(v, name, show_data, show_grad):
    """Name, then shape and dtype (tensors), data and grad, one per line."""
    lines = [name]
    if isinstance(v, Tensor):
        lines.append(f"{v.shape} {v.dtype}")
        if show_data:
            lines.append("data " + _array_text(v.data))
        if show_grad and v.grad is not None:
            lines.append("grad " + _array_text(v.grad.data))
    else:
        if show_data:
            lines.append("data " + _number(v.data))
        if show_grad and v.requires_grad:
            lines.append("grad " + _number(v.grad))
    return "\\n".join(lines)


def _op_label(v):
    """The op's name; for a Scalar op with a plain-number operand, that number too."""
    if isinstance(v, Tensor) or not v._params:
        return v._op.name
    return f"{v._op.name} {_number(v._params[0])}"


def _array_text(a):
    """The values of a small array, else its size and range."""
    if a.size <= SMALL:
        text = np.array2string(a, separator=", ", formatter={"float_kind": _number})
        return text.replace("\n", "\\n")
    return f"{a.size} values in [{_number(a.min())}, {_number(a.max())}]"


def _number(x):
    return f"{float(x):.4g}"


def _summary(hidden):
    """What the collapsed middle holds: how many values, and their ops by count."""
    ops = Counter(v._op.name for v in hidden if v._op is not None)
    leaves = len(hidden) - sum(ops.values())
    lines = [f"{len(hidden):,} values collapsed"]
    lines += [f"{name} x{count:,}" for name, count in ops.most_common(6)]
    if len(ops) > 6:
        lines.append(f"{len(ops) - 6} more ops")
    if leaves:
        lines.append(f"{leaves:,} leaves")
    return "\\n".join(lines)
