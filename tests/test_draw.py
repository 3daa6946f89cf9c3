"""ag.draw_dot: the DOT text of Scalar and Tensor graphs, collapsing, rendering, missing dot."""

import math
import re

import graphviz
import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Scalar, Tensor
from autograd.draw import GraphvizNotFound

INSTALL_HINT = "apt-get install graphviz.*brew install graphviz.*conda install graphviz"


def parse(digraph):
    """(nodes, edges) of the top-level graph: {name: attribute text}, [(tail, head), ...]."""
    source = digraph.source
    nodes = dict(re.findall(r"^\t(?!graph |node )(\w+) \[(.*)\]$", source, re.MULTILINE))
    edges = re.findall(r"^\t(\w+) -> (\w+)$", source, re.MULTILINE)
    return nodes, edges


def label(attrs):
    """The label of a node, its lines split."""
    match = re.search(r'label="((?:[^"\\]|\\.)*)"|label=(\w+)', attrs)
    return (match.group(1) or match.group(2)).split("\\n")


def style(attrs):
    """A node's look: its attributes other than the label."""
    return re.sub(r'label=("(?:[^"\\]|\\.)*"|\w+) ', "", attrs)


def named(nodes, name):
    """The attribute text of the value node whose label starts with name."""
    (attrs,) = [attrs for attrs in nodes.values() if label(attrs)[0] == name]
    return attrs


def values_and_ops(nodes):
    ops = [n for n in nodes if n.endswith("_op")]
    values = [n for n in nodes if re.fullmatch(r"v\d+", n)]
    return values, ops


def micrograd_example():
    a, b = Scalar(2.0), Scalar(-3.0)
    return a, b, (a * b + b**2).tanh()


def test_scalar_graph_has_a_node_per_value_and_op_and_edges_along_the_data_flow():
    a, b, out = micrograd_example()
    nodes, edges = parse(ag.draw_dot(out, params={"a": a, "b": b}, legend=False))
    values, ops = values_and_ops(nodes)
    # a, b, a*b, b**2, the sum and the tanh; ops mul, pow (its exponent is a number, shown in
    # the op, not a node), add, tanh
    assert len(values) == 6 and len(ops) == 4 and len(nodes) == 10
    assert sorted(label(nodes[op])[0] for op in ops) == ["add", "mul", "pow 2", "tanh"]
    assert len(edges) == 2 + 1 + 1 + 1 + 2 + 1 + 1 + 1
    mul = next(op for op in ops if label(nodes[op]) == ["mul"])
    tails = {tail for tail, head in edges if head == mul}
    assert {label(nodes[t])[0] for t in tails} == {"a", "b"}
    (made,) = [head for tail, head in edges if tail == mul]
    assert made + "_op" == mul and label(nodes[made])[1] == "data -6"


def test_scalar_labels_show_data_and_grad_before_and_after_backward():
    a, b, out = micrograd_example()
    assert label(named(parse(ag.draw_dot(out, params={"a": a}))[0], "a")) == [
        "a", "data 2", "grad 0",
    ]  # fmt: skip
    out.backward()
    nodes, _ = parse(ag.draw_dot(out, params={"a": a, "b": b}))
    slope = 1 - math.tanh(3.0) ** 2  # tanh(a*b + b**2) at a=2, b=-3
    assert label(named(nodes, "a")) == ["a", "data 2", f"grad {-3 * slope:.4g}"]
    assert label(named(nodes, "b")) == ["b", "data -3", f"grad {(2 - 6) * slope:.4g}"]
    assert not [attrs for attrs in nodes.values() if label(attrs)[1:] == ["data 2"]]


def test_kinds_of_node_differ_in_look_and_the_legend_names_them():
    x = Tensor(np.ones((2, 2)))
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    out = ((x * w).exp() * 2.0).sum()
    nodes, _ = parse(ag.draw_dot(out, params={"x": x, "w": w}))
    (exp_op,) = [n for n, attrs in nodes.items() if label(attrs) == ["exp"]]
    looks = {
        "leaf": style(named(nodes, "w")),
        "constant": style(named(nodes, "x")),
        "intermediate": style(nodes[exp_op.removesuffix("_op")]),
        "output": style(next(a for a in nodes.values() if "peripheries=2" in a)),
        "op": style(nodes[exp_op]),
    }
    assert len(set(looks.values())) == 5 and "shape=ellipse" in looks["op"]
    assert all("shape=box" in looks[kind] for kind in ("leaf", "constant", "output"))
    source = ag.draw_dot(out).source
    for name in ("leaf that requires grad", "constant", "intermediate value", "output", "op"):
        assert re.search(rf'legend_\w+ \[label="?{name}', source), name
    assert "collapsed middle" not in source  # only kinds that occur are explained
    assert "cluster_legend" not in ag.draw_dot(out, legend=False).source


def tensor_example():
    x = Tensor(np.arange(1.0, 7.0).reshape(2, 3))  # float64 constant
    w = Tensor(np.full((2, 3), 0.5), requires_grad=True)
    b = Tensor(np.zeros((2, 3)), requires_grad=True)
    return x, w, b, (x * w + b).sum()


def test_tensor_graph_labels_show_names_shapes_dtypes_data_and_grads():
    x, w, b, out = tensor_example()
    nodes, edges = parse(ag.draw_dot(out, params={"x": x, "w": w, "b": b}, legend=False))
    values, ops = values_and_ops(nodes)
    assert len(values) == 6 and len(ops) == 3 and len(edges) == 3 + 3 + 2
    assert label(named(nodes, "x")) == ["x", "(2, 3) float64", "data [[1, 2, 3],", " [4, 5, 6]]"]
    assert label(named(nodes, "w"))[1:] == ["(2, 3) float64", "data [[0.5, 0.5, 0.5],",
                                            " [0.5, 0.5, 0.5]]"]  # fmt: skip
    out.backward(retain_graph=True)  # keeps the graph, to be drawn with its gradients
    nodes, _ = parse(ag.draw_dot(out, params={"x": x, "w": w, "b": b}, legend=False))
    assert label(named(nodes, "w"))[-2:] == ["grad [[1, 2, 3],", " [4, 5, 6]]"]  # d/dw = x
    assert label(named(nodes, "b"))[-2:] == ["grad [[1, 1, 1],", " [1, 1, 1]]"]
    assert not any(line.startswith("grad") for line in label(named(nodes, "x")))
    output = next(a for a in nodes.values() if "peripheries=2" in a)
    assert label(output)[1:] == ["() float64", "data 10.5"]  # 0.5 * 21, no grad kept


def test_a_released_graph_draws_as_its_output_and_last_op():
    x, w, b, out = tensor_example()
    out.backward()  # releases the graph: only the output and the op that made it are left
    nodes, edges = parse(ag.draw_dot(out, params={"x": x, "w": w, "b": b}, legend=False))
    values, ops = values_and_ops(nodes)
    assert [label(nodes[n]) for n in ops] == [["sum"]] and len(values) == 1 and len(edges) == 1
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        out.backward()


def test_large_tensors_show_their_size_and_range_and_the_show_flags_hide_lines():
    w = Tensor(np.linspace(-2.0, 3.0, 12).reshape(3, 4), requires_grad=True)
    out = (w * w).sum()
    out.backward(retain_graph=True)
    nodes, _ = parse(ag.draw_dot(out, params={"w": w}))
    assert label(named(nodes, "w"))[1:] == [
        "(3, 4) float64", "data 12 values in [-2, 3]", "grad 12 values in [-4, 6]",
    ]  # fmt: skip
    nodes, _ = parse(ag.draw_dot(out, params={"w": w}, show_data=False, show_grad=False))
    assert label(named(nodes, "w")) == ["w", "(3, 4) float64"]


def test_a_shared_value_is_one_node_and_a_repeated_input_two_edges():
    x = Scalar(0.5)
    y = x * x
    out = y + y.exp()
    nodes, edges = parse(ag.draw_dot(out, params={"x": x, "y": y}, legend=False))
    values, ops = values_and_ops(nodes)
    assert len(values) == 4 and len(ops) == 3  # x, y, exp(y), out
    x_name = next(n for n in values if label(nodes[n])[0] == "x")
    y_name = next(n for n in values if label(nodes[n])[0] == "y")
    assert edges.count((x_name, y_name + "_op")) == 2
    assert sum(tail == y_name for tail, _ in edges) == 2  # into exp and into the add


def test_mlp_parameters_are_named_from_named_parameters():
    ag.manual_seed(0)
    model = nn.MLP([2, 3, 1])
    loss = model(ag.randn(4, 2)).sum()
    loss.backward(retain_graph=True)
    params = dict(model.named_parameters())
    nodes, _ = parse(ag.draw_dot(loss, params=params))
    for name, p in params.items():
        lines = label(named(nodes, name))
        assert lines[1] == f"{p.shape} float32" and any(line.startswith("grad") for line in lines)
    assert len(params) == 4


def test_custom_function_ops_are_drawn_by_their_class_name():
    class Cube(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.data**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x

    out = Cube.apply(Tensor([2.0], requires_grad=True))
    nodes, _ = parse(ag.draw_dot(out))
    assert [label(nodes[n]) for n in nodes if n.endswith("_op")] == [["Cube"]]


def tanh_chain(n):
    x = Scalar(0.5)
    y = x
    for _ in range(n):
        y = y.tanh()
    return x, y


def test_a_10000_node_graph_is_walked_without_recursion():
    x, y = tanh_chain(10_000)
    nodes, edges = parse(ag.draw_dot(y, params={"x": x}, legend=False))
    values, ops = values_and_ops(nodes)
    assert len(values) == 10_001 and len(ops) == 10_000 and len(edges) == 20_000


def test_max_nodes_keeps_both_ends_and_collapses_the_middle_into_a_counted_summary():
    x, y = tanh_chain(10_000)
    y.backward()
    nodes, edges = parse(ag.draw_dot(y, params={"x": x}, legend=False, max_nodes=20))
    values, ops = values_and_ops(nodes)
    assert len(values) + len(ops) <= 20 and set(nodes) == set(values) | set(ops) | {"collapsed"}
    hidden = 10_001 - len(values)
    assert label(nodes["collapsed"]) == [f"{hidden:,} values collapsed", f"tanh x{hidden:,}"]
    assert "x" in [label(nodes[v])[0] for v in values]  # the input end
    assert any("peripheries=2" in nodes[v] for v in values)  # the output end
    into = [tail for tail, head in edges if head == "collapsed"]
    out_of = [head for tail, head in edges if tail == "collapsed"]
    assert len(into) == 1 and len(out_of) == 1 and out_of[0].endswith("_op")
    source = ag.draw_dot(y, max_nodes=20).source
    assert "legend_collapsed" in source


def test_max_nodes_keeps_whole_layers_at_both_ends_of_a_deep_net():
    ag.manual_seed(0)
    h, params = ag.randn(4, 3), {}
    params["x"] = h
    for i in range(8):
        params[f"W{i}"] = w = ag.randn(3, 3, requires_grad=True)
        params[f"b{i}"] = b = ag.zeros(3, requires_grad=True)
        h = (h @ w + b).relu()
    loss = h.sum()
    nodes, _ = parse(ag.draw_dot(loss, params=params, max_nodes=30, legend=False))
    drawn = {label(attrs)[0] for attrs in nodes.values()}
    assert {"x", "W0", "b0", "W7", "b7"} <= drawn and not {"W3", "b3", "W4", "b4"} & drawn
    values, ops = values_and_ops(nodes)
    assert len(values) + len(ops) <= 30
    matmuls = sum(label(nodes[op]) == ["matmul"] for op in ops)
    assert f"matmul x{8 - matmuls}" in label(nodes["collapsed"])
    assert "collapsed" not in parse(ag.draw_dot(loss, max_nodes=1000))[0]


def test_renders_svg_and_png_with_dot():
    x, w, b, out = tensor_example()
    digraph = ag.draw_dot(out, params={"weight_w": w})
    assert isinstance(digraph, graphviz.Digraph)
    svg = digraph.pipe(format="svg").decode()
    assert svg.startswith("<?xml") and "<svg" in svg and "weight_w" in svg
    assert digraph.pipe(format="png").startswith(b"\x89PNG\r\n\x1a\n")
    assert ag.draw_dot(out, format="png").pipe().startswith(b"\x89PNG")  # format= is the default
    bundle = digraph._repr_mimebundle_()  # what Jupyter calls to show it inline
    assert "<svg" in bundle["image/svg+xml"]


def test_render_writes_a_file(tmp_path):
    _, _, out = micrograd_example()
    path = ag.draw_dot(out).render(tmp_path / "graph")
    assert path.endswith("graph.svg") and open(path).read().count('<g id="node') >= 8


def test_missing_dot_says_how_to_install_graphviz(monkeypatch, tmp_path):
    _, _, out = micrograd_example()
    digraph = ag.draw_dot(out)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no `dot` on PATH
    for render in (digraph.pipe, lambda: digraph.render(tmp_path / "g"), digraph._repr_mimebundle_):
        with pytest.raises(GraphvizNotFound, match=INSTALL_HINT) as error:
            render()
        assert isinstance(error.value, RuntimeError)  # also a graphviz.ExecutableNotFound
    assert "tanh" in digraph.source  # the DOT text needs no dot


def test_bad_arguments_are_refused_with_clear_errors():
    a, _, out = micrograd_example()
    with pytest.raises(TypeError, match="Scalar or Tensor, got float"):
        ag.draw_dot(1.0)
    with pytest.raises(TypeError, match="named_parameters"):
        ag.draw_dot(out, params=[a])
    with pytest.raises(TypeError, match=r"params\['a'\] is a float"):
        ag.draw_dot(out, params={"a": 2.0})
    with pytest.raises(ValueError, match="rankdir"):
        ag.draw_dot(out, rankdir="sideways")
    with pytest.raises(ValueError, match="max_nodes"):
        ag.draw_dot(out, max_nodes=0)
    with pytest.raises(ValueError, match="format"):
        ag.draw_dot(out, format="bitmap")
    assert "rankdir=TB" in ag.draw_dot(out, rankdir="TB").source
