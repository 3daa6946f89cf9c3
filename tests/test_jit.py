"""ag.compile: replays equal eager runs, retraces for new shapes, refuses what it cannot trace."""

import inspect
import re
import threading
import tracemalloc
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Scalar, Tensor
from nn import optim
from nn.optim import lr_scheduler
from nn.train import main, training_step

OPTIMIZERS = {
    "sgd": lambda params: optim.SGD(params, lr=0.1),
    "momentum": lambda params: optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True),
    "adam": lambda params: optim.Adam(params, lr=0.01),
    "adamw": lambda params: optim.AdamW(params, lr=0.01, weight_decay=0.1),
}


def batches(steps, batch=8, features=2, classes=3, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((steps, batch, features)).astype(np.float32)
    return x, rng.integers(0, classes, (steps, batch))


def train(make_optimizer, compiled, steps, model=None, schedule=False):
    """steps of cross-entropy training from seed 0: (parameters, losses)."""
    ag.manual_seed(0)
    model = model() if model else nn.MLP([2, 4, 3])
    optimizer = make_optimizer(model.parameters())
    scheduler = lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5) if schedule else None
    step = training_step(model, optimizer)
    step = ag.compile(step) if compiled else step
    losses = []
    for x, y in zip(*batches(steps)):
        losses.append(step(x, y).data.copy())
        if scheduler:
            scheduler.step()
    return [p.data.copy() for p in model.parameters()], np.array(losses)


def assert_same(a, b):
    """Bit for bit: the replay runs the same numpy calls, in the same order, as eager."""
    for x, y in zip(a, b, strict=True):
        assert x.dtype == y.dtype and np.array_equal(x, y)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_a_thousand_compiled_steps_equal_a_thousand_eager_steps(name):
    eager_params, eager_losses = train(OPTIMIZERS[name], False, 1000)
    params, losses = train(OPTIMIZERS[name], True, 1000)
    assert_same(params, eager_params)
    assert_same([losses], [eager_losses])
    assert losses[-1] < losses[0]  # it trained


def test_a_schedule_changing_the_learning_rate_between_replays_is_followed():
    make = OPTIMIZERS["momentum"]
    assert_same(train(make, True, 10, schedule=True)[0], train(make, False, 10, schedule=True)[0])


def test_leaky_relu_and_dropout_models_train_as_eagerly():
    def model():
        return nn.Sequential(nn.Linear(2, 8), nn.LeakyReLU(0.1), nn.Dropout(0.3), nn.Linear(8, 3))

    make = OPTIMIZERS["adam"]
    eager = train(make, False, 20, model=model)
    compiled = train(make, True, 20, model=model)
    assert_same(compiled[0], eager[0])
    assert_same([compiled[1]], [eager[1]])


def test_dropout_draws_a_fresh_mask_on_every_replay():
    dropout = nn.Dropout(0.5)
    step = ag.compile(lambda x: dropout(x))
    x = np.ones((4, 64), np.float32)
    ag.manual_seed(3)
    outputs = [step(x).data for _ in range(3)]
    assert step.traces == 1
    assert not np.array_equal(outputs[1], outputs[2])
    ag.manual_seed(3)  # and the masks are eager's, draw for draw
    assert_same(outputs, [dropout(Tensor(x)).data for _ in range(3)])


def test_a_compiled_inference_function_returns_what_eager_returns():
    ag.manual_seed(0)
    model = nn.MLP([3, 5, 2], activation="tanh")

    def predict(x):
        with ag.no_grad():
            logits = model(x)
        return {"probs": logits.softmax(), "both": (logits, logits.log_softmax())}

    step = ag.compile(predict)
    for seed in range(3):
        x = np.random.default_rng(seed).standard_normal((4, 3)).astype(np.float32)
        got, expected = step(x), predict(Tensor(x))
        assert isinstance(got["probs"], Tensor)
        assert_same([got["probs"].data, *[t.data for t in got["both"]]],
                     [expected["probs"].data, *[t.data for t in expected["both"]]])  # fmt: skip
    assert step.traces == 1


def test_new_shapes_or_dtypes_trace_again_and_old_ones_replay():
    w = Tensor(np.ones(3, np.float32), requires_grad=True)
    step = ag.compile(lambda x: (x * w).sum(axis=-1))
    assert np.array_equal(step(np.ones((2, 3), np.float32)).data, [3, 3])
    assert np.array_equal(step(np.full((4, 3), 2, np.float32)).data, [6, 6, 6, 6])
    assert step.traces == 2
    step(np.ones((2, 3), np.float64))
    assert step.traces == 3
    assert np.array_equal(step(np.full((2, 3), 5, np.float32)).data, [15, 15])
    assert step.traces == 3


def test_gradients_of_tensor_arguments_land_in_the_new_arguments():
    def f(x):
        (x * x * 3).sum().backward()
        return x.grad

    step = ag.compile(f)
    for value in (1.0, 2.0, 5.0):
        x = Tensor(np.full(3, value), requires_grad=True)
        assert np.array_equal(step(x).data, np.full(3, 6 * value))
        assert np.array_equal(x.grad.data, np.full(3, 6 * value))


def test_a_hand_written_update_with_tensor_ops_is_traced():
    ag.manual_seed(0)
    models = [nn.Linear(2, 1), nn.Linear(2, 1)]
    models[1].load_state_dict(models[0].state_dict())

    def step(model, x):
        model.zero_grad()
        (model(x) ** 2).mean().backward()
        with ag.no_grad():
            weight, bias = model.parameters()
            weight.sub_(weight.grad * 0.1)
            bias -= bias.grad * 0.1  # augmented assignment: in place too

    compiled = ag.compile(lambda x: step(models[1], x))
    for x in batches(5)[0]:
        step(models[0], Tensor(x))
        compiled(x)
    assert_same(models[1].state_dict().values(), models[0].state_dict().values())


def test_parameters_rebound_between_calls_are_read_afresh():
    model = nn.Linear(2, 1)
    step = ag.compile(lambda x: model(x))
    x = np.ones((1, 2), np.float32)
    step(x)
    model.load_state_dict({"weight": np.array([[1.0, 2.0]]), "bias": np.array([0.5])})
    assert np.array_equal(step(x).data, [[3.5]])


def test_explain_prints_the_steps_of_each_trace(capsys):
    model = nn.Linear(2, 1)
    optimizer = optim.SGD(model.parameters(), lr=0.1)

    def step(x):
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()

    compiled = ag.compile(step)
    compiled(np.ones((3, 2), np.float32))
    compiled.explain()
    out = capsys.readouterr().out
    assert "arguments (3, 2) float32" in out
    for line in ("linear(arg0, %", "linear.vjp1(", "accumulate_grad(", "call Optimizer.step()"):
        assert line in out


# -- what cannot be traced ---------------------------------------------------------------------

w = Tensor(np.array([1.0, -2.0]), requires_grad=True)


def reads_item(x):
    return (x * w).sum().item()


def reads_float(x):
    return float((x * w).sum())


def branches_on_a_comparison(x):
    y = (x * w).sum()
    if y > 0:
        return y
    return -y


def reads_tolist(x):
    return (x * w).tolist()


def reads_numpy(x):
    return (x * w).numpy()


def reads_data(x):
    return (x * w).data


@pytest.mark.parametrize(
    "fn, call, line",
    [
        (reads_item, "Tensor.item()", "return (x * w).sum().item()"),
        (reads_float, "float(Tensor)", "return float((x * w).sum())"),
        (branches_on_a_comparison, "bool(Tensor)", "if y > 0:"),
        (reads_tolist, "Tensor.tolist()", "return (x * w).tolist()"),
        (reads_numpy, "Tensor.numpy()", "return (x * w).numpy()"),
        (reads_data, "Tensor.data", "return (x * w).data"),
    ],
)
def test_reading_a_traced_value_names_the_call_and_the_line(fn, call, line):
    source, first = inspect.getsourcelines(fn)
    number = first + next(i for i, text in enumerate(source) if line in text)
    with pytest.raises(ag.CompileError, match=re.escape(call) + f".*test_jit.py:{number} in"):
        ag.compile(fn)(np.ones(2))


def test_fallback_runs_eagerly_and_warns_once():
    step = ag.compile(reads_item, fallback=True)
    with pytest.warns(UserWarning, match=r"reads_item runs eagerly: Tensor.item\(\)"):
        assert step(np.ones(2)) == -1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert step(np.full(2, 2.0)) == -2.0
        assert step(np.ones(3)[:2] * 3) == -3.0
    assert step.traces == 0


def test_fallback_finishes_the_failing_call_eagerly_without_running_it_twice():
    model = nn.Linear(2, 1)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    calls = []

    def step(x):
        calls.append(1)
        optimizer.zero_grad()
        loss = model(x).sum()
        loss.backward()
        optimizer.step()
        return loss.item()

    twin = nn.Linear(2, 1)
    twin.load_state_dict(model.state_dict())
    twin_optimizer = optim.SGD(twin.parameters(), lr=0.1)
    x = np.ones((3, 2), np.float32)
    with pytest.warns(UserWarning, match="runs eagerly"):
        ag.compile(step, fallback=True)(x)
    twin_optimizer.zero_grad()
    twin(Tensor(x)).sum().backward()
    twin_optimizer.step()
    assert len(calls) == 1
    assert_same(model.state_dict().values(), twin.state_dict().values())


class Cube(ag.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x**2


def hooked(x):
    y = x * w
    y.register_hook(lambda g: g * 2)
    y.sum().backward()


def assigns_data(x):
    w.data = np.zeros(2)


def retains_grad(x):
    y = x * w
    y.retain_grad()
    y.sum().backward()


built_outside = (w * 2).sum()


@pytest.mark.parametrize(
    "fn, message",
    [
        (lambda x: Cube.apply(x * w), "op 'Cube' is not in the op table"),
        (hooked, "a gradient hook"),
        (lambda x: x * ag.randn(2), "a random draw"),
        (assigns_data, r"assigning Tensor.data"),
        (lambda x: ag.grad((x * w).sum(), w), r"ag.grad\(\)"),
        (lambda x: w.sub_(np.ones(2)), "sub_ with a numpy array computed outside the op table"),
        (lambda x: Scalar(1.0) * 2, "returning a Scalar"),
        (retains_grad, r"retain_grad\(\) on an intermediate value"),
        (lambda x: built_outside.backward(retain_graph=True), "a graph built outside"),
    ],
)
def test_what_a_replay_cannot_repeat_is_refused(fn, message):
    with pytest.raises(ag.CompileError, match=message):
        ag.compile(fn)(np.ones(2))


def test_scalars_are_refused():
    with pytest.raises(ag.CompileError, match="argument 0 is a Scalar"):
        ag.compile(lambda s: s * 2)(Scalar(1.0))

    def scalar_backward(x):
        s = Scalar(2.0)
        (s * s).backward()

    with pytest.raises(ag.CompileError, match=r"Scalar.backward\(\)"):
        ag.compile(scalar_backward)(np.ones(2))


def test_unhashable_arguments_are_refused():
    with pytest.raises(ag.CompileError, match="argument 1 is a list"):
        ag.compile(lambda x, sizes: x)(np.ones(2), [1, 2])


def test_other_threads_run_eagerly_during_a_trace():
    seen = []

    def f(x):
        other = threading.Thread(target=lambda: seen.append((Tensor([2.0]) * 3).item()))
        other.start()
        other.join()
        return x * 2

    step = ag.compile(f)
    step(np.ones(2))
    assert seen == [6.0]
    assert np.array_equal(step(np.full(2, 4.0)).data, [8.0, 8.0])


def test_replays_allocate_nothing_that_stays():
    """(benchmarks: 10,000 replays of the b64 MLP step, RSS flat)"""
    model = nn.Linear(4, 2)
    step = ag.compile(training_step(model, optimizer=optim.Adam(model.parameters())))
    x, y = np.ones((8, 4), np.float32), np.zeros(8, np.int64)
    tracemalloc.start()
    try:
        for _ in range(200):
            step(x, y)
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(1000):
            step(x, y)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 10_000  # keeping one 32-byte array a replay would hold 100 kB


def test_the_command_line_trains_with_the_compiled_step_as_it_does_eagerly(tmp_path, capsys):
    options = ["--dataset", "xor", "--layers", "2,8,2", "--epochs", "3", "--batch-size", "64"]
    eager = main([*options, "--out", str(tmp_path / "eager")])
    compiled = main([*options, "--compile", "--out", str(tmp_path / "compiled")])
    assert compiled["losses"] == eager["losses"]
    assert compiled["test_accuracy"] == eager["test_accuracy"]


def test_zero_grad_keeping_zeros_is_replayed_as_eagerly():
    """zero_grad(set_to_none=False) branches on .grad being None: a trace is kept per state."""

    def run(compiled):
        ag.manual_seed(0)
        model = nn.Linear(2, 1)
        optimizer = optim.SGD(model.parameters(), lr=0.1)

        def step(x):
            optimizer.zero_grad(set_to_none=False)
            (model(x) ** 2).sum().backward()
            optimizer.step()

        step = ag.compile(step) if compiled else step
        for x in batches(4)[0]:
            step(x if compiled else Tensor(x))
        return step, list(model.state_dict().values())

    step, params = run(True)
    assert_same(params, run(False)[1])
    assert step.traces == 2  # the first call found .grad None, the later ones zeros


def test_concatenate_stack_and_where_replay_with_their_gradients():
    a = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)

    def f(x):
        a.grad = None
        y = ag.stack([x * a, a]).sum(axis=0)
        z = ag.concatenate([y, ag.where(x > 0, a * a, x)])
        (z * z).sum().backward()
        return z, a.grad

    step = ag.compile(f)
    for seed in range(3):
        x = np.random.default_rng(seed).standard_normal(3)
        got = step(x)
        expected = f(Tensor(x))
        assert_same([got[0].data, got[1].data], [expected[0].data, expected[1].data])
    assert step.traces == 1
