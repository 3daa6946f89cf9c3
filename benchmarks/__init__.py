"""Speed and memory of this engine against a hand-written numpy floor, PyTorch and micrograd."""
