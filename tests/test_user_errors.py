"""Mistakes a new user makes, each answered in the user's terms: the call, the values, the fix."""

import os
import stat

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd import Scalar, Tensor
from nn import data, optim


@pytest.mark.parametrize("grad", [False, True], ids=["no grad", "grad"])
def test_shapes_that_do_not_broadcast_name_the_op_and_both_shapes(grad):
    a, b = ag.ones(2, 3, requires_grad=grad), ag.ones(4, 5)
    for run, op in [(lambda: a + b, "add"), (lambda: b * a, "mul"), (lambda: a - b, "")]:
        with pytest.raises(ValueError, match=rf"{op}.*shapes \(\d, \d\) and \(\d, \d\) cannot be"):
            run()
    with pytest.raises(ValueError, match=r"add: shapes \(2, 3\) and \(4, 5\)"):
        a + np.ones((4, 5))
    with pytest.raises(ValueError, match=r"maximum: shapes \(2, 3\) and \(4,\)"):
        ag.maximum(a, ag.ones(4))


def test_reshape_to_a_wrong_size_names_both_shapes():
    x = ag.ones(2, 3, requires_grad=True)
    with pytest.raises(ValueError, match=r"reshape: .* shape \(2, 3\) \(6 elements\) .* \(4,\)"):
        x.reshape(4)
    with pytest.raises(ValueError, match=r"shape \(2, 3\) .* \(-1, -1\)"):
        x.reshape(-1, -1)


@pytest.mark.parametrize("axes", [(0, 2), (0, 0), (1,)])
def test_transpose_with_bad_axes_names_them_and_the_shape(axes):
    with pytest.raises(ValueError, match=rf"transpose: axes \({axes[0]},.*of shape \(2, 3\)"):
        ag.ones(2, 3).transpose(*axes)


def test_seeds_are_non_negative_integers():
    with pytest.raises(TypeError, match="a seed is a non-negative integer, got 'a'"):
        ag.manual_seed("a")
    with pytest.raises(ValueError, match="non-negative integer, got -1"):
        ag.manual_seed(-1)
    with pytest.raises(ValueError, match="non-negative integer, got -2"):
        data.make_moons(10, seed=-2)


@pytest.mark.parametrize("make", [data.make_moons, data.make_circles, data.make_regression])
def test_data_generators_check_their_sizes(make):
    with pytest.raises(ValueError, match="n_samples must be a positive integer, got -5"):
        make(-5)
    with pytest.raises(ValueError, match="noise must be a finite number >= 0, got -1"):
        make(10, noise=-1)


def test_gradcheck_of_a_function_returning_a_number_says_what_it_needs():
    x = ag.ones(2, requires_grad=True, dtype=np.float64)
    with pytest.raises(TypeError, match="fn must return a Scalar or Tensor.*got float as output 0"):
        ag.gradcheck(lambda x: 3.0, [x])
    with pytest.raises(TypeError, match="gradgradcheck: fn must return.*got float"):
        ag.gradgradcheck(lambda x: x.sum().item(), [x])


def test_a_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match=r"StepLR schedules an optimizer .*got str"):
        optim.lr_scheduler.StepLR("opt", 1)


def test_micrograd_style_mlp_call_shows_ours():
    with pytest.raises(TypeError, match=r"one list of sizes.*nn\.MLP\(\[2, 16, 16, 1\]\)"):
        nn.MLP(2, [16, 16, 1])


def test_cross_entropy_with_float_class_indices_suggests_astype_int():
    logits = Tensor(np.zeros((4, 3)))
    with pytest.raises(TypeError, match=r"class indices.*float64.*target\.astype\(int\)"):
        F.cross_entropy(logits, np.array([0.0, 1.0, 2.0, 1.0]))
    probabilities = np.full((4, 3), 1 / 3)  # float targets of the logits' shape stay valid
    assert F.cross_entropy(logits, probabilities).item() == pytest.approx(np.log(3))


def test_hinge_loss_takes_only_plus_minus_one_targets():
    with pytest.raises(ValueError, match=r"targets -1 or \+1, got 0; .* 2 \* y - 1"):
        F.hinge_loss(Tensor([0.5, -0.5, 2.0]), np.array([0, 1, 1]))
    with pytest.raises(ValueError, match=r"targets -1 or \+1, got 0.5"):
        F.hinge_loss([Scalar(1.0)], [0.5])
    assert F.hinge_loss(Tensor([0.5, -0.5, 2.0]), np.array([-1, 1, 1])).item() == pytest.approx(1)


def test_save_into_a_missing_directory_names_the_users_path(tmp_path):
    path = tmp_path / "missing" / "model.npz"
    with pytest.raises(FileNotFoundError, match="No such file or directory: '.*missing/model.npz'"):
        nn.save({"w": np.ones(2)}, path)
    assert not (tmp_path / "missing").exists()
    (tmp_path / "model.npz").mkdir()  # the rename fails: still the user's path, no leftovers
    with pytest.raises(IsADirectoryError, match=r"Is a directory: '.*/model.npz'$"):
        nn.save({"w": np.ones(2)}, tmp_path / "model.npz")
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_saved_files_get_the_permissions_of_new_files(tmp_path, umask):
    previous = os.umask(umask)
    try:
        nn.save({"w": np.ones(2)}, tmp_path / "model.npz")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.stat(tmp_path / "model.npz").st_mode) == 0o666 & ~umask
