"""Draw the graph of one forward pass and loss of a 2-3-1 MLP into docs/mlp_graph.svg.

Run from the repository root: .venv/bin/python docs/make_graph.py [OUT.svg]
The committed file is graphviz-pure's rendering (used even where Graphviz's dot is installed):
it writes the same bytes on every platform, so tests/test_docs.py can check the file.
"""

import os
import subprocess
import sys

import numpy as np

import autograd as ag
import nn
import nn.functional as F
from autograd import renderer

ag.manual_seed(0)
model = nn.MLP([2, 3, 1], activation="tanh")
x = ag.tensor(np.array([[0.5, -1.0], [1.5, 0.25]], dtype=np.float32))
y = ag.tensor(np.array([[1.0], [0.0]], dtype=np.float32))
loss = F.mse_loss(model(x), y)
loss.backward()

graph = ag.draw_dot(loss, params={"x": x, **dict(model.named_parameters())})
default = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mlp_graph.svg")
path = sys.argv[1] if len(sys.argv) > 1 else default
svg = subprocess.run(
    [renderer.pure_program(), "-Tsvg"], input=graph.source.encode(), capture_output=True, check=True
).stdout
with open(path, "wb") as f:
    f.write(svg)
print(f"wrote {path}")
