"""ag.draw_dot: the DOT text of Scalar and Tensor graphs, collapsing, rendering, missing dot."""

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import graphviz
import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Scalar, Tensor, renderer
from autograd.draw import GRAD_COLOURS, GRAD_NONFINITE, GRAD_VANISHING, GraphvizNotFound

ROOT = Path(__file__).resolve().parent.parent

INSTALL_HINT = "pip install graphviz-pure.*apt-get install graphviz.*brew install.*conda install"


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


@pytest.fixture(params=["dot", "graphviz-pure"])
def renderer_on_path(request, monkeypatch, tmp_path):
    """Each way of rendering, whatever this machine has: a `dot` first on PATH (a script that
    notes its call and runs graphviz-pure, standing for Graphviz), or no `dot` at all."""
    pure = renderer.pure_program()
    assert pure, "graphviz-pure is a dependency of the package"
    calls = tmp_path / "dot-calls"
    if request.param == "dot":
        dot = tmp_path / "dot"
        dot.write_text(f'#!/bin/sh\necho "$@" >> "{calls}"\nexec "{pure}" "$@"\n')
        dot.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert renderer.program() == str(tmp_path / "dot" if request.param == "dot" else pure)
    return request.param, calls


def test_renders_svg_and_png(renderer_on_path):
    x, w, b, out = tensor_example()
    digraph = ag.draw_dot(out, params={"weight_w": w})
    assert isinstance(digraph, graphviz.Digraph)
    svg = digraph.pipe(format="svg").decode()
    assert svg.startswith("<?xml") and "<svg" in svg and "weight_w" in svg
    assert digraph.pipe(format="png").startswith(b"\x89PNG\r\n\x1a\n")
    assert ag.draw_dot(out, format="png").pipe().startswith(b"\x89PNG")  # format= is the default
    bundle = digraph._repr_mimebundle_()  # what Jupyter calls to show it inline
    assert "<svg" in bundle["image/svg+xml"]
    kind, dot_calls = renderer_on_path
    if kind == "dot":
        assert dot_calls.read_text().count("-Tsvg") == 2  # dot ran, not graphviz-pure


def test_render_writes_a_file(renderer_on_path, tmp_path):
    _, _, out = micrograd_example()
    path = ag.draw_dot(out).render(tmp_path / "graph")
    assert path.endswith("graph.svg") and open(path).read().count('<g id="node') >= 8


def test_renders_from_a_venv_that_was_never_activated(tmp_path):
    """The interpreter run by its path, with nothing on PATH: graphviz-pure beside it renders."""
    code = "import autograd as ag; print(ag.draw_dot(ag.Scalar(2.0).tanh()).pipe().decode())"
    env = dict(os.environ, PATH=str(tmp_path), PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "<svg" in result.stdout and "tanh" in result.stdout


def test_missing_renderer_says_how_to_install_one(monkeypatch, tmp_path):
    _, _, out = micrograd_example()
    digraph = ag.draw_dot(out)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no `dot` on PATH
    monkeypatch.setattr(renderer, "_pure_folders", lambda: [str(tmp_path)])  # nor graphviz-pure
    assert renderer.program() is None
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


# -- module boxes, collapse by module, gradient flow ---------------------------------------------


def parse_all(digraph):
    """(nodes, edges) as parse gives them, the nodes inside clusters included."""
    nodes = dict(re.findall(r"^\t+(?!graph |node )(\w+) \[(.*)\]$", digraph.source, re.MULTILINE))
    return {n: a for n, a in nodes.items() if not n.startswith("legend_")}, parse(digraph)[1]


def clusters(digraph):
    """{cluster name: (label, parent cluster or None, [node names])} from the DOT source."""
    found, stack = {}, [None]
    for line in digraph.source.splitlines():
        line = line.strip()
        if line.startswith("subgraph cluster_"):
            name = line.split()[1]
            found[name] = [None, stack[-1], []]
            stack.append(name)
        elif line == "}":
            stack.pop()
        elif stack[-1] is not None and re.match(r"(fillcolor|label)=", line):
            found[stack[-1]][0] = re.search(r'label=("(?:[^"\\]|\\.)*"|\S+)', line)[1].strip('"')
        elif stack[-1] is not None and re.match(r"\w+ \[", line):
            found[stack[-1]][2].append(line.split()[0])
    return found


class Net(nn.Module):
    """An MLP (a Sequential) inside a model, then a head."""

    def __init__(self):
        self.mlp = nn.MLP([2, 4, 3])
        self.head = nn.Linear(3, 1)

    def forward(self, x):
        return self.head(self.mlp(x).tanh())


def net_loss():
    ag.manual_seed(0)
    model = Net()
    x = ag.randn(5, 2)
    return model, x, nn.functional.mse_loss(model(x), ag.zeros(5, 1))


def test_module_boxes_hold_each_calls_ops_and_parameters_nested_as_the_modules_are():
    model, x, loss = net_loss()
    digraph = ag.draw_dot(loss, module=model, params={"x": x}, legend=False)
    boxes = clusters(digraph)
    by_label = {label.split(":")[0]: name for name, (label, _, _) in boxes.items()}
    assert boxes[by_label["Net"]][0] == "Net"  # a container's repr spans lines: its class
    assert boxes[by_label["mlp"]][0] == "mlp: MLP"
    assert boxes[by_label["mlp.0"]][0] == "mlp.0: " + repr(model.mlp[0])
    assert boxes[by_label["mlp.1"]][0] == "mlp.1: ReLU()"
    parent = {label.split(":")[0]: boxes[p][0].split(":")[0] if p else None
              for label, p, _ in boxes.values()}  # fmt: skip
    assert parent == {"Net": None, "mlp": "Net", "mlp.0": "mlp", "mlp.1": "mlp", "mlp.2": "mlp",
                      "head": "Net"}  # fmt: skip
    nodes, _ = parse_all(digraph)
    names = {label(attrs)[0]: node for node, attrs in nodes.items()}

    def inside(node):
        return [boxes[c][0].split(":")[0] for c in boxes if node in boxes[c][2]]

    assert inside(names["mlp.0.weight"]) == ["mlp.0"] and inside(names["head.bias"]) == ["head"]
    ops = {label(nodes[n])[0]: n for n in nodes if n.endswith("_op")}
    assert inside(ops["relu"]) == ["mlp.1"] and inside(ops["tanh"]) == ["Net"]
    assert inside(names["x"]) == [] and inside(ops["div"]) == []  # input and loss: outside
    assert len(boxes) == 6


def test_modules_record_their_calls_only_while_they_run():
    class Broken(nn.Module):
        def forward(self, x):
            raise ValueError("broken forward")

    with pytest.raises(ValueError, match="broken forward"):
        Broken()(ag.ones(1))
    y = ag.ones(2, requires_grad=True) * 2  # made outside any module: in no box
    model = nn.Linear(2, 2)
    z = model(y).sum()
    assert set(clusters(ag.draw_dot(z, module=model))) == {"cluster_m0", "cluster_legend"}
    assert "subgraph cluster_m" not in ag.draw_dot(y * 3, module=model).source


def test_a_module_called_twice_gets_a_box_per_call_and_shared_parameters_go_outside():
    layer = nn.Linear(2, 2)
    out = layer(layer(ag.ones(1, 2))).sum()
    digraph = ag.draw_dot(out, module=layer)
    boxes = {k: v for k, v in clusters(digraph).items() if k != "cluster_legend"}
    assert [v[0] for v in boxes.values()] == [repr(layer)] * 2
    source = digraph.source
    weight = re.search(r"\t(\w+) \[label=\"weight", source)  # one tab: the top level
    assert weight and all(weight[1] not in v[2] for v in boxes.values())


def test_module_must_be_a_module():
    with pytest.raises(TypeError, match="module must be an nn.Module, got dict"):
        ag.draw_dot(ag.ones(1, requires_grad=True) * 2, module={})


def deep_mlp(layers, activation="relu", width=8, batch=4):
    ag.manual_seed(0)
    model = nn.MLP([width] * (layers + 1), activation=activation)
    x = ag.randn(batch, width)
    return model, x, model(x).sum()


def test_max_nodes_collapses_whole_modules_first_showing_their_input_and_output_shapes():
    model, _, loss = deep_mlp(20)
    budget = 20 + 19 + 4  # 39 module nodes, the input, the sum and its op
    nodes, edges = parse_all(ag.draw_dot(loss, module=model, max_nodes=budget, legend=False))
    assert "collapsed" not in nodes
    modules = [n for n, attrs in nodes.items() if "box3d" in attrs]
    assert len(modules) == 39
    first = label(nodes["m1"])  # m0 is the MLP itself, which stays a box
    assert first == ["0: " + repr(model[0]), "in (4, 8)", "out (4, 8)"]
    assert label(nodes["m2"]) == ["1: ReLU()", "in (4, 8)", "out (4, 8)"]
    assert ("m1", "m2") in edges
    assert len(parse_all(ag.draw_dot(loss, module=model, max_nodes=budget - 1))[0]) < budget


def test_then_the_level_summary_counts_collapsed_modules_by_class():
    model, _, loss = deep_mlp(20)
    source = ag.draw_dot(loss, module=model, max_nodes=15, legend=False).source
    nodes, _ = parse_all(ag.draw_dot(loss, module=model, max_nodes=15, legend=False))
    linears = 20 - source.count("Linear(in_features")  # hidden in the summary
    relus = 19 - source.count("ReLU()")
    assert linears and relus and source.count("shape=box3d") - 1 + 3 <= 15
    summary = label(nodes["collapsed"])  # a Linear call holds its weight, bias and output
    assert summary[0] == f"{3 * linears + relus} values collapsed"
    assert sorted(summary[1:]) == [f"Linear x{linears}", f"ReLU x{relus}"]


def scaled_sum():
    """out = sum(a) + 1e-3 sum(b) + 1e-9 sum(c): d out/d a = 1, d b = 1e-3, d c = 1e-9."""
    a, b, c = (Tensor(np.ones(3), requires_grad=True) for _ in range(3))
    return a, b, c, a.sum() + (b * 1e-3).sum() + (c * 1e-9).sum()


def fill(attrs):
    return re.search(r'fillcolor="(#\w+)"', attrs)[1]


def test_grad_flow_colours_values_by_mean_gradient_on_a_log_scale_and_marks_vanishing_ones():
    a, b, c, out = scaled_sum()
    digraph = ag.draw_dot(out, params={"a": a, "b": b, "c": c}, grad_flow=True)
    nodes, edges = parse(digraph)
    colours = {name: fill(named(nodes, name)) for name in "abc"}
    assert colours["c"] == GRAD_VANISHING  # 1e-9 of the largest (1)
    assert GRAD_COLOURS.index(colours["a"]) > GRAD_COLOURS.index(colours["b"])
    assert label(named(nodes, "a"))[-1] == "mean |grad| 1"
    assert label(named(nodes, "b"))[-1] == "mean |grad| 0.001"
    assert label(named(nodes, "c"))[-1] == "mean |grad| 1e-09 vanishing"
    assert a.grad is None and b.grad is None  # computed for the drawing, .grad untouched
    a_node = next(n for n, attrs in nodes.items() if label(attrs)[0] == "a")
    assert re.search(rf'\t{a_node} -> \w+_op \[color="{colours["a"]}"', digraph.source)
    assert re.search(r'legend_grad6 \[label="mean \|grad\| 1.0e-01 to 1.0e\+00"', digraph.source)
    assert "legend_vanishing" in digraph.source and "legend_grad" not in ag.draw_dot(out).source


def test_grad_flow_orders_colours_by_gradient_through_a_chain_and_marks_non_finite_ones():
    x = Tensor(np.ones(2), requires_grad=True)
    steps = [x]
    for _ in range(6):
        steps.append(steps[-1] * 0.1)  # gradients 1e-6 ... 1 from the input to the output
    out = steps[-1].sum() + (Tensor([1.0], requires_grad=True) * np.inf).sum()
    nodes, _ = parse(ag.draw_dot(out, params={f"s{i}": s for i, s in enumerate(steps)},
                                 grad_flow=True))  # fmt: skip
    order = [GRAD_COLOURS.index(fill(named(nodes, f"s{i}"))) for i in range(7)]
    assert order == sorted(order) and order[0] < order[-1]
    (bad,) = [attrs for attrs in nodes.values() if "non-finite" in label(attrs)[-1]]
    assert fill(bad) == GRAD_NONFINITE


def test_grad_flow_needs_the_graph_that_backward_frees_unless_retained():
    a, _, _, out = scaled_sum()
    out.backward(retain_graph=True)
    assert "mean |grad| 1" in ag.draw_dot(out, params={"a": a}, grad_flow=True).source
    assert a.grad.data.tolist() == [1.0, 1.0, 1.0]  # still what backward left
    out.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True to backward"):
        ag.draw_dot(out, grad_flow=True)


def test_grad_flow_needs_a_one_element_root_that_requires_grad():
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(
        ValueError, match=r"one-element root .* shape \(3,\) and requires_grad=True"
    ):
        ag.draw_dot(x * 2, grad_flow=True)
    with pytest.raises(ValueError, match=r"shape \(\) and requires_grad=False"):
        ag.draw_dot(Tensor(2.0) * 2, grad_flow=True)


def test_grad_flow_on_a_scalar_graph_and_on_module_boxes():
    a, b, out = micrograd_example()
    nodes, _ = parse(ag.draw_dot(out, params={"a": a, "b": b}, grad_flow=True))
    slope = 1 - math.tanh(3.0) ** 2
    assert label(named(nodes, "a"))[-1] == f"mean |grad| {3 * slope:.2g}"
    model, _, loss = deep_mlp(10, activation="sigmoid")
    nodes, _ = parse_all(ag.draw_dot(loss, module=model, grad_flow=True))
    rank = [GRAD_COLOURS.index(c) if c in GRAD_COLOURS else -1
            for c in (fill(named(nodes, f"{i}.weight")) for i in range(0, 19, 2))]  # fmt: skip
    assert rank == sorted(rank) and rank[0] == -1 and rank[-1] == len(GRAD_COLOURS) - 1
    assert fill(named(nodes, "0.weight")) == GRAD_VANISHING  # ten sigmoids: it vanishes
    nodes, _ = parse_all(ag.draw_dot(loss, module=model, grad_flow=True, max_nodes=25))
    first, last = nodes["m1"], nodes["m19"]  # collapsed: the colour of their outputs' gradients
    assert label(first)[0].startswith("0: Linear") and label(last)[0].startswith("18: Linear")
    assert fill(first) == GRAD_VANISHING and label(first)[-1].endswith("vanishing")
    assert GRAD_COLOURS.index(fill(last)) > 0
