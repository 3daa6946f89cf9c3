"""Data: a mini-batch loader, small synthetic data sets, scikit-learn's digits and MNIST IDX files.

The generators return numpy arrays: float32 features and int64 class labels (float32
targets for make_regression). With seed=None they draw from the generator that
`autograd.manual_seed` seeds; with a seed, from their own.
"""

import gzip
import math
import os

import numpy as np

from autograd import Tensor
from autograd.random import check_seed, generator


class DataLoader:
    """Mini-batches (X[i:j], y[i:j]) as Tensors, reshuffled each epoch if shuffle=True.

    The last, smaller batch is kept unless drop_last=True.
    """

    def __init__(self, X, y, batch_size: int, shuffle: bool = False, drop_last: bool = False):
        self.X, self.y = _array(X), _array(y)
        if len(self.X) != len(self.y):
            raise ValueError(f"X has {len(self.X)} samples but y has {len(self.y)}")
        if not isinstance(batch_size, int | np.integer) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.batch_size, self.shuffle, self.drop_last = batch_size, shuffle, drop_last

    def __len__(self):
        batches = len(self.X) / self.batch_size
        return math.floor(batches) if self.drop_last else math.ceil(batches)

    def __iter__(self):
        n = len(self.X)
        order = generator().permutation(n) if self.shuffle else None
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            rows = slice(start, start + self.batch_size)
            if order is not None:
                rows = order[rows]
            yield Tensor(self.X[rows]), Tensor(self.y[rows])


def _array(data) -> np.ndarray:
    return data.data if isinstance(data, Tensor) else np.asarray(data)


# -- synthetic data sets -------------------------------------------------------------------


def _rng(seed, n_samples, noise):
    """The random generator of a data set generator, after checking the arguments they share."""
    if not isinstance(n_samples, int | np.integer) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
    if not isinstance(noise, int | float | np.number) or not 0 <= noise < math.inf:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    return generator() if seed is None else np.random.default_rng(check_seed(seed))


def _finish(X, y, noise, rng):
    """Add Gaussian noise to X, shuffle the samples, and give them their final dtypes."""
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(len(X))
    return X[order].astype(np.float32), y[order]


def _halves(n_samples):
    """Sample counts of the two classes, and the labels in order (0s then 1s)."""
    n_first = n_samples // 2
    return n_first, n_samples - n_first, np.repeat(np.array([0, 1]), [n_first, n_samples - n_first])


def make_moons(n_samples: int = 100, noise: float = 0.0, seed=None):
    """Two interleaving half circles: label 0 on the upper arc, 1 on the lower one."""
    rng = _rng(seed, n_samples, noise)
    n_top, n_bottom, y = _halves(n_samples)
    t_top, t_bottom = np.linspace(0, np.pi, n_top), np.linspace(0, np.pi, n_bottom)
    top = np.stack([np.cos(t_top), np.sin(t_top)], axis=1)
    bottom = np.stack([1 - np.cos(t_bottom), 0.5 - np.sin(t_bottom)], axis=1)
    return _finish(np.concatenate([top, bottom]), y, noise, rng)


def make_circles(n_samples: int = 100, noise: float = 0.0, seed=None):
    """Two concentric circles: label 0 on the outer one (radius 1), 1 on the inner (0.5)."""
    rng = _rng(seed, n_samples, noise)
    n_outer, n_inner, y = _halves(n_samples)
    t_outer = np.linspace(0, 2 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0, 2 * np.pi, n_inner, endpoint=False)
    outer = np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1)
    inner = 0.5 * np.stack([np.cos(t_inner), np.sin(t_inner)], axis=1)
    return _finish(np.concatenate([outer, inner]), y, noise, rng)


def make_spirals(n_samples: int = 100, noise: float = 0.0, seed=None):
    """Two spirals winding one and a half turns around each other (labels 0 and 1)."""
    rng = _rng(seed, n_samples, noise)
    n_first, n_second, y = _halves(n_samples)
    arms = []
    for n, sign in ((n_first, 1), (n_second, -1)):
        t = np.linspace(0.25, 1, n)  # radius, and the angle as a fraction of 1.5 turns
        angle = 3 * np.pi * t
        arms.append(sign * np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1))
    return _finish(np.concatenate(arms), y, noise, rng)


def make_xor(n_samples: int = 100, noise: float = 0.0, seed=None):
    """Points at the corners (+-1, +-1), cycling through them; label 1 where the signs differ.

    With noise=0 and n_samples=4 this is the XOR truth table.
    """
    rng = _rng(seed, n_samples, noise)
    corners = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype=np.float64)
    X = corners[np.arange(n_samples) % 4]
    y = (X[:, 0] * X[:, 1] < 0).astype(np.int64)
    return _finish(X, y, noise, rng)


def make_regression(n_samples: int = 100, noise: float = 0.0, seed=None):
    """One feature x uniform in [-3, 3] and float32 targets y = sin(x) + noise * N(0, 1)."""
    rng = _rng(seed, n_samples, noise)
    X = rng.uniform(-3, 3, (n_samples, 1))
    y = np.sin(X[:, 0]) + noise * rng.standard_normal(n_samples)
    return X.astype(np.float32), y.astype(np.float32)


# -- real data sets --------------------------------------------------------------------------


def load_digits():
    """scikit-learn's 8x8 handwritten digits: X (1797, 64) float32 in [0, 1], y int64 in 0..9."""
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        raise ImportError(
            "load_digits() reads the digits data set that scikit-learn ships; install it with "
            "`pip install scikit-learn` (or the project's [train] extra)"
        ) from None
    X, y = sklearn_digits(return_X_y=True)
    return (X / 16).astype(np.float32), y.astype(np.int64)


_IMAGES_MAGIC, _LABELS_MAGIC = 0x00000803, 0x00000801  # unsigned bytes, 3 or 1 dimensions


def load_idx(images_path, labels_path):
    """MNIST-format IDX files (gzip or raw) as X (n, rows * cols) float32 in [0, 1], y int64.

    A wrong magic number, a size that does not match the header, differing image and label
    counts or a label that is not a digit raise a ValueError naming the file.
    """
    images = _read_idx(images_path, _IMAGES_MAGIC, "image")
    labels = _read_idx(labels_path, _LABELS_MAGIC, "label")
    if len(images) != len(labels):
        raise ValueError(
            f"{images_path} holds {len(images)} images but {labels_path} holds {len(labels)} "
            "labels; the counts must match"
        )
    if labels.size and labels.max() > 9:
        raise ValueError(f"{labels_path}: labels must be digits 0-9, got {labels.max()}")
    return (images.reshape(len(images), math.prod(images.shape[1:])) / 255).astype(
        np.float32
    ), labels.astype(np.int64)


def _read_idx(path, magic, kind):
    """The array of an IDX file of unsigned bytes, checked against its header."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise ValueError(f"{path}: the gzip data is truncated or corrupt ({error})") from None
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    found = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else None
    if found != magic:
        shown = "none (the file is too short)" if found is None else f"0x{found:08x}"
        raise ValueError(
            f"{path}: wrong magic number {shown}; an IDX {kind} file starts with 0x{magic:08x}"
        )
    if len(raw) < header:
        raise ValueError(f"{path}: the header is cut short ({len(raw)} bytes)")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = math.prod(shape)
    if len(raw) - header != expected:
        raise ValueError(
            f"{path}: the header promises shape {shape}, {expected} bytes of data, "
            f"but the file holds {len(raw) - header}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)
