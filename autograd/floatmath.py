"""Maths on Python floats: the Scalar ops' forwards, following IEEE 754 (inf and NaN) like numpy,
never raising, and what their VJPs compute with in a plain backward (the `Maths` protocol in
value.py)."""

import math
import operator

inf, nan = math.inf, math.nan
records = False  # results are plain floats: nothing is recorded
equal, logical_not = operator.eq, operator.not_  # comparisons of floats give bools


def divide(x, y):
    try:
        return x / y
    except ZeroDivisionError:
        return nan if x == 0 or x != x else math.copysign(inf, x) * math.copysign(1.0, y)


def power(x, y):
    try:
        result = x**y
    except ZeroDivisionError:  # 0.0 ** negative
        return inf
    except OverflowError:
        return inf
    return nan if isinstance(result, complex) else float(result)


def exp(x):
    try:
        return math.exp(x)
    except OverflowError:
        return inf


def log(x):
    if x > 0:
        return math.log(x)
    return -inf if x == 0 else nan


def sqrt(x):
    return math.sqrt(x) if x >= 0 else nan


def sin(x):
    return math.sin(x) if math.isfinite(x) else nan


def cos(x):
    return math.cos(x) if math.isfinite(x) else nan


def sigmoid(x):
    """1 / (1 + e^-x), computed without overflow on either side."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = exp(x)
    return e / (1.0 + e)


def relu(x):
    return 0.0 if x <= 0 else x  # NaN passes through, as in numpy
