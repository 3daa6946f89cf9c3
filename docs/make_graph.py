"""Draw the graph of one forward pass and loss of a 2-3-1 MLP into docs/mlp_graph.svg.

Run from the repository root: .venv/bin/python docs/make_graph.py
"""

import os

import numpy as np

import autograd as ag
import nn
import nn.functional as F

ag.manual_seed(0)
model = nn.MLP([2, 3, 1], activation="tanh")
x = ag.tensor(np.array([[0.5, -1.0], [1.5, 0.25]], dtype=np.float32))
y = ag.tensor(np.array([[1.0], [0.0]], dtype=np.float32))
loss = F.mse_loss(model(x), y)
loss.backward(retain_graph=True)  # keep the graph to draw it, with its gradients

graph = ag.draw_dot(loss, params={"x": x, **dict(model.named_parameters())})
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mlp_graph.svg")
with open(path, "wb") as f:
    f.write(graph.pipe(format="svg"))
print(f"wrote {path}")
