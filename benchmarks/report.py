"""The targets of tracker issue 6, checked on one run's results, and the printed tables."""

import math
import operator
import statistics

from .measure import GROUPS

TITLES = {w.name: w.title for group in GROUPS.values() for w in group}
COLUMNS = {"ours": "ours", "compiled": "compiled", "floor": "floor", "torch": "PyTorch",
           "micrograd": "micrograd"}  # fmt: skip
# (what, "workload/engine", "workload/reference", comparison, limit) on time / reference time
TENSOR_TARGETS = [
    ("MLP b64 step: ours / numpy floor", "mlp_b64/ours", "mlp_b64/floor", "<=", 1.2),
    ("MLP b64 step: ours / PyTorch", "mlp_b64/ours", "mlp_b64/torch", "<", 1.0),
    ("MLP b1024 step: ours / numpy floor", "mlp_b1024/ours", "mlp_b1024/floor", "<=", 1.1),
    ("tiny MLP b32 step: ours / PyTorch", "tiny_b32/ours", "tiny_b32/torch", "<=", 1.0),
    ("a + b backward: ours / PyTorch", "add/ours", "add/torch", "<=", 0.5),
    ("tiny MLP b32 step: compiled / numpy floor", "tiny_b32/compiled", "tiny_b32/floor", "<=", 1.5),
    ("tiny MLP b32 step: compiled / PyTorch", "tiny_b32/compiled", "tiny_b32/torch", "<=", 0.45),
    ("MLP b64 step: compiled / numpy floor", "mlp_b64/compiled", "mlp_b64/floor", "<=", 1.0),
    ("  tiny MLP b32 step: compiled / ours", "tiny_b32/compiled", "tiny_b32/ours", None, None),
]
SCALAR_TARGETS = [
    ("moons demo step: micrograd / ours", "moons/micrograd", "moons/ours", ">=", 4.0),
    ("scalar chain: 1M links / 100k links", "chain_1m/ours", "chain_100k/ours", "<=", 11.0),
    # not a target: how the same graph's cost grows in plain Python, with no engine
    ("  the same for the plain-Python floor", "chain_1m/floor", "chain_100k/floor", None, None),
]
# "no growth" over the 1000 steps: below allocator noise, and far below one object per step
MEMORY_TARGETS = [
    ("peak RSS, b64 loop: ours - numpy floor (MB)", "<=", 10),
    ("RSS growth over 1000 steps, ours (MB)", "<", 1),
    ("live-object growth over 1000 steps, ours", "<", 100),
    ("RSS growth per step keeping every loss, ours (KB)", "<=", 1),
    ("RSS growth over 10,000 replays, compiled (MB)", "<", 1),
]
COMPARE = {"<": operator.lt, "<=": operator.le, ">=": operator.ge}


def _target(what, value, comparison, limit, threads, why_missing=None):
    """A target's record; with no comparison, a figure shown beside the targets for reference."""
    met = None if value is None or comparison is None else COMPARE[comparison](value, limit)
    return {
        "target": what,
        "threads": threads,
        "value": value,
        "limit": f"{comparison} {limit}" if comparison else "—",
        "met": met,
        "why_missing": why_missing,
    }


def _missing(record, value_key="median"):
    """Why a record has no figure, or None when it has one."""
    if record is None:
        return "not measured"
    if value_key not in record:
        return f"{record['engine']}: {record.get('skipped') or record.get('error')}"
    return None


def ratio(a, b):
    """Time a / time b: the median of block-by-block ratios when their blocks alternated in
    the same processes (robust to the machine's speed drifting), else the ratio of the medians."""
    if a["workload"] == b["workload"] and a["process"] == b["process"]:
        return statistics.median(x / y for x, y in zip(a["times"], b["times"]))
    return a["median"] / b["median"]


def _ratio_targets(specs, timings, threads):
    found = {f"{r['workload']}/{r['engine']}": r for r in timings}
    targets = []
    for what, key, reference, comparison, limit in specs:
        a, b = found.get(key), found.get(reference)
        why = _missing(a) or _missing(b)
        value = None if why else ratio(a, b)
        targets.append(_target(what, value, comparison, limit, threads, why))
    return targets


def _memory_targets(memory, threads):
    found = {m["engine"]: m for m in memory}
    ours, floor = found.get("ours"), found.get("floor")
    why = _missing(ours, "peak_rss_mb") or _missing(floor, "peak_rss_mb")
    values = (
        [None] * 4
        if why
        else [
            ours["peak_rss_mb"] - floor["peak_rss_mb"],
            ours["rss_growth_mb"],
            ours["object_growth"],
            ours.get("kept_losses_kb_per_step"),
        ]
    )
    compiled = found.get("compiled")
    compiled_why = _missing(compiled, "peak_rss_mb")
    whys = [why] * 4 + [compiled_why]
    values.append(None if compiled_why else compiled["rss_growth_mb"])
    return [
        _target(what, value, comparison, limit, threads, why or (value is None and "not measured"))
        for (what, comparison, limit), value, why in zip(MEMORY_TARGETS, values, whys)
    ]


def check_targets(runs, scalar):
    """One entry per target and thread setting: the measured value, the limit, met or not.

    The scalar targets are pure Python and measured once (threads None).
    """
    targets = []
    for run in runs:
        targets += _ratio_targets(TENSOR_TARGETS, run["timings"], run["threads"])
        targets += _memory_targets(run["memory"], run["threads"])
    if scalar is not None:
        targets += _ratio_targets(SCALAR_TARGETS, scalar["timings"], None)
    return targets


def _duration(seconds):
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale or unit == "µs":
            return unit, scale
    raise AssertionError


def _cell(record):
    if record is None:
        return "—"
    if "median" not in record:
        return "skipped" if "skipped" in record else "error"
    unit, scale = _duration(record["median"])
    low, mid, high = (_number(record[k] / scale) for k in ("min", "median", "max"))
    return f"{mid} {unit} ({low}-{high})"


def _number(x):
    """Three significant digits, or all of the integer part: 0.813, 12.4, 1150."""
    return f"{x:.{max(0, 2 - int(math.floor(math.log10(x))))}f}" if x > 0 else "0"


def timing_table(timings, heading):
    """Median (min-max) per step for each workload and engine, and ours / each peer."""
    found = {(r["workload"], r["engine"]): r for r in timings}
    workloads = list(dict.fromkeys(r["workload"] for r in timings))
    lines = [
        heading,
        f"{'workload':34}" + "".join(f"{c:>26}" for c in COLUMNS.values()) + "   ours / peer",
    ]
    for workload in workloads:
        cells = "".join(f"{_cell(found.get((workload, e))):>26}" for e in COLUMNS)
        ours = found.get((workload, "ours"), {})
        ratios = [
            f"{engine} {ratio(ours, found[(workload, engine)]):.2f}x"
            for engine in COLUMNS
            if engine != "ours"
            and "median" in ours
            and "median" in found.get((workload, engine), {})
        ]
        lines.append(f"{TITLES[workload]:34}{cells}   {', '.join(ratios)}")
    problems = [
        f"  {r['workload']} / {r['engine']}: {r.get('note') or r.get('error') or r.get('skipped')}"
        for r in timings
        if r.get("note") or r.get("error") or r.get("skipped")
    ]
    return "\n".join(lines + problems + _value_checks(timings))


def _value_checks(timings):
    """Engines start from the same weights and data, so their first results must agree."""
    lines = []
    for workload in dict.fromkeys(r["workload"] for r in timings):
        found = {r["engine"]: r.get("values") for r in timings if r["workload"] == workload}
        runs = [v for v in found.values() if v and v[0] is not None]
        for column in zip(*runs):
            if max(column) - min(column) > 1e-4 * max(abs(v) for v in column):
                lines.append(f"  WARNING {workload}: the engines' results disagree: {found}")
                break
    return lines


def memory_table(memory, heading):
    lines = [
        heading,
        f"{'engine':14}{'peak RSS':>12}{'RSS growth':>14}{'object growth':>16}"
        f"{'keeping losses':>18}{'steps':>8}",
    ]
    for m in memory:
        if "peak_rss_mb" not in m:
            lines.append(f"{COLUMNS[m['engine']]:14}  {m.get('skipped') or m.get('error')}")
            continue
        kept = m.get("kept_losses_kb_per_step")
        kept = "—" if kept is None else f"{kept:.2f} KB/step"
        lines.append(
            f"{COLUMNS[m['engine']]:14}{m['peak_rss_mb']:>9.1f} MB"
            f"{m['rss_growth_mb']:>11.2f} MB{m['object_growth']:>16}{kept:>18}{m['steps']:>8}"
        )
    return "\n".join(lines)


def target_table(targets):
    lines = ["Targets", f"{'target':60}{'threads':>8}{'measured':>11}{'limit':>10}   status"]
    for t in targets:
        threads = "-" if t["threads"] is None else str(t["threads"])
        value = "—" if t["value"] is None else f"{t['value']:.2f}"
        status = {True: "met", False: "NOT MET", None: f"skipped ({t['why_missing']})"}[t["met"]]
        status = "(reference)" if t["limit"] == "—" and t["value"] is not None else status
        lines.append(f"{t['target']:60}{threads:>8}{value:>11}{t['limit']:>10}   {status}")
    return "\n".join(lines)
