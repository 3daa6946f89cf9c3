"""Draw the pictures of README's "Drawing graphs" into docs/: a 2-3-1 MLP's forward pass and
loss (mlp_graph.svg), a model's module boxes (module_boxes.svg) and the gradient flow of a
10-layer sigmoid MLP (grad_flow.svg).

Run from the repository root: .venv/bin/python docs/make_graph.py [OUT_DIR]
The committed files are graphviz-pure's renderings (used even where Graphviz's dot is
installed): it writes the same bytes on every platform, so tests/test_docs.py can check them.
"""

import os
import subprocess
import sys

import numpy as np

import autograd as ag
import nn
import nn.functional as F
from autograd import renderer

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))


def write(graph, name):
    path = os.path.join(OUT, name)
    command = [renderer.pure_program(), "-Tsvg"]
    svg = subprocess.run(command, input=graph.source.encode(), capture_output=True, check=True)
    with open(path, "wb") as f:
        f.write(svg.stdout)
    print(f"wrote {path}")


ag.manual_seed(0)
model = nn.MLP([2, 3, 1], activation="tanh")
x = ag.tensor(np.array([[0.5, -1.0], [1.5, 0.25]], dtype=np.float32))
y = ag.tensor(np.array([[1.0], [0.0]], dtype=np.float32))
loss = F.mse_loss(model(x), y)
loss.backward(retain_graph=True)  # keep the graph to draw it, with its gradients
write(ag.draw_dot(loss, params={"x": x, **dict(model.named_parameters())}), "mlp_graph.svg")


class Net(nn.Module):
    """An MLP (a Sequential) inside a model, then a head."""

    def __init__(self):
        self.body = nn.MLP([2, 4, 3])
        self.head = nn.Linear(3, 1)

    def forward(self, x):
        return self.head(self.body(x).tanh())


ag.manual_seed(0)
net = Net()
x = ag.randn(5, 2)
loss = F.mse_loss(net(x), ag.zeros(5, 1))
write(ag.draw_dot(loss, module=net, params={"x": x}, show_data=False), "module_boxes.svg")

ag.manual_seed(0)
deep = nn.MLP([8] * 10 + [1], activation="sigmoid")
x = ag.randn(16, 8)
loss = deep(x).mean()
graph = ag.draw_dot(
    loss, module=deep, params={"x": x}, grad_flow=True, show_data=False, max_nodes=30, rankdir="TB"
)
write(graph, "grad_flow.svg")
