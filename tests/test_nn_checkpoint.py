"""nn.save / nn.load: exact round trips without pickle, refusal of pickled and broken files,
and atomic writes."""

import os
import pickle
import zipfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nn
from nn import optim
from nn.checkpoint import STRUCTURE


def assert_same(a, b, path="obj"):
    """Equal values of equal types, all the way down (arrays: equal dtype, shape and bits)."""
    assert type(a) is type(b) or (isinstance(a, dict) and isinstance(b, dict)), path
    if isinstance(a, dict):
        assert list(a) == list(b), path
        for key in a:
            assert type(key) is type(list(b)[list(a).index(key)]), f"{path}[{key!r}]"
            assert_same(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, np.ndarray | np.generic):
        assert a.dtype == b.dtype and a.shape == b.shape, path
        np.testing.assert_array_equal(a, b, err_msg=path)
    else:
        assert a == b or (a != a and b != b), path  # NaN equals NaN here


def test_model_and_optimizer_state_round_trip_exactly(tmp_path):
    model = nn.MLP([3, 4, 2])
    optimizer = optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    nn.functional.cross_entropy(model(np.ones((2, 3), np.float32)), np.array([0, 1])).backward()
    optimizer.step()
    checkpoint = {"model": model.state_dict(), "optim": optimizer.state_dict()}
    nn.save(checkpoint, tmp_path / "c.npz")
    loaded = nn.load(tmp_path / "c.npz")
    assert_same(loaded, checkpoint)
    assert loaded["optim"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert list(loaded["optim"]["state"]) == [0, 1, 2, 3]  # int keys stay ints


def test_awkward_values_round_trip(tmp_path):
    obj = {
        "a.b": np.arange(3, dtype=np.int16),  # a dot inside a key
        "a": {"b": np.float32(2.5), "c": [None, True, 3, -0.0, float("inf"), float("nan")]},
        0: "zero as an int",
        "0": ("zero as a str", (1, [2.0])),
        "file": np.zeros((0, 2)),  # a name np.savez could not take as a keyword
        STRUCTURE: np.ones(2),  # the reserved entry name, used as a key
        "empty": {},
        "unicode ключ": np.array([[1 + 0j]]).real,
    }
    nn.save(obj, tmp_path / "odd.npz")
    assert_same(nn.load(tmp_path / "odd.npz"), obj)


leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(2**62), 2**62)
    | st.floats(allow_nan=True)
    | st.text(max_size=5)
    | hnp.arrays(hnp.scalar_dtypes(), hnp.array_shapes(min_dims=0, max_side=3))
)
trees = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=3)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(st.text(".\\'x01", max_size=3) | st.integers(-3, 3), children, max_size=3)
    ),
    max_leaves=12,
)


@given(tree=trees)
def test_any_nesting_of_supported_values_round_trips(tmp_path_factory, tree):
    path = tmp_path_factory.mktemp("tree") / "t.npz"
    nn.save({"tree": tree}, path)
    assert_same(nn.load(path), {"tree": tree})


def test_arrays_are_stored_under_dotted_names(tmp_path):
    model = nn.MLP([2, 3, 1])
    nn.save({"model": model.state_dict()}, tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as archive:
        assert sorted(archive.files) == sorted(
            [STRUCTURE, "model.0.weight", "model.0.bias", "model.2.weight", "model.2.bias"]
        )
        np.testing.assert_array_equal(archive["model.0.weight"], model[0].weight.data)


def test_tensors_are_saved_as_arrays(tmp_path):
    nn.save({"w": nn.Parameter([1.0, 2.0])}, tmp_path / "t.npz")
    loaded = nn.load(tmp_path / "t.npz")["w"]
    assert type(loaded) is np.ndarray and loaded.dtype == np.float32


def test_plain_npz_loads_as_a_dict_of_arrays(tmp_path):
    np.savez(tmp_path / "plain.npz", w=np.ones(3), b=np.zeros(1))
    loaded = nn.load(tmp_path / "plain.npz")
    assert sorted(loaded) == ["b", "w"] and loaded["w"].tolist() == [1.0, 1.0, 1.0]


def test_values_that_need_pickle_are_refused_when_saving(tmp_path):
    with pytest.raises(TypeError, match="cannot save 'x.f' of type builtin_function_or_method"):
        nn.save({"x": {"f": print}}, tmp_path / "x.npz")
    with pytest.raises(TypeError, match="'o' is an object array"):
        nn.save({"o": np.array([{}], dtype=object)}, tmp_path / "x.npz")
    with pytest.raises(TypeError, match="dict keys must be str or int"):
        nn.save({(1, 2): 3}, tmp_path / "x.npz")
    assert os.listdir(tmp_path) == []


def test_a_file_that_needs_pickle_is_refused(tmp_path):
    pickled = tmp_path / "pickled.npz"
    pickled.write_bytes(pickle.dumps({"w": np.ones(2)}))
    with pytest.raises(ValueError, match="pickled.npz needs pickle"):
        nn.load(pickled)
    with_objects = tmp_path / "objects.npz"
    np.savez(with_objects, w=np.array([None, {}], dtype=object))
    with pytest.raises(ValueError, match="objects.npz needs pickle"):
        nn.load(with_objects)


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda raw: raw[: len(raw) // 2], "truncated or corrupt"),
        (lambda raw: raw[:3], "truncated or corrupt"),
        (lambda raw: b"", "not an .npz archive"),
        (lambda raw: b"hello world", "not an .npz archive"),
        (
            lambda raw: raw.replace("dict".encode("utf-32-le"), "dixt".encode("utf-32-le")),
            "Bad CRC-32",
        ),
    ],
)
def test_truncated_or_corrupt_files_raise_value_error_naming_the_file(tmp_path, damage, message):
    path = tmp_path / "model.npz"
    nn.save({"model": nn.MLP([2, 2]).state_dict()}, path)
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(ValueError, match=message) as error:
        nn.load(path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize(
    "structure, message",
    [('{"dixt": []}', "unknown node"), ('{"array": "gone"}', "KeyError"), ("{", "JSONDecode")],
)
def test_a_broken_structure_entry_is_reported(tmp_path, structure, message):
    np.savez(tmp_path / "s.npz", **{STRUCTURE: np.array(structure)})
    with pytest.raises(ValueError, match=f"s.npz is truncated or corrupt: .*{message}"):
        nn.load(tmp_path / "s.npz")


def test_a_single_npy_array_is_not_a_checkpoint(tmp_path):
    np.save(tmp_path / "a.npy", np.ones(2))
    with pytest.raises(ValueError, match="single .npy array"):
        nn.load(tmp_path / "a.npy")


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "nothing.npz")


@pytest.mark.parametrize("where", ["write_array", "fsync", "replace"])
def test_an_interrupted_write_leaves_the_old_file_intact(tmp_path, monkeypatch, where):
    path = tmp_path / "model.npz"
    old = {"w": np.arange(4.0)}
    nn.save(old, path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    target = {
        "write_array": (np.lib.format, "write_array"),
        "fsync": (os, "fsync"),
        "replace": (os, "replace"),
    }[where]
    monkeypatch.setattr(*target, crash)
    with pytest.raises(OSError, match="disk full"):
        nn.save({"w": np.zeros(1000)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert_same(nn.load(path), old)
    assert os.listdir(tmp_path) == ["model.npz"]  # no temporary file left behind


def test_save_writes_a_zip_with_no_pickled_members(tmp_path):
    nn.save({"a": [1, 2], "b": np.ones(3)}, tmp_path / "z.npz")
    with zipfile.ZipFile(tmp_path / "z.npz") as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == sorted([f"{STRUCTURE}.npy", "b.npy"])
