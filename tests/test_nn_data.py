"""nn.data: the loader's batches, the generators' shapes and seeding, digits, and IDX parsing."""

import gzip

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd import Tensor
from nn import data

X = np.arange(20, dtype=np.float32).reshape(10, 2)
Y = np.arange(10)


def test_batches_in_order_with_the_last_partial_batch():
    batches = list(data.DataLoader(X, Y, batch_size=4))
    assert [len(y) for _, y in batches] == [4, 4, 2]
    assert all(isinstance(x, Tensor) and isinstance(y, Tensor) for x, y in batches)
    np.testing.assert_array_equal(np.concatenate([x.data for x, _ in batches]), X)
    assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == np.int64
    assert len(data.DataLoader(X, Y, batch_size=4)) == 3


def test_drop_last_drops_the_partial_batch():
    loader = data.DataLoader(X, Y, batch_size=4, drop_last=True)
    assert len(loader) == 2 and [len(y) for _, y in loader] == [4, 4]


def test_shuffle_keeps_pairs_covers_every_sample_and_follows_the_seed():
    loader = data.DataLoader(Tensor(X), Tensor(Y), batch_size=3, shuffle=True)
    ag.manual_seed(0)
    first = [y.data for _, y in loader]
    second = [y.data for _, y in loader]
    ag.manual_seed(0)
    again = [y.data for _, y in loader]
    for xb, yb in loader:
        np.testing.assert_array_equal(xb.data, X[yb.data])  # rows stay with their labels
    assert sorted(np.concatenate(first).tolist()) == list(range(10))
    assert not np.array_equal(np.concatenate(first), np.concatenate(second))  # reshuffled
    np.testing.assert_array_equal(np.concatenate(first), np.concatenate(again))


@given(
    n=st.integers(0, 40),
    batch_size=st.integers(1, 12),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
)
def test_every_epoch_yields_each_sample_at_most_once_in_full_batches(
    n, batch_size, shuffle, drop_last
):
    X, y = np.arange(2 * n, dtype=np.float32).reshape(n, 2), np.arange(n)
    loader = data.DataLoader(X, y, batch_size, shuffle=shuffle, drop_last=drop_last)
    sizes = [len(yb) for _, yb in loader]
    full, rest = divmod(n, batch_size)
    assert sizes == [batch_size] * full + ([rest] if rest and not drop_last else [])
    assert len(loader) == len(sizes)
    seen = np.concatenate([yb.data for _, yb in loader] or [np.zeros(0, int)])
    assert len(set(seen.tolist())) == len(seen) == sum(sizes)
    if not shuffle:
        assert seen.tolist() == list(range(len(seen)))


def test_loader_rejects_mismatched_lengths_and_bad_batch_sizes():
    with pytest.raises(ValueError, match="X has 10 samples but y has 9"):
        data.DataLoader(X, Y[:9], batch_size=2)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        data.DataLoader(X, Y, batch_size=0)


GENERATORS = [data.make_moons, data.make_circles, data.make_spirals, data.make_xor]


@pytest.mark.parametrize("make", GENERATORS)
def test_classification_generators(make):
    X, y = make(101, noise=0.1, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float32
    assert y.shape == (101,) and y.dtype == np.int64
    assert set(y.tolist()) == {0, 1} and abs(int((y == 0).sum()) - 50) <= 1
    X2, y2 = make(101, noise=0.1, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, make(101, noise=0.1, seed=4)[0])


@pytest.mark.parametrize("make", GENERATORS + [data.make_regression])
def test_seed_none_draws_from_the_global_generator(make):
    ag.manual_seed(11)
    a = make(20, noise=0.2)
    ag.manual_seed(11)
    b = make(20, noise=0.2)
    np.testing.assert_array_equal(a[0], b[0])


def test_noise_free_shapes():
    X, y = data.make_circles(40)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1, rtol=1e-6)
    np.testing.assert_allclose(radius[y == 1], 0.5, rtol=1e-6)
    X, y = data.make_moons(40)
    top = X[y == 0]
    np.testing.assert_allclose(np.hypot(top[:, 0], top[:, 1]), 1, rtol=1e-6)
    X, y = data.make_xor(4)
    table = {tuple(x): label for x, label in zip(X.tolist(), y.tolist())}
    assert table == {(-1, -1): 0, (-1, 1): 1, (1, -1): 1, (1, 1): 0}


def test_make_regression_gives_float_targets_on_a_sine():
    X, y = data.make_regression(50, seed=0)
    assert X.shape == (50, 1) and X.dtype == np.float32 and y.dtype == np.float32
    np.testing.assert_allclose(y, np.sin(X[:, 0]), rtol=1e-5, atol=1e-6)


def test_load_digits():
    pytest.importorskip("sklearn")
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32 and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 1 and set(y.tolist()) == set(range(10))


def test_load_digits_without_sklearn_says_how_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        data.load_digits()


# -- IDX files ----------------------------------------------------------------------------------


def idx_bytes(array, magic=None):
    """An IDX file of unsigned bytes, its header written out by hand."""
    magic = (0x0800 | array.ndim) if magic is None else magic
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


IMAGES = np.arange(3 * 4 * 5).reshape(3, 4, 5) * 4 % 256
LABELS = np.array([7, 0, 9])


def write(path, content, compress=False):
    path.write_bytes(gzip.compress(content) if compress else content)
    return path


@pytest.mark.parametrize("compress", [False, True])
def test_load_idx_reads_raw_and_gzip_files(tmp_path, compress):
    images = write(tmp_path / "images", idx_bytes(IMAGES), compress)
    labels = write(tmp_path / "labels", idx_bytes(LABELS), compress)
    X, y = data.load_idx(images, labels)
    assert X.shape == (3, 20) and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_allclose(X, IMAGES.reshape(3, 20) / 255, rtol=1e-6)
    assert y.tolist() == [7, 0, 9]


@pytest.mark.parametrize(
    "images, labels, bad, message",
    [
        (
            idx_bytes(IMAGES, magic=0x0801),
            idx_bytes(LABELS),
            "images",
            "wrong magic number 0x00000801; an IDX image file starts with 0x00000803",
        ),
        (idx_bytes(IMAGES), idx_bytes(LABELS, magic=0x0803), "labels", "IDX label file"),
        (b"\x00\x00", idx_bytes(LABELS), "images", "too short"),
        (
            idx_bytes(IMAGES)[:-1],
            idx_bytes(LABELS),
            "images",
            r"shape \(3, 4, 5\), 60 bytes of data, but the file holds 59",
        ),
        (idx_bytes(IMAGES) + b"\x00", idx_bytes(LABELS), "images", "the file holds 61"),
        (idx_bytes(IMAGES)[:12], idx_bytes(LABELS), "images", "header is cut short"),
        (
            idx_bytes(IMAGES),
            idx_bytes(LABELS[:2]),
            "images",
            "holds 3 images but .* holds 2 labels",
        ),
    ],
)
def test_load_idx_rejects_malformed_files_naming_them(tmp_path, images, labels, bad, message):
    paths = {
        "images": write(tmp_path / "images.idx", images),
        "labels": write(tmp_path / "labels.idx", labels),
    }
    with pytest.raises(ValueError, match=message) as error:
        data.load_idx(paths["images"], paths["labels"])
    assert str(paths[bad]) in str(error.value)


def test_load_idx_rejects_truncated_gzip(tmp_path):
    images = tmp_path / "images.gz"
    images.write_bytes(gzip.compress(idx_bytes(IMAGES))[:-10])
    labels = write(tmp_path / "labels", idx_bytes(LABELS))
    with pytest.raises(ValueError, match="images.gz: the gzip data is truncated or corrupt"):
        data.load_idx(images, labels)
