"""A thin neural-network layer on the autograd engine: modules, losses, optimizers, data."""

from . import data, functional, init, optim
from .checkpoint import load, save
from .layers import (
    MLP,
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    Dropout,
    LeakyReLU,
    Linear,
    MSELoss,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from .module import Module, Parameter

__all__ = [
    "MLP", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "Dropout", "LeakyReLU", "Linear",
    "MSELoss", "Module", "Parameter", "ReLU", "Sequential", "Sigmoid", "Softmax", "Tanh", "data",
    "functional", "init", "load", "optim", "save",
]  # fmt: skip
