"""Draw the graph behind a Scalar or Tensor with Graphviz: one node per value, one per op."""

import math
from collections import Counter, defaultdict, deque
from collections.abc import Mapping

import graphviz
import numpy as np

from . import renderer
from .engine import grad, toposort
from .tensor import Tensor
from .value import Value

SMALL = 8  # tensors with at most this many elements show their values
RANKDIRS = ("LR", "RL", "TB", "BT")
SUMMARY = "collapsed"
BOX_FILLS = ("#f0f0f0", "#ffffff")  # module boxes, alternating as they nest
VANISHING = 1e-7  # a gradient below this fraction of the largest one is called vanishing
# grad_flow colours, smallest gradient first (ColorBrewer RdYlBu, reversed), and the two marks
GRAD_COLOURS = ("#4575b4", "#74add1", "#abd9e9", "#fee090", "#fdae61", "#f46d43", "#d73027")
GRAD_VANISHING = "#d9d9d9"
GRAD_NONFINITE = "#e7298a"

# How each kind of node looks, and what the legend calls it.
STYLES = {
    "leaf": dict(shape="box", style="filled", fillcolor="#a6cee3"),
    "constant": dict(shape="box", style="filled,dashed", fillcolor="#eeeeee"),
    "value": dict(shape="box", style="rounded"),
    "output": dict(shape="box", style="filled", fillcolor="#fdbf6f", peripheries="2"),
    "op": dict(shape="ellipse", style="filled", fillcolor="#ffffcc"),
    "collapsed": dict(shape="box3d", style="filled", fillcolor="#fbb4ae"),
    "module": dict(shape="box3d", style="filled", fillcolor="#ccebc5"),
}
LEGEND = {
    "leaf": "leaf that requires grad",
    "constant": "constant (no grad)",
    "value": "intermediate value",
    "output": "output",
    "op": "op",
    "collapsed": "collapsed middle",
    "module": "collapsed module",
}


class GraphvizNotFound(graphviz.ExecutableNotFound):
    """Rendering needs Graphviz's `dot` or graphviz-pure; the message says how to install one."""

    _msg = (
        "cannot render the graph: {}, and graphviz-pure (which pip installs with this package "
        "where a wheel exists) was not found either. Install it with `pip install graphviz-pure`, "
        "or install Graphviz with `apt-get install graphviz` (Debian/Ubuntu), "
        "`brew install graphviz` (macOS) or `conda install graphviz`, or see "
        "https://graphviz.org/download/. The DOT text is available without it as `.source`."
    )


class Digraph(graphviz.Digraph):
    """A graphviz.Digraph whose pipe and render (so also view and notebook display) use
    renderer.program() and explain a missing renderer instead of only naming it."""

    def pipe(self, *args, **kwargs):
        try:
            with renderer.found_program():
                return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound as error:
            raise GraphvizNotFound([str(error)]) from error

    def render(self, *args, **kwargs):
        try:
            with renderer.found_program():
                return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound as error:
            raise GraphvizNotFound([str(error)]) from error


def draw_dot(
    root: Value,
    *,
    params: Mapping[str, Value] | None = None,
    module=None,
    grad_flow: bool = False,
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

    module (an nn.Module) names its parameters as params does and draws the ops each of its
    sub-modules recorded (Tensor ops), with the parameters they use, inside a box labelled
    with the sub-module's dotted name and repr, boxes nested as the modules are.

    grad_flow=True colours each value, and the edges from and to it, by the mean absolute
    gradient of root with respect to it, on a log scale from the largest down to VANISHING
    times it, below which gradients are marked vanishing; non-finite ones are marked too. The
    gradients are computed here from root, .grad untouched, so the graph must be alive: draw
    before backward, or after backward(retain_graph=True).

    max_nodes (None: no limit) caps the value, op and module nodes drawn. With module, whole
    module calls collapse first, innermost first, each into one node showing its input and
    output shapes (the module given itself stays open). Then values are put in levels by their
    longest path to the output, so each layer (with its parameters, placed just before their
    use) sits in a few consecutive levels. Whole levels are added, alternately from the output
    end and the input end, while they fit: both ends show complete layers, as they are.
    Everything between becomes one summary node that counts the hidden values and their ops
    (or modules) by name (repeated layers show up as equal counts, e.g. 'matmul x6, relu x6').
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot draws a Scalar or Tensor, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {RANKDIRS}, got {rankdir!r}")
    if max_nodes is not None and (type(max_nodes) is not int or max_nodes < 1):
        raise ValueError(f"max_nodes must be a positive int or None, got {max_nodes!r}")
    if module is not None and not callable(getattr(module, "named_modules", None)):
        raise TypeError(f"module must be an nn.Module, got {type(module).__name__}")
    names = _names(params)
    values = _walk(root)
    ids = {id(v): f"v{i}" for i, v in enumerate(values)}
    where, boxes = {}, []
    if module is not None:
        for name, p in module.named_parameters():
            names.setdefault(id(p), graphviz.escape(name))
        where, boxes = _module_boxes(values, module)
    sizes = _grad_sizes(root, values) if grad_flow else {}
    rep, inputs, cost = _units(values, ids, where)
    while max_nodes is not None and sum(cost.values()) > max_nodes and _collapse_next(boxes):
        rep, inputs, cost = _units(values, ids, where)
    order = _unit_order(inputs, rep[id(root)])
    kept = set(order)
    if max_nodes is not None and sum(cost.values()) > max_nodes:
        kept = _ends(order, inputs, cost, rep[id(root)], max_nodes)
    shown = {key: v for key, v in zip(ids.values(), values)}  # value units by node name
    boxed = {box.name: box for box in boxes if box.collapsed}
    colour = _grad_colours(sizes)

    dot = Digraph(format=format, graph_attr=dict(rankdir=rankdir), node_attr=dict(fontsize="11"))
    kinds, placed, edges, merged = set(), defaultdict(list), [], {}

    def node(box, name, label, kind, v):
        attrs = dict(STYLES[kind])
        if id(v) in sizes:
            label += "\\n" + _grad_text(sizes[id(v)], colour(sizes[id(v)]))
            attrs.update(fillcolor=colour(sizes[id(v)]), style=_filled(attrs["style"]))
        placed[box].append((name, graphviz.nohtml(label), attrs))
        kinds.add(kind)

    def edge(tail, head, v):
        """An edge coloured by v's gradient; one between values and ops is drawn as often as
        it is used, one to or from a summary or module node once."""
        attrs = _edge_style(colour(sizes[id(v)])) if id(v) in sizes else {}
        if {tail, head} & (boxed.keys() | {SUMMARY}):
            merged.setdefault((tail, head), attrs)
        else:
            edges.append((tail, head, attrs))

    hidden = [key for key in order if key not in kept]
    if hidden:
        count = sum(rep[id(v)] not in kept for v in values)
        summary = graphviz.nohtml(_summary(hidden, count, shown, boxed))
        placed[None].append((SUMMARY, summary, STYLES["collapsed"]))
        kinds.add("collapsed")
    ins, outs = _box_ends(values, rep, boxed, root)
    face = {**shown, **{key: found[0] for key, found in outs.items()}}  # whose gradient shows
    for key in order:
        v = shown.get(key)
        head = key + "_op" if v is not None and v._op is not None else key
        for tail in inputs[key]:
            if key in kept:
                source = tail if tail in kept else SUMMARY
                edge(source, head, face.get(tail))
            elif tail in kept:
                edge(tail, SUMMARY, face.get(tail))
        if key not in kept:
            continue
        if v is None:
            box = boxed[key]
            into, out_of = ins.get(key, []), outs.get(key, [])
            label = f"{box.label}\\nin {_shapes(into)}\\nout {_shapes(out_of)}"
            node(box.parent, key, label, "module", face.get(key))
            continue
        box = where.get(id(v))
        node(box, key, _label(v, names.get(id(v), key), show_data, show_grad), _kind(v, root), v)
        if v._op is not None:
            node(box, head, _op_label(v), "op", None)
            edge(head, key, v)
    _emit(dot, placed, boxes)
    for tail, head, attrs in edges:
        dot.edge(tail, head, **attrs)
    for (tail, head), attrs in merged.items():
        dot.edge(tail, head, **attrs)
    if legend:
        with dot.subgraph(name="cluster_legend") as key:
            key.attr(label="legend", style="dashed")
            for kind in STYLES:
                if kind in kinds:
                    key.node(f"legend_{kind}", LEGEND[kind], **STYLES[kind])
            if sizes:
                _grad_legend(key, sizes)
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


# -- module boxes ------------------------------------------------------------------------------


class _Box:
    """One call of a sub-module: a cluster of the values its ops made, or one collapsed node."""

    def __init__(self, name, module, label, parent, outermost):
        self.name, self.kind, self.label = name, type(module).__name__, label
        self.parent, self.outermost = parent, outermost
        self.height = 0  # how deep calls nest inside this one
        self.collapsed = False


def _module_boxes(values, module):
    """(id of value -> innermost box holding it, the boxes, each after its parent).

    An op's value goes in the box of the innermost call of one of module's sub-modules on its
    tag (nn.Module.__call__ tags ops with (module, enclosing tag)); a parameter goes in the
    innermost box holding all the ops that use it; other leaves stay outside.
    """
    known = {id(m): name for name, m in module.named_modules()}
    params = {id(p) for p in module.parameters()}
    of_tag, boxes, where = {}, [], {}

    def box_of(tag):
        path = []
        while tag is not None and id(tag) not in of_tag:
            path.append(tag)
            tag = tag[1]
        box = None if tag is None else of_tag[id(tag)]
        for outer in reversed(path):
            called = outer[0]
            if id(called) in known:
                label = _module_label(known[id(called)], called)
                box = _Box(f"m{len(boxes)}", called, label, box, called is module)
                boxes.append(box)
            of_tag[id(outer)] = box
        return box

    users = defaultdict(list)
    for v in values:
        if v._op is None:
            continue
        box = where[id(v)] = box_of(getattr(v, "_scope", None))
        for x in v._inputs:
            if id(x) in params:
                users[id(x)].append(box)
    for v in values:
        if id(v) in users:
            where[id(v)] = _common(users[id(v)])
    for box in reversed(boxes):
        if box.parent is not None:
            box.parent.height = max(box.parent.height, box.height + 1)
    return where, boxes


def _module_label(name, module):
    """'name: repr', the repr cut to the class name when it spans lines (a container)."""
    text = repr(module)
    text = type(module).__name__ if "\n" in text else text
    return graphviz.escape(f"{name}: {text}" if name else text)


def _common(boxes):
    """The innermost box holding all of boxes (None: the top level)."""
    common = boxes[0]
    for box in boxes[1:]:
        outer = set()
        while box is not None:
            outer.add(box)
            box = box.parent
        while common is not None and common not in outer:
            common = common.parent
    return common


def _collapse_next(boxes):
    """Collapse the innermost open boxes (never the module drawn); False if none is left."""
    open_boxes = [box for box in boxes if not box.collapsed and not box.outermost]
    if not open_boxes:
        return False
    height = min(box.height for box in open_boxes)
    for box in open_boxes:
        box.collapsed = box.height == height
    return True


def _units(values, ids, where):
    """What is drawn: (node of each value, inputs of each node, nodes each costs).

    A value is its own node unless a collapsed box holds it; then it is the node of the
    outermost collapsed box. A value's inputs are listed as often as used, a box's once.
    """
    rep = {}
    for v in values:
        box, top = where.get(id(v)), None
        while box is not None:
            top = box if box.collapsed else top
            box = box.parent
        rep[id(v)] = ids[id(v)] if top is None else top.name
    inputs, cost = {}, {}
    for v in values:
        key = rep[id(v)]
        alone = key == ids[id(v)]
        into = inputs.setdefault(key, [])
        cost[key] = _cost(v) if alone else 1
        for x in v._inputs:
            tail = rep[id(x)]
            if alone or (tail != key and tail not in into):
                into.append(tail)
    return rep, inputs, cost


def _unit_order(inputs, root):
    """The nodes root is drawn from, each after its inputs (an iterative depth-first sort)."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        key, inputs_done = stack.pop()
        if inputs_done:
            order.append(key)
        elif key not in seen:
            seen.add(key)
            stack.append((key, True))
            stack.extend((x, False) for x in reversed(inputs[key]) if x not in seen)
    return order


def _box_ends(values, rep, boxed, root):
    """The values going into and coming out of each collapsed box, each once, in order."""
    ins, outs = defaultdict(dict), defaultdict(dict)
    for v in values:
        for x in v._inputs:
            if rep[id(x)] != rep[id(v)]:
                if rep[id(v)] in boxed:
                    ins[rep[id(v)]][id(x)] = x
                if rep[id(x)] in boxed:
                    outs[rep[id(x)]][id(x)] = x
    if rep[id(root)] in boxed:
        outs[rep[id(root)]][id(root)] = root
    return {k: list(d.values()) for k, d in ins.items()}, {
        k: list(d.values()) for k, d in outs.items()
    }


def _shapes(values):
    """The shapes of values, '-' for none."""
    shapes = [str(v.shape) if isinstance(v, Tensor) else "scalar" for v in values]
    return ", ".join(shapes) or "-"


def _emit(dot, placed, boxes):
    """Add the placed nodes, those of each open box inside its cluster, clusters nested."""
    children, filled = defaultdict(list), set()
    for box in boxes:
        children[box.parent].append(box)
    for box in reversed(boxes):  # inner boxes come after their parents
        if not box.collapsed and (placed.get(box) or box in filled):
            filled.update((box, box.parent))

    def add(graph, box, depth):
        for name, label, attrs in placed.get(box, ()):
            graph.node(name, label, **attrs)
        for inner in children[box]:
            if inner in filled:
                with graph.subgraph(name="cluster_" + inner.name) as cluster:
                    cluster.attr(
                        label=graphviz.nohtml(inner.label),
                        labeljust="l",
                        fontsize="10",
                        style="rounded,filled",
                        fillcolor=BOX_FILLS[depth % 2],
                    )
                    add(cluster, inner, depth + 1)

    add(dot, None, 0)


# -- gradient flow -------------------------------------------------------------------------------


def _grad_sizes(root, values):
    """id of each value root depends on through grad -> mean |d root / d value|."""
    if (isinstance(root, Tensor) and root.size != 1) or not root.requires_grad:
        shape = f"shape {root.shape}" if isinstance(root, Tensor) else "a Scalar"
        raise ValueError(
            "grad_flow=True draws the gradients of a one-element root that requires grad, such "
            f"as a loss; this one has {shape} and requires_grad={root.requires_grad}"
        )
    targets = [v for v in values if v.requires_grad]
    if any(v._saved is None for v in targets):
        raise RuntimeError(
            "draw_dot(grad_flow=True) computes the gradients from root, but a backward freed "
            "the graph: pass retain_graph=True to backward(), or draw before backward"
        )
    found = grad(root, targets, retain_graph=True, allow_unused=True)
    return {
        id(v): float(np.abs(np.asarray(g.data, dtype=np.float64)).mean())
        for v, g in zip(targets, found)
        if g is not None
    }


def _grad_colours(sizes):
    """The colour for a mean |grad|: the log scale from the largest finite one down."""
    finite = [s for s in sizes.values() if np.isfinite(s)]
    largest = max(finite, default=0.0)

    def colour(size):
        if not np.isfinite(size):
            return GRAD_NONFINITE
        if size <= VANISHING * largest or size == 0:
            return GRAD_VANISHING
        step = math.log10(largest / size) / -math.log10(VANISHING)  # 0 largest, 1 vanishing
        return GRAD_COLOURS[min(len(GRAD_COLOURS) - 1, int((1 - step) * len(GRAD_COLOURS)))]

    return colour


def _grad_text(size, colour):
    mark = {GRAD_VANISHING: " vanishing", GRAD_NONFINITE: " non-finite"}.get(colour, "")
    return f"mean |grad| {size:.2g}{mark}"


def _filled(style):
    return style if "filled" in style else f"{style},filled"


def _edge_style(colour):
    """Wider for larger gradients; dashed where they vanish, bold where they are not finite."""
    if colour == GRAD_VANISHING:
        return dict(color="#969696", style="dashed")
    if colour == GRAD_NONFINITE:
        return dict(color=colour, penwidth="3")
    return dict(color=colour, penwidth=str(1 + GRAD_COLOURS.index(colour) / 2))


def _grad_legend(key, sizes):
    """The colour scale: the range of mean |grad| each colour stands for, and the two marks."""
    largest = max((s for s in sizes.values() if np.isfinite(s)), default=0.0)
    n, decades = len(GRAD_COLOURS), -math.log10(VANISHING)
    for i, fill in enumerate(GRAD_COLOURS):
        low, high = (largest * 10 ** (decades * (k / n - 1)) for k in (i, i + 1))
        text = f"mean |grad| {low:.1e} to {high:.1e}"
        key.node(f"legend_grad{i}", text, shape="box", style="filled", fillcolor=fill)
    vanishing = f"vanishing: mean |grad| below {VANISHING:g} x the largest"
    key.node("legend_vanishing", vanishing, shape="box", style="filled", fillcolor=GRAD_VANISHING)
    key.node("legend_nonfinite", "non-finite gradient", shape="box", style="filled",
             fillcolor=GRAD_NONFINITE)  # fmt: skip


# -- collapsing by level -------------------------------------------------------------------------


def _cost(v):
    """Nodes drawn for v: itself, and its op node unless it is a leaf."""
    return 1 if v._op is None else 2


def _ends(order, inputs, cost, root, max_nodes):
    """The nodes kept when collapsing: whole levels from both ends while they fit."""
    depth = {root: 0}  # longest path to the root; consumers come before inputs here
    for key in reversed(order):
        for x in inputs[key]:
            depth[x] = max(depth.get(x, 0), depth[key] + 1)
    levels = _levels(order, depth)[1:]  # level 0 is the root, always kept
    kept, budget = {root}, max_nodes - cost[root]
    ends = deque([iter(levels), reversed(levels)])
    while ends:
        end = ends.popleft()
        level = next(end, None)
        if level is None:
            continue
        new = [key for key in level if key not in kept]
        needed = sum(cost[key] for key in new)
        if needed <= budget:
            kept.update(new)
            budget -= needed
            ends.append(end)
    return kept


def _levels(keys, level_of):
    """keys grouped by level, lowest level first."""
    groups = defaultdict(list)
    for key in keys:
        groups[level_of[key]].append(key)
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


def _summary(hidden, count, shown, boxed):
    """What the collapsed middle holds: count values, and their ops (or modules) by count."""
    ops = Counter(shown[key]._op.name for key in hidden if key in shown and shown[key]._op)
    ops.update(boxed[key].kind for key in hidden if key in boxed)
    leaves = sum(1 for key in hidden if key in shown and shown[key]._op is None)
    lines = [f"{count:,} values collapsed"]
    lines += [f"{name} x{count:,}" for name, count in ops.most_common(6)]
    if len(ops) > 6:
        lines.append(f"{len(ops) - 6} more ops")
    if leaves:
        lines.append(f"{leaves:,} leaves")
    return "\\n".join(lines)
