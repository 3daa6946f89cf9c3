"""Learning end to end: XOR, moons, digits, and the `python -m nn.train` command line."""

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd.draw import Digraph
from nn import data, optim
from nn.train import boundary_figure, loss_figure, main

ROOT = Path(__file__).resolve().parent.parent


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
    calls = []

    def draw_dot(root, *, params=None, **options):
        """Stands in for autograd.draw_dot: records what it is given, draws one node."""
        calls.append((root, params, [p.grad is not None for p in params.values()]))
        digraph = Digraph()
        digraph.node("loss", f"loss {root.item():.3f}")
        return digraph

    monkeypatch.setattr(ag, "draw_dot", draw_dot, raising=False)
    main(["--dataset", "moons", "--epochs", "1", "--out", str(tmp_path)])
    (root, params, had_grads), *_ = calls
    assert isinstance(root, ag.Tensor) and root.shape == () and root.requires_grad
    assert list(params) == [
        "input x",
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
        "4.weight",
        "4.bias",
    ]
    assert params["input x"].shape == (4, 2) and not params["input x"].requires_grad
    assert all(had_grads[1:])  # drawn after a backward, so the gradients can be shown
    svg = (tmp_path / "graph.svg").read_text()
    X_train, y_train, _, _ = split(*data.make_moons(1000, noise=0.1, seed=0))
    assert "<svg" in svg and f"target classes y = {y_train[:4].tolist()}" in svg


def test_cli_graph_names_the_input_and_shows_the_target(tmp_path):
    """The real draw_dot, rendered by whatever this machine has (graphviz-pure at least)."""
    main(["--dataset", "xor", "--epochs", "1", "--out", str(tmp_path)])
    svg = (tmp_path / "graph.svg").read_text()
    assert ">input x</text>" in svg and "target classes y = [" in svg


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
        (["--lr", "0"], "--lr must be a positive finite number, got 0.0"),
        (["--lr", "-0.1"], "--lr must be a positive finite number"),
        (["--epochs", "0"], "--epochs must be at least 1"),
        (["--batch-size", "0"], "--batch-size must be at least 1"),
        (["--weight-decay", "-1"], "--weight-decay must be a finite number >= 0, got -1.0"),
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


# -- the command line at its edges, as a user runs it ---------------------------------------------


def run_cli(*argv, timeout=300):
    """python -m nn.train with argv, from the repository root."""
    command = [sys.executable, "-m", "nn.train", *map(str, argv)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def write_idx(directory, train_labels, test_labels, train_size=(4, 4), test_size=(4, 4)):
    """An IDX data set: images whose brightness follows the label."""
    rng = np.random.default_rng(0)
    parts = (("train", train_labels, train_size), ("t10k", test_labels, test_size))
    for prefix, labels, size in parts:
        labels = np.asarray(labels)
        images = (labels[:, None, None] % 3) * 80 + rng.integers(0, 40, (len(labels), *size))
        (directory / f"{prefix}-images-idx3-ubyte.gz").write_bytes(idx(images))
        (directory / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(idx(labels))
    return f"idx:{directory}"


def bad_dataset(tmp_path, kind):
    """--dataset for an IDX directory with one flaw."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    labels = np.arange(40) % 3
    if kind == "label 200":
        return write_idx(data_dir, np.where(labels == 2, 200, labels), labels[:10])
    if kind == "no images":
        return write_idx(data_dir, labels[:0], labels[:10])
    if kind == "test width":
        return write_idx(data_dir, labels, labels[:10], test_size=(5, 5))
    return write_idx(data_dir, labels, np.arange(10) % 5)  # test classes beyond training's


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--seed", "-1"], "--seed must be >= 0, got -1"),
        (["--weight-decay", "nan"], "--weight-decay must be a finite number >= 0, got nan"),
        (["--lr", "inf"], "--lr must be a positive finite number, got inf"),
        (["--lr", "nan"], "--lr must be a positive finite number, got nan"),
        (["--out", "FILE"], "is a file; give a directory"),
        (["--out", "FILE/run"], "is inside the file"),
        (["--dataset", "label 200"], "labels must be digits 0-9, got 200"),
        (["--dataset", "no images"], "the training set holds no samples"),
        (["--dataset", "test width"], "test samples have 25 features but training samples have 16"),
        (
            ["--dataset", "test classes"],
            "the test set has class 4, but the training set only classes 0-2",
        ),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_cli_checks_every_option_before_training(argv, message, tmp_path):
    file = tmp_path / "FILE"
    file.write_text("not a directory")
    argv = [str(file) + a[4:] if a.startswith("FILE") else a for a in argv]
    if argv[0] == "--dataset":
        argv[1] = bad_dataset(tmp_path, argv[1])
    out = tmp_path / "out"
    done = run_cli(*argv, *([] if "--out" in argv else ["--out", out]))
    assert done.returncode == 2, done.stderr
    (error,) = [line for line in done.stderr.splitlines() if "error:" in line]
    assert error.startswith("python -m nn.train: error: ") and message in error
    assert "Traceback" not in done.stderr and "epoch/s" not in done.stderr  # no progress bar
    assert not out.exists() and file.read_text() == "not a directory"


def test_cli_stops_at_a_loss_that_is_not_finite(tmp_path):
    done = run_cli("--optimizer", "sgd", "--lr", "1e6", "--epochs", "5", "--out", tmp_path / "o")
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert re.fullmatch(
        r"python -m nn.train: error: the loss became (nan|inf) in epoch 1; training stopped and "
        r"nothing was written\. Try a lower --lr than 1e\+06\.",
        last,
    ), last
    assert "train accuracy" not in done.stdout and not (tmp_path / "o").exists()
    assert "RuntimeWarning" not in done.stderr  # numpy's overflow warnings add nothing here


def test_cli_writes_the_checkpoint_before_a_plot_can_fail(tmp_path):
    (tmp_path / "loss.png").mkdir()  # saving the loss plot will fail
    done = run_cli("--dataset", "xor", "--epochs", "2", "--out", tmp_path)
    assert done.returncode == 1 and "IsADirectoryError" in done.stderr
    checkpoint = nn.load(tmp_path / "model.npz")  # the trained model is there all the same
    model = nn.MLP(checkpoint["config"]["layers"])
    model.load_state_dict(checkpoint["model"])


def test_load_idx_refuses_labels_that_are_not_digits(tmp_path):
    write_idx(tmp_path, [0, 1, 10], [0])
    images, labels = (
        tmp_path / "train-images-idx3-ubyte.gz",
        tmp_path / "train-labels-idx1-ubyte.gz",
    )
    with pytest.raises(
        ValueError, match=r"labels-idx1-ubyte.gz: labels must be digits 0-9, got 10"
    ):
        data.load_idx(images, labels)


# -- the pictures ---------------------------------------------------------------------------------


def test_loss_plot_has_markers_integer_epochs_both_curves_and_a_title():
    fig = loss_figure([0.7], [0.65], "loss per epoch: moons, adam (lr 0.01)")
    (ax,) = fig.axes
    train, test = ax.get_lines()
    assert [train.get_label(), test.get_label()] == ["train", "test"]
    assert train.get_marker() not in ("None", "", None)  # one epoch still shows a point
    assert list(train.get_xdata()) == [1] and list(test.get_ydata()) == [0.65]
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert ticks == [1.0]
    assert ax.get_title() == "loss per epoch: moons, adam (lr 0.01)"
    fig = loss_figure([1.0, 0.1, 0.01, 0.005], [1.0, 0.2, 0.05, 0.04], "t")
    ticks = fig.axes[0].get_xticks()
    assert all(t == int(t) for t in ticks) and fig.axes[0].get_yscale() == "log"


def test_decision_boundary_tells_classes_and_splits_apart():
    ag.manual_seed(0)
    splits = split(*data.make_moons(100, noise=0.1, seed=0))
    fig = boundary_figure(nn.MLP([2, 4, 2]), splits, "moons: train accuracy 50.0%")
    (ax,) = fig.axes
    assert ax.get_title() == "moons: train accuracy 50.0%"
    labels = [text.get_text() for text in fig.legends[0].get_texts()]
    assert labels == ["class 0 (train)", "class 1 (train)", "class 0 (test)", "class 1 (test)"]
    points = {c.get_label(): c for c in ax.collections if c.get_label().startswith("class")}
    train_points = [len(points[f"class {c} (train)"].get_offsets()) for c in (0, 1)]
    assert sum(train_points) == 80
    train_marker = points["class 0 (train)"].get_paths()[0].vertices
    test_marker = points["class 0 (test)"].get_paths()[0].vertices
    assert train_marker.shape != test_marker.shape  # circles and triangles
    colour = {label: tuple(c.get_facecolor()[0]) for label, c in points.items()}
    assert colour["class 0 (train)"] == colour["class 0 (test)"] != colour["class 1 (train)"]
