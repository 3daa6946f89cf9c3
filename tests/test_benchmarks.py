"""The benchmark harness's bookkeeping: pooling rounds of processes, and the ratios."""

from types import SimpleNamespace

from benchmarks import measure
from benchmarks.__main__ import _pooled
from benchmarks.report import check_targets, ratio, target_table


def _record(engine, times, process):
    return {"workload": "w", "engine": engine, "times": times, "median": sorted(times)[1],
            "min": min(times), "max": max(times), "process": process}  # fmt: skip


def test_rounds_pool_their_block_times():
    rounds = [_record("ours", [3.0, 1.0, 2.0], 11), _record("ours", [6.0, 4.0, 5.0], 12)]
    (pooled,) = _pooled(rounds)
    assert pooled["times"] == [3.0, 1.0, 2.0, 6.0, 4.0, 5.0]
    assert (pooled["median"], pooled["min"], pooled["max"]) == (3.5, 1.0, 6.0)
    assert pooled["process"] == [11, 12]


def test_a_failing_round_decides_the_record():
    failed = {"workload": "w", "engine": "torch", "error": "RuntimeError: boom", "process": 12}
    for rounds in ([_record("torch", [1.0, 2.0, 3.0], 11), failed],
                   [failed, _record("torch", [1.0, 2.0, 3.0], 13)]):  # fmt: skip
        (pooled,) = _pooled(rounds)
        assert pooled["error"] == "RuntimeError: boom" and "median" not in pooled


def test_ratio_pairs_blocks_only_when_they_shared_processes():
    ours = _record("ours", [2.0, 4.0, 8.0], [1, 2])
    floor = _record("floor", [1.0, 1.0, 8.0], [1, 2])
    assert ratio(ours, floor) == 2.0  # the median of 2, 4 and 1
    floor["process"] = [3, 4]
    assert ratio(ours, floor) == 4.0  # the medians' ratio, 4 / 1


def test_the_floors_chain_growth_is_shown_beside_the_target_not_as_one():
    timings = [
        _record(engine, [t, t, t], [1]) | {"workload": workload}
        for workload, engine, t in (("chain_100k", "ours", 1.0), ("chain_1m", "ours", 12.0),
                                    ("chain_100k", "floor", 0.5), ("chain_1m", "floor", 5.0))
    ]  # fmt: skip
    target, reference = check_targets([], {"timings": timings})[1:]
    assert (target["value"], target["met"]) == (12.0, False)
    assert (reference["value"], reference["met"], reference["limit"]) == (10.0, None, "—")
    assert target_table([reference]).splitlines()[-1].endswith("(reference)")


def test_alternated_workloads_take_turns_block_by_block(monkeypatch):
    ran = []

    def builder(name):
        def step():
            ran.append(name)

        return step

    monkeypatch.setattr(measure, "load", lambda engine: SimpleNamespace(BUILDERS={"k": builder}))
    workloads = [
        measure.Workload(
            name, name, "k", ("ours",), lambda n=name: (n,), repeats=3, warmup=False
        )  # fmt: skip
        for name in ("small", "large")
    ]
    records = measure.time_workloads(workloads, ["ours"], log=lambda message: None)
    assert ran == ["small", "large"] * 3  # the first run of each is its first block
    assert [len(r["times"]) for r in records] == [3, 3]
