"""A scalar-and-tensor autodiff engine: one reverse-mode core under two kinds of value."""

from . import functional
from .draw import draw_dot
from .dtypes import get_default_dtype, set_default_dtype
from .engine import grad
from .factories import arange, full, ones, ones_like, rand, randn, tensor, zeros, zeros_like
from .function import Function
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .jit import CompileError
from .jit import compiled as compile  # noqa: A001 - ag.compile, as in the API
from .mode import detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .random import manual_seed
from .scalar import Scalar
from .tensor import Tensor, cat, concatenate, maximum, minimum, stack, where

__all__ = [
    "CompileError", "compile",
    "Function", "GradcheckError", "functional", "Scalar", "Tensor", "arange", "cat", "concatenate",
    "detect_anomaly", "draw_dot", "enable_grad", "full", "get_default_dtype", "grad", "gradcheck",
    "gradgradcheck", "is_grad_enabled", "manual_seed", "maximum", "minimum", "no_grad", "ones",
    "ones_like", "rand", "randn", "set_default_dtype", "set_grad_enabled", "stack", "tensor",
    "where", "zeros", "zeros_like",
]  # fmt: skip
