"""Scalar and Tensor meet the protocols the core walks (value.Node, value.Kind), and each kind's
two maths (raw for a plain backward, graph under create_graph) offer what the VJPs call."""

import typing

import numpy as np
import pytest

import autograd as ag
from autograd import Scalar, Tensor, arraymath, floatmath
from autograd.value import Kind, Maths, Node, Op

MATHS = sorted(typing.get_type_hints(Maths)) + sorted(
    name for name, value in vars(Maths).items() if callable(value) and not name.startswith("_")
)
SCALAR_MATHS = [
    "records", "divide", "power", "equal", "logical_not", "exp", "log", "sin", "cos", "sigmoid"
]  # fmt: skip


def values(kind):
    x = Scalar(0.5) if kind is Scalar else Tensor([0.5, 2.0], requires_grad=True)
    return [x, x.exp(), x._as_value(x.data)]


@pytest.mark.parametrize("kind", [Scalar, Tensor])
def test_values_are_nodes_of_their_kind(kind):
    for value in values(kind):
        assert isinstance(value, Node) and isinstance(value, Kind)


def test_an_object_without_the_node_members_is_not_a_node():
    assert not isinstance(np.zeros(2), Node)
    assert not isinstance(1.0, Kind)


@pytest.mark.parametrize(
    "maths, names, records",
    [
        (floatmath, SCALAR_MATHS, False),
        (Scalar._graph_math, SCALAR_MATHS, True),
        (arraymath, MATHS, False),
        (Tensor._graph_math, MATHS, True),
    ],
    ids=["floatmath", "scalar graph", "arraymath", "tensor graph"],
)
def test_each_maths_offers_the_protocol(maths, names, records):
    assert "divide" in MATHS and "scatter" in MATHS and "records" in MATHS
    assert [name for name in names if not hasattr(maths, name)] == []
    assert maths.records is records


def test_the_raw_and_graph_maths_agree_on_tensors():
    """Each function of the protocol gives the same numbers on arrays and on Tensors."""
    x = np.array([[-1.5, 0.0, 2.0], [np.nan, 3.0, -0.25]])
    y = np.array([[1.0, 0.0, -2.0], [1.0, 3.0, 0.5]])
    graph = Tensor._graph_math
    calls = {
        "divide": (x, y), "power": (np.abs(x), y), "equal": (x, y), "exp": (x,),
        "log": (np.abs(x),), "sin": (x,), "cos": (x,), "sigmoid": (x,), "isnan": (x,),
        "maximum": (x, y), "logical_not": (x > 0,), "where": (x > 0, x, y),
        "broadcast_to": (x[:1], (2, 3)), "softmax": (x[:1], (1,)),
        "scatter": (y[0], (1, slice(None)), (2, 3)),
    }  # fmt: skip
    assert sorted(calls) == sorted(n for n in MATHS if n != "records")
    with np.errstate(all="ignore"):
        for name, args in calls.items():
            raw = getattr(arraymath, name)(*args)
            lifted = [Tensor(a) if isinstance(a, np.ndarray) else a for a in args]
            recorded = getattr(graph, name)(*lifted)
            np.testing.assert_allclose(recorded.data, raw, rtol=1e-12, err_msg=name)


def test_the_raw_and_graph_maths_agree_on_scalars():
    with np.errstate(all="ignore"):
        for x, y in [(-1.5, 2.0), (0.0, 0.0), (2.0, -0.5), (3.0, 3.0)]:
            for name in SCALAR_MATHS[1:]:
                args = (x, y) if name in ("divide", "power", "equal") else (x,)
                raw = getattr(floatmath, name)(*args)
                scalars = [Scalar(a) for a in args]
                if name == "logical_not":  # of a comparison: Scalars compare to bools
                    raw, scalars = floatmath.logical_not(x > 0), [scalars[0] > 0]
                recorded = getattr(Scalar._graph_math, name)(*scalars)
                recorded = getattr(recorded, "data", recorded)
                assert recorded == raw or raw != raw and recorded != recorded, (name, x, y)


def test_a_second_derivative_runs_through_the_graph_maths():
    x = Scalar(0.7)
    (g,) = ag.grad(x.sin(), [x], create_graph=True)  # cos x, through Scalar._graph_math.cos
    (gg,) = ag.grad(g, [x])
    assert gg.data == pytest.approx(-np.sin(0.7), rel=1e-12)


def test_an_op_whose_vjp_does_not_take_the_maths_first_is_refused():
    """A VJP in the older (g, out, *inputs) form would get its arguments shifted by one."""
    with pytest.raises(TypeError, match=r"op 'tan': a VJP takes \(m, g, out.*got \(g, out, x\)"):
        Op("tan", np.tan, lambda g, out, x: g * (1 + out * out), reads="out")


def test_an_op_reading_an_argument_its_vjp_lacks_is_refused():
    with pytest.raises(
        ValueError, match=r"op 'tan': reads= names 'y', not an argument .*\(out, x\)"
    ):
        Op("tan", np.tan, lambda m, g, out, x: g * (1 + out * out), reads="y")


def test_a_new_op_gets_first_and_second_derivatives_from_its_one_vjp():
    """What a contributor writes for a new primitive: one row, right at both orders."""
    tan = Op("tan", np.tan, lambda m, g, out, x: g * (1 + out * out), reads="out")
    x = Tensor(np.array([-0.9, 0.1, 1.2]), requires_grad=True)
    assert ag.gradcheck(lambda x: Tensor._apply(tan, (x,)), [x])
    assert ag.gradgradcheck(lambda x: Tensor._apply(tan, (x,)), [x])
