"""Speed and memory of this engine against a hand-written floor, PyTorch and micrograd."""
