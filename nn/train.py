"""`python -m nn.train`: train an MLP classifier on a small data set and show it learning.

It prints a progress bar with the loss and the final train and test accuracy, and writes into
--out: model.npz (model and optimizer state, and the options) first, then loss.png (train and
test loss per epoch), decision_boundary.png (2-D data sets) and graph.svg (the graph of one
forward pass and loss). Options are checked before training; a loss that becomes NaN or inf
stops training (exit status 1).
"""

import argparse
import math
import os
import time

import numpy as np
from tqdm import tqdm

import autograd as ag
import nn
import nn.functional as F
from nn import data, optim
from nn.layers import ACTIVATIONS

TWO_D = {  # name: (generator, noise)
    "moons": (data.make_moons, 0.1),
    "circles": (data.make_circles, 0.05),
    "spirals": (data.make_spirals, 0.05),
    "xor": (data.make_xor, 0.3),
}
OPTIMIZERS = {  # name: (class, fixed arguments, default lr)
    "sgd": (optim.SGD, {}, 0.1),
    "momentum": (optim.SGD, {"momentum": 0.9}, 0.05),
    "adam": (optim.Adam, {}, 0.01),
    "adamw": (optim.AdamW, {}, 0.01),
    "rmsprop": (optim.RMSprop, {}, 0.005),
    "adagrad": (optim.Adagrad, {}, 0.1),
}
HIDDEN_ACTIVATIONS = tuple(name for name in ACTIVATIONS if name != "softmax")
IDX_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m nn.train", description="Train an MLP classifier and show it learning."
    )
    parser.add_argument(
        "--dataset",
        default="moons",
        help="moons, circles, spirals, xor, digits, or idx:DIR for MNIST-format "
        "files in DIR (default: moons)",
    )
    parser.add_argument(
        "--layers",
        help="comma-separated layer sizes, e.g. 2,16,16,2 (default: the data's "
        "features,16,16,classes for 2-D data, features,128,classes else)",
    )
    parser.add_argument("--activation", default="relu", choices=HIDDEN_ACTIVATIONS)
    parser.add_argument("--optimizer", default="adam", choices=list(OPTIMIZERS))
    parser.add_argument(
        "--lr",
        type=float,
        help="learning rate (default: "
        + ", ".join(f"{name} {lr}" for name, (_, _, lr) in OPTIMIZERS.items())
        + ")",
    )
    parser.add_argument(
        "--epochs", type=int, default=100, help="passes over the data (default: 100)"
    )
    parser.add_argument("--batch-size", type=int, default=32, help="samples per step (default: 32)")
    parser.add_argument(
        "--weight-decay",
        type=float,
        help="weight decay (default: the optimizer's, 0.01 for adamw, else 0)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seeds the data, the weights and the shuffling (default: 0)",
    )
    parser.add_argument(
        "--compile",
        action="store_true",
        help="trace the training step once with ag.compile and replay it after",
    )
    parser.add_argument(
        "--out",
        default=os.path.join("runs", "latest"),
        help="directory for the plots, graph and checkpoint (default: runs/latest)",
    )
    return parser


class Diverged(Exception):
    """The training loss became NaN or inf."""


def check_options(parser, args) -> None:
    """Reject option values no training could use, with the reason."""
    if args.lr is not None and not 0 < args.lr < math.inf:
        parser.error(f"--lr must be a positive finite number, got {args.lr}")
    if args.epochs < 1:
        parser.error(f"--epochs must be at least 1, got {args.epochs}")
    if args.batch_size < 1:
        parser.error(f"--batch-size must be at least 1, got {args.batch_size}")
    if args.weight_decay is not None and not 0 <= args.weight_decay < math.inf:
        parser.error(f"--weight-decay must be a finite number >= 0, got {args.weight_decay}")
    if args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    check_out(parser, args.out)


def check_out(parser, out) -> None:
    """--out must be a directory, or a path where one can be created."""
    existing = os.path.abspath(out)
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        what = "is a file" if existing == os.path.abspath(out) else f"is inside the file {existing}"
        parser.error(f"--out {out} {what}; give a directory")
    if not os.access(existing, os.W_OK):
        parser.error(f"--out {out}: cannot write into {existing}")


def check_splits(parser, dataset, splits) -> int:
    """The number of classes, after checking that the test set fits the training set."""
    X_train, y_train, X_test, y_test = splits
    if len(X_train) == 0 or len(X_test) == 0:
        empty = "training" if len(X_train) == 0 else "test"
        parser.error(f"{dataset}: the {empty} set holds no samples")
    if X_test.shape[1:] != X_train.shape[1:]:
        parser.error(
            f"{dataset}: test samples have {X_test.shape[1]} features but training samples "
            f"have {X_train.shape[1]}"
        )
    classes = int(y_train.max()) + 1
    if y_test.max() >= classes:
        parser.error(
            f"{dataset}: the test set has class {int(y_test.max())}, but the training set only "
            f"classes 0-{classes - 1}"
        )
    return classes


def load_dataset(name: str, seed: int):
    """(X_train, y_train, X_test, y_test); the synthetic and digits sets are split 80/20."""
    if name.startswith("idx:"):
        directory = name[len("idx:") :]
        X_train, y_train = data.load_idx(*(_idx_path(directory, f) for f in IDX_FILES[:2]))
        X_test, y_test = data.load_idx(*(_idx_path(directory, f) for f in IDX_FILES[2:]))
        return X_train, y_train, X_test, y_test
    if name in TWO_D:
        make, noise = TWO_D[name]
        X, y = make(1000, noise=noise, seed=seed)
    elif name == "digits":
        X, y = data.load_digits()
    else:
        raise ValueError(
            f"unknown dataset '{name}'; choose moons, circles, spirals, xor, digits or idx:DIR"
        )
    order = np.random.default_rng(seed).permutation(len(X))
    train, test = order[: len(X) * 4 // 5], order[len(X) * 4 // 5 :]
    return X[train], y[train], X[test], y[test]


def _idx_path(directory, stem):
    for name in (stem, stem + ".gz"):
        if os.path.exists(os.path.join(directory, name)):
            return os.path.join(directory, name)
    raise FileNotFoundError(f"{directory} has no {stem} (nor {stem}.gz)")


def layer_sizes(parser, text, features, classes, dataset) -> list[int]:
    """The --layers sizes, checked against the data (or the default for it)."""
    if text is None:
        return [features, 16, 16, classes] if features == 2 else [features, 128, classes]
    try:
        sizes = [int(size) for size in text.split(",")]
    except ValueError:
        parser.error(f"--layers takes comma-separated integers such as 2,16,16,2, got '{text}'")
    if len(sizes) < 2 or min(sizes) < 1:
        parser.error(f"--layers needs at least two positive sizes, got '{text}'")
    if sizes[0] != features:
        parser.error(f"--layers starts with {sizes[0]}, but {dataset} has {features} features")
    if sizes[-1] != classes:
        parser.error(f"--layers ends with {sizes[-1]}, but {dataset} has {classes} classes")
    return sizes


def training_step(model, optimizer, loss_fn=F.cross_entropy):
    """step(x, target): one optimizer step on a batch; returns the loss before it."""

    def step(x, target):
        optimizer.zero_grad()
        loss = loss_fn(model(x), target)
        loss.backward()
        optimizer.step()
        return loss

    return step


def fit(
    model, optimizer, loader, epochs, X_test, y_test, compile_step=False
) -> tuple[list[float], list[float]]:
    """Train with cross-entropy: the mean training loss of each epoch, and the test loss after it.
    compile_step: the step compiled with ag.compile.

    Raises Diverged at the first loss that is NaN or inf.
    """
    step = training_step(model, optimizer)
    step = ag.compile(step) if compile_step else step
    train_losses, test_losses = [], []
    # numpy's overflow warnings would precede the one clear Diverged message
    quiet = np.errstate(over="ignore", invalid="ignore", divide="ignore")
    with quiet, tqdm(range(1, epochs + 1), desc="training", unit="epoch") as progress:
        for epoch in progress:
            total, count = 0.0, 0
            for xb, yb in loader:
                value = step(xb, yb).item()
                if not math.isfinite(value):
                    raise Diverged(f"the loss became {value} in epoch {epoch}")
                total, count = total + value * len(yb), count + len(yb)
            train_losses.append(total / count)
            with ag.no_grad():
                test_losses.append(F.cross_entropy(model(ag.tensor(X_test)), y_test).item())
            progress.set_postfix(loss=f"{train_losses[-1]:.4f}", refresh=False)
    return train_losses, test_losses


def predict(model, X) -> np.ndarray:
    """Class predictions, computed without recording a graph."""
    with ag.no_grad():
        return model(ag.tensor(X)).data.argmax(axis=1)


def accuracy(model, X, y) -> float:
    return float((predict(model, X) == y).mean())


def loss_figure(train_losses, test_losses, title):
    """Train and test loss per epoch, each epoch a marker, on integer epoch ticks."""
    from matplotlib.figure import Figure  # renders with Agg: no display needed
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(5.5, 3.8), layout="tight")
    ax = fig.add_subplot()
    epochs = range(1, len(train_losses) + 1)
    ax.plot(epochs, train_losses, marker="o", markersize=3, label="train")
    ax.plot(epochs, test_losses, marker="s", markersize=3, label="test")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    ax.set_xlim(0.5, len(train_losses) + 0.5)
    values = [*train_losses, *test_losses]
    if min(values) > 0 and max(values) > 10 * min(values):  # a log scale only where it helps
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel="cross-entropy loss", title=title)
    ax.legend()
    return fig


def boundary_figure(model, splits, title):
    """The predicted class over the plane, with the training and test points by class."""
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    X_train, y_train, X_test, y_test = splits
    X = np.concatenate([X_train, X_test])
    classes = int(max(y_train.max(), y_test.max())) + 1
    lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    xs, ys = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
    grid = np.stack([xs.ravel(), ys.ravel()], axis=1).astype(X.dtype)
    predicted = predict(model, grid).reshape(xs.shape)
    colours = colormaps["coolwarm"].resampled(classes)
    fig = Figure(figsize=(5.5, 5.5), layout="constrained")
    ax = fig.add_subplot()
    ax.contourf(xs, ys, predicted, levels=np.arange(classes + 1) - 0.5, cmap=colours, alpha=0.3)
    parts = (("train", X_train, y_train, "o", 12), ("test", X_test, y_test, "^", 36))
    for part, X_part, y_part, marker, size in parts:
        for c in range(classes):
            points = X_part[y_part == c]
            ax.scatter(
                *points.T,
                color=colours(c),
                marker=marker,
                s=size,
                edgecolors="k",
                linewidths=0.4,
                label=f"class {c} ({part})",
            )
    ax.set(title=title, xlabel="x0", ylabel="x1")
    fig.legend(loc="outside lower center", ncols=2)  # a column each for train and test
    return fig


def draw_graph(model, X, y, path) -> bool:
    """Write the graph of one forward pass and loss (on 4 samples) as SVG; False if not drawn.

    The input is named x, and the caption shows the target classes.
    """
    x, target = ag.tensor(X[:4]), y[:4].tolist()
    loss = F.cross_entropy(model(x), target)
    loss.backward(retain_graph=True)  # the graph stays to be drawn with its gradients
    digraph = ag.draw_dot(loss, params={"input x": x, **dict(model.named_parameters())})
    model.zero_grad()
    digraph.attr(
        label=f"cross-entropy of the model on 4 training samples x; target classes y = {target}",
        labelloc="t",
    )
    try:
        svg = digraph.pipe(format="svg")
    except RuntimeError as error:  # neither Graphviz's `dot` nor graphviz-pure is installed
        print(f"graph.svg skipped: {error}")
        return False
    with open(path, "wb") as f:
        f.write(svg)
    return True


def make_optimizer(args, params):
    """The --optimizer with --lr and --weight-decay, or its defaults."""
    cls, fixed, default_lr = OPTIMIZERS[args.optimizer]
    options = dict(fixed, lr=default_lr if args.lr is None else args.lr)
    if args.weight_decay is not None:
        options["weight_decay"] = args.weight_decay
    return cls(params, **options)


def write_outputs(out, model, optimizer, losses, splits, config, accuracies) -> list[str]:
    """The checkpoint first (a failing plot then loses nothing), the loss curve, the decision
    boundary (2-D data) and the graph; the names written."""
    X_train, y_train, X_test, y_test = splits
    os.makedirs(out, exist_ok=True)
    checkpoint = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "config": config,
    }
    nn.save(checkpoint, os.path.join(out, "model.npz"))
    written = ["model.npz"]
    run = f"{config['dataset']}, {config['optimizer']} (lr {config['lr']:g})"
    loss_figure(*losses, f"loss per epoch: {run}").savefig(os.path.join(out, "loss.png"), dpi=100)
    written.append("loss.png")
    if X_train.shape[1] == 2:
        title = (
            f"{config['dataset']}: train accuracy {accuracies[0]:.1%}, "
            f"test accuracy {accuracies[1]:.1%}"
        )
        figure = boundary_figure(model, splits, title)
        figure.savefig(os.path.join(out, "decision_boundary.png"), dpi=100)
        written.append("decision_boundary.png")
    if draw_graph(model, X_train, y_train, os.path.join(out, "graph.svg")):
        written.append("graph.svg")
    return written


def main(argv=None) -> dict:
    """Run the command line; returns the final accuracies and losses (for tests and notebooks)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    check_options(parser, args)
    ag.manual_seed(args.seed)
    try:
        splits = load_dataset(args.dataset, args.seed)
    except (ValueError, OSError, ImportError) as error:
        parser.error(str(error))
    X_train, y_train, X_test, y_test = splits
    classes = check_splits(parser, args.dataset, splits)
    sizes = layer_sizes(parser, args.layers, X_train.shape[1], classes, args.dataset)

    model = nn.MLP(sizes, activation=args.activation)
    optimizer = make_optimizer(args, model.parameters())
    loader = data.DataLoader(X_train, y_train, args.batch_size, shuffle=True)
    count = sum(p.size for p in model.parameters())
    print(
        f"{args.dataset}: {len(X_train)} training and {len(X_test)} test samples; MLP "
        f"{','.join(map(str, sizes))} ({args.activation}, {count} parameters), {args.optimizer}"
    )
    start = time.perf_counter()
    try:
        losses = fit(model, optimizer, loader, args.epochs, X_test, y_test, args.compile)
    except Diverged as error:
        lr = optimizer.param_groups[0]["lr"]
        message = (
            f"{error}; training stopped and nothing was written. Try a lower --lr than {lr:g}."
        )
        parser.exit(1, f"{parser.prog}: error: {message}\n")
    seconds = time.perf_counter() - start
    train_accuracy = accuracy(model, X_train, y_train)
    test_accuracy = accuracy(model, X_test, y_test)
    print(f"trained in {seconds:.1f} s ({seconds / args.epochs * 1000:.1f} ms per epoch)")
    print(f"train accuracy {train_accuracy:.1%}, test accuracy {test_accuracy:.1%}")

    config = dict(vars(args), layers=sizes, lr=optimizer.param_groups[0]["lr"])
    accuracies = (train_accuracy, test_accuracy)
    written = write_outputs(args.out, model, optimizer, losses, splits, config, accuracies)
    print(f"wrote {', '.join(written)} to {args.out}")
    return {
        "train_accuracy": train_accuracy,
        "test_accuracy": test_accuracy,
        "losses": losses[0],
        "test_losses": losses[1],
    }


if __name__ == "__main__":
    main()
