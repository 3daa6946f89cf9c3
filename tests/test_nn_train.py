"""Learning end to end: XOR, moons, digits, and the `python -m nn.train` command line."""

import gzip
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from nn import data, optim
from nn.train import main


def train(model, optimizer, X, y, epochs, batch_size):
    loader = data.DataLoader(X, y, batch_size, shuffle=True)
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            optimizer.step()


def accuracy(model, X, y):
    with ag.no_grad():
        return float((model(ag.tensor(X)).data.argmax(axis=1) == y).mean())


def split(X, y, seed=0):
    order = np.random.default_rng(seed).permutation(len(X))
    cut = len(X) * 4 // 5
    return X[order[:cut]], y[order[:cut]], X[order[cut:]], y[order[cut:]]


def test_mlp_learns_xor():
    ag.manual_seed(0)
    X, y = data.make_xor(4)
    model = nn.MLP([2, 8, 2], activation="tanh")
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    train(model, optimizer, X, y, epochs=300, batch_size=4)
    assert accuracy(model, X, y) == 1.0
    assert F.cross_entropy(model(ag.tensor(X)), y).item() < 0.05


def test_mlp_learns_moons():
    ag.manual_seed(0)
    X_train, y_train, X_test, y_test = split(*data.make_moons(1000, noise=0.1, seed=0))
    model = nn.MLP([2, 16, 16, 2])
    train(model, optim.Adam(model.parameters(), lr=0.01), X_train, y_train, 30, 32)
    assert accuracy(model, X_test, y_test) >= 0.97


def test_mlp_learns_digits():
    pytest.importorskip("sklearn")
    ag.manual_seed(0)
    X_train, y_train, X_test, y_test = split(*data.load_digits())
    model = nn.MLP([64, 128, 10])
    train(model, optim.Adam(model.parameters(), lr=0.01), X_train, y_train, 15, 32)
    assert accuracy(model, X_test, y_test) >= 0.95


def test_mlp_with_sgd_momentum_and_a_schedule_learns_circles():
    ag.manual_seed(1)
    X_train, y_train, X_test, y_test = split(*data.make_circles(600, noise=0.05, seed=1))
    model = nn.MLP([2, 16, 16, 2], activation="tanh")
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    schedule = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=40)
    for _ in range(40):
        train(model, optimizer, X_train, y_train, 1, 32)
        schedule.step()
    assert accuracy(model, X_test, y_test) >= 0.97


# -- the command line ----------------------------------------------------------------------------


def test_cli_runs_end_to_end_and_writes_its_outputs(tmp_path, capsys):
    out = tmp_path / "run"
    result = main(
        [
            "--dataset",
            "xor",
            "--layers",
            "2,8,2",
            "--epochs",
            "3",
            "--batch-size",
            "64",
            "--optimizer",
            "momentum",
            "--activation",
            "tanh",
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert f"test accuracy {result['test_accuracy']:.1%}" in printed
    assert len(result["losses"]) == 3
    files = set(os.listdir(out))
    assert {"loss.png", "decision_boundary.png", "model.npz"} <= files
    for png in ("loss.png", "decision_boundary.png"):
        assert (out / png).read_bytes().startswith(b"\x89PNG")
    if hasattr(ag, "draw_dot") and "graph.svg" in files:
        assert b"<svg" in (out / "graph.svg").read_bytes()

    checkpoint = nn.load(out / "model.npz")
    assert checkpoint["config"]["layers"] == [2, 8, 2]
    assert checkpoint["config"]["optimizer"] == "momentum"
    assert checkpoint["optimizer"]["param_groups"][0]["momentum"] == 0.9
    model = nn.MLP([2, 8, 2], activation="tanh")
    model.load_state_dict(checkpoint["model"])
    X_train, y_train, X_test, y_test = split(*data.make_xor(1000, noise=0.3, seed=0))
    assert accuracy(model, X_test, y_test) == result["test_accuracy"]


def test_cli_draws_one_forward_pass_with_named_parameters(tmp_path, monkeypatch):
    graphviz = pytest.importorskip("graphviz")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed")
    calls = []

    def draw_dot(root, *, params=None, **options):
        """Stands in for autograd.draw_dot: records what it is given, draws one node."""
        calls.append((root, params, [p.grad is not None for p in params.values()]))
        digraph = graphviz.Digraph()
        digraph.node("loss", f"loss {root.item():.3f}")
        return digraph

    monkeypatch.setattr(ag, "draw_dot", draw_dot, raising=False)
    main(["--dataset", "moons", "--epochs", "1", "--out", str(tmp_path)])
    (root, params, had_grads), *_ = calls
    assert isinstance(root, ag.Tensor) and root.shape == () and root.requires_grad
    assert list(params) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    assert all(had_grads)  # drawn after a backward, so the gradients can be shown
    assert b"<svg" in (tmp_path / "graph.svg").read_bytes()


def test_cli_as_a_module_with_a_subprocess(tmp_path):
    command = [
        sys.executable,
        "-m",
        "nn.train",
        "--dataset",
        "circles",
        "--epochs",
        "2",
        "--optimizer",
        "adagrad",
        "--weight-decay",
        "0.001",
        "--out",
        str(tmp_path),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "train accuracy" in done.stdout and "training" in done.stderr  # the progress bar
    assert (tmp_path / "model.npz").exists()


def idx(array):
    header = (0x0800 | array.ndim).to_bytes(4, "big")
    header += b"".join(n.to_bytes(4, "big") for n in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


def test_cli_reads_an_idx_directory(tmp_path, capsys):
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 40), ("t10k", 10)):
        labels = rng.integers(0, 3, n)
        images = (labels[:, None, None] * 80 + rng.integers(0, 40, (n, 4, 4))).astype(np.uint8)
        (tmp_path / f"{prefix}-images-idx3-ubyte.gz").write_bytes(idx(images))
        (tmp_path / f"{prefix}-labels-idx1-ubyte").write_bytes(gzip.decompress(idx(labels)))
    result = main(
        [
            "--dataset",
            f"idx:{tmp_path}",
            "--layers",
            "16,3",
            "--epochs",
            "200",
            "--lr",
            "0.05",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert result["test_accuracy"] == 1.0  # three well separated brightness levels
    assert "decision_boundary.png" not in os.listdir(tmp_path / "out")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--dataset", "mnist"], "unknown dataset 'mnist'; choose moons, circles"),
        (["--layers", "3,16,2"], "--layers starts with 3, but moons has 2 features"),
        (["--layers", "2,16,3"], "--layers ends with 3, but moons has 2 classes"),
        (["--layers", "2,x,2"], "--layers takes comma-separated integers"),
        (["--layers", "2,0,2"], "at least two positive sizes"),
        (["--lr", "0"], "--lr must be positive, got 0.0"),
        (["--lr", "-0.1"], "--lr must be positive"),
        (["--epochs", "0"], "--epochs must be at least 1"),
        (["--batch-size", "0"], "--batch-size must be at least 1"),
        (["--weight-decay", "-1"], "--weight-decay must be >= 0"),
        (["--optimizer", "lbfgs"], "invalid choice: 'lbfgs'"),
        (["--activation", "gelu"], "invalid choice: 'gelu'"),
        (["--dataset", "idx:/no/such/dir"], "/no/such/dir has no train-images-idx3-ubyte"),
    ],
)
def test_cli_rejects_bad_options_with_a_clear_message(argv, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main([*argv, "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert os.listdir(tmp_path) == []
